import { z } from 'zod';
import { FEEDBACK_VERDICTS, type NarrativeFeedback } from '../../enrichment/feedback';
import { CONFIDENCES, ENRICHMENT_SOURCES, ENRICHMENT_STATUSES, enrichmentSchema, GROUNDING_STATUSES, type Enrichment, type NarrativeChecks } from '../../enrichment/schema';
import { AppError, formatIssues, type FieldIssue } from '../../errors';
import { attributeValueSchema, fullName, leadSchema, safeParseLead, type Lead } from '../../lead';
import { dbColumnOf, LEAD_ROW_FIELDS } from '../../lead-fields';
import { TIERS, topReason, type Tier } from '../../scoring';
import { validateEnrichments, validateFeedback } from '../input-checks';
import { pickAttributes, withEnrichment, type StoredScore } from '../scored-lead';
import type { LeadRow, OutcomeRow, ScoredLead, ScoredRecord } from '../types';

/**
 * The one mapping between the store types (../types.ts) and rows of the `leads` and `narrative_feedback`
 * tables (supabase/migrations), both ways, shared by the postgres and supabase adapters. Pure: no I/O.
 */

/** Rows per write request: big enough to amortise round trips, small enough for request-size limits. */
export const WRITE_CHUNK_SIZE = 500;

/** Columns written by `upsertLeads`, with their SQL types: the record and its score, never an enrichment column. */
export const LEAD_WRITE_COLUMN_TYPES = {
  id: 'text',
  record: 'jsonb',
  score: 'smallint',
  tier: 'text',
  breakdown: 'jsonb',
  top_reason_label: 'text',
  top_reason_points: 'smallint',
  rules_version: 'text',
  input_hash: 'text',
} as const;

export const LEAD_WRITE_COLUMNS = Object.keys(LEAD_WRITE_COLUMN_TYPES) as (keyof typeof LEAD_WRITE_COLUMN_TYPES)[];

/** Columns written by `saveEnrichments` (with `id` as the key), never a lead or score column. */
export const ENRICHMENT_COLUMNS = [
  'fit_narrative',
  'recommended_action',
  'confidence',
  'enrichment_source',
  'model',
  'prompt_version',
  'enrichment_input_hash',
  'enrichment_rules_version',
  'enrichment_score',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'cost_usd',
  'latency_ms',
  'enriched_at',
  'narrative_checks',
] as const;

/**
 * What the lead table shows, and nothing more, so list queries stay small; the record's `attributes` are
 * read beside them when the table shows attribute columns.
 */
export const LIST_COLUMNS = [
  ...LEAD_ROW_FIELDS.map((field) => dbColumnOf(field)!),
  'score',
  'tier',
  'top_reason_label',
  'top_reason_points',
  'enrichment_status',
  'confidence',
  'grounding_status',
];

/** What `outcomes()` reads: the backtest's columns and the narrative's, for the Narratives section of /validate. */
export const OUTCOME_COLUMNS = ['id', 'score', 'tier', 'converted', 'enrichment_status', 'confidence', 'grounding_status'] as const;

/** A lead's record and stored score, never its enrichment (what a rescore reads). */
export const SCORE_COLUMNS = ['id', 'record', 'score', 'tier', 'breakdown', 'rules_version', 'input_hash'] as const;

/** Everything `getLead` needs to rebuild a `ScoredLead`. */
export const FULL_COLUMNS = [...SCORE_COLUMNS, ...ENRICHMENT_COLUMNS] as const;

export type LeadWriteRow = {
  id: string;
  record: Record<string, unknown>;
  score: number;
  tier: Tier;
  breakdown: StoredScore['breakdown'];
  top_reason_label: string | null;
  top_reason_points: number | null;
  rules_version: string;
  input_hash: string;
};

/**
 * Enrichment columns as written; `cost_usd` is null for a model with no price on file, `narrative_checks`
 * for a narrative stored before the grounding checks existed.
 */
export type EnrichmentWriteRow = { id: string } & Record<Exclude<(typeof ENRICHMENT_COLUMNS)[number], 'narrative_checks'>, string | number | null> & {
  narrative_checks: NarrativeChecks | null;
};

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

const storedScoreSchema = z.object({
  score: z.number().int().min(0).max(100),
  tier: z.enum(TIERS as [Tier, ...Tier[]]),
  // Shape only: items come from the scoring engine, and checking each one costs more than the write.
  breakdown: z.array(z.unknown()),
  rulesVersion: z.string().min(1),
  inputHash: z.string().min(1),
});

