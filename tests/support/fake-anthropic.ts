import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback imitation of the Claude API for tests: the real `@anthropic-ai/sdk` talks to it over HTTP.
 * POST /v1/messages answers with a Message whose text block is the JSON answer (what structured outputs
 * returns and `messages.parse` reads), and the Message Batches endpoints create, report progress and
 * stream JSONL results. Every request is recorded (headers and body) and concurrency is measured.
 */

export const VALID_ANSWER = {
  fit_narrative: 'Requested a demo and viewed pricing three times this month; the company size is unknown.',
  recommended_action: 'Call today and reference the demo request.',
  confidence: 'medium',
} as const;

export type Reply =
  /** 200 with a Message; `answer` is JSON-encoded unless it is already a string (raw text, e.g. malformed). */
  | { kind: 'ok'; answer?: unknown; latencyMs?: number; stopReason?: string }
  /** An API error, optionally with retry-after (seconds) or retry-after-ms. */
  | { kind: 'error'; status: number; retryAfter?: string; retryAfterMs?: number; latencyMs?: number };

/** The parts of a request body the fake and the tests read (the SDK sends more). */
export interface RecordedBody {
  model?: string;
  max_tokens?: number;
  system?: string | { type: string; text: string; cache_control?: { type: string } }[];
  messages?: { role: string; content: string | unknown[] }[];
  output_config?: { format?: { type: string; schema: { required?: string[] } }; effort?: string };
  tools?: unknown;
  tool_choice?: unknown;
  /** Batch creation. */
  requests?: { custom_id: string; params: RecordedBody }[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: RecordedBody;
  /** performance.now() when the request arrived. */
  at: number;
}

/** `index`: the request's position among POST /v1/messages requests, or among a batch's requests. */
export type Responder = (request: RecordedRequest, index: number) => Reply;

interface FakeBatch {
  id: string;
  createdAt: string;
  requests: { custom_id: string; params: RecordedBody }[];
  polls: number;
  endedAt: string | null;
}

export interface FakeAnthropic {
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** POST /v1/messages requests only. */
  messageRequests(): RecordedRequest[];
  readonly maxInFlight: number;
  readonly inFlight: number;
  /** Changes how the next requests are answered. */
  respond(responder: Responder): void;
  /** Batches end after this many status polls (default 2). */
  batchPollsToEnd: number;
  batches: Map<string, FakeBatch>;
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const tokens = (text: string) => Math.ceil(text.length / 4);

function systemText(body: RecordedBody): string {
  return Array.isArray(body.system) ? body.system.map((b) => b.text).join('') : (body.system ?? '');
}

function userText(body: RecordedBody): string {
  return (body.messages ?? []).map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('');
}

export async function startFakeAnthropic(responder: Responder = () => ({ kind: 'ok' })): Promise<FakeAnthropic> {
  let respond = responder;
  let inFlight = 0;
  let maxInFlight = 0;
  let messageCount = 0;
  let messageRequestCount = 0;
  let batchCount = 0;
  const cachedSystems = new Set<string>();
  const requests: RecordedRequest[] = [];
  const batches = new Map<string, FakeBatch>();

  /** A Message for one request, with cache usage as the API reports it: first write, then hits. */
  function message(body: RecordedBody, reply: Extract<Reply, { kind: 'ok' }>) {
    const text = reply.answer === undefined ? JSON.stringify(VALID_ANSWER) : typeof reply.answer === 'string' ? reply.answer : JSON.stringify(reply.answer);
    const system = systemText(body);
    const cacheable = Array.isArray(body.system) && body.system.some((b) => b.cache_control?.type === 'ephemeral');
    const hit = cacheable && cachedSystems.has(system);
    if (cacheable) cachedSystems.add(system);
    return {
      id: `msg_fake_${++messageCount}`,
      type: 'message',
      role: 'assistant',
      model: body.model ?? 'unknown',
      content: [{ type: 'text', text, citations: null }],
      container: null,
      diagnostics: null,
      stop_reason: reply.stopReason ?? 'end_turn',
      stop_sequence: null,
      stop_details: null,
      usage: {
        input_tokens: tokens(userText(body)) + (cacheable ? 0 : tokens(system)),
        output_tokens: tokens(text),
        cache_creation_input_tokens: cacheable && !hit ? tokens(system) : 0,
        cache_read_input_tokens: hit ? tokens(system) : 0,
        cache_creation: null,
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: null,
        service_tier: 'standard',
        speed: null,
      },
    };
  }

  function batchJson(batch: FakeBatch, base: string) {
    const ended = batch.endedAt !== null;
    const total = batch.requests.length;
    const done = ended ? total : Math.min(total, Math.floor((total * batch.polls) / (fake.batchPollsToEnd + 1)));
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : 'in_progress',
      request_counts: { processing: total - done, succeeded: done, errored: 0, canceled: 0, expired: 0 },
      created_at: batch.createdAt,
      ended_at: batch.endedAt,
      expires_at: new Date(Date.parse(batch.createdAt) + 86_400_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `${base}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${requests.length}`, ...headers });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: RecordedRequest) {
    const path = record.path.split('?')[0]!;
    if (!record.headers.authorization && !record.headers['x-api-key']) {
      return sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'no API key' } });
    }
    if (req.method === 'POST' && path === '/v1/messages') {
      const reply = respond(record, messageRequestCount++);
      if (reply.latencyMs) await new Promise((r) => setTimeout(r, reply.latencyMs));
      if (reply.kind === 'error') {
        const headers: Record<string, string> = {};
        if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
        if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
        const type = ERROR_TYPES[reply.status] ?? 'api_error';
        return sendJson(res, reply.status, { type: 'error', error: { type, message: `fake ${type}` } }, headers);
      }
      return sendJson(res, 200, message(record.body, reply));
    }
    if (req.method === 'POST' && path === '/v1/messages/batches') {
      const batch: FakeBatch = { id: `msgbatch_fake_${++batchCount}`, createdAt: new Date().toISOString(), requests: record.body.requests ?? [], polls: 0, endedAt: null };
      batches.set(batch.id, batch);
      return sendJson(res, 200, batchJson(batch, fake.url));
    }
    const results = /^\/v1\/messages\/batches\/([^/]+)\/results$/.exec(path);
    if (req.method === 'GET' && results) {
      const batch = batches.get(results[1]!);
      if (!batch?.endedAt) return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'no results yet' } });
      res.writeHead(200, { 'content-type': 'application/binary' });
      for (const [i, request] of batch.requests.entries()) {
        const reply = respond({ ...record, body: request.params }, i);
        const result =
          reply.kind === 'ok'
            ? { type: 'succeeded', message: message(request.params, reply) }
            : { type: 'errored', error: { type: 'error', error: { type: ERROR_TYPES[reply.status] ?? 'api_error', message: 'fake batch error' } } };
        res.write(`${JSON.stringify({ custom_id: request.custom_id, result })}\n`);
      }
      return res.end();
    }
    const status = /^\/v1\/messages\/batches\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && status) {
      const batch = batches.get(status[1]!);
      if (!batch) return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'no such batch' } });
      batch.polls++;
      if (batch.polls >= fake.batchPollsToEnd && !batch.endedAt) batch.endedAt = new Date().toISOString();
      return sendJson(res, 200, batchJson(batch, fake.url));
    }
    sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${path}` } });
  }

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let open = true;
    const settle = () => {
      if (open) inFlight--;
      open = false;
    };
    res.on('close', settle);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const record: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: text ? (JSON.parse(text) as RecordedBody) : {}, at: performance.now() };
      requests.push(record);
      handle(req, res, record).catch((error: unknown) => sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeAnthropic = {
    url: `http://127.0.0.1:${port}`,
    requests,
    messageRequests: () => requests.filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/v1/messages'),
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    respond(next) {
      respond = next;
    },
    batchPollsToEnd: 2,
    batches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
