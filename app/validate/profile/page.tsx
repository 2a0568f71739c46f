import type { Metadata } from 'next';
import Link from 'next/link';
import { loadRules, loadStore, scoringAsOf } from '@/app/_lib/page-data';
import { ProfileBars } from '@/components/profile-bars';
import { formatInt, formatLift, formatPct } from '@/components/format';
import { resolveAsOf } from '@/lib/as-of';
import { profileLeads, SMALL_PROFILE, type FieldProfile, type KeywordStats } from '@/lib/profile';
import { DEFAULT_HOLDOUT, DEFAULT_SPLIT_SEED, describeSplit, type SplitSpec } from '@/lib/split';
import { designStats, wordShareFor } from '@/lib/tune/stats';

export const metadata: Metadata = { title: 'Field profile' };

const th = 'px-2 py-1.5 text-right text-xs font-semibold text-slate-600 first:pl-0 first:text-left';
const td = 'whitespace-nowrap px-2 py-1.5 text-right tabular-nums first:pl-0 first:text-left';

const STRENGTH_TONE: Record<FieldProfile['strength'], string> = {
  none: 'bg-slate-100 text-slate-600',
  weak: 'bg-sky-50 text-sky-800',
  medium: 'bg-indigo-50 text-indigo-800',
  strong: 'bg-emerald-50 text-emerald-800',
  suspicious: 'bg-amber-100 text-amber-900',
};

