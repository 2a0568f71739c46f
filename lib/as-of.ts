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

const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}(?:$|[T ])/;

/**
 * For commands whose output must not depend on the day they run (tune, profile): where `resolveAsOf`
 * would read the clock because no lead has `last_activity_at` or `created_at`, the latest date in any
 * custom date column instead, or — no date anywhere, so no rule can measure age — the Unix epoch.
 */
/** "as of 2026-11-01", or — for `dataClock`'s epoch — that the data holds no date at all. */
export function describeAsOf(asOf: Date | string): string {
  const iso = typeof asOf === 'string' ? asOf : asOf.toISOString();
  return Date.parse(iso) === 0 ? 'no date in the data, so recency rules cannot apply' : `as of ${iso.slice(0, 10)}`;
}

export function dataClock(leads: readonly Pick<Lead, 'attributes'>[]): () => Date {
  return () => {
    let latest = Number.NEGATIVE_INFINITY;
    for (const lead of leads) {
      for (const value of Object.values(lead.attributes ?? {})) {
        if (typeof value !== 'string' || !ISO_DATE_START.test(value)) continue;
        const ms = Date.parse(value);
        if (ms > latest) latest = ms;
      }
    }
    return new Date(Number.isFinite(latest) ? latest : 0);
  };
}
