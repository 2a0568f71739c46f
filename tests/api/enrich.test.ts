import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_BODY_BYTES } from '@/app/api/enrich/schema';
import type { Enrichment } from '@/lib/enrichment/schema';
import { DEFAULT_RULES } from '@/lib/scoring';
import { createFileStore } from '@/lib/store/file';
import { leadIdArbitrary, NOTORIOUS_IDS } from '../support/lead-ids';
import { stubLiveRouteEnv } from '../support/live-route-env';

/**
 * The live route, called as Next.js calls it: the exported POST with a real Request. Each test gets
 * fresh module state (env, store, limiter) via vi.resetModules and a temp copy of a slice of the data.
 */

const LEAD_COUNT = 30;
let dir: string;
let leadsPath: string;
let enrichmentsPath: string;
let leadIds: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-api-'));
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

beforeEach(() => {
  vi.resetModules();
  enrichmentsPath = path.join(dir, `enrichments-${++testIndex}.json`);
  stubLiveRouteEnv({ LEAD_STORE: 'file', LEADS_PATH: leadsPath, ENRICHMENTS_PATH: enrichmentsPath });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

async function loadRoute() {
  return import('@/app/api/enrich/route');
}

function enrichRequest(body: unknown, { ip = '203.0.113.7', headers = {} }: { ip?: string; headers?: Record<string, string> } = {}): Request {
  return new Request('http://localhost/api/enrich', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** What the store holds for the test's files (snapshot and journal), as a fresh process would read it. */
async function saved(): Promise<Map<string, Enrichment>> {
  return createFileStore({ leadsPath, enrichmentsPath, rules: DEFAULT_RULES }).enrichments();
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  return body.error;
}

describe('POST /api/enrich: validation', () => {
  it.each([
    ['invalid JSON', '{"leadId": '],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['a missing leadId', {}],
    ['a numeric leadId', { leadId: 42 }],
    ['an empty leadId', { leadId: '  ' }],
  ])('answers 400 INVALID_INPUT to %s', async (_name, body) => {
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest(body));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('INVALID_INPUT');
  });

  it('names an unexpected extra field', async () => {
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: leadIds[0], score: 100 }));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('"score"');
  });


  it('answers 404 NOT_FOUND for an unknown lead', async () => {
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: 'lead_does_not_exist' }));
    expect(response.status).toBe(404);
    const error = await errorOf(response);
    expect(error).toEqual({ code: 'NOT_FOUND', message: 'No lead with id "lead_does_not_exist".' });
  });

  it('does not use up the quota on malformed requests', async () => {
    vi.stubEnv('ENRICH_RATE_LIMIT', '1');
    const { POST } = await loadRoute();
    for (let i = 0; i < 3; i++) expect((await POST(enrichRequest('nope'))).status).toBe(400);
    expect((await POST(enrichRequest({ leadId: leadIds[0] }))).status).toBe(200);
  });
});

