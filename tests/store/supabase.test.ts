import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Enrichment } from '@/lib/enrichment/schema';
import { parseLeads, type Lead } from '@/lib/lead';
import type { NarrativeFeedback } from '@/lib/enrichment/feedback';
import { scoreForStore, type StoredScore } from '@/lib/store/scored-lead';
import { ENRICHMENT_COLUMNS, FEEDBACK_COLUMNS, FULL_COLUMNS, LEAD_WRITE_COLUMNS, LIST_COLUMNS, SCORE_COLUMNS } from '@/lib/store/sql/row-mapping';
import { createSupabaseStore } from '@/lib/store/supabase';
import { HISTORY_COLUMNS } from '@/lib/store/score-history';
import type { RescorableStore } from '@/lib/store/types';
import { generateLeads } from '@/lib/synthetic';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { rulesVersion } from '@/lib/scoring';
import { CONTRACT_AS_OF, CONTRACT_RULES } from './contract';

/**
 * supabase-js cannot run against a real Supabase here (no Docker, no PostgREST), so these tests check
 * the PostgREST requests the adapter makes against a loopback server, and that it reads the JSON rows
 * PostgREST would send back (shaped like the `leads` table). The SQL behind them is tested on real
 * PostgreSQL in tests/store/postgres.test.ts and tests/db/migrations.test.ts.
 */

const SERVICE_KEY = 'test-service-role-key';

