import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startNext } from '../../scripts/next-server';
import { envSchema } from '../../lib/env';

/**
 * Where the server may listen, checked for real: `next start` (and `npm start`) on the production
 * build, bound to every interface or to loopback, with and without sign-in. Only 127.0.0.1 is ever
 * connected to; a refused server exits before it answers anything.
 */

const ROOT = path.resolve(__dirname, '../..');
const baseUrl = inject('baseUrl');
let dataDir: string;
let data: Record<string, string>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-startup-'));
  await copyFile(path.resolve('data/synthetic_leads.json'), path.join(dataDir, 'leads.json'));
  data = { LEADS_PATH: path.join(dataDir, 'leads.json'), ENRICHMENTS_PATH: path.join(dataDir, 'enrichments.json') };
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const REFUSAL = /\[leadsignal\] Refusing to start: no sign-in is configured, so the server may only listen on this machine \(127\.0\.0\.1\), but it listens on (0\.0\.0\.0|::) \(every interface\)/;

describe('start-up without sign-in', () => {
  it('refuses to listen on 0.0.0.0', async () => {
    await expect(startNext(data, { host: '0.0.0.0' })).rejects.toThrow(REFUSAL);
  });

  it('refuses a bare `next start`, which listens on every interface', async () => {
    await expect(startNext(data, { host: null })).rejects.toThrow(REFUSAL);
  });

  it('starts on 0.0.0.0 with AUTH_MODE=none, saying so at start and in the header', async () => {
    const server = await startNext({ ...data, AUTH_MODE: 'none' }, { host: '0.0.0.0' });
    try {
      expect(server.output()).toContain('[leadsignal] WARNING AUTH_MODE=none: no sign-in, and the server listens on 0.0.0.0 (every interface). Anyone who can reach it');
      const html = await (await fetch(`${server.url}/`)).text();
      expect(html).toContain('open access, no sign-in (AUTH_MODE=none)');
    } finally {
      await server.stop();
    }
  });

  it('the suite server (127.0.0.1, no sign-in) says "open access, this machine only" in the header', async () => {
    const html = await (await fetch(`${baseUrl}/`)).text();
    expect(html).toContain('open access, this machine only');
    expect(html).not.toContain('Sign out');
  });
});

describe('start-up with a misconfigured environment (the env schema runs at start)', () => {
  it('refuses to start when the chosen store lacks its variable, naming it, before any request', async () => {
    await expect(startNext({ ...data, LEAD_STORE: 'postgres' })).rejects.toThrow(/\[leadsignal\] Invalid configuration: DATABASE_URL: DATABASE_URL is required when LEAD_STORE=postgres/);
  });

  it('refuses to start with a malformed value, naming the variable', async () => {
    await expect(startNext({ ...data, ENRICH_RATE_WINDOW: 'soon' })).rejects.toThrow(/\[leadsignal\] Invalid configuration: ENRICH_RATE_WINDOW: must be seconds or a duration/);
  });
});

describe('start-up with sign-in', () => {
  it('listens on 0.0.0.0 with AUTH_MODE=password', async () => {
    const port = await freePort();
    const server = await startNext(
      { ...data, AUTH_MODE: 'password', AUTH_SECRET: 'startup-test-secret-'.repeat(3), AUTH_URL: `http://127.0.0.1:${port}`, AUTH_DB_PATH: path.join(dataDir, 'auth.sqlite') },
      { host: '0.0.0.0', port },
    );
    try {
      expect(server.output()).toContain('[leadsignal] sign-in: email and password');
      const response = await fetch(`${server.url}/`, { redirect: 'manual' });
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toMatch(/\/sign-in$/);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start with an incomplete sign-in configuration, naming the variable', async () => {
    await expect(startNext({ ...data, AUTH_MODE: 'password' })).rejects.toThrow(/\[leadsignal\] Invalid configuration: AUTH_SECRET: AUTH_SECRET is required when AUTH_MODE=password/);
  });
});

describe('npm start', () => {
  /** `npm start` as a person runs it, with HOST/PORT; resolves with its exit or once it answers. */
  async function npmStart(extra: Record<string, string>): Promise<{ answered: boolean; code: number | null; output: string }> {
    const port = await freePort();
    const appVars = new Set(Object.keys(envSchema.shape));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !appVars.has(k) && !k.startsWith('VITEST')));
    const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...env, ...data, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PORT: String(port), ...extra }, detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 60_000;
    try {
      while (Date.now() < deadline) {
        const code = await Promise.race([exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 250))]);
        if (code !== 'running') return { answered: false, code, output };
        const ok = await fetch(`http://127.0.0.1:${port}/api/enrich`).then((r) => r.status < 500, () => false);
        if (ok) return { answered: true, code: null, output };
      }
      throw new Error(`npm start neither answered nor exited:\n${output}`);
    } finally {
      if (child.exitCode === null) {
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
    }
  }

  it('listens on 127.0.0.1 by default and serves the dashboard', async () => {
    const run = await npmStart({});
    expect(run.answered, run.output).toBe(true);
    expect(run.output).toContain('[leadsignal] open access (no sign-in), this machine only');
  });

  it('refuses HOST=0.0.0.0 without sign-in, with one clear line and exit code 1', async () => {
    const run = await npmStart({ HOST: '0.0.0.0' });
    expect(run.answered).toBe(false);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(REFUSAL);
  });
});
