import { describe, expect, it } from 'vitest';
import { LEAD_FIELDS, leadSchema, parseLead } from '@/lib/lead';
import {
  dbColumnOf,
  FIELDS_SHOWN_IN,
  LEAD_FIELD_NAMES,
  LEAD_FIELD_TABLE,
  LEAD_ROW_FIELDS,
  LEAD_TABLE_TEXT_COLUMNS,
  MAPPABLE_FIELDS,
  SCORABLE_FIELDS,
  SEARCHABLE_FIELDS,
  WHOLE_NUMBER_FIELDS,
} from '@/lib/lead-fields';
import { SORT_KEYS } from '@/lib/store/types';

/** The lead-field table and what is derived from it. The stores' search is checked against it in tests/store/contract.ts. */
describe('lead-field table', () => {
  it('is the contract: the same fields in the same order, then the custom attributes', () => {
    expect(LEAD_FIELDS).toEqual([...LEAD_FIELD_NAMES, 'attributes']);
    expect(Object.keys(leadSchema.shape)).toEqual([...LEAD_FIELD_NAMES, 'attributes']);
  });

  it('gives each field the schema of its type', () => {
    expect(() => parseLead({})).toThrow(/id/);
    expect(parseLead({ id: 7, email: ' Ada@Example.COM ', company_domain: 'ACME.io', created_at: '2026-03-05' })).toMatchObject({
      id: '7',
      email: 'ada@example.com',
      company_domain: 'acme.io',
      created_at: '2026-03-05T00:00:00.000Z',
    });
    for (const field of WHOLE_NUMBER_FIELDS) expect(() => parseLead({ id: 'a', [field]: 1.5 }), field).toThrow(/whole number/);
    expect(parseLead({ id: 'a', annual_revenue: 1.5 }).annual_revenue).toBe(1.5);
    expect(() => parseLead({ id: 'a', webinar_attended: 'yes' })).toThrow(/webinar_attended/);
  });

  it('derives the field lists the rest of the code reads', () => {
    expect(WHOLE_NUMBER_FIELDS).toEqual(['employee_count', 'email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d']);
    expect(MAPPABLE_FIELDS).toEqual(LEAD_FIELD_NAMES.filter((f) => f !== 'converted'));
    expect(SCORABLE_FIELDS).toEqual(LEAD_FIELD_NAMES.filter((f) => f !== 'id' && f !== 'converted'));
    expect(FIELDS_SHOWN_IN).toEqual({ name: ['first_name', 'last_name'], title: ['job_title'], company: ['company_name'], industry: ['industry'] });
    expect(SEARCHABLE_FIELDS).toEqual(['id', 'first_name', 'last_name', 'email', 'company_name']);
  });

  it('has a SQL column for everything a lead-table row carries, and every text column is a sort key', () => {
    expect(LEAD_ROW_FIELDS).toEqual(['id', 'first_name', 'last_name', 'email', 'job_title', 'company_name', 'industry']);
    for (const field of LEAD_ROW_FIELDS) expect(dbColumnOf(field), field).toBeDefined();
    for (const column of Object.keys(LEAD_TABLE_TEXT_COLUMNS)) {
      expect(SORT_KEYS).toContain(column);
      expect(FIELDS_SHOWN_IN[column as keyof typeof FIELDS_SHOWN_IN].length, column).toBeGreaterThan(0);
    }
    expect(LEAD_FIELD_TABLE.converted.type).toBe('outcome');
  });
});
