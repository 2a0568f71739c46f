/** One line of the `npm run bench` table. Each area's bench module returns a list of these. */
export interface BenchRow {
  area: string;
  metric: string;
  /** The measured figure, formatted with its unit (e.g. "1,240,000 leads/s", "182 ms"). */
  value: string;
  /** The target it is held to, in words (e.g. "≥ 1,000,000 leads/s"); empty when informational. */
  target: string;
  /** null when the row is informational. */
  pass: boolean | null;
}

export interface BenchModule {
  /** Short area name shown in the table and accepted by `npm run bench -- --only <area>`. */
  area: string;
  run(): Promise<BenchRow[]>;
}

/** A figure for a bench row: en-US thousands separators, a fixed number of decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The p-th percentile (nearest rank) of ascending samples. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
