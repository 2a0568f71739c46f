import 'server-only';
import { env, type Env } from '../env';
import { createMemoryRateLimiter } from './memory';
import type { RateLimiter } from './types';

/**
 * The live route's limiter, chosen with the store: with Postgres, limits live in the database so they
 * hold across app instances; otherwise (file store: one `next start` process) in memory. Supabase
 * deployments use the in-memory limiter per instance.
 */
async function createLimiter(config: Env): Promise<RateLimiter> {
  const options = { limit: config.ENRICH_RATE_LIMIT, windowSeconds: config.ENRICH_RATE_WINDOW };
  if (config.LEAD_STORE === 'postgres') {
    // Imported only when chosen, so the file store never loads a database driver. A pool of its own,
    // kept small: one short upsert per live request.
    const [{ createPostgresRateLimiter }, { connectPostgres }] = await Promise.all([import('./postgres'), import('../db/connect')]);
    return createPostgresRateLimiter(connectPostgres(config.DATABASE_URL!, { max: 2 }), options);
  }
  return createMemoryRateLimiter(options);
}

let limiter: Promise<RateLimiter> | undefined;

/** The process-wide limiter; a failed creation is retried on the next call rather than cached. */
export function getRateLimiter(): Promise<RateLimiter> {
  if (!limiter) {
    const attempt = createLimiter(env());
    limiter = attempt;
    attempt.catch(() => {
      if (limiter === attempt) limiter = undefined;
    });
  }
  return limiter;
}
