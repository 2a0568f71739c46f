import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { ruleFields, type Rule, type RuleSet } from '@/lib/rules';
import { buildReport, reportMarkdown } from '@/lib/tune/report';
import { ruleSetToJson } from '@/lib/rules-file';
import { halfOf, type SplitSpec } from '@/lib/split';
import { parseLeads, toScorable } from '@/lib/lead';
import { AS_OF, generateLeads } from '@/lib/synthetic';
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
    // …and every lead's score, which the report grades with.
    expect(Array.from(result.scores)).toEqual(leads.map((lead) => scoreLead(toScorable(lead), { rules: result.rules, now: asOf }).score));
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

describe('tune with base rules', () => {
  const leads = plantedLeads(8_000, 42);
  const base: RuleSet = {
    name: 'Team rules',
    tiers: { hot: 60, warm: 30 },
    categories: [
      { id: 'fit', label: 'Fit', cap: 60 },
      { id: 'intent', label: 'Intent', cap: 40 },
    ],
    rules: [
      // The team guessed "team" plans best; the data says enterprise.
      { id: 'plan', label: 'Plan', category: 'fit', why: 'Bigger plans buy.', kind: 'category_map', field: 'attributes.plan', points: { team: 60, enterprise: 30, starter: 30 }, otherwise: 0 },
      { id: 'typo', label: 'Source', category: 'intent', why: 'Webinars convert.', kind: 'category_map', field: 'attributes.sorce', points: { webinar: 40 }, otherwise: 0 },
    ],
  };
  const result = tuneRules(() => leads, { split, asOf, base });

  it('keeps the base rules (ids, kinds, fields) and re-weights their buckets from the data', () => {
    expect(result.rules.rules.map((r) => [r.id, r.kind, ruleFields(r)])).toEqual([
      ['plan', 'category_map', ['attributes.plan']],
      ['typo', 'category_map', ['attributes.sorce']],
    ]);
    const plan = result.rules.rules[0] as Extract<Rule, { kind: 'category_map' }>;
    // Values that shared points keep sharing them; the data moves the rest.
    expect(plan.points.enterprise).toBe(plan.points.starter);
    expect(plan.points.team).toBeLessThan(plan.points.enterprise!);
    expect(plan.why).toMatch(/^Bigger plans buy\. Design half: /);
    // A rule whose field no lead has earns nothing.
    expect(Math.max(...Object.values((result.rules.rules[1] as Extract<Rule, { kind: 'category_map' }>).points))).toBe(0);
    expect(result.rules.categories.reduce((s, c) => s + c.cap, 0)).toBe(100);
    expect(Array.from(result.scores)).toEqual(leads.map((lead) => scoreLead(toScorable(lead), { rules: result.rules, now: asOf }).score));
  });

  it('re-weights the default rules on generated leads, counters staying counters, scores as the engine gives them', () => {
    const generated = parseLeads(generateLeads({ count: 3_000, seed: 12 })).leads;
    const tuned = tuneRules(() => generated, { split, asOf: new Date(AS_OF), base: DEFAULT_RULES });
    expect(tuned.rules.rules.map((r) => [r.id, r.kind])).toEqual(DEFAULT_RULES.rules.map((r) => [r.id, r.kind]));
    expect(Array.from(tuned.scores)).toEqual(generated.map((lead) => scoreLead(toScorable(lead), { rules: tuned.rules, now: new Date(AS_OF) }).score));
  });

  it('tunes its own output again without piling up suffixes', () => {
    const again = tuneRules(() => leads, { split, asOf, base: result.rules });
    expect([again.rules.name, again.rules.description]).toEqual([result.rules.name, result.rules.description]);
    expect(again.rules.name).toBe('Team rules (tuned)');
  });

  it('lists the rules it would add separately, and writes them only when asked', () => {
    expect(result.proposed.map((p) => ruleFields(p.rule)).flat()).toEqual(expect.arrayContaining(['company_description']));
    expect(result.rules.rules.some((r) => ruleFields(r).includes('company_description'))).toBe(false);
    const withAdditions = tuneRules(() => leads, { split, asOf, base, addProposed: true });
    expect(withAdditions.rules.rules.some((r) => ruleFields(r).includes('company_description'))).toBe(true);
    expect(withAdditions.rules.rules.slice(0, 2).map((r) => r.id)).toEqual(['plan', 'typo']);
  });
});

describe('the review report', () => {
  const leads = plantedLeads(6_000, 9);
  const result = tuneRules(() => leads, { split, asOf });
  const report = buildReport(() => leads, result, { split, asOf, base: DEFAULT_RULES, baseIsDefault: true, capacityShare: 0.05 });

  it('grades both halves, moves every test lead through the 3×3 matrix, and shows movers', () => {
    expect(report.halves.map((h) => h.half)).toEqual(['design', 'test']);
    expect(report.halves[1]!.leads).toBe(result.counts.test);
    expect(report.moves.flat().reduce((a, b) => a + b, 0)).toBe(result.counts.test);
    for (const e of report.examples) expect(e.from.tier).not.toBe(e.to.tier);
    const markdown = reportMarkdown(report);
    expect(markdown).toContain('| ROC AUC |');
    expect(markdown).toContain('Unrounded model AUC');
    expect(markdown).toMatch(/`attributes\.noise_number` \| number \| no \|/);
  });

  it('builds useful rules from custom columns the default rules cannot read', () => {
    // The default B2B rules read nothing here: every lead gets the same score, AUC 0.5.
    const test = report.halves[1]!;
    expect(test.base.auc).toBe(0.5);
    expect(test.suggested.auc!).toBeGreaterThan(0.65);
    expect(test.suggested.auc!).toBeGreaterThan(test.unroundedAuc! - 0.02);
  });
});

describe('a field written after the outcome', () => {
  it('is used but flagged as too good to be true', () => {
    const leads = plantedLeads(3_000, 4).map((l, i) => ({ ...l, attributes: { ...l.attributes, stage: l.converted || i % 50 === 0 ? 'closed' : 'open' } }));
    const { decisions } = tuneRules(() => leads, { split, asOf });
    expect(decisions.find((d) => d.field === 'attributes.stage')).toMatchObject({ used: true, suspicious: true });
    expect(decisions.find((d) => d.field === 'attributes.stage')!.reason).toMatch(/written after the outcome.*--exclude/);
  });
});

describe('data with no signal', () => {
  it('fails with the reason instead of writing an empty rule set', () => {
    const leads = plantedLeads(2_000, 8).map((l) => ({ id: l.id, converted: l.converted, attributes: { noise: l.attributes!.noise_category! } }));
    expect(() => tuneRules(() => leads, { split, asOf })).toThrow(/nothing on the design half \([\d,]+ leads, [\d,]+ converted\) separates converters/);
  });
});