describe('POST /api/enrich: mock mode (no API key)', () => {
  it('writes a labelled mock enrichment and saves it through the store', async () => {
    const { POST } = await loadRoute();
    const leadId = leadIds[3]!;
    const response = await POST(enrichRequest({ leadId }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { leadId: string; status: string; enrichment: Record<string, unknown>; saved: boolean };
    expect(body.leadId).toBe(leadId);
    expect(body.saved).toBe(true);
    expect(body.status).toBe('mock');
    expect(body.enrichment).toMatchObject({ lead_id: leadId, source: 'mock', cost_usd: 0 });

    const stored = await saved();
    expect([...stored.keys()]).toEqual([leadId]);
    expect(stored.get(leadId)).toMatchObject({ source: 'mock', enriched_at: body.enrichment.enriched_at });

    const { getStore } = await import('@/lib/store');
    const scored = await (await getStore()).getLead(leadId);
    expect(scored?.enrichmentStatus).toBe('mock');
    expect(scored?.enrichment?.fit_narrative).toBe(body.enrichment.fit_narrative);
  });
});

describe('POST /api/enrich: rate limit', () => {
  it('admits exactly ENRICH_RATE_LIMIT of 20 concurrent requests from one IP; the rest get 429 with Retry-After', async () => {
    const { POST } = await loadRoute();
    const responses = await Promise.all(leadIds.slice(0, 20).map((leadId) => POST(enrichRequest({ leadId }, { ip: '198.51.100.1' }))));
    const ok = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    expect(ok).toHaveLength(5);
    expect(limited).toHaveLength(15);
    for (const r of limited) {
      const retryAfter = Number(r.headers.get('Retry-After'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect((await errorOf(r)).code).toBe('RATE_LIMITED');
    }
    // Every admitted request was saved, none lost to concurrent writes.
    expect((await saved()).size).toBe(5);
  });

  it('with the default settings, rotating X-Forwarded-For gets no fresh bucket (finding 1)', async () => {
    const { POST } = await loadRoute();
    const forged = ['9.9.9.9', '9.9.9.9:1234', '009.9.9.9', '::ffff:9.9.9.9', '1.1.1.1', '2.2.2.2, 3.3.3.3', '2001:db8::1', 'garbage'];
    const statuses = [];
    for (const ip of forged) statuses.push((await POST(enrichRequest({ leadId: leadIds[0] }, { ip }))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
  });

  it('with TRUST_PROXY_HOPS=1, keys by the entry the proxy appended, in canonical form', async () => {
    vi.stubEnv('TRUST_PROXY_HOPS', '1');
    vi.stubEnv('ENRICH_RATE_LIMIT', '3');
    const { POST } = await loadRoute();
    const send = (ip: string) => POST(enrichRequest({ leadId: leadIds[0] }, { ip })).then((r) => r.status);
    // One client, spelled four ways, with whatever it put in front of the proxy's entry.
    expect(await send('203.0.113.9')).toBe(200);
    expect(await send('6.6.6.6, 203.0.113.9:40000')).toBe(200);
    expect(await send('7.7.7.7, ::ffff:203.0.113.9')).toBe(200);
    expect(await send('[::ffff:203.0.113.9]:443')).toBe(429);
    // IPv6 by /64: one subscriber's block.
    expect(await send('2001:db8:1:2::1')).toBe(200);
    expect(await send('2001:db8:1:2:ffff::9')).toBe(200);
    expect(await send('2001:0db8:0001:0002::77')).toBe(200);
    expect(await send('2001:db8:1:3::1')).toBe(200);
    expect(await send('2001:db8:1:2::1')).toBe(429);
  });

  it('puts addresses no proxy writes (leading zeros, hex, short forms) and missing proxy entries in one shared bucket', async () => {
    vi.stubEnv('TRUST_PROXY_HOPS', '2');
    vi.stubEnv('ENRICH_RATE_LIMIT', '2');
    const { POST } = await loadRoute();
    const send = (ip: string) => POST(enrichRequest({ leadId: leadIds[0] }, { ip })).then((r) => r.status);
    expect(await send('009.9.9.9, 10.0.0.2')).toBe(200);
    expect(await send('0x9.9.9.9, 10.0.0.2')).toBe(200);
    expect(await send('9.9.9, 10.0.0.2')).toBe(429);
    expect(await send('10.0.0.2')).toBe(429); // fewer entries than proxies: it did not come through them
    expect(await send('9.9.9.9, 10.0.0.2')).toBe(200);
  });
});

describe('POST /api/enrich: only same-origin JSON', () => {
  it.each([
    ['text/plain (a cross-site form or fetch needs no preflight for it)', 'text/plain'],
    ['a form encoding', 'application/x-www-form-urlencoded'],
    ['no content type', null],
  ])('answers 415 to %s, makes no call and uses no quota', async (_name, type) => {
    vi.stubEnv('ENRICH_RATE_LIMIT', '1');
    const { POST } = await loadRoute();
    const headers: Record<string, string> = { 'x-forwarded-for': '203.0.113.7' };
    if (type) headers['content-type'] = type;
    const response = await POST(new Request('http://localhost/api/enrich', { method: 'POST', headers, body: JSON.stringify({ leadId: leadIds[0] }) }));
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await saved()).size).toBe(0);
    expect((await POST(enrichRequest({ leadId: leadIds[0] }))).status).toBe(200);
  });

  it('accepts application/json with a charset', async () => {
    const { POST } = await loadRoute();
    expect((await POST(enrichRequest({ leadId: leadIds[0] }, { headers: { 'content-type': 'Application/JSON; charset=utf-8' } }))).status).toBe(200);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['an Origin of another host (older browsers)', { origin: 'https://evil.example' }],
    ['Origin: null (a sandboxed frame)', { origin: 'null' }],
    ['an Origin on another port', { origin: 'http://localhost:4000' }],
  ])('answers 403 to %s, makes no call and uses no quota', async (_name, headers) => {
    vi.stubEnv('ENRICH_RATE_LIMIT', '1');
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: leadIds[0] }, { headers: { host: 'localhost:3000', ...headers } }));
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('CROSS_SITE_REQUEST');
    expect((await saved()).size).toBe(0);
    expect((await POST(enrichRequest({ leadId: leadIds[0] }))).status).toBe(200);
  });

  it.each([
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin', origin: 'http://localhost:3000' }],
    ['a matching Origin without Sec-Fetch-Site', { origin: 'http://localhost:3000' }],
    ['no Origin at all (curl, scripts)', {}],
  ])('admits %s', async (_name, headers) => {
    const { POST } = await loadRoute();
    expect((await POST(enrichRequest({ leadId: leadIds[0] }, { headers: { host: 'localhost:3000', ...headers } }))).status).toBe(200);
  });

  it('behind trusted proxies, also accepts the Origin of the host the nearest proxy forwarded', async () => {
    vi.stubEnv('TRUST_PROXY_HOPS', '1');
    const { POST } = await loadRoute();
    const headers = { host: '127.0.0.1:3000', origin: 'https://leads.example.com', 'x-forwarded-host': 'leads.example.com' };
    expect((await POST(enrichRequest({ leadId: leadIds[0] }, { headers }))).status).toBe(200);
  });
});

describe('POST /api/enrich: body size (finding 2)', () => {
  /** A body that never ends, counting how much of it the route pulled. */
  function endlessBody(chunkBytes = 16_384) {
    const pulled = { bytes: 0 };
    const chunk = new TextEncoder().encode(`{"leadId":"${'x'.repeat(chunkBytes)}`);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    return { stream, pulled };
  }

  it('refuses a declared Content-Length over the limit with 413 before reading any of it', async () => {
    const { POST } = await loadRoute();
    const { stream, pulled } = endlessBody();
    const request = new Request('http://localhost/api/enrich', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(50 << 20) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const response = await POST(request);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('PAYLOAD_TOO_LARGE');
    expect(pulled.bytes).toBeLessThanOrEqual(16_384 * 2); // what the stream buffered up front, never read
  });

  it('stops reading a streamed body as soon as it passes the limit: 413, and the rest is never pulled', async () => {
    const { POST } = await loadRoute();
    const { stream, pulled } = endlessBody(1_000);
    const request = new Request('http://localhost/api/enrich', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    const response = await POST(request);
    expect(response.status).toBe(413);
    expect(pulled.bytes).toBeLessThan(MAX_BODY_BYTES + 3 * 1_100);
  });

  it('counts an oversized body against the client\'s quota (a small malformed one does not)', async () => {
    vi.stubEnv('ENRICH_RATE_LIMIT', '2');
    const { POST } = await loadRoute();
    expect((await POST(enrichRequest({ leadId: 'x'.repeat(10_000) }))).status).toBe(413);
    expect((await POST(enrichRequest('{"leadId": '))).status).toBe(400);
    const over = await POST(enrichRequest({ leadId: 'x'.repeat(10_000) }));
    expect(over.status).toBe(413);
    expect(over.headers.get('RateLimit-Remaining')).toBe('0');
    expect((await POST(enrichRequest({ leadId: leadIds[0] }))).status).toBe(429);
  });

  it('answers 400 to a body that is not UTF-8', async () => {
    const { POST } = await loadRoute();
    const response = await POST(new Request('http://localhost/api/enrich', { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff, 0x7d]) }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/UTF-8/);
  });
});

describe('POST /api/enrich: kill switch', () => {
  it('answers 503 LIVE_ENRICH_DISABLED when ENRICH_LIVE_ENABLED=false, and writes nothing', async () => {
    vi.stubEnv('ENRICH_LIVE_ENABLED', 'false');
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: leadIds[0] }));
    expect(response.status).toBe(503);
    const error = await errorOf(response);
    expect(error.code).toBe('LIVE_ENRICH_DISABLED');
    expect(error.message).toMatch(/turned off/);
    expect((await saved()).size).toBe(0);
  });
});

