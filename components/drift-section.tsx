import Link from 'next/link';
import { leadHref } from '@/app/_lib/lead-path';
import { TierBadge } from '@/components/badges';
import { formatInt, formatPct } from '@/components/format';
import { Notice, Section, TableHead, td, th } from '@/components/report-section';
import { DRIFT_THRESHOLDS, modelFires, type Disagreement, type DriftReport, type ModelCheck } from '@/lib/drift';
import { TIERS } from '@/lib/scoring';

const auc = (x: { auc: number; ci: { low: number; high: number } | null } | null) => (x === null ? '—' : `${x.auc.toFixed(3)}${x.ci ? ` (${x.ci.low.toFixed(3)}–${x.ci.high.toFixed(3)})` : ''}`);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

function DisagreementList({ title, items, testId }: { title: string; items: Disagreement[]; testId: string }) {
  return (
    <div className="min-w-0" data-testid={testId}>
      <h4 className="text-xs font-semibold text-slate-700">{title}</h4>
      {items.length === 0 ? (
        <p className="mt-1 text-xs text-slate-500">None: the two agree here.</p>
      ) : (
        <div className="relative mt-1 overflow-x-auto">
          <table className="w-full min-w-[360px] text-xs">
            <TableHead columns={['Lead', 'Rules', 'Model percentile', 'Converted']} />
            <tbody className="divide-y divide-slate-100">
              {items.map((d) => (
                <tr key={d.id} data-testid="drift-disagreement" data-lead={d.id}>
                  <th scope="row" className={`${td} font-medium`}>
                    <Link href={leadHref(d.id)} className="text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900">
                      {d.id}
                    </Link>
                  </th>
                  <td className={td}>
                    <span className="mr-1.5 tabular-nums">{d.score}</span>
                    <TierBadge tier={d.tier} />
                  </td>
                  <td className={td}>{(100 * d.modelPercentile).toFixed(1)}</td>
                  <td className={td}>{d.converted ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function ModelRow({ m }: { m: ModelCheck }) {
  const fires = modelFires(m);
  return (
    <tr data-testid="drift-model" data-source={m.source}>
      <th scope="row" className={`${td} font-medium`}>
        {m.source === 'refit' ? 'Refitted on today’s design half' : 'Stored at tuning'}
        <span className="block text-[11px] font-normal text-slate-500">
          fitted on {formatInt(m.fittedOn.leads)} leads; graded on {formatInt(m.graded.leads)}
        </span>
      </th>
      <td className={td}>{auc(m.model)}</td>
      <td className={td}>{auc(m.rules)}</td>
      <td className={`${td} ${fires ? 'font-semibold text-rose-700' : ''}`}>{m.difference ? `${signed(m.difference.difference)} (${signed(m.difference.ci.low)} to ${signed(m.difference.ci.high)})` : '—'}</td>
      <td className={td}>{m.rankAgreement === null ? '—' : m.rankAgreement.toFixed(2)}</td>
      <td className={td}>{formatPct(m.modelTopDecileCold)}</td>
    </tr>
  );
}

/**
 * Is the live rule set still right for today's leads? The alarm line first, then its figures: the score
 * distribution against the design half tune stored (PSI, tier shares then and now), and tune's model —
 * refitted on today's leads, and the one stored at tuning — graded beside the rules on the same leads.
 */
export function DriftSection({ report }: { report: DriftReport }) {
  const shift = report.scoreShift;
  const refit = report.models.find((m) => m.source === 'refit');
  return (
    <Section
      id="drift"
      title="Drift: do the rules still fit today's leads?"
      description={`Alarm when PSI > ${DRIFT_THRESHOLDS.psi} (on at least ${DRIFT_THRESHOLDS.psiMinLeads} leads) or when a fitted model beats the rules by more than ${DRIFT_THRESHOLDS.aucGap} AUC with its paired 95% interval above 0. The same check as npm run validate -- --drift, which exits 3 on an alarm.`}
      testId="drift"
    >
      <div className="flex flex-col gap-4">
        <div data-testid="drift-alarm" data-alarm={report.alarm}>
          <Notice tone={report.alarm ? 'rose' : 'emerald'}>
            <p className="text-sm font-medium">{report.line}</p>
          </Notice>
        </div>

        <div className="flex flex-col gap-4">
          <div className="min-w-0" data-testid="drift-psi">
            <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Score distribution since tuning</h3>
            {shift ? (
              <>
                <p className="mt-1 text-sm">
                  PSI <span className="font-semibold tabular-nums">{shift.psi.toFixed(3)}</span> — {shift.band} (below {DRIFT_THRESHOLDS.psiModerate} stable, {DRIFT_THRESHOLDS.psiModerate}–{DRIFT_THRESHOLDS.psi} moderate, above{' '}
                  {DRIFT_THRESHOLDS.psi} significant): {formatInt(shift.designLeads)} design-half leads then, {formatInt(shift.leads)} leads now.
                </p>
                <div className="relative mt-2 overflow-x-auto">
                  <table className="w-full min-w-[420px] text-xs">
                    <caption className="sr-only">Share of leads per score band, at tuning (the design half) and now</caption>
                    <tbody className="divide-y divide-slate-100">
                      <tr>
                        <th scope="row" className={`${td} font-semibold text-slate-600`}>Scores</th>
                        {shift.bins.map((b) => (
                          <th key={b.from} scope="col" className={`${td} font-semibold text-slate-600`}>
                            {b.from}–{b.to}
                          </th>
                        ))}
                      </tr>
                      <tr>
                        <th scope="row" className={td}>Then</th>
                        {shift.bins.map((b) => (
                          <td key={b.from} className={td} data-testid="drift-psi-bin">
                            {formatPct(b.expected)}
                          </td>
                        ))}
                      </tr>
                      <tr>
                        <th scope="row" className={td}>Now</th>
                        {shift.bins.map((b) => (
                          <td key={b.from} className={`${td} font-semibold`}>
                            {formatPct(b.actual)}
                          </td>
                        ))}
                      </tr>
                    </tbody>
                  </table>
                </div>
                <p className="mt-2 text-xs text-slate-600" data-testid="drift-tier-shares">
                  Tier shares then → now:{' '}
                  {TIERS.map((t) => {
                    const key = t.toLowerCase() as 'hot' | 'warm' | 'cold';
                    return `${t} ${formatPct(shift.tierShares.then[key])} → ${formatPct(shift.tierShares.now[key])}`;
                  }).join(' · ')}
                </p>
              </>
            ) : null}
            {report.scoreShiftNote && <p className="mt-1 text-xs text-slate-600">{report.scoreShiftNote}</p>}
          </div>

          <div className="min-w-0">
            <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">A fitted model beside the rules</h3>
            {report.sample && <p className="mt-1 text-xs text-slate-600">Tune’s maths (bins of every field, keywords, interactions, the L2 logistic regression) on {report.sample}.</p>}
            {report.models.length > 0 && (
              <div className="relative mt-2 overflow-x-auto">
                <table className="w-full min-w-[760px] text-xs" data-testid="drift-models">
                  <caption className="sr-only">Model and rules AUC on the same test-half leads</caption>
                  <thead className="border-b border-slate-200">
                    <tr>
                      <th scope="col" className={th}>Model</th>
                      <th scope="col" className={th}>Model AUC</th>
                      <th scope="col" className={th}>Rules AUC</th>
                      <th scope="col" className={th}>Model − rules (95% CI)</th>
                      <th scope="col" className={th} title="Spearman's rank correlation of the rules' scores and the model's log-odds">
                        Rank agreement
                      </th>
                      <th scope="col" className={th} title="Share of the model's top 10% that the rules put in COLD">
                        Model top 10% COLD
                      </th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {report.models.map((m) => (
                      <ModelRow key={m.source} m={m} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {refit && refit.unreadFields.length > 0 && (
              <p className="mt-2 text-xs text-slate-700" data-testid="drift-unread-fields">
                The refitted model uses fields no rule reads:{' '}
                {refit.unreadFields.map((f, i) => (
                  <span key={f.field}>
                    {i > 0 && ', '}
                    <code className="font-mono">{f.field}</code>
                    {f.iv !== null && ` (IV ${f.iv.toFixed(2)})`}
                  </span>
                ))}
                .
              </p>
            )}
            {report.modelNotes.map((note) => (
              <p key={note} className="mt-1 text-xs text-slate-600" data-testid="drift-model-note">
                {note}
              </p>
            ))}
          </div>
        </div>

        {refit && (
          <div className="grid gap-4 lg:grid-cols-2" data-testid="drift-disagreements">
            <DisagreementList title="COLD under the rules, in the refitted model’s top 10%" items={refit.modelTopRulesCold} testId="drift-model-top-cold" />
            <DisagreementList title="HOT under the rules, in the refitted model’s bottom half" items={refit.rulesHotModelLow} testId="drift-hot-model-low" />
          </div>
        )}
      </div>
    </Section>
  );
}
