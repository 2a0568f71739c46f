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
 * - A cut (a decile boundary, the top k, a capacity) that falls inside a group of tied scores is reported
 *   in `ties`: which leads of the group make the cut is decided by the id tie-break alone.
 */

/** The tie-break, in words, for every place that warns about a cut inside a tie. */
export const TIE_BREAK_RULE = 'leads with equal scores are ordered by lead id (ascending), never by outcome';

import { errorFunction } from 'simple-statistics';
import { z } from 'zod';
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
  /** When k was asked as a share of the leads (`5%` → 0.05): k is that share of them, rounded, at least 1. */
  share?: number;
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

/** The top `k` leads a team can work: precision and lift there, and the score cut-off it implies. */
export interface CapacityStats extends PrecisionAtK {
  /** The score of the last lead worked: work every lead above it, and `takenAtCutoff` of those at it. Null with no leads. */
  cutoff: number | null;
  /** Leads scoring above the cut-off (all worked). */
  above: number;
  /** Leads scoring exactly the cut-off, and how many of them fit (by the id tie-break). */
  atCutoff: number;
  takenAtCutoff: number;
}

/** A cut that falls inside one tied score: the tie-break alone decides which of those leads are in. */
export interface TieAtCut {
  /** `decile`: between decile `at` and `at + 1`; `top`: the top-k cut (`at` = k); `capacity`: the capacity cut. */
  boundary: 'decile' | 'top' | 'capacity';
  at: number;
  score: number;
  /** Leads with that score. */
  tied: number;
  /** How many of them fall before the cut. */
  before: number;
}

/** ROC AUC with DeLong's standard error and 95% interval (clamped to 0–1). */
export interface AucEstimate {
  auc: number;
  /** Null with fewer than two converters or two non-converters: the variance is not defined. */
  se: number | null;
  ci: Interval | null;
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
  /** DeLong's 95% interval of `auc`; null when `auc` is, or with fewer than two of either class. */
  aucCi: Interval | null;
  /** Precision at the capacity asked for (`options.capacity`), else null. */
  capacity: CapacityStats | null;
  /** Decile, top-k and capacity cuts that fall inside a tied score, in rank order. */
  ties: TieAtCut[];
}

export const DEFAULT_KS: readonly number[] = [25, 50, 100];

/** A k of precision@k: a number of leads, or a share of them (`{ share: 0.05 }` for "5%"). */
export type KSpec = number | { share: number };

const kItem = z
  .string()
  .trim()
  .regex(/^(\d+|\d+(\.\d+)?%)$/, 'each k is a whole number of leads (25) or a share of them (5%)')
  .transform((v): KSpec => (v.endsWith('%') ? { share: Number(v.slice(0, -1)) / 100 } : Number(v)))
  .refine((k) => (typeof k === 'number' ? k >= 1 && k <= 100_000_000 : k.share > 0 && k.share <= 1), 'k must be at least 1, a share above 0% and at most 100%');

/** "25,50,100,5%" → ks (CLI `--k`, the page's `?k=`): at most 12, each a whole number or a share. */
export const kListSchema = z
  .string()
  .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
  .pipe(z.array(kItem).min(1, 'needs at least one k, e.g. 25,50,5%').max(12, 'at most 12 values of k'));

/** The number of leads a k stands for among `n` (a share: rounded, at least 1). */
export function resolveK(k: KSpec, n: number): number {
  return typeof k === 'number' ? k : Math.max(1, Math.round(k.share * n));
}

/** "25", "5%". */
export function formatK(k: KSpec): string {
  return typeof k === 'number' ? String(k) : `${Number((100 * k.share).toFixed(4))}%`;
}

/** z for a two-sided 95% interval. */
const Z_95 = 1.959964;

