import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { largeExport } from '../../lib/import/dirty-export';
import { defaultRejectsPath, importCsvToFiles } from '../../lib/import/import-csv';
import { loadMapping } from '../../lib/import/mapping';
import { collectGarbage, mebibytes, withMemorySampling } from '../../lib/import/memory-sampler';
import { fmt, type BenchModule, type BenchRow } from './types';

const ROWS = 200_000;
const TARGET_ROWS_PER_S = 100_000;

/**
 * CSV import throughput: a messy 200,000-row HubSpot-style export (placeholders, bands, currencies, mixed
 * dates, multi-line quoted descriptions, 5% duplicate records) streamed to a temp file, then imported as
 * `npm run import` does — parse → map → clean → dedupe (pass 1), merge → write the leads file (pass 2) —
 * timed, with peak RSS and heap sampled every 50 ms. Throughput is given per wall-clock second and per
 * CPU-second: on a shared machine wall time includes waiting for a core, CPU time is the work itself.
 */
async function run(): Promise<BenchRow[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-import-bench-'));
  try {
    const file = path.join(dir, 'export.csv');
    await pipeline(Readable.from(largeExport({ flavor: 'hubspot', rows: ROWS, seed: 11, bom: true })), createWriteStream(file));
    const { size } = await fs.stat(file);
    const mapping = await loadMapping(path.join(process.cwd(), 'examples/mapping.example.json'));
    const out = path.join(dir, 'leads.json');
    collectGarbage();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const { result, peak } = await withMemorySampling(() => importCsvToFiles(file, { mapping }, { out, rejects: defaultRejectsPath(out) }));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const { rowsRead, rowsRejected, leads, merged } = result.report;
    const perCpuSecond = rowsRead / cpuSeconds;
    return [
      {
        area: 'import',
        metric: `CSV import, ${fmt(rowsRead)} rows (${mebibytes(size)}) → leads file, rows per wall-clock second`,
        value: `${fmt(rowsRead / seconds)} rows/s`,
        target: '',
        pass: null,
      },
      {
        area: 'import',
        metric: `same, rows per CPU-second (${cpuSeconds.toFixed(1)} CPU-s over ${seconds.toFixed(1)} s wall)`,
        value: `${fmt(perCpuSecond)} rows/CPU-s`,
        target: `≥ ${fmt(TARGET_ROWS_PER_S)} rows/CPU-s`,
        pass: perCpuSecond >= TARGET_ROWS_PER_S && rowsRejected === 0,
      },
      { area: 'import', metric: `leads out (${fmt(merged)} duplicate rows merged)`, value: fmt(leads), target: '', pass: null },
      { area: 'import', metric: 'peak RSS during import', value: mebibytes(peak.rssBytes), target: '', pass: null },
      {
        area: 'import',
        metric: `peak JS heap during import (file: ${mebibytes(size)})`,
        value: mebibytes(peak.heapUsedBytes),
        target: `< ${mebibytes(size)}`,
        pass: peak.heapUsedBytes < size,
      },
    ];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export default { area: 'import', run } satisfies BenchModule;
