/**
 * Backtest metrics for scored leads with a known outcome. Pure: no I/O.
 *
 * Conventions:
 * - Ranking is by score descending; equal scores are ordered by `id` ascending (plain UTF-16
 *   code-unit order, locale-independent). The tie-break must never look at `converted`: sorting
 *   converters first within a tie would make precision@k and the top deciles optimistic.
 *   Ids are expected to be unique; duplicated ids tied on score get a deterministic but
 *   unspecified relative order.
 * - A ratio whose denominator is zero (no leads, or no conversions for a share) is `null`, never
 *   NaN. Lift is `null` when the base rate is null or 0.
 * - Scores must be finite numbers; anything else has no defined rank and throws.
 */

import { TIERS, type Tier } from './scoring';

export interface BacktestRow {
  id: string;
  score: number;
  tier: Tier;
  converted: boolean;
}

export interface Interval {
  low: number;
  high: number;
}

export interface TierStats {
  tier: Tier;
  leads: number;
  conversions: number;
  rate: number | null;
  ci: Interval;
  lift: number | null;
}

export interface PrecisionAtK {
  k: number;
  effectiveK: number;
  conversions: number;
  precision: number | null;
  lift: number | null;
}

export interface DecileStats {
  /** 1 = highest scores. */
  decile: number;
  leads: number;
  conversions: number;
  rate: number | null;
  lift: number | null;
  cumulativeConversions: number;
  /** Share of all conversions captured in deciles 1..decile. */
  cumulativeShare: number | null;
  /** Share of all leads in deciles 1..decile. */
  cumulativeLeadShare: number | null;
  minScore: number | null;
  maxScore: number | null;
}

export interface BacktestResult {
  n: number;
  conversions: number;
  baseRate: number | null;
  tiers: TierStats[];
  precisionAtK: PrecisionAtK[];
  deciles: DecileStats[];
  /** ROC AUC; null when only one class is present. */
  auc: number | null;
}

export const DEFAULT_KS: readonly number[] = [25, 50, 100];

/** z for a two-sided 95% interval. */
const Z_95 = 1.959964;

/** Rows in rank order, as parallel typed arrays so metric loops allocate nothing per row. */
interface Ranked {
  n: number;
  conversions: number;
  scores: Float64Array;
  converted: Uint8Array;
}

/**
 * Ranks rows by score descending. Every metric reads either whole tie groups (AUC, score ranges)
 * or prefixes ending at a cut position (precision@k, decile boundaries), so the id tie-break only
 * matters inside a tie group that straddles a cut: only those groups are ordered by id, which
 * keeps a million rows with few distinct scores from paying for a million string comparisons.
 */
function rank(rows: readonly BacktestRow[], cuts: readonly number[]): Ranked {
  const n = rows.length;
  // Touch each row object once, in input order; everything after works on typed arrays.
  const keys = new Float64Array(n);
  const convertedByRow = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i] as BacktestRow;
    if (!Number.isFinite(row.score)) throw new RangeError(`row ${i} has non-finite score ${row.score}`);
    keys[i] = row.score;
    if (row.converted) convertedByRow[i] = 1;
  }
  const order = orderByScoreDesc(keys);

  const scoreAt = (r: number): number => keys[order[r] as number] as number;
  // One pass per tie group: a group holding several cuts is partitioned at all of them at once.
  let doneUpTo = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut < doneUpTo || cut <= 0 || cut >= n || scoreAt(cut - 1) !== scoreAt(cut)) continue;
    let start = cut - 1;
    while (start > 0 && scoreAt(start - 1) === scoreAt(cut)) start--;
    let end = cut + 1;
    while (end < n && scoreAt(end) === scoreAt(cut)) end++;
    partitionByIdAtCuts(order, rows, start, end, cuts);
    doneUpTo = end;
  }

  const scores = new Float64Array(n);
  const converted = new Uint8Array(n);
  let conversions = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r] as number;
    scores[r] = keys[i] as number;
    const c = convertedByRow[i] as number;
    converted[r] = c;
    conversions += c;
  }
  return { n, conversions, scores, converted };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const RADIX_BITS = 16;
const RADIX_MASK = (1 << RADIX_BITS) - 1;

/**
 * Row indices by score descending; identical scores keep index order (0 and -0 differ in bits but
 * end up adjacent, which rank() treats as one tie group). A stable LSD radix sort on the IEEE-754
 * bit patterns (four 16-bit passes, skipping passes where every key shares the digit): several
 * times faster than a comparator sort at a million rows.
 */
