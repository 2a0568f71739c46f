import { expect, it } from 'vitest';
import type { LiveBudgetDecision } from '@/lib/live-budget/budget';
import { createPostgresLiveBudget } from '@/lib/live-budget/postgres';
import { describePostgres } from '../support/pg';
import { raceFromTwoProcesses } from '../support/pg-race';

describePostgres('postgres live budget', (db) => {
  it('admits exactly ENRICH_LIVE_DAILY_LIMIT of 60 concurrent calls from two app processes', async () => {
    await db().sql`delete from public.live_budget`;
    const decisions = await raceFromTwoProcesses<LiveBudgetDecision>(['live-budget', db().url, '30', '0', '7', '100']);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    for (const d of decisions.filter((x) => !x.allowed)) expect(d).toMatchObject({ exhausted: 'calls', status: { callsRemaining: 0 } });
    const [row] = await db().sql`select calls, usd::float8 as usd from public.live_budget`;
    expect(row).toEqual({ calls: 7, usd: 0 });
  }, 60_000);

  it('never reserves past ENRICH_LIVE_DAILY_USD under 40 concurrent calls', async () => {
    await db().sql`delete from public.live_budget`;
    const decisions = await raceFromTwoProcesses<LiveBudgetDecision>(['live-budget', db().url, '20', '0.3', '1000', '1']);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    expect(decisions.filter((d) => !d.allowed).every((d) => !d.allowed && d.exhausted === 'usd')).toBe(true);
    const [row] = await db().sql`select usd::float8 as usd from public.live_budget`;
    expect(row!.usd).toBeCloseTo(0.9, 8);
  }, 60_000);

  it('settles a reservation to the real cost, keeps the worst case for an unknown one, and starts afresh each UTC day', async () => {
    await db().sql`delete from public.live_budget`;
    const budget = createPostgresLiveBudget(db().sql, { calls: 3, usd: 1 });
    const day1 = new Date('2026-12-04T23:59:00Z');
    const a = await budget.reserve(0.4, day1);
    const b = await budget.reserve(0.4, day1);
    expect([a.allowed, b.allowed]).toEqual([true, true]);
    expect(await budget.reserve(0.4, day1)).toMatchObject({ allowed: false, exhausted: 'usd', status: { day: '2026-12-04', callsRemaining: 1 } });
    if (!a.allowed || !b.allowed) throw new Error('unreachable');
    expect((await budget.settle(a.reservation, 0.01)).usdRemaining).toBeCloseTo(0.59, 8);
    expect((await budget.settle(b.reservation, null)).usdRemaining).toBeCloseTo(0.59, 8);
    const c = await budget.reserve(0.4, day1);
    expect(c).toMatchObject({ allowed: true, status: { callsRemaining: 0, resetsAt: new Date('2026-12-05T00:00:00Z') } });
    expect(await budget.reserve(0, day1)).toMatchObject({ allowed: false, exhausted: 'calls' });

    const day2 = new Date('2026-12-05T00:00:01Z');
    expect(await budget.reserve(0.4, day2)).toMatchObject({ allowed: true, status: { day: '2026-12-05', callsRemaining: 2 } });
    // A call reserved yesterday settles into yesterday, not today.
    if (c.allowed) await budget.settle(c.reservation, 0);
    const rows = await db().sql`select day::text as day, calls, usd::float8 as usd from public.live_budget order by day`;
    expect(rows).toEqual([
      { day: '2026-12-04', calls: 3, usd: expect.closeTo(0.41, 8) },
      { day: '2026-12-05', calls: 1, usd: expect.closeTo(0.4, 8) },
    ]);
  });
});