/** Rows in rank order, as parallel typed arrays so metric loops allocate nothing per row. */
interface Ranked {
  n: number;
  conversions: number;
  scores: Float64Array;
  converted: Uint8Array;
  /** Per cut that falls inside a tie group: the group's [start, end) in rank order. */
  straddles: Map<number, { start: number; end: number }>;
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
  const straddles = new Map<number, { start: number; end: number }>();
  let group = { start: 0, end: 0 };
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= 0 || cut >= n || scoreAt(cut - 1) !== scoreAt(cut)) continue;
    if (cut >= group.end) {
      let start = cut - 1;
      while (start > 0 && scoreAt(start - 1) === scoreAt(cut)) start--;
      let end = cut + 1;
      while (end < n && scoreAt(end) === scoreAt(cut)) end++;
      group = { start, end };
      partitionByIdAtCuts(order, rows, start, end, cuts);
    }
    straddles.set(cut, group);
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
  return { n, conversions, scores, converted, straddles };
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

function validateKs(ks: readonly KSpec[]): void {
  for (const k of ks) {
    if (typeof k === 'number' ? !Number.isInteger(k) || k <= 0 : !(k.share > 0 && k.share <= 1)) {
      throw new RangeError(`k must be a positive integer or a share in (0, 1], got ${JSON.stringify(k)}`);
    }
  }
}

function precisionFromRanked(ranked: Ranked, ks: readonly KSpec[]): PrecisionAtK[] {
  const base = ratio(ranked.conversions, ranked.n);
  return ks.map((spec) => {
    const k = resolveK(spec, ranked.n);
    const effectiveK = Math.min(k, ranked.n);
    let conversions = 0;
    for (let r = 0; r < effectiveK; r++) conversions += ranked.converted[r] as number;
    const precision = ratio(conversions, effectiveK);
    return { k, ...(typeof spec === 'number' ? {} : { share: spec.share }), effectiveK, conversions, precision, lift: liftOf(precision, base) };
  });
}

export function precisionAtK(rows: readonly BacktestRow[], ks: readonly KSpec[] = DEFAULT_KS): PrecisionAtK[] {
  validateKs(ks);
  return precisionFromRanked(rank(rows, ks.map((k) => resolveK(k, rows.length))), ks);
}

function capacityFromRanked(ranked: Ranked, capacity: number): CapacityStats {
  const [atK] = precisionFromRanked(ranked, [capacity]) as [PrecisionAtK];
  const { effectiveK } = atK;
  if (effectiveK === 0) return { ...atK, cutoff: null, above: 0, atCutoff: 0, takenAtCutoff: 0 };
  const cutoff = ranked.scores[effectiveK - 1] as number;
  let start = effectiveK - 1;
  while (start > 0 && ranked.scores[start - 1] === cutoff) start--;
  let end = effectiveK;
  while (end < ranked.n && ranked.scores[end] === cutoff) end++;
  return { ...atK, cutoff, above: start, atCutoff: end - start, takenAtCutoff: effectiveK - start };
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
 * random non-converter, ties counting 1/2, with DeLong's variance. Walks groups of equal score in rank
 * order, so it is O(n) after the sort and independent of the id tie-break.
 *
 * DeLong et al. (1988): each converter's placement V10 is the share of non-converters it outscores (ties
 * 1/2), each non-converter's V01 the share of converters that outscore it; AUC is the mean of either, and
 * Var(AUC) = S10 / m + S01 / n with S10, S01 the sample variances of the placements over the m converters
 * and n non-converters. Every lead of a tie group shares its placement, so the sums run per group.
 */
