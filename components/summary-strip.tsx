import Link from 'next/link';
import type { StoreSummary } from '@/lib/store/types';
import { TIERS, type Tier } from '@/lib/scoring';
import { TierBadge } from './badges';
import { RescoreWarning } from './rescore-warning';
import { formatInt, formatPct } from './format';

function Stat({ label, children, note, testId }: { label: string; children: React.ReactNode; note?: React.ReactNode; testId?: string }) {
  return (
    <div className="min-w-0 rounded-lg border border-slate-200 bg-white px-4 py-3" data-testid={testId}>
      <dt className="truncate text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1 flex items-baseline gap-2 text-xl font-semibold tabular-nums tracking-tight text-slate-900">{children}</dd>
      {note && <dd className="mt-1 text-xs">{note}</dd>}
    </div>
  );
}

/**
 * Leads per tier, share enriched and the rules version, for the whole store (not the current filter); above
 * them, the warning while stored scores are under other rules than the configured ones.
 */
export function SummaryStrip({ summary, lowCoverageRules, tierHref }: { summary: StoreSummary; lowCoverageRules: number; tierHref: (tier: Tier) => string }) {
  const share = summary.total ? summary.enriched / summary.total : null;
  return (
    <section aria-label="Summary" className="flex flex-col gap-3">
      <RescoreWarning outdated={summary.outdatedScores} total={summary.total} configuredRulesVersion={summary.configuredRulesVersion} />
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Leads" testId="summary-total">
          {formatInt(summary.total)}
        </Stat>
        {TIERS.map((tier) => (
          <div key={tier} className="relative min-w-0 rounded-lg border border-slate-200 bg-white px-4 py-3 transition-colors hover:border-slate-300" data-testid={`summary-${tier}`}>
            <dt className="text-xs font-medium text-slate-500">
              <TierBadge tier={tier} />
              <span className="sr-only"> leads</span>
            </dt>
            <dd className="mt-1 flex items-baseline gap-2 text-xl font-semibold tabular-nums tracking-tight text-slate-900">
              {/* The whole card is the link target (after:inset-0), so a tier is one tap away on a phone. */}
              <Link href={tierHref(tier)} className="after:absolute after:inset-0" aria-label={`${formatInt(summary.byTier[tier])} ${tier} leads: show them`}>
                {formatInt(summary.byTier[tier])}
              </Link>
              <span className="text-xs font-normal text-slate-500">{formatPct(summary.total ? summary.byTier[tier] / summary.total : null, 0)}</span>
            </dd>
          </div>
        ))}
        <Stat label="Enriched (current)" testId="summary-enriched">
          {formatPct(share, 0)}
          <span className="text-xs font-normal text-slate-500">{formatInt(summary.enriched)}</span>
          {summary.mock > 0 && (
            <span
              className="rounded bg-yellow-50 px-1.5 py-0.5 text-[11px] font-semibold text-yellow-800 ring-1 ring-inset ring-yellow-600/30"
              title="Placeholder narratives, not written by Claude"
              data-testid="summary-mock"
            >
              {formatInt(summary.mock)} MOCK
            </span>
          )}
        </Stat>
        <Stat
          label="Rules version"
          testId="summary-rules"
          note={
            lowCoverageRules > 0 && (
              <Link href="/validate#rule-coverage" className="font-medium text-amber-800 underline decoration-amber-400 underline-offset-2 hover:text-amber-900" data-testid="summary-coverage-warning">
                ⚠ {lowCoverageRules} {lowCoverageRules === 1 ? 'rule reads' : 'rules read'} almost nothing
              </Link>
            )
          }
        >
          <code className="truncate font-mono text-sm font-medium text-slate-700">{summary.rulesVersion}</code>
          {summary.stale > 0 && <span className="text-xs font-normal text-orange-700">{formatInt(summary.stale)} stale</span>}
        </Stat>
      </dl>
    </section>
  );
}
