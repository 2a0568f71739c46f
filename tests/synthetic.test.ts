import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AS_OF, RED_FLAGS, TRIGGERS, generateLeads, serializeLeads, serializedLeadChunks, type RawLead } from '@/lib/synthetic';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DAY_MS = 86_400_000;
const AS_OF_MS = Date.parse(AS_OF);

const SCHEMA_KEYS = [
  'id', 'created_at', 'first_name', 'last_name', 'email', 'job_title', 'company_name', 'company_domain',
  'industry', 'employee_count', 'annual_revenue', 'country', 'company_description', 'lead_source',
  'email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d',
  'webinar_attended', 'demo_requested', 'last_activity_at', 'converted',
] as const;
const STRING_KEYS = ['first_name', 'last_name', 'email', 'job_title', 'company_name', 'company_domain', 'industry', 'country', 'company_description', 'lead_source'] as const;
const COUNTER_KEYS = ['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d'] as const;

// One shared sample keeps the statistical checks fast; its size makes the rate bounds reliable.
const SAMPLE = generateLeads({ count: 5000, seed: 7 });

function rateOf(leads: readonly RawLead[], predicate: (lead: RawLead) => boolean): number {
  return leads.filter(predicate).length / leads.length;
}

function conversionRate(leads: readonly RawLead[]): number {
  return rateOf(leads, (l) => l.converted === true);
}

const hasTrigger = (l: RawLead): boolean => TRIGGERS.some((t) => l.company_description?.includes(t.phrase) === true);
const hasRedFlag = (l: RawLead): boolean => RED_FLAGS.some((f) => l.company_description?.includes(f.phrase) === true);

describe('generateLeads determinism', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('gives identical output for the same seed', () => {
    const a = generateLeads({ count: 300, seed: 42 });
    const b = generateLeads({ count: 300, seed: 42 });
    expect(a).toEqual(b);
    expect(serializeLeads(a)).toBe(serializeLeads(b));
  });

  it('writes in chunks the exact bytes of one pretty-printed JSON array, for any count', () => {
    const leads = generateLeads({ count: 7, seed: 42 });
    for (const count of [0, 1, 2, 3, 7]) {
      const some = leads.slice(0, count);
      for (const perChunk of [1, 3, 1000]) expect([...serializedLeadChunks(some, perChunk)].join('')).toBe(`${JSON.stringify(some, null, 2)}\n`);
    }
    expect([...serializedLeadChunks(leads, 3)]).toHaveLength(3);
  });

  it('gives different output for a different seed', () => {
    const a = generateLeads({ count: 300, seed: 42 });
    const b = generateLeads({ count: 300, seed: 43 });
    expect(serializeLeads(a)).not.toBe(serializeLeads(b));
    expect(a.map((l) => l.converted)).not.toEqual(b.map((l) => l.converted));
  });

  it('never consults Math.random or the clock', () => {
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random used');
    });
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('Date.now used');
    });
    expect(generateLeads({ count: 50, seed: 1 })).toHaveLength(50);
  });

  it('a longer run starts with the same leads as a shorter one', () => {
    expect(generateLeads({ count: 120, seed: 9 }).slice(0, 40)).toEqual(generateLeads({ count: 40, seed: 9 }));
  });

  it('rejects invalid counts and seeds', () => {
    expect(() => generateLeads({ count: -1, seed: 1 })).toThrow(RangeError);
    expect(() => generateLeads({ count: 1.5, seed: 1 })).toThrow(RangeError);
    expect(() => generateLeads({ count: 1, seed: Number.NaN })).toThrow(RangeError);
    expect(generateLeads({ count: 0, seed: 1 })).toEqual([]);
  });
});

