import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBigFileStore } from '../../tests/support/big-file-store';
import { startFakeAnthropic, type FakeAnthropic } from '../../tests/support/fake-anthropic';
import { liveCallsUnderBatch, type LiveCall } from '../../tests/support/live-under-batch';
import { sampleLeads } from '../../tests/enrichment/fixtures';
import { fmt, percentile, type BenchModule, type BenchRow } from './types';

/**
 * The live route and the file store under load, as finding 6 of issue 21 measured them:
 * 1. 40 live re-enrich calls (spread over the batch's progress, through the route handler in this process) while `npm run enrich`
 *    (its own process) re-enriches 4,000 leads of a 60,000-enrichment file store; the same 40 calls on the
 *    idle store for comparison. Calls ok, and latency.
 * 2. `npm run enrich` SIGKILLed at random moments and rerun, 6 times: how many answered calls each kill
 *    lost (asked again by the rerun: paid twice), against the calls in flight (its concurrency).
 * Both against the loopback fake Claude (20 ms per answer).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const LIVE_CALLS = 40;
const BATCH_LIMIT = 4_000;
const KILLS = 6;
const KILL_CONCURRENCY = 4;

const ref = (content: unknown) => /\(ref ([^)]+)\)/.exec(String(content))?.[1];

function latencyRow(metric: string, calls: readonly Pick<LiveCall, 'ms'>[], target: string, pass: boolean | null): BenchRow {
  const ms = calls.map((c) => c.ms).sort((a, b) => a - b);
  if (ms.length === 0) return { area: 'live', metric, value: 'none', target, pass };
  return { area: 'live', metric, value: `p50 ${fmt(percentile(ms, 50))} ms, p95 ${fmt(percentile(ms, 95))} ms, max ${fmt(ms.at(-1)!)} ms`, target, pass };
}

async function liveUnderBatch(fake: FakeAnthropic): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-live-'));
  try {
    const { leads, leadsPath, enrichmentsPath } = await writeBigFileStore(dir);
    Object.assign(process.env, {
      LEAD_STORE: 'file',
      LEADS_PATH: leadsPath,
      ENRICHMENTS_PATH: enrichmentsPath,
      ANTHROPIC_API_KEY: 'sk-ant-bench-dummy',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL: 'claude-sonnet-5-5',
      ENRICH_RATE_LIMIT: '10000',
      ENRICH_LIVE_DAILY_LIMIT: '10000',
      ENRICH_LIVE_DAILY_USD: '1000',
    });
    const { POST } = await import('../../app/api/enrich/route');
    const { getStore } = await import('../../lib/store');
    await (await getStore()).getLead(leads[0]!.id); // the server's first load of the two files

    const post = (leadId: string) => POST(new Request('http://localhost/api/enrich', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ leadId }) }));
    const idle: Pick<LiveCall, 'status' | 'saved' | 'ms'>[] = [];
    for (const lead of leads.slice(0, LIVE_CALLS)) {
      const t = performance.now();
      const response = await post(lead.id);
      const body = (await response.json()) as { saved?: boolean };
      idle.push({ status: response.status, saved: body.saved !== false, ms: performance.now() - t });
    }

    const idleCalls = fake.messageRequests().length;
    const { calls, batch, folds } = await liveCallsUnderBatch({
      leadsPath,
      enrichmentsPath,
      anthropicUrl: fake.url,
      liveLeadIds: leads.slice(-LIVE_CALLS).map((l) => l.id),
      fakeCalls: () => fake.messageRequests().length - idleCalls,
      batchLimit: BATCH_LIMIT,
      post: POST,
    });
    const ok = calls.filter((c) => c.status === 200 && c.saved).length;
    const failures = [...new Set(calls.filter((c) => c.status !== 200 || !c.saved).map((c) => c.error ?? `HTTP ${c.status}, saved ${c.saved}`))];
    return [
      {
        area: 'live',
        metric: `${LIVE_CALLS} live calls during a batch run (${fmt(BATCH_LIMIT)} leads, c=8) on a 60,000-enrichment file store: answered and saved`,
        value: `${ok} of ${LIVE_CALLS}${failures.length ? ` (${failures.slice(0, 2).join('; ')})` : ''}; batch exit ${batch.code}, ${fmt(batch.wallMs / 1000, 1)} s`,
        target: `${LIVE_CALLS} of ${LIVE_CALLS}`,
        pass: ok === LIVE_CALLS && batch.code === 0,
      },
      latencyRow('  their latency (route handler, 20 ms fake Claude)', calls, 'informational', null),
      latencyRow(`  of which during a fold of the journal into the 55 MB file (${calls.filter((c) => c.duringFold).length} calls, ${folds} fold(s) seen)`, calls.filter((c) => c.duringFold), 'informational', null),
      latencyRow(`  the same ${LIVE_CALLS} calls on the idle store, one at a time`, idle, 'informational', null),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function killAndRerun(fake: FakeAnthropic): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-live-kill-'));
  try {
    const leads = sampleLeads(600, 17).map((lead) => ({ ...lead, company_description: `${lead.company_description ?? 'No description.'} (ref ${lead.id})` }));
    const leadsPath = path.join(dir, 'leads.json');
    const outPath = path.join(dir, 'enrichments.json');
    await writeFile(leadsPath, JSON.stringify(leads));
    const run = () => {
      const child = spawn(TSX, ['--conditions=react-server', 'scripts/enrich_leads.ts', '--leads', leadsPath, '--out', outPath, '--concurrency', String(KILL_CONCURRENCY), '--max-retries', '0'], {
        cwd: ROOT,
        env: { ...process.env, LEAD_STORE: 'file', ANTHROPIC_API_KEY: 'sk-ant-bench-dummy', ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MODEL: 'claude-sonnet-5-5' },
        stdio: 'ignore',
        detached: true,
      });
      return { child, closed: new Promise((resolve) => child.on('close', resolve)) };
    };
    /** The fake's request indices [from, to) of each run. */
    const runs: [number, number][] = [];
    for (let kill = 0; kill <= KILLS; kill++) {
      const from = fake.messageRequests().length;
      const { child, closed } = run();
      if (kill < KILLS) {
        // Killed after 20–80 more calls, at whatever point of a call, a save or a fold it is in.
        let ended = false;
        void closed.then(() => (ended = true));
        const after = 20 + Math.floor(Math.random() * 60);
        while (!ended && fake.messageRequests().length < from + after) await new Promise((resolve) => setTimeout(resolve, 2));
        if (!ended) process.kill(-child.pid!, 'SIGKILL');
      }
      await closed;
      runs.push([from, fake.messageRequests().length]);
    }
    // A call a kill lost is one a later run sent again: it was paid for twice.
    const requests = fake.messageRequests().map((r) => ref(r.body.messages?.[0]?.content));
    const lost = runs.slice(0, -1).map(([from, to]) => {
      const later = new Set(requests.slice(to));
      return requests.slice(from, to).filter((id) => later.has(id)).length;
    });
    const total = lost.reduce((a, b) => a + b, 0);
    const unique = new Set(requests).size;
    return [
      {
        area: 'live',
        metric: `npm run enrich SIGKILLed ${KILLS}× at random moments, then rerun (c=${KILL_CONCURRENCY}, ${leads.length} leads): answered calls sent again per kill`,
        value: `${lost.join(', ')} (max ${Math.max(...lost)}; ${total} of ${requests.length} calls paid twice; ${unique} leads, all done)`,
        target: `≤ ${KILL_CONCURRENCY} per kill (the calls in flight)`,
        pass: Math.max(...lost) <= KILL_CONCURRENCY && unique === leads.length,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each part with its own fake, so its recorded requests are its own. */
async function withFake(part: (fake: FakeAnthropic) => Promise<BenchRow[]>): Promise<BenchRow[]> {
  const fake = await startFakeAnthropic(() => ({ kind: 'ok', latencyMs: 20 }));
  try {
    return await part(fake);
  } finally {
    await fake.close();
  }
}

async function run(): Promise<BenchRow[]> {
  return [...(await withFake(liveUnderBatch)), ...(await withFake(killAndRerun))];
}

export default { area: 'live', run } satisfies BenchModule;
