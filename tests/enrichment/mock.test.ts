import { describe, expect, it } from 'vitest';
import { MOCK_MARKER, mockEnrichmentOutput } from '@/lib/enrichment/mock';
import { enrichmentOutputSchema } from '@/lib/enrichment/schema';
import { toScorable } from '@/lib/lead';
import { scoreLead } from '@/lib/scoring';
import { NOW, sampleLeads } from './fixtures';

describe('mockEnrichmentOutput', () => {
  const results = sampleLeads(200).map((lead) => scoreLead(toScorable(lead), { now: NOW }));

  it('is deterministic, labelled on every line and fits the output schema', () => {
    for (const result of results) {
      const output = mockEnrichmentOutput(result);
      expect(mockEnrichmentOutput(result)).toEqual(output);
      expect(enrichmentOutputSchema.parse(output)).toEqual(output);
      expect(output.fit_narrative.startsWith(MOCK_MARKER)).toBe(true);
      expect(output.recommended_action.startsWith(MOCK_MARKER)).toBe(true);
      expect(output.fit_narrative).toContain(`${result.tier} lead at ${result.score}/100`);
    }
  });

  it('names the top positive rules and the unknown fields', () => {
    const result = scoreLead({ id: 'x', demo_requested: true, pricing_page_views_30d: 4 }, { now: NOW });
    const output = mockEnrichmentOutput(result);
    expect(output.fit_narrative).toMatch(/Demo requested \(\+\d+\)/);
    expect(output.fit_narrative).toMatch(/Unknown: .*industry/i);
    expect(output.confidence).toBe('low');
  });
});
