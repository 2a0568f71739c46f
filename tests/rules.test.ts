import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { ruleMaxPoints, safeParseRuleSet } from '@/lib/rules';

// The cases below mutate arbitrary depths of plain JSON to build invalid rule sets.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawJson = Record<string, any>;
const clone = () => JSON.parse(JSON.stringify(DEFAULT_RULES)) as RawJson;

describe('rule set schema', () => {
  it('accepts the default rules as plain JSON (they are expressible in the file format)', () => {
    const result = safeParseRuleSet(clone());
    expect(result.ok).toBe(true);
  });

  it('every default rule says why it earns its points', () => {
    for (const rule of DEFAULT_RULES.rules) expect(rule.why.length).toBeGreaterThan(20);
  });

  it('no default category can exceed its cap by design except engagement, which the cap trims', () => {
    const sums = new Map<string, number>();
    for (const rule of DEFAULT_RULES.rules) sums.set(rule.category, (sums.get(rule.category) ?? 0) + ruleMaxPoints(rule));
    expect(sums.get('industry')).toBe(15);
    expect(sums.get('company_size')).toBe(15);
    expect(sums.get('seniority')).toBe(10);
    expect(sums.get('engagement')).toBeGreaterThan(60);
  });

  const cases: [string, (r: RawJson) => void, string, RegExp][] = [
    ['caps that do not add up to 100', (r) => (r.categories[0].cap = 20), 'categories', /add up to 100 \(they add up to 105\)/],
    ['an unknown category', (r) => (r.rules[0].category = 'vibes'), 'category', /unknown category "vibes"/],
    ['a bad regex', (r) => (r.rules[2].tiers[0].patterns[0] = '(unclosed'), 'tiers.0.patterns.0', /regular expression/],
    ['fractional points', (r) => (r.rules[1].bands[0].points = 2.5), 'bands.0.points', /whole numbers/],
    ['an unknown field', (r) => (r.rules[3].field = 'demo_requestd'), 'field', /lead field/],
    ['scoring the outcome', (r) => (r.rules[3].field = 'converted'), 'field', /can never be scored/],
    ['a duplicate rule id', (r) => (r.rules[4].id = r.rules[3].id), 'id', /duplicate rule id/],
    ['an unknown kind', (r) => (r.rules[3].kind = 'vibe_check'), 'kind', /./],
  ];

  it.each(cases)('rejects %s, naming the rule and the field', (_name, mutate, field, message) => {
    const raw = clone();
    mutate(raw);
    const result = safeParseRuleSet(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.field === field);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
    if (field !== 'categories') expect(issue!.record).toMatch(/^rule "/);
  });

  it('rejects WARM at or above HOT', () => {
    const raw = clone();
    raw.tiers = { hot: 50, warm: 50 };
    const result = safeParseRuleSet(raw);
    expect(!result.ok && result.issues.some((i) => i.field === 'tiers.warm')).toBe(true);
  });

  it('accepts custom attribute fields', () => {
    const raw = clone();
    raw.rules[0].field = 'attributes.plan_tier';
    expect(safeParseRuleSet(raw).ok).toBe(true);
  });
});
