import 'server-only';
import { connectPostgres, type Sql } from '../db/connect';
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
  LEAD_WRITE_COLUMN_TYPES,
  LEAD_WRITE_COLUMNS,
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
 * The lead store on any PostgreSQL (self-hosted, or Supabase through its connection string), over a
 * direct connection. Sorting, filtering, search and paging run in SQL on the indexed columns of
 * supabase/migrations; writes go through the column lists of ./sql/, so a lead upsert never
 * touches an enrichment and an enrichment never touches a lead.
 */

export interface PostgresStoreOptions {
  /** An existing pool (tests, scripts); otherwise one is opened from DATABASE_URL and closed by `close()`. */
  sql?: Sql;
  /** Scoring rules setting (default SCORING_RULES): the configured rules the summary counts outdated scores against. */
  scoringRules?: string;
}

/** Column definitions for `jsonb_to_recordset`, from the one list of written columns. */
const LEAD_RECORDSET = Object.entries(LEAD_WRITE_COLUMN_TYPES)
  .map(([column, type]) => `${column} ${type}`)
  .join(', ');

function storeError(action: string, error: unknown): AppError {
  if (isAppError(error)) return error;
  return new AppError('STORE_ERROR', `PostgreSQL lead store: ${action} failed: ${error instanceof Error ? error.message : String(error)}`, {
    safeMessage: 'The lead database is unavailable.',
    cause: error,
  });
}

