import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lead } from '@/lib/lead';
import { createFileStore } from '@/lib/store/file';
import { DEFAULT_RULES } from '@/lib/scoring';
import { startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from '../support/fake-anthropic';
import { sampleLeads } from './fixtures';

/**
 * The real CLI, spawned as a user runs it, against the fake API: crash safety (SIGKILL), Ctrl-C,
 * batch resume across processes, dry run. Signals go to the whole process group, as a terminal's do.
 */

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const leadOf = (request: RecordedRequest) => /\(ref ([^)]+)\)/.exec(String(request.body.messages?.[0]?.content))?.[1];

let fake: FakeAnthropic;
let dir: string;
let leadsPath: string;
let outPath: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  fake = await startFakeAnthropic();
  dir = await mkdtemp(path.join(tmpdir(), 'enrich-cli-'));
  leadsPath = path.join(dir, 'leads.json');
  outPath = path.join(dir, 'enrichments.json');
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeLeads(count: number): Promise<Lead[]> {
  const leads = sampleLeads(count).map((lead) => ({ ...lead, company_description: `${lead.company_description ?? 'No description.'} (ref ${lead.id})` }));
  await writeFile(leadsPath, JSON.stringify(leads));
  return leads;
}

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function runCli(args: string[], { apiKey = true } = {}): Run {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANTHROPIC_BASE_URL: fake.url,
    LEAD_STORE: 'file',
    LEADS_PATH: leadsPath,
    ENRICHMENTS_PATH: outPath,
    ANTHROPIC_MODEL: 'claude-sonnet-5-5',
  };
  if (apiKey) env.ANTHROPIC_API_KEY = 'sk-ant-test-dummy';
  else delete env.ANTHROPIC_API_KEY;
  delete env.SCORING_AS_OF;
  delete env.SCORING_RULES;
  // `npx tsx` resolves to this binary; spawning it directly keeps the script's exit code visible,
  // since npx itself dies of a SIGINT sent to the group instead of waiting for its child.
  const child = spawn(TSX, ['--conditions=react-server', 'scripts/enrich_leads.ts', '--out', outPath, '--max-retries', '1', ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** What the store holds (snapshot and journal, every entry validated), as the next run or the dashboard reads it. */
async function savedIds(): Promise<Set<string>> {
  return new Set((await createFileStore({ leadsPath, enrichmentsPath: outPath, rules: DEFAULT_RULES }).enrichments()).keys());
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 40_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('scripts/enrich_leads.ts', () => {
  it('survives SIGKILL mid-run: the file stays valid and a rerun sends no call for a lead already saved', async () => {
    const leads = await writeLeads(40);
    fake.respond(() => ({ kind: 'ok', latencyMs: 150 }));
    const first = runCli(['--concurrency', '4']);
    await waitFor(async () => (await savedIds().catch(() => new Set())).size >= 8);
    process.kill(-first.child.pid!, 'SIGKILL');
    const killed = await first.done;
    expect(killed.signal ?? killed.code).toBeTruthy();

    const afterKill = await savedIds(); // parses and validates every entry: the file is never torn
    expect(afterKill.size).toBeGreaterThanOrEqual(8);
    expect(afterKill.size).toBeLessThan(40);
    const firstRunRequests = fake.messageRequests().length;

    fake.respond(() => ({ kind: 'ok', latencyMs: 5 }));
    const second = await runCli(['--concurrency', '4']).done;
    expect(second.code).toBe(0);
    const rerunLeads = fake.messageRequests().slice(firstRunRequests).map(leadOf);
    for (const id of afterKill) expect(rerunLeads).not.toContain(id);
    expect(new Set(rerunLeads).size).toBe(rerunLeads.length);
    expect(await savedIds()).toEqual(new Set(leads.map((l) => l.id)));
  });

  it('Ctrl-C: starts no new call, finishes and saves the calls in flight, exits 130 after the summary', async () => {
    await writeLeads(30);
    fake.respond(() => ({ kind: 'ok', latencyMs: 400 }));
    const run = runCli(['--concurrency', '2']);
    await waitFor(async () => (await savedIds().catch(() => new Set())).size >= 2);
    process.kill(-run.child.pid!, 'SIGINT');
    const { code, stdout } = await run.done;
    expect(code).toBe(130);
    expect(stdout).toMatch(/INTERRUPTED/);
    expect(stdout).toMatch(/not started: \d+/);
    const requested = new Set(fake.messageRequests().map(leadOf));
    expect(await savedIds()).toEqual(requested);
    expect(requested.size).toBeLessThan(30);
  });

  it('--batch: Ctrl-C mid-poll keeps the state file; the rerun resumes the same batch', async () => {
    const leads = await writeLeads(6);
    fake.batchPollsToEnd = 1_000;
    const statePath = `${outPath}.batch.json`;
    const first = runCli(['--batch', '--poll-interval', '0.05']);
    await waitFor(() => existsSync(statePath) && fake.requests.filter((r) => r.method === 'GET').length >= 2);
    process.kill(-first.child.pid!, 'SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/run again to collect the results/);
    const { batch_id } = JSON.parse(await readFile(statePath, 'utf8')) as { batch_id: string };

    const live = await runCli([]).done;
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(/still pending .*Rerun with --batch/);

    fake.batchPollsToEnd = 1;
    const second = await runCli(['--batch', '--poll-interval', '0.05']).done;
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`batch ${batch_id}, resumed`);
    expect(fake.batches.size).toBe(1);
    expect(existsSync(statePath)).toBe(false);
    expect(await savedIds()).toEqual(new Set(leads.map((l) => l.id)));
  });

  it('--dry-run sends nothing and writes nothing', async () => {
    await writeLeads(12);
    const { code, stdout } = await runCli(['--dry-run', '--tier', 'hot,warm,cold']).done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/would send 12 request\(s\): ~[\d,]+ input tokens/);
    expect(stdout).toMatch(/estimated cost: \$[\d.]+ expected/);
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(outPath)).toBe(false);
  });

  it('without an API key: mock narratives, said loudly', async () => {
    await writeLeads(5);
    const { code, stdout } = await runCli([], { apiKey: false }).done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/MOCK MODE: ANTHROPIC_API_KEY is not set/);
    expect(stdout).toContain('grounding checks: 0 of 5 flagged');
    const saved = JSON.parse(await readFile(outPath, 'utf8')) as { enrichments: Record<string, { source: string; fit_narrative: string }> };
    expect(Object.values(saved.enrichments).every((e) => e.source === 'mock' && e.fit_narrative.startsWith('[mock]'))).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects bad flags with one clear line and exit code 2, sending nothing', async () => {
    await writeLeads(2);
    const bad = await runCli(['--concurrency', '0', '--tier', 'LUKEWARM']).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('enrich: --concurrency: must be at least 1 (got "0"); see npm run enrich -- --help');
    const tier = await runCli(['--tier', 'hot,LUKEWARM']).done;
    expect(tier.code).toBe(2);
    expect(tier.stderr).toMatch(/^enrich: --tier: takes HOT, WARM, COLD \(got "hot,LUKEWARM"\)/);
    expect(fake.requests).toHaveLength(0);
    expect(existsSync(outPath)).toBe(false);
  });
});
