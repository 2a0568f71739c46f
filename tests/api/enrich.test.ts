import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

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
  vi.stubEnv('LEAD_STORE', 'file');
  vi.stubEnv('LEADS_PATH', leadsPath);
  vi.stubEnv('ENRICHMENTS_PATH', enrichmentsPath);
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  vi.stubEnv('ANTHROPIC_BASE_URL', '');
  vi.stubEnv('ENRICH_LIVE_ENABLED', 'true');
  vi.stubEnv('ENRICH_RATE_LIMIT', '5');
  vi.stubEnv('ENRICH_RATE_WINDOW', '1h');
  vi.stubEnv('ENRICH_CLIENT_IP_HEADER', '');
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

  it('refuses an oversized body before parsing it', async () => {
    const { POST } = await loadRoute();
    const response = await POST(enrichRequest({ leadId: 'x'.repeat(10_000) }));
    expect(response.status).toBe(400);
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
    const body = (await response.json()) as { leadId: string; status: string; enrichment: Record<string, unknown> };
    expect(body.leadId).toBe(leadId);
    expect(body.status).toBe('mock');
    expect(body.enrichment).toMatchObject({ lead_id: leadId, source: 'mock', cost_usd: 0 });

    const saved = JSON.parse(await readFile(enrichmentsPath, 'utf8')) as { enrichments: Record<string, { source: string; enriched_at: string }> };
    expect(Object.keys(saved.enrichments)).toEqual([leadId]);
    expect(saved.enrichments[leadId]).toMatchObject({ source: 'mock', enriched_at: body.enrichment.enriched_at });

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
    const saved = JSON.parse(await readFile(enrichmentsPath, 'utf8')) as { enrichments: Record<string, unknown> };
    expect(Object.keys(saved.enrichments)).toHaveLength(5);
  });

  it('limits each IP separately, keyed by the first X-Forwarded-For entry', async () => {
    vi.stubEnv('ENRICH_RATE_LIMIT', '2');
    const { POST } = await loadRoute();
    const leadId = leadIds[0]!;
    expect((await POST(enrichRequest({ leadId }, { ip: '192.0.2.1' }))).status).toBe(200);
    // Same client behind a different proxy hop: still the same key.
    expect((await POST(enrichRequest({ leadId }, { ip: '192.0.2.1, 10.0.0.9' }))).status).toBe(200);
    expect((await POST(enrichRequest({ leadId }, { ip: '192.0.2.1' }))).status).toBe(429);
    expect((await POST(enrichRequest({ leadId }, { ip: '192.0.2.2' }))).status).toBe(200);
  });

  it('reads the client IP from the header named by ENRICH_CLIENT_IP_HEADER', async () => {
    vi.stubEnv('ENRICH_RATE_LIMIT', '1');
    vi.stubEnv('ENRICH_CLIENT_IP_HEADER', 'X-Real-IP');
    const { POST } = await loadRoute();
    const leadId = leadIds[0]!;
    const send = (realIp: string, forwarded: string) => POST(enrichRequest({ leadId }, { ip: forwarded, headers: { 'x-real-ip': realIp } }));
    expect((await send('192.0.2.10', '1.1.1.1')).status).toBe(200);
    // A forged X-Forwarded-For does not help once the trusted header is configured.
    expect((await send('192.0.2.10', '2.2.2.2')).status).toBe(429);
    expect((await send('192.0.2.11', '1.1.1.1')).status).toBe(200);
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
    await expect(readFile(enrichmentsPath, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('POST /api/enrich: with an API key (fake Claude on loopback)', () => {
  let server: Server;
  let baseUrl: string;
  let reply: (req: IncomingMessage, body: string) => { status: number; json: unknown };
  const requests: { path: string; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body: JSON.parse(body || '{}') as Record<string, unknown> });
        const { status, json } = reply(req, body);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
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
    const saved = JSON.parse(await readFile(enrichmentsPath, 'utf8')) as { enrichments: Record<string, { source: string }> };
    expect(saved.enrichments[leadId]?.source).toBe('claude');
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
    await expect(readFile(enrichmentsPath, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    errors.mockRestore();
  });
});
