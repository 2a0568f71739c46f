import { parentPort, workerData } from 'node:worker_threads';
import type { CsvLayout } from './csv';
import type { Mapping } from './mapping';
import { setEngineModule } from './row-engine';
import { planRows, processBlock } from './rows';

/** A worker thread of `workerRunner`: builds its plan from workerData, says it is ready, then processes the blocks it is sent. */
const { mapping, layout, leadFields, engine } = workerData as { mapping: Mapping; layout: CsvLayout; leadFields: string[]; engine: WebAssembly.Module };
setEngineModule(engine);
const plan = planRows(mapping, layout, leadFields);
parentPort!.postMessage({ ready: true });
parentPort!.on('message', ({ id, bytes }: { id: number; bytes: Uint8Array }) => {
  const result = processBlock(plan, bytes);
  parentPort!.postMessage({ id, result }, [result.spill, result.keys].map((bytes) => bytes.buffer as ArrayBuffer));
});
