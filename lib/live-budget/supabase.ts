import 'server-only';
import type { SupabaseClient } from '@supabase/supabase-js';
import { budgetStatus, type LiveBudget, type LiveBudgetLimits } from './budget';
import { budgetStoreError, budgetUseFromRow, reserveDecision } from './postgres';

/**
 * The daily budget on Supabase without DATABASE_URL: the same SQL functions as ./postgres.ts, called as RPC
 * over the REST API with the service-role key (the functions are executable by the service role only).
 */

type Row = Parameters<typeof budgetUseFromRow>[0] & { allowed?: boolean };

export function createSupabaseLiveBudget(client: SupabaseClient, limits: LiveBudgetLimits): LiveBudget {
  return {
    async reserve(worstCaseUsd, now) {
      const { data, error } = await client.rpc('live_budget_reserve', {
        p_worst_usd: worstCaseUsd,
        p_max_calls: limits.calls,
        p_max_usd: limits.usd,
        p_now: now?.toISOString() ?? null,
      });
      const row = (data as Row[] | null)?.[0];
      if (error || !row) throw budgetStoreError('reserving a call', error ?? new Error('live_budget_reserve returned no row'));
      return reserveDecision(row, limits, worstCaseUsd);
    },
    async settle(reservation, actualUsd) {
      const { data, error } = await client.rpc('live_budget_settle', {
        p_day: reservation.day,
        p_worst_usd: reservation.worstCaseUsd,
        p_actual_usd: actualUsd,
      });
      if (error) throw budgetStoreError('settling a call', error);
      const row = (data as Row[] | null)?.[0];
      return budgetStatus(row ? budgetUseFromRow(row) : { day: reservation.day, calls: 0, usd: 0 }, limits);
    },
  };
}
