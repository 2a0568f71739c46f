import {
  compareAucs,
  describeCapacity,
  describeTies,
  formatAuc,
  formatK,
  runBacktest,
  TIE_BREAK_RULE,
  tierMoveMatrix,
  type BacktestResult,
  type BacktestRow,
  type KSpec,
  type PairedAucComparison,
  type PrecisionAtK,
} from './backtest';
import { toScorable } from './lead';
import type { RuleSet } from './rules';
import { scoreLead, TIERS, type Tier } from './scoring';
import type { ScoredRecord } from './store/types';

/**
 * A candidate rule set beside the live one on the same leads with a known outcome: both backtests, DeLong's
 * paired test of their AUCs (so two sets are not called different when the data cannot tell them apart),
 * the 3×3 matrix of leads moving between tiers, and the leads that move most. Pure: the live scores come
 * with the records (as stored, or as the caller scored them), the candidate's are computed here.
 */

export interface MovedLead {
  id: string;
  converted: boolean;
  live: { score: number; tier: Tier };
  candidate: { score: number; tier: Tier };
}

export interface RuleSetComparison {
  leads: number;
  conversions: number;
  live: BacktestResult;
  candidate: BacktestResult;
  /** Candidate AUC minus live AUC, paired; null without both outcomes (or fewer than two of either). */
  auc: PairedAucComparison | null;
  /** `moves[from][to]`: rows the live tier, columns the candidate's (HOT, WARM, COLD); the cells add up to `leads`. */
  moves: number[][];
  /** Leads whose tier changes. */
  moved: number;
  /** The biggest moves (tiers crossed, then points, then id), at most `options.movers`. */
  movers: MovedLead[];
}

export interface CompareOptions {
  candidate: RuleSet;
  /** The reference date the live scores were computed with. */
  now: Date;
  ks?: readonly KSpec[];
  /** Leads the team can work among these leads. */
  capacity?: number;
  /** How many moved leads to keep (default 50). */
  movers?: number;
}

const tierDistance = (a: Tier, b: Tier) => Math.abs(TIERS.indexOf(a) - TIERS.indexOf(b));

