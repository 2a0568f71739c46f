import { describe, expect, it } from 'vitest';
import { DRIFT_THRESHOLDS, driftReport, formatDrift, populationStability, psiBand, rankCorrelation } from '@/lib/drift';
import { toScorable, type Lead } from '@/lib/lead';
import type { RuleSet } from '@/lib/rules';
import { scoreLead } from '@/lib/scoring';
import type { SplitSpec } from '@/lib/split';
import type { ScoredRecord } from '@/lib/store/types';
import { tuneRules } from '@/lib/tune/tune';
import { driftLeads } from './support/drift-leads';

const asOf = new Date('2026-11-01T00:00:00.000Z');
const split: SplitSpec = { by: 'hash', holdout: 0.3, seed: 1 };

const scored = (leads: readonly Lead[], rules: RuleSet): ScoredRecord[] =>
  leads.map((lead) => {
    const { score, tier } = scoreLead(toScorable(lead), { rules, now: asOf });
    return { lead, score, tier };
  });

/** Live rules tuned on a funnel where the plan drives conversion: they store their split, histogram and model. */
const tuned = tuneRules(() => driftLeads(6_000, 1, { driver: 'plan' }), { split, asOf }).rules;

describe('populationStability', () => {
  it('matches a hand-computed case', () => {
    // Design: 50 leads at score 10, 50 at 60 → bins 0–10 (50%) and 11–100 (50%). Today: 30 at 10, 70 at 80.
    // PSI = (0.3 − 0.5) ln(0.3/0.5) + (0.7 − 0.5) ln(0.7/0.5) = 0.2 · 0.510826 + 0.2 · 0.336472 = 0.169460.
    const expected = new Array<number>(101).fill(0);
    expected[10] = 50;
    expected[60] = 50;
    const actual = new Array<number>(101).fill(0);
    actual[10] = 30;
    actual[80] = 70;
    const { psi, bins } = populationStability(expected, actual);
    expect(bins).toEqual([
      { from: 0, to: 10, expected: 0.5, actual: 0.3 },
      { from: 11, to: 100, expected: 0.5, actual: 0.7 },
    ]);
    expect(psi).toBeCloseTo(0.16946, 5);
    expect(psiBand(psi)).toBe('moderate');
  });

  it('is 0 for the same distribution, floors empty bins, and keeps a tied score in one bin', () => {
    const h = Array.from({ length: 101 }, (_, s) => (s % 7 === 0 ? 3 : 0));
    expect(populationStability(h, h.map((x) => 2 * x)).psi).toBeCloseTo(0, 12);
    // Everything today lands in a bin the design half barely used: large, finite.
    const design = new Array<number>(101).fill(0);
    design[20] = 90;
    design[90] = 10;
    const today = new Array<number>(101).fill(0);
    today[95] = 100;
    const { psi, bins } = populationStability(design, today);
    expect(bins.map((b) => [b.from, b.to])).toEqual([
      [0, 20],
      [21, 100],
    ]);
    expect(Number.isFinite(psi)).toBe(true);
    expect(psi).toBeGreaterThan(DRIFT_THRESHOLDS.psi);
    // Ten bins of about equal design share when scores spread out.
    const spread = Array.from({ length: 101 }, () => 1);
    expect(populationStability(spread, spread).bins).toHaveLength(10);
  });
});

