import type { Confidence, EnrichmentOutput } from './schema';
import type { BreakdownItem, ScoreResult, Tier } from '../scoring';

/**
 * The narrative written when no ANTHROPIC_API_KEY is set: built only from the score breakdown, so it
 * is deterministic and can say nothing the rules did not. Every line starts with MOCK_MARKER so it can
 * never be mistaken for Claude's writing, wherever it is shown.
 */
export const MOCK_MARKER = '[mock]';
export const MOCK_MODEL = 'mock';

const TOP_SIGNALS = 3;

const ACTION_BY_TIER: Record<Tier, string> = {
  HOT: 'Reach out today with a personal note',
  WARM: 'Send a tailored follow-up and offer a short call',
  COLD: 'Add to a nurture sequence; no SDR time yet',
};

function topSignals(breakdown: readonly BreakdownItem[]): BreakdownItem[] {
  return breakdown
    .filter((b) => b.points > 0)
    .sort((a, b) => b.points - a.points)
    .slice(0, TOP_SIGNALS);
}

function confidenceFor(unknownCount: number, ruleCount: number): Confidence {
  if (unknownCount === 0) return 'high';
  return unknownCount * 3 <= ruleCount ? 'medium' : 'low';
}

export function mockEnrichmentOutput(result: ScoreResult): EnrichmentOutput {
  const signals = topSignals(result.breakdown);
  const unknown = result.breakdown.filter((b) => b.unknown).map((b) => b.label.toLowerCase());
  const strongest = signals.length
    ? `strongest signals: ${signals.map((s) => `${s.label} (+${s.points})`).join(', ')}`
    : 'no rule awarded points';
  const gaps = unknown.length ? ` Unknown: ${unknown.join(', ')}.` : '';
  const fitNarrative = `${MOCK_MARKER} ${result.tier} lead at ${result.score}/100; ${strongest}.${gaps}`;
  const lead = signals[0] ? `, referencing ${signals[0].label.toLowerCase()}` : '';
  const verify = unknown.length ? ` and confirm ${unknown.slice(0, 2).join(' and ')}` : '';
  const action = `${MOCK_MARKER} ${ACTION_BY_TIER[result.tier]}${result.tier === 'COLD' ? '' : lead}${verify}.`;
  return {
    fit_narrative: fitNarrative.slice(0, 600),
    recommended_action: action.slice(0, 300),
    confidence: confidenceFor(unknown.length, result.breakdown.length),
  };
}
