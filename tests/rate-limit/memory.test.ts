import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '@/lib/rate-limit/memory';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 1) + seconds * 1000);

describe('createMemoryRateLimiter', () => {
  it('admits `limit` requests per window, then denies with the time until a slot frees', async () => {
    const limiter = createMemoryRateLimiter({ limit: 3, windowSeconds: 60 });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.check('ip-a', at(i)));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[0]).toMatchObject({ limit: 3, retryAfterSeconds: 0 });
    // The first request (t=0) leaves the window at t=60; asked at t=3, that is 57 s away.
    expect(decisions[3]!.retryAfterSeconds).toBe(57);
  });

  it('slides: a slot frees exactly when the oldest admitted request leaves the window', async () => {
    const limiter = createMemoryRateLimiter({ limit: 2, windowSeconds: 10 });
    await limiter.check('k', at(0));
    await limiter.check('k', at(5));
    expect((await limiter.check('k', at(9.9))).allowed).toBe(false);
    expect((await limiter.check('k', at(10))).allowed).toBe(true);
    expect((await limiter.check('k', at(10.5))).allowed).toBe(false);
    expect((await limiter.check('k', at(15))).allowed).toBe(true);
  });

  it('does not count denied requests against the client', async () => {
    const limiter = createMemoryRateLimiter({ limit: 1, windowSeconds: 10 });
    await limiter.check('k', at(0));
    for (let s = 1; s < 10; s++) expect((await limiter.check('k', at(s))).allowed).toBe(false);
    expect((await limiter.check('k', at(10))).allowed).toBe(true);
  });

  it('keeps keys independent', async () => {
    const limiter = createMemoryRateLimiter({ limit: 1, windowSeconds: 60 });
    expect((await limiter.check('a', at(0))).allowed).toBe(true);
    expect((await limiter.check('a', at(1))).allowed).toBe(false);
    expect((await limiter.check('b', at(1))).allowed).toBe(true);
  });

  it('is exact under concurrent calls: 20 at once admit exactly the limit', async () => {
    const limiter = createMemoryRateLimiter({ limit: 5, windowSeconds: 3600 });
    const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.check('same-ip')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds >= 1)).toBe(true);
  });
});
