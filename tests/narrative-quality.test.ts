import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '@/lib/backtest';
import type { NarrativeFeedback } from '@/lib/enrichment/feedback';
import type { Confidence, EnrichmentStatus, GroundingStatus } from '@/lib/enrichment/schema';
import { formatNarrativeTables, narrativeQuality } from '@/lib/narrative-quality';
import type { Tier } from '@/lib/scoring';
import type { OutcomeRow } from '@/lib/store/types';

let next = 0;
function rows(n: number, tier: Tier, confidence: Confidence | null, converted: number, extra: { status?: EnrichmentStatus; grounding?: GroundingStatus | null } = {}): OutcomeRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `l${++next}`,
    score: tier === 'HOT' ? 80 : tier === 'WARM' ? 50 : 20,
    tier,
    converted: i < converted,
    enrichmentStatus: extra.status ?? (confidence ? 'claude' : 'none'),
    confidence,
    grounding: extra.grounding === undefined ? (confidence ? 'clean' : null) : extra.grounding,
  }));
}

/**
 * The fixture, worked by hand. Claude narratives (current): HOT high 4 leads / 3 converted (one of the
 * converted flagged), HOT medium 2 / 1; WARM high 2 / 1 (the converted one stored before the checks),
 * WARM low 3 / 0 (one flagged); COLD medium 4 / 0 (one flagged). Left out: 2 mock, 1 stale, 2 none.
 */
const OUTCOMES: OutcomeRow[] = [
  ...rows(1, 'HOT', 'high', 1, { grounding: 'flagged' }),
  ...rows(3, 'HOT', 'high', 2),
  ...rows(2, 'HOT', 'medium', 1),
  ...rows(1, 'WARM', 'high', 1, { grounding: 'unchecked' }),
  ...rows(1, 'WARM', 'high', 0),
  ...rows(1, 'WARM', 'low', 0, { grounding: 'flagged' }),
  ...rows(2, 'WARM', 'low', 0),
  ...rows(1, 'COLD', 'medium', 0, { grounding: 'flagged' }),
  ...rows(3, 'COLD', 'medium', 0),
  ...rows(2, 'HOT', 'high', 2, { status: 'mock' }),
  ...rows(1, 'HOT', 'low', 1, { status: 'stale' }),
  ...rows(2, 'COLD', null, 0),
];

function verdict(verdict: 'helpful' | 'wrong', confidence: Confidence, flagged: boolean, model = 'claude-sonnet-5-5', prompt = 'lead-fit-v1', source: 'claude' | 'mock' = 'claude'): NarrativeFeedback {
  return {
    lead_id: `l${++next}`,
    verdict,
    reason: null,
    author: { key: 'local', email: null, name: null },
    narrative: { source, model, prompt_version: prompt, enriched_at: '2026-11-01T09:00:00.000Z', confidence, flagged },
    given_at: '2026-11-02T09:00:00.000Z',
  };
}

const FEEDBACK = [
  verdict('helpful', 'high', false),
  verdict('wrong', 'high', true),
  verdict('helpful', 'medium', false),
  verdict('wrong', 'low', false, 'claude-opus-5', 'lead-fit-v2'),
  verdict('helpful', 'medium', false, 'mock', 'lead-fit-v1', 'mock'),
];