/**
 * Validates leads with their scores and builds full rows (every key in every row: a bulk upsert
 * through PostgREST writes NULL for a key missing from one row). Throws INVALID_INPUT listing every bad
 * record, including an id given twice, before anything is written.
 */
export function toLeadWriteRows(items: readonly StoredScore[]): LeadWriteRow[] {
  const issues: FieldIssue[] = [];
  const rows: LeadWriteRow[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const parsed = safeParseLead(item.lead, index);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      return;
    }
    const { lead } = parsed;
    const record = `"${lead.id}" (#${index})`;
    if (seen.has(lead.id)) {
      issues.push({ record, field: 'id', message: 'appears twice in one upsert' });
      return;
    }
    seen.add(lead.id);
    const score = storedScoreSchema.safeParse(item);
    if (!score.success) {
      for (const issue of score.error.issues) issues.push({ record, field: issue.path.join('.') || '(score)', message: issue.message });
      return;
    }
    rows.push({ id: lead.id, record: lead, ...scoreColumns(item), input_hash: item.inputHash });
  });
  if (issues.length > 0) throw new AppError('INVALID_INPUT', `Cannot upsert leads:\n${formatIssues(issues, issues.length)}`, { issues });
  return rows;
}

/** The score columns of a `leads` row, as upserts and rescores write them. */
export function scoreColumns(s: Pick<StoredScore, 'score' | 'tier' | 'breakdown' | 'rulesVersion'>): Omit<LeadWriteRow, 'id' | 'record' | 'input_hash'> {
  const reason = topReason(s.breakdown);
  return {
    score: s.score,
    tier: s.tier,
    breakdown: s.breakdown,
    top_reason_label: reason?.label ?? null,
    top_reason_points: reason?.points ?? null,
    rules_version: s.rulesVersion,
  };
}

/** Validates enrichments (INVALID_INPUT naming each bad one) and flattens them into enrichment columns. */
export function toEnrichmentWriteRows(items: readonly Enrichment[]): EnrichmentWriteRow[] {
  return validateEnrichments(items).map((e) => ({
    id: e.lead_id,
    fit_narrative: e.fit_narrative,
    recommended_action: e.recommended_action,
    confidence: e.confidence,
    enrichment_source: e.source,
    model: e.model,
    prompt_version: e.prompt_version,
    enrichment_input_hash: e.input_hash,
    enrichment_rules_version: e.rules_version,
    enrichment_score: e.score,
    input_tokens: e.usage.input_tokens,
    output_tokens: e.usage.output_tokens,
    cache_read_input_tokens: e.usage.cache_read_input_tokens,
    cache_creation_input_tokens: e.usage.cache_creation_input_tokens,
    cost_usd: e.cost_usd,
    latency_ms: e.latency_ms,
    enriched_at: e.enriched_at,
    narrative_checks: e.checks ?? null,
  }));
}

export function unknownLeadsError(ids: readonly string[]): AppError {
  return new AppError('NOT_FOUND', `Cannot save enrichments for unknown lead(s): ${ids.map((id) => `"${id}"`).join(', ')}`);
}

