import { formatInt } from './format';

const COMMAND = 'npm run rescore';

/**
 * The SQL stores keep the scores they were written with: after a rules change, until `npm run rescore`
 * has run, the scores shown are the old rules' (lib/store/types.ts, StoreSummary.outdatedScores). Shown on
 * the dashboard (how many leads) and on the page of such a lead; nothing when every score is current.
 */
export function RescoreWarning(
  props: { outdated: number; total: number; configuredRulesVersion: string } | { leadRulesVersion: string; configuredRulesVersion: string },
) {
  const lead = 'leadRulesVersion' in props;
  if (lead ? props.leadRulesVersion === props.configuredRulesVersion : props.outdated === 0) return null;
  const configured = <code className="font-mono text-xs">{props.configuredRulesVersion}</code>;
  return (
    <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="rescore-warning">
      <p className="font-medium">
        {lead ? (
          <>
            ⚠ This score was computed under rules <code className="font-mono text-xs">{props.leadRulesVersion}</code>, not the configured rules {configured}.
          </>
        ) : (
          <>
            ⚠ {formatInt(props.outdated)} of {formatInt(props.total)} {props.total === 1 ? 'lead is' : 'leads are'} scored under other rules than the configured rules {configured}.
          </>
        )}
      </p>
      <p className="mt-1 text-xs">
        {lead ? 'Its score, tier and breakdown' : 'Their scores, tiers and the order of the table'} are out of date until you run{' '}
        <code className="rounded bg-amber-100 px-1 py-0.5 font-mono">{COMMAND}</code> on the server; it keeps the old scores as history.
      </p>
    </div>
  );
}
