import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { parseLeads } from '@/lib/lead';
import { DEFAULT_RULES } from '@/lib/scoring';
import { createPostgresStore } from '@/lib/store/postgres';
import { scoreForStore } from '@/lib/store/scored-lead';
import { AS_OF, generateLeads } from '@/lib/synthetic';
import { stubLiveRouteEnv } from '../support/live-route-env';
import { describePostgres } from '../support/pg';

/**
 * The live route on LEAD_STORE=postgres: the rate limit and the daily budget live in PostgreSQL, and the
 * client key is the same canonical one as with the file store (finding 1 held for the Postgres limiter too).
 */

const leads = parseLeads(generateLeads({ count: 20, seed: 5 })).leads;
const ids = leads.map((l) => l.id);

describePostgres('POST /api/enrich on the postgres store', (db) => {
  beforeAll(async () => {
    const store = createPostgresStore({ DATABASE_URL: undefined, SCORING_RULES: undefined }, { sql: db().sql });
    await store.upsertLeads(leads.map((lead) => scoreForStore(lead, { rules: DEFAULT_RULES, now: new Date(AS_OF) })));
  });

  beforeEach(async () => {
    await db().sql`delete from public.rate_limits`;
    await db().sql`delete from public.live_budget`;
    vi.resetModules();
    stubLiveRouteEnv({ LEAD_STORE: 'postgres', DATABASE_URL: db().url });
  });
  afterEach(() => vi.unstubAllEnvs());
  // The route's pools (store, limiter, budget) live as long as their modules: end their sessions, so the
  // throwaway database can be dropped.
  afterAll(async () => {
    await db().sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  });

  const post = async (leadId: string, ip: string) => {
    const { POST } = await import('@/app/api/enrich/route');
    return POST(new Request('http://localhost/api/enrich', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ leadId }) }));
  };

  it('gives rotating X-Forwarded-For values no fresh bucket with the default settings', async () => {
    const statuses = [];
    for (const ip of ['9.9.9.9', '9.9.9.9:1234', '009.9.9.9', '::ffff:9.9.9.9', '1.1.1.1', '2.2.2.2', '3.3.3.3']) statuses.push((await post(ids[0]!, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const keys = await db().sql`select key, hits from public.rate_limits`;
    expect(keys).toEqual([{ key: 'enrich:ip:unknown', hits: 6 }]);
  });

  it('keys one client spelled several ways as one row with TRUST_PROXY_HOPS=1', async () => {
    vi.stubEnv('TRUST_PROXY_HOPS', '1');
    for (const ip of ['9.9.9.9', '8.8.8.8, 9.9.9.9:1234', '::ffff:9.9.9.9', '2001:db8::1', '2001:db8::2']) expect((await post(ids[1]!, ip)).status).toBe(200);
    const keys = await db().sql`select key, hits from public.rate_limits order by key`;
    expect(keys).toEqual([
      { key: 'enrich:ip:2001:db8::/64', hits: 2 },
      { key: 'enrich:ip:9.9.9.9', hits: 3 },
    ]);
  });

  it('keeps the daily budget in PostgreSQL: 4 of 12 parallel calls from 12 addresses', async () => {
    vi.stubEnv('TRUST_PROXY_HOPS', '1');
    vi.stubEnv('ENRICH_LIVE_DAILY_LIMIT', '4');
    const responses = await Promise.all(ids.slice(0, 12).map((id, i) => post(id, `198.51.100.${i + 1}`)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(4);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(8);
    const [row] = await db().sql`select calls from public.live_budget`;
    expect(row).toEqual({ calls: 4 });
  });

  it('answers a lead id with a NUL byte as an unknown lead, not a database fault', async () => {
    expect((await post('lead\u0000x', '203.0.113.1')).status).toBe(404);
  });
});
