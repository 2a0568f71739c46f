import Anthropic from '@anthropic-ai/sdk';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { enrichmentRequest } from '../../lib/enrichment/enrich';
import { runEnrichmentJob } from '../../lib/enrichment/job';
import type { Enrichment } from '../../lib/enrichment/schema';
import { parseLeads, toScorable } from '../../lib/lead';
import { DEFAULT_RULES, scoreLead } from '../../lib/scoring';
import { createFileStore } from '../../lib/store/file';
import type { LeadStore } from '../../lib/store/types';
import { AS_OF, generateLeads } from '../../lib/synthetic';
import { fmt, type BenchModule, type BenchRow } from './types';

/**
 * The enrichment job against a fake Claude API answering every call in 200 ms: 500 leads at
 * concurrency 4 and 16, in-process, writing to a temp file store. The fake server runs in its own
 * process, so this process's CPU time is the job's, the SDK's and the store's. To isolate the job's
 * own cost, the same 500 requests are also sent as bare SDK calls through the same pool, and the
 * job's store writes are replayed on a fresh file store; the job's overhead per lead is its CPU time
 * minus both, divided by the number of leads.
 */

const LEADS = 500;
const LATENCY_MS = 200;
const WALL_TARGET = 1.1;
const OVERHEAD_TARGET_MS = 1;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');


async function startFakeServer(): Promise<{ url: string; stop: () => void }> {
  const code = `
    const { startFakeAnthropic } = await import(${JSON.stringify(path.join(ROOT, 'tests/support/fake-anthropic.ts'))});
    const fake = await startFakeAnthropic(() => ({ kind: 'ok', latencyMs: ${LATENCY_MS} }));
    console.log(fake.url);
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (c) => reject(new Error(`fake server exited with ${c}`)));
  });
  return { url, stop: () => child.stdin!.end() };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

async function run(): Promise<BenchRow[]> {
  const { leads } = parseLeads(generateLeads({ count: LEADS, seed: 21 }));
  const now = new Date(AS_OF);
  const server = await startFakeServer();
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-enrich-'));
  const leadsPath = path.join(dir, 'leads.json');
  await writeFile(leadsPath, JSON.stringify(leads));
  const rows: BenchRow[] = [];
  try {
    const client = new Anthropic({ apiKey: 'sk-ant-bench-dummy', baseURL: server.url, maxRetries: 0, timeout: 30_000 });
    const requests = leads.map((lead) => {
      const scorable = toScorable(lead);
      return enrichmentRequest(scorable, scoreLead(scorable, { now }), DEFAULT_RULES, 'claude-sonnet-5-5');
    });
    await Promise.all(requests.slice(0, 8).map((r) => client.messages.create(r))); // warm-up: connections, JIT

    for (const concurrency of [4, 16]) {
      const limit = pLimit(concurrency);
      let cpu = process.cpuUsage();
      let started = performance.now();
      await Promise.all(requests.map((r) => limit(() => client.messages.create(r))));
      const bareWall = performance.now() - started;
      const bareCpu = cpuMs(cpu);

      const fileStore = createFileStore({ leadsPath, enrichmentsPath: path.join(dir, `enrichments-${concurrency}.json`), rules: DEFAULT_RULES });
      const writes: Enrichment[][] = [];
      const store: LeadStore = { ...fileStore, saveEnrichments: (list) => (writes.push(list), fileStore.saveEnrichments(list)) };
      await fileStore.summary(); // the store's one-time load of the leads file is setup, not the job's work
      cpu = process.cpuUsage();
      started = performance.now();
      const summary = await runEnrichmentJob({ leads, rules: DEFAULT_RULES, now, model: 'claude-sonnet-5-5', concurrency }, { store, client });
      const wall = performance.now() - started;
      const jobCpu = cpuMs(cpu);
      if (summary.enriched !== LEADS) throw new Error(`enriched ${summary.enriched} of ${LEADS}: ${summary.failed[0]?.reason ?? summary.stopReason}`);

      const replay = createFileStore({ leadsPath, enrichmentsPath: path.join(dir, `replay-${concurrency}.json`), rules: DEFAULT_RULES });
      await replay.summary();
      cpu = process.cpuUsage();
      for (const list of writes) await replay.saveEnrichments(list);
      const storeCpu = cpuMs(cpu);

      const ideal = (LEADS * LATENCY_MS) / concurrency;
      const overheadPerLead = (jobCpu - bareCpu - storeCpu) / LEADS;
      rows.push(
        {
          area: 'enrich',
          metric: `${LEADS} leads, ${LATENCY_MS} ms fake API, concurrency ${concurrency}: wall vs ideal N×latency/c = ${fmt(ideal)} ms`,
          value: `${fmt(wall)} ms (${fmt(wall / ideal, 3)}×; bare SDK calls ${fmt(bareWall)} ms)`,
          target: `≤ ${WALL_TARGET}× ideal`,
          pass: wall <= ideal * WALL_TARGET,
        },
        {
          area: 'enrich',
          metric: `job's own overhead per lead, c=${concurrency}: (job CPU − same calls via bare SDK − same writes replayed) / N`,
          value: `${fmt(overheadPerLead, 3)} ms/lead (CPU: job ${fmt(jobCpu)} ms, SDK ${fmt(bareCpu)} ms, store ${fmt(storeCpu)} ms)`,
          target: `< ${OVERHEAD_TARGET_MS} ms/lead`,
          pass: overheadPerLead < OVERHEAD_TARGET_MS,
        },
        {
          area: 'enrich',
          metric: `wall overhead per lead, c=${concurrency}: (job wall − ideal) / N; includes SDK, HTTP and store time`,
          value: `${fmt((wall - ideal) / LEADS, 2)} ms/lead`,
          target: '',
          pass: null,
        },
        {
          area: 'enrich',
          metric: `saves, c=${concurrency} (each result as it arrives; those arriving during a write go in the next): writes; longest wait for a write to start; longest write; store CPU per write`,
          value: `${summary.checkpoint.writes} writes; ${fmt(summary.checkpoint.maxWaitMs)} ms; ${fmt(summary.checkpoint.maxWriteMs)} ms; ${fmt(storeCpu / Math.max(1, writes.length), 1)} ms`,
          target: '',
          pass: null,
        },
      );
    }
  } finally {
    server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

export default { area: 'enrich', run } satisfies BenchModule;
