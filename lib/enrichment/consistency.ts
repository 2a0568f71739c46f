import { hashString } from '../hash';
import { TIERS, type Tier } from '../scoring';
import { ACTION_KINDS, classifyAction, type ActionKind } from './action-kind';
import { MOCK_MARKER } from './mock';
import { CONFIDENCES, type Confidence, type EnrichmentOutput, type GroundingCheck, type NarrativeChecks } from './schema';

/**
 * Consistency of narratives across repeated runs on the same lead (`npm run enrich:qa`). Pure: runs in,
 * figures out. The measures, per lead with at least two successful runs:
 *
 * - Label agreement (confidence, and the recommended action's kind from ./action-kind.ts): the share of
 *   runs that give the lead's most common label. 1.0 is every run agreeing; with 5 runs and 3 labels the
 *   lowest possible is 0.4. Ties for the most common label are broken by the labels' listed order.
 * - Lexical similarity: the mean, over every pair of runs, of the Jaccard index of the two narratives'
 *   word sets (fit narrative and recommended action together; words as Intl.Segmenter finds them,
 *   lower-cased, the mock marker left out): |A ∩ B| / |A ∪ B|, 1.0 for the same words, 0 for none shared.
 *   It sees wording, not meaning: two notes that say the same thing in other words score low.
 * - Grounding: how many runs the checks flagged, and runs per check.
 *
 * Overall figures are means over leads (each lead counts once, whatever its number of successful runs).
 */

export interface QaRun {
  run: number;
  output: EnrichmentOutput;
  checks: NarrativeChecks;
}

export interface LabelAgreement<L extends string> {
  counts: Record<L, number>;
  /** The most common label; null without runs. */
  mode: L | null;
  /** Share of runs giving the mode; null with fewer than two runs. */
  agreement: number | null;
}

export interface LeadConsistency {
  leadId: string;
  tier: Tier;
  score: number;
  /** Successful runs. */
  runs: number;
  failed: number;
  confidence: LabelAgreement<Confidence>;
  action: LabelAgreement<ActionKind>;
  /** Mean pairwise Jaccard similarity of the runs' word sets; null with fewer than two runs. */
  similarity: number | null;
  flaggedRuns: number;
  /** Runs in which each check found something. */
  byCheck: Partial<Record<GroundingCheck, number>>;
}

export interface ConsistencySummary {
  leads: number;
  /** Leads with at least two successful runs: the ones the means are over. */
  compared: number;
  runs: number;
  failedRuns: number;
  confidenceAgreement: number | null;
  actionAgreement: number | null;
  similarity: number | null;
  /** Leads whose every run gave the same label. */
  unanimousConfidence: number;
  unanimousAction: number;
  flaggedRuns: number;
  /** Leads with at least one flagged run. */
  flaggedLeads: number;
  byCheck: Partial<Record<GroundingCheck, number>>;
  byTier: { tier: Tier; leads: number; confidenceAgreement: number | null; actionAgreement: number | null; similarity: number | null }[];
}

const segmenter = new Intl.Segmenter('en', { granularity: 'word' });

/** The words of a narrative, lower-cased, as a set. */
export function wordSet(text: string): Set<string> {
  const words = new Set<string>();
  for (const s of segmenter.segment(text.split(MOCK_MARKER).join(' '))) if (s.isWordLike) words.add(s.segment.toLowerCase());
  return words;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Mean Jaccard similarity over every pair of texts; null for fewer than two. */
export function meanPairwiseJaccard(texts: readonly string[]): number | null {
  if (texts.length < 2) return null;
  const sets = texts.map(wordSet);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      sum += jaccard(sets[i]!, sets[j]!);
      pairs++;
    }
  }
  return sum / pairs;
}

