import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScorableLead } from '@/lib/lead';
import type { Rule, RuleSet } from '@/lib/rules';
import { DEFAULT_RULES, deriveSeniority, groupBreakdown, rulesVersion, scoreLead, tierFor, topReason } from '@/lib/scoring';

const NOW = new Date('2026-11-01T00:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const score = (lead: Partial<ScorableLead>) => scoreLead({ id: 'x', ...lead }, { now: NOW });
const item = (lead: Partial<ScorableLead>, ruleId: string) => {
  const found = score(lead).breakdown.find((b) => b.ruleId === ruleId);
  if (!found) throw new Error(`no rule ${ruleId}`);
  return found;
};

describe('category caps of the default rules', () => {
  it('are 15 / 15 / 10 / 60 and add up to 100', () => {
    expect(DEFAULT_RULES.categories.map((c) => [c.id, c.cap])).toEqual([
      ['industry', 15],
      ['company_size', 15],
      ['seniority', 10],
      ['engagement', 60],
    ]);
  });

  it('a perfect lead scores exactly 100, with engagement capped at 60', () => {
    const result = score({
      industry: 'Software',
      employee_count: 500,
      job_title: 'CEO',
      demo_requested: true,
      pricing_page_views_30d: 10,
      last_activity_at: daysAgo(1),
      webinar_attended: true,
      email_clicks_30d: 10,
      content_downloads_30d: 10,
      page_views_30d: 100,
      email_opens_30d: 100,
    });
    expect(result.score).toBe(100);
    const engagement = groupBreakdown(result.breakdown).find((g) => g.id === 'engagement')!;
    expect(engagement.points).toBe(60);
    // Rules are applied strongest first, so the cap trims the weakest signals.
    expect(result.breakdown.find((b) => b.ruleId === 'email_opens')!.points).toBe(0);
    expect(result.breakdown.find((b) => b.ruleId === 'email_opens')!.detail).toMatch(/category cap reached/);
    expect(result.breakdown.find((b) => b.ruleId === 'demo_requested')!.points).toBe(25);
  });
});

describe('industry rule', () => {
  it.each([
    ['Software', 15],
    ['  saas ', 15],
    ['COMPUTER   SOFTWARE', 15],
    ['Fintech', 13],
    ['Financial Services', 10],
    ['Healthcare', 7],
    ['Government', 2],
    ['Underwater Basket Weaving', 4],
  ])('%s → %i', (industry, points) => {
    expect(item({ industry }, 'industry_fit').points).toBe(points);
  });

  it('missing industry is unknown, not "other"', () => {
    const b = item({}, 'industry_fit');
    expect(b).toMatchObject({ points: 0, unknown: true, value: null });
    expect(b.detail).toMatch(/unknown/);
  });
});

describe('company size bands (inclusive edges)', () => {
  it.each([
    [0, 2],
    [10, 2],
    [11, 7],
    [50, 7],
    [51, 13],
    [200, 13],
    [201, 15],
    [1000, 15],
    [1001, 11],
    [5000, 11],
    [5001, 7],
    [250_000, 7],
  ])('%i employees → %i pts', (employee_count, points) => {
    expect(item({ employee_count }, 'company_size').points).toBe(points);
  });

  it('unknown size is not the same as a tiny company', () => {
    expect(item({}, 'company_size')).toMatchObject({ points: 0, unknown: true });
    expect(item({ employee_count: 0 }, 'company_size')).toMatchObject({ points: 2, unknown: false });
  });
});

describe('seniority from real-world job titles', () => {
  const table: [string, string][] = [
    ['CEO', 'C-level'],
    ['Co-Founder & CEO', 'C-level'],
    ['Founder', 'C-level'],
    ['co-founder', 'C-level'],
    ['Chief Revenue Officer', 'C-level'],
    ['CRO', 'C-level'],
    ['CTO', 'C-level'],
    ['cfo', 'C-level'],
    ['President', 'C-level'],
    ['President & COO', 'C-level'],
    ['Managing Director', 'C-level'],
    ['Owner', 'C-level'],
    ['Chief of Staff', 'Individual contributor'],
    ['Executive Assistant to the CEO', 'Individual contributor'],
    ['VP Sales', 'VP'],
    ['vp sales', 'VP'],
    ['vp, revenue operations', 'VP'],
    ['Vice President of Marketing', 'VP'],
    ['Vice-President, Sales', 'VP'],
    ['SVP Global Sales', 'VP'],
    ['EVP, Growth', 'VP'],
    ['Head of Growth', 'VP'],
    ['Global Head of Revenue Operations', 'VP'],
    ['Director of Demand Gen', 'Director'],
    ['Sr. Dir. RevOps', 'Director'],
    ['Senior Director, Sales Operations', 'Director'],
    ['Dir. of Marketing', 'Director'],
    ['General Manager, EMEA', 'Director'],
    ['Marketing Manager', 'Manager'],
    ['Sales Mgr', 'Manager'],
    ['Team Lead, SDR', 'Manager'],
    ['Revenue Operations Manager', 'Manager'],
    ['Product Owner', 'Individual contributor'],
    ['SDR', 'Individual contributor'],
    ['Account Executive', 'Individual contributor'],
    ['Revenue Operations Analyst', 'Individual contributor'],
    ['Software Engineer', 'Individual contributor'],
    ['Sales Development Representative', 'Individual contributor'],
    ['Consultant', 'Individual contributor'],
    ['Marketing Intern', 'Student or intern'],
    ['Student', 'Student or intern'],
    ['Graduate Trainee', 'Student or intern'],
    ['Directeur Général', 'Individual contributor'],
  ];

  it.each(table)('%s → %s', (title, expected) => {
    expect(deriveSeniority(title)).toBe(expected);
  });

  it('has at least 40 titles in the table', () => {
    expect(table.length).toBeGreaterThanOrEqual(40);
  });

  it('points follow the tier', () => {
    expect(item({ job_title: 'CEO' }, 'seniority').points).toBe(10);
    expect(item({ job_title: 'VP Sales' }, 'seniority').points).toBe(9);
    expect(item({ job_title: 'Director of Sales' }, 'seniority').points).toBe(7);
    expect(item({ job_title: 'Sales Manager' }, 'seniority').points).toBe(5);
    expect(item({ job_title: 'SDR' }, 'seniority').points).toBe(2);
    expect(item({ job_title: 'Intern' }, 'seniority').points).toBe(0);
    expect(item({}, 'seniority')).toMatchObject({ points: 0, unknown: true });
  });
});

describe('engagement rewards intent, not volume', () => {
  it('a demo request beats 500 opens, 500 page views and 50 clicks together', () => {
    const demo = score({ demo_requested: true }).score;
    const noise = score({ email_opens_30d: 500, page_views_30d: 500, email_clicks_30d: 50 }).score;
    expect(demo).toBeGreaterThan(noise);
  });

  it.each([
    ['pricing_page_views', 'pricing_page_views_30d', [0, 0], [1, 5], [2, 10], [3, 15], [40, 15]],
    ['email_clicks', 'email_clicks_30d', [0, 0], [3, 3], [4, 4], [9, 4]],
    ['content_downloads', 'content_downloads_30d', [1, 2], [2, 4], [7, 4]],
    ['page_views', 'page_views_30d', [4, 0], [5, 1], [14, 2], [15, 3], [999, 3]],
    ['email_opens', 'email_opens_30d', [9, 0], [10, 1], [20, 2], [500, 2]],
  ] as const)('%s counter: rate and cap', (ruleId, field, ...cases) => {
    for (const [count, points] of cases) {
      expect(item({ [field]: count }, ruleId).points, `${count} → ${points}`).toBe(points);
    }
  });

  it('recency bands: 7 days > 8–30 days > older, edges inclusive', () => {
    expect(item({ last_activity_at: daysAgo(0) }, 'recent_activity').points).toBe(10);
    expect(item({ last_activity_at: daysAgo(7) }, 'recent_activity').points).toBe(10);
    expect(item({ last_activity_at: daysAgo(8) }, 'recent_activity').points).toBe(5);
    expect(item({ last_activity_at: daysAgo(30) }, 'recent_activity').points).toBe(5);
    expect(item({ last_activity_at: daysAgo(31) }, 'recent_activity').points).toBe(0);
    // Activity "after" now (clock skew in the CRM) counts as today.
    expect(item({ last_activity_at: daysAgo(-2) }, 'recent_activity').points).toBe(10);
  });

  it('recency without a reference date is reported as unknown and earns nothing', () => {
    const b = scoreLead({ id: 'x', last_activity_at: daysAgo(1) }).breakdown.find((i) => i.ruleId === 'recent_activity')!;
    expect(b.points).toBe(0);
    expect(b.detail).toMatch(/no reference date/);
  });

  it('boolean flags: yes earns, no is known zero, missing is unknown', () => {
    expect(item({ demo_requested: true }, 'demo_requested')).toMatchObject({ points: 25, value: 'yes' });
    expect(item({ demo_requested: false }, 'demo_requested')).toMatchObject({ points: 0, value: 'no', unknown: false });
    expect(item({}, 'demo_requested')).toMatchObject({ points: 0, value: null, unknown: true });
  });

  it('a zero counter is known, a missing one is unknown', () => {
    expect(item({ email_opens_30d: 0 }, 'email_opens')).toMatchObject({ unknown: false, value: '0 opens' });
    expect(item({}, 'email_opens')).toMatchObject({ unknown: true, value: null });
  });
});

describe('tiers', () => {
  it.each([
    [0, 'COLD'],
    [44, 'COLD'],
    [45, 'WARM'],
    [74, 'WARM'],
    [75, 'HOT'],
    [100, 'HOT'],
  ] as const)('%i → %s', (s, tier) => {
    expect(tierFor(s)).toBe(tier);
  });

  it('scoreLead uses the same edges', () => {
    // 25 demo + 15 pricing + 5 (30 days) = 45 → WARM; one less pricing view → 40 → COLD.
    expect(score({ demo_requested: true, pricing_page_views_30d: 3, last_activity_at: daysAgo(20) })).toMatchObject({ score: 45, tier: 'WARM' });
    expect(score({ demo_requested: true, pricing_page_views_30d: 2, last_activity_at: daysAgo(20), content_downloads_30d: 2 })).toMatchObject({ score: 44, tier: 'COLD' });
    // 15 + 15 + 10 + 25 + 10 = 75 → HOT; one point less → WARM.
    const hot = { industry: 'SaaS', employee_count: 300, job_title: 'CEO', demo_requested: true, last_activity_at: daysAgo(2) };
    expect(score(hot)).toMatchObject({ score: 75, tier: 'HOT' });
    expect(score({ ...hot, job_title: 'VP Sales' })).toMatchObject({ score: 74, tier: 'WARM' });
  });
});

describe('breakdown', () => {
  it('lists every rule once, in rule order, with max points within category caps', () => {
    const result = score({});
    expect(result.breakdown.map((b) => b.ruleId)).toEqual(DEFAULT_RULES.rules.map((r) => r.id));
    for (const b of result.breakdown) {
      const cap = DEFAULT_RULES.categories.find((c) => c.id === b.category)!.cap;
      expect(b.maxPoints).toBeLessThanOrEqual(cap);
    }
  });

  it('an empty lead scores 0 with every rule unknown', () => {
    const result = score({});
    expect(result.score).toBe(0);
    expect(result.tier).toBe('COLD');
    expect(result.breakdown.every((b) => b.unknown)).toBe(true);
  });

  it('topReason is the biggest contributor', () => {
    expect(topReason(score({ industry: 'Software', demo_requested: true }).breakdown)?.ruleId).toBe('demo_requested');
    expect(topReason(score({}).breakdown)).toBeNull();
  });
});

describe('rules version', () => {
  it('is stable for the same content and changes with any weight', () => {
    const copy = JSON.parse(JSON.stringify(DEFAULT_RULES)) as RuleSet;
    expect(rulesVersion(copy)).toBe(rulesVersion(DEFAULT_RULES));
    expect(score({}).rulesVersion).toBe(rulesVersion(DEFAULT_RULES));
    (copy.rules[3] as { points: number }).points = 24;
    expect(rulesVersion(copy)).not.toBe(rulesVersion(DEFAULT_RULES));
  });
});

describe('custom rule sets', () => {
  const custom: RuleSet = {
    name: 'custom',
    tiers: { hot: 60, warm: 30 },
    categories: [
      { id: 'plan', label: 'Plan', cap: 40 },
      { id: 'usage', label: 'Usage', cap: 60 },
    ],
    rules: [
      { id: 'plan_tier', label: 'Plan', category: 'plan', kind: 'category_map', field: 'attributes.plan', why: 'w', points: { enterprise: 40, team: 20 }, otherwise: 5 },
      { id: 'seats', label: 'Seats', category: 'usage', kind: 'numeric_bands', field: 'attributes.seats', why: 'w', bands: [{ label: '10+', min: 10, points: 30 }] },
      { id: 'partner', label: 'Partner', category: 'usage', kind: 'boolean_flag', field: 'attributes.is_partner', why: 'w', points: 30 },
      { id: 'trial', label: 'Trial', category: 'usage', kind: 'recency', field: 'attributes.trial_started_at', why: 'w', bands: [{ withinDays: 14, points: 10 }] },
      {
        id: 'trigger',
        label: 'Trigger',
        category: 'usage',
        kind: 'keyword_tiers',
        field: 'company_description',
        why: 'w',
        tiers: [{ label: 'Raised', points: 10, patterns: ['series [a-d]'] }],
        otherwise: { label: 'None', points: 0 },
      },
    ],
  };

  it('scores custom attributes and applies custom caps and tiers', () => {
    const result = scoreLead(
      {
        id: 'c',
        company_description: 'Recently raised a Series B.',
        attributes: { plan: 'Enterprise', seats: 12, is_partner: true, trial_started_at: daysAgo(3) },
      },
      { rules: custom, now: NOW },
    );
    // usage: 30 + 30 = 60 reaches the cap, so trial and trigger are trimmed to 0.
    expect(result.score).toBe(100);
    expect(result.tier).toBe('HOT');
    expect(result.breakdown.map((b) => b.points)).toEqual([40, 30, 30, 0, 0]);
    expect(scoreLead({ id: 'd', attributes: { seats: 'twelve' } }, { rules: custom, now: NOW }).breakdown[1]).toMatchObject({ points: 0 });
  });
});

describe('properties over random leads', () => {
  const counter = fc.option(fc.nat({ max: 2_000 }), { nil: undefined });
  const leadArb = fc.record(
    {
      id: fc.string({ minLength: 1, maxLength: 8 }),
      industry: fc.option(fc.constantFrom('Software', 'Fintech', 'Retail', 'Government', 'Mining', ' saas '), { nil: undefined }),
      employee_count: fc.option(fc.nat({ max: 100_000 }), { nil: undefined }),
      job_title: fc.option(fc.constantFrom('CEO', 'VP Sales', 'Head of Growth', 'Sr. Dir. RevOps', 'SDR', 'Chief of Staff', 'Intern', 'x'), { nil: undefined }),
      email_opens_30d: counter,
      email_clicks_30d: counter,
      page_views_30d: counter,
      pricing_page_views_30d: counter,
      content_downloads_30d: counter,
      webinar_attended: fc.option(fc.boolean(), { nil: undefined }),
      demo_requested: fc.option(fc.boolean(), { nil: undefined }),
      last_activity_at: fc.option(fc.integer({ min: 0, max: 400 }).map(daysAgo), { nil: undefined }),
    },
    { requiredKeys: ['id'] },
  );

  it('score is an integer in 0–100 that equals the sum of the breakdown, and the tier matches', () => {
    fc.assert(
      fc.property(leadArb, (lead) => {
        const result = scoreLead(lead, { now: NOW });
        expect(Number.isInteger(result.score)).toBe(true);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(100);
        expect(result.breakdown.reduce((s, b) => s + b.points, 0)).toBe(result.score);
        expect(result.tier).toBe(tierFor(result.score));
        for (const g of groupBreakdown(result.breakdown)) expect(g.points).toBeLessThanOrEqual(g.cap);
      }),
      { numRuns: 3_000 },
    );
  });

  it('is monotone in every engagement counter', () => {
    const fields = ['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d'] as const;
    fc.assert(
      fc.property(leadArb, fc.constantFrom(...fields), fc.integer({ min: 1, max: 50 }), (lead, field, extra) => {
        const before = scoreLead(lead, { now: NOW }).score;
        const after = scoreLead({ ...lead, [field]: (lead[field] ?? 0) + extra }, { now: NOW }).score;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
      { numRuns: 3_000 },
    );
  });

  it('never depends on the converted flag, and is deterministic', () => {
    fc.assert(
      fc.property(leadArb, fc.boolean(), (lead, converted) => {
        const plain = scoreLead(lead, { now: NOW });
        // Smuggle the outcome in at runtime, past the type that forbids it.
        const withOutcome = scoreLead({ ...lead, converted } as typeof lead, { now: NOW });
        expect(JSON.stringify(withOutcome)).toBe(JSON.stringify(plain));
        expect(JSON.stringify(scoreLead(lead, { now: NOW }))).toBe(JSON.stringify(plain));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('recency date reading', () => {
  const rules: RuleSet = {
    name: 'recency only',
    tiers: { hot: 75, warm: 45 },
    categories: [{ id: 'r', label: 'R', cap: 100 }],
    rules: [{ id: 'seen', label: 'Seen', category: 'r', kind: 'recency', field: 'attributes.seen', why: 'w', bands: [{ withinDays: 3, points: 100 }] }],
  };
  const seen = (value: string) => scoreLead({ id: 'x', attributes: { seen: value } }, { rules, now: NOW }).breakdown[0]!;

  it('reads canonical, offset and date-only forms alike, to the day', () => {
    expect(seen('2026-10-29T00:00:00.000Z')).toMatchObject({ points: 100, value: '3 days ago' });
    expect(seen('2026-10-28T00:00:00.001Z')).toMatchObject({ points: 100, value: '3 days ago' });
    expect(seen('2026-10-27T23:59:59.999Z')).toMatchObject({ points: 0, value: '4 days ago' });
    expect(seen('2026-10-29T02:00:00+02:00')).toMatchObject({ points: 100, value: '3 days ago' });
    expect(seen('2026-10-29')).toMatchObject({ points: 100 });
  });

  it('treats garbage shaped like a timestamp as not a date', () => {
    expect(seen('2026-1x-29T00:00:00.000Z')).toMatchObject({ points: 0, unknown: true, detail: '"2026-1x-29T00:00:00.000Z" is not a date: treated as unknown → 0 pts' });
    expect(seen('soon')).toMatchObject({ points: 0, unknown: true, value: 'soon' });
  });
});

describe('rule kinds for real funnels', () => {
  const one = (rule: Rule, cap = 100): RuleSet => ({
    name: 'one rule',
    tiers: { hot: 75, warm: 45 },
    categories: [{ id: 'fit', label: 'Fit', cap }],
    rules: [rule],
  });
  const line = (rules: RuleSet, lead: Partial<ScorableLead>) => scoreLead({ id: 'x', ...lead }, { rules, now: NOW }).breakdown[0]!;
  const base = { label: 'L', category: 'fit', why: 'w' } as const;

  it('a boolean rule can pay for "no", and its line says "no"', () => {
    const rules = one({ ...base, id: 'accepts_email', kind: 'boolean_flag', field: 'attributes.accepts_email', points: 0, noPoints: 6 });
    expect(line(rules, { attributes: { accepts_email: false } })).toMatchObject({ points: 6, value: 'no', unknown: false, detail: 'no → 6 pts' });
    expect(line(rules, { attributes: { accepts_email: true } })).toMatchObject({ points: 0, value: 'yes', detail: 'yes → 0 pts' });
    expect(line(rules, {})).toMatchObject({ points: 0, unknown: true });
  });

  it('unknown is a bucket of its own in every single-field kind, and the category cap still applies', () => {
    const kinds: Rule[] = [
      { ...base, id: 'a', kind: 'category_map', field: 'lead_source', points: { web: 1 }, otherwise: 0, unknownPoints: 7 },
      { ...base, id: 'b', kind: 'numeric_bands', field: 'employee_count', bands: [{ label: 'any', min: 0, points: 1 }], unknownPoints: 7 },
      { ...base, id: 'c', kind: 'keyword_tiers', field: 'job_title', tiers: [{ label: 'VP', points: 1, patterns: ['vp'] }], otherwise: { label: 'IC', points: 0 }, unknownPoints: 7 },
      { ...base, id: 'd', kind: 'counter', field: 'email_clicks_30d', unit: 'click', pointsPer: 1, cap: 3, unknownPoints: 7 },
      { ...base, id: 'e', kind: 'boolean_flag', field: 'demo_requested', points: 1, unknownPoints: 7 },
      { ...base, id: 'f', kind: 'recency', field: 'last_activity_at', bands: [{ withinDays: 7, points: 1 }], unknownPoints: 7 },
    ];
    for (const rule of kinds) {
      expect(line(one(rule), {}), rule.kind).toMatchObject({ points: 7, unknown: true, value: null, detail: 'unknown (not provided) → 7 pts', maxPoints: 7 });
      expect(line(one(rule, 5), {}), rule.kind).toMatchObject({ points: 5, unknown: true, detail: 'unknown (not provided) → 7 pts; category cap reached, 5 of 7 pts count' });
    }
  });

  it('a value a rule cannot read earns the unknown points and says why', () => {
    const rules = one({ ...base, id: 'seats', kind: 'numeric_bands', field: 'attributes.seats', bands: [{ label: 'any', min: 0, points: 9 }], unknownPoints: 4 });
    expect(line(rules, { attributes: { seats: 'twelve' } })).toMatchObject({ points: 4, unknown: true, value: 'twelve', detail: '"twelve" is not a number: treated as unknown → 4 pts' });
  });

  it('numeric bands and recency pay `otherwise` outside every band', () => {
    const bands = one({ ...base, id: 'size', kind: 'numeric_bands', field: 'employee_count', bands: [{ label: '1–10', min: 1, max: 10, points: 5 }], otherwise: 2 });
    expect(line(bands, { employee_count: 0 })).toMatchObject({ points: 2, detail: 'outside every band → 2 pts' });
    expect(line(bands, { employee_count: 10 })).toMatchObject({ points: 5, detail: '1–10 → 5 pts' });
    const recency = one({ ...base, id: 'seen', kind: 'recency', field: 'last_activity_at', bands: [{ withinDays: 7, points: 9 }], otherwise: 1 });
    expect(line(recency, { last_activity_at: daysAgo(8) })).toMatchObject({ points: 1, value: '8 days ago', detail: 'older than 7 days → 1 pt' });
  });

  describe('combination', () => {
    const rules = one({
      ...base,
      id: 'form_and_time',
      kind: 'combination',
      conditions: [
        { field: 'lead_source', in: ['Form', 'landing page'] },
        { field: 'attributes.time_on_site', op: '>', value: 0 },
      ],
      points: 8,
    });

    it('pays only when every condition holds, naming each', () => {
      expect(line(rules, { lead_source: 'FORM', attributes: { time_on_site: 0.5 } })).toMatchObject({
        points: 8,
        unknown: false,
        value: 'lead source: FORM; time_on_site: 0.5',
        detail: 'lead source is one of "Form", "landing page" and time_on_site > 0 → 8 pts',
      });
      expect(line(rules, { lead_source: 'Form', attributes: { time_on_site: 0 } })).toMatchObject({
        points: 0,
        detail: 'not all hold: lead source is one of "Form", "landing page" ✓, time_on_site > 0 ✗ → 0 pts',
      });
      expect(line(rules, { lead_source: 'Form' })).toMatchObject({ points: 0, unknown: false, detail: expect.stringContaining('time_on_site > 0 ✗ (unknown)') });
      expect(line(rules, {})).toMatchObject({ points: 0, unknown: true, value: 'lead source: unknown; time_on_site: unknown' });
    });

    it('tests booleans, known/unknown and text patterns', () => {
      const is = one({
        ...base,
        id: 'c',
        kind: 'combination',
        conditions: [
          { field: 'demo_requested', is: 'no' },
          { field: 'employee_count', is: 'unknown' },
          { field: 'company_description', matches: ['series [a-d]'] },
        ],
        points: 5,
      });
      expect(line(is, { demo_requested: false, company_description: 'Raised a Series-B.' }).points).toBe(5);
      expect(line(is, { demo_requested: true, company_description: 'Raised a Series B.' }).points).toBe(0);
      expect(line(is, { demo_requested: false, employee_count: 40, company_description: 'Raised a Series B.' }).points).toBe(0);
      expect(line(is, { demo_requested: false, company_description: 'Bootstrapped.' }).points).toBe(0);
    });
  });

  it('a pattern that backtracks catastrophically on a crafted title still answers at once (linear-time engine)', () => {
    // A backtracking engine takes 2^n steps here; 40 letters would hang the process for days.
    const rules = one({ ...base, id: 'evil', kind: 'keyword_tiers', field: 'job_title', tiers: [{ label: 'X', points: 5, patterns: ['(\\w+\\s?)+$'] }], otherwise: { label: 'Y', points: 0 } });
    expect(line(rules, { job_title: `${'a'.repeat(40)},` })).toMatchObject({ points: 0, value: 'Y' });
    expect(line(rules, { job_title: `${'a'.repeat(40)}` })).toMatchObject({ points: 5, value: 'X' });
  });
});
