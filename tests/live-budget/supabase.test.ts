import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabaseLiveBudget } from '@/lib/live-budget/supabase';
import { createServiceClient } from '@/lib/store/supabase';

/**
 * The budget on Supabase without DATABASE_URL, by contract (no PostgREST here, as in tests/store/supabase.test.ts):
 * the RPC requests it makes and how it reads PostgREST's rows. The SQL functions themselves run on real
 * PostgreSQL in ./postgres.test.ts.
 */

const KEY = 'test-service-role-key';
let server: Server;
let baseUrl: string;
const requests: { url: string; headers: IncomingHttpHeaders; body: unknown }[] = [];
let reply: { status: number; body: unknown } = { status: 200, body: [] };

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('supabase live budget', () => {
  const budget = () => createSupabaseLiveBudget(createServiceClient(baseUrl, KEY), { calls: 50, usd: 2 });

  it('reserves through the live_budget_reserve RPC with the service key, and reads its row', async () => {
    requests.length = 0;
    reply = { status: 200, body: [{ allowed: true, day: '2026-12-04', calls: 3, usd: '0.12500000' }] };
    const decision = await budget().reserve(0.05, new Date('2026-12-04T10:00:00Z'));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe('/rest/v1/rpc/live_budget_reserve');
    expect(requests[0]!.headers).toMatchObject({ apikey: KEY, authorization: `Bearer ${KEY}` });
    expect(requests[0]!.body).toEqual({ p_worst_usd: 0.05, p_max_calls: 50, p_max_usd: 2, p_now: '2026-12-04T10:00:00.000Z' });
    expect(decision).toEqual({
      allowed: true,
      reservation: { day: '2026-12-04', worstCaseUsd: 0.05 },
      status: { day: '2026-12-04', callsRemaining: 47, usdRemaining: 1.875, resetsAt: new Date('2026-12-05T00:00:00Z') },
    });
  });

  it('reads a refusal and says which limit was reached', async () => {
    reply = { status: 200, body: [{ allowed: false, day: '2026-12-04', calls: 50, usd: '1.5' }] };
    expect(await budget().reserve(0.05)).toMatchObject({ allowed: false, exhausted: 'calls', status: { callsRemaining: 0 } });
    reply = { status: 200, body: [{ allowed: false, day: '2026-12-04', calls: 10, usd: '1.99' }] };
    expect(await budget().reserve(0.05)).toMatchObject({ allowed: false, exhausted: 'usd' });
  });

  it('settles through live_budget_settle', async () => {
    requests.length = 0;
    reply = { status: 200, body: [{ day: '2026-12-04', calls: 3, usd: '0.08' }] };
    const status = await budget().settle({ day: '2026-12-04', worstCaseUsd: 0.05 }, 0.003);
    expect(requests[0]!.url).toBe('/rest/v1/rpc/live_budget_settle');
    expect(requests[0]!.body).toEqual({ p_day: '2026-12-04', p_worst_usd: 0.05, p_actual_usd: 0.003 });
    expect(status).toMatchObject({ callsRemaining: 47, usdRemaining: 1.92 });
  });

  it('fails closed as a STORE_ERROR when the API refuses', async () => {
    reply = { status: 404, body: { code: 'PGRST202', message: 'Could not find the function public.live_budget_reserve' } };
    await expect(budget().reserve(0.05)).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('reserving a call failed: PGRST202: Could not find the function') });
  });
});
