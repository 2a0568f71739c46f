import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envSchema, REMOVED_ENV_VARS } from '../lib/env';

/**
 * Build and run the real app (`next build`, `next start`) for browser tests and the dashboard bench.
 * The child gets a clean environment: none of the app's settings leak in from the caller's shell, so a
 * test states everything the server sees.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');

/** Every variable lib/env.ts reads (or refuses as removed): dropped from the inherited environment, then set explicitly. */
const APP_VARS = [...Object.keys(envSchema.shape), ...Object.keys(REMOVED_ENV_VARS)];

function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !APP_VARS.includes(k) && !k.startsWith('NEXT_PUBLIC_') && !k.startsWith('VITEST')));
  return { ...base, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...overrides };
}

export function hasBuild(): boolean {
  return existsSync(path.join(ROOT, '.next/BUILD_ID'));
}

/** A port nobody listens on right now (asked of the OS by listening on port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function collect(child: ChildProcess, limit = 200_000): () => string {
  let output = '';
  const add = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-limit);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => output;
}

/** `next build` with the given environment; resolves with its output, rejects with the tail of it. */
export async function buildNext(env: Record<string, string> = {}, log: (line: string) => void = () => {}): Promise<string> {
  const child = spawn(process.execPath, [NEXT_BIN, 'build'], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  child.stdout?.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((l) => log(l)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output().slice(-6_000)}`);
  return output();
}

export interface NextServer {
  url: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readyTimeoutMs?: number;
  /** Default: a free one. Pick it yourself when the environment must name it (AUTH_URL). */
  port?: number;
  /** `-H`: default 127.0.0.1; null leaves it out (Next then listens on every interface). */
  host?: string | null;
}

/** `next start` on 127.0.0.1 (or `host`) and a free port; resolves once a page answers on 127.0.0.1. */
export async function startNext(env: Record<string, string>, { readyTimeoutMs = 60_000, port: chosenPort, host = '127.0.0.1' }: StartOptions = {}): Promise<NextServer> {
  const port = chosenPort ?? (await freePort());
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), ...(host === null ? [] : ['-H', host])], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  let exited: number | null | undefined;
  const closed = new Promise<void>((resolve) =>
    child.on('close', (code) => {
      exited = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await closed;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`next start exited with ${exited}:\n${output().slice(-4_000)}`);
    try {
      // An app route, not a static file: Next serves public/ files before the app (and its start-up
      // checks in instrumentation.ts) is ready, and the route answers only once they passed (405: GET).
      const response = await fetch(`${url}/api/enrich`, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer within ${readyTimeoutMs} ms:\n${output().slice(-4_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, output, stop };
}
