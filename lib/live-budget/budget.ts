/**
 * The live route's global daily budget: at most ENRICH_LIVE_DAILY_LIMIT calls and ENRICH_LIVE_DAILY_USD
 * spend per UTC day across every user, so no client (signed in or not, however many addresses it has) can
 * spend more. A call reserves its worst-case cost before it starts and settles to its real cost after, the
 * way the batch job's --max-cost does; a process that dies in between leaves the worst case counted.
 *
 * One interface, three backends (file beside the enrichments, PostgreSQL, Supabase RPC), all doing the
 * arithmetic below or its SQL twin (supabase/migrations/*_live_budget.sql).
 */

export interface LiveBudgetLimits {
  calls: number;
  usd: number;
}

/** One day's use: calls admitted, and USD spent or still reserved by calls in flight. */
export interface LiveBudgetUse {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  calls: number;
  usd: number;
}

/** What is left of the day's budget, for response headers and messages. */
export interface LiveBudgetStatus {
  day: string;
  callsRemaining: number;
  usdRemaining: number;
  /** When the next day's budget starts (midnight UTC). */
  resetsAt: Date;
}

/** An admitted call's claim on the budget, handed back to `settle`. */
export interface LiveBudgetReservation {
  day: string;
  worstCaseUsd: number;
}

export type LiveBudgetDecision =
  | { allowed: true; reservation: LiveBudgetReservation; status: LiveBudgetStatus }
  | { allowed: false; exhausted: 'calls' | 'usd'; status: LiveBudgetStatus };

export interface LiveBudget {
  /** Admits one call that can cost at most `worstCaseUsd`, reserving that much, or says which limit is used up. */
  reserve(worstCaseUsd: number, now?: Date): Promise<LiveBudgetDecision>;
  /** Replaces the reservation by the call's real cost (null: unknown, the worst case stays counted). */
  settle(reservation: LiveBudgetReservation, actualUsd: number | null): Promise<LiveBudgetStatus>;
}

/** Sums of float prices drift by ~1e-16; a budget is never refused for less than a millionth of a cent. */
const USD_EPSILON = 1e-9;

export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function nextUtcMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000);
}

export function budgetStatus(use: LiveBudgetUse, limits: LiveBudgetLimits): LiveBudgetStatus {
  return {
    day: use.day,
    callsRemaining: Math.max(0, limits.calls - use.calls),
    usdRemaining: Math.max(0, limits.usd - use.usd),
    resetsAt: nextUtcMidnight(use.day),
  };
}

/** The reservation step on a day's use: the new use when admitted, or which limit refuses the call. */
export function reserveIn(
  stored: LiveBudgetUse | null,
  limits: LiveBudgetLimits,
  worstCaseUsd: number,
  now: Date,
): { use: LiveBudgetUse; decision: LiveBudgetDecision } {
  const day = utcDay(now);
  const use = stored && stored.day === day ? stored : { day, calls: 0, usd: 0 };
  const exhausted = use.calls + 1 > limits.calls ? 'calls' : use.usd + worstCaseUsd > limits.usd + USD_EPSILON ? 'usd' : null;
  if (exhausted) return { use, decision: { allowed: false, exhausted, status: budgetStatus(use, limits) } };
  const next = { day, calls: use.calls + 1, usd: use.usd + worstCaseUsd };
  return { use: next, decision: { allowed: true, reservation: { day, worstCaseUsd }, status: budgetStatus(next, limits) } };
}

/** The settle step: a reservation of an earlier day changes nothing (that day is over). */
export function settleIn(stored: LiveBudgetUse | null, reservation: LiveBudgetReservation, actualUsd: number | null): LiveBudgetUse | null {
  if (!stored || stored.day !== reservation.day) return stored;
  return { ...stored, usd: Math.max(0, stored.usd - reservation.worstCaseUsd + (actualUsd ?? reservation.worstCaseUsd)) };
}
