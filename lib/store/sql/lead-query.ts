import { LEAD_TABLE_TEXT_COLUMNS, type LeadTableTextColumn } from '../../lead-fields';
import { validateLeadQuery } from '../input-checks';
import type { LeadQuery, SortKey } from '../types';

/**
 * Lead queries in SQL: the order and filters of ../types.ts as the column names both adapters put into
 * SQL (postgres) or PostgREST (supabase).
 */

/** The column each sort key orders by. Text keys are lower-cased COLLATE "C" columns, the rank columns are numeric. */
export const SORT_COLUMN: Record<SortKey, string> = {
  score: 'score',
  ...(Object.fromEntries(Object.entries(LEAD_TABLE_TEXT_COLUMNS).map(([key, { sortColumn }]) => [key, sortColumn])) as Record<LeadTableTextColumn, string>),
  tier: 'tier_rank',
  enrichment: 'enrichment_rank',
};

/** Only the text keys can be missing; they sort last in both directions. */
export function sortNullable(key: SortKey): boolean {
  return Object.hasOwn(LEAD_TABLE_TEXT_COLUMNS, key);
}

export interface ParsedLeadQuery {
  query: LeadQuery;
  /** Regex (PostgreSQL ARE) matching the search text literally, or null for no search. */
  searchRegex: string | null;
  offset: number;
}

export function parseLeadQuery(raw: LeadQuery): ParsedLeadQuery {
  const query = validateLeadQuery(raw);
  return { query, searchRegex: searchRegex(query.search), offset: (query.page - 1) * query.pageSize };
}

/**
 * Search is a case-insensitive substring of the full name, company or email (./types.ts): the needle is
 * trimmed and lower-cased like the file store does, then matched against the lower-cased *_key columns
 * with a regex whose every ASCII punctuation character is escaped (in a PostgreSQL regex, a backslash
 * before a non-alphanumeric character means that character), so `%`, `_`, `*`, `.` match themselves.
 * A regex rather than LIKE because PostgREST turns every `*` of a LIKE pattern into a wildcard; pg_trgm
 * indexes serve both.
 */
export function searchRegex(search: string | undefined): string | null {
  const needle = search?.trim().toLowerCase();
  if (!needle) return null;
  return needle.replace(/[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]/g, '\\$&');
}

/** The columns search looks in (`attributes_key`: the text attributes, one per line). */
export const SEARCH_COLUMNS = ['name_key', 'company_key', 'email_key', 'id_key', 'attributes_key'] as const;

/** An empty filter list filters nothing, like an absent one. */
export function activeFilter<T>(values: readonly T[] | undefined): readonly T[] | null {
  return values && values.length > 0 ? values : null;
}
