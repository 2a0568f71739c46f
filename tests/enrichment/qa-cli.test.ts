import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic';
import { sampleLeads } from './fixtures';

/** `npm run enrich:qa` as a user runs it: flags, the report file, and no write to the store. */

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

let fake: FakeAnthropic;
let dir: string;

beforeEach(async () => {
  fake = await startFakeAnthropic();
  dir = await mkdtemp(path.join(tmpdir(), 'enrich-qa-cli-'));
  await writeFile(path.join(dir, 'leads.json'), JSON.stringify(sampleLeads(40)));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], { apiKey = false } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LEAD_STORE: 'file', LEADS_PATH: path.join(dir, 'leads.json'), ENRICHMENTS_PATH: path.join(dir, 'enrichments.json'), ANTHROPIC_BASE_URL: fake.url };
  if (apiKey) env.ANTHROPIC_API_KEY = 'sk-ant-test-dummy';
  else delete env.ANTHROPIC_API_KEY;
  delete env.SCORING_AS_OF;
  delete env.SCORING_RULES;
  const child = spawn(TSX, ['--conditions=react-server', 'scripts/enrich_qa.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('scripts/enrich_qa.ts', () => {
  it('writes the report to --out, prints the figures, and never writes the store', async () => {
    const out = path.join(dir, 'qa', 'report.json');
    const { code, stdout } = await run(['--sample', '6', '--runs', '3', '--seed', '4', '--out', out], { apiKey: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/confidence agreement: \d+\.\d%/);
    expect(stdout).toMatch(/wording similarity: 1\.00/);
    expect(stdout).toContain(`Report (every run's narrative and findings): ${out}`);
    const report = JSON.parse(await readFile(out, 'utf8')) as { mode: string; sampled: number; runs_per_lead: number; leads: { runs: unknown[] }[] };
    expect(report).toMatchObject({ mode: 'claude', sampled: 6, runs_per_lead: 3 });
    expect(report.leads.every((l) => l.runs.length === 3)).toBe(true);
    expect(fake.messageRequests()).toHaveLength(18);
    expect(existsSync(path.join(dir, 'enrichments.json'))).toBe(false);
  });

  it('--dry-run sends and writes nothing; --json prints the report (mock mode without a key)', async () => {
    const dry = await run(['--dry-run', '--sample', '5', '--runs', '2'], { apiKey: true });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would send 10 request\(s\): \$\d/);
    expect(fake.requests).toHaveLength(0);
    const mock = await run(['--sample', '3', '--runs', '2', '--json', '--out', path.join(dir, 'mock.json')]);
    expect(mock.code).toBe(0);
    expect((JSON.parse(mock.stdout) as { mode: string }).mode).toBe('mock');
  });

  it('--help lists every flag; a bad flag is one clear line and exit 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--sample', '--runs', '--seed', '--max-cost', '--dry-run', '--batch', '--out', '--json', '--leads', '--rules']) expect(help.stdout).toContain(flag);
    const bad = await run(['--runs', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--runs: must be at least 2');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const unknown = await run(['--smaple', '5']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});
