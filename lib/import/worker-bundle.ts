import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { writeFileAtomic } from '../fs-atomic';

/** A source file of a bundle as it was when bundled. */
type InputStamp = [file: string, size: number, mtimeMs: number];

interface Manifest {
  bundle: string;
  inputs: InputStamp[];
}

/** Bundles other than the current one are removed once this old (a running import may still be starting workers from one). */
const STALE_BUNDLE_MS = 24 * 60 * 60 * 1000;

async function stamp(file: string): Promise<InputStamp> {
  const { size, mtimeMs } = await fs.stat(file);
  return [file, size, mtimeMs];
}

async function unchanged(inputs: readonly InputStamp[]): Promise<boolean> {
  const now = await Promise.all(inputs.map(([file]) => stamp(file)));
  return now.every(([, size, mtimeMs], i) => size === inputs[i]![1] && mtimeMs === inputs[i]![2]);
}

async function bundle(entry: string): Promise<{ code: Uint8Array; inputs: string[] }> {
  const workingDir = path.dirname(entry);
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: workingDir,
    outfile: path.join(workingDir, 'bundle.mjs'),
    write: false,
    metafile: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.contents, inputs: Object.keys(result.metafile.inputs).map((input) => path.resolve(workingDir, input)) };
}

const shortHash = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 16);

/**
 * `entry` and the modules it imports as one plain-JS file for a worker thread: loading TypeScript through
 * tsx in every worker would cost about 0.4 s of startup each, and bundling (esbuild) takes 0.15–0.35 s.
 * The bundle is therefore kept in `cacheDir` and built again only when one of its source files changes
 * (size or modification time). Where `cacheDir` cannot be written, it is built into `fallbackDir` each time.
 * Bundles and their manifest are named after the entry's full path too, so checkouts that share a cache
 * (one node_modules linked into two) each keep their own.
 */
export async function workerBundle(entry: string, cacheDir: string, fallbackDir: string): Promise<string> {
  const name = `${path.basename(entry, path.extname(entry))}-${shortHash(path.resolve(entry))}`;
  const manifestPath = path.join(cacheDir, `${name}.json`);
  try {
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as Manifest;
    const file = path.join(cacheDir, manifest.bundle);
    if ((await unchanged(manifest.inputs)) && (await fs.stat(file)).isFile()) return file;
  } catch {
    // No usable bundle yet: build one.
  }
  const started = Date.now();
  const { code, inputs } = await bundle(entry);
  try {
    const stamps = await Promise.all(inputs.map(stamp));
    const bundleName = `${name}-${shortHash(code)}.mjs`;
    const file = path.join(cacheDir, bundleName);
    await writeFileAtomic(file, code);
    // A source saved while esbuild read it may be newer than the bundle: use the bundle, do not keep it as current.
    if (stamps.every(([, , mtimeMs]) => mtimeMs < started)) {
      await writeFileAtomic(manifestPath, JSON.stringify({ bundle: bundleName, inputs: stamps } satisfies Manifest));
      await removeStaleBundles(cacheDir, name, bundleName);
    }
    return file;
  } catch {
    const file = path.join(fallbackDir, `${name}.mjs`);
    await fs.writeFile(file, code);
    return file;
  }
}

async function removeStaleBundles(cacheDir: string, name: string, current: string): Promise<void> {
  for (const entry of await fs.readdir(cacheDir)) {
    if (entry === current || !entry.startsWith(`${name}-`) || !entry.endsWith('.mjs')) continue;
    const file = path.join(cacheDir, entry);
    const { mtimeMs } = await fs.stat(file).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > STALE_BUNDLE_MS) await fs.rm(file, { force: true });
  }
}