export function createPostgresStore(env: Pick<Env, 'DATABASE_URL' | 'SCORING_RULES'>, options: PostgresStoreOptions = {}): RescorableStore {
  const url = env.DATABASE_URL;
  if (!options.sql && !url) throw new AppError('CONFIG_ERROR', 'DATABASE_URL is required when LEAD_STORE=postgres', { safeMessage: 'The server is misconfigured.' });
  const sql = options.sql ?? connectPostgres(url!);
  const ownsPool = !options.sql;
  const scoringRules = options.scoringRules ?? env.SCORING_RULES;
  // Read once per process, as the app reads its rules (lib/store/index.ts).
  const configuredRulesVersion = retryOnFailure(async () => rulesVersion(await loadRuleSet(scoringRules, { origin: 'SCORING_RULES' })));

  async function run<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storeError(action, error);
    }
  }

  function where({ query, searchRegex }: ParsedLeadQuery) {
    const tiers = activeFilter(query.tiers);
    const industries = activeFilter(query.industries);
    const statuses = activeFilter(query.enrichment);
    const confidences = activeFilter(query.confidence);
    const grounding = activeFilter(query.grounding);
    return sql`where true
      ${tiers ? sql`and tier in ${sql(tiers)}` : sql``}
      ${industries ? sql`and industry in ${sql(industries)}` : sql``}
      ${statuses ? sql`and enrichment_status in ${sql(statuses)}` : sql``}
      ${confidences ? sql`and confidence in ${sql(confidences)}` : sql``}
      ${grounding ? sql`and grounding_status in ${sql(grounding)}` : sql``}
      ${searchRegex ? sql`and (${SEARCH_COLUMNS.reduce((either, column, i) => (i === 0 ? sql`${sql(column)} ~ ${searchRegex}` : sql`${either} or ${sql(column)} ~ ${searchRegex}`), sql``)})` : sql``}`;
  }

  const coverage = cachedRead(() =>
    run('counting fields', async () => {
      const [[counts], rows] = await Promise.all([
        sql<{ total: number }[]>`select count(*)::integer as total from public.leads`,
        sql<CoverageRow[]>`select field, leads from public.lead_field_coverage`,
      ]);
      return toFieldCoverage(counts!.total, rows);
    }),
  );

  const records = cachedRead(() =>
    run('reading scored records', async () => {
      const rows = await sql`select ${sql(SCORED_RECORD_COLUMNS)} from public.leads order by id`;
      return rows.map(fromScoredRecordRow);
    }),
  );

  return {
    kind: 'postgres',

    async listLeads(raw) {
      const parsed = parseLeadQuery(raw);
      const { query, offset } = parsed;
      const column = sql(SORT_COLUMN[query.sort]);
      const direction = query.direction === 'asc' ? sql`asc` : sql`desc`;
      const nulls = sortNullable(query.sort) ? sql`nulls last` : sql``;
      return run('listing leads', async () => {
        const filter = where(parsed);
        const [rows, [count]] = await Promise.all([
          sql`select ${sql(LIST_COLUMNS)}${query.attributes?.length ? sql`, record -> 'attributes' as attributes` : sql``} from public.leads ${filter}
              order by ${column} ${direction} ${nulls}, ${query.sort === 'score' ? sql`` : sql`score desc,`} id asc
              limit ${query.pageSize} offset ${offset}`,
          sql<{ total: number }[]>`select count(*)::integer as total from public.leads ${filter}`,
        ]);
        return { rows: rows.map((row) => fromListRow(row, query.attributes)), total: count!.total, page: query.page, pageSize: query.pageSize };
      });
    },

    getLead(id) {
      // PostgreSQL text cannot hold NUL: no stored lead has such an id, and asking would be a driver error.
      if (id.includes('\u0000')) return Promise.resolve(null);
      return run(`reading lead "${id}"`, async () => {
        const [row] = await sql`select ${sql(FULL_COLUMNS)} from public.leads where id = ${id}`;
        return row ? fromFullRow(row) : null;
      });
    },

    summary() {
      return run('summarising leads', async () => {
        const configured = await configuredRulesVersion();
        const [[counts], industries, [outdated]] = await Promise.all([
          sql<SummaryRow[]>`select * from public.lead_summary`,
          sql<{ industry: string }[]>`select industry from public.lead_industries order by industry_key, industry`,
          sql<{ n: number }[]>`select count(*)::integer as n from public.leads where rules_version <> ${configured}`,
        ]);
        return toStoreSummary(counts!, industries.map((r) => r.industry), { configuredRulesVersion: configured, outdated: outdated!.n });
      });
    },

    outcomes() {
      return run('reading outcomes', async () => {
        const rows = await sql`select ${sql(OUTCOME_COLUMNS)} from public.leads where converted is not null order by id`;
        return rows.map(fromOutcomeRow);
      });
    },

    leadsWithOutcome() {
      return run('reading leads with an outcome', async () => {
        const rows = await sql`select id, record from public.leads where converted is not null order by id`;
        return rows.map(fromRecordRow);
      });
    },

    scoredRecords() {
      return records.get();
    },

    fieldCoverage() {
      return coverage.get();
    },

    enrichments() {
      return run('reading enrichments', async () => {
        const rows = await sql`select id, ${sql(ENRICHMENT_COLUMNS)} from public.leads where enrichment_source is not null`;
        return new Map(rows.map((row) => [row.id as string, enrichmentFromRow(row, row.id as string)!]));
      });
    },

    async upsertLeads(items) {
      if (items.length === 0) return;
      const rows = toLeadWriteRows(items);
      coverage.forget();
      records.forget();
      const columns = sql.unsafe(LEAD_WRITE_COLUMNS.join(', '));
      const updates = LEAD_WRITE_COLUMNS.filter((c) => c !== 'id');
      await run('upserting leads', () =>
        // One transaction: an upsert lands whole or not at all. Unchanged rows are not rewritten.
        sql.begin(async (tx) => {
          for (const chunk of chunks(rows)) {
            await tx`
              insert into public.leads (${columns})
              select ${columns} from jsonb_to_recordset(${tx.json(chunk as never)}) as x(${tx.unsafe(LEAD_RECORDSET)})
              on conflict (id) do update set ${tx.unsafe(updates.map((c) => `${c} = excluded.${c}`).join(', '))}
              where (${tx.unsafe(updates.map((c) => `leads.${c}`).join(', '))})
                is distinct from (${tx.unsafe(updates.map((c) => `excluded.${c}`).join(', '))})`;
          }
        }),
      );
    },

    async saveEnrichments(items) {
      if (items.length === 0) return;
      const rows = toEnrichmentWriteRows(items);
      await run('saving enrichments', () =>
        // One transaction: unknown ids anywhere roll back every chunk, so nothing is half-saved.
        sql.begin(async (tx) => {
          const missing: string[] = [];
          for (const chunk of chunks(rows)) {
            const [result] = await tx<{ missing: string[] }[]>`select public.save_enrichments(${tx.json(chunk as never)}) as missing`;
            missing.push(...result!.missing);
          }
          if (missing.length > 0) throw unknownLeadsError(missing);
        }),
      );
    },

    async saveFeedback(item) {
      const row = toFeedbackRow(item);
      const updates = FEEDBACK_COLUMNS.filter((c) => !(FEEDBACK_KEY as readonly string[]).includes(c));
      try {
        await sql`
          insert into public.narrative_feedback ${sql(row, ...FEEDBACK_COLUMNS)}
          on conflict (${sql(FEEDBACK_KEY)}) do update set ${sql.unsafe(updates.map((c) => `${c} = excluded.${c}`).join(', '))}`;
      } catch (error) {
        if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) throw unknownFeedbackLeadError(row.lead_id as string);
        throw storeError('saving feedback', error);
      }
    },

    feedback(leadId) {
      return run('reading feedback', async () => {
        const rows = await sql`select ${sql(FEEDBACK_COLUMNS)} from public.narrative_feedback
          ${leadId === undefined ? sql`` : sql`where lead_id = ${leadId}`}
          order by lead_id, narrative_enriched_at, author_key`;
        return rows.map(fromFeedbackRow);
      });
    },

    scoreHistory(leadId) {
      if (leadId.includes('\u0000')) return Promise.resolve([]);
      return run(`reading the score history of lead "${leadId}"`, async () => {
        const rows = await sql`select ${sql(HISTORY_COLUMNS)} from public.score_history where lead_id = ${leadId} order by until desc, rules_version`;
        return rows.map(fromHistoryRow);
      });
    },

    countOutdated(version) {
      return run('counting outdated scores', async () => {
        const [row] = await sql<{ n: number }[]>`select count(*)::integer as n from public.leads where rules_version <> ${version}`;
        return row!.n;
      });
    },

    outdatedLeads(version, { after, limit }) {
      return run('reading outdated scores', async () => {
        const rows = await sql`select ${sql(SCORE_COLUMNS)} from public.leads
          where rules_version <> ${version} ${after === null ? sql`` : sql`and id > ${after}`}
          order by id limit ${limit}`;
        return rows.map(fromScoreRow);
      });
    },

    activityDates() {
      return run('reading activity dates', async () => {
        const rows = await sql<{ last_activity_at: string | null; created_at: string | null }[]>`
          select record ->> 'last_activity_at' as last_activity_at, record ->> 'created_at' as created_at from public.leads`;
        return rows.map((r) => ({ last_activity_at: r.last_activity_at ?? undefined, created_at: r.created_at ?? undefined }));
      });
    },

    async saveRescores(items, until) {
      if (items.length === 0) return { rescored: 0, history: 0 };
      return run('saving rescored leads', async () => {
        const [row] = await sql<{ result: unknown }[]>`select public.rescore_leads(${sql.json(toRescoreRows(items) as never)}, ${until}) as result`;
        return parseRescoreResult(row!.result);
      });
    },

    async close() {
      if (ownsPool) await sql.end({ timeout: 5 });
    },
  };
}
