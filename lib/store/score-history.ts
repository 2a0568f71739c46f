import { z } from 'zod';
import { TIERS, type BreakdownItem, type Tier } from '../scoring';
import { rowError, scoreColumns } from './sql/row-mapping';
import type { StoredScore } from './scored-lead';
import type { Rescore, ScoreHistoryEntry } from './types';

/**
 * Score history, as every store keeps it (lib/store/types.ts): when a rules change changes a lead's score
 * or tier, its previous score, tier, rules version and breakdown are kept with the time the change took
 * effect. Pure: the caller passes that time in.
 */

/** Whether a rules change changed what the lead page and table show of a lead's score. */
export function scoreChanged(previous: Pick<StoredScore, 'score' | 'tier'>, next: Pick<StoredScore, 'score' | 'tier'>): boolean {
  return previous.score !== next.score || previous.tier !== next.tier;
}

/** The history entry of `previous` when rescoring it as `next` changed its score, else null. */
export function historyEntry(previous: StoredScore, next: Pick<StoredScore, 'score' | 'tier' | 'rulesVersion'>, until: string): ScoreHistoryEntry | null {
  if (previous.rulesVersion === next.rulesVersion || !scoreChanged(previous, next)) return null;
  return { leadId: previous.lead.id, score: previous.score, tier: previous.tier, rulesVersion: previous.rulesVersion, breakdown: previous.breakdown, until };
}

/** Newest first; entries of one instant by rules version, so every store returns the same order. */
export function compareHistory(a: ScoreHistoryEntry, b: ScoreHistoryEntry): number {
  return Date.parse(b.until) - Date.parse(a.until) || (a.rulesVersion < b.rulesVersion ? -1 : a.rulesVersion > b.rulesVersion ? 1 : 0);
}

const breakdownItemSchema = z.object({
  ruleId: z.string(),
  label: z.string(),
  category: z.string(),
  points: z.number(),
  maxPoints: z.number(),
  value: z.string().nullable(),
  unknown: z.boolean(),
  detail: z.string(),
});

/** A history entry as stored (journal line, table row after renaming), checked when read back. */
export const scoreHistoryEntrySchema = z.object({
  leadId: z.string().min(1),
  score: z.number().int().min(0).max(100),
  tier: z.enum(TIERS as [Tier, ...Tier[]]),
  rulesVersion: z.string().min(1),
  breakdown: z.array(breakdownItemSchema),
  until: z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString()),
});

// ---------------------------------------------------------------------------------------------
// The SQL stores' rows: `score_history` and the rows `rescore_leads` takes (supabase/migrations).
// ---------------------------------------------------------------------------------------------

/** What `scoreHistory` reads from `score_history`. */
export const HISTORY_COLUMNS = ['lead_id', 'until', 'rules_version', 'score', 'tier', 'breakdown'] as const;

/** Rows per `rescore_leads` call: one transaction each, so a killed run loses at most one batch's work, which the next run redoes. */
export const RESCORE_BATCH_SIZE = 500;

/** A Date (postgres.js) as ISO text; text (PostgREST) as it came, for the entry's schema to check. */
const timestampText = z.union([z.date().transform((d) => d.toISOString()), z.string()]);

/** A `score_history` row (PostgREST sends the timestamp as text, postgres.js as a Date). */
export function fromHistoryRow(raw: unknown): ScoreHistoryEntry {
  const row = z.object({ lead_id: z.unknown(), until: timestampText, rules_version: z.unknown(), score: z.unknown(), tier: z.unknown(), breakdown: z.unknown() }).safeParse(raw);
  const parsed = row.success
    ? scoreHistoryEntrySchema.safeParse({ leadId: row.data.lead_id, until: row.data.until, rulesVersion: row.data.rules_version, score: row.data.score, tier: row.data.tier, breakdown: row.data.breakdown })
    : row;
  if (!parsed.success) throw rowError('score history row', (raw as { lead_id?: unknown } | null)?.lead_id, parsed.error);
  return parsed.data as ScoreHistoryEntry;
}

/** A row of `rescore_leads`' input: what was read (to leave a lead changed since alone) and the new score columns. */
export interface RescoreRow {
  id: string;
  read_rules_version: string;
  read_input_hash: string;
  score: number;
  tier: Tier;
  breakdown: BreakdownItem[];
  top_reason_label: string | null;
  top_reason_points: number | null;
  rules_version: string;
}

export function toRescoreRows(items: readonly Rescore[]): RescoreRow[] {
  return items.map(({ previous, next }) => ({ id: previous.lead.id, read_rules_version: previous.rulesVersion, read_input_hash: previous.inputHash, ...scoreColumns(next) }));
}

const rescoreResultSchema = z.object({ rescored: z.number().int().min(0), history: z.number().int().min(0) });

/** What `rescore_leads` returns: how many leads it rescored, and how many history rows it wrote. */
export function parseRescoreResult(raw: unknown): { rescored: number; history: number } {
  const parsed = rescoreResultSchema.safeParse(raw);
  if (!parsed.success) throw rowError('rescore result', null, parsed.error);
  return parsed.data;
}
