import { formatInt, formatLift, formatPct } from '@/components/format';
import type { BucketStats } from '@/lib/profile';

/**
 * One bar per value of a field: its conversion rate (the bar), the 95% interval (the whisker) and the
 * base rate (the dashed line), all on one scale per field, so an analyst sees at a glance which values
 * convert above average and how sure that is. Plain CSS, server-rendered; the numbers sit beside it.
 */
export function ProfileBars({ field, buckets, baseRate }: { field: string; buckets: BucketStats[]; baseRate: number | null }) {
  const top = Math.max(...buckets.map((b) => (b.leads > 0 ? b.ci.high : 0)), baseRate ?? 0, 1e-9);
  const at = (x: number) => `${Math.min(100, (100 * x) / top)}%`;
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full min-w-[520px] text-sm" data-testid="profile-buckets" data-field={field}>
        <caption className="sr-only">Conversion by value of {field}</caption>
        <thead className="border-b border-slate-200">
          <tr>
            <th scope="col" className="py-1.5 pr-2 text-left text-xs font-semibold text-slate-600">Value</th>
            <th scope="col" className="w-[38%] min-w-[120px] px-2 py-1.5 text-left text-xs font-semibold text-slate-600">
              Conversion <span className="font-normal text-slate-400">(line: base rate)</span>
            </th>
            <th scope="col" className="px-2 py-1.5 text-right text-xs font-semibold text-slate-600">Leads</th>
            <th scope="col" className="px-2 py-1.5 text-right text-xs font-semibold text-slate-600">Rate</th>
            <th scope="col" className="px-2 py-1.5 text-right text-xs font-semibold text-slate-600">95% interval</th>
            <th scope="col" className="px-2 py-1.5 text-right text-xs font-semibold text-slate-600">Lift</th>
            <th scope="col" className="py-1.5 pl-2 text-right text-xs font-semibold text-slate-600">WoE</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {buckets.map((b) => {
            const above = baseRate !== null && b.rate !== null && b.rate > baseRate;
            const label = b.kind === 'other' ? `other (${formatInt(b.otherValues ?? 0)} values)` : b.label;
            return (
              <tr key={`${b.kind}:${b.label}`} data-testid="profile-bucket" data-kind={b.kind}>
                <th scope="row" className={`max-w-[180px] truncate py-1.5 pr-2 text-left font-medium ${b.kind === 'unknown' ? 'italic text-slate-500' : ''}`} title={label}>
                  {label}
                </th>
                <td className="px-2 py-1.5">
                  <div
                    className="relative h-4 rounded-sm bg-slate-100"
                    role="img"
                    aria-label={`${label}: ${formatPct(b.rate)} converted (95% interval ${formatPct(b.ci.low)} to ${formatPct(b.ci.high)}), base rate ${formatPct(baseRate)}`}
                    data-testid="profile-bar"
                  >
                    {b.rate !== null && <div className={`absolute inset-y-0 left-0 rounded-sm ${above ? 'bg-indigo-500' : 'bg-slate-400'}`} style={{ width: at(b.rate) }} />}
                    {b.leads > 0 && <div className="absolute top-1/2 h-px -translate-y-1/2 bg-slate-900/60" style={{ left: at(b.ci.low), width: `calc(${at(b.ci.high)} - ${at(b.ci.low)})` }} />}
                    {baseRate !== null && <div className="absolute inset-y-[-2px] w-0 border-l border-dashed border-slate-900" style={{ left: at(baseRate) }} />}
                  </div>
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatInt(b.leads)}</td>
                <td className="px-2 py-1.5 text-right font-semibold tabular-nums">{formatPct(b.rate)}</td>
                <td className="whitespace-nowrap px-2 py-1.5 text-right tabular-nums text-slate-500">
                  {b.leads === 0 ? '—' : `${formatPct(b.ci.low)} – ${formatPct(b.ci.high)}`}
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatLift(b.lift)}</td>
                <td className={`py-1.5 pl-2 text-right tabular-nums ${b.woe >= 0 ? 'text-emerald-700' : 'text-rose-700'}`}>
                  {b.woe >= 0 ? '+' : ''}
                  {b.woe.toFixed(2)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
