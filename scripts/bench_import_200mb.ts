/**
 * `npx tsx --conditions=react-server scripts/bench_import_200mb.ts [--mb 200] [--keep]`
 * Not part of `npm run bench` (it takes minutes): writes a ~200 MB messy HubSpot-style export to a temp
 * dir, imports it to a leads file there (as `npm run import` does), and prints throughput (wall and CPU
 * time) and peak RSS / JS heap, sampled every 50 ms: DuckDB spills to the import's temp directory past
 * its memory limit, so RSS stays within 1 GB however large the file.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { largeExport } from '../tests/support/dirty-export';
import { runImport, writeLeadsFile } from '../lib/import/import';
import { loadMapping } from '../lib/import/mapping';
import { collectGarbage, mebibytes, withMemorySampling } from './bench/types';
import { runMain } from './cli';

/** Average bytes per row of the HubSpot-style export, measured; used to size the file. */
const BYTES_PER_ROW = 390;

runMain('bench:import-200mb', async () => {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '200' }, keep: { type: 'boolean', default: false } }, strict: true });
  const targetBytes = Number(values.mb) * 1024 * 1024;
  const rows = Math.ceil(targetBytes / BYTES_PER_ROW);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-import-200mb-'));
  const file = path.join(dir, 'export.csv');
  try {
    let started = performance.now();
    process.stderr.write(`Generating ~${values.mb} MB (${rows.toLocaleString('en-US')} rows) → ${file} …\n`);
    await pipeline(Readable.from(largeExport({ flavor: 'hubspot', rows, seed: 200, bom: true })), createWriteStream(file));
    const { size } = await fs.stat(file);
    process.stderr.write(`  generated ${mebibytes(size)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

    const mapping = await loadMapping(path.join(process.cwd(), 'examples/mapping.example.json'));
    collectGarbage();
    started = performance.now();
    const cpuBefore = process.cpuUsage();
    const out = path.join(dir, 'leads.json');
    const { result, peak } = await withMemorySampling(() =>
      runImport(file, { mapping, onProgress: (stage) => process.stderr.write(`  … ${stage} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`) }, (leads) => writeLeadsFile(leads, out)),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const r = result.report;
    console.log(`File:          ${mebibytes(size)}, ${r.rowsRead.toLocaleString('en-US')} rows`);
    console.log(`Import:        ${seconds.toFixed(1)} s, ${Math.round(r.rowsRead / seconds).toLocaleString('en-US')} rows/s (${cpuSeconds.toFixed(1)} CPU-s: ${Math.round(r.rowsRead / cpuSeconds).toLocaleString('en-US')} rows/CPU-s)`);
    console.log(`Leads written: ${r.leads.toLocaleString('en-US')} (${r.merged.toLocaleString('en-US')} duplicate rows merged, ${r.rowsRejected} rejected)`);
    console.log(`Peak RSS:      ${mebibytes(peak.rssBytes)} (target ≤ 1 GiB: ${peak.rssBytes <= 1 << 30 ? 'PASS' : 'FAIL'})`);
    const t = result.timings;
    console.log(`Stages:        ${Object.entries(t).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
    console.log(`Peak JS heap:  ${mebibytes(peak.heapUsedBytes)} (file: ${mebibytes(size)})${result.failure ? `\nRefused:       ${result.failure}` : ''}`);
  } finally {
    if (values.keep) console.log(`Kept ${file}`);
    else await fs.rm(dir, { recursive: true, force: true });
  }
});
