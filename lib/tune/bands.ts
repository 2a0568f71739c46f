/**
 * Numeric bands chosen from the data: cut points between distinct values, placed at the roundest number
 * that splits the data the same way, so a band reads "11–50", not "10.73–49.2". Pure.
 *
 * A band set is a list of cut points c₁ < … < cₖ₋₁: band j holds the values in (cⱼ₋₁, cⱼ], the first band
 * everything up to c₁ and the last everything above cₖ₋₁ — no value falls outside, whatever new data brings.
 */

export interface ValueCounts {
  /** Distinct values, ascending. */
  values: readonly number[];
  /** Leads per value (parallel to `values`). */
  leads: readonly number[];
}

/**
 * Up to `target` bands of about equal numbers of leads (a value that alone holds more than a band's share
 * is a band by itself), then any band under `minLeads` is merged into its smaller neighbour. Returns the
 * index of the last value of every band but the last.
 */
export function equalFrequencyEnds({ values, leads }: ValueCounts, target: number, minLeads: number): number[] {
  const total = leads.reduce((a, b) => a + b, 0);
  const ends: number[] = [];
  let inBand = 0;
  let left = total;
  let bandsLeft = target;
  for (let i = 0; i < values.length - 1; i++) {
    inBand += leads[i]!;
    // Re-aim after each cut, so one heavy value does not leave the other bands too wide.
    if (inBand >= left / bandsLeft || inBand + leads[i + 1]! / 2 > left / bandsLeft) {
      ends.push(i);
      left -= inBand;
      inBand = 0;
      bandsLeft = Math.max(1, bandsLeft - 1);
    }
  }
  return mergeSmallBands(ends, leads, minLeads);
}

/** Merges bands under `minLeads` into their smaller neighbour until none is left (or one band remains). */
export function mergeSmallBands(ends: readonly number[], leads: readonly number[], minLeads: number): number[] {
  const cuts = [...ends];
  for (;;) {
    const sizes = bandSizes(cuts, leads);
    let smallest = -1;
    for (let b = 0; b < sizes.length; b++) if (sizes[b]! < minLeads && (smallest < 0 || sizes[b]! < sizes[smallest]!)) smallest = b;
    if (smallest < 0 || sizes.length === 1) return cuts;
    // Band b is bounded by cuts[b - 1] and cuts[b]; removing a cut joins it to that side.
    const joinLeft = smallest === sizes.length - 1 || (smallest > 0 && sizes[smallest - 1]! <= sizes[smallest + 1]!);
    cuts.splice(joinLeft ? smallest - 1 : smallest, 1);
  }
}

/** Leads per band for band ends (value indices). */
export function bandSizes(ends: readonly number[], leads: readonly number[]): number[] {
  const sizes: number[] = [];
  let start = 0;
  for (const end of [...ends, leads.length - 1]) {
    let sum = 0;
    for (let i = start; i <= end; i++) sum += leads[i]!;
    sizes.push(sum);
    start = end + 1;
  }
  return sizes;
}

/**
 * The roundest number x with lo ≤ x < hi (fewest significant digits; whole when `whole`), as the cut
 * between two adjacent distinct values: every value ≤ lo stays below it, every value ≥ hi above.
 */
export function niceCut(lo: number, hi: number, whole: boolean): number {
  // Small counts read best exactly: "0–1", "2+".
  if (whole && Math.abs(lo) < 10) return lo;
  const magnitude = Math.floor(Math.log10(Math.max(Math.abs(lo), Math.abs(hi), 1e-9)));
  for (let e = magnitude + 1; e >= (whole ? 0 : -9); e--) {
    for (const unit of [10, 5, 2, 1]) {
      const step = (unit / 10) * 10 ** e;
      if (whole && step < 1) continue;
      const x = Number((Math.ceil(lo / step) * step).toPrecision(12));
      if (x >= lo && x < hi) return x;
    }
  }
  return lo;
}

/** Cut points for band ends over distinct values. */
export function cutsAt(ends: readonly number[], values: readonly number[], whole: boolean): number[] {
  return ends.map((i) => niceCut(values[i]!, values[i + 1]!, whole));
}

/** Which band (0-based) a value falls in, for ascending cut points. */
export function bandOf(value: number, cuts: readonly number[]): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
export const formatBound = (n: number) => numberFormat.format(n);

/**
 * A band's label. Whole numbers: "0", "1–3", "≤ 10", "51+"; otherwise "up to 2", "2–10" (above 2, up to
 * 10), "over 60". `unit` follows ("0–7 days").
 */
export function bandLabel(cuts: readonly number[], band: number, whole: boolean, range: { min: number; max: number }, unit = ''): string {
  const lo = band === 0 ? undefined : cuts[band - 1]!;
  const hi = band === cuts.length ? undefined : cuts[band]!;
  const suffix = unit ? ` ${unit}` : '';
  if (whole) {
    const from = lo === undefined ? range.min : lo + 1;
    const to = hi === undefined ? range.max : hi;
    if (from === to) return `${formatBound(from)}${suffix}`;
    if (hi === undefined) return `${formatBound(from)}+${suffix}`;
    if (lo === undefined && range.min < 0) return `≤ ${formatBound(to)}${suffix}`;
    return `${formatBound(from)}–${formatBound(to)}${suffix}`;
  }
  if (lo === undefined) return `up to ${formatBound(hi!)}${suffix}`;
  if (hi === undefined) return `over ${formatBound(lo)}${suffix}`;
  return `${formatBound(lo)}–${formatBound(hi)}${suffix}`;
}
