/**
 * `npx tsx --conditions=react-server scripts/bench_import_200mb.ts [--mb 200] [--keep]`
 * Not part of `npm run bench` (it takes minutes): writes a ~200 MB messy HubSpot-style export to a temp
 * dir, imports it to a leads file there (as `npm run import` does), and prints throughput (wall and CPU time)
 * and peak RSS / JS heap (sampled every 50 ms; each worker reports its own heap), to show the import streams the file: memory follows the
 * number of distinct dedupe keys, not the file.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { largeExport } from '../lib/import/dirty-export';
import { defaultRejectsPath, importCsvToFiles, threadsLabel } from '../lib/import/import-csv';
import { loadMapping } from '../lib/import/mapping';
import { collectGarbage, mebibytes, withMemorySampling } from '../lib/import/memory-sampler';
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
      importCsvToFiles(file, { mapping, onProgress: (n) => process.stderr.write(`  … ${n.toLocaleString('en-US')} rows\n`) }, { out, rejects: defaultRejectsPath(out) }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const r = result.report;
    console.log(`File:          ${mebibytes(size)}, ${r.rowsRead.toLocaleString('en-US')} rows`);
    console.log(`Import:        ${seconds.toFixed(1)} s, ${Math.round(r.rowsRead / seconds).toLocaleString('en-US')} rows/s (${cpuSeconds.toFixed(1)} CPU-s: ${Math.round(r.rowsRead / cpuSeconds).toLocaleString('en-US')} rows/CPU-s)`);
    console.log(`Leads written: ${r.leads.toLocaleString('en-US')} (${r.merged.toLocaleString('en-US')} duplicate rows merged, ${r.rowsRejected} rejected)`);
    console.log(`Peak RSS:      ${mebibytes(peak.rssBytes)}`);
    const t = result.timings;
    console.log(`Passes:        rows ${(t.rowsMs / 1000).toFixed(1)} s on ${threadsLabel(t)}, merging + writing leads ${(t.leadsMs / 1000).toFixed(1)} s`);
    console.log(`Peak JS heap:  main thread ${mebibytes(peak.heapUsedBytes)}, any thread while processing a block ${mebibytes(t.blockHeapPeakBytes)} (file: ${mebibytes(size)}; buffers and typed arrays outside the main heap peak ${mebibytes(peak.externalBytes)})`);
  } finally {
    if (values.keep) console.log(`Kept ${file}`);
    else await fs.rm(dir, { recursive: true, force: true });
  }
});
