import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setPasswordAccount } from '@/lib/auth/accounts';
import { openAuth } from '@/lib/auth/server';
import { parseEnv } from '@/lib/env';
import { sessionCookie } from '../support/sign-in';

/**
 * The live route with sign-in configured (AUTH_MODE=password, users in a SQLite file): who may call it,
 * and whose rate limit a call counts against. Called as Next.js calls it, with sessions made by the
 * app's own sign-in route. Each test gets fresh module state and its own enrichments file.
 */

const AUTH_URL = 'http://127.0.0.1:3999';
const PASSWORD = 'correct horse battery';
const ENV = {
  AUTH_MODE: 'password',
  AUTH_SECRET: 'route-test-secret-'.repeat(3),
  AUTH_URL,
  AUTH_ALLOWED_EMAILS: '@acme.test',
  AUTH_RE_ENRICH_EMAILS: 'ops@acme.test, ops2@acme.test',
  ENRICH_RATE_LIMIT: '2',
  ENRICH_RATE_WINDOW: '1h',
};

let dir: string;
let leadId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-api-auth-'));
  const leads = (JSON.parse(await readFile(path.resolve('data/synthetic_leads.json'), 'utf8')) as { id: string }[]).slice(0, 5);
  leadId = leads[0]!.id;
  await writeFile(path.join(dir, 'leads.json'), JSON.stringify(leads));
  const config = parseEnv({ ...ENV, AUTH_DB_PATH: path.join(dir, 'auth.sqlite') });
  const opened = await openAuth(config);
  // sdr and ops are on the sign-in list; only ops may re-enrich. eve's account predates a narrower list.
  for (const email of ['sdr@acme.test', 'ops@acme.test', 'ops2@acme.test']) await setPasswordAccount(opened.auth, config, { email, password: PASSWORD });
  await opened.close();
  const wider = parseEnv({ ...ENV, AUTH_ALLOWED_EMAILS: '*', AUTH_DB_PATH: config.AUTH_DB_PATH });
  const before = await openAuth(wider);
  await setPasswordAccount(before.auth, wider, { email: 'eve@elsewhere.test', password: PASSWORD });
  await before.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let testIndex = 0;
beforeEach(() => {
  vi.resetModules();
  vi.stubEnv('LEAD_STORE', 'file');
  vi.stubEnv('LEADS_PATH', path.join(dir, 'leads.json'));
  // The users' file sits beside the data: a fixed path, while each test gets fresh enrichments.
  vi.stubEnv('AUTH_DB_PATH', path.join(dir, 'auth.sqlite'));
  vi.stubEnv('ENRICHMENTS_PATH', path.join(dir, `enrichments-${++testIndex}.json`));
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  vi.stubEnv('ANTHROPIC_BASE_URL', '');
  vi.stubEnv('ENRICH_LIVE_ENABLED', 'true');
  vi.stubEnv('TRUST_PROXY_HOPS', '0');
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const signIn = (email: string) => sessionCookie(AUTH_URL, email, PASSWORD);

async function enrich({ cookie, ip = '203.0.113.7' }: { cookie?: string; ip?: string } = {}): Promise<Response> {
  const { POST } = await import('@/app/api/enrich/route');
  return POST(
    new Request(`${AUTH_URL}/api/enrich`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ leadId }),
    }),
  );
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe('POST /api/enrich with sign-in configured', () => {
  it('answers 401 UNAUTHENTICATED without a session, or with a forged one, before reading the body', async () => {
    for (const cookie of [undefined, 'leadsignal.session_token=forged.token']) {
      const response = await enrich({ cookie });
      expect(response.status).toBe(401);
      expect(await errorOf(response)).toEqual({ code: 'UNAUTHENTICATED', message: 'Sign in to use LeadSignal.' });
    }
  });

  it('answers 403 FORBIDDEN to a signed-in user who may not re-enrich, with the reason, and spends nothing', async () => {
    const response = await enrich({ cookie: await signIn('sdr@acme.test') });
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('sdr@acme.test is not on it');
    await expect(readFile(process.env.ENRICHMENTS_PATH!, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('answers 403 to a session whose account is no longer on the sign-in list', async () => {
    vi.stubEnv('AUTH_ALLOWED_EMAILS', '*');
    const cookie = await signIn('eve@elsewhere.test');
    vi.stubEnv('AUTH_ALLOWED_EMAILS', '@acme.test');
    vi.resetModules();
    const response = await enrich({ cookie });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toContain('eve@elsewhere.test is not on the list of people who may use LeadSignal');
  });

  it('lets a user on the re-enrich list enrich, and limits each user on their own, wherever they call from', async () => {
    const ops = await signIn('ops@acme.test');
    const ops2 = await signIn('ops2@acme.test');
    // One person from two addresses shares one bucket of 2...
    expect((await enrich({ cookie: ops, ip: '198.51.100.1' })).status).toBe(200);
    expect((await enrich({ cookie: ops, ip: '198.51.100.2' })).status).toBe(200);
    const limited = await enrich({ cookie: ops, ip: '198.51.100.3' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toMatch(/^\d+$/);
    // ...and another person at the same address has their own.
    expect((await enrich({ cookie: ops2, ip: '198.51.100.1' })).status).toBe(200);
  });
});
