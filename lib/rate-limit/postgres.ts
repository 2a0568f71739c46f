import 'server-only';
import type { Sql } from '../db/connect';
import { AppError } from '../errors';
import type { RateLimitDecision, RateLimiter, RateLimitOptions } from './types';

/**
 * Fixed-window limiter on PostgreSQL (`rate_limits` table, `rate_limit_hit` function in
 * supabase/migrations): one atomic upsert per request, so the limit holds across any number of app
 * instances sharing the database. A key's window opens at its first request and lasts `windowSeconds`.
 * Without `now`, the database clock decides, one clock for every instance.
 */

/** Ended windows are pruned every this many checks per limiter, so the table stays one row per active key. */
const PRUNE_EVERY = 500;

interface HitRow {
  allowed: boolean;
  hits: number;
  window_end: Date;
  now: Date;
}

export function createPostgresRateLimiter(sql: Sql, { limit, windowSeconds }: RateLimitOptions): RateLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new AppError('CONFIG_ERROR', `Rate limit must be a whole number ≥ 1, got ${limit}`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new AppError('CONFIG_ERROR', `Rate window must be a whole number of seconds ≥ 1, got ${windowSeconds}`);
  let checks = 0;

  return {
    async check(key: string, now?: Date): Promise<RateLimitDecision> {
      let row: HitRow | undefined;
      try {
        const at = now ?? null;
        [row] = await sql<HitRow[]>`
          select h.allowed, h.hits, h.window_end, coalesce(${at}::timestamptz, clock_timestamp()) as now
          from public.rate_limit_hit(${key}, ${limit}, ${windowSeconds}, ${at}::timestamptz) as h`;
        if (++checks % PRUNE_EVERY === 0) await sql`select public.rate_limit_prune(${at}::timestamptz)`;
      } catch (error) {
        throw new AppError('STORE_ERROR', `Rate limiter: counting a request failed: ${error instanceof Error ? error.message : String(error)}`, {
          safeMessage: 'The rate limiter is unavailable.',
          cause: error,
        });
      }
      const { allowed, hits, window_end: windowEnd, now: dbNow } = row!;
      const untilEnd = Math.max(1, Math.ceil((windowEnd.getTime() - dbNow.getTime()) / 1000));
      return { allowed, limit, remaining: Math.max(0, limit - hits), retryAfterSeconds: allowed ? 0 : untilEnd };
    },
  };
}
