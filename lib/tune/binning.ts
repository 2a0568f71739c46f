import { fieldType, sortedValues, weightOfEvidence, type FieldType } from '../profile';
import { bandLabel, cutsAt, equalFrequencyEnds } from './bands';
import { addCounts, conversionsOf, dominantKind, leadsOf, zeroCounts, type FieldStats, type FoldCounts } from './stats';

/**
 * Supervised bins for the scorecard model (the standard method): start from fine bins of about equal
 * size, pool them into a shape a reviewer can believe, and merge neighbours the data cannot tell apart.
 *
 * - Numbers and dates: up to 20 fine bands, then pooled to the best unimodal shape (rising, falling, one
 *   peak or one valley — pool-adjacent-violators on the conversion rates, weighted by leads; the shape
 *   with the highest likelihood wins), so "50–1,000 employees converts best" survives but noise wiggles
 *   do not. Strict monotonicity would erase real sweet spots like company size.
 * - Categories: each value with enough leads is a bin, rarer values pool into "other"; bins are then
 *   ordered by conversion rate.
 * - Then ChiMerge: the adjacent pair with the smallest χ² is merged while that χ² is below 3.84 (5%),
 *   and no bin keeps fewer than `minLeads` leads. Unknown is always a bin of its own, never merged.
 *
 * Pure; works on the per-fold counts of lib/tune/stats.ts, so the same procedure can run on one fold of
 * the design half and be checked on the other (`crossCheck`).
 */

export interface Bin {
  label: string;
  kind: 'band' | 'values' | 'other' | 'yes' | 'no' | 'unknown';
  /** Category values (normalised) of a `values` bin. */
  values?: string[];
  counts: FoldCounts;
}

export interface FieldBinning {
  field: string;
  type: FieldType;
  bins: Bin[];
  /** Numbers and dates: cut points between the known bins (bin j holds (cuts[j−1], cuts[j]]). */
  cuts?: number[];
  whole?: boolean;
  /** For labels and rules: the smallest and largest value seen. */
  range?: { min: number; max: number };
}

export interface BinningOptions {
  /** Fewest leads in a bin (besides unknown). */
  minLeads: number;
  fineBins?: number;
}

const CHI2_5PCT = 3.841;
type Fold = 'all' | 0 | 1;

const pick = (c: FoldCounts, fold: Fold): [number, number] => (fold === 'all' ? [leadsOf(c), conversionsOf(c)] : [c[fold * 2]!, c[fold * 2 + 1]!]);

/** Bins for one field, chosen on one fold of the design half or on both (`fold: 'all'`). */
export function binField(stats: FieldStats, total: FoldCounts, options: BinningOptions, fold: Fold = 'all'): FieldBinning | null {
  const type = fieldType(stats, total);
  if (type === null) return null;
  const { unknown } = dominantKind(stats, total);
  const unknownBin: Bin[] = leadsOf(unknown) > 0 ? [{ label: 'unknown', kind: 'unknown', counts: unknown }] : [];
  if (type === 'boolean') {
    const bins: Bin[] = [{ label: 'yes', kind: 'yes', counts: stats.yes }, { label: 'no', kind: 'no', counts: stats.no }, ...unknownBin];
    return { field: stats.field, type, bins: bins.filter((b) => leadsOf(b.counts) > 0) };
  }
  if (type === 'number' || type === 'date') {
    const whole = type === 'date' || stats.wholeNumbers;
    const { values, counts } = sortedValues(type === 'number' ? stats.numbers.map : stats.ages.map);
    const leads = counts.map((c) => pick(c, fold)[0]);
    const fine = equalFrequencyEnds({ values, leads }, options.fineBins ?? 20, options.minLeads);
    // Groups of value indices, one per fine band.
    let groups = groupsFromEnds(fine, values.length);
    groups = poolUnimodal(groups, counts, fold);
    groups = chiMerge(groups, counts, fold, options.minLeads, false);
    const ends = groups.slice(0, -1).map((g) => g.at(-1)!);
    const cuts = cutsAt(ends, values, whole);
    const range = { min: values[0]!, max: values.at(-1)! };
    const bins: Bin[] = groups.map((g, b) => ({ label: bandLabel(cuts, b, whole, range, type === 'date' ? 'days' : ''), kind: 'band', counts: sum(g, counts) }));
    return { field: stats.field, type, bins: [...bins, ...unknownBin], cuts, whole, range };
  }
  // Categories and text values.
  const entries = [...stats.values.map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const keys = entries.map((e) => e[0]);
  const counts = entries.map((e) => e[1]);
  const own: number[] = [];
  const rare: number[] = [];
  entries.forEach(([, c], i) => (pick(c, fold)[0] >= options.minLeads ? own : rare).push(i));
  const otherCounts = sum(rare, counts);
  // Values a full table dropped are known leads too: "other".
  addCounts(otherCounts, subtract(stats.kinds.text, sum(keys.map((_, i) => i), counts)));
  let groups = own.map((i) => [i]);
  const rateOf = (g: number[]) => {
    const [n, c] = pick(sum(g, counts), fold);
    return n === 0 ? 0 : c / n;
  };
  groups.sort((a, b) => rateOf(a) - rateOf(b) || a[0]! - b[0]!);
  groups = chiMerge(groups, counts, fold, options.minLeads, true);
  const bins: Bin[] = groups.map((g) => {
    const values = g.map((i) => keys[i]!).sort();
    const spell = (k: string) => stats.spellings.get(k) ?? k;
    return { label: values.length <= 3 ? values.map(spell).join(', ') : `${values.slice(0, 3).map(spell).join(', ')} and ${values.length - 3} more`, kind: 'values', values, counts: sum(g, counts) };
  });
  if (leadsOf(otherCounts) > 0) bins.push({ label: 'any other value', kind: 'other', counts: otherCounts });
  return { field: stats.field, type, bins: [...bins, ...unknownBin] };
}

function subtract(a: FoldCounts, b: FoldCounts): FoldCounts {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]];
}

