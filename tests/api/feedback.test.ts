import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Enrichment } from '@/lib/enrichment/schema';
import { DEFAULT_RULES } from '@/lib/scoring';
import { createFileStore } from '@/lib/store/file';

/**
 * POST /api/feedback as Next.js calls it: the exported handler with a real Request, fresh module state
 * per test (vi.resetModules), the file store on a temp copy of a slice of the data, open access (no
 * sign-in configured: the one local user). tests/api/feedback-sign-in.test.ts covers signed-in users.
 */

const LEAD_COUNT = 10;
let dir: string;
let leadsPath: string;
let enrichmentsPath: string;
let feedbackPath: string;
let leadIds: string[];
let enriched: Enrichment;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-feedback-api-'));
  const all = JSON.parse(await readFile(path.resolve('data/synthetic_leads.json'), 'utf8')) as { id: string }[];
  const leads = all.slice(0, LEAD_COUNT);
  leadIds = leads.map((l) => l.id);
  leadsPath = path.join(dir, 'leads.json');
  await writeFile(leadsPath, JSON.stringify(leads));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let testIndex = 0;

/** The store the route uses, opened the same way (file store, default rules, as of the export). */
function store() {
  return createFileStore({ leadsPath, enrichmentsPath, feedbackPath, rules: DEFAULT_RULES });
}

