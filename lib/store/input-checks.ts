import { z } from 'zod';
import { narrativeFeedbackSchema, type NarrativeFeedback } from '../enrichment/feedback';
import { CONFIDENCES, ENRICHMENT_STATUSES, enrichmentSchema, GROUNDING_STATUSES, type Enrichment } from '../enrichment/schema';
import { AppError, formatIssues, type FieldIssue } from '../errors';
import { TIERS, type Tier } from '../scoring';
import { SORT_KEYS, type LeadQuery } from './types';

/**
 * What every store checks before it writes or queries, the same way in each: enrichments, feedback and
 * lead queries, refused with INVALID_INPUT naming the record and field.
 */

/**
 * Validates enrichments before any store writes them: all or nothing, with an INVALID_INPUT error naming
 * each bad one by lead id (or position) and field.
 */
export function validateEnrichments(items: readonly unknown[]): Enrichment[] {
  const issues: FieldIssue[] = [];
  const valid: Enrichment[] = [];
  items.forEach((item, index) => {
    const id = (item as { lead_id?: unknown } | null)?.lead_id;
    const record = typeof id === 'string' && id ? `lead "${id}"` : `#${index}`;
    const result = enrichmentSchema.safeParse(item);
    if (result.success) valid.push(result.data);
    else for (const issue of result.error.issues) issues.push({ record, field: issue.path.join('.') || '(record)', message: issue.message });
  });
  if (issues.length > 0) throw new AppError('INVALID_INPUT', `Cannot save enrichments:\n${formatIssues(issues, issues.length)}`, { issues });
  return valid;
}

/** Validates one feedback record before any store writes it: INVALID_INPUT naming the lead and each bad field. */
export function validateFeedback(item: unknown): NarrativeFeedback {
  const result = narrativeFeedbackSchema.safeParse(item);
  if (result.success) return result.data;
  const id = (item as { lead_id?: unknown } | null)?.lead_id;
  const record = typeof id === 'string' && id ? `lead "${id}"` : 'feedback';
  const issues = result.error.issues.map((issue) => ({ record, field: issue.path.join('.') || '(record)', message: issue.message }));
  throw new AppError('INVALID_INPUT', `Cannot save feedback:\n${formatIssues(issues, issues.length)}`, { issues });
}

/** No stored text holds NUL (PostgreSQL text cannot), so a query with one is malformed, not a store fault. */
const noNul = (text: string) => !text.includes('\u0000');
const NUL_MESSAGE = 'must not contain NUL characters';

const leadQuerySchema = z.object({
  sort: z.enum(SORT_KEYS),
  direction: z.enum(['asc', 'desc']),
  tiers: z.array(z.enum(TIERS as [Tier, ...Tier[]])).optional(),
  industries: z.array(z.string().refine(noNul, NUL_MESSAGE)).optional(),
  enrichment: z.array(z.enum(ENRICHMENT_STATUSES)).optional(),
  confidence: z.array(z.enum(CONFIDENCES)).optional(),
  grounding: z.array(z.enum(GROUNDING_STATUSES)).optional(),
  search: z.string().refine(noNul, NUL_MESSAGE).optional(),
  attributes: z.array(z.string()).optional(),
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1),
});

/** Checks a lead query the same way in every store: INVALID_INPUT naming the first bad field. */
export function validateLeadQuery(raw: LeadQuery): LeadQuery {
  const result = leadQuerySchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new AppError('INVALID_INPUT', `Invalid lead query: ${issue.path.join('.') || 'query'} ${issue.message}`);
  }
  return result.data;
}