interface Recorded {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

let server: Server;
let baseUrl: string;
let requests: Recorded[];
let respond: (request: Recorded) => Reply;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const recorded: Recorded = { method: req.method ?? '', url: new URL(req.url ?? '/', baseUrl), headers: req.headers, body: text ? JSON.parse(text) : undefined };
      requests.push(recorded);
      const reply = respond(recorded);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

let store: RescorableStore;
beforeEach(() => {
  requests = [];
  respond = () => ({ status: 201 });
  store = createSupabaseStore({ SUPABASE_URL: baseUrl, SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY, SCORING_RULES: undefined });
});

const NOW = new Date(CONTRACT_AS_OF);
const score = (lead: Lead): StoredScore => scoreForStore(lead, { rules: CONTRACT_RULES, now: NOW });
const leads = parseLeads(generateLeads({ count: 1200, seed: 42 })).leads;
const scored = leads.map(score);

function enrichmentFor(s: StoredScore, overrides: Partial<Enrichment> = {}): Enrichment {
  return {
    lead_id: s.lead.id,
    fit_narrative: 'Fits.',
    recommended_action: 'Call.',
    confidence: 'high',
    source: 'claude',
    model: 'claude-sonnet-5-5',
    prompt_version: 'v1',
    input_hash: s.inputHash,
    rules_version: s.rulesVersion,
    score: s.score,
    usage: { input_tokens: 900, output_tokens: 70, cache_read_input_tokens: 800, cache_creation_input_tokens: 0 },
    cost_usd: 0.0021,
    latency_ms: 1234,
    enriched_at: '2026-11-01T09:30:00.123Z',
    ...overrides,
  };
}

/** A `leads` row as PostgREST returns it: generated columns filled in, timestamps with an offset. */
function tableRow(s: StoredScore, e: Enrichment | null): Record<string, unknown> {
  const { lead } = s;
  const status = !e ? 'none' : e.input_hash !== s.inputHash || e.rules_version !== s.rulesVersion ? 'stale' : e.source;
  const reason = [...s.breakdown].filter((b) => b.points > 0).sort((a, b) => b.points - a.points)[0];
  return {
    id: lead.id,
    record: lead,
    first_name: lead.first_name ?? null,
    last_name: lead.last_name ?? null,
    email: lead.email ?? null,
    job_title: lead.job_title ?? null,
    company_name: lead.company_name ?? null,
    industry: lead.industry ?? null,
    score: s.score,
    tier: s.tier,
    breakdown: s.breakdown,
    top_reason_label: reason?.label ?? null,
    top_reason_points: reason?.points ?? null,
    rules_version: s.rulesVersion,
    input_hash: s.inputHash,
    enrichment_status: status,
    fit_narrative: e?.fit_narrative ?? null,
    recommended_action: e?.recommended_action ?? null,
    confidence: e?.confidence ?? null,
    enrichment_source: e?.source ?? null,
    model: e?.model ?? null,
    prompt_version: e?.prompt_version ?? null,
    enrichment_input_hash: e?.input_hash ?? null,
    enrichment_rules_version: e?.rules_version ?? null,
    enrichment_score: e?.score ?? null,
    input_tokens: e?.usage.input_tokens ?? null,
    output_tokens: e?.usage.output_tokens ?? null,
    cache_read_input_tokens: e?.usage.cache_read_input_tokens ?? null,
    cache_creation_input_tokens: e?.usage.cache_creation_input_tokens ?? null,
    cost_usd: e?.cost_usd ?? null,
    latency_ms: e?.latency_ms ?? null,
    enriched_at: e ? e.enriched_at.replace('Z', '+00:00') : null,
    narrative_checks: e?.checks ?? null,
    grounding_status: !e ? null : !e.checks ? 'unchecked' : e.checks.findings.length ? 'flagged' : 'clean',
  };
}

const pick = (row: Record<string, unknown>, columns: readonly string[]) => Object.fromEntries(columns.map((c) => [c, row[c]]));
const preferOf = (r: Recorded) => String(r.headers.prefer ?? '').split(',').map((p) => p.trim());

function expectServiceAuth(r: Recorded) {
  expect(r.headers.apikey).toBe(SERVICE_KEY);
  expect(r.headers.authorization).toBe(`Bearer ${SERVICE_KEY}`);
}

describe('supabase store: writes (PostgREST contract)', () => {
  it('upserts 1,200 leads as 3 chunks of at most 500 full rows, merging on id, with lead columns only', async () => {
    await store.upsertLeads(scored);
    expect(requests).toHaveLength(3);
    const sizes = requests.map((r) => (r.body as unknown[]).length);
    expect(sizes).toEqual([500, 500, 200]);
    const ids: string[] = [];
    for (const r of requests) {
      expect(r.method).toBe('POST');
      expect(r.url.pathname).toBe('/rest/v1/leads');
      expect(r.url.searchParams.get('on_conflict')).toBe('id');
      expect(r.url.searchParams.get('columns')).toBe(LEAD_WRITE_COLUMNS.map((c) => `"${c}"`).join(','));
      expect(preferOf(r)).toEqual(expect.arrayContaining(['resolution=merge-duplicates', 'return=minimal']));
      expectServiceAuth(r);
      for (const row of r.body as Record<string, unknown>[]) {
        expect(Object.keys(row).sort()).toEqual([...LEAD_WRITE_COLUMNS].sort());
        ids.push(row.id as string);
      }
    }
    expect(ids).toEqual(scored.map((s) => s.lead.id));
    const first = (requests[0]!.body as Record<string, unknown>[])[0]!;
    expect(first).toMatchObject({ id: scored[0]!.lead.id, record: JSON.parse(JSON.stringify(scored[0]!.lead)), score: scored[0]!.score, rules_version: scored[0]!.rulesVersion, input_hash: scored[0]!.inputHash });
  });

  it('sends nothing when a lead is invalid, and names it', async () => {
    const bad = [...scored.slice(0, 3), { ...scored[3]!, lead: { ...scored[3]!.lead, email: 'not-an-email' } }];
    await expect(store.upsertLeads(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(scored[3]!.lead.id) });
    expect(requests).toHaveLength(0);
  });

  it('saves enrichments through save_enrichments with enrichment columns only', async () => {
    respond = () => ({ status: 200, body: [] });
    const enrichments = scored.slice(0, 3).map((s) => enrichmentFor(s));
    await store.saveEnrichments(enrichments);
    expect(requests).toHaveLength(1);
    const [r] = requests;
    expect(r!.method).toBe('POST');
    expect(r!.url.pathname).toBe('/rest/v1/rpc/save_enrichments');
    expectServiceAuth(r!);
    const rows = (r!.body as { p_rows: Record<string, unknown>[] }).p_rows;
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(['id', ...ENRICHMENT_COLUMNS].sort());
    expect(rows[0]).toMatchObject({ id: scored[0]!.lead.id, enrichment_source: 'claude', input_tokens: 900, enriched_at: '2026-11-01T09:30:00.123Z' });
  });

  it('reports the unknown lead ids the database names as NOT_FOUND', async () => {
    respond = () => ({ status: 200, body: ['ghost-1'] });
    await expect(store.saveEnrichments([enrichmentFor(scored[0]!, { lead_id: 'ghost-1' })])).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('"ghost-1"'),
    });
  });