function groupsFromEnds(ends: readonly number[], length: number): number[][] {
  const groups: number[][] = [];
  let start = 0;
  for (const end of [...ends, length - 1]) {
    groups.push(Array.from({ length: end - start + 1 }, (_, i) => start + i));
    start = end + 1;
  }
  return groups;
}

function sum(indices: readonly number[], counts: readonly FoldCounts[]): FoldCounts {
  const total = zeroCounts();
  for (const i of indices) addCounts(total, counts[i]!);
  return total;
}

/** Pool-adjacent-violators: merges neighbours until rates do not fall (`rising`) or do not rise. */
function isotonic(groups: number[][], counts: readonly FoldCounts[], fold: Fold, rising: boolean): number[][] {
  const blocks: { members: number[][]; n: number; c: number }[] = [];
  for (const g of groups) {
    const [n, c] = pick(sum(g, counts), fold);
    blocks.push({ members: [g], n, c });
    for (;;) {
      const last = blocks.at(-1)!;
      const prev = blocks.at(-2);
      if (!prev) break;
      const rPrev = prev.n === 0 ? 0 : prev.c / prev.n;
      const rLast = last.n === 0 ? 0 : last.c / last.n;
      if (rising ? rPrev <= rLast : rPrev >= rLast) break;
      blocks.splice(-2, 2, { members: [...prev.members, ...last.members], n: prev.n + last.n, c: prev.c + last.c });
    }
  }
  return blocks.map((b) => b.members.flat());
}

function logLikelihood(groups: number[][], counts: readonly FoldCounts[], fold: Fold): number {
  let ll = 0;
  for (const g of groups) {
    const [n, c] = pick(sum(g, counts), fold);
    if (c > 0) ll += c * Math.log(c / n);
    if (n - c > 0) ll += (n - c) * Math.log((n - c) / n);
  }
  return ll;
}

/** The best rising, falling, single-peak or single-valley pooling of ordered groups (highest likelihood). */
function poolUnimodal(groups: number[][], counts: readonly FoldCounts[], fold: Fold): number[][] {
  let best = isotonic(groups, counts, fold, true);
  let bestLl = logLikelihood(best, counts, fold);
  const consider = (candidate: number[][]) => {
    const ll = logLikelihood(candidate, counts, fold);
    // Fewer bins win a tie, so a shape is only as complex as the data needs.
    if (ll > bestLl + 1e-9 || (Math.abs(ll - bestLl) <= 1e-9 && candidate.length < best.length)) {
      best = candidate;
      bestLl = ll;
    }
  };
  consider(isotonic(groups, counts, fold, false));
  for (let peak = 1; peak < groups.length - 1; peak++) {
    const left = groups.slice(0, peak + 1);
    const right = groups.slice(peak + 1);
    consider([...isotonic(left, counts, fold, true), ...isotonic(right, counts, fold, false)]);
    consider([...isotonic(left, counts, fold, false), ...isotonic(right, counts, fold, true)]);
  }
  return best;
}

