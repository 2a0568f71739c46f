import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { leadDateMs, leadInputHash, parseLead, parseLeads, safeParseLead, toScorable } from '@/lib/lead';

describe('parseLead', () => {
  it('accepts a record with only an id; everything else is unknown', () => {
    expect(parseLead({ id: 'a1' })).toEqual({ id: 'a1' });
  });

  it('reads null and blank strings as missing, as CRM exports mean them', () => {
    expect(parseLead({ id: 'a1', industry: null, job_title: '   ', employee_count: null })).toEqual({ id: 'a1' });
  });

  it('normalises ids, emails, domains and dates', () => {
    const lead = parseLead({ id: 42, email: '  Ann@Example.COM ', company_domain: 'Example.com', created_at: '2026-10-01' });
    expect(lead).toEqual({ id: '42', email: 'ann@example.com', company_domain: 'example.com', created_at: '2026-10-01T00:00:00.000Z' });
  });

  it.each([
    [{ id: 'b7', employee_count: -3 }, 'employee_count', /negative/],
    [{ id: 'b7', email_opens_30d: 2.5 }, 'email_opens_30d', /whole number/],
    [{ id: 'b7', demo_requested: 'yes' }, 'demo_requested', /boolean/],
    [{ id: 'b7', last_activity_at: 'last tuesday' }, 'last_activity_at', /ISO 8601/],
    [{ id: 'b7', last_activity_at: '2026-02-30T00:00:00Z' }, 'last_activity_at', /ISO 8601/],
    [{ id: 'b7', email: 'not-an-email' }, 'email', /email/],
    [{ id: 'b7', favourite_colour: 'blue' }, 'favourite_colour', /unknown field/],
  ])('rejects %j naming the record and the field', (raw, field, message) => {
    const result = safeParseLead(raw, 3);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toMatchObject({ record: '"b7" (#3)', field });
    expect(result.issues[0]!.message).toMatch(message);
  });

  it('reads a date by the calendar: leap days only in leap years, no 31st of a 30-day month, no month 0 or 13', () => {
    const accepted = (created_at: string) => safeParseLead({ id: 'd1', created_at }).ok;
    expect(['2024-02-29', '2000-02-29', '2026-04-30', '2026-12-31T23:59:59+02:00', '2026-01-01 08:00'].map(accepted)).toEqual([true, true, true, true, true]);
    expect(['2023-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-06-00', '2026-06-10T25:00:00Z'].map(accepted)).toEqual([false, false, false, false, false, false, false]);
    expect(parseLead({ id: 'd2', created_at: '2026-03-05T14:22:00+01:00' }).created_at).toBe('2026-03-05T13:22:00.000Z');
  });

  it('checks the calendar of a date already in the stored form (YYYY-MM-DDTHH:mm:ss.sssZ) too, and keeps it as it is', () => {
    const accepted = (created_at: string) => safeParseLead({ id: 'd3', created_at }).ok;
    expect(['2024-02-29T10:00:00.000Z', '2026-04-30T23:59:59.999Z', '0100-01-01T00:00:00.000Z'].map(accepted)).toEqual([true, true, true]);
    const rejected = ['2023-02-29T10:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-06-00T00:00:00.000Z', '2026-06-10T25:00:00.000Z', '2026-06-10T10:60:00.000Z'];
    expect(rejected.map(accepted)).toEqual(rejected.map(() => false));
    expect(parseLead({ id: 'd4', last_activity_at: ' 2024-02-29T10:00:00.000Z ' }).last_activity_at).toBe('2024-02-29T10:00:00.000Z');
  });

  it('throws an INVALID_INPUT AppError whose message names record and field', () => {
    try {
      parseLead({ id: 'z9', pricing_page_views_30d: -1 });
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('INVALID_INPUT');
      expect((error as Error).message).toMatch(/"z9".*pricing_page_views_30d/);
    }
  });

  it('names a record without an id by its index', () => {
    const result = safeParseLead({ industry: 'x' }, 12);
    expect(!result.ok && result.issues[0]).toMatchObject({ record: '#12', field: 'id' });
  });
});

