import Link from 'next/link';
import { leadHref } from '@/app/_lib/lead-path';
import { TierBadge } from '@/components/badges';
import { ComparedDecileLiftChart, ComparedGainsChart, type ComparedGainsPoint } from '@/components/backtest-charts';
import { formatInt } from '@/components/format';
import { Notice, Section, TableHead, td, th } from '@/components/report-section';
import { describeCapacity, describeTies, TIE_BREAK_RULE } from '@/lib/backtest';
import { aucVerdict, comparisonRows, type RuleSetComparison } from '@/lib/compare';
import { TIERS } from '@/lib/scoring';

interface Props {
  comparison: RuleSetComparison;
  /** Which leads both are graded on, in words. */
  graded: string;
  live: { name: string; version: string };
  candidate: { name: string; version: string };
  /** The capacity among the graded leads, and the one asked for (of every lead with an outcome): they differ on a test half. */
  capacity: number | undefined;
  capacityAsked: number | undefined;
}

/**
 * The candidate rule set (SCORING_RULES_CANDIDATE) beside the live one on the same leads: the figures side
 * by side, DeLong's paired verdict, both gains curves and decile lifts, the tier-move matrix and the leads
 * that move, each linking to its page with the candidate's breakdown.
 */
export function CompareSection({ comparison: c, graded, live, candidate, capacity, capacityAsked }: Props) {
  const verdict = aucVerdict(c.auc);
  const tone = c.auc && c.auc.ci.low > 0 ? 'emerald' : c.auc && c.auc.ci.high < 0 ? 'rose' : 'slate';
  const gains: ComparedGainsPoint[] = [
    { leads: 0, live: 0, candidate: 0, random: 0 },
    ...c.live.deciles.map((d, i) => {
      const share = 100 * (d.cumulativeLeadShare ?? 0);
      return { leads: share, live: 100 * (d.cumulativeShare ?? 0), candidate: 100 * (c.candidate.deciles[i]!.cumulativeShare ?? 0), random: share };
    }),
  ];
  const ties = [...describeTies(c.live.ties).map((line) => `Live: ${line}`), ...describeTies(c.candidate.ties).map((line) => `Candidate: ${line}`)];
  const capacities = [
    capacity !== undefined && capacityAsked !== undefined && capacity !== capacityAsked && `A capacity of ${formatInt(capacityAsked)} of every lead with an outcome is ${formatInt(capacity)} of the ${formatInt(c.leads)} graded here.`,
    c.live.capacity && `Live: ${describeCapacity(c.live.capacity)}`, c.candidate.capacity && `Candidate: ${describeCapacity(c.candidate.capacity)}`].filter(Boolean) as string[];

  return (
    <section id="compare" aria-labelledby="compare-title" className="flex flex-col gap-5 rounded-lg border-2 border-emerald-200 bg-emerald-50/30 p-4" data-testid="compare">
      <div>
        <h2 id="compare-title" className="text-lg font-semibold tracking-tight">
          Candidate rules: {candidate.name}
        </h2>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          <span className="font-mono text-xs">{candidate.version}</span> (SCORING_RULES_CANDIDATE) beside the live rules {live.name} <span className="font-mono text-xs">{live.version}</span>, graded on {graded}:{' '}
          {formatInt(c.leads)} leads, {formatInt(c.conversions)} converted. Nothing is rescored: the candidate is only shown here and on lead pages.
        </p>
      </div>

      <Notice tone={tone} title="ROC AUC, candidate − live (DeLong's paired test)" testId="compare-verdict">
        {verdict}. Paired: both sets rank the same leads, so the interval is narrower than two separate ones would suggest, and a difference inside it is not called one.
      </Notice>

      <div className="grid gap-5 lg:grid-cols-2">
        <div className="min-w-0 lg:col-span-2">
          <Section title="Side by side" description="AUC with DeLong's 95% interval; tier rates with their 95% Wilson interval and leads; each set uses its own tier thresholds." testId="compare-table">
            <div className="relative overflow-x-auto">
              <table className="w-full min-w-[640px] text-sm">
                <caption className="sr-only">Live and candidate rules on the same leads</caption>
                <TableHead columns={['Metric', 'Live', 'Candidate']} />
                <tbody className="divide-y divide-slate-100">
                  {comparisonRows(c).map(([metric, a, b]) => (
                    <tr key={metric} data-testid="compare-row">
                      <th scope="row" className={`${td} font-medium`}>{metric}</th>
                      <td className={td}>{a}</td>
                      <td className={td}>{b}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {capacities.length > 0 && (
              <ul className="mt-2 space-y-0.5 text-xs text-slate-600" data-testid="compare-capacity">
                {capacities.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            )}
          </Section>
        </div>


        <Section title="Cumulative gains, both rule sets" description="Share of all conversions reached working leads from the top score down, on the same leads." testId="compare-gains-chart">
          <ComparedGainsChart data={gains} />
        </Section>

        <Section title="Lift by score decile, both rule sets" description="D1 is the top 10% under each set; 1× is random order." testId="compare-decile-chart">
          <ComparedDecileLiftChart data={c.live.deciles.map((d, i) => ({ decile: d.decile, live: d.lift, candidate: c.candidate.deciles[i]!.lift }))} />
        </Section>

        <Section title="Leads moving between tiers" description="Rows: the tier under the live rules; columns: under the candidate. The cells add up to the graded leads." testId="tier-move-matrix">
          <div className="relative overflow-x-auto">
            <table className="w-full min-w-[360px] text-sm">
              <caption className="sr-only">Leads by live tier and candidate tier</caption>
              <thead className="border-b border-slate-200">
                <tr>
                  <th scope="col" className={th}>Live ↓ / candidate →</th>
                  {TIERS.map((t) => (
                    <th key={t} scope="col" className={th}>{t}</th>
                  ))}
                  <th scope="col" className={th}>Total</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {TIERS.map((from, i) => (
                  <tr key={from}>
                    <th scope="row" className={td}>
                      <TierBadge tier={from} />
                    </th>
                    {TIERS.map((to, j) => (
                      <td key={to} className={`${td} ${i === j ? 'text-slate-500' : 'font-semibold'}`} data-testid="tier-move-cell" data-from={from} data-to={to}>
                        {formatInt(c.moves[i]![j]!)}
                      </td>
                    ))}
                    <td className={`${td} text-slate-500`}>{formatInt(c.moves[i]!.reduce((a, b) => a + b, 0))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="mt-2 text-xs text-slate-600" data-testid="tier-move-summary">
            {formatInt(c.moved)} of {formatInt(c.leads)} leads change tier.
          </p>
        </Section>

        {ties.length > 0 && (
          <div className="self-start">
            <Notice tone="amber" title="Cuts inside a tied score" testId="compare-ties">
              <p>
                {formatInt(ties.length)} cut{ties.length === 1 ? '' : 's'} (deciles, top k, capacity) fall inside a tied score. Tie-break: {TIE_BREAK_RULE}.
              </p>
              {/* Often one per decile boundary under each set: listed on demand, so the matrix beside it keeps its place. */}
              <details className="mt-1">
                <summary className="cursor-pointer font-medium">Which cuts</summary>
                <ul className="mt-1 list-disc space-y-0.5 pl-5">
                  {ties.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              </details>
            </Notice>
          </div>
        )}
      </div>

      <Section
        title="Leads whose tier changes"
        description={`The biggest moves first (tiers crossed, then points), ${c.movers.length < c.moved ? `${formatInt(c.movers.length)} of ${formatInt(c.moved)}` : `all ${formatInt(c.moved)}`}. Each opens with the candidate's breakdown.`}
        testId="moved-leads"
      >
        {c.movers.length === 0 ? (
          <p className="text-sm text-slate-500">No graded lead changes tier.</p>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full min-w-[520px] text-sm">
              <caption className="sr-only">Leads whose tier changes under the candidate</caption>
              <TableHead columns={['Lead', 'Converted', 'Live', 'Candidate']} />
              <tbody className="divide-y divide-slate-100">
                {c.movers.map((m) => (
                  <tr key={m.id} data-testid="moved-lead" data-lead={m.id}>
                    <th scope="row" className={`${td} font-medium`}>
                      <Link href={leadHref(m.id, { rules: 'candidate' })} className="text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900">
                        {m.id}
                      </Link>
                    </th>
                    <td className={td}>{m.converted ? 'yes' : 'no'}</td>
                    <td className={td}>
                      <span className="mr-2 tabular-nums">{m.live.score}</span>
                      <TierBadge tier={m.live.tier} />
                    </td>
                    <td className={td}>
                      <span className="mr-2 tabular-nums">{m.candidate.score}</span>
                      <TierBadge tier={m.candidate.tier} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </section>
  );
}
