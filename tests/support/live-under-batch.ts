import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';

/**
 * Live re-enrich calls while `npm run enrich` runs on the same file store, as an SDR clicks Re-enrich while ops
 * run the batch job: the job in its own process (the real CLI), the live calls through the route handler in
 * this one. Shared by tests/api/enrich-under-batch.test.ts and the `live` bench.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface LiveCall {
  status: number;
  /** False when the route said it could not save the answer (`saved: false`). */
  saved: boolean;
  ms: number;
  /** When the call started, in ms since the batch job was started (it ended `ms` later). */
  startedMs: number;
  error?: string;
  /** Whether a fold of the journal into the snapshot was under way (a sealed journal on disk) during the call. */
  duringFold?: boolean;
}

export interface LiveUnderBatchResult {
  calls: LiveCall[];
  batch: { code: number | null; stdout: string; stderr: string; wallMs: number };
  /** How many folds were seen while the live calls ran. */
  folds: number;
  /** When each fold was seen under way (a sealed journal on disk, polled every 20 ms), in ms since the batch job was started. */
  foldTimes: { from: number; to: number }[];
}

export interface LiveUnderBatchOptions {
  leadsPath: string;
  enrichmentsPath: string;
  /** The fake Claude both the batch job and the route talk to. */
  anthropicUrl: string;
  /** Leads to re-enrich live, one call each. */
  liveLeadIds: readonly string[];
  /** Live calls at a time. */
  liveConcurrency?: number;
  /**
   * How many Messages calls the fake Claude has received so far, the batch's and the live ones together. The
   * live calls are spread over the batch's progress, not the clock: the i-th of n starts once the batch has sent
   * (i + 1) / (n + 1) of its calls, so they span its run and its mid-run fold however fast the job goes (the
   * grounding checks on each result made it take twice as long as a fixed pace assumed).
   */
  fakeCalls: () => number;
  batchLimit: number;
  batchConcurrency?: number;
  /** The route's POST, loaded by the caller with the environment it set. */
  post: (request: Request) => Promise<Response>;
}

export async function liveCallsUnderBatch(options: LiveUnderBatchOptions): Promise<LiveUnderBatchResult> {
  const { leadsPath, enrichmentsPath, anthropicUrl, liveLeadIds, liveConcurrency = 4, fakeCalls, batchLimit, batchConcurrency = 8, post } = options;
  const started = performance.now();
  const child = spawn(
    TSX,
    ['--conditions=react-server', 'scripts/enrich_leads.ts', '--leads', leadsPath, '--out', enrichmentsPath, '--force', '--limit', String(batchLimit), '--concurrency', String(batchConcurrency), '--max-retries', '1'],
    {
      cwd: ROOT,
      env: { ...process.env, LEAD_STORE: 'file', ANTHROPIC_API_KEY: 'sk-ant-test-dummy', ANTHROPIC_BASE_URL: anthropicUrl, ANTHROPIC_MODEL: 'claude-sonnet-5-5', SCORING_AS_OF: '', SCORING_RULES: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let done = false;
  void exited.then(() => (done = true));

  // The batch is running once its first results are in the journal.
  const journal = `${enrichmentsPath}.journal.jsonl`;
  const legacySnapshotWritten = async () => (await stat(enrichmentsPath).catch(() => null))?.mtimeMs ?? 0;
  const before = await legacySnapshotWritten();
  for (;;) {
    if (done) throw new Error(`the batch job ended before it saved anything:\n${stderr.slice(-2_000)}`);
    if (((await stat(journal).catch(() => null))?.size ?? 0) > 0 || (await legacySnapshotWritten()) > before) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  // Folds, seen as the time a sealed journal sits beside the snapshot (polled).
  const dir = path.dirname(enrichmentsPath);
  const sealedPrefix = `${path.basename(enrichmentsPath)}.journal-`;
  const foldTimes: { from: number; to: number }[] = [];
  let watching = true;
  const watcher = (async () => {
    let open: { from: number; to: number } | null = null;
    while (watching) {
      const sealed = (await readdir(dir)).some((f) => f.startsWith(sealedPrefix));
      const now = performance.now();
      if (sealed && !open) foldTimes.push((open = { from: now, to: now }));
      if (open) open.to = now;
      if (!sealed) open = null;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  const limit = pLimit(liveConcurrency);
  let liveStarted = 0;
  const calls = await Promise.all(
    liveLeadIds.map((leadId, i) =>
      limit(async (): Promise<LiveCall> => {
        const due = (batchLimit * (i + 1)) / (liveLeadIds.length + 1);
        while (!done && fakeCalls() - liveStarted < due) await new Promise((resolve) => setTimeout(resolve, 20));
        liveStarted++;
        const t = performance.now();
        const response = await post(new Request('http://localhost/api/enrich', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ leadId }) }));
        const body = (await response.json()) as { saved?: boolean; error?: { code: string; message: string } };
        const end = performance.now();
        const duringFold = foldTimes.some((f) => f.from <= end && f.to >= t);
        return { status: response.status, saved: body.saved !== false, ms: end - t, startedMs: t - started, duringFold, ...(body.error ? { error: `${body.error.code}: ${body.error.message}` } : {}) };
      }),
    ),
  );
  const folds = foldTimes.length;
  watching = false;
  await watcher;
  const code = await exited;
  return { calls, folds, foldTimes: foldTimes.map((f) => ({ from: f.from - started, to: f.to - started })), batch: { code, stdout, stderr, wallMs: performance.now() - started } };
}
