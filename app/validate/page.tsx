import type { Metadata } from 'next';
import Link from 'next/link';
import { loadCandidateRules, loadRules, loadStore, scoringAsOf, tuneCommandHint } from '@/app/_lib/page-data';
import { candidateView, liveBacktest, parseValidateQuery, recordsAsOf, driftView, type ValidateQuery } from '@/app/_lib/validate-analysis';
import { TierBadge } from '@/components/badges';
import { CumulativeGainsChart, DecileLiftChart, type GainsPoint } from '@/components/backtest-charts';
import { CompareSection } from '@/components/compare-section';
import { DriftSection } from '@/components/drift-section';
import { formatInt, formatLift, formatPct } from '@/components/format';
import { NarrativeQualitySection } from '@/components/narrative-quality-section';
import { Notice, Section, Stat, td, th } from '@/components/report-section';
import { RuleCoverageNotice } from '@/components/rule-coverage-notice';
import { describeCapacity, describeTies, formatK, TIE_BREAK_RULE, type BacktestResult, type Interval } from '@/lib/backtest';
import { narrativeQuality } from '@/lib/narrative-quality';
import { ruleCoverage } from '@/lib/rule-coverage';
import { rulesVersion } from '@/lib/scoring';

export const metadata: Metadata = { title: 'Backtest' };

/** Below this many leads, a rate's 95% interval is wide enough to call out in words. */
const SMALL_SAMPLE = 100;

const halfWidthPoints = (ci: Interval) => (100 * (ci.high - ci.low)) / 2;

function aucWords(auc: number | null): string {
  if (auc === null) return 'needs both converters and non-converters';
  if (auc >= 0.8) return 'strong ranking (0.5 = random, 1 = perfect)';
  if (auc >= 0.7) return 'useful ranking (0.5 = random, 1 = perfect)';
  if (auc > 0.55) return 'weak ranking (0.5 = random, 1 = perfect)';
  return 'no better than random (0.5)';
}

function sampleNotes(result: BacktestResult): string[] {
  const notes: string[] = [];
  for (const t of result.tiers) {
    if (t.leads > 0 && t.leads < SMALL_SAMPLE) {
      notes.push(`${t.tier} has only ${formatInt(t.leads)} leads, so its interval is wide: ±${halfWidthPoints(t.ci).toFixed(1)} points around ${formatPct(t.rate)}.`);
    }
  }
  const perDecile = Math.floor(result.n / 10);
  if (perDecile < SMALL_SAMPLE) {
    notes.push(`Each decile holds about ${formatInt(perDecile)} leads, so single bars move by chance; read the overall shape, not one bar.`);
  }
  for (const p of result.precisionAtK) {
    if (p.effectiveK < p.k) notes.push(`Only ${formatInt(p.effectiveK)} leads have an outcome, so precision@${p.k} uses ${formatInt(p.effectiveK)}.`);
  }
  return notes;
}

