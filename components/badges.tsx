import type { Confidence, EnrichmentStatus, GroundingStatus } from '@/lib/enrichment/schema';
import type { Tier } from '@/lib/scoring';

const TIER_STYLE: Record<Tier, string> = {
  HOT: 'badge bg-rose-50 text-rose-700 ring-rose-600/20',
  WARM: 'badge bg-amber-50 text-amber-800 ring-amber-600/25',
  COLD: 'badge bg-slate-100 text-slate-600 ring-slate-500/20',
};

const TIER_DOT: Record<Tier, string> = { HOT: 'badge-dot bg-rose-500', WARM: 'badge-dot bg-amber-500', COLD: 'badge-dot bg-slate-400' };

/** Tier as text and colour, so it reads without colour vision. */
export function TierBadge({ tier }: { tier: Tier }) {
  return (
    <span className={TIER_STYLE[tier]} data-testid="tier-badge" data-tier={tier}>
      <span aria-hidden="true" className={TIER_DOT[tier]} />
      {tier}
    </span>
  );
}

const STATUS: Record<EnrichmentStatus, { label: string; style: string; title: string }> = {
  claude: { label: 'Claude', style: 'badge bg-violet-50 text-violet-700 ring-violet-600/20', title: 'Narrative written by Claude for the current data' },
  mock: { label: 'MOCK', style: 'badge bg-yellow-50 text-yellow-800 ring-yellow-600/30', title: 'Placeholder narrative, not written by Claude' },
  stale: { label: 'Stale', style: 'badge bg-orange-50 text-orange-700 ring-orange-600/20', title: 'The lead or the rules changed since the narrative was written' },
  none: { label: 'None', style: 'badge bg-white text-slate-500 ring-slate-300', title: 'Not enriched yet' },
};

export function EnrichmentBadge({ status }: { status: EnrichmentStatus }) {
  const s = STATUS[status];
  return (
    <span className={s.style} title={s.title} data-testid="enrichment-badge" data-status={status}>
      {s.label}
    </span>
  );
}

export const ENRICHMENT_LABEL: Record<EnrichmentStatus, string> = {
  claude: 'Claude',
  mock: 'Mock',
  stale: 'Stale',
  none: 'None',
};

const CONFIDENCE_STYLE: Record<Confidence, string> = {
  high: 'text-emerald-700',
  medium: 'text-slate-700',
  low: 'text-slate-500',
};

export function ConfidenceText({ confidence }: { confidence: Confidence }) {
  return <span className={`text-xs font-medium ${CONFIDENCE_STYLE[confidence]}`}>{confidence} confidence</span>;
}

export const GROUNDING_LABEL: Record<GroundingStatus, string> = {
  flagged: 'Flagged',
  clean: 'Passed',
  unchecked: 'Not checked',
};

/** Marks a narrative the grounding checks flagged, where the table shows its enrichment. */
export function GroundingFlag() {
  return (
    <span className="badge ml-2 bg-rose-50 text-rose-700 ring-rose-600/20" title="The grounding checks flagged this narrative: open the lead to see what" data-testid="grounding-flag">
      <span aria-hidden="true">⚑</span> flagged
    </span>
  );
}
