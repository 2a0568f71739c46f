import { describe, expect, it } from 'vitest';
import { cachedRead } from '@/lib/store/sql/summary';

describe('cachedRead', () => {
  it('reads once per minute, again after forget, and retries a failed read', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const cache = cachedRead(
      async () => {
        reads++;
        if (fail) throw new Error('down');
        return { total: reads, present: {} };
      },
      60_000,
      () => now,
    );
    expect((await cache.get()).total).toBe(1);
    now = 59_000;
    expect((await cache.get()).total).toBe(1);
    now = 61_000;
    expect((await cache.get()).total).toBe(2);
    cache.forget();
    fail = true;
    await expect(cache.get()).rejects.toThrow('down');
    fail = false;
    expect((await cache.get()).total).toBe(4);
  });
});