function orderByScoreDesc(keys: Float64Array): Uint32Array {
  const n = keys.length;
  const words = new Uint32Array(keys.buffer, keys.byteOffset, 2 * n);
  const hiOffset = LITTLE_ENDIAN ? 1 : 0;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + hiOffset] as number;
    const l = words[2 * i + 1 - hiOffset] as number;
    // Map bits so that ascending unsigned order is descending numeric order: negatives already
    // grow with magnitude; non-negatives are flipped (except the sign bit) to shrink as they grow.
    const negative = h >>> 31 === 1;
    hi[i] = negative ? h : (h ^ 0x7fffffff) >>> 0;
    lo[i] = negative ? l : ~l >>> 0;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const counts = new Uint32Array(RADIX_MASK + 1);
  const passes: readonly (readonly [Uint32Array, number])[] = [[lo, 0], [lo, RADIX_BITS], [hi, 0], [hi, RADIX_BITS]];
  for (const [word, shift] of passes) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const digit = ((word[i] as number) >>> shift) & RADIX_MASK;
      counts[digit] = (counts[digit] as number) + 1;
    }
    if (n === 0 || counts[((word[0] as number) >>> shift) & RADIX_MASK] === n) continue;
    let sum = 0;
    for (let d = 0; d <= RADIX_MASK; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let r = 0; r < n; r++) {
      const i = order[r] as number;
      const digit = ((word[i] as number) >>> shift) & RADIX_MASK;
      const slot = counts[digit] as number;
      next[slot] = i;
      counts[digit] = slot + 1;
    }
    [order, next] = [next, order];
  }
  return order;
}

const INSERTION_SORT_MAX = 16;

/**
 * Reorders order[start, end) (one tie group) so that at every cut inside it the rows before the
 * cut are exactly those a full id sort would put there. Quickselect that only descends into parts
 * holding a cut: O(g · log(cuts)) id comparisons for a group of size g instead of O(g log g).
 */
function partitionByIdAtCuts(order: Uint32Array, rows: readonly BacktestRow[], start: number, end: number, cuts: readonly number[]): void {
  const index = order.subarray(start, end);
  // A dense copy of the ids avoids chasing row objects through memory on every comparison.
  const ids: string[] = Array.from(index, (i) => (rows[i] as BacktestRow).id);
  const localCuts = cuts.filter((c) => c > start && c < end).map((c) => c - start);
  const swap = (x: number, y: number): void => {
    const id = ids[x] as string;
    ids[x] = ids[y] as string;
    ids[y] = id;
    const i = index[x] as number;
    index[x] = index[y] as number;
    index[y] = i;
  };
  const stack = [0, index.length];
  while (stack.length > 0) {
    const hi = stack.pop() as number;
    const lo = stack.pop() as number;
    if (!localCuts.some((c) => c > lo && c < hi)) continue;
    if (hi - lo <= INSERTION_SORT_MAX) {
      for (let i = lo + 1; i < hi; i++) {
        for (let j = i; j > lo && (ids[j - 1] as string) > (ids[j] as string); j--) swap(j - 1, j);
      }
      continue;
    }
    // Median of three moved to the middle: resists sorted input and keeps Hoare's guarantee
    // that both parts are non-empty.
    const last = hi - 1;
    const mid = lo + ((last - lo) >>> 1);
    if ((ids[mid] as string) < (ids[lo] as string)) swap(mid, lo);
    if ((ids[last] as string) < (ids[lo] as string)) swap(last, lo);
    if ((ids[last] as string) < (ids[mid] as string)) swap(last, mid);
    const pivot = ids[mid] as string;
    let i = lo - 1;
    let j = hi;
    for (;;) {
      do i++;
      while ((ids[i] as string) < pivot);
      do j--;
      while ((ids[j] as string) > pivot);
      if (i >= j) break;
      swap(i, j);
    }
    stack.push(lo, j + 1, j + 1, hi);
  }
}

function decileSizes(n: number): number[] {
  const size = Math.floor(n / 10);
  const extra = n % 10;
  return Array.from({ length: 10 }, (_, d) => size + (d < extra ? 1 : 0));
}

