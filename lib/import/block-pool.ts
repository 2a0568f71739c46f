import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { LEAD_FIELDS } from '../lead';
import type { CsvLayout } from './csv';
import type { Mapping } from './mapping';
import { engineModule } from './row-engine';
import { processBlock, type BlockResult, type RowPlan } from './rows';

/** Processes blocks of records (`processBlock`), on this thread or on workers. */
export interface BlockRunner {
  run(bytes: Buffer): Promise<BlockResult>;
  close(): Promise<void>;
}

/** Processes each block on this thread, when it is handed over: for small files, where starting workers costs more than it saves. */
export function inlineRunner(plan: RowPlan): BlockRunner {
  return { run: async (bytes) => processBlock(plan, bytes), close: async () => {} };
}

/**
 * Processes blocks on `count` worker threads, round robin. The worker's modules are first bundled into
 * one plain-JS file in `dir` (esbuild, tens of milliseconds): loading TypeScript through tsx in every
 * worker would cost about 0.4 s of startup each. A worker that fails fails every pending block.
 */
export async function workerRunner(count: number, mapping: Mapping, layout: CsvLayout, dir: string): Promise<BlockRunner> {
  const file = path.join(dir, 'block-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./block-worker.ts', import.meta.url))],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  const pending = new Map<number, { resolve: (result: BlockResult) => void; reject: (error: unknown) => void }>();
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(file, { workerData: { mapping, layout, leadFields: LEAD_FIELDS, engine: engineModule() } });
    worker.on('message', ({ id, result }: { id: number; result: BlockResult }) => {
      pending.get(id)?.resolve(result);
      pending.delete(id);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => pending.size > 0 && fail(new Error(`An import worker stopped (exit code ${code})`)));
    return worker;
  });
  let next = 0;
  return {
    run(bytes) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      // A copy the worker can own: the block is a view into a larger read buffer.
      const copy = new Uint8Array(bytes);
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        workers[id % count]!.postMessage({ id, bytes: copy }, [copy.buffer]);
      });
    },
    async close() {
      pending.clear();
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/**
 * Runs blocks through `runner` with up to `window` in flight, yielding results in file order. A block
 * that ends inside an open quote may have been cut at a wrong place (`lastRecordEnd` misjudged a quote):
 * it is joined with the next block and processed again. At the end of the file the error is genuine.
 */
export async function* processInOrder(blocks: AsyncIterable<Buffer>, runner: BlockRunner, window: number): AsyncGenerator<BlockResult> {
  const source = blocks[Symbol.asyncIterator]();
  const inFlight: { bytes: Buffer; result: Promise<BlockResult> }[] = [];
  let exhausted = false;
  const submit = (bytes: Buffer) => {
    const result = runner.run(bytes);
    // Results are awaited in order; a failure surfaces there, not as an unhandled rejection meanwhile.
    result.catch(() => {});
    return { bytes, result };
  };
  const fill = async () => {
    while (!exhausted && inFlight.length < window) {
      const step = await source.next();
      if (step.done) exhausted = true;
      else inFlight.push(submit(step.value));
    }
  };
  try {
    await fill();
    while (inFlight.length > 0) {
      const head = inFlight.shift()!;
      const result = await head.result;
      if (result.error?.code === 'CSV_QUOTE_NOT_CLOSED') {
        await fill();
        const next = inFlight.shift();
        if (next) {
          inFlight.unshift(submit(Buffer.concat([head.bytes, next.bytes])));
          continue;
        }
      }
      yield result;
      await fill();
    }
  } finally {
    await source.return?.(undefined);
  }
}