describe('parseLeads', () => {
  it('reports every bad record, keeps the good ones, and rejects duplicate ids', () => {
    const result = parseLeads([
      { id: 'ok1' },
      { id: 'bad1', employee_count: 'many' },
      { id: 'ok2', converted: true },
      { id: 'bad2', webinar_attended: 1, email_clicks_30d: -1 },
      { id: 'ok1' },
    ]);
    expect(result.leads.map((l) => l.id)).toEqual(['ok1', 'ok2']);
    expect(result.rejected).toBe(3);
    expect(result.issues.map((i) => `${i.record}:${i.field}`)).toEqual([
      '"bad1" (#1):employee_count',
      '"bad2" (#3):email_clicks_30d',
      '"bad2" (#3):webinar_attended',
      '"ok1" (#4):id',
    ]);
  });

  it('rejects a file that is not an array', () => {
    expect(parseLeads({ leads: [] }).issues[0]).toMatchObject({ field: '(root)' });
  });
});

describe('outcome isolation', () => {
  it('toScorable strips converted', () => {
    const scorable = toScorable(parseLead({ id: 'a', converted: true }));
    expect((scorable as { converted?: boolean }).converted).toBeUndefined();
    expect(JSON.stringify(scorable)).toBe('{"id":"a"}');
  });

  it('the input hash ignores the outcome but sees every input field and key order does not matter', () => {
    const base = parseLead({ id: 'a', industry: 'Software', email_opens_30d: 3 });
    expect(leadInputHash({ ...base, converted: true })).toBe(leadInputHash(base));
    expect(leadInputHash(parseLead({ email_opens_30d: 3, industry: 'Software', id: 'a' }))).toBe(leadInputHash(base));
    expect(leadInputHash({ ...base, email_opens_30d: 4 })).not.toBe(leadInputHash(base));
    expect(leadInputHash({ ...base, attributes: { plan: 'team' } })).not.toBe(leadInputHash(base));
    expect(leadInputHash({ ...base, attributes: { plan: 'team', seats: 3 } })).toBe(leadInputHash({ ...base, attributes: { seats: 3, plan: 'team' } }));
  });
});

describe('leadDateMs', () => {
  it('reads the stored form and every other ISO date as Date.parse does; anything else is not a date', () => {
    expect(leadDateMs('2026-03-05T14:22:00.000Z')).toBe(Date.UTC(2026, 2, 5, 14, 22));
    expect(leadDateMs('2026-03-05')).toBe(Date.UTC(2026, 2, 5));
    expect(leadDateMs('2026-03-05T16:22:00+02:00')).toBe(Date.UTC(2026, 2, 5, 14, 22));
    // Out of range in the stored shape: Date.parse refuses a month 13 where Date.UTC would roll it over.
    expect(leadDateMs('2026-13-01T00:00:00.000Z')).toBeUndefined();
    expect(leadDateMs('0042-01-01T00:00:00.000Z')).toBe(Date.parse('0042-01-01T00:00:00.000Z'));
    for (const value of ['yesterday', '', 42, null, undefined, true]) expect(leadDateMs(value), String(value)).toBeUndefined();
  });

  it('agrees with Date.parse on any string of the stored shape', () => {
    const digit = fc.constantFrom(...'0123456789');
    const part = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
    const shaped = fc.tuple(fc.oneof(part(4), part(2).map((y) => `00${y}`)), part(2), part(2), part(2), part(2), part(2), part(3)).map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(fc.oneof(shaped, fc.string({ minLength: 24, maxLength: 24 })), (value) => {
        const parsed = Date.parse(value);
        expect(leadDateMs(value)).toBe(Number.isNaN(parsed) ? undefined : parsed);
      }),
      { numRuns: 5000 },
    );
  });
});
