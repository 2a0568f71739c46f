import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { loadMapping, parseMapping, shownAttributes } from '@/lib/import/mapping';

describe('the "show" flag of an attribute', () => {
  it('lists the attributes marked "show", in mapping order; unmarked ones are not shown', () => {
    const mapping = parseMapping({
      fields: { id: 'Member No' },
      attributes: {
        visits: { column: 'Visits', type: 'number', show: true },
        plan: { column: 'Plan', type: 'text' },
        region: { column: 'Region', type: 'text', show: true },
        vip: { column: 'VIP', type: 'boolean', show: false },
      },
    });
    expect(shownAttributes(mapping)).toEqual(['visits', 'region']);
    expect(mapping.attributes.plan).toEqual({ column: ['Plan'], type: 'text', show: false });
  });

  it('keeps a preset’s attributes unshown and an extending mapping’s marks', () => {
    expect(shownAttributes(parseMapping({ extends: 'hubspot', attributes: { seats: { column: 'Seats', type: 'number', show: true } } }))).toEqual(['seats']);
    expect(shownAttributes(parseMapping({ extends: 'salesforce' }))).toEqual([]);
  });

  it('rejects a "show" that is not true or false, naming the attribute', () => {
    expect(() => parseMapping({ attributes: { seats: { column: 'Seats', type: 'number', show: 'yes' } } })).toThrow(/attributes\.seats\.show/);
  });

  it('names the setting that named a mapping file it cannot read', async () => {
    await expect(loadMapping('no/such/mapping.json', 'LEAD_MAPPING')).rejects.toSatisfy((e: unknown) => isAppError(e) && /LEAD_MAPPING/.test(e.message));
  });
});
