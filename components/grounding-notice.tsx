import { GROUNDING_CHECK_LABEL, groundingStatus, type Enrichment, type NarrativeField } from '@/lib/enrichment/schema';

const FIELD_LABEL: Record<NarrativeField, string> = { fit_narrative: 'note', recommended_action: 'action' };

/**
 * What the grounding checks found in the narrative on screen (lib/enrichment/grounding.ts): each finding
 * with the words that raised it and why, so the SDR knows what to verify before acting on the note.
 */
export function GroundingNotice({ enrichment }: { enrichment: Enrichment }) {
  const status = groundingStatus(enrichment);
  if (status === 'unchecked') {
    return (
      <p className="text-xs text-slate-500" data-testid="grounding" data-grounding="unchecked">
        Not grounding-checked: stored before the checks existed. Re-enrich to check it.
      </p>
    );
  }
  const findings = enrichment.checks!.findings;
  if (status === 'clean') {
    return (
      <p className="text-xs text-emerald-700" data-testid="grounding" data-grounding="clean">
        <span aria-hidden="true">✓ </span>Grounding checks passed: its numbers, names, tools and funding are in the record, and its score, tier and action agree with the score.
      </p>
    );
  }
  return (
    <div className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-xs text-rose-900" role="note" data-testid="grounding" data-grounding="flagged">
      <p className="font-semibold">
        <span aria-hidden="true">⚑ </span>Check before acting: {findings.length === 1 ? 'one thing' : `${findings.length} things`} in this note {findings.length === 1 ? 'is' : 'are'} not backed by the record
      </p>
      <ul className="mt-1 space-y-0.5">
        {findings.map((f) => (
          <li key={`${f.check}-${f.field}-${f.text}`} data-testid="grounding-finding" data-check={f.check}>
            <span className="font-medium">{GROUNDING_CHECK_LABEL[f.check]}</span> ({FIELD_LABEL[f.field]}): <q className="font-mono">{f.text}</q> — {f.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
