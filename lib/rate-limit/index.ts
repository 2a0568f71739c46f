import 'server-only';
import { env, type Env } from '../env';
import { retryOnFailure } from '../memo';
import { createMemoryRateLimiter } from './memory';
import type { RateLimiter } from './types';

/**
 * The live route's limiter: with a database store and DATABASE_URL, counts live in the database so the
 * limit holds across app instances; otherwise (file store: one `next start` process, or Supabase without
 * DATABASE_URL) in memory, per instance.
 */
async function createLimiter(config: Env): Promise<RateLimiter> {
  const options = { limit: config.ENRICH_RATE_LIMIT, windowSeconds: config.ENRICH_RATE_WINDOW };
  if (config.LEAD_STORE !== 'file' && config.DATABASE_URL) {
    // Imported only when chosen, so the file store never loads a database driver. A pool of its own,
    // kept small: one short upsert per live request.
    const [{ createPostgresRateLimiter }, { connectPostgres }] = await Promise.all([import('./postgres'), import('../db/connect')]);
    return createPostgresRateLimiter(connectPostgres(config.DATABASE_URL, { max: 2 }), options);
  }
  return createMemoryRateLimiter(options);
}

/** The process-wide limiter. */
export const getRateLimiter: () => Promise<RateLimiter> = retryOnFailure(() => createLimiter(env()));
