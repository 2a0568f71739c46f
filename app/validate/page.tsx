import type { Metadata } from 'next';
import Link from 'next/link';
import { loadRules, loadStore } from '@/app/_lib/page-data';
import { TierBadge } from '@/components/badges';
import { CumulativeGainsChart, DecileLiftChart, type GainsPoint } from '@/components/backtest-charts';
import { formatInt, formatLift, formatPct } from '@/components/format';
import { NarrativeQualitySection } from '@/components/narrative-quality-section';
import { RuleCoverageNotice } from '@/components/rule-coverage-notice';
import { runBacktest, type BacktestResult, type Interval } from '@/lib/backtest';
import { narrativeQuality } from '@/lib/narrative-quality';
import { ruleCoverage } from '@/lib/rule-coverage';

export const metadata: Metadata = { title: 'Backtest' };

/** Below this many leads, a rate's 95% interval is wide enough to call out in words. */
const SMALL_SAMPLE = 100;

const halfWidthPoints = (ci: Interval) => (100 * (ci.high - ci.low)) / 2;

function Section({ title, description, children, testId }: { title: string; description?: React.ReactNode; children: React.ReactNode; testId: string }) {
  return (
    <section className="min-w-0 rounded-lg border border-slate-200 bg-white" aria-labelledby={`${testId}-title`} data-testid={testId}>
      <div className="border-b border-slate-100 px-4 py-3">
        <h2 id={`${testId}-title`} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        {description && <p className="mt-0.5 text-xs text-slate-500">{description}</p>}
      </div>
      <div className="px-4 py-3">{children}</div>
    </section>
  );
}

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3" data-testid={testId}>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums tracking-tight">{value}</dd>
      {hint && <dd className="mt-0.5 text-xs text-slate-500">{hint}</dd>}
    </div>
  );
}

const th = 'px-3 py-2 text-right text-xs font-semibold text-slate-600 first:pl-0 first:text-left';
const td = 'whitespace-nowrap px-3 py-2 text-right tabular-nums first:pl-0 first:text-left';

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

export default async function ValidatePage() {
  const store = await loadStore();
  const [outcomes, summary, coverage, rules, feedback] = await Promise.all([store.outcomes(), store.summary(), store.fieldCoverage(), loadRules(), store.feedback()]);
  const coverageNotice = <RuleCoverageNotice report={ruleCoverage(rules, coverage)} />;

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
    </div>
  );

  if (outcomes.length === 0) {
    return (
      <div className="flex flex-col gap-5">
        {header}
        {coverageNotice}
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center" data-testid="backtest-empty">
          <p className="text-sm font-medium text-slate-900">No lead has a known outcome yet.</p>
          <p className="mt-1 text-sm text-slate-500">Add a <code className="font-mono">converted</code> true/false value to leads (in the leads file or CSV import) to backtest the score.</p>
        </div>
      </div>
    );
  }

  const result = runBacktest(outcomes, { ks: [25, 50, 100] });
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
        <Stat label="ROC AUC" value={result.auc === null ? '—' : result.auc.toFixed(3)} hint={aucWords(result.auc)} testId="stat-auc" />
      </dl>

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
                {result.precisionAtK.map((p) => (
                  <tr key={p.k} data-testid="precision-row" data-k={p.k}>
                    <th scope="row" className={`${td} font-medium`}>
                      {p.k}
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

      <NarrativeQualitySection quality={narrativeQuality(outcomes, feedback)} />
    </div>
  );
}