describe('POST /api/enrich: with an API key (fake Claude on loopback)', () => {
  let server: Server;
  let baseUrl: string;
  let reply: (req: IncomingMessage, body: string) => { status: number; json: unknown; delayMs?: number };
  const requests: { path: string; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body: JSON.parse(body || '{}') as Record<string, unknown> });
        const { status, json, delayMs = 0 } = reply(req, body);
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        }, delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-test-not-a-real-key');
    vi.stubEnv('ANTHROPIC_BASE_URL', baseUrl);
  });

  it('saves Claude\'s answer with the model and usage', async () => {
    const answer = { fit_narrative: 'Fits: software buyer with a demo request.', recommended_action: 'Call today.', confidence: 'high' };
    reply = (_req, body) => ({
      status: 200,
      json: {
        id: 'msg_test',
        type: 'message',
        role: 'assistant',
        model: (JSON.parse(body) as { model: string }).model,
        content: [{ type: 'text', text: JSON.stringify(answer) }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 900, output_tokens: 60, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      },
    });
    const { POST } = await loadRoute();
    const leadId = leadIds[1]!;
    const response = await POST(enrichRequest({ leadId }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; enrichment: Record<string, unknown> };
    expect(body.status).toBe('claude');
    expect(body.enrichment).toMatchObject({ ...answer, source: 'claude', model: 'claude-sonnet-5-5', lead_id: leadId });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toBe('/v1/messages');
    // Claude is never told the outcome.
    expect(JSON.stringify(requests[0]!.body)).not.toContain('converted');
    expect((await saved()).get(leadId)?.source).toBe('claude');
  });

  it('answers 502 UPSTREAM_ERROR with a safe message when Claude fails, and saves nothing', async () => {
    reply = () => ({ status: 400, json: { type: 'error', error: { type: 'invalid_request_error', message: 'internal detail: prompt too long' } } });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: leadIds[2] }));
    expect(response.status).toBe(502);
    const error = await errorOf(response);
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).not.toContain('internal detail');
    expect(errors).toHaveBeenCalled();
    expect((await saved()).size).toBe(0);
    errors.mockRestore();
  });

  const USAGE = { input_tokens: 900, output_tokens: 60, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const okReply = (delayMs: number) => (_req: IncomingMessage, body: string) => ({
    status: 200,
    delayMs,
    json: {
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: (JSON.parse(body) as { model: string }).model,
      content: [{ type: 'text', text: JSON.stringify({ fit_narrative: 'Fits.', recommended_action: 'Call.', confidence: 'high' }) }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: USAGE,
    },
  });

  it('never lets parallel calls reserve more than ENRICH_LIVE_DAILY_USD, then settles each to what it cost', async () => {
    // Room for two calls at their worst case (input at the cache-write price, 1,024 output tokens, twice).
    const { worstCaseCostUsd } = await import('@/lib/enrichment/enrich');
    const { buildLeadPrompt } = await import('@/lib/enrichment/prompt');
    const { getStore, getRules } = await import('@/lib/store');
    const rules = await getRules();
    const worst = await Promise.all(
      leadIds.slice(0, 10).map(async (id) => {
        const s = (await (await getStore()).getLead(id))!;
        return worstCaseCostUsd('claude-sonnet-5-5', buildLeadPrompt(s.lead, s, rules))!;
      }),
    );
    vi.stubEnv('ENRICH_LIVE_DAILY_USD', String(Math.max(...worst) * 2.5));
    vi.stubEnv('ENRICH_RATE_LIMIT', '100');
    reply = okReply(300);
    vi.resetModules();
    const { POST } = await loadRoute();
    const responses = await Promise.all(leadIds.slice(0, 10).map((leadId) => POST(enrichRequest({ leadId }))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(2);
    expect(statuses.filter((st) => st === 429)).toHaveLength(8);
    expect(requests).toHaveLength(2);
    for (const r of responses.filter((x) => x.status === 429)) {
      expect((await errorOf(r)).code).toBe('DAILY_BUDGET_EXHAUSTED');
      const wait = Number(r.headers.get('Retry-After'));
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(86_400);
    }
    // Settled: the day's spend is the two calls' real cost, so the next call fits again.
    const { usageCostUsd } = await import('@/lib/enrichment/pricing');
    const actual = usageCostUsd('claude-sonnet-5-5', USAGE)!;
    const budget = JSON.parse(await readFile(`${enrichmentsPath}.live-budget.json`, 'utf8')) as { calls: number; usd: number };
    expect(budget.calls).toBe(2);
    expect(budget.usd).toBeCloseTo(2 * actual, 10);
    const next = await POST(enrichRequest({ leadId: leadIds[11] }));
    expect(next.status).toBe(200);
    expect(Number(next.headers.get('Live-Budget-USD-Remaining'))).toBeCloseTo(Math.max(...worst) * 2.5 - 3 * actual, 3);
  });

  it('refuses live calls when the model has no price: the spend budget could not be enforced', async () => {
    vi.stubEnv('ANTHROPIC_MODEL', 'claude-imaginary-9');
    reply = okReply(0);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: leadIds[0] }));
    expect(response.status).toBe(500);
    expect((await errorOf(response)).code).toBe('CONFIG_ERROR');
    expect(errors.mock.calls.flat().join(' ')).toMatch(/claude-imaginary-9.*no price/);
    expect(requests).toHaveLength(0);
    errors.mockRestore();
  });

  it('returns a paid answer the store could not save, flagged saved: false, and logs why', async () => {
    reply = okReply(0);
    // A directory where the journal's lock belongs: reads work, every save fails (root ignores file modes).
    await mkdir(`${enrichmentsPath}.journal.jsonl.lock`);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: leadIds[4] }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { saved: boolean; notSavedReason: string; enrichment: { fit_narrative: string; source: string } };
    expect(body).toMatchObject({ saved: false, enrichment: { fit_narrative: 'Fits.', source: 'claude' } });
    expect(body.notSavedReason).toMatch(/\S/);
    expect(requests).toHaveLength(1);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/written but not saved/);
    errors.mockRestore();
  });
});

