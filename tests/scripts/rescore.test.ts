import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLeads } from '@/lib/lead';
import { rulesVersion } from '@/lib/scoring';
import { createPostgresStore } from '@/lib/store/postgres';
import { scoreForStore } from '@/lib/store/scored-lead';
import { generateLeads } from '@/lib/synthetic';
import { CONTRACT_AS_OF, CONTRACT_RULES, contractRulesB } from '../store/contract';
import { describePostgres } from '../support/pg';

/** `npm run rescore` as a user runs it (tsx, as package.json does): its refusals, its summary and its JSON. */

const ROOT = path.resolve(__dirname, '../..');

/** The CLI as a child process; `onStderr` sees its progress as it comes (and may kill it). */
function rescore(
  args: string[],
  env: Record<string, string>,
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  for (const name of ['DATABASE_URL', 'SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY', 'SCORING_RULES', 'SCORING_AS_OF', 'LEAD_STORE']) delete clean[name];
  // node itself, not the tsx wrapper: a SIGKILL must reach the process that holds the connection.
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.join(ROOT, 'scripts/rescore.ts'), ...args], { cwd: ROOT, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, child);
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('npm run rescore: refusals', () => {
  it('refuses the file store in one line, exit 2: it scores at load', async () => {
    const { code, stderr } = await rescore(['--store', 'file'], {});
    expect(code).toBe(2);
    expect(stderr).toBe('rescore: --store: must be postgres or supabase: the file store scores at load (got "file"); see npm run rescore -- --help\n');
  });

  it('names the missing connection variable, exit 1, no stack trace', async () => {
    const { code, stderr } = await rescore(['--store', 'supabase'], {});
    expect(code).toBe(1);
    expect(stderr).toMatch(/SUPABASE_URL/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describePostgres('npm run rescore on PostgreSQL', (db) => {
  const now = new Date(CONTRACT_AS_OF);

  /** A database of generated leads scored under CONTRACT_RULES, and the environment of a server configured with rules B. */
  async function seededUnderA(count: number, seed: number) {
    await db().sql`truncate public.leads cascade`;
    const leads = parseLeads(generateLeads({ count, seed })).leads;
    const store = createPostgresStore({ DATABASE_URL: db().url, SCORING_RULES: undefined });
    await store.upsertLeads(leads.map((lead) => scoreForStore(lead, { rules: CONTRACT_RULES, now })));
    await store.close?.();
    const rulesPath = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-rescore-cli-')), 'rules.json');
    await fs.writeFile(rulesPath, JSON.stringify(contractRulesB()));
    const changed = leads.filter((lead) => scoreForStore(lead, { rules: CONTRACT_RULES, now }).score !== scoreForStore(lead, { rules: contractRulesB(), now }).score).length;
    return { changed, env: { DATABASE_URL: db().url, SCORING_RULES: rulesPath, SCORING_AS_OF: CONTRACT_AS_OF } };
  }

  it('rescores the leads on other rules, prints the result as JSON with --json, and finds nothing to do the second time', async () => {
    const { changed, env } = await seededUnderA(120, 3);
    const first = await rescore(['--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rulesVersion: rulesVersion(contractRulesB()), outdated: 120, rescored: 120, history: changed, interrupted: false, store: 'postgres', leftOutdated: 0, scoredAsOf: CONTRACT_AS_OF });
    expect(first.stderr).toContain(`${changed} scores changed`);

    const second = await rescore([], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('rescore: 0 of 0 outdated leads rescored');
    expect(second.stdout).toContain('every lead is now scored under the configured rules');
  }, 60_000);

  it('SIGKILLed mid-run: whole batches only; the next run finishes, and no lead has two history rows', async () => {
    const { changed, env } = await seededUnderA(20_000, 9);
    const history = async () => (await db().sql<{ n: number; leads: number }[]>`select count(*)::int as n, count(distinct lead_id)::int as leads from public.score_history`)[0]!;
    const outdated = async () => (await db().sql<{ n: number }[]>`select count(*)::int as n from public.leads where rules_version <> ${rulesVersion(contractRulesB())}`)[0]!.n;

    // Killed at its first progress line: some batches are in, more are not.
    const killed = await rescore([], env, (text, child) => {
      if (/\[rescore\] [\d,]+\/20,000/.test(text)) child.kill('SIGKILL');
    });
    expect(killed.signal).toBe('SIGKILL');
    const left = await outdated();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(20_000);
    expect((20_000 - left) % 500).toBe(0);
    const partial = await history();
    expect(partial.n).toBe(partial.leads);

    const rest = await rescore(['--json'], env);
    expect(rest.code, rest.stderr).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ outdated: left, rescored: left, leftOutdated: 0 });
    expect(await history()).toEqual({ n: changed, leads: changed });
  }, 120_000);

  it('exits 3 when a lead on other rules is written behind it during the run, and the next run takes it', async () => {
    const { env } = await seededUnderA(20_000, 11);
    // Another writer still on the old rules, at the first progress line (after a second of batches, before
    // the last): an id before every later batch's cursor. The run is paused meanwhile, so it lands mid-run.
    const late = parseLeads([{ id: '!written-during-the-run', job_title: 'VP Marketing', demo_requested: true }]).leads[0]!;
    let written: Promise<void> | undefined;
    const run = await rescore([], env, (text, child) => {
      if (!/\[rescore\] (?!20,000\/)[\d,]+\/20,000/.test(text)) return;
      written ??= (async () => {
        child.kill('SIGSTOP');
        const writer = createPostgresStore({ DATABASE_URL: db().url, SCORING_RULES: undefined });
        await writer.upsertLeads([scoreForStore(late, { rules: CONTRACT_RULES, now })]);
        await writer.close?.();
        child.kill('SIGCONT');
      })();
    });
    await written;
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toContain('1 leads still on another rules version: run npm run rescore again');

    const next = await rescore(['--json'], env);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ outdated: 1, rescored: 1, leftOutdated: 0 });
  }, 120_000);
});