function aucFromRanked(ranked: Ranked): AucEstimate | null {
  const { n, conversions: positives, scores, converted } = ranked;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  const groups: { positives: number; negatives: number; v10: number; v01: number }[] = [];
  let negativesAbove = 0;
  let positivesAbove = 0;
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
    groups.push({
      positives: groupPositives,
      negatives: groupNegatives,
      v10: (negativesBelow + 0.5 * groupNegatives) / negatives,
      v01: (positivesAbove + 0.5 * groupPositives) / positives,
    });
    negativesAbove += groupNegatives;
    positivesAbove += groupPositives;
  }
  let u = 0;
  for (const g of groups) u += g.positives * g.v10;
  const auc = u / positives;
  if (positives < 2 || negatives < 2) return { auc, se: null, ci: null };
  let s10 = 0;
  let s01 = 0;
  for (const g of groups) {
    s10 += g.positives * (g.v10 - auc) ** 2;
    s01 += g.negatives * (g.v01 - auc) ** 2;
  }
  const se = Math.sqrt(s10 / (positives - 1) / positives + s01 / (negatives - 1) / negatives);
  return { auc, se, ci: { low: Math.max(0, auc - Z_95 * se), high: Math.min(1, auc + Z_95 * se) } };
}

export function rocAuc(rows: readonly BacktestRow[]): number | null {
  // AUC reads whole tie groups only, so no id tie-break is needed.
  return aucFromRanked(rank(rows, []))?.auc ?? null;
}

/** ROC AUC with DeLong's standard error and 95% interval; null when only one class is present. */
export function aucWithInterval(rows: readonly BacktestRow[]): AucEstimate | null {
  return aucFromRanked(rank(rows, []));
}

function tiesFromRanked(ranked: Ranked, ks: readonly number[], capacity: number | undefined): TieAtCut[] {
  const ties: TieAtCut[] = [];
  const add = (boundary: TieAtCut['boundary'], at: number, cut: number) => {
    const group = ranked.straddles.get(cut);
    if (group) ties.push({ boundary, at, score: ranked.scores[cut] as number, tied: group.end - group.start, before: cut - group.start });
  };
  decileCuts(ranked.n)
    .slice(0, 9)
    .forEach((cut, d) => add('decile', d + 1, cut));
  for (const k of new Set(ks)) add('top', k, k);
  if (capacity !== undefined) add('capacity', capacity, capacity);
  const order = { decile: 0, top: 1, capacity: 2 };
  return ties.sort((a, b) => b.score - a.score || order[a.boundary] - order[b.boundary] || a.at - b.at);
}

export interface BacktestOptions {
  /** Precision@k for these ks (default 25, 50, 100); a share is of these rows. */
  ks?: readonly KSpec[];
  /** Leads the team can work among these rows: precision, lift and the score cut-off there. */
  capacity?: number;
}

export function runBacktest(rows: readonly BacktestRow[], options: BacktestOptions = {}): BacktestResult {
  const specs = options.ks ?? DEFAULT_KS;
  validateKs(specs);
  const { capacity } = options;
  if (capacity !== undefined && (!Number.isInteger(capacity) || capacity <= 0)) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  const ks = specs.map((k) => resolveK(k, rows.length));
  const ranked = rank(rows, [...ks, ...(capacity === undefined ? [] : [capacity]), ...decileCuts(rows.length)]);
  const auc = aucFromRanked(ranked);
  return {
    n: ranked.n,
    conversions: ranked.conversions,
    baseRate: ratio(ranked.conversions, ranked.n),
    tiers: tierTable(rows),
    precisionAtK: precisionFromRanked(ranked, specs),
    deciles: decilesFromRanked(ranked),
    auc: auc?.auc ?? null,
    aucCi: auc?.ci ?? null,
    capacity: capacity === undefined ? null : capacityFromRanked(ranked, capacity),
    ties: tiesFromRanked(ranked, ks, capacity),
  };
}

/**
 * Per row, in input order, its DeLong placement: for a converter the share of non-converters it outscores,
 * for a non-converter the share of converters that outscore it (ties count 1/2). Null with one class only.
 */
