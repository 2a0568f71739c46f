import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '@/lib/db/scratch';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { parseLeads } from '@/lib/lead';
import { rulesVersion } from '@/lib/scoring';
import { createPostgresStore } from '@/lib/store/postgres';
import { scoreForStore } from '@/lib/store/scored-lead';
import { seedStore } from '@/lib/store/seed';
import { generateLeads } from '@/lib/synthetic';
import { startNext, type NextServer } from '../../scripts/next-server';
import { ADMIN_DATABASE_URL } from '../support/pg';
import { contractRulesB } from '../store/contract';
import { browserPerFile, DESKTOP, screenshot } from './browser';

/**
 * A rules change on the real PostgreSQL, as an admin lives it: leads seeded under rules A, the app started
 * with rules B shows the warning (how many leads, and the command); `npm run rescore` runs; the warning is
 * gone, and a lead whose score changed shows its earlier score and the rule line that changed.
 */

const AS_OF = '2026-11-01T00:00:00.000Z';
const RULES_A = DEFAULT_RULES;
const RULES_B = contractRulesB();
const ROOT = path.resolve(__dirname, '../..');
const leads = parseLeads(generateLeads({ count: 60, seed: 5 })).leads;
const now = new Date(AS_OF);
const software = leads.find((lead) => {
  const [a, b] = [RULES_A, RULES_B].map((rules) => scoreForStore(lead, { rules, now }));
  return a!.score !== b!.score;
})!;

const session = browserPerFile();
let dir: string;
let database: ScratchDatabase | undefined;
let server: NextServer | undefined;
let rulesPath: string;

function rescore(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=react-server', path.join(ROOT, 'scripts/rescore.ts'), '--store', 'postgres'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database!.url, SCORING_RULES: rulesPath, SCORING_AS_OF: AS_OF, LEAD_STORE: 'postgres' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const skip = !ADMIN_DATABASE_URL && process.env.CI !== 'true';
if (skip) console.warn('\n!! SKIPPED the rescore browser test: DATABASE_URL is not set, so it cannot run on PostgreSQL (npm run test:all sets it up).\n');

describe.skipIf(skip)('a rules change on PostgreSQL: warning, rescore, history', () => {
  beforeAll(async () => {
    if (!ADMIN_DATABASE_URL) throw new Error('DATABASE_URL is not set: this browser test needs PostgreSQL (see .ci/run)');
    expect(software).toBeDefined();
    dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-rescore-'));
    rulesPath = path.join(dir, 'rules-b.json');
    await writeFile(rulesPath, JSON.stringify(RULES_B));
    database = await createScratchDatabase(ADMIN_DATABASE_URL, { prefix: 'ls_e2e' });
    const store = createPostgresStore({ DATABASE_URL: database.url, SCORING_RULES: undefined });
    await seedStore(store, leads, { rules: RULES_A, now });
    await store.close?.();
    server = await startNext({ LEAD_STORE: 'postgres', DATABASE_URL: database.url, SCORING_RULES: rulesPath, SCORING_AS_OF: AS_OF });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('warns on the dashboard and the lead page until rescore has run, then shows the earlier score and the rule line that changed', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${server!.url}/`);
    const warning = page.getByTestId('rescore-warning');
    await warning.waitFor({ state: 'visible' });
    await expect(warning.textContent()).resolves.toContain(`${leads.length} of ${leads.length} leads are scored under other rules than the configured rules ${rulesVersion(RULES_B)}`);
    await expect(warning.getByText('npm run rescore').count()).resolves.toBe(1);
    await expect(page.getByRole('alert').filter({ hasText: 'npm run rescore' }).count()).resolves.toBe(1);
    await screenshot(page, 'rescore-warning-dashboard');

    await page.goto(`${server!.url}/leads/${encodeURIComponent(software.id)}`);
    await page.getByTestId('history-card').waitFor({ state: 'visible' });
    await expect(page.getByTestId('rescore-warning').textContent()).resolves.toContain(`computed under rules ${rulesVersion(RULES_A)}`);
    await expect(page.getByTestId('score-history-entry').count()).resolves.toBe(0);
    await screenshot(page, 'rescore-warning-lead');

    const run = await rescore();
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`rescore: ${leads.length} of ${leads.length} outdated leads rescored under rules ${rulesVersion(RULES_B)}`);
    expect(run.stdout).toContain('every lead is now scored under the configured rules');

    await page.goto(`${server!.url}/`);
    await page.getByTestId('lead-table').waitFor({ state: 'visible' });
    await expect(page.getByTestId('rescore-warning').count()).resolves.toBe(0);

    const before = scoreForStore(software, { rules: RULES_A, now });
    const after = scoreForStore(software, { rules: RULES_B, now });
    await page.goto(`${server!.url}/leads/${encodeURIComponent(software.id)}`);
    const entry = page.getByTestId('score-history-entry');
    await entry.waitFor({ state: 'visible' });
    await expect(page.getByTestId('rescore-warning').count()).resolves.toBe(0);
    await expect(page.getByTestId('lead-score').textContent()).resolves.toMatch(new RegExp(`^${after.score}\\b`));
    const text = (await entry.textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain(`${before.score}`);
    expect(text).toContain(before.tier);
    expect(text).toMatch(new RegExp(`under rules ${rulesVersion(RULES_A)} until \\d{4}-\\d{2}-\\d{2}`));
    await expect(entry.getByTestId('score-history-change').first().textContent()).resolves.toMatch(/Industry fit: \+15 → \+5/);
    await page.getByTestId('history-card').scrollIntoViewIfNeeded();
    await screenshot(page, 'rescore-lead-history', true);
  });
});
