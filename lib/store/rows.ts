import { z } from 'zod';
import { CONFIDENCES, ENRICHMENT_STATUSES, enrichmentSchema, enrichmentStatus, GROUNDING_STATUSES, groundingStatus, type Enrichment, type EnrichmentStatus } from '../enrichment/schema';
import { narrativeFeedbackSchema, type NarrativeFeedback } from '../enrichment/feedback';
import { AppError, formatIssues, type FieldIssue } from '../errors';
import { fullName, leadInputHash, toScorable, type Lead } from '../lead';
import type { RuleSet } from '../rules';
import { scoreLead, TIERS, topReason, type Tier } from '../scoring';
import { SORT_KEYS, type LeadQuery, type LeadRow, type ScoredLead, type SortDirection, type SortKey } from './types';

/**
 * Pure reshaping shared by the store adapters: lead → stored score → table row, and the one
 * comparator behind the sort order documented in ./types.ts.
 */

export type StoredScore = Omit<ScoredLead, 'enrichment' | 'enrichmentStatus'>;

/** Scores a lead as stores keep it; scoring sees the lead without its outcome. */
export function scoreForStore(lead: Lead, { rules, now }: { rules: RuleSet; now: Date }): StoredScore {
  const { score, tier, breakdown, rulesVersion } = scoreLead(toScorable(lead), { rules, now });
  return { lead, score, tier, breakdown, rulesVersion, inputHash: leadInputHash(lead) };
}

export function withEnrichment(scored: StoredScore, enrichment: Enrichment | null): ScoredLead {
  return {
    ...scored,
    enrichment,
    enrichmentStatus: enrichmentStatus(enrichment, { inputHash: scored.inputHash, rulesVersion: scored.rulesVersion }),
  };
}

export function toLeadRow(scored: ScoredLead, attributes: readonly string[] = []): LeadRow {
  const { lead } = scored;
  const reason = topReason(scored.breakdown);
  return {
    id: lead.id,
    name: fullName(lead) ?? null,
    email: lead.email ?? null,
    jobTitle: lead.job_title ?? null,
    company: lead.company_name ?? null,
    industry: lead.industry ?? null,
    score: scored.score,
    tier: scored.tier,
    topReason: reason ? { label: reason.label, points: reason.points } : null,
    enrichmentStatus: scored.enrichmentStatus,
    confidence: scored.enrichment?.confidence ?? null,
    grounding: groundingStatus(scored.enrichment),
    attributes: pickAttributes(lead.attributes, attributes),
  };
}

/** The values of `names` a lead's attributes have (for a table row's attribute columns). */
export function pickAttributes(values: Lead['attributes'] | null | undefined, names: readonly string[]): LeadRow['attributes'] {
  const picked: LeadRow['attributes'] = {};
  if (values) for (const name of names) if (Object.hasOwn(values, name)) picked[name] = values[name]!;
  return picked;
}

/** What search matches a lead on, lower-cased, one value per line: name, company, email, id, text attributes. */
export function searchTextOf(lead: Lead): string {
  const texts = [fullName(lead) ?? '', lead.company_name ?? '', lead.email ?? '', lead.id];
  for (const [, value] of Object.entries(lead.attributes ?? {}).sort(([a], [b]) => compareCodePoints(a, b))) if (typeof value === 'string') texts.push(value);
  return texts.join('\n').toLowerCase();
}

const TIER_RANK: Record<Tier, number> = { COLD: 0, WARM: 1, HOT: 2 };
const ENRICHMENT_RANK: Record<EnrichmentStatus, number> = { none: 0, stale: 1, mock: 2, claude: 3 };

/**
 * Compares strings by Unicode code point, as SQL `COLLATE "C"` does. JavaScript's `<` compares UTF-16
 * code units, which disagrees only when a surrogate pair meets a character in U+E000–U+FFFF; shifting
 * those two ranges past each other restores code-point order.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x <= 0xdfff ? 0x2000 : -0x800;
      y += y <= 0xdfff ? 0x2000 : -0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

type TextKey = 'name' | 'title' | 'company' | 'industry';
const TEXT_FIELD: Record<TextKey, (row: LeadRow) => string | null> = {
  name: (row) => row.name,
  title: (row) => row.jobTitle,
  company: (row) => row.company,
  industry: (row) => row.industry,
};

/** Score descending, then id ascending: the tie-break of every sort, whatever the key and direction. */
function compareTies(a: LeadRow, b: LeadRow): number {
  return b.score - a.score || compareCodePoints(a.id, b.id);
}

/**
 * The row order of ./types.ts for one sort key and direction. Ties are not mirrored by `desc`, and
 * missing text sorts last in both directions, so a descending order is not the ascending one reversed.
 */
export function compareRows(key: SortKey, direction: SortDirection): (a: LeadRow, b: LeadRow) => number {
  const sign = direction === 'asc' ? 1 : -1;
  switch (key) {
    case 'score':
      return (a, b) => sign * (a.score - b.score) || compareTies(a, b);
    case 'tier':
      return (a, b) => sign * (TIER_RANK[a.tier] - TIER_RANK[b.tier]) || compareTies(a, b);
    case 'enrichment':
      return (a, b) => sign * (ENRICHMENT_RANK[a.enrichmentStatus] - ENRICHMENT_RANK[b.enrichmentStatus]) || compareTies(a, b);
    default: {
      const read = TEXT_FIELD[key];
      return (a, b) => {
        const x = read(a);
        const y = read(b);
        if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0) || compareTies(a, b);
        return sign * compareCodePoints(x.toLowerCase(), y.toLowerCase()) || compareTies(a, b);
      };
    }
  }
}

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

/** The documented feedback order (./types.ts): lead id, then narrative time, then author key. */
export function compareFeedback(a: NarrativeFeedback, b: NarrativeFeedback): number {
  return (
    compareCodePoints(a.lead_id, b.lead_id) ||
    Date.parse(a.narrative.enriched_at) - Date.parse(b.narrative.enriched_at) ||
    compareCodePoints(a.author.key, b.author.key)
  );
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