function placements(rows: readonly BacktestRow[]): Float64Array | null {
  const n = rows.length;
  const keys = new Float64Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[i] as BacktestRow;
    if (!Number.isFinite(row.score)) throw new RangeError(`row ${i} has non-finite score ${row.score}`);
    keys[i] = row.score;
    if (row.converted) positives++;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = orderByScoreDesc(keys);
  const out = new Float64Array(n);
  let negativesAbove = 0;
  let positivesAbove = 0;
  let r = 0;
  while (r < n) {
    const score = keys[order[r] as number] as number;
    let end = r;
    let groupPositives = 0;
    for (; end < n && keys[order[end] as number] === score; end++) if ((rows[order[end] as number] as BacktestRow).converted) groupPositives++;
    const groupNegatives = end - r - groupPositives;
    const v10 = (negatives - negativesAbove - groupNegatives + 0.5 * groupNegatives) / negatives;
    const v01 = (positivesAbove + 0.5 * groupPositives) / positives;
    for (; r < end; r++) {
      const i = order[r] as number;
      out[i] = (rows[i] as BacktestRow).converted ? v10 : v01;
    }
    negativesAbove += groupNegatives;
    positivesAbove += groupPositives;
  }
  return out;
}

/** Two rankings of the same leads compared by DeLong's paired test. */
export interface PairedAucComparison {
  /** AUC of `b` minus AUC of `a`. */
  difference: number;
  se: number;
  /** 95% interval of the difference. */
  ci: Interval;
  z: number | null;
  /** Two-sided p-value of "no difference"; 1 when the two rank every pair alike. */
  p: number;
}

/**
 * DeLong's test for two correlated AUCs: the same leads ranked two ways (two rule sets, or rules and a
 * model). `a[i]` and `b[i]` must be the same lead with the same outcome. Var(AUC_b − AUC_a) sums, over the
 * converters and the non-converters, the variances of the two placements less twice their covariance, so
 * two rankings that mostly agree are told apart on far fewer leads than two independent AUCs would need.
 * Null when either class is missing, or there are fewer than two of either.
 */
export function compareAucs(a: readonly BacktestRow[], b: readonly BacktestRow[]): PairedAucComparison | null {
  if (a.length !== b.length) throw new RangeError(`compareAucs needs the same leads: ${a.length} vs ${b.length} rows`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as BacktestRow;
    const y = b[i] as BacktestRow;
    if (x.id !== y.id || x.converted !== y.converted) throw new RangeError(`compareAucs needs the same leads in the same order: row ${i} is ${x.id} and ${y.id}`);
  }
  const pa = placements(a);
  const pb = placements(b);
  if (!pa || !pb) return null;
  let m = 0;
  let meanA = [0, 0];
  let meanB = [0, 0];
  for (let i = 0; i < a.length; i++) {
    const c = (a[i] as BacktestRow).converted ? 0 : 1;
    if (c === 0) m++;
    meanA[c]! += pa[i] as number;
    meanB[c]! += pb[i] as number;
  }
  const n = a.length - m;
  if (m < 2 || n < 2) return null;
  meanA = [meanA[0]! / m, meanA[1]! / n];
  meanB = [meanB[0]! / m, meanB[1]! / n];
  // Per class: Σ (dA − dB)² with d the deviation from the class mean = var A + var B − 2 cov.
  const sum = [0, 0];
  for (let i = 0; i < a.length; i++) {
    const c = (a[i] as BacktestRow).converted ? 0 : 1;
    const d = (pb[i] as number) - meanB[c]! - ((pa[i] as number) - meanA[c]!);
    sum[c]! += d * d;
  }
  const variance = sum[0]! / (m - 1) / m + sum[1]! / (n - 1) / n;
  // The mean placement of the converters is the AUC.
  const difference = meanB[0]! - meanA[0]!;
  const se = Math.sqrt(variance);
  if (se < 1e-12) return { difference, se: 0, ci: { low: difference, high: difference }, z: null, p: Math.abs(difference) < 1e-12 ? 1 : 0 };
  const z = difference / se;
  return { difference, se, ci: { low: difference - Z_95 * se, high: difference + Z_95 * se }, z, p: Math.min(1, 1 - errorFunction(Math.abs(z) / Math.SQRT2)) };
}

