/**
 * `npm run bench [-- --only area,area]`: runs every benchmark module in scripts/bench/ and prints one
 * table. Targets are checked here, by measurement, never by timed assertions in tests.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchModule, BenchRow } from './bench/types';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',').map((s) => s.trim());

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'types.ts')
  .sort();

const rows: BenchRow[] = [];
for (const file of files) {
  const bench = (await import(pathToFileURL(path.join(dir, file)).href)).default as BenchModule;
  if (only && !only.includes(bench.area)) continue;
  process.stderr.write(`▶ ${bench.area} …\n`);
  const started = performance.now();
  try {
    rows.push(...(await bench.run()));
  } catch (error) {
    rows.push({ area: bench.area, metric: 'benchmark failed', value: error instanceof Error ? error.message : String(error), target: '', pass: false });
  }
  process.stderr.write(`  ${bench.area} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const header: (keyof BenchRow)[] = ['area', 'metric', 'value', 'target', 'pass'];
const cells = rows.map((r) => [r.area, r.metric, r.value, r.target, r.pass === null ? '' : r.pass ? 'PASS' : 'FAIL']);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const c of cells) console.log(line(c));
const failed = rows.filter((r) => r.pass === false).length;
console.log(`\n${rows.length} figures, ${failed} below target. Machine: ${process.arch}, Node ${process.version}.`);