export function chunks<T>(items: readonly T[], size: number = WRITE_CHUNK_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reads. Both drivers hand back plain values; PostgREST sends timestamps as strings, postgres.js as Dates.
// ---------------------------------------------------------------------------------------------

const isoTimestamp = z.union([z.date(), z.string()]).transform((v) => new Date(v).toISOString());
const nullableText = z.string().nullable();

const listRowSchema = z.object({
  id: z.string(),
  first_name: nullableText,
  last_name: nullableText,
  email: nullableText,
  job_title: nullableText,
  company_name: nullableText,
  industry: nullableText,
  score: z.number(),
  tier: z.enum(TIERS as [Tier, ...Tier[]]),
  top_reason_label: nullableText,
  top_reason_points: z.number().nullable(),
  enrichment_status: z.enum(ENRICHMENT_STATUSES),
  confidence: z.enum(CONFIDENCES).nullable(),
  grounding_status: z.enum(GROUNDING_STATUSES).nullable(),
  attributes: z.record(z.string(), attributeValueSchema).nullable().optional(),
});

const outcomeRowSchema = z.object({
  id: z.string(),
  score: z.number(),
  tier: z.enum(TIERS as [Tier, ...Tier[]]),
  converted: z.boolean(),
  enrichment_status: z.enum(ENRICHMENT_STATUSES),
  confidence: z.enum(CONFIDENCES).nullable(),
  grounding_status: z.enum(GROUNDING_STATUSES).nullable(),
});

const enrichmentColumnsSchema = z.object({
  fit_narrative: nullableText,
  recommended_action: nullableText,
  confidence: z.enum(CONFIDENCES).nullable(),
  enrichment_source: z.enum(ENRICHMENT_SOURCES).nullable(),
  model: nullableText,
  prompt_version: nullableText,
  enrichment_input_hash: nullableText,
  enrichment_rules_version: nullableText,
  enrichment_score: z.number().nullable(),
  input_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  cache_read_input_tokens: z.number().nullable(),
  cache_creation_input_tokens: z.number().nullable(),
  cost_usd: z.number().nullable(),
  latency_ms: z.number().nullable(),
  enriched_at: isoTimestamp.nullable(),
  // Shape checked with the enrichment (narrativeChecksSchema).
  narrative_checks: z.unknown().nullable(),
});

const scoreRowSchema = z.object({
  id: z.string(),
  record: leadSchema,
  score: z.number(),
  tier: z.enum(TIERS as [Tier, ...Tier[]]),
  breakdown: z.array(z.unknown()),
  rules_version: z.string(),
  input_hash: z.string(),
});

/** A lead's stored record (the `record` column), validated as a lead. */
export function fromRecordRow(raw: unknown): Lead {
  const parsed = z.object({ id: z.string(), record: leadSchema }).safeParse(raw);
  if (!parsed.success) throw rowError('lead record', rowId(raw), parsed.error);
  return parsed.data.record;
}

/** The columns of a scored record (`LeadStore.scoredRecords`). */
export const SCORED_RECORD_COLUMNS = ['id', 'record', 'score', 'tier'] as const;

export function fromScoredRecordRow(raw: unknown): ScoredRecord {
  const parsed = z.object({ id: z.string(), record: leadSchema, score: z.number().int().min(0).max(100), tier: z.enum(TIERS) }).safeParse(raw);
  if (!parsed.success) throw rowError('scored record', rowId(raw), parsed.error);
  return { lead: parsed.data.record, score: parsed.data.score, tier: parsed.data.tier };
}

export function rowError(what: string, id: unknown, error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ record: `lead ${JSON.stringify(id ?? null)}`, field: i.path.join('.') || '(row)', message: i.message }));
  return new AppError('STORE_ERROR', `The database returned an unexpected ${what}:\n${formatIssues(issues)}`, {
    safeMessage: 'The lead database returned unexpected data.',
    issues,
  });
}

function rowId(raw: unknown): unknown {
  return (raw as { id?: unknown } | null)?.id;
}

/** A table row from a list query's row; `attributes`: the names the query asked for (read from the row's `attributes`). */
export function fromListRow(raw: unknown, attributes: readonly string[] = []): LeadRow {
  const parsed = listRowSchema.safeParse(raw);
  if (!parsed.success) throw rowError('lead table row', rowId(raw), parsed.error);
  const r = parsed.data;
  return {
    id: r.id,
    name: fullName({ first_name: r.first_name ?? undefined, last_name: r.last_name ?? undefined }) ?? null,
    email: r.email,
    jobTitle: r.job_title,
    company: r.company_name,
    industry: r.industry,
    score: r.score,
    tier: r.tier,
    topReason: r.top_reason_label === null || r.top_reason_points === null ? null : { label: r.top_reason_label, points: r.top_reason_points },
    enrichmentStatus: r.enrichment_status,
    confidence: r.confidence,
    grounding: r.grounding_status,
    attributes: pickAttributes(r.attributes, attributes),
  };
}

export function fromOutcomeRow(raw: unknown): OutcomeRow {
  const parsed = outcomeRowSchema.safeParse(raw);
  if (!parsed.success) throw rowError('outcome row', rowId(raw), parsed.error);
  const r = parsed.data;
  return { id: r.id, score: r.score, tier: r.tier, converted: r.converted, enrichmentStatus: r.enrichment_status, confidence: r.confidence, grounding: r.grounding_status };
}

/** The stored enrichment of a row, or null when the row has none (`enrichment_source` is null). */
export function enrichmentFromRow(raw: unknown, leadId: string): Enrichment | null {
  const parsed = enrichmentColumnsSchema.safeParse(raw);
  if (!parsed.success) throw rowError('enrichment row', leadId, parsed.error);
  const c = parsed.data;
  if (c.enrichment_source === null) return null;
  const result = enrichmentSchema.safeParse({
    lead_id: leadId,
    fit_narrative: c.fit_narrative,
    recommended_action: c.recommended_action,
    confidence: c.confidence,
    source: c.enrichment_source,
    model: c.model,
    prompt_version: c.prompt_version,
    input_hash: c.enrichment_input_hash,
    rules_version: c.enrichment_rules_version,
    score: c.enrichment_score,
    usage: {
      input_tokens: c.input_tokens,
      output_tokens: c.output_tokens,
      cache_read_input_tokens: c.cache_read_input_tokens,
      cache_creation_input_tokens: c.cache_creation_input_tokens,
    },
    cost_usd: c.cost_usd,
    latency_ms: c.latency_ms,
    enriched_at: c.enriched_at,
    ...(c.narrative_checks === null ? {} : { checks: c.narrative_checks }),
  });
  if (!result.success) throw rowError('enrichment', leadId, result.error);
  return result.data;
}

