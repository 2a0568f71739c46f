import { randomUUID } from 'node:crypto';
import { promises as fs, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * File writes that never leave a half-written file behind (the cross-process lock for read-modify-write
 * cycles is lib/file-lock.ts).
 */

/** Writes to a temp file in the same directory, fsyncs it, then renames it over the target. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await writeStreamAtomic(target, [data]);
}

/**
 * A large stream is flushed to disk every this many bytes while it is written, in the background, so the
 * fsync before the rename has little left to do: on a 144 MB leads file, 110 ms → 10 ms at the end.
 */
const SYNC_EVERY_BYTES = 16 << 20;

/**
 * Writes all of `bytes` to an open file, synchronously: a write to the page cache takes microseconds,
 * whereas awaiting each one through the thread pool added up to more than the writes themselves (pass 1's
 * spill; pass 2's leads file, about 90 ms per 200k rows). The slow part, reaching the disk, is `datasync`.
 */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
}

/**
 * `writeFileAtomic` for content produced piece by piece (e.g. a large export streamed out): the chunks go
 * to the temp file as they come (each written before the next is asked for), so the whole content is never
 * in memory. If the source throws, the temp file is removed and the target keeps its previous content.
 */
export async function writeStreamAtomic(target: string, chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<void> {
  await writeAtomicVia(target, async (temp) => {
    const handle = await fs.open(temp, 'w');
    try {
      let syncing: Promise<void> = Promise.resolve();
      let unsynced = 0;
      try {
        for await (const chunk of chunks) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          if (!(bytes instanceof Uint8Array)) throw new TypeError(`A chunk must be of type string or an instance of Uint8Array (got ${typeof chunk})`);
          writeAll(handle.fd, bytes);
          unsynced += bytes.length;
          if (unsynced >= SYNC_EVERY_BYTES) {
            unsynced = 0;
            await syncing;
            syncing = handle.datasync();
            syncing.catch(() => {});
          }
        }
      } finally {
        // Settled before the handle closes, also when the source throws.
        await syncing.catch(() => {});
      }
      await syncing;
    } finally {
      await handle.close();
    }
  });
}

/**
 * The atomic replace for a file that something else writes, given its path (DuckDB's COPY writes the
 * import's leads file): `write` fills a temp file in the target's directory, which is then fsynced and
 * renamed over the target; if `write` throws, the temp file is removed and the target is untouched.
 */
export async function writeAtomicVia(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const temp = `${target}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    await write(temp);
    const handle = await fs.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
