/**
 * The live route's rate limiter. One interface, two backends: in memory (one app instance) and
 * Postgres (`rate_limits` table, so the limit holds across several app instances).
 */

export interface RateLimitDecision {
  /** Whether this request may go ahead. A denied request does not use up anything. */
  allowed: boolean;
  /** Requests admitted per window for one key. */
  limit: number;
  /** Requests the key may still make in the current window, after this one. */
  remaining: number;
  /** Seconds until the current window ends (whole seconds, at least 1 when denied; 0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimitOptions {
  /** Requests admitted per key per window. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Counts one request for `key` (e.g. a client IP) at `now` (default: the limiter's clock). */
  check(key: string, now?: Date): Promise<RateLimitDecision>;
}
