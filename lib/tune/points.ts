/**
 * From fitted log-odds weights to integer points, the scorecard way. Pure.
 *
 * Per rule, its lowest bucket is shifted to 0 (a constant per rule does not change any ranking); one
 * scale turns log-odds into points so that the rules' maxima add up to exactly `total` (100): each rule's
 * maximum is rounded by the largest-remainder method (remainders tied: the earlier rule first), and every
 * other bucket to the nearest point, never above its rule's maximum. A bucket without a weight (no design
 * lead fell in it: no evidence) earns 0.
 */
export function scaleToPoints(weights: readonly (readonly (number | null)[])[], total = 100): { points: number[][]; pointsPerLogit: number } {
  const ranges = weights.map((w) => {
    const known = w.filter((x): x is number => x !== null);
    return known.length === 0 ? { min: 0, range: 0 } : { min: Math.min(...known), range: Math.max(...known) - Math.min(...known) };
  });
  const sum = ranges.reduce((s, r) => s + r.range, 0);
  if (sum <= 0) return { points: weights.map((w) => w.map(() => 0)), pointsPerLogit: 0 };
  const scale = total / sum;
  const maxima = largestRemainder(
    ranges.map((r) => r.range * scale),
    total,
  );
  const points = weights.map((w, r) =>
    w.map((x) => {
      if (x === null) return 0;
      const exact = (x - ranges[r]!.min) * scale;
      if (x - ranges[r]!.min >= ranges[r]!.range) return maxima[r]!;
      return Math.max(0, Math.min(maxima[r]!, Math.round(exact)));
    }),
  );
  return { points, pointsPerLogit: scale };
}

/** Integers that add up to `total`, each the floor of its share or one more (largest remainders first). */
export function largestRemainder(shares: readonly number[], total: number): number[] {
  const floors = shares.map((s) => Math.floor(s + 1e-9));
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => ({ i, remainder: s - floors[i]! })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return floors;
}

/**
 * Tier thresholds from a score histogram (leads per score 0…100): HOT is the threshold whose share of
 * leads at or above it is closest to `hotShare` (a tie: the higher threshold), WARM the one closest to
 * `hotShare + warmShare`, kept below HOT.
 */
export function tierCuts(histogram: readonly number[], hotShare: number, warmShare: number): { hot: number; warm: number } {
  const n = histogram.reduce((a, b) => a + b, 0);
  const atOrAbove = new Array<number>(102).fill(0);
  for (let s = 100; s >= 0; s--) atOrAbove[s] = atOrAbove[s + 1]! + (histogram[s] ?? 0);
  const closest = (target: number, from: number, to: number) => {
    let best = to;
    for (let t = to; t >= from; t--) if (Math.abs(atOrAbove[t]! / n - target) < Math.abs(atOrAbove[best]! / n - target) - 1e-12) best = t;
    return best;
  };
  const hot = closest(hotShare, 1, 100);
  const warm = closest(hotShare + warmShare, 0, hot - 1);
  return { hot, warm };
}
