import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** `validate` and `rules:print --check` name the rules that read a field (almost) no lead has. */

const ROOT = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'coverage-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const leads = Array.from({ length: 40 }, (_, i) => ({ id: `l${i}`, demo_requested: i % 2 === 0, converted: i % 3 === 0, attributes: { lead_source: i % 4 ? 'web' : 'event' } }));
const leadsPath = path.join(dir, 'leads.json');
writeFileSync(leadsPath, JSON.stringify(leads));

function rulesFile(name: string, rules: object[]): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, tiers: { hot: 75, warm: 45 }, categories: [{ id: 'fit', label: 'Fit', cap: 100 }], rules }));
  return file;
}
const typo = { id: 'source', label: 'Source', category: 'fit', why: 'w', kind: 'category_map', field: 'attributes.lead_sorce', points: { web: 50 }, otherwise: 0 };
const demo = { id: 'demo', label: 'Demo', category: 'fit', why: 'w', kind: 'boolean_flag', field: 'demo_requested', points: 50 };

function run(script: string, args: string[]) {
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=react-server', path.join(ROOT, 'scripts', script), ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, SCORING_RULES: '' } });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('rules that read nothing, on the command line', () => {
  it('validate warns about a misspelled attribute, with "did you mean", and still backtests', () => {
    const { code, out } = run('validate.ts', ['--leads', leadsPath, '--rules', rulesFile('partly', [typo, demo])]);
    expect(code).toBe(0);
    expect(out).toContain('rule "source" (Source) reads almost nothing: attributes.lead_sorce is on 0 of 40 leads (0.0%) — did you mean attributes.lead_source?');
    expect(out).toContain('ROC AUC');
  });

  it('validate fails when the rule set reads no field of the data, pointing to npm run tune', () => {
    const { code, out } = run('validate.ts', ['--leads', leadsPath, '--rules', rulesFile('nothing', [typo])]);
    expect(code).toBe(1);
    expect(out).toMatch(/reads no field of .*leads\.json/);
    expect(out).toContain('npm run tune');
    expect(out).not.toContain('ROC AUC');
  });

  it('rules:print --check --leads exits 3 listing the rule, 0 when every rule reads its field', () => {
    const low = run('rules_print.ts', ['--check', '--rules', rulesFile('partly2', [typo, demo]), '--leads', leadsPath]);
    expect(low.code).toBe(3);
    expect(low.out).toContain('did you mean attributes.lead_source?');
    const ok = run('rules_print.ts', ['--check', '--rules', rulesFile('fine', [demo]), '--leads', leadsPath]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('every rule reads a field at least 5% of the 40 leads');
    expect(run('rules_print.ts', ['--check', '--rules', rulesFile('fine2', [demo])])).toMatchObject({ code: 0, out: expect.stringContaining('is valid: 1 rule in 1 category') });
  });
});
