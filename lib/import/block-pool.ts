import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LEAD_FIELDS } from '../lead';
import type { Mapping } from './mapping';
import { engineModule } from './row-engine';
import { processBlock, type BlockResult, type RowPlan } from './rows';
import { workerBundle } from './worker-bundle';

/**
 * Processes blocks of records (`processBlock`): on worker threads while they have room, otherwise on this
 * thread, which then works instead of waiting for a worker's result.
 */
export interface BlockRunner {
  /** Hands the block to a worker, or returns null when no worker has room (or none is running yet). */
  offer(bytes: Buffer): Promise<BlockResult> | null;
  /** Processes the block on this thread. */
  inline(bytes: Buffer): BlockResult;
  close(): Promise<void>;
}

/** Processes every block on this thread: for small files, where starting workers costs more than it saves. */
export function inlineRunner(plan: RowPlan): BlockRunner {
  return { offer: () => null, inline: (bytes) => processBlock(plan, bytes), close: async () => {} };
}

/**
 * Blocks a worker may have queued: enough that it does not sit idle while this thread, busy with a block of
 * its own, has not yet taken in its results; few enough that this thread rarely waits on the oldest one.
 */
const WORKER_QUEUE = 4;

/** Blocks processed on worker threads, and on this thread whenever they all have a full queue. */
export interface WorkerRunner extends BlockRunner {
  /** Settles when every worker is ready for blocks (rejects if one fails to start); until then, this thread processes every block. */
  ready: Promise<void>;
}

/** Where the workers' bundle is kept between imports (see `workerBundle`). */
const BUNDLE_CACHE = fileURLToPath(new URL('../../node_modules/.cache/leadsignal', import.meta.url));

/**
 * Processes blocks on `count` worker threads, and on this thread when they are all busy (see `BlockRunner`).
 * Workers run the bundle of `block-worker.ts` (`workerBundle`; built into `dir` if the cache cannot be
 * written). A worker builds its own plan from `mapping` and the plan's layout. A worker that fails fails
 * every pending block.
 */
export function workerRunner(count: number, plan: RowPlan, mapping: Mapping, dir: string): WorkerRunner {
  const pending = new Map<number, { resolve: (result: BlockResult) => void; reject: (error: unknown) => void }>();
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };
  const workers: { worker: Worker; queued: number; ready: boolean }[] = [];
  const bundled = workerBundle(fileURLToPath(new URL('./block-worker.ts', import.meta.url)), BUNDLE_CACHE, dir);
  const ready = bundled.then((file) =>
    Promise.all(
      Array.from({ length: count }, () => {
        const entry = { worker: new Worker(file, { workerData: { mapping, layout: plan.layout, leadFields: LEAD_FIELDS, engine: engineModule() } }), queued: 0, ready: false };
        workers.push(entry);
        return new Promise<void>((resolve, reject) => {
          entry.worker.on('message', (message: { ready: true } | { id: number; result: BlockResult }) => {
            if ('ready' in message) {
              entry.ready = true;
              return resolve();
            }
            entry.queued--;
            pending.get(message.id)?.resolve(message.result);
            pending.delete(message.id);
          });
          entry.worker.on('error', (error) => {
            fail(error);
            reject(error);
          });
          entry.worker.on('exit', (code) => {
            const stopped = new Error(`An import worker stopped (exit code ${code})`);
            if (pending.size > 0) fail(stopped);
            reject(stopped);
          });
        });
      }),
    ).then(() => {}),
  );
  // Nothing waits for `ready` during an import; a failure reaches the blocks pending at the time, or no one.
  ready.catch(fail);
  let next = 0;
  return {
    ready,
    offer(bytes) {
      if (failure) return Promise.reject(failure);
      let target: (typeof workers)[number] | null = null;
      for (const entry of workers) if (entry.ready && entry.queued < WORKER_QUEUE && (!target || entry.queued < target.queued)) target = entry;
      if (!target) return null;
      const { worker } = target;
      target.queued++;
      const id = next++;
      // A copy the worker can own: the block is a view into a larger read buffer.
      const copy = new Uint8Array(bytes);
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, bytes: copy }, [copy.buffer]);
      });
    },
    inline: (bytes) => processBlock(plan, bytes),
    async close() {
      pending.clear();
      await bundled.catch(() => {});
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}

interface InFlight {
  bytes: Buffer;
  result: Promise<BlockResult>;
  done: boolean;
}

/** Lets queued events (a worker's results) in between two blocks this thread processes. */
const letEventsIn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs blocks through `runner` with up to `window` read ahead, yielding results in file order. While the
 * next result is not ready, this thread processes blocks itself. A block that ends inside an open quote may
 * have been cut at a wrong place (`lastRecordEnd` misjudged a quote): it is joined with the next block and
 * processed again. At the end of the file the error is genuine.
 */
export async function* processInOrder(blocks: AsyncIterable<Buffer>, runner: BlockRunner, window: number): AsyncGenerator<BlockResult> {
  const source = blocks[Symbol.asyncIterator]();
  const inFlight: InFlight[] = [];
  let exhausted = false;
  const assign = (bytes: Buffer): InFlight => {
    const offered = runner.offer(bytes);
    if (offered) {
      const entry = { bytes, result: offered, done: false };
      // Results are awaited in order; a failure surfaces there, not as an unhandled rejection meanwhile.
      offered.then(
        () => (entry.done = true),
        () => (entry.done = true),
      );
      return entry;
    }
    try {
      return { bytes, result: Promise.resolve(runner.inline(bytes)), done: true };
    } catch (error) {
      const result = Promise.reject(error);
      result.catch(() => {});
      return { bytes, result, done: true };
    }
  };
  /** Reads the next block and hands it out; false at the end of the file or with the window full. */
  const take = async (): Promise<boolean> => {
    if (exhausted || inFlight.length >= window) return false;
    const step = await source.next();
    if (step.done) {
      exhausted = true;
      return false;
    }
    inFlight.push(assign(step.value));
    return true;
  };
  try {
    for (;;) {
      if (inFlight.length === 0 && !(await take())) return;
      const head = inFlight[0]!;
      while (!head.done && (await take())) if (inFlight.at(-1)!.done) await letEventsIn();
      const result = await head.result;
      inFlight.shift();
      if (result.error?.code === 'CSV_QUOTE_NOT_CLOSED') {
        if (inFlight.length === 0) await take();
        const next = inFlight.shift();
        if (next) {
          inFlight.unshift(assign(Buffer.concat([head.bytes, next.bytes])));
          continue;
        }
      }
      yield result;
    }
  } finally {
    await source.return?.(undefined);
  }
}
