import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeParseRuleSet } from '@/lib/rules';
import { plantedLeads } from '../support/planted-leads';

/** profile, tune and validate as a user runs them: files in, files and tables out, exit codes. */
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);

async function cli(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['--conditions=react-server', path.join(ROOT, 'scripts', script), ...args], { cwd: ROOT, env: { ...process.env, LEAD_STORE: 'file' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tune, profile and validate on a leads file', () => {
  let dir: string;
  let leadsPath: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tune-cli-'));
    leadsPath = path.join(dir, 'leads.json');
    await writeFile(leadsPath, JSON.stringify(plantedLeads(6_000, 7)));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('tune writes a valid rule set and a report that names both halves, the same bytes on a second run', async () => {
    const out = path.join(dir, 'suggested.rules.json');
    const report = path.join(dir, 'suggested.md');
    const first = await cli('tune.ts', ['--leads', leadsPath, '--out', out, '--report', report]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/test: suggested/);
    const written = await readFile(out, 'utf8');
    expect(safeParseRuleSet(JSON.parse(written)).ok).toBe(true);
    const markdown = await readFile(report, 'utf8');
    expect(markdown).toContain('## Base vs suggested');
    expect(markdown).toMatch(/Test: suggested/);
    expect(markdown).toContain('## Leads moving between tiers (test half)');
    expect(await cli('tune.ts', ['--leads', leadsPath, '--out', out])).toMatchObject({ code: 0 });
    expect(await readFile(out, 'utf8')).toBe(written);

    // validate reads the split the file stores, grades the test half only, and agrees with the report.
    const graded = await cli('validate.ts', ['--leads', leadsPath, '--rules', out]);
    expect(graded.code).toBe(0);
    expect(graded.stdout).toMatch(/the test half \(split by hash of lead id \(seed 1\)/);
    const validated = JSON.parse((await cli('validate.ts', ['--leads', leadsPath, '--rules', out, '--json'])).stdout) as { n: number; auc: number; tiers: unknown };
    const reported = JSON.parse((await cli('tune.ts', ['--leads', leadsPath, '--json'])).stdout) as { halves: { half: string; suggested: { n: number; auc: number; tiers: unknown } }[] };
    const test = reported.halves.find((h) => h.half === 'test')!.suggested;
    expect([validated.n, validated.auc, validated.tiers]).toEqual([test.n, test.auc, test.tiers]);
  });

  it('tune leaves the previous file untouched when it cannot fit, and says why', async () => {
    const out = path.join(dir, 'kept.rules.json');
    await writeFile(out, 'previous');
    const noOutcome = path.join(dir, 'no-outcome.json');
    await writeFile(noOutcome, JSON.stringify([{ id: 'a' }, { id: 'b' }]));
    const result = await cli('tune.ts', ['--leads', noOutcome, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no lead with a "converted" outcome/);
    expect(await readFile(out, 'utf8')).toBe('previous');
  });

  it('profile prints the design half, fields ranked by IV, and refuses a field that does not exist', async () => {
    const result = await cli('profile.ts', ['--leads', leadsPath]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/design half only/);
    expect(result.stdout.indexOf('attributes.plan')).toBeLessThan(result.stdout.indexOf('attributes.noise_category'));
    const missing = await cli('profile.ts', ['--leads', leadsPath, '--field', 'attributes.plna']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no field "attributes.plna"/);
  });
});