/** Prefix lengths whose composition the decile table reads. */
function decileCuts(n: number): number[] {
  let end = 0;
  return decileSizes(n).map((leads) => (end += leads));
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function liftOf(rate: number | null, base: number | null): number | null {
  return rate === null || base === null || base === 0 ? null : rate / base;
}

export function baseRate(rows: readonly BacktestRow[]): number | null {
  let conversions = 0;
  for (const row of rows) if (row.converted) conversions++;
  return ratio(conversions, rows.length);
}

/**
 * Wilson score interval for a binomial proportion. With n = 0 there is no information, so the
 * interval is the whole range {0, 1} rather than a falsely tight {0, 0}.
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): Interval {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`invalid binomial counts: ${successes}/${n}`);
  }
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // Clamp float dust (e.g. -1e-17 at 0 successes).
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}

export function tierTable(rows: readonly BacktestRow[]): TierStats[] {
  const leads = [0, 0, 0];
  const conversions = [0, 0, 0];
  for (const row of rows) {
    const t = row.tier === 'HOT' ? 0 : row.tier === 'WARM' ? 1 : row.tier === 'COLD' ? 2 : -1;
    if (t < 0) throw new RangeError(`unknown tier ${String(row.tier)} for ${row.id}`);
    leads[t] = (leads[t] ?? 0) + 1;
    if (row.converted) conversions[t] = (conversions[t] ?? 0) + 1;
  }
  const base = ratio(conversions.reduce((a, b) => a + b, 0), rows.length);
  return TIERS.map((tier, t) => {
    const n = leads[t] as number;
    const c = conversions[t] as number;
    const rate = ratio(c, n);
    return { tier, leads: n, conversions: c, rate, ci: wilsonInterval(c, n), lift: liftOf(rate, base) };
  });
}

function validateKs(ks: readonly number[]): void {
  for (const k of ks) if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
}

function precisionFromRanked(ranked: Ranked, ks: readonly number[]): PrecisionAtK[] {
  const base = ratio(ranked.conversions, ranked.n);
  return ks.map((k) => {
    const effectiveK = Math.min(k, ranked.n);
    let conversions = 0;
    for (let r = 0; r < effectiveK; r++) conversions += ranked.converted[r] as number;
    const precision = ratio(conversions, effectiveK);
    return { k, effectiveK, conversions, precision, lift: liftOf(precision, base) };
  });
}

export function precisionAtK(rows: readonly BacktestRow[], ks: readonly number[] = DEFAULT_KS): PrecisionAtK[] {
  validateKs(ks);
  return precisionFromRanked(rank(rows, ks), ks);
}

/**
 * Deciles are positional: n leads in rank order are cut into 10 groups whose sizes differ by at
 * most 1 (earlier deciles take the remainder), so tied scores can straddle a boundary — exactly
 * as they do for precision@k. With n < 10 the trailing deciles are empty.
 */
function decilesFromRanked(ranked: Ranked): DecileStats[] {
  const { n, conversions: total, scores, converted } = ranked;
  const base = ratio(total, n);
  const deciles: DecileStats[] = [];
  let start = 0;
  let cumulativeConversions = 0;
  for (const [d, leads] of decileSizes(n).entries()) {
    const end = start + leads;
    let conversions = 0;
    for (let r = start; r < end; r++) conversions += converted[r] as number;
    cumulativeConversions += conversions;
    const rate = ratio(conversions, leads);
    deciles.push({
      decile: d + 1,
      leads,
      conversions,
      rate,
      lift: liftOf(rate, base),
      cumulativeConversions,
      cumulativeShare: ratio(cumulativeConversions, total),
      cumulativeLeadShare: ratio(end, n),
      // Rank order is descending, so the group's first row holds its maximum.
      minScore: leads === 0 ? null : (scores[end - 1] as number),
      maxScore: leads === 0 ? null : (scores[start] as number),
    });
    start = end;
  }
  return deciles;
}

export function decileTable(rows: readonly BacktestRow[]): DecileStats[] {
  return decilesFromRanked(rank(rows, decileCuts(rows.length)));
}

/**
 * Mann–Whitney U / (positives · negatives): the probability that a random converter outscores a
 * random non-converter, ties counting 1/2. Walks groups of equal score in rank order, so it is
 * O(n) after the sort and independent of the id tie-break.
 */
function aucFromRanked(ranked: Ranked): number | null {
  const { n, conversions: positives, scores, converted } = ranked;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  let u = 0;
  let negativesAbove = 0;
  let r = 0;
  while (r < n) {
    const score = scores[r] as number;
    let groupPositives = 0;
    let groupNegatives = 0;
    for (; r < n && scores[r] === score; r++) {
      if (converted[r] === 1) groupPositives++;
      else groupNegatives++;
    }
    const negativesBelow = negatives - negativesAbove - groupNegatives;
    u += groupPositives * (negativesBelow + 0.5 * groupNegatives);
    negativesAbove += groupNegatives;
  }
  return u / (positives * negatives);
}

export function rocAuc(rows: readonly BacktestRow[]): number | null {
  // AUC reads whole tie groups only, so no id tie-break is needed.
  return aucFromRanked(rank(rows, []));
}

export function runBacktest(rows: readonly BacktestRow[], options: { ks?: readonly number[] } = {}): BacktestResult {
  const ks = options.ks ?? DEFAULT_KS;
  validateKs(ks);
  const ranked = rank(rows, [...ks, ...decileCuts(rows.length)]);
  return {
    n: ranked.n,
    conversions: ranked.conversions,
    baseRate: ratio(ranked.conversions, ranked.n),
    tiers: tierTable(rows),
    precisionAtK: precisionFromRanked(ranked, ks),
    deciles: decilesFromRanked(ranked),
    auc: aucFromRanked(ranked),
  };
}

// ---------------------------------------------------------------------------------------------
// Plain-text report
// ---------------------------------------------------------------------------------------------

export const DASH = '—';

export function pct(x: number | null): string {
  return x === null ? DASH : `${(100 * x).toFixed(1)}%`;
}

export function times(x: number | null): string {
  return x === null ? DASH : `${x.toFixed(2)}x`;
}

function num(x: number | null): string {
  return x === null ? DASH : Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/** Left-aligns the first column (labels) and right-aligns the rest (numbers). */
export function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}

export function formatBacktestTables(result: BacktestResult, meta: { rulesVersion: string; source: string }): string {
  const baseCi = wilsonInterval(result.conversions, result.n);
  const sections = [
    `Backtest: rules ${meta.rulesVersion} on ${meta.source}`,
    `Leads ${result.n}, conversions ${result.conversions}, base rate ${pct(result.baseRate)} (95% CI ${pct(baseCi.low)}–${pct(baseCi.high)})`,
    '',
    'Conversion by tier',
    table(
      ['Tier', 'Leads', 'Conv', 'Rate', '95% CI', 'Lift'],
      result.tiers.map((t) => [t.tier, String(t.leads), String(t.conversions), pct(t.rate), `${pct(t.ci.low)}–${pct(t.ci.high)}`, times(t.lift)]),
    ),
    '',
    'Precision at k (top k leads by score)',
    table(
      ['k', 'Leads', 'Conv', 'Precision', 'Lift'],
      result.precisionAtK.map((p) => [String(p.k), String(p.effectiveK), String(p.conversions), pct(p.precision), times(p.lift)]),
    ),
    '',
    'Deciles (1 = highest scores)',
    table(
      ['Decile', 'Leads', 'Conv', 'Rate', 'Lift', 'Cum conv', 'Cum share', 'Cum leads', 'Scores'],
      result.deciles.map((d) => [
        String(d.decile),
        String(d.leads),
        String(d.conversions),
        pct(d.rate),
        times(d.lift),
        String(d.cumulativeConversions),
        pct(d.cumulativeShare),
        pct(d.cumulativeLeadShare),
        d.leads === 0 ? DASH : `${num(d.minScore)}–${num(d.maxScore)}`,
      ]),
    ),
    '',
    `ROC AUC: ${result.auc === null ? `${DASH} (needs both converted and non-converted leads)` : result.auc.toFixed(3)}`,
  ];
  return `${sections.join('\n')}\n`;
}

/**
 * Leads moving between tiers when one rule set replaces another: `matrix[from][to]` counts leads, tiers
 * in TIERS order (HOT, WARM, COLD) — rows the old tier, columns the new. The cells add up to the leads.
 */
export function tierMoveMatrix(moves: Iterable<readonly [Tier, Tier]>): number[][] {
  const matrix = TIERS.map(() => TIERS.map(() => 0));
  for (const [from, to] of moves) matrix[TIERS.indexOf(from)]![TIERS.indexOf(to)]!++;
  return matrix;
}
