import type { RateLimitDecision, RateLimiter, RateLimitOptions } from './types';

/**
 * Sliding-window limiter kept in this process's memory: right for the file store, where one `next start`
 * process serves everything. Each key keeps the times of its admitted requests within the last window.
 */
export function createMemoryRateLimiter({ limit, windowSeconds }: RateLimitOptions): RateLimiter {
  const windowMs = windowSeconds * 1000;
  const admitted = new Map<string, number[]>();
  let lastSweep = 0;

  /** Drops keys whose requests have all left the window, so memory stays bounded by recent clients. */
  function sweep(nowMs: number): void {
    if (nowMs - lastSweep < windowMs) return;
    lastSweep = nowMs;
    for (const [key, times] of admitted) {
      if (times.every((t) => t <= nowMs - windowMs)) admitted.delete(key);
    }
  }

  return {
    // No `await` in here: the count and the record happen in one synchronous step, so concurrent
    // requests in this process cannot both see the last free slot. The limit is exact.
    async check(key: string, now: Date = new Date()): Promise<RateLimitDecision> {
      const nowMs = now.getTime();
      sweep(nowMs);
      const recent = (admitted.get(key) ?? []).filter((t) => t > nowMs - windowMs);
      if (recent.length < limit) {
        recent.push(nowMs);
        admitted.set(key, recent);
        return { allowed: true, limit, remaining: limit - recent.length, retryAfterSeconds: 0 };
      }
      admitted.set(key, recent);
      const oldest = Math.min(...recent);
      return { allowed: false, limit, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - nowMs) / 1000)) };
    },
  };
}
