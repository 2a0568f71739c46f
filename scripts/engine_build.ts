/**
 * `npm run engine:build [-- --out DIR]`: compiles the import's WebAssembly modules from assembly/ into
 * lib/import/ (or DIR). The .wasm files are committed, so importing needs no compiler; a test builds them
 * again and checks they match the sources.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** Each module, and the AssemblyScript runtime it needs (neither allocates: its caller lays out its memory). */
const MODULES = [
  { name: 'row-engine', runtime: 'stub' },
  { name: 'leads-writer', runtime: 'stub' },
];

const { values } = parseArgs({ options: { out: { type: 'string', default: 'lib/import' } } });
// The compiler's own command line, in plain Node: loaded through tsx, its 10 MB of JavaScript take seconds more.
const asc = path.join(path.dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin/asc.js');
for (const { name, runtime } of MODULES) {
  const out = path.join(values.out, `${name}.wasm`);
  execFileSync(process.execPath, [asc, `assembly/${name}.ts`, '--config', 'assembly/asconfig.json', '--runtime', runtime, '-o', out], { stdio: 'inherit' });
  console.log(`built ${out}`);
}