describe('generateLeads record shape', () => {
  it('writes only schema fields, never null, with sane types and ranges', () => {
    // Collect violations instead of asserting per field: 5,000 leads × 23 fields of expect() is slow.
    const problems: string[] = [];
    const check = (ok: boolean, lead: RawLead, what: string) => {
      if (!ok) problems.push(`${lead.id}: ${what}`);
    };
    const isCount = (v: number | undefined) => v === undefined || (Number.isInteger(v) && v >= 0);
    for (const lead of SAMPLE) {
      check(/^lead_\d{6}$/.test(lead.id), lead, 'id format');
      for (const [key, value] of Object.entries(lead)) {
        check((SCHEMA_KEYS as readonly string[]).includes(key), lead, `unknown key ${key}`);
        check(value !== null && value !== undefined, lead, `${key} is ${String(value)}`);
      }
      for (const key of STRING_KEYS) check(lead[key] === undefined || lead[key].trim().length > 0, lead, `${key} blank`);
      for (const key of COUNTER_KEYS) check(isCount(lead[key]), lead, `${key} = ${lead[key]}`);
      for (const key of ['webinar_attended', 'demo_requested', 'converted'] as const) {
        check(lead[key] === undefined || typeof lead[key] === 'boolean', lead, `${key} not boolean`);
      }
      check(lead.email_clicks_30d === undefined || lead.email_clicks_30d <= (lead.email_opens_30d ?? Infinity), lead, 'clicks > opens');
      check(lead.employee_count === undefined || (isCount(lead.employee_count) && lead.employee_count >= 1 && lead.employee_count <= 50_000), lead, 'employee_count');
      check(lead.annual_revenue === undefined || lead.annual_revenue >= 0, lead, 'annual_revenue');
      check(lead.email === undefined || /^[^@\s]+@[a-z0-9]+\.[a-z]+$/.test(lead.email), lead, `email ${lead.email}`);
      const created = lead.created_at === undefined ? undefined : Date.parse(lead.created_at);
      const active = lead.last_activity_at === undefined ? undefined : Date.parse(lead.last_activity_at);
      if (created !== undefined) {
        check(new Date(created).toISOString() === lead.created_at, lead, 'created_at not ISO');
        check(created <= AS_OF_MS && created >= AS_OF_MS - 180 * DAY_MS, lead, 'created_at window');
      }
      if (active !== undefined) {
        check(new Date(active).toISOString() === lead.last_activity_at, lead, 'last_activity_at not ISO');
        check(active <= AS_OF_MS && active >= AS_OF_MS - 120 * DAY_MS, lead, 'last_activity_at window');
        check(created === undefined || active >= created, lead, 'activity before creation');
      }
    }
    expect(problems).toEqual([]);
    expect(new Set(SAMPLE.map((l) => l.id)).size).toBe(SAMPLE.length);
  });

  it('has no 30-day engagement for leads inactive for over 30 days', () => {
    const stale = SAMPLE.filter((l) => l.last_activity_at !== undefined && Date.parse(l.last_activity_at) < AS_OF_MS - 31 * DAY_MS);
    expect(stale.length).toBeGreaterThan(100);
    for (const lead of stale) for (const key of COUNTER_KEYS) expect(lead[key] ?? 0).toBe(0);
  });

  it('omits fields at realistic, non-zero CRM rates', () => {
    const missing = (key: keyof RawLead) => rateOf(SAMPLE, (l) => !(key in l));
    // Expected rates: industry 10%, employee_count 15%, annual_revenue 30%, job_title 8%, country 5%,
    // description 10%, counters 5%, last_activity_at 5%. ±4 points is > 4 standard errors at n = 5,000.
    const expected: [keyof RawLead, number][] = [
      ['industry', 0.1], ['employee_count', 0.15], ['annual_revenue', 0.3], ['job_title', 0.08], ['country', 0.05],
      ['company_description', 0.1], ['email_opens_30d', 0.05], ['page_views_30d', 0.05], ['last_activity_at', 0.05],
    ];
    for (const [key, rate] of expected) {
      expect(missing(key), key).toBeGreaterThan(Math.max(0.005, rate - 0.04));
      expect(missing(key), key).toBeLessThan(rate + 0.04);
    }
    expect(missing('id')).toBe(0);
  });

  it('is messy: varied industry spellings and job titles, heavy-tailed engagement', () => {
    const industries = new Set(SAMPLE.map((l) => l.industry));
    for (const spelling of ['Software', 'SaaS', 'software ', 'Fintech', 'E-commerce', 'Non-profit']) expect(industries).toContain(spelling);
    expect(new Set(SAMPLE.map((l) => l.job_title)).size).toBeGreaterThan(40);
    expect(SAMPLE.some((l) => (l.email_opens_30d ?? 0) >= 300)).toBe(true);
    const employees = SAMPLE.flatMap((l) => (l.employee_count === undefined ? [] : [l.employee_count]));
    expect(employees.some((e) => e <= 5)).toBe(true);
    expect(employees.some((e) => e >= 5000)).toBe(true);
  });
});

