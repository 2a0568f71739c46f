import { z } from 'zod';
import { AppError } from './errors';
import type { Lead } from './lead';

/** A reference-time setting as `SCORING_AS_OF` and `--as-of` take it: an ISO date, or "now". */
export const asOfSetting = z
  .string()
  .trim()
  .refine((v) => v === 'now' || !Number.isNaN(Date.parse(v)), 'must be an ISO date or "now"');

/**
 * The reference time recency rules score against.
 * - "now": the clock, so scores drift as days pass;
 * - an ISO date: that instant (reproducible runs, backtests);
 * - unset: the latest `last_activity_at` or `created_at` in the data, i.e. "as of the export", so a
 *   static file keeps stable scores however long ago it was exported. No dated lead: the clock.
 */
export function resolveAsOf(
  leads: readonly Pick<Lead, 'last_activity_at' | 'created_at'>[],
  setting: string | undefined,
  clock: () => Date = () => new Date(),
): Date {
  if (setting === 'now') return clock();
  if (setting !== undefined) {
    const ms = Date.parse(setting);
    if (Number.isNaN(ms)) throw new AppError('CONFIG_ERROR', `SCORING_AS_OF must be an ISO date or "now", got "${setting}"`);
    return new Date(ms);
  }
  let latest = Number.NEGATIVE_INFINITY;
  for (const lead of leads) {
    for (const value of [lead.last_activity_at, lead.created_at]) {
      if (value === undefined) continue;
      const ms = Date.parse(value);
      if (ms > latest) latest = ms;
    }
  }
  return Number.isFinite(latest) ? new Date(latest) : clock();
}
