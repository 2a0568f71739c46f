import { describe, expect, it } from 'vitest';
import { rocAuc } from '@/lib/backtest';
import { toScorable } from '@/lib/lead';
import { rankCorrelation } from '@/lib/drift';
import type { RuleSet } from '@/lib/rules';
import { splitter, type SplitSpec } from '@/lib/split';
import { modelScorer } from '@/lib/tune/model';
import { tuneRules } from '@/lib/tune/tune';
import { plantedLeads } from '../support/planted-leads';

const asOf = new Date('2026-11-01T00:00:00.000Z');
const split: SplitSpec = { by: 'hash', holdout: 0.3, seed: 1 };

describe('modelScorer', () => {
  it('runs the stored model on new leads as tune fitted it (same order as its unrounded test logits)', () => {
    const leads = plantedLeads(6_000, 11);
    const result = tuneRules(() => leads, { split, asOf });
    const score = modelScorer(result.rules, result.rules.tuning!.model, asOf);
    const half = splitter(split);
    const test = leads.filter((l) => l.converted !== undefined && half(l) === 'test');
    const stored = test.map((l) => score(toScorable(l)));
    // Weights are stored to 4 decimals and rules that earn no point are left out, so close, not identical.
    expect(rankCorrelation(stored, result.model.testLogits)).toBeGreaterThan(0.99);
    const auc = (scores: ArrayLike<number>) => rocAuc(test.map((l, i) => ({ id: l.id, score: scores[i]!, tier: 'COLD' as const, converted: l.converted === true })))!;
    expect(Math.abs(auc(stored) - auc(result.model.testLogits))).toBeLessThan(0.005);
  });

  it('is the intercept plus the weight of each bucket the lead is in; rules without weights add nothing', () => {
    const rules: RuleSet = {
      name: 'r',
      tiers: { hot: 75, warm: 45 },
      categories: [{ id: 'fit', label: 'Fit', cap: 100 }],
      rules: [
        { id: 'plan', label: 'Plan', category: 'fit', why: 'w', kind: 'category_map', field: 'attributes.plan', points: { pro: 60 }, otherwise: 0 },
        { id: 'demo', label: 'Demo', category: 'fit', why: 'w', kind: 'boolean_flag', field: 'demo_requested', points: 40 },
      ],
    };
    // plan buckets: pro, any other value, unknown.
    const score = modelScorer(rules, { intercept: -2, lambda: 1, weights: { plan: [1.5, 0.25, -0.5] } }, asOf);
    expect(score({ id: 'a', attributes: { plan: 'pro' }, demo_requested: true })).toBeCloseTo(-0.5, 12);
    expect(score({ id: 'b', attributes: { plan: 'free' } })).toBeCloseTo(-1.75, 12);
    expect(score({ id: 'c' })).toBeCloseTo(-2.5, 12);
  });
});