describe('POST /api/enrich: the global daily budget (mock mode counts calls too)', () => {
  it('admits exactly ENRICH_LIVE_DAILY_LIMIT of 12 parallel calls from different users, with the budget left in the headers', async () => {
    vi.stubEnv('ENRICH_LIVE_DAILY_LIMIT', '4');
    vi.stubEnv('TRUST_PROXY_HOPS', '1');
    const { POST } = await loadRoute();
    const responses = await Promise.all(leadIds.slice(0, 12).map((leadId, i) => POST(enrichRequest({ leadId }, { ip: `198.51.100.${i + 1}` }))));
    const ok = responses.filter((r) => r.status === 200);
    expect(ok).toHaveLength(4);
    // What is left when the response goes (other calls may have taken more meanwhile).
    for (const r of ok) expect(Number(r.headers.get('Live-Budget-Calls-Remaining'))).toBeLessThanOrEqual(3);
    for (const r of responses.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(429);
      expect(await errorOf(r)).toMatchObject({ code: 'DAILY_BUDGET_EXHAUSTED', message: expect.stringContaining('4 calls') });
      expect(r.headers.get('Live-Budget-Calls-Remaining')).toBe('0');
      expect(Date.parse(r.headers.get('Live-Budget-Reset')!)).toBeGreaterThan(Date.now());
    }
    expect((await saved()).size).toBe(4);
  });

  it('is one budget for two app processes on the same files', async () => {
    vi.stubEnv('ENRICH_LIVE_DAILY_LIMIT', '3');
    vi.stubEnv('ENRICH_RATE_LIMIT', '100');
    const first = await loadRoute();
    vi.resetModules();
    const second = await loadRoute();
    expect(first.POST).not.toBe(second.POST);
    const responses = await Promise.all(leadIds.slice(0, 8).map((leadId, i) => (i % 2 ? first : second).POST(enrichRequest({ leadId }))));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(3);
  });

  it('starts a new budget each UTC day', async () => {
    vi.stubEnv('ENRICH_LIVE_DAILY_LIMIT', '1');
    await writeFile(`${enrichmentsPath}.live-budget.json`, JSON.stringify({ version: 1, day: '2020-01-01', calls: 1, usd: 0 }));
    const { POST } = await loadRoute();
    expect((await POST(enrichRequest({ leadId: leadIds[0] }))).status).toBe(200);
    expect((await POST(enrichRequest({ leadId: leadIds[1] }))).status).toBe(429);
  });

  it('fails closed on a budget file it cannot read: 500, logged, no call', async () => {
    await writeFile(`${enrichmentsPath}.live-budget.json`, '{"version": 1, "day": "today"}');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: leadIds[0] }));
    expect(response.status).toBe(500);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/live-budget\.json is invalid/);
    expect((await saved()).size).toBe(0);
    errors.mockRestore();
  });
});

