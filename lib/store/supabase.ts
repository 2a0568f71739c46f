import 'server-only';
import { createClient, type PostgrestError, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import type { Env } from '../env';
import { AppError, isAppError } from '../errors';
import { retryOnFailure } from '../memo';
import { loadRuleSet } from '../rules-file';
import { rulesVersion } from '../scoring';
import { activeFilter, type ParsedLeadQuery, parseLeadQuery, SEARCH_COLUMNS, SORT_COLUMN, sortNullable } from './sql/lead-query';
import {
  chunks,
  ENRICHMENT_COLUMNS,
  enrichmentFromRow,
  FEEDBACK_COLUMNS,
  FEEDBACK_KEY,
  FOREIGN_KEY_VIOLATION,
  fromFeedbackRow,
  fromFullRow,
  fromListRow,
  fromOutcomeRow,
  fromRecordRow,
  fromScoredRecordRow,
  fromScoreRow,
  FULL_COLUMNS,
  LIST_COLUMNS,
  OUTCOME_COLUMNS,
  SCORE_COLUMNS,
  SCORED_RECORD_COLUMNS,
  toEnrichmentWriteRows,
  toFeedbackRow,
  toLeadWriteRows,
  unknownFeedbackLeadError,
  unknownLeadsError,
} from './sql/row-mapping';
import { fromHistoryRow, HISTORY_COLUMNS, parseRescoreResult, toRescoreRows } from './score-history';
import { cachedRead, type CoverageRow, type SummaryRow, toFieldCoverage, toStoreSummary } from './sql/summary';
import type { RescorableStore } from './types';

/**
 * The lead store on Supabase, through its REST API (PostgREST) with the service-role key. Server only:
 * that key bypasses row level security, so it must never reach a browser bundle.
 *
 * Queries use the same columns and order as the postgres adapter (./sql/); writes are upserts with
 * explicit column lists (lead columns only) and the `save_enrichments` function (enrichment columns only).
 * Supabase's API returns at most 1,000 rows per request, so whole-table reads page through by id.
 */

/** Supabase's default API row cap (Settings → API → Max rows). */
const API_MAX_ROWS = 1000;

export interface SupabaseStoreOptions {
  /** Scoring rules setting (default SCORING_RULES): the configured rules the summary counts outdated scores against. */
  scoringRules?: string;
}

function storeError(action: string, error: PostgrestError | Error | unknown): AppError {
  if (isAppError(error)) return error;
  const e = error as Partial<PostgrestError> & { message?: string };
  const detail = [e.code, e.message, e.details, e.hint].filter(Boolean).join(' | ');
  return new AppError('STORE_ERROR', `Supabase lead store: ${action} failed: ${detail || String(error)}`, {
    safeMessage: 'The lead database is unavailable.',
    cause: error,
  });
}

/** A PostgREST filter value in double quotes, so `,` `.` `:` `(` `)` in it are data, not syntax. */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** A PostgREST `in` list: `("a","b")`. */
export function filterList(values: readonly string[]): string {
  return `(${values.map(quoteFilterValue).join(',')})`;
}

/** A supabase-js client with the service-role key, as a server process uses it (the store, the live budget). */
export function createServiceClient(url: string, key: string): SupabaseClient {
  return createClient(url, key, {
    // A server process has no user session to keep or refresh.
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Node 20 has no global WebSocket, and createClient throws without a transport.
    realtime: { transport: ws as never },
  });
}

export function createSupabaseStore(
  env: Pick<Env, 'SUPABASE_URL' | 'SUPABASE_SERVICE_ROLE_KEY' | 'SCORING_RULES'>,
  options: SupabaseStoreOptions = {},
): RescorableStore {
  const { SUPABASE_URL: url, SUPABASE_SERVICE_ROLE_KEY: key } = env;
  if (!url || !key) {
    const missing = !url ? 'SUPABASE_URL' : 'SUPABASE_SERVICE_ROLE_KEY';
    throw new AppError('CONFIG_ERROR', `${missing} is required when LEAD_STORE=supabase`, { safeMessage: 'The server is misconfigured.' });
  }
  const client = createServiceClient(url, key);
  const scoringRules = options.scoringRules ?? env.SCORING_RULES;
  // Read once per process, as the app reads its rules (lib/store/index.ts).
  const configuredRulesVersion = retryOnFailure(async () => rulesVersion(await loadRuleSet(scoringRules, { origin: 'SCORING_RULES' })));

  async function countOutdated(version: string): Promise<number> {
    const { error, count } = await client.from('leads').select('id', { count: 'exact', head: true }).neq('rules_version', version);
    if (error) throw storeError('counting outdated scores', error);
    return count ?? 0;
  }

  function filtered<Q extends { filter(column: string, operator: string, value: string): Q; or(filters: string): Q }>(q: Q, { query, searchRegex }: ParsedLeadQuery): Q {
    const tiers = activeFilter(query.tiers);
    const industries = activeFilter(query.industries);
    const statuses = activeFilter(query.enrichment);
    const confidences = activeFilter(query.confidence);
    const grounding = activeFilter(query.grounding);
    if (tiers) q = q.filter('tier', 'in', filterList(tiers));
    if (industries) q = q.filter('industry', 'in', filterList(industries));
    if (statuses) q = q.filter('enrichment_status', 'in', filterList(statuses));
    if (confidences) q = q.filter('confidence', 'in', filterList(confidences));
    if (grounding) q = q.filter('grounding_status', 'in', filterList(grounding));
    if (searchRegex) q = q.or(SEARCH_COLUMNS.map((column) => `${column}.match.${quoteFilterValue(searchRegex)}`).join(','));
    return q;
  }

  /** Every row of a read, in pages of API_MAX_ROWS ordered by `order` (which must be unique). */
  async function readAll<T>(action: string, page: (from: number, to: number) => PromiseLike<{ data: T[] | null; error: PostgrestError | null }>): Promise<T[]> {
    const out: T[] = [];
    for (let from = 0; ; from += API_MAX_ROWS) {
      const { data, error } = await page(from, from + API_MAX_ROWS - 1);
      if (error) throw storeError(action, error);
      out.push(...(data ?? []));
      if (!data || data.length < API_MAX_ROWS) return out;
    }
  }

  const coverage = cachedRead(async () => {
    const [counts, rows] = await Promise.all([
      client.from('lead_summary').select('total').single(),
      readAll<CoverageRow>('counting fields', (from, to) => client.from('lead_field_coverage').select('field,leads').order('field').range(from, to)),
    ]);
    if (counts.error) throw storeError('counting leads', counts.error);
    return toFieldCoverage((counts.data as { total: number }).total, rows);
  });

  const records = cachedRead(async () => {
    const rows = await readAll<unknown>('reading scored records', (from, to) => client.from('leads').select(SCORED_RECORD_COLUMNS.join(',')).order('id').range(from, to));
    return rows.map(fromScoredRecordRow);
  });

  return {
    kind: 'supabase',

    async listLeads(raw) {
      const parsed = parseLeadQuery(raw);
      const { query, offset } = parsed;
      if (query.pageSize > API_MAX_ROWS) throw new AppError('INVALID_INPUT', `Invalid lead query: pageSize must be at most ${API_MAX_ROWS} on Supabase`);
      const nullable = sortNullable(query.sort);
      const columns = query.attributes?.length ? [...LIST_COLUMNS, 'attributes:record->attributes'] : LIST_COLUMNS;
      let request = filtered(client.from('leads').select(columns.join(','), { count: 'exact' }), parsed).order(SORT_COLUMN[query.sort], {
        ascending: query.direction === 'asc',
        ...(nullable ? { nullsFirst: false } : {}),
      });
      // Ties: score descending (already the order when sorting by score), then id.
      if (query.sort !== 'score') request = request.order('score', { ascending: false });
      const { data, error, count } = await request.order('id', { ascending: true }).range(offset, offset + query.pageSize - 1);
      if (error?.code === 'PGRST103') {
        // A page past the end: PostgREST answers 416 instead of an empty page, so count on its own.
        const { error: countError, count: total } = await filtered(client.from('leads').select('id', { count: 'exact', head: true }), parsed);
        if (countError) throw storeError('counting leads', countError);
        return { rows: [], total: total ?? 0, page: query.page, pageSize: query.pageSize };
      }
      if (error) throw storeError('listing leads', error);
      return { rows: (data ?? []).map((row) => fromListRow(row, query.attributes)), total: count ?? 0, page: query.page, pageSize: query.pageSize };
    },

    async getLead(id) {
      // PostgreSQL text cannot hold NUL: no stored lead has such an id, and asking would be an API error.
      if (id.includes('\u0000')) return null;
      const { data, error } = await client.from('leads').select(FULL_COLUMNS.join(',')).eq('id', id).maybeSingle();
      if (error) throw storeError(`reading lead "${id}"`, error);
      return data ? fromFullRow(data) : null;
    },

    async summary() {
      const configured = await configuredRulesVersion();
      const [counts, industries, outdated] = await Promise.all([
        client.from('lead_summary').select('*').single(),
        readAll<{ industry: string }>('reading industries', (from, to) =>
          client.from('lead_industries').select('industry').order('industry_key').order('industry').range(from, to),
        ),
        countOutdated(configured),
      ]);
      if (counts.error) throw storeError('summarising leads', counts.error);
      return toStoreSummary(counts.data as SummaryRow, industries.map((r) => r.industry), { configuredRulesVersion: configured, outdated });
    },

    async outcomes() {
      const rows = await readAll<unknown>('reading outcomes', (from, to) =>
        client.from('leads').select(OUTCOME_COLUMNS.join(',')).not('converted', 'is', null).order('id').range(from, to),
      );
      return rows.map(fromOutcomeRow);
    },

    async leadsWithOutcome() {
      const rows = await readAll<unknown>('reading leads with an outcome', (from, to) => client.from('leads').select('id,record').not('converted', 'is', null).order('id').range(from, to));
      return rows.map(fromRecordRow);
    },

    scoredRecords() {
      return records.get();
    },

    fieldCoverage() {
      return coverage.get();
    },

    async enrichments() {
      const rows = await readAll<Record<string, unknown> & { id: string }>('reading enrichments', (from, to) =>
        client
          .from('leads')
          .select(['id', ...ENRICHMENT_COLUMNS].join(','))
          .not('enrichment_source', 'is', null)
          .order('id')
          .range(from, to)
          .overrideTypes<(Record<string, unknown> & { id: string })[], { merge: false }>(),
      );
      return new Map(rows.map((row) => [row.id, enrichmentFromRow(row, row.id)!]));
    },

    async upsertLeads(items) {
      if (items.length === 0) return;
      coverage.forget();
      records.forget();
      // Full rows with the same keys: postgrest-js sends their union as `columns`, and PostgREST's
      // merge-duplicates then updates exactly those columns, never an enrichment column.
      for (const chunk of chunks(toLeadWriteRows(items))) {
        const { error } = await client
          .from('leads')
          .upsert(chunk, { onConflict: 'id' })
          .setHeader('Prefer', 'resolution=merge-duplicates,return=minimal');
        if (error) throw storeError('upserting leads', error);
      }
    },

    async saveEnrichments(items) {
      if (items.length === 0) return;
      const missing: string[] = [];
      // Each call is atomic and writes nothing when its chunk names an unknown lead; over HTTP, chunks
      // before the failing one stay saved (the postgres adapter rolls back the whole call instead).
      for (const chunk of chunks(toEnrichmentWriteRows(items))) {
        const { data, error } = await client.rpc('save_enrichments', { p_rows: chunk });
        if (error) throw storeError('saving enrichments', error);
        missing.push(...((data as string[] | null) ?? []));
      }
      if (missing.length > 0) throw unknownLeadsError(missing);
    },

    async saveFeedback(item) {
      const row = toFeedbackRow(item);
      const { error } = await client
        .from('narrative_feedback')
        .upsert(row, { onConflict: FEEDBACK_KEY.join(',') })
        .setHeader('Prefer', 'resolution=merge-duplicates,return=minimal');
      if (error?.code === FOREIGN_KEY_VIOLATION) throw unknownFeedbackLeadError(row.lead_id as string);
      if (error) throw storeError('saving feedback', error);
    },

    async feedback(leadId) {
      const rows = await readAll<unknown>('reading feedback', (from, to) => {
        let q = client.from('narrative_feedback').select(FEEDBACK_COLUMNS.join(','));
        if (leadId !== undefined) q = q.eq('lead_id', leadId);
        return q.order('lead_id').order('narrative_enriched_at').order('author_key').range(from, to);
      });
      return rows.map(fromFeedbackRow);
    },

    async scoreHistory(leadId) {
      if (leadId.includes('\u0000')) return [];
      const rows = await readAll<unknown>(`reading the score history of lead "${leadId}"`, (from, to) =>
        client.from('score_history').select(HISTORY_COLUMNS.join(',')).eq('lead_id', leadId).order('until', { ascending: false }).order('rules_version').range(from, to),
      );
      return rows.map(fromHistoryRow);
    },

    countOutdated,

    async outdatedLeads(version, { after, limit }) {
      let q = client.from('leads').select(SCORE_COLUMNS.join(',')).neq('rules_version', version);
      if (after !== null) q = q.gt('id', after);
      const { data, error } = await q.order('id').limit(Math.min(limit, API_MAX_ROWS));
      if (error) throw storeError('reading outdated scores', error);
      return (data ?? []).map(fromScoreRow);
    },

    async activityDates() {
      const rows = await readAll<{ last_activity_at: string | null; created_at: string | null }>('reading activity dates', (from, to) =>
        client
          .from('leads')
          .select('id,last_activity_at:record->>last_activity_at,created_at:record->>created_at')
          .order('id')
          .range(from, to)
          .overrideTypes<{ last_activity_at: string | null; created_at: string | null }[], { merge: false }>(),
      );
      return rows.map((r) => ({ last_activity_at: r.last_activity_at ?? undefined, created_at: r.created_at ?? undefined }));
    },

    async saveRescores(items, until) {
      if (items.length === 0) return { rescored: 0, history: 0 };
      // One call, one transaction: the function writes the scores and their history together.
      const { data, error } = await client.rpc('rescore_leads', { p_rows: toRescoreRows(items), p_until: until });
      if (error) throw storeError('saving rescored leads', error);
      return parseRescoreResult(data);
    },

    async close() {
      await client.removeAllChannels();
    },
  };
}