/**
 * Mid-ranks of values (1 = highest; a tie group shares the mean of its ranks), by the same radix sort as
 * the backtest: what Spearman's rank correlation is computed on.
 */
export function midranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const keys = Float64Array.from(values);
  for (let i = 0; i < n; i++) if (!Number.isFinite(keys[i])) throw new RangeError(`value ${i} is not a finite number: ${keys[i]}`);
  const order = orderByScoreDesc(keys);
  const ranks = new Float64Array(n);
  let r = 0;
  while (r < n) {
    const value = keys[order[r] as number] as number;
    let end = r;
    while (end < n && keys[order[end] as number] === value) end++;
    const mid = (r + 1 + end) / 2;
    for (; r < end; r++) ranks[order[r] as number] = mid;
  }
  return ranks;
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

/**
 * Tie warnings in words, one line per tied score: "1,204 leads tied at score 45: the boundary between
 * deciles 1 and 2 (980 of them above it) and the top-100 cut (100) fall inside them".
 */
export function describeTies(ties: readonly TieAtCut[]): string[] {
  const byScore = new Map<number, TieAtCut[]>();
  for (const tie of ties) byScore.set(tie.score, [...(byScore.get(tie.score) ?? []), tie]);
  return [...byScore.values()].map((group) => {
    const cuts = group.map((t) => {
      const where = t.boundary === 'decile' ? `the boundary between deciles ${t.at} and ${t.at + 1}` : t.boundary === 'top' ? `the top-${t.at} cut` : `the capacity cut at ${t.at} leads`;
      return `${where} (${t.before.toLocaleString('en-US')} of them above it)`;
    });
    const list = cuts.length === 1 ? cuts[0]! : `${cuts.slice(0, -1).join(', ')} and ${cuts.at(-1)}`;
    return `${group[0]!.tied.toLocaleString('en-US')} leads tied at score ${num(group[0]!.score)}: ${list} ${cuts.length === 1 ? 'falls' : 'fall'} inside them`;
  });
}

/** "0.672 (95% CI 0.612–0.731)". */
export function formatAuc(auc: number | null, ci: Interval | null): string {
  if (auc === null) return DASH;
  return ci ? `${auc.toFixed(3)} (95% CI ${ci.low.toFixed(3)}–${ci.high.toFixed(3)})` : auc.toFixed(3);
}

/** "top 150 leads (score ≥ 62, 12 of the 40 at 62): 31.3% converted, 2.48x". */
export function describeCapacity(c: CapacityStats): string {
  if (c.cutoff === null) return `top ${c.k} leads: no leads`;
  const cut = c.takenAtCutoff < c.atCutoff ? `score ≥ ${num(c.cutoff)}, ${c.takenAtCutoff} of the ${c.atCutoff} at ${num(c.cutoff)}` : `score ≥ ${num(c.cutoff)}`;
  return `top ${c.effectiveK} leads (${cut}): ${pct(c.precision)} converted (${c.conversions}), lift ${times(c.lift)}`;
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
      result.precisionAtK.map((p) => [p.share === undefined ? String(p.k) : `${formatK({ share: p.share })} (${p.k})`, String(p.effectiveK), String(p.conversions), pct(p.precision), times(p.lift)]),
    ),
    ...(result.capacity ? ['', `At capacity: ${describeCapacity(result.capacity)}`] : []),
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
    `ROC AUC: ${result.auc === null ? `${DASH} (needs both converted and non-converted leads)` : `${formatAuc(result.auc, result.aucCi)}${result.aucCi ? ', DeLong' : ''}`}`,
    ...(result.ties.length > 0 ? ['', `Ties at a cut (${TIE_BREAK_RULE}):`, ...describeTies(result.ties).map((line) => `  - ${line}`)] : []),
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
