import { describe, expect, it } from 'vitest';
import { parseLead, type Lead } from '@/lib/lead';
import { profileLeads, weightOfEvidence } from '@/lib/profile';
import { StatsBuilder } from '@/lib/tune/stats';

const AS_OF = new Date('2026-11-01T00:00:00.000Z');

/** Builds leads from rows of [attributes, converted]; folds alternate so both are used. */
function statsOf(rows: [Record<string, string | number | boolean>, boolean, Partial<Lead>?][]) {
  const builder = new StatsBuilder(AS_OF);
  rows.forEach(([attributes, converted, extra], i) => builder.add(parseLead({ id: `l${i}`, attributes, ...extra }), converted, (i % 2) as 0 | 1));
  return builder.finish();
}

const repeat = <T,>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

describe('field profile on a hand-computed fixture', () => {
  // plan: pro 8 leads / 4 conversions, free 10 / 1, unknown 2 / 1 → 20 leads, 6 conversions, base 30%.
  const rows: [Record<string, string | number | boolean>, boolean][] = [
    ...repeat(8, (i) => [{ plan: i % 2 ? 'Pro' : 'pro ' }, i < 4] as [Record<string, string>, boolean]),
    ...repeat(10, (i) => [{ plan: 'free' }, i === 0] as [Record<string, string>, boolean]),
    ...repeat(2, (i) => [{}, i === 0] as [Record<string, string>, boolean]),
  ];
  const profile = profileLeads(statsOf(rows));
  const plan = profile.fields.find((f) => f.field === 'attributes.plan')!;

  it('counts leads, conversions, rates and Wilson intervals per value, unknown as its own bucket', () => {
    expect(profile).toMatchObject({ half: 'design', leads: 20, conversions: 6, baseRate: 0.3 });
    expect(plan).toMatchObject({ type: 'category', leads: 20, known: 18, coverage: 0.9 });
    expect(plan.buckets.map((b) => [b.label, b.kind, b.leads, b.conversions])).toEqual([
      ['free', 'value', 10, 1],
      ['pro', 'value', 8, 4],
      ['unknown', 'unknown', 2, 1],
    ]);
    const pro = plan.buckets[1]!;
    expect(pro.rate).toBe(0.5);
    expect(pro.lift).toBeCloseTo(0.5 / 0.3, 12);
    expect(pro.ci.low).toBeCloseTo(0.215216, 5);
    expect(pro.ci.high).toBeCloseTo(0.784784, 5);
    expect(plan.buckets[0]!.ci.low).toBeCloseTo(0.017876, 5);
  });

  it('computes smoothed weight of evidence and information value', () => {
    // WoE = ln(((c + 0.5) / (6 + 1.5)) / ((n − c + 0.5) / (14 + 1.5))), worked out by hand.
    expect(plan.buckets.map((b) => Number(b.woe.toFixed(6)))).toEqual([-1.11989, 0.725937, 0.725937]);
    expect(plan.iv).toBeCloseTo(0.762148, 5);
    expect(plan.strength).toBe('suspicious');
    // An empty cell stays finite.
    expect(weightOfEvidence([{ leads: 5, conversions: 0 }, { leads: 5, conversions: 5 }]).woe.every(Number.isFinite)).toBe(true);
  });

  it('bands numbers at data-chosen cuts and ranks fields by information value', () => {
    const visits = profileLeads(
      statsOf([
        ...repeat(6, () => [{ visits: 0 }, false] as [Record<string, number>, boolean]),
        ...repeat(4, (i) => [{ visits: 1 }, i === 0] as [Record<string, number>, boolean]),
        ...repeat(4, (i) => [{ visits: 5 }, i < 2] as [Record<string, number>, boolean]),
        ...repeat(4, (i) => [{ visits: 10 }, i < 3] as [Record<string, number>, boolean]),
        ...repeat(2, () => [{ noise: 'x' }, false] as [Record<string, string>, boolean]),
      ]),
      { bands: 2, minShare: 0.1 },
    ).fields;
    const field = visits.find((f) => f.field === 'attributes.visits')!;
    expect(field.type).toBe('number');
    expect(field.buckets.map((b) => [b.label, b.leads, b.conversions])).toEqual([
      ['0–1', 10, 1],
      ['2+', 8, 5],
      ['unknown', 2, 0],
    ]);
    expect(visits[0]!.field).toBe('attributes.visits');
    // Contract fields no lead has come last, with no type.
    expect(visits.at(-1)!.type).toBeNull();
  });

  it('reads dates as days before the as-of date and booleans as yes / no', () => {
    const fields = profileLeads(
      statsOf([
        ...repeat(10, (i) => [{ trial: '2026-10-30', accepts_email: false }, i < 5] as [Record<string, string | boolean>, boolean]),
        ...repeat(10, () => [{ trial: '2026-06-01', accepts_email: true }, false] as [Record<string, string | boolean>, boolean]),
      ]),
      { bands: 2, minShare: 0.1 },
    ).fields;
    expect(fields.find((f) => f.field === 'attributes.trial')!.buckets.map((b) => [b.label, b.leads, b.conversions])).toEqual([
      ['2 days', 10, 5],
      ['3+ days', 10, 0],
    ]);
    expect(fields.find((f) => f.field === 'attributes.accepts_email')!.buckets.map((b) => [b.label, b.conversions])).toEqual([
      ['yes', 0],
      ['no', 5],
    ]);
  });

  it('finds words and phrases whose presence lifts or lowers conversion, with counts', () => {
    const texts = [
      ...repeat(40, (i) => [{}, i < 30, { company_description: `Acme ${i} recently raised a Series B.` }] as const),
      ...repeat(40, (i) => [{}, i < 2, { company_description: `Student ${i} ${i % 2 ? "project" : "thesis"}.` }] as const),
      ...repeat(120, (i) => [{}, i % 5 === 0, { company_description: `Company number ${i} sells things.` }] as const),
    ] as unknown as [Record<string, string>, boolean, Partial<Lead>][];
    const description = profileLeads(statsOf(texts)).fields.find((f) => f.field === 'company_description')!;
    expect(description.type).toBe('text');
    const lifting = description.keywords!.lifting;
    // The words of "recently raised a Series B" hold the same 40 leads: listed once, by the simplest.
    expect(lifting[0]).toMatchObject({ leads: 40, conversions: 30, rate: 0.75 });
    expect(lifting[0]!.term).toBe('recently');
    expect(lifting.filter((k) => k.leads === 40 && k.conversions === 30)).toHaveLength(1);
    expect(description.keywords!.lowering.map((k) => k.term)).toContain('student');
    expect(description.keywords!.lowering.find((k) => k.term === 'student')).toMatchObject({ leads: 40, conversions: 2 });
  });
});

