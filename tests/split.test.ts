import { describe, expect, it } from 'vitest';
import { parseLead, type Lead } from '@/lib/lead';
import { describeSplit, halfOf, planTimeSplit, splitter, type SplitSpec } from '@/lib/split';

const leads: Lead[] = Array.from({ length: 20_000 }, (_, i) =>
  parseLead({ id: `lead_${String(i).padStart(6, '0')}`, created_at: i % 10 === 0 ? undefined : new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString() }),
);
const hash: SplitSpec = { by: 'hash', holdout: 0.3, seed: 1 };

describe('hash split', () => {
  it('puts about the holdout share in test, every lead in exactly one half', () => {
    const half = splitter(hash);
    const test = leads.filter((l) => half(l) === 'test');
    const design = leads.filter((l) => half(l) === 'design');
    expect(test.length + design.length).toBe(leads.length);
    expect(new Set([...test, ...design].map((l) => l.id)).size).toBe(leads.length);
    // 3 standard deviations of a binomial share at n = 20,000.
    expect(Math.abs(test.length / leads.length - 0.3)).toBeLessThan(3 * Math.sqrt(0.21 / leads.length));
  });

  it('gives a lead the same half whatever else is in the file, and another half under another seed', () => {
    const alone = leads.slice(0, 500).map((l) => halfOf(l, hash));
    const reversed = [...leads].reverse().map((l) => [l.id, splitter(hash)(l)] as const);
    const byId = new Map(reversed);
    expect(leads.slice(0, 500).map((l) => byId.get(l.id))).toEqual(alone);
    const other = leads.map((l) => halfOf(l, { ...hash, seed: 2 }));
    const same = leads.filter((l, i) => halfOf(l, hash) === other[i]).length;
    // Independent seeds agree on 0.7² + 0.3² = 58% of leads, not all of them.
    expect(same / leads.length).toBeGreaterThan(0.54);
    expect(same / leads.length).toBeLessThan(0.62);
  });

  it('is not fooled by ids that differ only in their last character', () => {
    const half = splitter(hash);
    const lastDigit = Array.from({ length: 10 }, (_, d) => leads.filter((l) => l.id.endsWith(String(d)) && half(l) === 'test').length / (leads.length / 10));
    for (const share of lastDigit) expect(Math.abs(share - 0.3)).toBeLessThan(0.05);
  });
});

describe('time split', () => {
  const time = planTimeSplit(
    leads.map((l) => l.created_at),
    { field: 'created_at', holdout: 0.3, seed: 1 },
  );

  it('makes the newest share the test half and splits undated leads by hash', () => {
    expect(time.by).toBe('time');
    const half = splitter(time);
    const dated = leads.filter((l) => l.created_at !== undefined);
    const cutoff = Date.parse((time as Extract<SplitSpec, { by: 'time' }>).cutoff);
    for (const lead of dated) expect(half(lead)).toBe(Date.parse(lead.created_at!) >= cutoff ? 'test' : 'design');
    const testShare = dated.filter((l) => half(l) === 'test').length / dated.length;
    expect(testShare).toBeCloseTo(0.3, 3);
    const newestDesign = Math.max(...dated.filter((l) => half(l) === 'design').map((l) => Date.parse(l.created_at!)));
    const oldestTest = Math.min(...dated.filter((l) => half(l) === 'test').map((l) => Date.parse(l.created_at!)));
    expect(newestDesign).toBeLessThan(oldestTest);
    const undated = leads.filter((l) => l.created_at === undefined);
    expect(undated.map(half)).toEqual(undated.map((l) => halfOf(l, hash)));
    expect(describeSplit(time)).toContain('created_at');
  });

  it('refuses a field no lead has, and a date that holds every lead', () => {
    expect(() => planTimeSplit([undefined, 'x'], { field: 'attributes.signup', holdout: 0.3, seed: 1 })).toThrow(/no lead has a date/);
    expect(() => planTimeSplit(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'], { field: 'created_at', holdout: 0.3, seed: 1 })).toThrow(/no lead would be left/);
  });
});
