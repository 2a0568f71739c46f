import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { leadColumns, ruleAttributes } from '@/app/_lib/lead-columns';
import { DEFAULT_RULES } from '@/lib/default-rules';
import type { RuleSet } from '@/lib/rules';
import { loadRuleSet } from '@/lib/rules-file';
import type { FieldCoverage } from '@/lib/rule-coverage';

const coverage = (present: Record<string, number>, total = 10): FieldCoverage => ({ total, present });

/** The example rule set, which reads plan_tier, trial_started_at, seats and is_partner. */
let rules: RuleSet;
beforeAll(async () => {
  rules = await loadRuleSet(path.join(__dirname, '../../examples/rules.custom.json'));
});

describe('leadColumns', () => {
  it('B2B data: every standard column, no attribute columns', () => {
    const columns = leadColumns(coverage({ first_name: 9, job_title: 3, company_name: 10, industry: 1, 'attributes.plan_tier': 10 }), rules);
    expect(columns).toEqual({ standard: ['name', 'title', 'company', 'industry'], attributes: [], namesKnown: true });
  });

  it('data that is not B2B: empty standard columns give way to the attributes the rules read that some lead has', () => {
    const columns = leadColumns(coverage({ email: 10, 'attributes.plan_tier': 4, 'attributes.region': 10 }), rules);
    // seats, is_partner … are read by rules but no lead has them; region is had but read by no rule.
    expect(columns).toEqual({ standard: ['name'], attributes: ['plan_tier'], namesKnown: false });
  });

  it('the attributes the mapping marks "show" are columns on any data, first, once each, when some lead has them', () => {
    const b2b = coverage({ first_name: 9, job_title: 3, company_name: 10, industry: 1, 'attributes.region': 10, 'attributes.seats': 2 });
    expect(leadColumns(b2b, rules, ['region', 'seats', 'never_filled']).attributes).toEqual(['region', 'seats']);
    const gym = coverage({ email: 10, 'attributes.plan_tier': 4, 'attributes.region': 10 });
    expect(leadColumns(gym, rules, ['region', 'plan_tier']).attributes).toEqual(['region', 'plan_tier']);
  });

  it('a last name alone fills the name column', () => {
    expect(leadColumns(coverage({ last_name: 1 }), rules).namesKnown).toBe(true);
  });
});

describe('ruleAttributes', () => {
  it('the attributes a rule set reads, in rule order, once each', () => {
    expect(ruleAttributes(rules)).toEqual(['plan_tier', 'trial_started_at', 'seats', 'is_partner']);
    expect(ruleAttributes(DEFAULT_RULES)).toEqual([]);
  });
});
