import { describe, expect, it } from 'vitest';
import { jaccard, labelAgreement, leadConsistency, meanPairwiseJaccard, sampleLeads, summarizeConsistency, wordSet } from '@/lib/enrichment/consistency';
import { CONFIDENCES } from '@/lib/enrichment/schema';
import type { Tier } from '@/lib/scoring';

const clean = { version: 'grounding-v1', findings: [] };

describe('word sets and Jaccard similarity', () => {
  it('reads lower-cased words, without punctuation or the mock marker', () => {
    expect([...wordSet('[mock] Strong fit; send a follow-up, Strong.')].sort()).toEqual(['a', 'fit', 'follow', 'send', 'strong', 'up']);
  });

  it('is |A ∩ B| / |A ∪ B|, 1 for identical sets, 0 for disjoint ones', () => {
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']))).toBe(2 / 4);
    expect(jaccard(new Set(['a']), new Set(['a']))).toBe(1);
    expect(jaccard(new Set(['a']), new Set(['b']))).toBe(0);
    expect(jaccard(new Set(), new Set())).toBe(1);
  });

  it('averages over every pair of texts', () => {
    // Pairs: (1,2) = 1, (1,3) = 2/4, (2,3) = 2/4 → mean 2/3.
    expect(meanPairwiseJaccard(['a b c', 'a b c', 'b c d'])).toBeCloseTo(2 / 3, 12);
    expect(meanPairwiseJaccard(['only one'])).toBeNull();
  });
});

describe('label agreement', () => {
  it("is the share of runs that give the most common label; ties go to the label listed first", () => {
    expect(labelAgreement(['high', 'high', 'medium', 'high'], CONFIDENCES)).toEqual({ counts: { high: 3, medium: 1, low: 0 }, mode: 'high', agreement: 0.75 });
    expect(labelAgreement(['low', 'medium', 'low', 'medium'], CONFIDENCES)).toMatchObject({ mode: 'medium', agreement: 0.5 });
    expect(labelAgreement(['low'], CONFIDENCES)).toMatchObject({ mode: 'low', agreement: null });
  });
});

describe('lead consistency and its summary', () => {
  const run = (n: number, fit: string, action: string, confidence: 'high' | 'medium' | 'low', flagged = false) => ({
    run: n,
    output: { fit_narrative: fit, recommended_action: action, confidence },
    checks: flagged ? { version: 'grounding-v1', findings: [{ check: 'invented_tool' as const, field: 'fit_narrative' as const, text: 'X', detail: 'y' }] } : clean,
  });

  it('measures one lead and averages over leads (each counts once)', () => {
    const a = leadConsistency({ id: 'a', tier: 'HOT', score: 80 }, [run(1, 'a b', 'Call today.', 'high'), run(2, 'a b', 'Call today.', 'high')], 0);
    const b = leadConsistency({ id: 'b', tier: 'COLD', score: 20 }, [run(1, 'x', 'Add to nurture.', 'low', true), run(2, 'y', 'Send a follow-up.', 'medium')], 1);
    const single = leadConsistency({ id: 'c', tier: 'WARM', score: 50 }, [run(1, 'z', 'Send a follow-up.', 'high')], 4);
    expect(a).toMatchObject({ runs: 2, failed: 0, similarity: 1, flaggedRuns: 0, confidence: { agreement: 1 }, action: { mode: 'call_now', agreement: 1 } });
    // b: {x, add, to, nurture} vs {y, send, a, follow, up}: nothing shared.
    expect(b).toMatchObject({ runs: 2, failed: 1, similarity: 0, flaggedRuns: 1, byCheck: { invented_tool: 1 }, confidence: { agreement: 0.5 }, action: { agreement: 0.5 } });
    const s = summarizeConsistency([a, b, single]);
    expect(s).toMatchObject({ leads: 3, compared: 2, runs: 5, failedRuns: 5, confidenceAgreement: 0.75, actionAgreement: 0.75, similarity: 0.5, unanimousConfidence: 1, unanimousAction: 1, flaggedRuns: 1, flaggedLeads: 1 });
    expect(s.byTier.map((t) => [t.tier, t.leads, t.similarity])).toEqual([
      ['HOT', 1, 1],
      ['WARM', 0, null],
      ['COLD', 1, 0],
    ]);
  });
});

describe('sampleLeads', () => {
  const leads = Array.from({ length: 40 }, (_, i) => ({ id: `l${String(i).padStart(2, '0')}`, tier: (i < 3 ? 'HOT' : i < 15 ? 'WARM' : 'COLD') as Tier }));

  it('takes from the tiers in turn, so a small tier is not drowned out', () => {
    const sample = sampleLeads(leads, 12, 7);
    expect(sample.filter((l) => l.tier === 'HOT')).toHaveLength(3);
    expect(sample.filter((l) => l.tier === 'WARM')).toHaveLength(5);
    expect(sample.filter((l) => l.tier === 'COLD')).toHaveLength(4);
    expect(sampleLeads(leads, 100, 7)).toHaveLength(40);
  });

  it('picks the same leads for the same seed whatever the order, other leads for another seed', () => {
    const a = sampleLeads(leads, 9, 7).map((l) => l.id);
    expect(sampleLeads([...leads].reverse(), 9, 7).map((l) => l.id)).toEqual(a);
    expect(sampleLeads(leads, 9, 8).map((l) => l.id)).not.toEqual(a);
  });
});