/** `?k=` and `?capacity=`: a plain GET form, so the view is a shareable URL and needs no script. */
function ViewForm({ query }: { query: ValidateQuery }) {
  const input = 'mt-0.5 w-40 rounded-md border border-slate-300 px-2 py-1 text-sm tabular-nums focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500';
  return (
    <form method="get" action="/validate" className="flex flex-wrap items-end gap-3 text-xs text-slate-600" data-testid="view-form">
      <label className="flex flex-col">
        Precision at k (counts or shares)
        <input name="k" defaultValue={query.raw.k} placeholder="25,50,100,5%" className={input} />
      </label>
      <label className="flex flex-col">
        Capacity (leads per period)
        <input name="capacity" defaultValue={query.raw.capacity} placeholder="e.g. 300" inputMode="numeric" className={input} />
      </label>
      <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
        Show
      </button>
    </form>
  );
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ValidatePage({ searchParams }: Props) {
  const query = parseValidateQuery(await searchParams);
  const store = await loadStore();
  const [records, outcomes, summary, coverage, rules, feedback, { candidate, problem }] = await Promise.all([
    store.scoredRecords(),
    store.outcomes(),
    store.summary(),
    store.fieldCoverage(),
    loadRules(),
    store.feedback(),
    loadCandidateRules(),
  ]);
  const coverageNotice = <RuleCoverageNotice report={ruleCoverage(rules, coverage)} />;
  const asOf = recordsAsOf(records, scoringAsOf());
  const drift = <DriftSection report={driftView(records, rules, asOf, tuneCommandHint())} />;
  const candidateNote = candidate ? (
    <p className="mt-2 max-w-3xl rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-xs text-emerald-900" data-testid="candidate-note">
      Candidate rules <span className="font-medium">{candidate.name}</span> <code className="font-mono">{rulesVersion(candidate)}</code> are configured (SCORING_RULES_CANDIDATE):{' '}
      <a href="#compare" className="font-medium underline underline-offset-2">
        see them beside the live rules ↓
      </a>
    </p>
  ) : null;

  const header = (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold tracking-tight">Backtest</h1>
        <Link href="/validate/profile" className="text-sm font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900" data-testid="profile-link">
          Field profile: conversion by every field →
        </Link>
      </div>
      <p className="mt-1 max-w-3xl text-sm text-slate-500">
        How well the score ranks leads whose outcome is known, against their <code className="font-mono text-xs">converted</code> flag.
      </p>
      <p className="mt-2 max-w-3xl rounded-md border border-indigo-100 bg-indigo-50 px-3 py-2 text-xs text-indigo-900" data-testid="holdout-note">
        Scoring never sees the <code className="font-mono">converted</code> flag: the engine only receives leads with the outcome removed, and the outcome is
        read here, after scoring, to grade the ranking. Rules <code className="font-mono">{summary.rulesVersion}</code>.
      </p>
      {candidateNote}
      {problem && (
        <div className="mt-2 max-w-3xl" data-testid="candidate-problem">
          <Notice tone="rose" title="The candidate rule set (SCORING_RULES_CANDIDATE) could not be loaded">
            <pre className="whitespace-pre-wrap font-mono">{problem}</pre>
          </Notice>
        </div>
      )}
    </div>
  );

  const result = liveBacktest(records, query.ks, query.capacity);
  if (result.n === 0) {
    return (
      <div className="flex flex-col gap-5">
        {header}
        {coverageNotice}
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center" data-testid="backtest-empty">
          <p className="text-sm font-medium text-slate-900">No lead has a known outcome yet.</p>
          <p className="mt-1 text-sm text-slate-500">Add a <code className="font-mono">converted</code> true/false value to leads (in the leads file or CSV import) to backtest the score.</p>
        </div>
        {drift}
      </div>
    );
  }

  const notes = sampleNotes(result);
  const gains: GainsPoint[] = [
    { leads: 0, model: 0, random: 0 },
    ...result.deciles.map((d) => {
      const leadShare = 100 * (d.cumulativeLeadShare ?? 0);
      return { leads: leadShare, model: 100 * (d.cumulativeShare ?? 0), random: leadShare };
    }),
  ];

  return (
    <div className="flex flex-col gap-5">
      {header}
      {coverageNotice}

      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Leads with an outcome" value={formatInt(result.n)} hint={`of ${formatInt(summary.total)} in the store`} testId="stat-n" />
        <Stat label="Conversions" value={formatInt(result.conversions)} testId="stat-conversions" />
        <Stat label="Base rate" value={formatPct(result.baseRate)} hint="what random calling converts" testId="stat-base-rate" />
        <Stat
          label="ROC AUC"
          value={result.auc === null ? '—' : result.auc.toFixed(3)}
          hint={result.aucCi ? `95% interval ${result.aucCi.low.toFixed(3)}–${result.aucCi.high.toFixed(3)} (DeLong) · ${aucWords(result.auc)}` : aucWords(result.auc)}
          testId="stat-auc"
        />
      </dl>

      <ViewForm query={query} />
      {query.problems.length > 0 && (
        <Notice tone="rose" title="Ignored in the address" testId="query-problems">
          <ul className="list-disc space-y-0.5 pl-5">
            {query.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      )}

      {notes.length > 0 && (
        <div className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="sample-notes">
          <p className="font-medium">Sample size</p>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs">
            {notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}

      {result.ties.length > 0 && (
        <Notice tone="amber" title="A cut falls inside one tied score" testId="tie-warnings">
          <ul className="list-disc space-y-0.5 pl-5">
            {describeTies(result.ties).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <p className="mt-1">
            Which of the tied leads fall on either side is decided by the tie-break alone: {TIE_BREAK_RULE}. Read those deciles and that precision@k as a blend of the tied leads.
          </p>
        </Notice>
      )}

      <div className="grid gap-5 lg:grid-cols-2">
        <Section title="Conversion by tier" description="Rate with its 95% Wilson interval; lift is the rate over the base rate." testId="tier-table">
          <div className="relative overflow-x-auto">
            <table className="w-full min-w-[460px] text-sm">
              <caption className="sr-only">Conversion rate by tier</caption>
              <thead className="border-b border-slate-200">
                <tr>
                  <th scope="col" className={th}>Tier</th>
                  <th scope="col" className={th}>Leads</th>
                  <th scope="col" className={th}>Conversions</th>
                  <th scope="col" className={th}>Rate</th>
                  <th scope="col" className={th}>95% interval</th>
                  <th scope="col" className={th}>Lift</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {result.tiers.map((t) => (
                  <tr key={t.tier} data-testid="tier-row" data-tier={t.tier}>
                    <th scope="row" className={td}>
                      <TierBadge tier={t.tier} />
                    </th>
                    <td className={td}>{formatInt(t.leads)}</td>
                    <td className={td}>{formatInt(t.conversions)}</td>
                    <td className={`${td} font-semibold`}>{formatPct(t.rate)}</td>
                    <td className={`${td} text-slate-500`}>
                      {t.leads === 0 ? '—' : `${formatPct(t.ci.low)} – ${formatPct(t.ci.high)}`}
                      {t.leads > 0 && t.leads < SMALL_SAMPLE && <span className="ml-1 text-amber-700" title="Fewer than 100 leads: wide interval">*</span>}
                    </td>
                    <td className={td}>{formatLift(t.lift)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>

        <Section title="Precision at k" description="Of the k highest-scored leads, how many converted; lift is over random picking." testId="precision-table">
          <div className="relative overflow-x-auto">
            <table className="w-full min-w-[420px] text-sm">
              <caption className="sr-only">Precision of the top k leads</caption>
              <thead className="border-b border-slate-200">
                <tr>
                  <th scope="col" className={th}>Top k</th>
                  <th scope="col" className={th}>Conversions</th>
                  <th scope="col" className={th}>Precision</th>
                  <th scope="col" className={th}>Random</th>
                  <th scope="col" className={th}>Lift</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {result.precisionAtK.map((p, i) => (
                  <tr key={`${i}:${p.k}`} data-testid="precision-row" data-k={p.k}>
                    <th scope="row" className={`${td} font-medium`}>
                      {p.share === undefined ? p.k : `${formatK({ share: p.share })} (${formatInt(p.k)})`}
                      {p.effectiveK !== p.k && <span className="ml-1 text-xs font-normal text-slate-500">({formatInt(p.effectiveK)} available)</span>}
                    </th>
                    <td className={td}>
                      {formatInt(p.conversions)} / {formatInt(p.effectiveK)}
                    </td>
                    <td className={`${td} font-semibold`}>{formatPct(p.precision)}</td>
                    <td className={`${td} text-slate-500`}>{formatPct(result.baseRate)}</td>
                    <td className={td}>{formatLift(p.lift)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
                  {result.capacity && (
            <p className="mt-2 text-xs text-slate-700" data-testid="capacity">
              At a capacity of {formatInt(result.capacity.k)}: {describeCapacity(result.capacity)}.
            </p>
          )}
        </Section>

        <Section title="Lift by score decile" description="D1 is the top 10% by score. Bars above the dashed line beat random order." testId="decile-chart">
          <DecileLiftChart data={result.deciles.map((d) => ({ decile: d.decile, lift: d.lift }))} />
          <details className="mt-2 text-xs text-slate-600">
            <summary className="cursor-pointer select-none text-slate-500 hover:text-slate-700">Decile table</summary>
            <div className="relative overflow-x-auto">
              <table className="mt-2 w-full min-w-[460px]">
                <caption className="sr-only">Conversion by score decile</caption>
                <thead className="border-b border-slate-200">
                  <tr>
                    <th scope="col" className={th}>Decile</th>
                    <th scope="col" className={th}>Scores</th>
                    <th scope="col" className={th}>Leads</th>
                    <th scope="col" className={th}>Rate</th>
                    <th scope="col" className={th}>Lift</th>
                    <th scope="col" className={th}>Cum. share</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {result.deciles.map((d) => (
                    <tr key={d.decile}>
                      <th scope="row" className={td}>D{d.decile}</th>
                      <td className={td}>{d.minScore === null ? '—' : `${d.minScore}–${d.maxScore}`}</td>
                      <td className={td}>{formatInt(d.leads)}</td>
                      <td className={td}>{formatPct(d.rate)}</td>
                      <td className={td}>{formatLift(d.lift)}</td>
                      <td className={td}>{formatPct(d.cumulativeShare)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </Section>

        <Section title="Cumulative gains" description="Share of all conversions reached by working leads from the top score down; the diagonal is random order." testId="gains-chart">
          <CumulativeGainsChart data={gains} />
        </Section>
      </div>

      {candidate && (
        <CompareSection
          {...candidateView(records, rules, candidate, asOf, query.ks, query.capacity)}
          live={{ name: rules.name, version: summary.rulesVersion }}
          candidate={{ name: candidate.name, version: rulesVersion(candidate) }}
          capacityAsked={query.capacity}
        />
      )}
      {drift}
      <NarrativeQualitySection quality={narrativeQuality(outcomes, feedback)} />
    </div>
  );
}