  it('turns a PostgREST error into a STORE_ERROR with its code and hint for the log', async () => {
    respond = () => ({ status: 401, body: { code: '42501', message: 'permission denied for table leads', details: null, hint: 'check the key' } });
    const error = await store.upsertLeads(scored.slice(0, 2)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_ERROR', safeMessage: 'The lead database is unavailable.' });
    expect((error as Error).message).toMatch(/42501.*permission denied.*check the key/);
  });
});

describe('supabase store: reads (PostgREST contract)', () => {
  const enriched = enrichmentFor(scored[1]!, {
    checks: { version: 'grounding-v1', findings: [{ check: 'tier_mismatch', field: 'fit_narrative', text: 'HOT', detail: 'The lead is WARM, not HOT.' }] },
  });
  const stale = enrichmentFor(scored[2]!, { input_hash: 'h_old', confidence: 'low' });
  const rows = [tableRow(scored[0]!, null), tableRow(scored[1]!, enriched), tableRow(scored[2]!, stale)];

  it('lists the default first page: columns, order, range and an exact count', async () => {
    respond = () => ({ status: 200, body: rows.map((r) => pick(r, LIST_COLUMNS)), headers: { 'content-range': '0-2/1234' } });
    const page = await store.listLeads({ sort: 'score', direction: 'desc', page: 1, pageSize: 25 });
    const [r] = requests;
    expect(r!.method).toBe('GET');
    expect(r!.url.pathname).toBe('/rest/v1/leads');
    expectServiceAuth(r!);
    expect(Object.fromEntries(r!.url.searchParams)).toEqual({ select: LIST_COLUMNS.join(','), order: 'score.desc,id.asc', offset: '0', limit: '25' });
    expect(preferOf(r!)).toContain('count=exact');

    expect(page.total).toBe(1234);
    expect(page.rows.map((row) => [row.id, row.enrichmentStatus, row.confidence, row.grounding])).toEqual([
      [scored[0]!.lead.id, 'none', null, null],
      [scored[1]!.lead.id, 'claude', 'high', 'flagged'],
      [scored[2]!.lead.id, 'stale', 'low', 'unchecked'],
    ]);
    const lead = scored[1]!.lead;
    expect(page.rows[1]).toMatchObject({
      name: [lead.first_name, lead.last_name].filter(Boolean).join(' ') || null,
      email: lead.email ?? null,
      jobTitle: lead.job_title ?? null,
      company: lead.company_name ?? null,
      score: scored[1]!.score,
      tier: scored[1]!.tier,
    });
  });

  it('reads the record\'s attributes beside the table columns when the table shows attribute columns', async () => {
    respond = () => ({ status: 200, body: rows.map((r, i) => ({ ...pick(r, LIST_COLUMNS), attributes: i === 0 ? { plan: 'Pro', seats: 4, other: 'x' } : null })), headers: { 'content-range': '0-2/3' } });
    const page = await store.listLeads({ sort: 'score', direction: 'desc', page: 1, pageSize: 25, attributes: ['plan', 'seats'] });
    expect(requests[0]!.url.searchParams.get('select')).toBe(`${LIST_COLUMNS.join(',')},attributes:record->attributes`);
    expect(page.rows.map((row) => row.attributes)).toEqual([{ plan: 'Pro', seats: 4 }, {}, {}]);
  });

  it('filters, searches and pages in the query string, quoting values so PostgREST reads them as data', async () => {
    respond = () => ({ status: 200, body: [], headers: { 'content-range': '*/0' } });
    await store.listLeads({
      sort: 'company',
      direction: 'asc',
      tiers: ['HOT', 'WARM'],
      industries: ['Software', 'Marketing, "Ads" & (PR)'],
      enrichment: ['stale'],
      confidence: ['low', 'medium'],
      grounding: ['flagged'],
      search: '  Acme, Inc. 50%* ',
      page: 3,
      pageSize: 20,
    });
    const params = requests[0]!.url.searchParams;
    expect(params.get('order')).toBe('company_key.asc.nullslast,score.desc,id.asc');
    expect(params.get('tier')).toBe('in.("HOT","WARM")');
    expect(params.get('industry')).toBe('in.("Software","Marketing, \\"Ads\\" & (PR)")');
    expect(params.get('enrichment_status')).toBe('in.("stale")');
    expect(params.get('confidence')).toBe('in.("low","medium")');
    expect(params.get('grounding_status')).toBe('in.("flagged")');
    const regex = 'acme\\,\\ inc\\.\\ 50\\%\\*';
    const quoted = `"${regex.replace(/\\/g, '\\\\')}"`;
    expect(params.get('or')).toBe(`(${['name_key', 'company_key', 'email_key', 'id_key', 'attributes_key'].map((c) => `${c}.match.${quoted}`).join(',')})`);
    expect([params.get('offset'), params.get('limit')]).toEqual(['40', '20']);
  });

  it('sorts text columns nulls last in both directions, and ranks by their rank columns', async () => {
    respond = () => ({ status: 200, body: [], headers: { 'content-range': '*/0' } });
    await store.listLeads({ sort: 'name', direction: 'desc', page: 1, pageSize: 10 });
    await store.listLeads({ sort: 'tier', direction: 'desc', page: 1, pageSize: 10 });
    await store.listLeads({ sort: 'enrichment', direction: 'asc', page: 1, pageSize: 10 });
    expect(requests.map((r) => r.url.searchParams.get('order'))).toEqual([
      'name_key.desc.nullslast,score.desc,id.asc',
      'tier_rank.desc,score.desc,id.asc',
      'enrichment_rank.asc,score.desc,id.asc',
    ]);
  });

  it('answers a page past the end (PostgREST 416) with no rows and the filtered total', async () => {
    respond = (r) =>
      r.method === 'HEAD'
        ? { status: 200, headers: { 'content-range': '*/57' } }
        : { status: 416, body: { code: 'PGRST103', message: 'Requested range not satisfiable', details: 'An offset of 980 was requested, but there are only 57 rows.', hint: null } };
    const page = await store.listLeads({ sort: 'score', direction: 'desc', tiers: ['COLD'], page: 50, pageSize: 20 });
    expect(page).toEqual({ rows: [], total: 57, page: 50, pageSize: 20 });
    expect(requests[1]!.url.searchParams.get('tier')).toBe('in.("COLD")');
  });

  it('reads one lead with every column and rebuilds its ScoredLead', async () => {
    // maybeSingle() asks for a JSON array and takes its only element.
    respond = () => ({ status: 200, body: [pick(rows[1]!, FULL_COLUMNS)] });
    const got = await store.getLead(scored[1]!.lead.id);
    expect(requests[0]!.url.searchParams.get('id')).toBe(`eq.${scored[1]!.lead.id}`);
    expect(requests[0]!.url.searchParams.get('select')).toBe(FULL_COLUMNS.join(','));
    expect(got).toEqual({ ...scored[1]!, enrichment: enriched, enrichmentStatus: 'claude' });
  });

  it('returns null for a missing lead', async () => {
    respond = () => ({ status: 200, body: [] });
    expect(await store.getLead('nope')).toBeNull();
  });

  it('rejects a row that does not look like the table', async () => {
    respond = () => ({ status: 200, body: [{ ...pick(rows[0]!, FULL_COLUMNS), tier: 'LUKEWARM' }] });
    await expect(store.getLead(scored[0]!.lead.id)).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('tier') });
  });

  it('pages through every enrichment 1,000 rows at a time (the Supabase API row cap)', async () => {
    const all = scored.slice(0, 1001).map((s) => enrichmentFor(s));
    const enrichmentRows = all.map((e, i) => pick(tableRow(scored[i]!, e), ['id', ...ENRICHMENT_COLUMNS]));
    respond = (r) => {
      const offset = Number(r.url.searchParams.get('offset'));
      return { status: 200, body: enrichmentRows.slice(offset, offset + Number(r.url.searchParams.get('limit'))) };
    };
    const got = await store.enrichments();
    expect(requests.map((r) => [r.url.searchParams.get('offset'), r.url.searchParams.get('limit')])).toEqual([
      ['0', '1000'],
      ['1000', '1000'],
    ]);
    expect(requests[0]!.url.searchParams.get('enrichment_source')).toBe('not.is.null');
    expect(requests[0]!.url.searchParams.get('order')).toBe('id.asc');
    expect(got).toEqual(new Map(all.map((e) => [e.lead_id, e])));
  });

  it('summarises from the lead_summary and lead_industries views, counting the leads on other rules than the configured ones', async () => {
    respond = (r) =>
      r.url.pathname === '/rest/v1/lead_summary'
        ? { status: 200, body: { total: 3, hot: 1, warm: 1, cold: 1, enriched: 1, mock: 0, stale: 1, rules_version: 'r_abc' } }
        : r.method === 'HEAD'
          ? { status: 200, headers: { 'content-range': '*/2' } }
          : { status: 200, body: [{ industry: 'Fintech' }, { industry: 'software' }] };
    const configured = rulesVersion(DEFAULT_RULES);
    expect(await store.summary()).toEqual({
      total: 3,
      byTier: { HOT: 1, WARM: 1, COLD: 1 },
      enriched: 1,
      mock: 0,
      stale: 1,
      rulesVersion: 'r_abc',
      configuredRulesVersion: configured,
      outdatedScores: 2,
      industries: ['Fintech', 'software'],
    });
    const industries = requests.find((r) => r.url.pathname === '/rest/v1/lead_industries')!;
    expect(industries.url.searchParams.get('order')).toBe('industry_key.asc,industry.asc');
    const outdated = requests.find((r) => r.method === 'HEAD')!;
    expect(outdated.url.pathname).toBe('/rest/v1/leads');
    expect(outdated.url.searchParams.get('rules_version')).toBe(`neq.${configured}`);
    expect(preferOf(outdated)).toContain('count=exact');
  });

  it('reads outcomes of leads with a known outcome only', async () => {
    respond = () => ({
      status: 200,
      body: [{ id: 'a', score: 70, tier: 'HOT', converted: true, enrichment_status: 'claude', confidence: 'high', grounding_status: 'flagged' }],
    });
    expect(await store.outcomes()).toEqual([{ id: 'a', score: 70, tier: 'HOT', converted: true, enrichmentStatus: 'claude', confidence: 'high', grounding: 'flagged' }]);
    expect(requests[0]!.url.searchParams.get('converted')).toBe('not.is.null');
    expect(requests[0]!.url.searchParams.get('select')).toBe('id,score,tier,converted,enrichment_status,confidence,grounding_status');
  });

  it('rejects an outcome row that does not look like the table', async () => {
    respond = () => ({ status: 200, body: [{ id: 'a', score: 70, tier: 'HOT', converted: 'yes', enrichment_status: 'none', confidence: null, grounding_status: null }] });
    await expect(store.outcomes()).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('converted') });
  });
});

