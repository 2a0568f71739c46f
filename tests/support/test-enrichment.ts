import type { Enrichment } from '../../lib/enrichment/schema';

/**
 * A valid mock enrichment for tests of the stores and their workers: `written` says what it was written
 * against (by default a placeholder, which reads as stale); overrides win.
 */
export function testEnrichment(
  leadId: string,
  { written, ...overrides }: Partial<Enrichment> & { written?: { inputHash: string; rulesVersion: string; score: number } } = {},
): Enrichment {
  return {
    lead_id: leadId,
    fit_narrative: 'Fits.',
    recommended_action: 'Call.',
    confidence: 'high',
    source: 'mock',
    model: 'mock-enricher',
    prompt_version: 'v1',
    input_hash: written?.inputHash ?? 'h_test',
    rules_version: written?.rulesVersion ?? 'r_test',
    score: written?.score ?? 50,
    usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    cost_usd: 0,
    latency_ms: 1,
    enriched_at: '2026-11-01T10:00:00.000Z',
    ...overrides,
  };
}
