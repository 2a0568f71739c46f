import { describe, expect, it } from 'vitest';
import { ruleFields, type Rule } from '@/lib/rules';
import { ruleSetToJson } from '@/lib/rules-file';
import { halfOf, type SplitSpec } from '@/lib/split';
import { toScorable } from '@/lib/lead';
import { scoreLead } from '@/lib/scoring';
import { tuneRules } from '@/lib/tune/tune';
import { plantedLeads } from '../support/planted-leads';

const split: SplitSpec = { by: 'hash', holdout: 0.3, seed: 1 };
const asOf = new Date('2026-11-01T00:00:00.000Z');
const reads = (rule: Rule, field: string) => ruleFields(rule).includes(field);

describe('tune on planted signals', () => {
  const leads = plantedLeads(8_000, 42);
  const result = tuneRules(() => leads, { split, asOf });
  const rules = result.rules.rules;

  it('rewards the planted field, its best value most', () => {
    const plan = rules.find((r) => r.kind === 'category_map' && r.field === 'attributes.plan');
    expect(plan).toBeDefined();
    const points = (plan as Extract<Rule, { kind: 'category_map' }>).points;
    expect(points.enterprise).toBe(Math.max(...Object.values(points)));
    expect(points.enterprise!).toBeGreaterThan(points.free!);
  });

  it('finds the planted interaction as a combination rule', () => {
    const combination = rules.find((r) => r.kind === 'combination' && reads(r, 'attributes.plan') && reads(r, 'attributes.source'));
    expect(combination).toBeDefined();
    const conditions = (combination as Extract<Rule, { kind: 'combination' }>).conditions;
    expect(conditions.find((c) => c.field === 'attributes.plan')!.in).toContain('team');
    expect(conditions.find((c) => c.field === 'attributes.source')!.in).toContain('webinar');
    expect(combination!.why).toMatch(/convert \d+(\.\d)?% vs \d+(\.\d)?% overall \([\d,]+ leads\)/);
  });

  it('finds the planted keyword', () => {
    const keyword = rules.find((r) => r.kind === 'keyword_tiers' && r.field === 'company_description' && /spreadsheets|migrating/.test(JSON.stringify(r.tiers)));
    expect(keyword).toBeDefined();
    expect((keyword as Extract<Rule, { kind: 'keyword_tiers' }>).tiers[0]!.points).toBeGreaterThan(0);
  });

  it('gives pure-noise fields no points, and says why', () => {
    for (const field of ['attributes.noise_number', 'attributes.noise_category']) {
      expect(rules.filter((r) => reads(r, field))).toEqual([]);
      expect(result.decisions.find((d) => d.field === field)).toMatchObject({ used: false });
    }
  });

  it('writes a valid rule set whose maxima add up to 100, with design-half metadata', () => {
    expect(result.rules.categories.reduce((s, c) => s + c.cap, 0)).toBe(100);
    expect(result.rules.tuning!.design.leads).toBe(result.counts.design);
    expect(result.rules.tuning!.scoreHistogram.reduce((a, b) => a + b, 0)).toBe(result.counts.design);
    expect(result.rules.tiers.hot).toBeGreaterThan(result.rules.tiers.warm);
  });

  it('stores the design half\'s score histogram as the engine scores it', () => {
    const engine = new Array<number>(101).fill(0);
    for (const lead of leads) if (halfOf(lead, split) === 'design') engine[scoreLead(toScorable(lead), { rules: result.rules, now: asOf }).score]!++;
    expect(result.rules.tuning!.scoreHistogram).toEqual(engine);
  });

  it('is deterministic: the same input gives the same file, byte for byte', () => {
    const again = tuneRules(() => plantedLeads(8_000, 42), { split, asOf });
    expect(ruleSetToJson(again.rules)).toBe(ruleSetToJson(result.rules));
  });
});

describe('tune keeps noise out across samples', () => {
  it('never rewards the noise fields on five other seeds', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { rules } = tuneRules(() => plantedLeads(4_000, seed), { split: { ...split, seed }, asOf });
      const noisy = rules.rules.filter((r) => reads(r, 'attributes.noise_number') || reads(r, 'attributes.noise_category'));
      expect([seed, noisy.map((r) => r.id)]).toEqual([seed, []]);
    }
  });
});
