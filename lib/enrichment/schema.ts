import { z } from 'zod';

/**
 * What Claude must return, and what is stored per lead. The score is never part of Claude's output:
 * enrichment reads the score as context and cannot change it.
 */
export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const enrichmentOutputSchema = z.object({
  fit_narrative: z.string().min(1).max(600).describe('Why this lead fits or does not, at most 2 sentences.'),
  recommended_action: z.string().min(1).max(300).describe('The next step for the SDR, one sentence.'),
  confidence: z.enum(CONFIDENCES),
});
export type EnrichmentOutput = z.infer<typeof enrichmentOutputSchema>;

/** The two lines of a narrative, as the grounding checks name them. */
export const NARRATIVE_FIELDS = ['fit_narrative', 'recommended_action'] as const;
export type NarrativeField = (typeof NARRATIVE_FIELDS)[number];

/** What the grounding checks (./grounding.ts) look for; each finding names one. */
export const GROUNDING_CHECKS = [
  'invented_number',
  'invented_headcount',
  'invented_name',
  'invented_tool',
  'invented_funding',
  'score_mismatch',
  'tier_mismatch',
  'action_urgency',
  'obeyed_injection',
] as const;
export type GroundingCheck = (typeof GROUNDING_CHECKS)[number];

export const GROUNDING_CHECK_LABEL: Record<GroundingCheck, string> = {
  invented_number: 'Number not in the record',
  invented_headcount: 'Headcount not in the record',
  invented_name: 'Name not in the record',
  invented_tool: 'Tool not in the record',
  invented_funding: 'Funding not in the record',
  score_mismatch: 'Different score',
  tier_mismatch: 'Different tier',
  action_urgency: 'Action contradicts the tier',
  obeyed_injection: 'Followed text from the record',
};

export const groundingFindingSchema = z
  .object({
    check: z.enum(GROUNDING_CHECKS),
    field: z.enum(NARRATIVE_FIELDS),
    /** The words of the narrative that raised the finding. */
    text: z.string().min(1).max(200),
    /** Why, in plain words for the SDR. */
    detail: z.string().min(1).max(300),
  })
  .strict();
export type GroundingFinding = z.infer<typeof groundingFindingSchema>;

/** The grounding checks' result, stored with the narrative they checked. No findings: nothing was flagged. */
export const narrativeChecksSchema = z
  .object({
    /** Which version of the checks ran (GROUNDING_VERSION). */
    version: z.string().min(1).max(50),
    findings: z.array(groundingFindingSchema).max(50),
  })
  .strict();
export type NarrativeChecks = z.infer<typeof narrativeChecksSchema>;

export const ENRICHMENT_SOURCES = ['claude', 'mock'] as const;
export type EnrichmentSource = (typeof ENRICHMENT_SOURCES)[number];

export const tokenUsageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative(),
  cache_creation_input_tokens: z.number().int().nonnegative(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

export const enrichmentSchema = enrichmentOutputSchema.extend({
  lead_id: z.string().min(1),
  source: z.enum(ENRICHMENT_SOURCES),
  model: z.string().min(1),
  prompt_version: z.string().min(1),
  /** `leadInputHash` of the lead when it was enriched: a different hash now means the narrative is stale. */
  input_hash: z.string().min(1),
  rules_version: z.string().min(1),
  /** The score the narrative was written against (context only; the live score always comes from scoring). */
  score: z.number().int().min(0).max(100),
  usage: tokenUsageSchema,
  /** USD for this narrative; null when the model has no price on file (lib/enrichment/pricing.ts), never a guess. */
  cost_usd: z.number().nonnegative().nullable(),
  latency_ms: z.number().nonnegative(),
  enriched_at: z.iso.datetime(),
  /** Grounding findings, computed when the narrative was stored; absent on narratives stored before the checks existed. */
  checks: narrativeChecksSchema.optional(),
});
export type Enrichment = z.infer<typeof enrichmentSchema>;

/** Where a lead's narrative stands, as the dashboard shows it. */
export const ENRICHMENT_STATUSES = ['claude', 'mock', 'stale', 'none'] as const;
export type EnrichmentStatus = (typeof ENRICHMENT_STATUSES)[number];

export function enrichmentStatus(
  enrichment: Pick<Enrichment, 'source' | 'input_hash' | 'rules_version'> | null | undefined,
  current: { inputHash: string; rulesVersion: string },
): EnrichmentStatus {
  if (!enrichment) return 'none';
  if (enrichment.input_hash !== current.inputHash || enrichment.rules_version !== current.rulesVersion) return 'stale';
  return enrichment.source;
}

/** A narrative's grounding, as the table filters and counts it: null when the lead has no narrative. */
export const GROUNDING_STATUSES = ['flagged', 'clean', 'unchecked'] as const;
export type GroundingStatus = (typeof GROUNDING_STATUSES)[number];

export function groundingStatus(enrichment: Pick<Enrichment, 'checks'> | null | undefined): GroundingStatus | null {
  if (!enrichment) return null;
  if (!enrichment.checks) return 'unchecked';
  return enrichment.checks.findings.length > 0 ? 'flagged' : 'clean';
}
