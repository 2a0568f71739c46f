import v8 from 'node:v8';
import vm from 'node:vm';

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

/**
 * Peak memory while something runs, sampled from `process.memoryUsage()` every `intervalMs` (for the import
 * benchmarks: RSS covers DuckDB's memory, which is outside the JS heap).
 */
export interface MemoryPeak {
  rssBytes: number;
  heapUsedBytes: number;
  /** Buffers and other memory outside the JS heap (file chunks, the output Buffer). */
  externalBytes: number;
}

export async function withMemorySampling<T>(fn: () => Promise<T>, intervalMs = 50): Promise<{ result: T; peak: MemoryPeak }> {
  const peak: MemoryPeak = { rssBytes: 0, heapUsedBytes: 0, externalBytes: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rssBytes = Math.max(peak.rssBytes, m.rss);
    peak.heapUsedBytes = Math.max(peak.heapUsedBytes, m.heapUsed);
    peak.externalBytes = Math.max(peak.externalBytes, m.external + m.arrayBuffers);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  try {
    const result = await fn();
    sample();
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

/**
 * A full garbage collection before measuring, so garbage left by earlier work (e.g. generating the file a
 * benchmark imports) is not counted as the measured code's heap. Works without `--expose-gc`: the flag is
 * turned on at run time and `gc` taken from a fresh context.
 */
export function collectGarbage(): void {
  if (typeof globalThis.gc !== 'function') v8.setFlagsFromString('--expose-gc');
  const gc = globalThis.gc ?? (vm.runInNewContext('gc') as () => void);
  gc();
}

export const mebibytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
