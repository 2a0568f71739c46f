import type { Interval } from '@/lib/backtest';
import type { AgreementCell, NarrativeQuality, RateCell } from '@/lib/narrative-quality';
import { TierBadge } from './badges';
import { formatInt, formatLift, formatPct } from './format';
import { TableHead, td } from './report-section';

/** Below this many leads a cell's interval is too wide to read much into; the cell says so. */
const FEW = 30;


function interval(ci: Interval, n: number) {
  if (n === 0) return '—';
  return (
    <>
      {formatPct(ci.low)} – {formatPct(ci.high)}
      {n < FEW && (
        <span className="ml-1 text-amber-700" title={`Fewer than ${FEW}: wide interval`}>
          *
        </span>
      )}
    </>
  );
}

function RateCells({ cell }: { cell: Omit<RateCell, 'lift'> & { lift?: number | null } }) {
  return (
    <>
      <td className={td}>{formatInt(cell.leads)}</td>
      <td className={td}>{formatInt(cell.conversions)}</td>
      <td className={`${td} font-semibold`}>{formatPct(cell.rate)}</td>
      <td className={`${td} text-slate-500`}>{interval(cell.ci, cell.leads)}</td>
      <td className={td}>{cell.lift === undefined ? '' : formatLift(cell.lift)}</td>
    </>
  );
}

function AgreementRow({ label, cell, testId }: { label: React.ReactNode; cell: AgreementCell; testId: string }) {
  return (
    <tr data-testid={testId}>
      <th scope="row" className={`${td} font-medium`}>
        {label}
      </th>
      <td className={td}>{formatInt(cell.verdicts)}</td>
      <td className={td}>{formatInt(cell.helpful)}</td>
      <td className={`${td} font-semibold`}>{formatPct(cell.agreement)}</td>
      <td className={`${td} text-slate-500`}>{interval(cell.ci, cell.verdicts)}</td>
    </tr>
  );
}

/**
 * The Narratives section of /validate: whether a narrative's confidence label predicts conversion beyond
 * what the tier says, how often the grounding checks flag narratives, and whether SDRs agree with them.
 */
