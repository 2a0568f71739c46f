import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@/lib/default-rules';
import type { ScorableLead } from '@/lib/lead';
import { fieldCoverage, formatCoverageWarnings, nearestField, ruleCoverage } from '@/lib/rule-coverage';
import type { RuleSet } from '@/lib/rules';

const rules: RuleSet = {
  name: 'custom',
  tiers: { hot: 75, warm: 45 },
  categories: [{ id: 'fit', label: 'Fit', cap: 100 }],
  rules: [
    { id: 'source', label: 'Source', category: 'fit', why: 'w', kind: 'category_map', field: 'attributes.lead_sorce', points: { web: 10 }, otherwise: 0 },
    { id: 'size', label: 'Size', category: 'fit', why: 'w', kind: 'numeric_bands', field: 'employee_count', bands: [{ label: 'any', min: 0, points: 5 }] },
    {
      id: 'combo',
      label: 'Combo',
      category: 'fit',
      why: 'w',
      kind: 'combination',
      conditions: [
        { field: 'employee_count', is: 'known' },
        { field: 'attributes.time_on_site', op: '>', value: 0 },
      ],
      points: 5,
    },
  ],
};

/** 100 leads: every one has a lead source attribute and a title, 3 a size (under 5%), none time on site. */
const leads: ScorableLead[] = Array.from({ length: 100 }, (_, i) => ({
  id: `l${i}`,
  job_title: 'Analyst',
  employee_count: i < 3 ? 50 : undefined,
  attributes: { lead_source: 'web', Plan: 'pro' },
}));

describe('field coverage', () => {
  it('counts leads with a value per contract field and custom attribute', () => {
    const coverage = fieldCoverage(leads);
    expect(coverage).toEqual({ total: 100, present: { 'attributes.Plan': 100, 'attributes.lead_source': 100, employee_count: 3, job_title: 100 } });
  });

  it('reports each rule whose fields are on under 5% of the leads, with "did you mean" for near misses', () => {
    const report = ruleCoverage(rules, fieldCoverage(leads));
    expect(report.lowRules.map((r) => r.ruleId)).toEqual(['source', 'size', 'combo']);
    expect(report.rules[0]!.fields[0]).toEqual({ field: 'attributes.lead_sorce', leads: 0, share: 0, didYouMean: 'attributes.lead_source' });
    expect(report.rules[1]!.fields[0]).toMatchObject({ field: 'employee_count', leads: 3, share: 0.03, didYouMean: null });
    expect(report.readsNothing).toBe(true);
    const lines = formatCoverageWarnings(report);
    expect(lines[0]).toBe('rule "source" (Source) reads almost nothing: attributes.lead_sorce is on 0 of 100 leads (0.0%) — did you mean attributes.lead_source?');
    expect(lines.at(-1)).toMatch(/npm run tune/);
  });

  it('is quiet when every rule reads a field most leads have', () => {
    const covered = leads.map((l) => ({ ...l, employee_count: 10, attributes: { ...l.attributes, lead_sorce: 'x', time_on_site: 1 } }));
    const report = ruleCoverage(rules, fieldCoverage(covered));
    expect(report.lowRules).toEqual([]);
    expect(report.readsNothing).toBe(false);
    expect(formatCoverageWarnings(report)).toEqual([]);
  });

  it('the default B2B rules on a bank export read nothing, and say so', () => {
    const bank: ScorableLead[] = Array.from({ length: 50 }, (_, i) => ({ id: String(i), attributes: { age: 30 + i, job: 'admin.', balance: 100 * i } }));
    const report = ruleCoverage(DEFAULT_RULES, fieldCoverage(bank));
    expect(report.readsNothing).toBe(true);
    expect(report.lowRules).toHaveLength(DEFAULT_RULES.rules.length);
  });

  it('suggests a field the same up to case and separators, or a few edits away, and nothing far off', () => {
    const present = ['attributes.lead_source', 'attributes.Industry', 'company_domain', 'attributes.time_on_site'];
    expect(nearestField('attributes.LeadSource', present)).toBe('attributes.lead_source');
    expect(nearestField('industry', present)).toBe('attributes.Industry');
    expect(nearestField('attributes.time_on_sit', present)).toBe('attributes.time_on_site');
    expect(nearestField('attributes.budget', present)).toBeNull();
    expect(nearestField('attributes.ab', ['attributes.xy'])).toBeNull();
  });
});