beforeEach(async () => {
  vi.resetModules();
  testIndex++;
  enrichmentsPath = path.join(dir, `enrichments-${testIndex}.json`);
  feedbackPath = path.join(dir, `feedback-${testIndex}.json`);
  vi.stubEnv('LEAD_STORE', 'file');
  vi.stubEnv('LEADS_PATH', leadsPath);
  vi.stubEnv('ENRICHMENTS_PATH', enrichmentsPath);
  vi.stubEnv('FEEDBACK_PATH', feedbackPath);
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  // A narrative for the first lead, flagged by the grounding checks.
  const scored = (await store().getLead(leadIds[0]!))!;
  enriched = {
    lead_id: leadIds[0]!,
    fit_narrative: 'Uses Salesforce.',
    recommended_action: 'Send a tailored follow-up.',
    confidence: 'high',
    source: 'claude',
    model: 'claude-sonnet-5-5',
    prompt_version: 'lead-fit-v1',
    input_hash: scored.inputHash,
    rules_version: scored.rulesVersion,
    score: scored.score,
    usage: { input_tokens: 900, output_tokens: 60, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    cost_usd: 0.002,
    latency_ms: 900,
    enriched_at: '2026-11-01T09:00:00.000Z',
    checks: { version: 'grounding-v1', findings: [{ check: 'invented_tool', field: 'fit_narrative', text: 'Salesforce', detail: 'The record does not mention Salesforce.' }] },
  };
  await store().saveEnrichments([enriched]);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

async function loadRoute() {
  return import('@/app/api/feedback/route');
}

function feedbackRequest(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request('http://localhost/api/feedback', {
    method: 'POST',
    headers: { 'content-type': 'application/json', host: 'localhost', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const valid = () => ({ leadId: leadIds[0]!, enrichedAt: enriched.enriched_at, verdict: 'wrong', reason: '  They do not use Salesforce.  ' });

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  return body.error;
}

async function savedFeedback() {
  return store().feedback();
}

describe('POST /api/feedback', () => {
  it('saves the verdict with the narrative it is about and the local user, and answers the tally', async () => {
    const { POST } = await loadRoute();
    const response = await POST(feedbackRequest(valid(), { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { feedback: unknown; tally: unknown };
    const want = {
      lead_id: leadIds[0],
      verdict: 'wrong',
      reason: 'They do not use Salesforce.',
      author: { key: 'local', email: null, name: null },
      narrative: { source: 'claude', model: 'claude-sonnet-5-5', prompt_version: 'lead-fit-v1', enriched_at: enriched.enriched_at, confidence: 'high', flagged: true },
      given_at: expect.any(String),
    };
    expect(body.feedback).toEqual(want);
    expect(body.tally).toEqual({ helpful: 0, wrong: 1, mine: { verdict: 'wrong', reason: 'They do not use Salesforce.' }, earlier: 0 });
    expect(await savedFeedback()).toEqual([want]);
  });

  it('replaces the same user’s verdict, and never changes the score or the narrative', async () => {
    const { POST } = await loadRoute();
    const before = await store().getLead(leadIds[0]!);
    await POST(feedbackRequest(valid()));
    const second = await POST(feedbackRequest({ ...valid(), verdict: 'helpful', reason: '' }));
    expect(second.status).toBe(200);
    expect(((await second.json()) as { tally: unknown }).tally).toEqual({ helpful: 1, wrong: 0, mine: { verdict: 'helpful', reason: null }, earlier: 0 });
    expect(await savedFeedback()).toHaveLength(1);
    expect(await store().getLead(leadIds[0]!)).toEqual(before);
  });

  it.each([
    ['another Origin', { origin: 'https://evil.example' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    ['a same-site (other subdomain) fetch', { 'sec-fetch-site': 'same-site' }],
    ['an opaque Origin', { origin: 'null' }],
  ])('answers 403 CROSS_SITE_REQUEST to %s', async (_name, headers) => {
    const { POST } = await loadRoute();
    const response = await POST(feedbackRequest(valid(), headers));
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toEqual({ code: 'CROSS_SITE_REQUEST', message: 'This request came from another site and was refused. Use LeadSignal itself.' });
    expect(await savedFeedback()).toEqual([]);
  });

  it('answers 415 to a body that is not declared as JSON (what a cross-site form sends)', async () => {
    const { POST } = await loadRoute();
    const response = await POST(feedbackRequest(valid(), { 'content-type': 'application/x-www-form-urlencoded' }));
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a body over 4 KB, by its Content-Length and while it streams in', async () => {
    const { POST } = await loadRoute();
    const big = JSON.stringify({ ...valid(), reason: 'x'.repeat(5_000) });
    const declared = await POST(feedbackRequest(big, { 'content-length': String(big.length) }));
    expect([declared.status, (await errorOf(declared)).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const streamed = new Request('http://localhost/api/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'localhost' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    const response = await POST(streamed);
    expect([response.status, (await errorOf(response)).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(await savedFeedback()).toEqual([]);
  });

  it.each([
    ['invalid JSON', '{"leadId": ', /must be JSON/],
    ['a missing verdict', { leadId: 'x', enrichedAt: '2026-11-01T09:00:00.000Z' }, /Field "verdict"/],
    ['an unknown verdict', { ...{ leadId: 'x', enrichedAt: '2026-11-01T09:00:00.000Z' }, verdict: 'meh' }, /"helpful" or "wrong"/],
    ['a bad enrichedAt', { leadId: 'x', enrichedAt: 'yesterday', verdict: 'helpful' }, /Field "enrichedAt"/],
    ['a reason over 500 characters', { leadId: 'x', enrichedAt: '2026-11-01T09:00:00.000Z', verdict: 'wrong', reason: 'x'.repeat(501) }, /at most 500/],
    ['an extra field', { leadId: 'x', enrichedAt: '2026-11-01T09:00:00.000Z', verdict: 'wrong', score: 100 }, /Unexpected field\(s\) "score"/],
  ])('answers 400 INVALID_INPUT to %s', async (_name, body, message) => {
    const { POST } = await loadRoute();
    const response = await POST(feedbackRequest(body));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
  });

  it('answers 404 for an unknown lead, and 409 for a lead without a narrative or a narrative replaced since', async () => {
    const { POST } = await loadRoute();
    const unknown = await POST(feedbackRequest({ ...valid(), leadId: 'lead_nope' }));
    expect([unknown.status, (await errorOf(unknown)).code]).toEqual([404, 'NOT_FOUND']);
    const bare = await POST(feedbackRequest({ ...valid(), leadId: leadIds[1] }));
    expect([bare.status, (await errorOf(bare)).code]).toEqual([409, 'CONFLICT']);
    const replaced = await POST(feedbackRequest({ ...valid(), enrichedAt: '2026-10-01T09:00:00.000Z' }));
    expect(replaced.status).toBe(409);
    expect((await errorOf(replaced)).message).toMatch(/replaced since the page loaded/);
    expect(await savedFeedback()).toEqual([]);
  });
});