function KeywordTable({ title, rows, field }: { title: string; rows: KeywordStats[]; field: string }) {
  if (rows.length === 0) return null;
  return (
    <div className="relative overflow-x-auto">
      <table className="mt-2 w-full min-w-[420px] text-sm" data-testid="profile-keywords" data-field={field}>
        <caption className="sr-only">
          {title} for {field}
        </caption>
        <thead className="border-b border-slate-200">
          <tr>
            <th scope="col" className={th}>{title}</th>
            <th scope="col" className={th}>Leads</th>
            <th scope="col" className={th}>Rate</th>
            <th scope="col" className={th}>95% interval</th>
            <th scope="col" className={th}>Without</th>
            <th scope="col" className={th}>Lift</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((k) => (
            <tr key={k.term} data-testid="profile-keyword" data-term={k.term}>
              <th scope="row" className={`${td} font-medium`}>&ldquo;{k.term}&rdquo;</th>
              <td className={td}>{formatInt(k.leads)}</td>
              <td className={`${td} font-semibold`}>{formatPct(k.rate)}</td>
              <td className={`${td} text-slate-500`}>
                {formatPct(k.ci.low)} – {formatPct(k.ci.high)}
              </td>
              <td className={`${td} text-slate-500`}>{formatPct(k.rateWithout)}</td>
              <td className={td}>{formatLift(k.lift)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FieldCard({ field, baseRate }: { field: FieldProfile; baseRate: number | null }) {
  return (
    <section id={`field-${field.field}`} className="min-w-0 rounded-lg border border-slate-200 bg-white" aria-labelledby={`title-${field.field}`} data-testid="profile-field" data-field={field.field}>
      <div className="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-100 px-4 py-3">
        <h2 id={`title-${field.field}`} className="font-mono text-sm font-semibold text-slate-900">
          {field.field}
        </h2>
        <p className="flex flex-wrap items-center gap-2 text-xs text-slate-500">
          <span>{field.type}</span>
          <span>coverage {formatPct(field.coverage)}</span>
          <span className={`rounded px-1.5 py-0.5 font-medium ${STRENGTH_TONE[field.strength]}`} data-testid="profile-iv">
            IV {field.iv.toFixed(3)} · {field.strength}
          </span>
        </p>
      </div>
      <div className="px-4 py-3">
        <ProfileBars field={field.field} buckets={field.buckets} baseRate={baseRate} />
        {field.keywords && (
          <div className="mt-3">
            <p className="text-xs text-slate-500">
              Words and phrases in at least {formatInt(field.keywords.minLeads)} leads ({formatInt(field.keywords.tested)} tested), listed when their presence changes conversion more than chance would across all of them.
            </p>
            {field.keywords.lifting.length + field.keywords.lowering.length === 0 && <p className="mt-1 text-xs text-slate-500">None does.</p>}
            <KeywordTable title="Lifts conversion" rows={field.keywords.lifting} field={field.field} />
            <KeywordTable title="Lowers conversion" rows={field.keywords.lowering} field={field.field} />
          </div>
        )}
        {field.notes.map((note) => (
          <p key={note} className="mt-2 text-xs text-slate-500">
            Note: {note}
          </p>
        ))}
      </div>
    </section>
  );
}

export default async function ProfilePage() {
  const store = await loadStore();
  const [leads, rules] = await Promise.all([store.leadsWithOutcome(), loadRules()]);
  // The live rules' own split when tune wrote them, so the profile never reads the half they are graded on.
  const split: SplitSpec = rules.tuning?.split ?? { by: 'hash', holdout: DEFAULT_HOLDOUT, seed: DEFAULT_SPLIT_SEED };
  const asOf = resolveAsOf(leads, scoringAsOf());

  const header = (
    <div>
      <p className="text-sm">
        <Link href="/validate" className="text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-900">
          ← Backtest
        </Link>
      </p>
      <h1 className="mt-1 text-xl font-semibold tracking-tight">Field profile</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-500">
        How conversion varies with each field, strongest first (information value). The raw material for rules: <code className="font-mono text-xs">npm run tune</code> turns it into
        points.
      </p>
    </div>
  );
  if (leads.length === 0) {
    return (
      <div className="flex flex-col gap-5">
        {header}
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center" data-testid="profile-empty">
          <p className="text-sm font-medium text-slate-900">No lead has a known outcome yet.</p>
          <p className="mt-1 text-sm text-slate-500">A profile compares every field against the <code className="font-mono">converted</code> outcome.</p>
        </div>
      </div>
    );
  }

  const profile = profileLeads(designStats(leads, split, asOf, { termShare: wordShareFor(leads.length) }).stats);
  const fields = profile.fields.filter((f) => f.type !== null);
  const empty = profile.fields.filter((f) => f.type === null);
  return (
    <div className="flex flex-col gap-5">
      {header}
      <p className="max-w-3xl rounded-md border border-indigo-100 bg-indigo-50 px-3 py-2 text-xs text-indigo-900" data-testid="profile-half">
        Design half only: {formatInt(profile.leads)} of {formatInt(leads.length)} leads with an outcome ({formatInt(profile.conversions)} converted, base rate {formatPct(profile.baseRate)},
        95% interval {formatPct(profile.baseCi.low)} – {formatPct(profile.baseCi.high)}). Split {describeSplit(split)}
        {rules.tuning ? ', as the live rules were tuned' : ''}; the test half is kept for grading. Dates are days before {profile.asOf.slice(0, 10)}.
      </p>

      {profile.leads < SMALL_PROFILE && (
        <p className="max-w-3xl rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900" data-testid="profile-small">
          Small sample: with {formatInt(profile.leads)} design leads, a value holds few leads, its interval is wide and information value runs high by chance. Read the intervals, and
          trust a field only when it stands out on a larger export.
        </p>
      )}

      <nav aria-label="Fields by strength" className="rounded-lg border border-slate-200 bg-white px-4 py-3" data-testid="profile-ranking">
        <h2 className="text-sm font-semibold text-slate-900">Fields by information value</h2>
        <ol className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-3">
          {fields.map((f) => (
            <li key={f.field} className="flex items-baseline justify-between gap-2">
              <a href={`#field-${f.field}`} className="truncate font-mono text-xs text-indigo-700 hover:underline">
                {f.field}
              </a>
              <span className="shrink-0 text-xs tabular-nums text-slate-500">
                {f.iv.toFixed(3)} {f.strength}
              </span>
            </li>
          ))}
        </ol>
        {empty.length > 0 && <p className="mt-2 text-xs text-slate-500">No lead has: {empty.map((f) => f.field).join(', ')}.</p>}
      </nav>

      <div className="grid gap-5 xl:grid-cols-2">
        {fields.map((f) => (
          <FieldCard key={f.field} field={f} baseRate={profile.baseRate} />
        ))}
      </div>
    </div>
  );
}
