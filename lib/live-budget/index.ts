import 'server-only';
import { env, type Env } from '../env';
import { retryOnFailure } from '../memo';
import type { LiveBudget } from './budget';

/**
 * The process-wide live budget, kept where the store keeps its data: beside the enrichments file for the
 * file store; in PostgreSQL for the postgres store, and for the Supabase store when DATABASE_URL is set;
 * otherwise through the Supabase REST API (RPC to the same SQL functions). Never in memory: every app
 * instance and process must draw on the one budget.
 */
async function createLiveBudget(config: Env): Promise<LiveBudget> {
  const limits = { calls: config.ENRICH_LIVE_DAILY_LIMIT, usd: config.ENRICH_LIVE_DAILY_USD };
  if (config.LEAD_STORE === 'file') {
    const { createFileLiveBudget, liveBudgetPath } = await import('./file');
    return createFileLiveBudget(liveBudgetPath(config.ENRICHMENTS_PATH), limits);
  }
  if (config.DATABASE_URL) {
    const [{ createPostgresLiveBudget }, { connectPostgres }] = await Promise.all([import('./postgres'), import('../db/connect')]);
    return createPostgresLiveBudget(connectPostgres(config.DATABASE_URL, { max: 2 }), limits);
  }
  // LEAD_STORE=supabase without DATABASE_URL: lib/env.ts has checked SUPABASE_URL and the service key.
  const [{ createSupabaseLiveBudget }, { createServiceClient }] = await Promise.all([import('./supabase'), import('../store/supabase')]);
  return createSupabaseLiveBudget(createServiceClient(config.SUPABASE_URL!, config.SUPABASE_SERVICE_ROLE_KEY!), limits);
}

export const getLiveBudget: () => Promise<LiveBudget> = retryOnFailure(() => createLiveBudget(env()));