describe('rankCorrelation (Spearman)', () => {
  it('is 1 for the same order, −1 reversed, and uses mid-ranks for ties', () => {
    expect(rankCorrelation([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(rankCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Ranks of [1, 2, 2, 3] are 4, 2.5, 2.5, 1 (from the top); of [1, 3, 2, 4]: 4, 2, 3, 1. Pearson of those = 0.9487.
    expect(rankCorrelation([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.948683, 5);
    expect(rankCorrelation([5, 5, 5], [1, 2, 3])).toBeNull();
  });
});

describe('driftReport', () => {
  it('stays quiet on a new batch of the funnel the rules were tuned on', () => {
    const leads = driftLeads(6_000, 2, { driver: 'plan' });
    const report = driftReport(() => scored(leads, tuned), { rules: tuned, asOf, split });
    expect(report.alarm).toBe(false);
    expect(report.line).toMatch(/^No drift alarm: PSI 0\.0\d \(stable; alarm above 0\.25\); the model refitted on today’s leads [+-]0\.0\d\d AUC vs the rules \(alarm above \+0\.05\)/);
    expect(report.scoreShift!.psi).toBeLessThan(DRIFT_THRESHOLDS.psiModerate);
    const [refit, stored] = report.models;
    expect(refit!.source).toBe('refit');
    expect(stored!.source).toBe('stored');
    expect(Math.abs(refit!.difference!.difference)).toBeLessThan(DRIFT_THRESHOLDS.aucGap);
    expect(refit!.rankAgreement).toBeGreaterThan(0.8);
    expect(refit!.unreadFields).toEqual([]);
    // They agree on the order, so there is nothing to list where they disagree.
    expect(refit!.modelTopRulesCold).toEqual([]);
    expect(refit!.rulesHotModelLow).toEqual([]);
    expect(stored!.fittedOn).toEqual(tuned.tuning!.design);
  });

  it('fires when outcomes are driven by a field the rules ignore, naming it and what to run', () => {
    const leads = driftLeads(6_000, 3, { driver: 'channel' });
    const report = driftReport(() => scored(leads, tuned), { rules: tuned, asOf, split, tuneCommand: 'npm run tune -- --rules live.json' });
    expect(report.alarm).toBe(true);
    const refit = report.models.find((m) => m.source === 'refit')!;
    expect(refit.difference!.difference).toBeGreaterThan(DRIFT_THRESHOLDS.aucGap);
    expect(refit.difference!.ci.low).toBeGreaterThan(0);
    expect(refit.unreadFields.map((f) => f.field)).toContain('attributes.channel');
    expect(refit.modelTopRulesCold.length).toBeGreaterThan(0);
    expect(refit.modelTopRulesCold.every((d) => d.tier === 'COLD')).toBe(true);
    // The stored model shares the rules' buckets: it cannot see the channel either, so it does not fire.
    const stored = report.models.find((m) => m.source === 'stored')!;
    expect(stored.difference!.difference).toBeLessThan(DRIFT_THRESHOLDS.aucGap);
    expect(report.reasons).toHaveLength(1);
    expect(report.line).toMatch(/^DRIFT ALARM: the model refitted on today’s leads ranks the test-half leads better than the rules: AUC 0\.\d{3} vs 0\.\d{3}/);
    expect(report.line).toContain('attributes.channel');
    expect(report.line).toContain('Next: npm run tune -- --rules live.json');
    expect(formatDrift(report)).toContain("COLD leads in the model's top 10%:");
    expect(refit.modelTopRulesCold.every((d) => d.modelPercentile >= 0.75)).toBe(true);
    expect(refit.rulesHotModelLow.every((d) => d.tier === 'HOT' && d.modelPercentile <= 0.5)).toBe(true);
    expect(refit.modelTopDecileCold).toBeGreaterThan(0.3);
  });

  it('measures a score shift without any outcome, and says the model comparison needs outcomes', () => {
    const leads = driftLeads(3_000, 4, { driver: 'plan', planShares: [0.02, 0.03, 0.05, 0.9], outcomes: false });
    const report = driftReport(() => scored(leads, tuned), { rules: tuned, asOf, split });
    expect(report.withOutcome).toBe(0);
    expect(report.models).toEqual([]);
    expect(report.modelNotes[0]).toMatch(/needs leads with a known outcome; none of the 3,000 leads has one yet/);
    expect(report.scoreShift!.psi).toBeGreaterThan(DRIFT_THRESHOLDS.psi);
    expect(report.scoreShift!.tierShares.now.hot).toBeGreaterThan(report.scoreShift!.tierShares.then.hot);
    expect(report.alarm).toBe(true);
    expect(report.line).toMatch(/^DRIFT ALARM: the score distribution has shifted since tuning: PSI \d\.\d\d > 0\.25/);
  });

  it('does not fire on PSI from fewer than 100 leads', () => {
    const leads = driftLeads(60, 5, { driver: 'plan', planShares: [0, 0, 0, 1], outcomes: false });
    const report = driftReport(() => scored(leads, tuned), { rules: tuned, asOf, split });
    expect(report.scoreShift!.psi).toBeGreaterThan(DRIFT_THRESHOLDS.psi);
    expect(report.alarm).toBe(false);
    expect(report.scoreShiftNote).toMatch(/fewer than 100.*does not fire the alarm/);
  });

  it('refits a model for hand-written rules (no tuning metadata), and has no score shift to measure', () => {
    const hand: RuleSet = {
      name: 'Hand rules',
      tiers: { hot: 60, warm: 30 },
      categories: [{ id: 'fit', label: 'Fit', cap: 100 }],
      rules: [{ id: 'plan', label: 'Plan', category: 'fit', why: 'w', kind: 'category_map', field: 'attributes.plan', points: { enterprise: 100, team: 40 }, otherwise: 0 }],
    };
    const leads = driftLeads(6_000, 6, { driver: 'channel' });
    const report = driftReport(() => scored(leads, hand), { rules: hand, asOf, split });
    expect(report.scoreShift).toBeNull();
    expect(report.scoreShiftNote).toMatch(/not written by npm run tune/);
    expect(report.models.map((m) => m.source)).toEqual(['refit']);
    expect(report.alarm).toBe(true);
  });

  it('reads at most the sample size of leads with an outcome for the model check, the same ones every time', () => {
    const leads = driftLeads(6_000, 7, { driver: 'plan' });
    const run = () => driftReport(() => scored(leads, tuned), { rules: tuned, asOf, split, sampleLeads: 2_000 });
    const first = run();
    const refit = first.models[0]!;
    expect(refit.fittedOn.leads + refit.graded.leads).toBeGreaterThan(1_700);
    expect(refit.fittedOn.leads + refit.graded.leads).toBeLessThan(2_300);
    expect(first.sample).toMatch(/^a sample of [\d,]+ of the 6,000 leads with an outcome/);
    expect(run()).toEqual(first);
  });
});
