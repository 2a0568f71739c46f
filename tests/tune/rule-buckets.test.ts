import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { parseLeads, toScorable, type ScorableLead } from '@/lib/lead';
import { RULE_KIND_EXAMPLES, RULE_KIND_EXAMPLES_AS_OF } from '@/lib/rule-kind-examples';
import type { Rule, RuleSet } from '@/lib/rules';
import { scoreLead } from '@/lib/scoring';
import { AS_OF, generateLeads } from '@/lib/synthetic';
import { bucketLabels, bucketPoints, compileBucket } from '@/lib/tune/rule-buckets';

/** The engine's points for one rule alone (its own category, no cap in the way). */
function enginePoints(rule: Rule, lead: ScorableLead, now: Date | undefined): number {
  const set: RuleSet = { name: 'one', tiers: { hot: 75, warm: 45 }, categories: [{ id: rule.category, label: 'c', cap: 100 }], rules: [rule] };
  return scoreLead(lead, { rules: set, now }).breakdown[0]!.points;
}

describe('rule buckets', () => {
  const leads = parseLeads(generateLeads({ count: 400, seed: 3 })).leads.map(toScorable);

  it('place every lead where the engine pays it, for every rule kind', () => {
    const cases: [Rule, ScorableLead[], Date | undefined][] = [
      ...DEFAULT_RULES.rules.map((r): [Rule, ScorableLead[], Date | undefined] => [r, leads, new Date(AS_OF)]),
      ...DEFAULT_RULES.rules.filter((r) => r.kind === 'recency').map((r): [Rule, ScorableLead[], Date | undefined] => [r, leads.slice(0, 20), undefined]),
      ...RULE_KIND_EXAMPLES.map((e): [Rule, ScorableLead[], Date | undefined] => [e.rule, [...e.leads, ...leads.slice(0, 50)], RULE_KIND_EXAMPLES_AS_OF]),
      [{ id: 'odd', label: 'Odd', category: 'c', why: 'w', kind: 'numeric_bands', field: 'employee_count', bands: [{ label: 'a', max: 50, points: 3 }, { label: 'b', min: 51, max: 500, points: 7 }], otherwise: 2, unknownPoints: 4 }, leads, undefined],
    ];
    for (const [rule, sample, now] of cases) {
      const place = compileBucket(rule, now);
      const points = bucketPoints(rule);
      expect(points).toHaveLength(bucketLabels(rule).length);
      for (const lead of sample) expect([rule.id, lead.id, points[place(lead)]]).toEqual([rule.id, lead.id, enginePoints(rule, lead, now)]);
    }
  });
});