describe('supabase store: feedback (PostgREST contract)', () => {
  const feedback: NarrativeFeedback = {
    lead_id: scored[0]!.lead.id,
    verdict: 'wrong',
    reason: 'They do not use Salesforce.',
    author: { key: 'user-1', email: 'sdr@example.com', name: 'Sam' },
    narrative: { source: 'claude', model: 'claude-sonnet-5-5', prompt_version: 'v1', enriched_at: '2026-11-01T09:30:00.123Z', confidence: 'high', flagged: true },
    given_at: '2026-11-02T08:00:00.000Z',
  };
  const row = {
    lead_id: feedback.lead_id,
    narrative_enriched_at: '2026-11-01T09:30:00.123+00:00',
    author_key: 'user-1',
    author_email: 'sdr@example.com',
    author_name: 'Sam',
    verdict: 'wrong',
    reason: 'They do not use Salesforce.',
    narrative_source: 'claude',
    narrative_model: 'claude-sonnet-5-5',
    narrative_prompt_version: 'v1',
    narrative_confidence: 'high',
    narrative_flagged: true,
    given_at: '2026-11-02T08:00:00+00:00',
  };

  it('upserts one row into narrative_feedback on its key, with every feedback column and nothing else', async () => {
    await store.saveFeedback(feedback);
    const [r] = requests;
    expect(r!.method).toBe('POST');
    expect(r!.url.pathname).toBe('/rest/v1/narrative_feedback');
    expect(r!.url.searchParams.get('on_conflict')).toBe('lead_id,narrative_enriched_at,author_key');
    expect(preferOf(r!)).toEqual(expect.arrayContaining(['resolution=merge-duplicates', 'return=minimal']));
    expectServiceAuth(r!);
    expect(Object.keys(r!.body as object).sort()).toEqual([...FEEDBACK_COLUMNS].sort());
    expect(r!.body).toMatchObject({ lead_id: feedback.lead_id, verdict: 'wrong', narrative_flagged: true, narrative_enriched_at: feedback.narrative.enriched_at });
  });

  it('reports a foreign-key violation (no such lead) as NOT_FOUND, and sends nothing for invalid feedback', async () => {
    respond = () => ({ status: 409, body: { code: '23503', message: 'insert or update on table "narrative_feedback" violates foreign key constraint', details: null, hint: null } });
    await expect(store.saveFeedback({ ...feedback, lead_id: 'ghost' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('"ghost"') });
    requests = [];
    await expect(store.saveFeedback({ ...feedback, verdict: 'meh' } as unknown as NarrativeFeedback)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(requests).toHaveLength(0);
  });

  it("reads one lead's feedback in order and rebuilds the records", async () => {
    respond = () => ({ status: 200, body: [row] });
    expect(await store.feedback(feedback.lead_id)).toEqual([{ ...feedback, narrative: { ...feedback.narrative } }]);
    const params = requests[0]!.url.searchParams;
    expect(requests[0]!.url.pathname).toBe('/rest/v1/narrative_feedback');
    expect(params.get('lead_id')).toBe(`eq.${feedback.lead_id}`);
    expect(params.get('order')).toBe('lead_id.asc,narrative_enriched_at.asc,author_key.asc');
    expect(params.get('select')).toBe(FEEDBACK_COLUMNS.join(','));
  });
});

describe('supabase store: rescore and score history (PostgREST contract)', () => {
  const underB = scored.slice(0, 3).map((s) => ({ previous: s, next: { ...s, score: Math.max(0, s.score - 10), rulesVersion: 'r_new' } }));

  it("reads one lead's score history newest first, with the table's columns, and rebuilds its entries", async () => {
    const s = scored[0]!;
    const row = { lead_id: s.lead.id, until: '2026-12-01T00:00:00+00:00', rules_version: s.rulesVersion, score: s.score, tier: s.tier, breakdown: s.breakdown };
    respond = () => ({ status: 200, body: [row] });
    expect(await store.scoreHistory(s.lead.id)).toEqual([{ leadId: s.lead.id, until: '2026-12-01T00:00:00.000Z', rulesVersion: s.rulesVersion, score: s.score, tier: s.tier, breakdown: s.breakdown }]);
    const [r] = requests;
    expect(r!.url.pathname).toBe('/rest/v1/score_history');
    expect(r!.url.searchParams.get('select')).toBe(HISTORY_COLUMNS.join(','));
    expect(r!.url.searchParams.get('lead_id')).toBe(`eq.${s.lead.id}`);
    expect(r!.url.searchParams.get('order')).toBe('until.desc,rules_version.asc');
    expectServiceAuth(r!);
  });

  it('rejects a history row that does not look like the table', async () => {
    respond = () => ({ status: 200, body: [{ lead_id: 'x', until: 'yesterday', rules_version: 'r', score: 5, tier: 'COLD', breakdown: [] }] });
    await expect(store.scoreHistory('x')).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('until') });
  });

  it('reads a batch of outdated leads after the last id, in id order, with the score columns only', async () => {
    respond = () => ({ status: 200, body: scored.slice(0, 2).map((s) => pick(tableRow(s, null), SCORE_COLUMNS)) });
    expect(await store.outdatedLeads('r_new', { after: 'L-0001', limit: 500 })).toEqual(scored.slice(0, 2).map(({ lead, score, tier, breakdown, rulesVersion, inputHash }) => ({ lead, score, tier, breakdown, rulesVersion, inputHash })));
    const [r] = requests;
    expect(r!.url.pathname).toBe('/rest/v1/leads');
    expect(r!.url.searchParams.get('select')).toBe(SCORE_COLUMNS.join(','));
    expect(r!.url.searchParams.get('rules_version')).toBe('neq.r_new');
    expect(r!.url.searchParams.get('id')).toBe('gt.L-0001');
    expect(r!.url.searchParams.get('order')).toBe('id.asc');
    expect(r!.url.searchParams.get('limit')).toBe('500');
  });

  it('saves a batch of rescores in one rescore_leads call: what was read, the new score, and the rescore time', async () => {
    respond = () => ({ status: 200, body: { rescored: 3, history: 3 } });
    expect(await store.saveRescores(underB, '2026-12-01T00:00:00.000Z')).toEqual({ rescored: 3, history: 3 });
    expect(requests).toHaveLength(1);
    const [r] = requests;
    expect(r!.method).toBe('POST');
    expect(r!.url.pathname).toBe('/rest/v1/rpc/rescore_leads');
    expectServiceAuth(r!);
    const body = r!.body as { p_rows: Record<string, unknown>[]; p_until: string };
    expect(body.p_until).toBe('2026-12-01T00:00:00.000Z');
    expect(body.p_rows.map((row) => [row.id, row.read_rules_version, row.read_input_hash, row.score, row.rules_version])).toEqual(
      underB.map(({ previous, next }) => [previous.lead.id, previous.rulesVersion, previous.inputHash, next.score, 'r_new']),
    );
  });

  it('turns an unexpected rescore_leads answer or a PostgREST error into a STORE_ERROR', async () => {
    respond = () => ({ status: 200, body: { rescored: 'lots' } });
    await expect(store.saveRescores(underB, '2026-12-01T00:00:00.000Z')).rejects.toMatchObject({ code: 'STORE_ERROR' });
    respond = () => ({ status: 404, body: { code: 'PGRST202', message: 'Could not find the function public.rescore_leads', details: null, hint: 'Run the migrations' } });
    await expect(store.saveRescores(underB, '2026-12-01T00:00:00.000Z')).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('PGRST202') });
  });

  it("pages through every lead's activity dates, read from the record", async () => {
    respond = (r) => {
      const count = Number(r.url.searchParams.get('offset')) === 0 ? 1000 : 3;
      return { status: 200, body: Array.from({ length: count }, (_, i) => ({ last_activity_at: i === 0 ? '2026-10-30T00:00:00Z' : null, created_at: '2026-01-01T00:00:00Z' })) };
    };
    const dates = await store.activityDates();
    expect(dates).toHaveLength(1003);
    expect(dates[0]).toEqual({ last_activity_at: '2026-10-30T00:00:00Z', created_at: '2026-01-01T00:00:00Z' });
    expect(dates[1]).toEqual({ last_activity_at: undefined, created_at: '2026-01-01T00:00:00Z' });
    expect(requests.map((r) => r.url.searchParams.get('offset'))).toEqual(['0', '1000']);
    expect(requests[0]!.url.searchParams.get('select')).toBe('id,last_activity_at:record->>last_activity_at,created_at:record->>created_at');
  });
});