/** χ² of a 2×2 table (two bins × converted or not); 0 when a margin is empty. */
function chiSquare(a: [number, number], b: [number, number]): number {
  const [n1, c1] = a;
  const [n2, c2] = b;
  const n = n1 + n2;
  const c = c1 + c2;
  if (n1 === 0 || n2 === 0 || c === 0 || c === n) return 0;
  const d = c1 * (n2 - c2) - c2 * (n1 - c1);
  return (n * d * d) / (n1 * n2 * c * (n - c));
}

/**
 * ChiMerge over ordered groups: merges the adjacent pair with the smallest χ² while it is below the 5%
 * bound or either side is under `minLeads`. Categories (`reorder`) are re-sorted by rate after each merge.
 */
function chiMerge(groups: number[][], counts: readonly FoldCounts[], fold: Fold, minLeads: number, reorder: boolean): number[][] {
  const current = groups.map((g) => [...g]);
  while (current.length > 1) {
    const totals = current.map((g) => pick(sum(g, counts), fold));
    let bestIndex = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let i = 0; i < current.length - 1; i++) {
      const small = totals[i]![0] < minLeads || totals[i + 1]![0] < minLeads;
      // Too-small bins merge first, whatever their χ².
      const score = small ? -1 / (1 + Math.min(totals[i]![0], totals[i + 1]![0])) : chiSquare(totals[i]!, totals[i + 1]!);
      if (score < bestScore) {
        bestScore = score;
        bestIndex = i;
      }
    }
    if (bestScore >= CHI2_5PCT) break;
    current.splice(bestIndex, 2, [...current[bestIndex]!, ...current[bestIndex + 1]!]);
    if (reorder) {
      const rate = (g: number[]) => {
        const [n, c] = pick(sum(g, counts), fold);
        return n === 0 ? 0 : c / n;
      };
      current.sort((a, b) => rate(a) - rate(b) || Math.min(...a) - Math.min(...b));
    }
  }
  return current;
}

/** Information value of a binning on the whole design half. */
export function binningIv(binning: FieldBinning): number {
  return weightOfEvidence(binning.bins.map((b) => ({ leads: leadsOf(b.counts), conversions: conversionsOf(b.counts) }))).iv;
}

/**
 * Does the field's signal hold up out of sample? Bins are chosen on one fold of the design half and the
 * leads of the other fold are ranked by them (each lead scored with its bin's conversion rate on the
 * choosing fold); the Mann–Whitney z of that ranking against chance, both ways, averaged. Noise bins
 * chosen on one fold rank the other fold no better than chance.
 */
export function crossCheck(stats: FieldStats, total: FoldCounts, options: BinningOptions): number {
  const zs = ([0, 1] as const).map((fit) => {
    const binning = binField(stats, total, options, fit);
    if (!binning || binning.bins.length < 2) return 0;
    const other = (1 - fit) as 0 | 1;
    return rankZ(
      binning.bins.map((b) => {
        const [n, c] = pick(b.counts, fit);
        return n === 0 ? 0 : c / n;
      }),
      binning.bins.map((b) => pick(b.counts, other)),
    );
  });
  return (zs[0]! + zs[1]!) / Math.SQRT2;
}

/** Mann–Whitney z (ties corrected) of leads grouped by score: positives above negatives. */
export function rankZ(scores: readonly number[], groups: readonly [number, number][]): number {
  const order = scores.map((s, i) => ({ s, n: groups[i]![0], c: groups[i]![1] })).sort((a, b) => a.s - b.s);
  const tied: { s: number; n: number; c: number }[] = [];
  for (const g of order) {
    const last = tied.at(-1);
    if (last && last.s === g.s) {
      last.n += g.n;
      last.c += g.c;
    } else tied.push({ ...g });
  }
  const P = tied.reduce((s, t) => s + t.c, 0);
  const T = tied.reduce((s, t) => s + t.n, 0);
  const N = T - P;
  if (P === 0 || N === 0) return 0;
  let u = 0;
  let negativesBelow = 0;
  let tieTerm = 0;
  for (const t of tied) {
    const neg = t.n - t.c;
    u += t.c * (negativesBelow + 0.5 * neg);
    negativesBelow += neg;
    tieTerm += t.n * t.n * t.n - t.n;
  }
  const variance = ((P * N) / 12) * (T + 1 - tieTerm / (T * (T - 1)));
  return variance <= 0 ? 0 : (u - (P * N) / 2) / Math.sqrt(variance);
}