export function NarrativeQualitySection({ quality: q }: { quality: NarrativeQuality }) {
  const g = q.grounding;
  return (
    <section className="min-w-0 rounded-lg border border-slate-200 bg-white" aria-labelledby="narratives-title" data-testid="narratives-section" data-source={q.source ?? 'none'}>
      <div className="border-b border-slate-100 px-4 py-3">
        <h2 id="narratives-title" className="text-sm font-semibold text-slate-900">
          Narratives: does the confidence label mean anything?
        </h2>
        <p className="mt-0.5 text-xs text-slate-500">
          Conversion by the narrative’s confidence label within each tier. The tier already carries the score, so a lift away from 1.00× within a tier is what the label adds.
        </p>
      </div>
      <div className="flex flex-col gap-4 px-4 py-3">
        {!q.source ? (
          <p className="text-sm text-slate-500" data-testid="narratives-empty">
            No lead with a known outcome has a current narrative yet. Run <code className="font-mono text-xs">npm run enrich</code> to write them.
          </p>
        ) : (
          <>
            {q.source === 'mock' ? (
              <p className="w-fit rounded-md bg-yellow-50 px-2 py-1 text-xs font-semibold text-yellow-900 ring-1 ring-inset ring-yellow-600/30" data-testid="narratives-mock-label">
                MOCK narratives — not written by Claude. This grades the mock’s rule of thumb (confidence from unknown fields), not Claude.
              </p>
            ) : (
              <p className="text-xs text-slate-500">Current narratives written by Claude.</p>
            )}
            <p className="text-xs text-slate-600" data-testid="narratives-population">
              {formatInt(q.leads)} leads with an outcome and a current narrative, base rate {formatPct(q.baseRate)}. Left out: {formatInt(q.leftOut.stale)} stale, {formatInt(q.leftOut.none)} without one
              {q.leftOut.otherSource > 0 && `, ${formatInt(q.leftOut.otherSource)} mock`}.
            </p>
            <div className="relative overflow-x-auto">
              <table className="w-full min-w-[560px] text-sm" data-testid="narrative-confidence-table">
                <caption className="sr-only">Conversion by confidence label within each tier</caption>
                <TableHead columns={['Tier', 'Confidence', 'Leads', 'Conversions', 'Rate', '95% interval', 'Lift in tier']} />
                {q.byTier.map((t) => (
                  <tbody key={t.tier} className="border-b border-slate-100 last:border-0" data-testid="narrative-tier" data-tier={t.tier}>
                    <tr className="bg-slate-50/60">
                      <th scope="rowgroup" className={td}>
                        <TierBadge tier={t.tier} />
                      </th>
                      <td className={`${td} text-slate-500`}>all</td>
                      <RateCells cell={t} />
                    </tr>
                    {t.byConfidence.map((c) => (
                      <tr key={c.confidence} data-testid="narrative-confidence-row" data-tier={t.tier} data-confidence={c.confidence} data-leads={c.leads}>
                        <td className={td} />
                        <th scope="row" className={`${td} font-normal`}>
                          {c.confidence}
                        </th>
                        <RateCells cell={c} />
                      </tr>
                    ))}
                  </tbody>
                ))}
              </table>
            </div>
            <p className="text-xs text-slate-500">* fewer than {FEW} leads: the interval is wide, so read the overall pattern rather than one cell.</p>

            <div data-testid="narrative-grounding">
              <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Grounding checks</h3>
              <p className="mt-1 text-sm text-slate-800" data-testid="narrative-flagged-rate">
                <span className="font-semibold">{formatInt(g.flagged)}</span> of {formatInt(g.checked)} narratives flagged ({formatPct(g.rate)}, 95% interval {interval(g.ci, g.checked)})
                {g.unchecked > 0 && <span className="text-slate-500">; {formatInt(g.unchecked)} stored before the checks</span>}.
              </p>
              <div className="relative mt-2 overflow-x-auto">
                <table className="w-full min-w-[460px] text-sm">
                  <caption className="sr-only">Conversion of leads with flagged and clean narratives</caption>
                  <TableHead columns={['Narrative', 'Leads', 'Conversions', 'Rate', '95% interval', 'Lift']} />
                  <tbody className="divide-y divide-slate-100">
                    <tr>
                      <th scope="row" className={`${td} font-medium`}>Flagged</th>
                      <RateCells cell={g.flaggedLeads} />
                    </tr>
                    <tr>
                      <th scope="row" className={`${td} font-medium`}>Passed</th>
                      <RateCells cell={g.cleanLeads} />
                    </tr>
                  </tbody>
                </table>
              </div>
            </div>
          </>
        )}

        <div data-testid="narrative-feedback">
          <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">SDR feedback</h3>
          {!q.feedback ? (
            <p className="mt-1 text-sm text-slate-500" data-testid="narrative-feedback-empty">
              No feedback yet: SDRs mark a narrative Helpful or Wrong on its lead page.
            </p>
          ) : (
            <>
              <p className="mt-1 text-sm text-slate-800">
                <span className="font-semibold" data-testid="narrative-agreement">
                  {formatPct(q.feedback.total.agreement)}
                </span>{' '}
                of {formatInt(q.feedback.total.verdicts)} {q.feedback.total.verdicts === 1 ? 'verdict says' : 'verdicts say'} “helpful” (95% interval {interval(q.feedback.total.ci, q.feedback.total.verdicts)}).
              </p>
              <div className="relative mt-2 overflow-x-auto">
                <table className="w-full min-w-[460px] text-sm">
                  <caption className="sr-only">SDR agreement with narratives</caption>
                  <TableHead columns={['Narratives', 'Verdicts', 'Helpful', 'Agreement', '95% interval']} />
                  <tbody className="divide-y divide-slate-100">
                    {q.feedback.byConfidence.map((c) => (
                      <AgreementRow key={c.confidence} label={`${c.confidence} confidence`} cell={c} testId="agreement-row" />
                    ))}
                    <AgreementRow label="Flagged by the checks" cell={q.feedback.flagged} testId="agreement-row" />
                    <AgreementRow label="Not flagged" cell={q.feedback.clean} testId="agreement-row" />
                    {q.feedback.byModel.map((m) => (
                      <AgreementRow
                        key={`${m.source}-${m.model}-${m.promptVersion}`}
                        label={
                          <>
                            {m.source === 'mock' ? 'MOCK' : <span className="font-mono text-xs">{m.model}</span>} <span className="font-mono text-xs text-slate-500">{m.promptVersion}</span>
                          </>
                        }
                        cell={m}
                        testId="agreement-row"
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