describe('supabase store: leads with an outcome', () => {
  it('reads the records of leads with a known outcome, in id order', async () => {
    const record = { id: 'a', industry: 'software', converted: true, attributes: { plan: 'pro' } };
    respond = () => ({ status: 200, body: [{ id: 'a', record }] });
    expect(await store.leadsWithOutcome()).toEqual([expect.objectContaining(record)]);
    expect(requests[0]!.url.searchParams.get('converted')).toBe('not.is.null');
    expect(requests[0]!.url.searchParams.get('select')).toBe('id,record');
    expect(requests[0]!.url.searchParams.get('order')).toBe('id.asc');
  });
});

describe('supabase store: scored records', () => {
  it('reads every record with its score and tier in id order, paging past the API cap, once a minute until an upsert', async () => {
    const rows = scored.map((s) => ({ id: s.lead.id, record: s.lead, score: s.score, tier: s.tier }));
    respond = (request) => {
      if (request.method !== 'GET') return { status: 201 };
      const offset = Number(request.url.searchParams.get('offset'));
      return { status: 200, body: rows.slice(offset, offset + Number(request.url.searchParams.get('limit'))) };
    };
    const records = await store.scoredRecords();
    expect(records).toHaveLength(scored.length);
    expect(records.map(({ lead, score, tier }) => ({ lead, score, tier }))).toEqual(scored.map((s) => ({ lead: s.lead, score: s.score, tier: s.tier })));
    const reads = requests.filter((r) => r.url.pathname === '/rest/v1/leads');
    expect(reads).toHaveLength(2);
    expect(reads[0]!.url.searchParams.get('select')).toBe('id,record,score,tier');
    expect(reads[0]!.url.searchParams.get('order')).toBe('id.asc');
    expect(await store.scoredRecords()).toBe(records);
    expect(requests.filter((r) => r.url.pathname === '/rest/v1/leads')).toHaveLength(2);
    await store.upsertLeads(scored.slice(0, 1));
    expect(await store.scoredRecords()).not.toBe(records);
  });

  it('names the lead of a row that does not parse', async () => {
    respond = () => ({ status: 200, body: [{ id: 'bad', record: { id: 'bad' }, score: 700, tier: 'HOT' }] });
    await expect(store.scoredRecords()).rejects.toThrow(/unexpected scored record:\n.*lead "bad".*score/s);
  });
});

