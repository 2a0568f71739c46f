import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Peak memory while something runs, sampled from `process.memoryUsage()` every `intervalMs` (for the import
 * benchmarks: the figure to watch is peak heap against the size of the file being imported).
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
