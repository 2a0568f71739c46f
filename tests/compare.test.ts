import { describe, expect, it } from 'vitest';
import { aucVerdict, compareRuleSets, formatComparison } from '@/lib/compare';
import { parseLead } from '@/lib/lead';
import type { RuleSet } from '@/lib/rules';
import type { Tier } from '@/lib/scoring';
import type { ScoredRecord } from '@/lib/store/types';

const now = new Date('2026-11-01T00:00:00.000Z');

/** Scores 80 / 50 / 10 by plan; HOT ≥ 75, WARM ≥ 45. */
const candidate: RuleSet = {
  name: 'Plan rules',
  tiers: { hot: 75, warm: 45 },
  categories: [{ id: 'fit', label: 'Fit', cap: 100 }],
  rules: [{ id: 'plan', label: 'Plan', category: 'fit', why: 'w', kind: 'category_map', field: 'attributes.plan', points: { enterprise: 80, team: 50 }, otherwise: 10 }],
};

const record = (id: string, plan: string, live: [number, Tier], converted?: boolean): ScoredRecord => ({
  lead: parseLead({ id, attributes: { plan }, ...(converted === undefined ? {} : { converted }) }),
  score: live[0],
  tier: live[1],
});

const records = [
  record('L1', 'enterprise', [40, 'COLD'], true),
  record('L2', 'team', [80, 'HOT'], false),
  record('L3', 'free', [50, 'WARM'], false),
  record('L4', 'enterprise', [20, 'COLD'], true),
  record('L5', 'team', [60, 'WARM'], true),
  record('L6', 'free', [10, 'COLD'], false),
  record('L7', 'enterprise', [90, 'HOT']), // no outcome: left out of every figure
];

describe('compareRuleSets', () => {
  const result = compareRuleSets(records, { candidate, now, ks: [2] });

  it('grades both sets on the same leads with an outcome (hand-computed)', () => {
    expect(result).toMatchObject({ leads: 6, conversions: 3 });
    // Live: converters {40, 20, 60} vs non-converters {80, 50, 10}: 40 beats 10, 20 beats 10, 60 beats 50 and 10 → 4/9.
    expect(result.live.auc).toBeCloseTo(4 / 9, 12);
    // Candidate: converters {80, 80, 50} vs {50, 10, 10}: 3 + 3 + (½ + 1 + 1) = 8.5 → 8.5/9.
    expect(result.candidate.auc).toBeCloseTo(8.5 / 9, 12);
    expect(result.auc!.difference).toBeCloseTo(0.5, 12);
    // Precision@2: live L2 (80, no), L5 (60, yes) → 50%; candidate L1, L4 (80 each, both converted) → 100%.
    expect(result.live.precisionAtK[0]).toMatchObject({ k: 2, conversions: 1, precision: 0.5 });
    expect(result.candidate.precisionAtK[0]).toMatchObject({ k: 2, conversions: 2, precision: 1 });
    // Top decile (1 lead of 6): live L2 did not convert → lift 0; candidate L1 did → 1 / 0.5 = 2.
    expect(result.live.deciles[0]!.lift).toBe(0);
    expect(result.candidate.deciles[0]!.lift).toBe(2);
    expect(result.candidate.tiers.map((t) => [t.tier, t.leads, t.conversions])).toEqual([
      ['HOT', 2, 2],
      ['WARM', 2, 1],
      ['COLD', 2, 0],
    ]);
  });

  it('counts every graded lead once in the tier-move matrix', () => {
    // Rows live HOT/WARM/COLD, columns candidate: L2 HOT→WARM; L5 WARM→WARM, L3 WARM→COLD; L1, L4 COLD→HOT, L6 COLD→COLD.
    expect(result.moves).toEqual([
      [0, 1, 0],
      [0, 1, 1],
      [2, 0, 1],
    ]);
    expect(result.moves.flat().reduce((a, b) => a + b, 0)).toBe(result.leads);
    expect(result.moved).toBe(4);
  });

  it('lists the biggest moves first: tiers crossed, then points, then id', () => {
    expect(result.movers.map((m) => m.id)).toEqual(['L4', 'L1', 'L3', 'L2']);
    expect(result.movers[0]).toEqual({ id: 'L4', converted: true, live: { score: 20, tier: 'COLD' }, candidate: { score: 80, tier: 'HOT' } });
    expect(compareRuleSets(records, { candidate, now, movers: 1 }).movers).toHaveLength(1);
  });

  it('prints the two side by side, with the paired verdict and the matrix', () => {
    const text = formatComparison(result, { live: 'r_live (Live)', candidate: 'r_cand (Plan rules)', source: 'leads.json, all leads' });
    expect(text).toContain('Compare: live r_live (Live) vs candidate r_cand (Plan rules)');
    expect(text).toMatch(/ROC AUC \(95% CI\)\s+0\.444 \(95% CI [\d.]+–[\d.]+\)\s+0\.944/);
    expect(text).toMatch(/Precision@2\s+50\.0% \(1\/2\)\s+100\.0% \(2\/2\)/);
    expect(text).toMatch(/COLD\s+2\s+0\s+1\s+3/);
    expect(text).toContain('4 of 6 leads change tier');
  });
});

describe('aucVerdict', () => {
  it('calls a difference only when its interval excludes 0', () => {
    expect(aucVerdict({ difference: 0.04, se: 0.01, ci: { low: 0.02, high: 0.06 }, z: 4, p: 0.00006 })).toMatch(/the candidate ranks these leads better$/);
    expect(aucVerdict({ difference: -0.04, se: 0.01, ci: { low: -0.06, high: -0.02 }, z: -4, p: 0.00006 })).toMatch(/worse$/);
    expect(aucVerdict({ difference: 0.03, se: 0.02, ci: { low: -0.01, high: 0.07 }, z: 1.5, p: 0.13 })).toMatch(/p = 0\.130\): the data cannot tell the two apart$/);
    expect(aucVerdict(null)).toMatch(/needs at least two converters/);
  });
});
