import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatHelp, sharedFlags, type Command } from '@/scripts/cli';

/**
 * Every `npm run` command, run as a user runs it (tsx, as package.json does), keeps the CLI convention:
 * `--help` prints the help generated from its declaration and exits 0; a bad flag is one line naming it,
 * exit 2, no stack trace, nothing done. The commands are read from package.json, so a new one is covered.
 */

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

const commands = Object.entries(scripts).flatMap(([name, line]) => {
  const file = /^tsx\b.*\s(scripts\/\S+\.ts)$/.exec(line)?.[1];
  return file ? [{ name, file }] : [];
});

/**
 * Runs a command from an empty directory, without a database or API key, and stops it after 20 s: were
 * parsing ever broken, the command could do nothing to this checkout and would not run on for minutes.
 */
async function run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'cli-command-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LEAD_STORE: 'file' };
  for (const name of ['DATABASE_URL', 'SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY', 'ANTHROPIC_API_KEY']) delete env[name];
  const child = spawn(TSX, ['--conditions=react-server', path.join(ROOT, file), ...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  await rm(cwd, { recursive: true, force: true });
  return { code, stdout, stderr };
}

async function declaration(file: string): Promise<Command> {
  return ((await import(pathToFileURL(path.join(ROOT, file)).href)) as { default: Command }).default;
}

const NO_STACK = /^\s+at /m;

it('finds the commands in package.json', () => {
  expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(['data:generate', 'import', 'enrich', 'validate', 'rules:print', 'db:migrate', 'db:seed', 'rescore', 'bench', 'docs']));
});

describe.concurrent.each(commands)('npm run $name', ({ name, file }) => {
  it('declares itself under its npm script name', async () => {
    expect((await declaration(file)).name).toBe(name);
  });

  it('--help: exit 0, the help generated from its declaration, every flag and exit code listed', async () => {
    const command = await declaration(file);
    const { code, stdout, stderr } = await run(file, ['--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`${formatHelp(command)}\n`);
    expect(stdout).toMatch(new RegExp(`^Usage: npm run ${name}\\b`));
    for (const flag of Object.keys(command.flags)) expect(stdout).toMatch(new RegExp(`^  --${flag}\\b`, 'm'));
    expect(stdout).toMatch(/^Exit codes:\n {2}0 +done\n(.*\n)* {2}2 +bad usage/m);
  });

  it('an unknown flag: exit 2, one line naming it, no stack trace, nothing on stdout', async () => {
    const { code, stdout, stderr } = await run(file, ['--no-such-flag']);
    expect(code).toBe(2);
    expect(stderr).toBe(`${name}: unknown flag --no-such-flag; see npm run ${name} -- --help\n`);
    expect(stderr).not.toMatch(NO_STACK);
    expect(stdout).toBe('');
  });

  it('a flag left without its value: exit 2, one line naming it', async () => {
    const command = await declaration(file);
    const flag = Object.entries(command.flags).find(([, f]) => f.value);
    if (!flag) return; // takes no value flag (db:migrate, docs): the unknown-flag case covers it
    const { code, stderr } = await run(file, [`--${flag[0]}`]);
    expect(code).toBe(2);
    expect(stderr).toBe(`${name}: --${flag[0]} needs a value (${flag[1].value}); see npm run ${name} -- --help\n`);
  });
});

it('Ctrl-C: exit 130 (as tsx reports a SIGINT), and no file is left behind', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'cli-interrupt-'));
  try {
    const out = path.join(dir, 'leads.json');
    const child = spawn(TSX, ['--conditions=react-server', 'scripts/generate_leads.ts', '--count', '5000000', '--out', out], { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await expect.poll(() => stderr, { timeout: 20_000, interval: 50 }).toMatch(/^\[data:generate\] [\d,]+\/5,000,000/);
    process.kill(-child.pid!, 'SIGINT'); // to the group, as a terminal does
    expect(await closed).toBe(130);
    expect(await readdir(dir)).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('shared flags', () => {
  // Values that tell the shared flags' schemas apart: paths, store kinds, dates, a switch, absence.
  const PROBES = [undefined, true, '', 'a.json', 'mysql', 'file', 'postgres', 'supabase', 'now', '2026-12-01', 'yesterday'];

  it('a command with a shared flag name keeps its placeholder and accepts no value the shared flag rejects', async () => {
    for (const { file } of commands) {
      const command = await declaration(file);
      for (const [name, shared] of Object.entries(sharedFlags)) {
        const flag = command.flags[name];
        if (!flag) continue;
        // A command may word the help for itself or narrow the values (db:seed's --store), never widen them.
        expect(flag.value, `${command.name} --${name}`).toBe(shared.value);
        for (const probe of PROBES) if (flag.schema.safeParse(probe).success) expect(shared.schema.safeParse(probe).success, `${command.name} --${name} ${String(probe)}`).toBe(true);
      }
    }
  });

  it('the README’s "Command-line tools" section lists every command and the exit codes', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## Command-line tools');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    expect(start).toBeGreaterThan(0);
    for (const name of Object.keys(scripts).filter((s) => /^tsx\b/.test(scripts[s]!))) expect(section).toContain(`npm run ${name}`);
    for (const flag of Object.keys(sharedFlags)) expect(section).toContain(`--${flag}`);
    for (const code of ['0', '1', '2', '130']) expect(section).toMatch(new RegExp(`\\| ${code} \\|`));
  });
});
