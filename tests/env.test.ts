import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** Loads lib/env.ts in a fresh tsx process (as the CLIs do, or without their react-server condition); resolves with its output. */
async function loadEnvModule(conditions: string[]): Promise<{ ok: boolean; output: string }> {
  const script = "import('./lib/env.ts').then((m) => console.log('loaded', typeof m.parseEnv))";
  try {
    const { stdout } = await promisify(execFile)(TSX, [...conditions, '-e', script], { cwd: ROOT });
    return { ok: true, output: stdout };
  } catch (error) {
    return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
  }
}

describe('env schema', () => {
  it('defaults to the zero-setup file store with live enrichment on, 5 per hour', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ LEAD_STORE: 'file', ENRICH_LIVE_ENABLED: true, ENRICH_RATE_LIMIT: 5, ENRICH_RATE_WINDOW: 3600 });
    expect(env.ANTHROPIC_MODEL).not.toBe('claude-sonnet-4-20250514');
  });

  it('treats blank values as unset', () => {
    expect(parseEnv({ ANTHROPIC_API_KEY: '  ', DATABASE_URL: '' }).ANTHROPIC_API_KEY).toBeUndefined();
  });

  it.each([
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['1d', 86_400],
    ['120', 120],
  ])('reads the rate window %s as %i seconds', (value, seconds) => {
    expect(parseEnv({ ENRICH_RATE_WINDOW: value }).ENRICH_RATE_WINDOW).toBe(seconds);
  });

  it('names the missing variable for the chosen store', () => {
    expect(() => parseEnv({ LEAD_STORE: 'postgres' })).toThrow(/DATABASE_URL is required when LEAD_STORE=postgres/);
    expect(() => parseEnv({ LEAD_STORE: 'supabase', SUPABASE_URL: 'https://x.supabase.co' })).toThrow(/SUPABASE_SERVICE_ROLE_KEY is required/);
  });

  it('refuses a rate window of 0 (it would turn the limit off) or anything under a second', () => {
    for (const value of ['0', '0s', '0.4', '0m']) expect(() => parseEnv({ ENRICH_RATE_WINDOW: value }), value).toThrow(/ENRICH_RATE_WINDOW: must be at least 1 second/);
    expect(parseEnv({ ENRICH_RATE_WINDOW: '1' }).ENRICH_RATE_WINDOW).toBe(1);
  });

  it('trusts no proxy by default, and refuses the removed ENRICH_CLIENT_IP_HEADER naming its replacement', () => {
    expect(parseEnv({}).TRUST_PROXY_HOPS).toBe(0);
    expect(parseEnv({ TRUST_PROXY_HOPS: '2' }).TRUST_PROXY_HOPS).toBe(2);
    expect(() => parseEnv({ TRUST_PROXY_HOPS: '-1' })).toThrow(/TRUST_PROXY_HOPS/);
    expect(() => parseEnv({ TRUST_PROXY_HOPS: '1.5' })).toThrow(/TRUST_PROXY_HOPS/);
    expect(() => parseEnv({ ENRICH_CLIENT_IP_HEADER: 'x-real-ip' })).toThrow(/ENRICH_CLIENT_IP_HEADER: was removed: set TRUST_PROXY_HOPS/);
  });

  it('has a daily live budget by default, and refuses one that is not positive', () => {
    expect(parseEnv({})).toMatchObject({ ENRICH_LIVE_DAILY_LIMIT: 200, ENRICH_LIVE_DAILY_USD: 5 });
    expect(parseEnv({ ENRICH_LIVE_DAILY_USD: '0.25' }).ENRICH_LIVE_DAILY_USD).toBe(0.25);
    expect(() => parseEnv({ ENRICH_LIVE_DAILY_LIMIT: '0' })).toThrow(/ENRICH_LIVE_DAILY_LIMIT/);
    expect(() => parseEnv({ ENRICH_LIVE_DAILY_USD: '0' })).toThrow(/ENRICH_LIVE_DAILY_USD/);
  });

  it('rejects bad values with the variable name', () => {
    expect(() => parseEnv({ LEAD_STORE: 'mongo' })).toThrow(/LEAD_STORE/);
    expect(() => parseEnv({ ENRICH_LIVE_ENABLED: 'maybe' })).toThrow(/ENRICH_LIVE_ENABLED/);
    expect(() => parseEnv({ SCORING_AS_OF: 'yesterday-ish' })).toThrow(/SCORING_AS_OF/);
  });
});

describe('the env module (it holds the secrets)', () => {
  it('is server-only: outside a server bundle it refuses to load, under the CLIs\' react-server condition it loads', async () => {
    const [client, cli] = await Promise.all([loadEnvModule([]), loadEnvModule(['--conditions=react-server'])]);
    expect(client.ok).toBe(false);
    expect(client.output).toMatch(/cannot be imported from a Client Component/);
    expect(cli).toEqual({ ok: true, output: 'loaded function\n' });
  });
});