export function labelAgreement<L extends string>(labels: readonly L[], order: readonly L[]): LabelAgreement<L> {
  const counts = Object.fromEntries(order.map((l) => [l, 0])) as Record<L, number>;
  for (const l of labels) counts[l]++;
  let mode: L | null = null;
  for (const l of order) if (counts[l] > 0 && (mode === null || counts[l] > counts[mode])) mode = l;
  return { counts, mode, agreement: labels.length < 2 || mode === null ? null : counts[mode] / labels.length };
}

export function leadConsistency(lead: { id: string; tier: Tier; score: number }, runs: readonly QaRun[], failed: number): LeadConsistency {
  const byCheck: Partial<Record<GroundingCheck, number>> = {};
  for (const r of runs) for (const check of new Set(r.checks.findings.map((f) => f.check))) byCheck[check] = (byCheck[check] ?? 0) + 1;
  return {
    leadId: lead.id,
    tier: lead.tier,
    score: lead.score,
    runs: runs.length,
    failed,
    confidence: labelAgreement(runs.map((r) => r.output.confidence), CONFIDENCES),
    action: labelAgreement(runs.map((r) => classifyAction(r.output.recommended_action)), ACTION_KINDS),
    similarity: meanPairwiseJaccard(runs.map((r) => `${r.output.fit_narrative} ${r.output.recommended_action}`)),
    flaggedRuns: runs.filter((r) => r.checks.findings.length > 0).length,
    byCheck,
  };
}

function mean(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

export function summarizeConsistency(leads: readonly LeadConsistency[]): ConsistencySummary {
  const compared = leads.filter((l) => l.runs >= 2);
  const byCheck: Partial<Record<GroundingCheck, number>> = {};
  for (const l of leads) for (const [check, n] of Object.entries(l.byCheck)) byCheck[check as GroundingCheck] = (byCheck[check as GroundingCheck] ?? 0) + n;
  return {
    leads: leads.length,
    compared: compared.length,
    runs: leads.reduce((n, l) => n + l.runs, 0),
    failedRuns: leads.reduce((n, l) => n + l.failed, 0),
    confidenceAgreement: mean(compared.map((l) => l.confidence.agreement)),
    actionAgreement: mean(compared.map((l) => l.action.agreement)),
    similarity: mean(compared.map((l) => l.similarity)),
    unanimousConfidence: compared.filter((l) => l.confidence.agreement === 1).length,
    unanimousAction: compared.filter((l) => l.action.agreement === 1).length,
    flaggedRuns: leads.reduce((n, l) => n + l.flaggedRuns, 0),
    flaggedLeads: leads.filter((l) => l.flaggedRuns > 0).length,
    byCheck,
    byTier: TIERS.map((tier) => {
      const inTier = compared.filter((l) => l.tier === tier);
      return {
        tier,
        leads: inTier.length,
        confidenceAgreement: mean(inTier.map((l) => l.confidence.agreement)),
        actionAgreement: mean(inTier.map((l) => l.action.agreement)),
        similarity: mean(inTier.map((l) => l.similarity)),
      };
    }),
  };
}

/**
 * A seeded sample of leads, spread over the tiers: each tier's leads are ordered by a hash of (seed, lead
 * id), and leads are taken from the tiers in turn (HOT, WARM, COLD) until the sample is full or the
 * leads run out. The same seed picks the same leads whatever the file order; a tier with few leads (the
 * bundled data has 8 HOT) is not drowned out by the others.
 */
export function sampleLeads<T extends { id: string; tier: Tier }>(leads: readonly T[], size: number, seed: number): T[] {
  const queues = TIERS.map((tier) =>
    leads
      .filter((l) => l.tier === tier)
      .map((l) => ({ l, key: hashString(`${seed}:${l.id}`) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.l.id < b.l.id ? -1 : 1))
      .map((x) => x.l),
  );
  const out: T[] = [];
  while (out.length < size && queues.some((q) => q.length > 0)) {
    for (const q of queues) if (out.length < size && q.length > 0) out.push(q.shift()!);
  }
  return out;
}