/** A lead's stored score, from the SCORE_COLUMNS of a `leads` row. */
export function fromScoreRow(raw: unknown): StoredScore {
  const parsed = scoreRowSchema.safeParse(raw);
  if (!parsed.success) throw rowError('lead row', rowId(raw), parsed.error);
  const r = parsed.data;
  return {
    lead: r.record,
    score: r.score,
    tier: r.tier,
    breakdown: r.breakdown as StoredScore['breakdown'],
    rulesVersion: r.rules_version,
    inputHash: r.input_hash,
  };
}

export function fromFullRow(raw: unknown): ScoredLead {
  const scored = fromScoreRow(raw);
  return withEnrichment(scored, enrichmentFromRow(raw, scored.lead.id));
}

// ---------------------------------------------------------------------------------------------
// Feedback: rows of the `narrative_feedback` table (its own table; never a `leads` column).
// ---------------------------------------------------------------------------------------------

export const FEEDBACK_COLUMNS = [
  'lead_id',
  'narrative_enriched_at',
  'author_key',
  'author_email',
  'author_name',
  'verdict',
  'reason',
  'narrative_source',
  'narrative_model',
  'narrative_prompt_version',
  'narrative_confidence',
  'narrative_flagged',
  'given_at',
] as const;
/** The primary key: one verdict per lead, narrative and author. */
export const FEEDBACK_KEY = ['lead_id', 'narrative_enriched_at', 'author_key'] as const;

export type FeedbackRow = Record<(typeof FEEDBACK_COLUMNS)[number], string | boolean | null>;

/** Validates feedback (INVALID_INPUT naming the lead and field) and flattens it into table columns. */
export function toFeedbackRow(item: NarrativeFeedback): FeedbackRow {
  const f = validateFeedback(item);
  return {
    lead_id: f.lead_id,
    narrative_enriched_at: f.narrative.enriched_at,
    author_key: f.author.key,
    author_email: f.author.email,
    author_name: f.author.name,
    verdict: f.verdict,
    reason: f.reason,
    narrative_source: f.narrative.source,
    narrative_model: f.narrative.model,
    narrative_prompt_version: f.narrative.prompt_version,
    narrative_confidence: f.narrative.confidence,
    narrative_flagged: f.narrative.flagged,
    given_at: f.given_at,
  };
}

const feedbackRowSchema = z.object({
  lead_id: z.string(),
  narrative_enriched_at: isoTimestamp,
  author_key: z.string(),
  author_email: nullableText,
  author_name: nullableText,
  verdict: z.enum(FEEDBACK_VERDICTS),
  reason: nullableText,
  narrative_source: z.enum(ENRICHMENT_SOURCES),
  narrative_model: z.string(),
  narrative_prompt_version: z.string(),
  narrative_confidence: z.enum(CONFIDENCES),
  narrative_flagged: z.boolean(),
  given_at: isoTimestamp,
});

export function fromFeedbackRow(raw: unknown): NarrativeFeedback {
  const parsed = feedbackRowSchema.safeParse(raw);
  const leadId = (raw as { lead_id?: unknown } | null)?.lead_id;
  if (!parsed.success) throw rowError('feedback row', leadId, parsed.error);
  const r = parsed.data;
  return {
    lead_id: r.lead_id,
    verdict: r.verdict,
    reason: r.reason,
    author: { key: r.author_key, email: r.author_email, name: r.author_name },
    narrative: {
      source: r.narrative_source,
      model: r.narrative_model,
      prompt_version: r.narrative_prompt_version,
      enriched_at: r.narrative_enriched_at,
      confidence: r.narrative_confidence,
      flagged: r.narrative_flagged,
    },
    given_at: r.given_at,
  };
}

export function unknownFeedbackLeadError(leadId: string): AppError {
  return new AppError('NOT_FOUND', `Cannot save feedback for unknown lead "${leadId}"`);
}

/** PostgreSQL's foreign-key violation: the lead the feedback names does not exist. */
export const FOREIGN_KEY_VIOLATION = '23503';