describe('POST /api/enrich: server-side faults (findings 6 and 8)', () => {
  it('saves at once past the locks of a process killed mid-save (it used to wait 20 s, then fail with 500)', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await new Promise((resolve) => child.once('spawn', resolve));
    // Every lock the store takes, left behind by a SIGKILLed owner (in the old format: its bare pid).
    for (const lock of [`${enrichmentsPath}.lock`, `${enrichmentsPath}.journal.jsonl.lock`]) await writeFile(lock, `${child.pid}\n`);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: leadIds[5] }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { saved: boolean }).saved).toBe(true);
    expect((await saved()).has(leadIds[5]!)).toBe(true);
  }, 15_000);

  it('answers a corrupt leads file with 500 and logs the file and the fault (it used to be a silent 400)', async () => {
    const badLeads = path.join(dir, `corrupt-${testIndex}.json`);
    await writeFile(badLeads, '[{"id": "a", "first_name": ');
    vi.stubEnv('LEADS_PATH', badLeads);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: 'a' }));
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).not.toContain(badLeads);
    expect(errors.mock.calls.flat().join(' ')).toContain(`${badLeads} is not valid JSON`);
    errors.mockRestore();
  });

  it('answers a lead id with a NUL byte as an unknown lead (404), not a store fault', async () => {
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: 'lead\u0000x' }));
    expect(response.status).toBe(404);
  });
});