describe('narrativeQuality', () => {
  const q = narrativeQuality(OUTCOMES, FEEDBACK);

  it("grades the current Claude narratives and says what it left out", () => {
    expect(q).toMatchObject({ source: 'claude', leads: 15, conversions: 5, baseRate: 5 / 15, leftOut: { stale: 1, none: 2, otherSource: 2 } });
  });

  it('tabulates conversion by confidence within each tier, with lift over the tier rate', () => {
    const [hot, warm, cold] = q.byTier;
    expect(hot).toMatchObject({ tier: 'HOT', leads: 6, conversions: 4, rate: 4 / 6 });
    expect(hot!.byConfidence).toEqual([
      { confidence: 'high', leads: 4, conversions: 3, rate: 0.75, ci: wilsonInterval(3, 4), lift: 0.75 / (4 / 6) },
      { confidence: 'medium', leads: 2, conversions: 1, rate: 0.5, ci: wilsonInterval(1, 2), lift: 0.5 / (4 / 6) },
      { confidence: 'low', leads: 0, conversions: 0, rate: null, ci: { low: 0, high: 1 }, lift: null },
    ]);
    expect(hot!.byConfidence[0]!.lift).toBeCloseTo(1.125, 12);
    expect(warm).toMatchObject({ tier: 'WARM', leads: 5, conversions: 1, rate: 0.2 });
    expect(warm!.byConfidence.map((c) => [c.confidence, c.leads, c.rate, c.lift])).toEqual([
      ['high', 2, 0.5, 2.5],
      ['medium', 0, null, null],
      ['low', 3, 0, 0],
    ]);
    // COLD converts 0%: no lift can be computed against it.
    expect(cold!.byConfidence.map((c) => [c.confidence, c.leads, c.rate, c.lift])).toEqual([
      ['high', 0, null, null],
      ['medium', 4, 0, null],
      ['low', 0, null, null],
    ]);
  });

  it('tabulates conversion by confidence over all tiers, with lift over the base rate', () => {
    expect(q.overall.map((c) => [c.confidence, c.leads, c.conversions])).toEqual([
      ['high', 6, 4],
      ['medium', 6, 1],
      ['low', 3, 0],
    ]);
    expect(q.overall[0]!.lift).toBeCloseTo(2, 12);
    expect(q.overall[1]!.lift).toBeCloseTo(0.5, 12);
    expect(q.overall[2]!.lift).toBe(0);
  });

  it('counts flagged narratives and how their leads convert', () => {
    expect(q.grounding).toMatchObject({ checked: 14, flagged: 3, rate: 3 / 14, ci: wilsonInterval(3, 14), unchecked: 1 });
    expect(q.grounding.flaggedLeads).toMatchObject({ leads: 3, conversions: 1, rate: 1 / 3 });
    expect(q.grounding.flaggedLeads.lift).toBeCloseTo(1, 12);
    expect(q.grounding.cleanLeads).toMatchObject({ leads: 11, conversions: 3, rate: 3 / 11 });
    expect(q.grounding.cleanLeads.lift).toBeCloseTo(9 / 11, 12);
  });

  it('measures SDR agreement overall, by confidence, by grounding flag and by model and prompt', () => {
    const f = q.feedback!;
    expect(f.total).toEqual({ verdicts: 5, helpful: 3, agreement: 0.6, ci: wilsonInterval(3, 5) });
    expect(f.byConfidence.map((c) => [c.confidence, c.verdicts, c.helpful, c.agreement])).toEqual([
      ['high', 2, 1, 0.5],
      ['medium', 2, 2, 1],
      ['low', 1, 0, 0],
    ]);
    expect([f.flagged.verdicts, f.flagged.agreement, f.clean.verdicts, f.clean.agreement]).toEqual([1, 0, 4, 0.75]);
    expect(f.byModel.map((m) => [m.source, m.model, m.promptVersion, m.verdicts, m.helpful])).toEqual([
      ['claude', 'claude-sonnet-5-5', 'lead-fit-v1', 3, 2],
      ['claude', 'claude-opus-5', 'lead-fit-v2', 1, 0],
      ['mock', 'mock', 'lead-fit-v1', 1, 1],
    ]);
  });

  it('falls back to mock narratives, labelled, when Claude wrote none; and has no feedback section without feedback', () => {
    const mockOnly = OUTCOMES.map((r) => (r.enrichmentStatus === 'claude' ? { ...r, enrichmentStatus: 'mock' as const } : r));
    const m = narrativeQuality(mockOnly, []);
    expect(m).toMatchObject({ source: 'mock', leads: 17, leftOut: { otherSource: 0 }, feedback: null });
    expect(formatNarrativeTables(m)).toContain('MOCK (not written by Claude');
    expect(narrativeQuality(OUTCOMES.filter((r) => r.enrichmentStatus === 'none'), []).source).toBeNull();
  });

  it('prints the tables for the CLI', () => {
    const text = formatNarrativeTables(q);
    expect(text).toContain('Narratives by Claude: 15 leads with an outcome, base rate 33.3%; left out: 1 stale, 2 without one, 2 mock.');
    expect(text).toMatch(/HOT\s+all\s+6\s+4\s+66\.7%/);
    expect(text).toMatch(/\s+high\s+4\s+3\s+75\.0%\s+\S+\s+1\.13x/);
    expect(text).toContain('Grounding checks: 3 of 14 flagged (21.4%');
    expect(text).toContain('SDR feedback: 5 verdicts, 60.0% helpful');
    expect(formatNarrativeTables(narrativeQuality(OUTCOMES, []))).toContain('SDR feedback: none yet');
  });
});
