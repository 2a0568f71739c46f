import { diffBreakdowns } from '@/lib/breakdown-diff';
import type { BreakdownItem } from '@/lib/scoring';
import type { ScoreHistoryEntry } from '@/lib/store/types';
import { TierBadge } from './badges';
import { formatDate, formatDateTime } from './format';

const points = (n: number | null) => (n === null ? 'no rule' : `${n > 0 ? '+' : ''}${n}`);

/**
 * A lead's earlier scores under other rules, newest first, each with the rule lines that changed when the
 * next rules replaced it (points before → after): the answer to "why did this lead's score change?".
 */
export function ScoreHistory({ entries, current }: { entries: readonly ScoreHistoryEntry[]; current: readonly BreakdownItem[] }) {
  if (entries.length === 0) {
    return <p className="text-sm text-slate-500">No earlier scores: the rules have not changed this lead&apos;s score.</p>;
  }
  return (
    <ol className="divide-y divide-slate-100" aria-label="Earlier scores, newest first">
      {entries.map((entry, i) => {
        // What replaced this entry: the next newer one, or the current score for the newest.
        const changes = diffBreakdowns(entry.breakdown, i === 0 ? current : entries[i - 1]!.breakdown);
        return (
          <li key={`${entry.until}-${entry.rulesVersion}`} className="py-2.5" data-testid="score-history-entry">
            <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-800">
              <span className="font-semibold tabular-nums">{entry.score}</span>
              <TierBadge tier={entry.tier} />
              <span>
                under rules <code className="font-mono text-xs">{entry.rulesVersion}</code> until{' '}
                <time dateTime={entry.until} title={formatDateTime(entry.until)}>
                  {formatDate(entry.until)}
                </time>
              </span>
            </p>
            {changes.length > 0 && (
              <ul className="mt-1.5 space-y-0.5 pl-1 text-xs text-slate-600" aria-label="Rule lines that changed">
                {changes.map((c) => (
                  <li key={c.ruleId} data-testid="score-history-change">
                    <span className="font-medium text-slate-700">{c.label}</span>:{' '}
                    <span className="tabular-nums">
                      {points(c.before)} → {points(c.after)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}
