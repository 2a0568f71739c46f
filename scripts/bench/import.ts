import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { largeExport } from '../../lib/import/dirty-export';
import { importCsvFile } from '../../lib/import/import-csv';
import { loadMapping } from '../../lib/import/mapping';
import { mebibytes, withMemorySampling } from '../../lib/import/memory-sampler';
import type { BenchModule, BenchRow } from './types';

const ROWS = 300_000;
const TARGET_ROWS_PER_S = 100_000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * CSV import throughput: a messy 300,000-row HubSpot-style export (placeholders, bands, currencies, mixed
 * dates, multi-line quoted descriptions, 5% duplicate records) streamed to a temp file, then parse → map
 * → clean → dedupe → validate, timed, with peak RSS and heap sampled every 50 ms. Writing the output is
 * not timed (it is one atomic file write).
 */
async function run(): Promise<BenchRow[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-import-bench-'));
  try {
    const file = path.join(dir, 'export.csv');
    await pipeline(Readable.from(largeExport({ flavor: 'hubspot', rows: ROWS, seed: 11, bom: true })), createWriteStream(file));
    const { size } = await fs.stat(file);
    const mapping = await loadMapping(path.join(process.cwd(), 'examples/mapping.example.json'));
    global.gc?.();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const { result, peak } = await withMemorySampling(() => importCsvFile(file, { mapping }));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const perSecond = result.report.rowsRead / seconds;
    return [
      {
        area: 'import',
        metric: `CSV import, ${fmt(result.report.rowsRead)} rows (${mebibytes(size)}), parse+map+clean+dedupe+validate`,
        value: `${fmt(perSecond)} rows/s`,
        target: `≥ ${fmt(TARGET_ROWS_PER_S)} rows/s`,
        pass: perSecond >= TARGET_ROWS_PER_S && result.report.rowsRejected === 0,
      },
      {
        // On a shared machine wall-clock time includes waiting for a core; CPU time shows the work itself.
        area: 'import',
        metric: `same, per CPU-second (${cpuSeconds.toFixed(1)} CPU-s over ${seconds.toFixed(1)} s wall)`,
        value: `${fmt(result.report.rowsRead / cpuSeconds)} rows/CPU-s`,
        target: '',
        pass: null,
      },
      {
        area: 'import',
        metric: `leads out (${fmt(result.report.merged)} duplicate rows merged)`,
        value: fmt(result.report.leads),
        target: '',
        pass: null,
      },
      { area: 'import', metric: 'peak RSS during import', value: mebibytes(peak.rssBytes), target: '', pass: null },
      { area: 'import', metric: 'peak JS heap during import', value: mebibytes(peak.heapUsedBytes), target: '', pass: null },
    ];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export default { area: 'import', run } satisfies BenchModule;