describe('supabase store: configuration', () => {
  it('names the missing variable', () => {
    expect(() => createSupabaseStore({ SUPABASE_URL: baseUrl, SUPABASE_SERVICE_ROLE_KEY: undefined, SCORING_RULES: undefined })).toThrow(/SUPABASE_SERVICE_ROLE_KEY/);
    expect(() => createSupabaseStore({ SUPABASE_URL: undefined, SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY, SCORING_RULES: undefined })).toThrow(/SUPABASE_URL/);
  });
});

describe('field coverage', () => {
  it('reads the lead total and the lead_field_coverage view, paging past the API cap', async () => {
    const fields = Array.from({ length: 1_005 }, (_, i) => ({ field: `attributes.c${String(i).padStart(4, '0')}`, leads: i }));
    respond = (request) => {
      if (request.url.pathname === '/rest/v1/lead_summary') return { status: 200, body: { total: 2_000 } };
      const offset = Number(request.url.searchParams.get('offset'));
      return { status: 200, body: fields.slice(offset, offset + Number(request.url.searchParams.get('limit'))) };
    };
    const coverage = await store.fieldCoverage();
    expect(coverage.total).toBe(2_000);
    expect(Object.keys(coverage.present)).toHaveLength(1_005);
    expect(coverage.present['attributes.c1004']).toBe(1_004);
    const views = requests.filter((r) => r.url.pathname === '/rest/v1/lead_field_coverage');
    expect(views).toHaveLength(2);
    expect(views[0]!.url.searchParams.get('select')).toBe('field,leads');
    expect(views[0]!.headers.authorization).toBe(`Bearer ${SERVICE_KEY}`);
  });
});
