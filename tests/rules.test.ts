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

describe('rule kinds: validation', () => {
  const set = (rule: RawJson): RawJson => ({ name: 'one', tiers: { hot: 75, warm: 45 }, categories: [{ id: 'fit', label: 'Fit', cap: 100 }], rules: [rule] });
  const base = { id: 'r', label: 'R', category: 'fit', why: 'w' };
  const issues = (rule: RawJson) => {
    const result = safeParseRuleSet(set(rule));
    return result.ok ? [] : result.issues;
  };
  const bands = (field: string, list: RawJson[], extra: RawJson = {}) => ({ ...base, kind: 'numeric_bands', field, bands: list, ...extra });

  it('refuses a gap between numeric bands, naming both bands', () => {
    const found = issues(bands('attributes.score', [{ label: 'low', max: 10, points: 1 }, { label: 'high', min: 20, points: 5 }]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ record: 'rule "r"', field: 'bands.1.min' });
    expect(found[0]!.message).toMatch(/gap between band "low" \(up to 10\) and band "high" \(from 20\)/);
  });

  it('lets bands touch, and whole-number fields step by one', () => {
    expect(issues(bands('attributes.score', [{ label: 'low', max: 10, points: 1 }, { label: 'high', min: 10, points: 5 }]))).toEqual([]);
    // Bands in any order: the check sorts them.
    expect(issues(bands('attributes.score', [{ label: 'high', min: 10, points: 5 }, { label: 'low', max: 10, points: 1 }]))).toEqual([]);
    const stepByOne = [{ label: '1–10', min: 1, max: 10, points: 1 }, { label: '11+', min: 11, points: 5 }];
    expect(issues(bands('employee_count', stepByOne))).toEqual([]);
    expect(issues(bands('attributes.seats', stepByOne, { wholeNumbers: true }))).toEqual([]);
    expect(issues(bands('attributes.seats', stepByOne))[0]!.message).toMatch(/wholeNumbers/);
    expect(issues(bands('employee_count', [{ label: '1–10', min: 1, max: 10, points: 1 }, { label: '12+', min: 12, points: 5 }]))[0]!.message).toMatch(/gap/);
    // A band nested inside a wider one leaves no gap after the wider one ends.
    expect(issues(bands('attributes.x', [{ label: 'wide', min: 0, max: 100, points: 1 }, { label: 'inner', min: 5, max: 6, points: 2 }, { label: 'top', min: 100, points: 3 }]))).toEqual([]);
  });

  it('refuses patterns a linear-time engine cannot run, saying why', () => {
    const keyword = (pattern: string) => ({ ...base, kind: 'keyword_tiers', field: 'job_title', tiers: [{ label: 'T', points: 1, patterns: [pattern] }], otherwise: { label: 'O', points: 0 } });
    expect(issues(keyword('(?<!vice )president'))[0]).toMatchObject({ field: 'tiers.0.patterns.0', message: expect.stringMatching(/lookahead and lookbehind .* "exclude"/) });
    expect(issues(keyword('(a)\\1'))[0]!.message).toMatch(/backreferences/);
    expect(issues(keyword('(unclosed'))[0]!.message).toMatch(/valid regular expression \(RE2 syntax\)/);
    expect(issues(keyword('(\\w+\\s?)+'))).toEqual([]);
  });

  it('checks combination conditions', () => {
    const combo = (conditions: RawJson[]) => ({ ...base, kind: 'combination', conditions, points: 5 });
    const ok = { field: 'lead_source', in: ['form'] };
    expect(issues(combo([ok, { field: 'attributes.time_on_site', op: '>', value: 0 }]))).toEqual([]);
    expect(issues(combo([ok]))[0]).toMatchObject({ field: 'conditions' });
    expect(issues(combo([ok, { field: 'attributes.x', in: ['a'], is: 'yes' }]))[0]).toMatchObject({ field: 'conditions.1', message: expect.stringMatching(/exactly one test/) });
    expect(issues(combo([ok, { field: 'attributes.x', op: '>' }]))[0]!.message).toMatch(/"op" and "value" go together/);
    expect(issues(combo([ok, { field: 'converted', is: 'yes' }]))[0]).toMatchObject({ field: 'conditions.1.field', message: expect.stringMatching(/never be scored/) });
    expect(issues(combo([ok, { field: 'attributes.x', matches: ['(?=x)'] }]))[0]!.field).toBe('conditions.1.matches.0');
  });

  it('counts unknown and "no" points in a rule\'s maximum', () => {
    const parsed = safeParseRuleSet(set({ ...base, kind: 'boolean_flag', field: 'attributes.accepts_email', points: 2, noPoints: 6, unknownPoints: 9 }));
    expect(parsed.ok && ruleMaxPoints(parsed.rules.rules[0]!)).toBe(9);
  });
});
