import { describe, expect, it } from 'vitest';
import { dataClock, describeAsOf, resolveAsOf } from '@/lib/as-of';

const clock = () => new Date('2030-01-01T00:00:00.000Z');
const leads = [
  { created_at: '2026-01-01T00:00:00.000Z', last_activity_at: '2026-03-05T12:00:00.000Z' },
  { created_at: '2026-04-01T00:00:00.000Z' },
  { last_activity_at: '2026-02-01T00:00:00.000Z' },
  {},
];

describe('resolveAsOf', () => {
  it('uses the clock for "now"', () => {
    expect(resolveAsOf(leads, 'now', clock)).toEqual(clock());
  });

  it('uses an explicit ISO date or date-time', () => {
    expect(resolveAsOf(leads, '2026-06-30', clock)).toEqual(new Date('2026-06-30T00:00:00.000Z'));
    expect(resolveAsOf(leads, '2026-06-30T08:00:00+02:00', clock)).toEqual(new Date('2026-06-30T06:00:00.000Z'));
  });

  it('defaults to the latest activity or creation date in the data', () => {
    expect(resolveAsOf(leads, undefined, clock)).toEqual(new Date('2026-04-01T00:00:00.000Z'));
    expect(resolveAsOf(leads.slice(2), undefined, clock)).toEqual(new Date('2026-02-01T00:00:00.000Z'));
  });

  it('falls back to the clock when no lead has a date', () => {
    expect(resolveAsOf([{}, {}], undefined, clock)).toEqual(clock());
    expect(resolveAsOf([], undefined, clock)).toEqual(clock());
  });

  it('rejects a setting that is not a date', () => {
    expect(() => resolveAsOf(leads, 'yesterday', clock)).toThrow(/SCORING_AS_OF/);
  });
});

describe('dataClock', () => {
  it('falls back to the latest custom date column, then the epoch, never the clock', async () => {
    const { dataClock } = await import('@/lib/as-of');
    expect(dataClock([{ attributes: { trial: '2026-03-01', note: 'x' } }, { attributes: { trial: '2026-05-02T10:00:00.000Z' } }])().toISOString()).toBe('2026-05-02T10:00:00.000Z');
    expect(dataClock([{ attributes: { plan: 'pro' } }, {}])().getTime()).toBe(0);
  });
});

describe('describeAsOf', () => {
  it('gives the day, or says that the data holds no date (dataClock falls back to the epoch)', () => {
    expect(describeAsOf(new Date('2026-11-01T12:00:00.000Z'))).toBe('as of 2026-11-01');
    expect(describeAsOf(dataClock([{ attributes: { plan: 'pro' } }])())).toBe('no date in the data, so recency rules cannot apply');
    expect(describeAsOf(new Date(0).toISOString())).toMatch(/^no date/);
  });
});