/** Biggest move first: tiers crossed, then points changed, then id. */
function byMove(x: MovedLead, y: MovedLead): number {
  return (
    tierDistance(y.live.tier, y.candidate.tier) - tierDistance(x.live.tier, x.candidate.tier) ||
    Math.abs(y.candidate.score - y.live.score) - Math.abs(x.candidate.score - x.live.score) ||
    (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
  );
}

/** Leads without an outcome are left out: every figure is on the same leads. */
export function compareRuleSets(records: Iterable<ScoredRecord>, options: CompareOptions): RuleSetComparison {
  const { candidate, now } = options;
  const live: BacktestRow[] = [];
  const next: BacktestRow[] = [];
  const moved: MovedLead[] = [];
  for (const { lead, score, tier } of records) {
    if (lead.converted === undefined) continue;
    // Scoring sees the lead without its outcome.
    const c = scoreLead(toScorable(lead), { rules: candidate, now });
    live.push({ id: lead.id, score, tier, converted: lead.converted });
    next.push({ id: lead.id, score: c.score, tier: c.tier, converted: lead.converted });
    if (c.tier !== tier) moved.push({ id: lead.id, converted: lead.converted, live: { score, tier }, candidate: { score: c.score, tier: c.tier } });
  }
  const backtest = { ks: options.ks, capacity: options.capacity };
  const liveResult = runBacktest(live, backtest);
  return {
    leads: liveResult.n,
    conversions: liveResult.conversions,
    live: liveResult,
    candidate: runBacktest(next, backtest),
    auc: compareAucs(live, next),
    moves: tierMoveMatrix(live.map((row, i) => [row.tier, next[i]!.tier] as const)),
    moved: moved.length,
    movers: moved.sort(byMove).slice(0, options.movers ?? 50),
  };
}

/** The paired AUC test in words: which set ranks better, or that the data cannot tell. */
export function aucVerdict(auc: PairedAucComparison | null): string {
  if (auc === null) return 'no AUC difference can be computed (needs at least two converters and two non-converters)';
  const d = `${auc.difference >= 0 ? '+' : ''}${auc.difference.toFixed(3)}`;
  const interval = `95% CI ${auc.ci.low.toFixed(3)} to ${auc.ci.high.toFixed(3)}, ${auc.p < 0.001 ? 'p < 0.001' : `p = ${auc.p.toFixed(3)}`}`;
  if (auc.ci.low > 0) return `${d} (${interval}): the candidate ranks these leads better`;
  if (auc.ci.high < 0) return `${d} (${interval}): the candidate ranks these leads worse`;
  return `${d} (${interval}): the data cannot tell the two apart`;
}

// ---------------------------------------------------------------------------------------------
// Plain-text report
// ---------------------------------------------------------------------------------------------

const DASH = '—';
const pct = (x: number | null | undefined) => (x === null || x === undefined ? DASH : `${(100 * x).toFixed(1)}%`);
const times = (x: number | null | undefined) => (x === null || x === undefined ? DASH : `${x.toFixed(2)}x`);
const count = (n: number) => n.toLocaleString('en-US');

function textTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const kLabel = (p: PrecisionAtK) => (p.share === undefined ? `Precision@${p.k}` : `Precision@${formatK({ share: p.share })} (${p.k})`);

function tierCell(result: BacktestResult, tier: Tier): string {
  const t = result.tiers.find((x) => x.tier === tier)!;
  return t.leads === 0 ? `${DASH} (0 leads)` : `${pct(t.rate)} (${pct(t.ci.low)}–${pct(t.ci.high)}, ${count(t.leads)})`;
}

/** The metrics side by side: [metric, live, candidate]. */
export function comparisonRows(c: RuleSetComparison): string[][] {
  const rows: string[][] = [
    ['ROC AUC (95% CI)', formatAuc(c.live.auc, c.live.aucCi), formatAuc(c.candidate.auc, c.candidate.aucCi)],
    ['Top-decile lift', times(c.live.deciles[0]?.lift), times(c.candidate.deciles[0]?.lift)],
    ...c.live.precisionAtK.map((p, i) => {
      const q = c.candidate.precisionAtK[i]!;
      return [kLabel(p), `${pct(p.precision)} (${p.conversions}/${p.effectiveK})`, `${pct(q.precision)} (${q.conversions}/${q.effectiveK})`];
    }),
  ];
  if (c.live.capacity && c.candidate.capacity) {
    const [l, k] = [c.live.capacity, c.candidate.capacity];
    const cut = (x: typeof l) => (x.cutoff === null ? DASH : `score ≥ ${x.cutoff}`);
    rows.push([`At capacity (top ${l.k})`, `${pct(l.precision)}, lift ${times(l.lift)}, ${cut(l)}`, `${pct(k.precision)}, lift ${times(k.lift)}, ${cut(k)}`]);
  }
  rows.push(...TIERS.map((tier) => [`${tier} conversion (95% CI, leads)`, tierCell(c.live, tier), tierCell(c.candidate, tier)]));
  return rows;
}

/** The compare section of `npm run validate -- --compare`. */
export function formatComparison(c: RuleSetComparison, meta: { live: string; candidate: string; source: string }): string {
  const lines = [
    `Compare: live ${meta.live} vs candidate ${meta.candidate}`,
    `On ${meta.source}: ${count(c.leads)} leads with an outcome, ${count(c.conversions)} converted`,
    '',
    textTable([['Metric', 'Live', 'Candidate'], ...comparisonRows(c)]),
    '',
    `AUC difference, candidate − live (DeLong, paired): ${aucVerdict(c.auc)}`,
  ];
  for (const [name, result] of [['live', c.live], ['candidate', c.candidate]] as const) {
    if (result.capacity) lines.push(`At capacity, ${name}: ${describeCapacity(result.capacity)}`);
    for (const line of describeTies(result.ties)) lines.push(`Tie (${name}): ${line}`);
  }
  if (c.live.ties.length + c.candidate.ties.length > 0) lines.push(`(Ties: ${TIE_BREAK_RULE}.)`);
  lines.push(
    '',
    'Leads moving between tiers (rows: live tier; columns: candidate tier)',
    textTable([['', ...TIERS, 'Total'], ...TIERS.map((tier, i) => [tier, ...c.moves[i]!.map(count), count(c.moves[i]!.reduce((a, b) => a + b, 0))])]),
    '',
    `${count(c.moved)} of ${count(c.leads)} leads change tier${c.movers.length > 0 ? `; the biggest moves:` : '.'}`,
  );
  if (c.movers.length > 0) {
    lines.push(
      textTable([
        ['Lead', 'Converted', 'Live', 'Candidate'],
        ...c.movers.slice(0, 10).map((m) => [m.id, m.converted ? 'yes' : 'no', `${m.live.tier} ${m.live.score}`, `${m.candidate.tier} ${m.candidate.score}`]),
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}
