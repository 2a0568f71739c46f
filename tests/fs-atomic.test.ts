import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeStreamAtomic } from '@/lib/fs-atomic';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fs-atomic-'));
});
afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

const tempFiles = async (folder: string) => (await fs.readdir(folder)).filter((f) => f.includes('.tmp-'));

describe('writeStreamAtomic', () => {
  it('writes string and byte chunks from an async source, creating the directory', async () => {
    const target = path.join(dir, 'nested', 'out.txt');
    async function* chunks() {
      yield 'héllo ';
      yield new TextEncoder().encode('wörld');
      yield '\n';
    }
    await writeStreamAtomic(target, chunks());
    expect(await fs.readFile(target, 'utf8')).toBe('héllo wörld\n');
    expect(await tempFiles(path.dirname(target))).toEqual([]);
  });

  it('replaces the previous content, from a plain iterable of many chunks', async () => {
    const target = path.join(dir, 'many.txt');
    await fs.writeFile(target, 'old');
    const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i}\n`);
    await writeStreamAtomic(target, lines);
    expect(await fs.readFile(target, 'utf8')).toBe(lines.join(''));
  });

  it('leaves the previous file untouched and no temp file when the source fails midway', async () => {
    const target = path.join(dir, 'kept.txt');
    await fs.writeFile(target, 'previous');
    async function* failing() {
      yield 'partial';
      throw new Error('source broke');
    }
    await expect(writeStreamAtomic(target, failing())).rejects.toThrow('source broke');
    expect(await fs.readFile(target, 'utf8')).toBe('previous');
    expect(await tempFiles(dir)).toEqual([]);
  });

  it('writes a chunk while the next is made: a producer that alternates two buffers gets every chunk written as it was', async () => {
    const target = path.join(dir, 'two-buffers.bin');
    const buffers = [Buffer.alloc(256 << 10), Buffer.alloc(256 << 10)];
    async function* alternating() {
      for (let i = 0; i < 64; i++) {
        const buffer = buffers[i % 2]!.fill(i);
        yield buffer;
      }
    }
    await writeStreamAtomic(target, alternating());
    const written = await fs.readFile(target);
    expect(written.length).toBe(64 * (256 << 10));
    for (let i = 0; i < 64; i++) expect(written.subarray(i * (256 << 10), (i + 1) * (256 << 10)).every((byte) => byte === i)).toBe(true);
  });

  it('fails with a write error and removes the temp file, even with more chunks coming', async () => {
    const target = path.join(dir, 'bad-chunk.txt');
    async function* withBadChunk() {
      yield 'fine';
      yield 42 as unknown as string;
      yield 'never written';
    }
    await expect(writeStreamAtomic(target, withBadChunk())).rejects.toThrow(/must be of type string or an instance of/);
    await expect(fs.stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await tempFiles(dir)).toEqual([]);
  });

  it('writeFileAtomic keeps its contract on top of it', async () => {
    const target = path.join(dir, 'single.json');
    await writeFileAtomic(target, '{"a":1}\n');
    await writeFileAtomic(target, new TextEncoder().encode('{"a":2}\n'));
    expect(await fs.readFile(target, 'utf8')).toBe('{"a":2}\n');
    expect(await tempFiles(dir)).toEqual([]);
  });
});
