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
