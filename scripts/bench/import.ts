import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { largeExport } from '../../tests/support/dirty-export';
import { runImport, writeLeadsFile, type ImportRun } from '../../lib/import/import';
import { loadMapping } from '../../lib/import/mapping';
import { collectGarbage, fmt, mebibytes, percentile, withMemorySampling, type BenchModule, type BenchRow, type MemoryPeak } from './types';

const ROWS = 200_000;
const RUNS = 3;
const TARGET_ROWS_PER_S = 150_000;

interface Measured {
  run: ImportRun;
  seconds: number;
  cpuSeconds: number;
  peak: MemoryPeak;
}

/**
 * CSV import throughput: a messy 200,000-row HubSpot-style export (placeholders, bands, currencies, mixed
 * dates, multi-line quoted descriptions, 5% duplicate records) written to a temp file, then imported as
 * `npm run import` does, through to the leads file, three times; the median run is reported with the
 * range, since a shared machine's speed moves between runs. Memory is sampled every 50 ms (RSS includes
 * DuckDB). Beside it, DuckDB's CSV reader alone on the same file: the floor no import can beat here.
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
    const runs: Measured[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const { result, peak } = await withMemorySampling(() => runImport(file, { mapping }, (leads) => writeLeadsFile(leads, out)));
      const cpu = process.cpuUsage(cpuBefore);
      runs.push({ run: result, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, peak });
    }
    const rates = runs.map((m) => m.run.report.rowsRead / m.seconds);
    const median = percentile([...rates].sort((a, b) => a - b), 50);
    const typical = runs.find((m) => m.run.report.rowsRead / m.seconds === median)!;
    const { report, timings, failure } = typical.run;
    const readerSeconds = await duckdbReaderSeconds(file);
    const { size: leadsBytes } = await fs.stat(out);
    const stage = (name: keyof typeof timings) => `${name} ${(timings[name] / 1000).toFixed(2)} s`;
    return [
      {
        area: 'import',
        metric: `CSV import, ${fmt(report.rowsRead)} rows (${mebibytes(size)}) → leads file (${mebibytes(leadsBytes)}), rows/s wall clock (median of ${RUNS}: ${rates.map((r) => fmt(r)).join(' / ')})`,
        value: `${fmt(median)} rows/s`,
        target: `≥ ${fmt(TARGET_ROWS_PER_S)} rows/s`,
        pass: median >= TARGET_ROWS_PER_S && report.rowsRejected === 0 && failure === null,
      },
      { area: 'import', metric: `  stages: ${(['read', 'clean', 'merge', 'write'] as const).map(stage).join(', ')}`, value: `${typical.seconds.toFixed(2)} s`, target: '', pass: null },
      {
        area: 'import',
        metric: `  DuckDB's CSV reader alone on the same file (read_csv into a table, every column text; fastest of ${RUNS}): ${readerSeconds.toFixed(2)} s`,
        value: `${fmt(report.rowsRead / readerSeconds)} rows/s`,
        target: '',
        pass: null,
      },
      {
        area: 'import',
        metric: `  CPU time, all threads (${typical.cpuSeconds.toFixed(1)} CPU-s over ${typical.seconds.toFixed(1)} s wall)`,
        value: `${fmt(report.rowsRead / typical.cpuSeconds)} rows/CPU-s`,
        target: '',
        pass: null,
      },
      { area: 'import', metric: 'peak RSS during import (whole process: Node and DuckDB)', value: mebibytes(Math.max(...runs.map((m) => m.peak.rssBytes))), target: '', pass: null },
      { area: 'import', metric: 'peak JS heap during import', value: mebibytes(Math.max(...runs.map((m) => m.peak.heapUsedBytes))), target: `< ${mebibytes(size)}`, pass: Math.max(...runs.map((m) => m.peak.heapUsedBytes)) < size },
    ];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** DuckDB's `read_csv` of the file into a table, every column VARCHAR, on this machine's cores: fastest of three. */
async function duckdbReaderSeconds(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(os.availableParallelism()) });
  const connection = await instance.connect();
  let best = Number.POSITIVE_INFINITY;
  try {
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await connection.run(`CREATE OR REPLACE TABLE export AS SELECT * FROM read_csv('${file.replace(/'/g, "''")}', all_varchar = true)`);
      best = Math.min(best, (performance.now() - started) / 1000);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return best;
}

export default { area: 'import', run } satisfies BenchModule;
