import { expect, it } from 'vitest';
import type { RateLimitDecision } from '@/lib/rate-limit/types';
import { createPostgresRateLimiter } from '@/lib/rate-limit/postgres';
import { describePostgres } from '../support/pg';
import { raceFromTwoProcesses } from '../support/pg-race';

describePostgres('postgres rate limiter', (db) => {
  it('admits exactly the limit under 50 concurrent requests from two app processes', async () => {
    const decisions = await raceFromTwoProcesses<RateLimitDecision>(['rate-limit', db().url, '25', 'ip:203.0.113.7', '5', '3600']);

    expect(decisions).toHaveLength(50);
    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(5);
    expect(allowed.map((d) => d.remaining).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const denied of decisions.filter((d) => !d.allowed)) {
      expect(denied).toMatchObject({ limit: 5, remaining: 0 });
      expect(denied.retryAfterSeconds).toBeGreaterThan(3590);
      expect(denied.retryAfterSeconds).toBeLessThanOrEqual(3600);
    }
    const [row] = await db().sql`select hits from public.rate_limits where key = 'ip:203.0.113.7'`;
    expect(row).toEqual({ hits: 6 });
  }, 60_000);

  it('opens a new window once the old one has ended, and says how long to wait until then', async () => {
    const limiter = createPostgresRateLimiter(db().sql, { limit: 2, windowSeconds: 60 });
    const t0 = Date.parse('2026-11-27T10:00:00.000Z');
    const at = (seconds: number) => new Date(t0 + seconds * 1000);

    expect(await limiter.check('k', at(0))).toEqual({ allowed: true, limit: 2, remaining: 1, retryAfterSeconds: 0 });
    expect(await limiter.check('k', at(10))).toEqual({ allowed: true, limit: 2, remaining: 0, retryAfterSeconds: 0 });
    expect(await limiter.check('k', at(10.2))).toEqual({ allowed: false, limit: 2, remaining: 0, retryAfterSeconds: 50 });
    expect(await limiter.check('k', at(59.5))).toEqual({ allowed: false, limit: 2, remaining: 0, retryAfterSeconds: 1 });
    // Denied requests do not extend the window.
    expect(await limiter.check('k', at(60))).toEqual({ allowed: true, limit: 2, remaining: 1, retryAfterSeconds: 0 });
    expect(await limiter.check('k', at(61))).toEqual({ allowed: true, limit: 2, remaining: 0, retryAfterSeconds: 0 });
    expect(await limiter.check('k', at(62))).toMatchObject({ allowed: false, retryAfterSeconds: 58 });
    // Other keys have their own windows.
    expect(await limiter.check('other', at(62))).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('prunes ended windows', async () => {
    const limiter = createPostgresRateLimiter(db().sql, { limit: 1, windowSeconds: 60 });
    await limiter.check('old', new Date('2026-01-01T00:00:00Z'));
    await limiter.check('new', new Date('2026-01-01T00:05:00Z'));
    const [pruned] = await db().sql`select public.rate_limit_prune('2026-01-01T00:05:30Z') as n`;
    expect(pruned).toEqual({ n: 1 });
    const keys = await db().sql`select key from public.rate_limits where key in ('old', 'new')`;
    expect(keys).toEqual([{ key: 'new' }]);
  });

  it('rejects a limit or window that is not a positive whole number', () => {
    expect(() => createPostgresRateLimiter(db().sql, { limit: 0, windowSeconds: 60 })).toThrow(/whole number/);
    expect(() => createPostgresRateLimiter(db().sql, { limit: 5, windowSeconds: 1.5 })).toThrow(/whole number/);
  });
});