describe('words on a sample', () => {
  it('counts words on a hash sample of design leads, says so, and still finds the strong ones', async () => {
    const { designStats } = await import('@/lib/tune/stats');
    const { plantedLeads } = await import('./support/planted-leads');
    const leads = plantedLeads(6_000, 3);
    const { stats, counts } = designStats(leads, { by: 'hash', holdout: 0.3, seed: 1 }, AS_OF, { termShare: 0.5 });
    const sampled = stats.termTotal[0] + stats.termTotal[2];
    expect(Math.abs(sampled / counts.design - 0.5)).toBeLessThan(0.03);
    const description = profileLeads(stats).fields.find((f) => f.field === 'company_description')!;
    expect(description.notes.join(' ')).toMatch(/hash sample of [\d,]+ design leads/);
    expect(description.keywords!.lifting[0]!.leads).toBeLessThan(counts.design * 0.15 * 0.6);
    expect(description.keywords!.lifting.map((k) => k.term)).toContain('spreadsheets');
  });
});

describe('bounded tables', () => {
  it('drop their rarest keys past the cap and say by how much a kept count may be short', async () => {
    const { CountTable } = await import('@/lib/tune/stats');
    const table = new CountTable<string>(4);
    for (const [key, n] of [['a', 5], ['b', 1], ['c', 3], ['d', 1]] as const) table.get(key)[0] += n;
    table.get('e')[0] += 2;
    expect([...table.map.keys()].sort()).toEqual(['a', 'c', 'e']);
    expect(table.undercount).toBe(1);
  });
});
