/**
 * `npm run bench [-- --only area,area]`: runs the benchmark modules in scripts/bench/ and prints one
 * table. Targets are checked here, by measurement, never by timed assertions in tests.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { BenchModule, BenchRow } from './bench/types';
import { commaList, createProgress, defineCommand } from './cli';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
/** A module's file name is its area. */
const AREAS = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts') && f !== 'types.ts')
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

function printTable(rows: BenchRow[]): void {
  const header: (keyof BenchRow)[] = ['area', 'metric', 'value', 'target', 'pass'];
  const cells = rows.map((r) => [r.area, r.metric, r.value, r.target, r.pass === null ? '' : r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

export default defineCommand(import.meta.url, {
  name: 'bench',
  summary: 'Runs the benchmarks in scripts/bench/ and prints one table of measured figures against their targets.',
  details: 'A figure below its target is marked FAIL in the table; the exit code stays 0 (the table is the result).',
  flags: {
    only: {
      value: 'AREA,…',
      help: `run only these areas: ${AREAS.join(', ')}`,
      schema: commaList()
        .pipe(z.array(z.enum(AREAS, { error: `takes ${AREAS.join(', ')}` })))
        .optional(),
    },
  },
  async run({ flags }) {
    const areas = flags.only ? AREAS.filter((area) => flags.only!.includes(area)) : AREAS;
    // Each area writes its own lines, so progress is plain lines between them, never a redrawn one.
    const progress = createProgress({ label: 'bench', total: areas.length, rate: false, tty: false, quietMs: 0 });
    const rows: BenchRow[] = [];
    for (const [i, area] of areas.entries()) {
      progress.update(i, `${area} …`);
      const bench = (await import(pathToFileURL(path.join(DIR, `${area}.ts`)).href)).default as BenchModule;
      const started = performance.now();
      try {
        rows.push(...(await bench.run()));
      } catch (error) {
        rows.push({ area, metric: 'benchmark failed', value: error instanceof Error ? error.message : String(error), target: '', pass: false });
      }
      progress.update(i + 1, `${area} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    printTable(rows);
    const failed = rows.filter((r) => r.pass === false).length;
    console.log(`\n${rows.length} figures, ${failed} below target. Machine: ${process.arch}, Node ${process.version}.`);
  },
});
