import 'server-only';
import type { Sql } from '../db/connect';
import { AppError } from '../errors';
import { budgetStatus, type LiveBudget, type LiveBudgetDecision, type LiveBudgetLimits, type LiveBudgetUse } from './budget';

/**
 * The daily budget in PostgreSQL (`live_budget` table, `live_budget_reserve` / `live_budget_settle` in
 * supabase/migrations): each step is one atomic statement, so every app instance draws on one budget, timed
 * by the database clock.
 */

interface BudgetRow {
  allowed?: boolean;
  day: Date | string;
  calls: number;
  /** numeric: postgres.js returns it as text. */
  usd: string | number;
}

export function budgetUseFromRow(row: BudgetRow): LiveBudgetUse {
  const day = row.day instanceof Date ? row.day.toISOString().slice(0, 10) : String(row.day).slice(0, 10);
  return { day, calls: Number(row.calls), usd: Number(row.usd) };
}

/** The decision a reserve call's row stands for. */
export function reserveDecision(row: BudgetRow, limits: LiveBudgetLimits, worstCaseUsd: number): LiveBudgetDecision {
  const use = budgetUseFromRow(row);
  const status = budgetStatus(use, limits);
  if (row.allowed) return { allowed: true, reservation: { day: use.day, worstCaseUsd }, status };
  return { allowed: false, exhausted: use.calls + 1 > limits.calls ? 'calls' : 'usd', status };
}

/** Also for the RPC backend, whose errors are PostgREST objects ({ code, message }) rather than Errors. */
export function budgetStoreError(action: string, error: unknown): AppError {
  const e = error as { code?: unknown; message?: unknown } | null;
  const detail = error instanceof Error ? error.message : typeof e?.message === 'string' ? [e.code, e.message].filter(Boolean).join(': ') : String(error);
  return new AppError('STORE_ERROR', `Live budget: ${action} failed: ${detail}`, {
    safeMessage: 'The live enrichment budget is unavailable.',
    cause: error,
  });
}

export function createPostgresLiveBudget(sql: Sql, limits: LiveBudgetLimits): LiveBudget {
  return {
    async reserve(worstCaseUsd, now) {
      try {
        const [row] = await sql<BudgetRow[]>`
          select * from public.live_budget_reserve(${worstCaseUsd}, ${limits.calls}, ${limits.usd}, ${now ?? null}::timestamptz)`;
        return reserveDecision(row!, limits, worstCaseUsd);
      } catch (error) {
        throw budgetStoreError('reserving a call', error);
      }
    },
    async settle(reservation, actualUsd) {
      try {
        const [row] = await sql<BudgetRow[]>`
          select * from public.live_budget_settle(${reservation.day}::date, ${reservation.worstCaseUsd}, ${actualUsd})`;
        return budgetStatus(row ? budgetUseFromRow(row) : { day: reservation.day, calls: 0, usd: 0 }, limits);
      } catch (error) {
        throw budgetStoreError('settling a call', error);
      }
    },
  };
}
