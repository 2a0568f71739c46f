import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workerBundle } from '@/lib/import/worker-bundle';

let root: string;
let entry: string;
let dep: string;
let cache: string;
let fallback: string;

/** The bundle's exported `answer`: proves the file is a complete, runnable module. */
async function answerOf(file: string): Promise<unknown> {
  const bundled = (await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as { answer: unknown };
  return bundled.answer;
}

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'worker-bundle-'));
  entry = path.join(root, 'src', 'entry.ts');
  dep = path.join(root, 'src', 'dep.ts');
  cache = path.join(root, 'cache');
  fallback = path.join(root, 'fallback');
  await fs.mkdir(path.dirname(entry));
  await fs.mkdir(fallback);
  await fs.writeFile(entry, "import { value } from './dep';\nexport const answer: number = value * 2;\n");
  await fs.writeFile(dep, 'export const value = 21;\n');
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('workerBundle', () => {
  it('bundles the entry with its imports and reuses the bundle while no source changes', async () => {
    const first = await workerBundle(entry, cache, fallback);
    expect(path.dirname(first)).toBe(cache);
    expect(await answerOf(first)).toBe(42);
    const built = (await fs.stat(first)).mtimeMs;
    const [manifestName] = (await fs.readdir(cache)).filter((file) => file.endsWith('.json'));
    const manifest = (await fs.stat(path.join(cache, manifestName!))).mtimeMs;

    const second = await workerBundle(entry, cache, fallback);
    expect(second).toBe(first);
    expect((await fs.stat(second)).mtimeMs).toBe(built);
    expect((await fs.stat(path.join(cache, manifestName!))).mtimeMs).toBe(manifest);
  });

  it('keeps a bundle per checkout when two share the cache (an entry of the same name elsewhere)', async () => {
    const otherEntry = path.join(root, 'other', 'src', 'entry.ts');
    await fs.mkdir(path.dirname(otherEntry), { recursive: true });
    await fs.writeFile(otherEntry, 'export const answer: number = 7;\n');
    const mine = await workerBundle(entry, cache, fallback);
    const theirs = await workerBundle(otherEntry, cache, fallback);
    expect(await answerOf(theirs)).toBe(7);
    expect(await workerBundle(entry, cache, fallback)).toBe(mine);
    expect(await answerOf(mine)).toBe(42);
  });

  it('builds again when an imported file changes', async () => {
    const first = await workerBundle(entry, cache, fallback);
    await fs.writeFile(dep, 'export const value = 50;\n');
    const second = await workerBundle(entry, cache, fallback);
    expect(second).not.toBe(first);
    expect(await answerOf(second)).toBe(100);
    expect(await workerBundle(entry, cache, fallback)).toBe(second);
  });

  it('builds into the fallback folder when the cache cannot be written', async () => {
    const notADirectory = path.join(root, 'file');
    await fs.writeFile(notADirectory, '');
    const file = await workerBundle(entry, path.join(notADirectory, 'cache'), fallback);
    expect(path.dirname(file)).toBe(fallback);
    expect(await answerOf(file)).toBe(42);
  });
});
