import type { FeedbackTally } from '@/lib/enrichment/feedback';
import type { ScoredLead } from '@/lib/store/types';
import { ConfidenceText } from './badges';
import { formatDateTime } from './format';
import { GroundingNotice } from './grounding-notice';
import { NarrativeFeedback } from './narrative-feedback';

function staleReason(scored: ScoredLead): string {
  const e = scored.enrichment!;
  const leadChanged = e.input_hash !== scored.inputHash;
  const rulesChanged = e.rules_version !== scored.rulesVersion;
  const what = leadChanged && rulesChanged ? "the lead's data and the scoring rules" : leadChanged ? "the lead's data" : 'the scoring rules';
  const scores = e.score === scored.score ? '' : ` It was written for a score of ${e.score}; the score is now ${scored.score}.`;
  return `Stale: ${what} changed since this was written.${scores} Re-enrich to bring it up to date.`;
}

/**
 * The narrative, next step and confidence, always with where it came from, what the grounding checks
 * found, and the SDR's feedback buttons with the counts so far (`feedback`: null without a narrative).
 */
export function EnrichmentPanel({ scored, feedback }: { scored: ScoredLead; feedback: FeedbackTally | null }) {
  const e = scored.enrichment;
  if (!e) {
    return (
      <p className="text-sm text-slate-500" data-testid="enrichment-none">
        No narrative yet. Run the batch job (<code className="font-mono text-xs">npm run enrich</code>) or re-enrich this lead.
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-3" data-testid="enrichment" data-source={e.source} data-status={scored.enrichmentStatus}>
      {e.source === 'mock' ? (
        <p className="inline-flex w-fit items-center gap-1.5 rounded-md bg-yellow-50 px-2 py-1 text-xs font-semibold text-yellow-900 ring-1 ring-inset ring-yellow-600/30" data-testid="mock-label">
          MOCK — not written by Claude
          <span className="font-normal text-yellow-800">· {formatDateTime(e.enriched_at)}</span>
        </p>
      ) : (
        <p className="text-xs text-slate-500" data-testid="enrichment-provenance">
          Written by Claude · <span className="font-mono">{e.model}</span> · {formatDateTime(e.enriched_at)}
        </p>
      )}
      {scored.enrichmentStatus === 'stale' && (
        <p className="rounded-md border border-orange-200 bg-orange-50 px-3 py-2 text-xs text-orange-800" data-testid="stale-note">
          {staleReason(scored)}
        </p>
      )}
      <p className="text-sm leading-relaxed text-slate-800" data-testid="fit-narrative">
        {e.fit_narrative}
      </p>
      <div className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
        <p className="text-[11px] font-semibold uppercase tracking-wide text-slate-500">Recommended action</p>
        <p className="mt-0.5 text-sm text-slate-900" data-testid="recommended-action">
          {e.recommended_action}
        </p>
      </div>
      <ConfidenceText confidence={e.confidence} />
      <GroundingNotice enrichment={e} />
      {feedback && <NarrativeFeedback key={e.enriched_at} leadId={scored.lead.id} enrichedAt={e.enriched_at} tally={feedback} />}
    </div>
  );
}
