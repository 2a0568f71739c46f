import { groupBreakdown, type BreakdownItem } from '@/lib/scoring';
import type { RuleSet } from '@/lib/rules';

/**
 * Every point of a score, grouped by the rule set's categories, with each rule's reason in words.
 * Ends with the arithmetic shown, so anyone can check that the subtotals add up to the score.
 */
export function ScoreBreakdown({ breakdown, rules, score }: { breakdown: BreakdownItem[]; rules: RuleSet; score: number }) {
  const groups = groupBreakdown(breakdown, rules);
  const why = new Map(rules.rules.map((r) => [r.id, r.why]));
  const total = groups.reduce((sum, g) => sum + g.points, 0);
  const adds = total === score;

  return (
    <div className="relative overflow-x-auto">
      <table className="w-full min-w-[640px] border-collapse text-sm" data-testid="breakdown-table">
        <caption className="sr-only">Score breakdown by rule, grouped by category</caption>
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs font-semibold text-slate-600">
            <th scope="col" className="py-2 pl-4 pr-3">Rule</th>
            <th scope="col" className="px-3 py-2">What the lead had</th>
            <th scope="col" className="px-3 py-2 text-right">Points</th>
            <th scope="col" className="py-2 pl-3 pr-4">Why it counts</th>
          </tr>
        </thead>
        {groups.map((group) => (
          <tbody key={group.id} data-testid="breakdown-category" data-category={group.id} data-points={group.points} data-cap={group.cap}>
            <tr className="bg-slate-50">
              <th scope="rowgroup" colSpan={2} className="py-1.5 pl-4 pr-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                {group.label}
              </th>
              <td className="px-3 py-1.5 text-right text-xs font-semibold tabular-nums text-slate-700" data-testid="category-subtotal">
                {group.points} / {group.cap}
              </td>
              <td className="py-1.5 pl-3 pr-4">
                <div className="h-1.5 w-full max-w-40 overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
                  <div className="h-full rounded-full bg-indigo-500" style={{ width: `${group.cap ? (100 * group.points) / group.cap : 0}%` }} />
                </div>
              </td>
            </tr>
            {group.items.map((item) => (
              <tr key={item.ruleId} className="border-t border-slate-100 align-top" data-testid="breakdown-row" data-points={item.points} data-unknown={item.unknown}>
                <th scope="row" className="py-2 pl-4 pr-3 text-left font-medium text-slate-900">
                  {item.label}
                </th>
                <td className="px-3 py-2">
                  {item.unknown ? (
                    <span className="inline-flex items-center rounded border border-dashed border-slate-300 px-1.5 py-0.5 text-xs italic text-slate-500" title="Not provided: unknown, which is not the same as zero">
                      unknown
                    </span>
                  ) : (
                    <span className="text-slate-800">{item.value}</span>
                  )}
                  <div className="mt-0.5 text-xs text-slate-500">{item.detail}</div>
                </td>
                <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
                  <span className={item.points > 0 ? 'font-semibold text-slate-900' : 'text-slate-400'}>{item.points}</span>
                  <span className="text-slate-400"> / {item.maxPoints}</span>
                </td>
                <td className="py-2 pl-3 pr-4 text-slate-600">{why.get(item.ruleId) ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        ))}
        <tfoot>
          <tr className="border-t-2 border-slate-200">
            <th scope="row" colSpan={2} className="py-2.5 pl-4 pr-3 text-left text-sm font-semibold">
              Total
            </th>
            <td className="whitespace-nowrap px-3 py-2.5 text-right text-sm font-semibold tabular-nums" data-testid="breakdown-total">
              {total} / 100
            </td>
            <td className="py-2.5 pl-3 pr-4 text-xs" data-testid="breakdown-check" data-adds-up={adds}>
              <span className="tabular-nums text-slate-500">{groups.map((g) => g.points).join(' + ')} = {total}</span>{' '}
              {adds ? (
                <span className="font-medium text-emerald-700">✓ matches the score of {score}</span>
              ) : (
                <span className="font-medium text-rose-700">✗ does not match the stored score of {score}: the score was computed with other rules</span>
              )}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