describe('POST /api/enrich: lead ids of any text (finding 5)', () => {
  it('enriches and saves leads whose ids are generated text, Object.prototype keys and URL syntax, each exactly', async () => {
    const ids = [...new Set([...NOTORIOUS_IDS, ...fc.sample(leadIdArbitrary(), { numRuns: 80, seed: 21 })])];
    const oddLeadsPath = path.join(dir, `odd-leads-${testIndex}.json`);
    await writeFile(oddLeadsPath, JSON.stringify(ids.map((id, i) => ({ id, first_name: `Odd${i}` }))));
    vi.stubEnv('LEADS_PATH', oddLeadsPath);
    vi.stubEnv('ENRICH_RATE_LIMIT', '1000');
    vi.stubEnv('ENRICH_LIVE_DAILY_LIMIT', '1000');
    const { POST } = await loadRoute();
    for (const id of ids) {
      const response = await POST(enrichRequest({ leadId: id }));
      expect(response.status, JSON.stringify(id)).toBe(200);
      const body = (await response.json()) as { leadId: string; saved: boolean; enrichment: { lead_id: string } };
      expect(body).toMatchObject({ leadId: id, saved: true, enrichment: { lead_id: id } });
    }
    const stored = await createFileStore({ leadsPath: oddLeadsPath, enrichmentsPath, rules: DEFAULT_RULES }).enrichments();
    expect([...stored.keys()].sort()).toEqual([...ids].sort());
  });
});