describe('generateLeads latent model', () => {
  it('has a base conversion rate near 12%', () => {
    const rate = conversionRate(SAMPLE);
    expect(rate).toBeGreaterThan(0.09);
    expect(rate).toBeLessThan(0.15);
  });

  it('puts buying triggers and red flags into some descriptions', () => {
    expect(rateOf(SAMPLE, hasTrigger)).toBeGreaterThan(0.1);
    expect(rateOf(SAMPLE, hasRedFlag)).toBeGreaterThan(0.05);
  });

  it('converts trigger leads more often than red-flag leads (description-only signal)', () => {
    const triggered = SAMPLE.filter((l) => hasTrigger(l) && !hasRedFlag(l));
    const flagged = SAMPLE.filter((l) => hasRedFlag(l) && !hasTrigger(l));
    const overall = conversionRate(SAMPLE);
    expect(conversionRate(triggered)).toBeGreaterThan(overall);
    expect(conversionRate(flagged)).toBeLessThan(overall);
    expect(conversionRate(triggered)).toBeGreaterThan(2 * conversionRate(flagged));
  });

  it('ties engagement to the outcome: demo requesters and pricing visitors convert more', () => {
    const demo = SAMPLE.filter((l) => l.demo_requested === true);
    const noDemo = SAMPLE.filter((l) => l.demo_requested === false);
    expect(conversionRate(demo)).toBeGreaterThan(conversionRate(noDemo) + 0.05);
    const pricing = SAMPLE.filter((l) => (l.pricing_page_views_30d ?? 0) >= 2);
    const noPricing = SAMPLE.filter((l) => l.pricing_page_views_30d === 0);
    expect(conversionRate(pricing)).toBeGreaterThan(conversionRate(noPricing));
  });
});

describe('data file and CLI', () => {
  it('keeps data/synthetic_leads.json in sync with the generator defaults', () => {
    const committed = fs.readFileSync(path.join(ROOT, 'data/synthetic_leads.json'), 'utf8');
    expect(committed).toBe(serializeLeads(generateLeads({ count: 500, seed: 20261127 })));
  });

  it('writes byte-identical files for the same seed, atomically', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leads-'));
    try {
      const run = (out: string) => {
        const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/generate_leads.ts', '--count', '80', '--seed', '5', '--out', out], { cwd: ROOT, encoding: 'utf8' });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/80 leads .*seed 5.*base conversion rate \d+\.\d%/);
        return fs.readFileSync(out);
      };
      const first = run(path.join(dir, 'a.json'));
      const second = run(path.join(dir, 'nested/b.json'));
      expect(first.equals(second)).toBe(true);
      expect(first.toString('utf8')).toBe(serializeLeads(generateLeads({ count: 80, seed: 5 })));
      expect(fs.readdirSync(dir).sort()).toEqual(['a.json', 'nested']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a malformed count', () => {
    const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/generate_leads.ts', '--count', 'many', '--out', path.join(os.tmpdir(), 'never.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--count: must be a whole number (got "many")');
  });
});
