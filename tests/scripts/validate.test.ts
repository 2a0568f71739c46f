import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleSetToJson } from '@/lib/rules-file';
import type { SplitSpec } from '@/lib/split';
import { tuneRules } from '@/lib/tune/tune';
import { driftLeads } from '../support/drift-leads';

/** `npm run validate` with --compare, --k, --capacity and --drift, as a user runs it: files in, tables and exit codes out. */
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);
const asOf = new Date('2026-11-01T00:00:00.000Z');
const split: SplitSpec = { by: 'hash', holdout: 0.3, seed: 1 };

async function validate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['--conditions=react-server', path.join(ROOT, 'scripts/validate.ts'), '--as-of', asOf.toISOString(), ...args], {
      cwd: ROOT,
      env: { ...process.env, LEAD_STORE: 'file' },
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('validate --compare, --k, --capacity, --drift', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'validate-cli-'));
    // Live rules tuned where the plan drives conversion; a candidate tuned after the funnel moved to the channel.
    await writeFile(file('live.rules.json'), ruleSetToJson(tuneRules(() => driftLeads(6_000, 1, { driver: 'plan' }), { split, asOf }).rules));
    await writeFile(file('candidate.rules.json'), ruleSetToJson(tuneRules(() => driftLeads(6_000, 9, { driver: 'channel' }), { split, asOf, name: 'Channel rules' }).rules));
    await writeFile(file('plan.json'), JSON.stringify(driftLeads(4_000, 2, { driver: 'plan' })));
    await writeFile(file('channel.json'), JSON.stringify(driftLeads(4_000, 3, { driver: 'channel' })));
    await writeFile(file('fresh.json'), JSON.stringify(driftLeads(2_000, 4, { driver: 'plan', planShares: [0.02, 0.03, 0.05, 0.9], outcomes: false })));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('--compare prints live and candidate side by side on the candidate\'s test half, with the tier-move matrix', async () => {
    const { code, stdout } = await validate(['--leads', file('channel.json'), '--rules', file('live.rules.json'), '--compare', file('candidate.rules.json')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Compare: live r_\w+ \(Tuned rules\) vs candidate r_\w+ \(Channel rules\)$/m);
    expect(stdout).toContain("the test half (split by hash of lead id (seed 1): 30% test, the rest design, from the candidate's tuning metadata)");
    expect(stdout).toMatch(/^ROC AUC \(95% CI\)\s+0\.\d{3} \(95% CI [\d.]+–[\d.]+\)\s+0\.\d{3} \(95% CI/m);
    expect(stdout).toMatch(/AUC difference, candidate − live \(DeLong, paired\): \+0\.\d{3} .*: the candidate ranks these leads better/);
    expect(stdout).toContain('Leads moving between tiers (rows: live tier; columns: candidate tier)');
    expect(stdout).toMatch(/^Top-decile lift\s+[\d.]+x\s+[\d.]+x$/m);
  });

  it('--json carries the comparison, its matrix adding up to the graded leads', async () => {
    const { code, stdout } = await validate(['--leads', file('channel.json'), '--rules', file('live.rules.json'), '--compare', file('candidate.rules.json'), '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { n: number; compare: { leads: number; moves: number[][]; moved: number; candidateRules: { name: string }; auc: { difference: number } } };
    expect(json.compare.candidateRules.name).toBe('Channel rules');
    expect(json.compare.leads).toBe(json.n);
    expect(json.compare.moves.flat().reduce((a, b) => a + b, 0)).toBe(json.compare.leads);
    expect(json.compare.auc.difference).toBeGreaterThan(0.1);
  });

  it('--k takes shares and --capacity gives the cut-off, scaled to the half it grades', async () => {
    const { code, stdout } = await validate(['--leads', file('plan.json'), '--rules', file('live.rules.json'), '--k', '25,5%', '--capacity', '400']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^25\s+25\s+\d+/m);
    // 5% of the ~1,200 test-half leads.
    expect(stdout).toMatch(/^5% \(\d{2}\)\s+\d{2}\s/m);
    expect(stdout).toMatch(/At capacity: top \d+ leads \(score ≥ \d+/);
    expect(stdout).toMatch(/Capacity 400 of 4,000 leads with an outcome is [\d,]+ of the [\d,]+ graded\./);
    expect(stdout).toContain('ordered by lead id (ascending), never by outcome');
  });

  it('--drift exits 3 with the alarm line when outcomes follow a field the rules ignore', async () => {
    const { code, stdout } = await validate(['--leads', file('channel.json'), '--rules', file('live.rules.json'), '--drift']);
    expect(code).toBe(3);
    expect(stdout).toMatch(/^DRIFT ALARM: the model refitted on today’s leads ranks the test-half leads better than the rules/m);
    expect(stdout).toContain(`Next: npm run tune -- --leads ${file('channel.json')} --rules ${file('live.rules.json')} --out suggested.rules.json --report suggested.md`);
    expect(stdout).toContain('Fields the model uses that no rule reads: attributes.channel');
  });

  it('--drift exits 0 on the funnel the rules were tuned on, and --json has the drift object', async () => {
    const text = await validate(['--leads', file('plan.json'), '--rules', file('live.rules.json'), '--drift']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^No drift alarm: PSI 0\.\d\d \(stable/m);
    const { code, stdout } = await validate(['--leads', file('plan.json'), '--rules', file('live.rules.json'), '--drift', '--json']);
    expect(code).toBe(0);
    const drift = (JSON.parse(stdout) as { drift: { alarm: boolean; scoreShift: { psi: number }; models: { source: string; model: { auc: number }; rules: { auc: number } }[] } }).drift;
    expect(drift.alarm).toBe(false);
    expect(drift.scoreShift.psi).toBeLessThan(0.1);
    expect(drift.models.map((m) => m.source)).toEqual(['refit', 'stored']);
  });

  it('--drift without any outcome still measures the score shift (and fires on it)', async () => {
    const { code, stdout } = await validate(['--leads', file('fresh.json'), '--rules', file('live.rules.json'), '--drift']);
    expect(code).toBe(3);
    expect(stdout).toContain('has a known outcome: there is no backtest');
    expect(stdout).toMatch(/DRIFT ALARM: the score distribution has shifted since tuning: PSI \d\.\d\d > 0\.25/);
    expect(stdout).toContain('The model comparison needs leads with a known outcome; none of the 2,000 leads has one yet.');
    // tune needs outcomes, so the alarm does not send the user there yet.
    expect(stdout).toContain('The leads carry no outcome yet, so nothing can be re-weighted');
    expect(stdout).not.toContain("re-weights the rules on today's outcomes");
    // Without --drift there is still nothing to backtest.
    expect((await validate(['--leads', file('fresh.json'), '--rules', file('live.rules.json')])).code).toBe(1);
  });

  it('refuses a bad --k in one line, and documents exit code 3', async () => {
    const bad = await validate(['--leads', file('plan.json'), '--k', '25,abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('validate: --k: each k is a whole number of leads (25) or a share of them (5%) (got "25,abc"); see npm run validate -- --help');
    const help = await validate(['--help']);
    expect(help.stdout).toMatch(/^\s+3\s+with --drift: the drift alarm fired/m);
  });
});
