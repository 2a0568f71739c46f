import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLeads } from '@/lib/lead';
import { createPostgresStore } from '@/lib/store/postgres';
import manifest from '../fixtures/fixtures_manifest.json';
import { describePostgres } from '../support/pg';

/** `npm run import` as a user runs it: exit codes, what is written and what is left alone, stdin, --store postgres. */

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const HUBSPOT = path.join(ROOT, 'tests/fixtures/hubspot_export.csv');
const SALESFORCE = path.join(ROOT, 'tests/fixtures/salesforce_export.csv');

function runImport(args: string[], { input, env = {} }: { input?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(TSX, ['--conditions=react-server', path.join(ROOT, 'scripts/import_csv.ts'), ...args], { cwd: ROOT, env: { ...process.env, LEAD_STORE: 'file', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'import-cli-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('npm run import', () => {
  it('imports a file, accounts for its lines, and writes a spreadsheet-safe rejects report', async () => {
    const out = path.join(dir, 'leads.json');
    const { code, stdout } = await runImport([HUBSPOT, '--mapping', 'examples/mapping.example.json', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/lines {16}390 = header 1 \+ 338 rows on 388 lines \+ 1 blank/);
    expect(stdout).toContain('lead table           shows plan_tier, seats (marked "show") when the dashboard runs with LEAD_MAPPING=examples/mapping.example.json');
    expect(parseLeads(JSON.parse(await readFile(out, 'utf8'))).leads).toHaveLength(manifest.hubspot.leads);
    const rejects = await readFile(path.join(dir, 'leads.rejects.csv'), 'utf8');
    expect(rejects).toContain(`218,Marketing emails opened,"'-3",`);
    expect(rejects.split('\n').some((line) => /^\d+,[^,]*,[=+\-@]/.test(line))).toBe(false);
  });

  it('refuses an import that would reject every row: exit 3, the previous leads file untouched, reasons by column', async () => {
    const out = path.join(dir, 'kept.json');
    await writeFile(out, '[{"id":"keep-me"}]\n');
    const bad = path.join(dir, 'nobody.csv');
    await writeFile(bad, 'Email,First Name\nnot-an-email,\n,\nalso bad,\n');
    const { code, stderr } = await runImport([bad, '--mapping', 'hubspot', '--out', out]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/refused, nothing written to .*kept\.json/);
    expect(stderr).toMatch(/2 of 2 rows \(100%\) would be rejected.*\(identity\): 2/);
    expect(await readFile(out, 'utf8')).toBe('[{"id":"keep-me"}]\n');
    expect(await readFile(path.join(dir, 'kept.rejects.csv'), 'utf8')).toContain('not-an-email');
  });

  it('reads standard input for -', async () => {
    const out = path.join(dir, 'stdin.json');
    const { code, stdout } = await runImport(['-', '--mapping', 'salesforce', '--out', out], { input: await readFile(SALESFORCE, 'utf8') });
    expect(code).toBe(0);
    expect(stdout).toContain('from standard input');
    expect(parseLeads(JSON.parse(await readFile(out, 'utf8'))).leads).toHaveLength(manifest.salesforce.leads);
  });

  it('reads a Windows-1252 export with --encoding windows-1252', async () => {
    const file = path.join(dir, 'windows.csv');
    await writeFile(file, Buffer.concat([Buffer.from('Lead ID;Last Name;Company;Converted\r\n1;'), Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]), Buffer.from(';Caf'), Buffer.from([0xe9, 0x20, 0x80]), Buffer.from(';1\r\n')]));
    const out = path.join(dir, 'windows.json');
    const refused = await runImport([file, '--mapping', 'salesforce', '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not valid UTF-8.*--encoding windows-1252/);
    const { code } = await runImport([file, '--mapping', 'salesforce', '--out', out, '--encoding', 'windows-1252']);
    expect(code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual([{ id: '1', last_name: 'Müller', company_name: 'Café €', converted: true }]);
  });

  it('a bad flag is one clear line and exit 2; --help lists the flags and exit codes', async () => {
    for (const args of [['x.csv', '--mapping', 'hubspot', '--delimiter', 'colon'], ['x.csv', '--mapping', 'hubspot', '--bogus'], ['x.csv'], ['a.csv', 'b.csv', '--mapping', 'hubspot']]) {
      const { code, stderr } = await runImport(args);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^import: .*; see npm run import -- --help\n$/);
    }
    const help = await runImport(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--max-reject-rate/);
    expect(help.stdout).toMatch(/^Exit codes:\n {2}0 +done\n {2}1 +failed.*\n {2}2 +bad usage.*\n {2}3 +refused/m);
  });

  it('--json prints the report with every line accounted for', async () => {
    const { code, stdout } = await runImport([SALESFORCE, '--mapping', 'salesforce', '--out', path.join(dir, 'json.json'), '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { lines: { lines: number; headerLines: number; rowLines: number; blankLines: number }; leads: number; failure: null };
    expect(report.leads).toBe(manifest.salesforce.leads);
    expect(report.lines.headerLines + report.lines.rowLines + report.lines.blankLines).toBe(report.lines.lines);
    expect(report.failure).toBeNull();
  });
});

describePostgres('npm run import --store postgres', (db) => {
  it('scores and upserts the leads straight into PostgreSQL, and a rerun keeps them, updated in place', async () => {
    const env = { DATABASE_URL: db().url, SCORING_AS_OF: '2026-11-01T00:00:00Z' };
    const first = await runImport([SALESFORCE, '--mapping', 'salesforce', '--store', 'postgres', '--rejects', path.join(dir, 'pg.rejects.csv')], { env });
    expect(first.stderr).not.toMatch(/failed/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`stored {15}${manifest.salesforce.leads} leads in postgres`));
    const store = createPostgresStore({ DATABASE_URL: db().url, SCORING_RULES: undefined });
    try {
      const summary = await store.summary();
      expect(summary.total).toBe(manifest.salesforce.leads);
      const golden = manifest.salesforce.golden[0]!.lead;
      expect((await store.getLead(golden.id))!.lead).toEqual(golden);
      const second = await runImport([SALESFORCE, '--mapping', 'salesforce', '--store', 'postgres', '--rejects', path.join(dir, 'pg.rejects.csv')], { env });
      expect(second.code).toBe(0);
      expect((await store.summary()).total).toBe(manifest.salesforce.leads);
    } finally {
      await store.close?.();
    }
    const flagClash = await runImport([SALESFORCE, '--mapping', 'salesforce', '--store', 'postgres', '--out', 'x.json'], { env });
    expect(flagClash.code).toBe(2);
    expect(flagClash.stderr).toMatch(/--out is the leads file of --store file/);
  }, 120_000);
});
