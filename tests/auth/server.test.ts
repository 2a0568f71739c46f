import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getMigrations } from 'better-auth/db/migration';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAccounts, removeAccount, setPasswordAccount } from '@/lib/auth/accounts';
import { authOptions, openAuth, type OpenedAuth } from '@/lib/auth/server';
import { lookUpViewer } from '@/lib/auth/viewer';
import { parseEnv, type Env } from '@/lib/env';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/pg';

/**
 * Better Auth as the server runs it (lib/auth/server.ts), driven through its own HTTP handler with
 * plain Requests: password sign-in, the allow-lists, sessions, sign-out; users in a SQLite file, and in
 * real PostgreSQL under the repo's migrations.
 */

const AUTH_URL = 'http://127.0.0.1:3999';
const PASSWORD = 'correct horse battery';

function passwordEnv(extra: Record<string, string>): Env {
  return parseEnv({ AUTH_MODE: 'password', AUTH_SECRET: 'test-secret-'.repeat(4), AUTH_URL, ...extra });
}

async function signIn(opened: OpenedAuth, email: string, password = PASSWORD): Promise<Response> {
  return opened.auth.handler(
    new Request(`${AUTH_URL}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: AUTH_URL },
      body: JSON.stringify({ email, password }),
    }),
  );
}

/** The session cookie a response set, as a Cookie header. */
function cookieOf(response: Response): string {
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const session = cookies.find((c) => c.startsWith('leadsignal.session_token='));
  if (!session) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`);
  return session;
}

/** The contract every user database meets: the same checks on SQLite and on PostgreSQL. */
function signInContract(setup: () => { env: (extra?: Record<string, string>) => Env }) {
  let opened: OpenedAuth;
  let config: Env;
  const auth = async () => opened.auth;
  beforeEach(async () => {
    config = setup().env({ AUTH_RE_ENRICH_EMAILS: 'ops@acme.test' });
    opened = await openAuth(config);
    await setPasswordAccount(opened.auth, config, { email: 'Ada@Acme.test', password: PASSWORD });
    await setPasswordAccount(opened.auth, config, { email: 'ops@acme.test', password: PASSWORD });
  });
  afterEach(async () => {
    for (const email of ['ada@acme.test', 'ops@acme.test']) await removeAccount(opened.auth, email).catch(() => {});
    await opened.close();
  });

  it('signs in with the right password only, and the session says who it is and what they may do', async () => {
    expect((await signIn(opened, 'ada@acme.test', 'wrong password!!')).status).toBe(401);
    const response = await signIn(opened, 'ADA@acme.test');
    expect(response.status).toBe(200);
    const headers = new Headers({ cookie: cookieOf(response) });
    expect(await lookUpViewer(headers, config, auth)).toMatchObject({ kind: 'user', email: 'ada@acme.test', canReEnrich: false });
    const ops = new Headers({ cookie: cookieOf(await signIn(opened, 'ops@acme.test')) });
    expect(await lookUpViewer(ops, config, auth)).toMatchObject({ kind: 'user', email: 'ops@acme.test', canReEnrich: true });
    expect(await lookUpViewer(new Headers(), config, auth)).toEqual({ kind: 'signed-out' });
    expect(await lookUpViewer(new Headers({ cookie: 'leadsignal.session_token=forged.value' }), config, auth)).toEqual({ kind: 'signed-out' });
  });

  it('has no public sign-up', async () => {
    const response = await opened.auth.handler(
      new Request(`${AUTH_URL}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: AUTH_URL },
        body: JSON.stringify({ email: 'mallory@evil.test', password: PASSWORD, name: 'M' }),
      }),
    );
    expect(response.status).toBe(400);
    expect((await listAccounts(opened.auth, config)).map((a) => a.email)).toEqual(['ada@acme.test', 'ops@acme.test']);
  });

  it('refuses a session to an account no longer on AUTH_ALLOWED_EMAILS, and treats its old session as refused', async () => {
    const before = new Headers({ cookie: cookieOf(await signIn(opened, 'ada@acme.test')) });
    const narrowed = setup().env({ AUTH_ALLOWED_EMAILS: 'ops@acme.test' });
    const reopened = await openAuth(narrowed);
    try {
      const refused = await signIn(reopened, 'ada@acme.test');
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'NOT_ALLOWED' });
      expect(await lookUpViewer(before, narrowed, async () => reopened.auth)).toEqual({ kind: 'refused', email: 'ada@acme.test' });
      expect((await signIn(reopened, 'ops@acme.test')).status).toBe(200);
    } finally {
      await reopened.close();
    }
  });

  it('signs out: the session is gone from the database, not just the browser', async () => {
    const cookie = cookieOf(await signIn(opened, 'ada@acme.test'));
    const out = await opened.auth.handler(new Request(`${AUTH_URL}/api/auth/sign-out`, { method: 'POST', headers: { cookie, origin: AUTH_URL } }));
    expect(out.status).toBe(200);
    expect(await lookUpViewer(new Headers({ cookie }), config, auth)).toEqual({ kind: 'signed-out' });
  });

  it('a new password signs the account out everywhere; removing it does too', async () => {
    const cookie = cookieOf(await signIn(opened, 'ada@acme.test'));
    await setPasswordAccount(opened.auth, config, { email: 'ada@acme.test', password: 'another long password', reset: true });
    expect(await lookUpViewer(new Headers({ cookie }), config, auth)).toEqual({ kind: 'signed-out' });
    expect((await signIn(opened, 'ada@acme.test')).status).toBe(401);
    const again = cookieOf(await signIn(opened, 'ada@acme.test', 'another long password'));
    await removeAccount(opened.auth, 'ada@acme.test');
    expect(await lookUpViewer(new Headers({ cookie: again }), config, auth)).toEqual({ kind: 'signed-out' });
  });

  it('refuses duplicate accounts, short passwords, and addresses the allow-list would refuse, naming them', async () => {
    await expect(setPasswordAccount(opened.auth, config, { email: 'ada@acme.test', password: PASSWORD })).rejects.toThrow(/ada@acme.test already has an account/);
    await expect(setPasswordAccount(opened.auth, config, { email: 'bob@acme.test', password: 'short' })).rejects.toThrow(/5 characters; it needs 12/);
    const narrowed = setup().env({ AUTH_ALLOWED_EMAILS: '@acme.test' });
    await expect(setPasswordAccount(opened.auth, narrowed, { email: 'eve@evil.test', password: PASSWORD })).rejects.toThrow(/eve@evil.test is not on AUTH_ALLOWED_EMAILS/);
    await expect(removeAccount(opened.auth, 'nobody@acme.test')).rejects.toThrow(/No account nobody@acme.test/);
  });
}

describe('sign-in with users in a SQLite file (the file store)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-auth-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  signInContract(() => ({ env: (extra = {}) => passwordEnv({ ENRICHMENTS_PATH: path.join(dir, 'enrichments.json'), ...extra }) }));

  it('keeps the file beside the data, readable by the server only, and its users across restarts', async () => {
    const config = passwordEnv({ ENRICHMENTS_PATH: path.join(dir, 'data', 'enrichments.json') });
    const first = await openAuth(config);
    await setPasswordAccount(first.auth, config, { email: 'kept@acme.test', password: PASSWORD });
    await first.close();
    const file = path.join(dir, 'data', 'auth.sqlite');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await openAuth(config);
    try {
      expect((await listAccounts(second.auth, config)).map((a) => a.email)).toEqual(['kept@acme.test']);
      expect((await signIn(second, 'kept@acme.test')).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describePostgres('sign-in with users in PostgreSQL (a database store with DATABASE_URL)', (db) => {
  signInContract(() => ({ env: (extra = {}) => passwordEnv({ LEAD_STORE: 'postgres', DATABASE_URL: db().url, ...extra }) }));

  it('the migration creates exactly the tables and columns Better Auth expects', async () => {
    const config = passwordEnv({ LEAD_STORE: 'postgres', DATABASE_URL: db().url });
    const oidc = parseEnv({
      AUTH_MODE: 'oidc',
      AUTH_OIDC_ISSUER: 'https://idp.example',
      AUTH_OIDC_CLIENT_ID: 'c',
      AUTH_OIDC_CLIENT_SECRET: 's',
      AUTH_ALLOWED_EMAILS: '*',
      AUTH_RE_ENRICH_EMAILS: '*',
      AUTH_SECRET: 'test-secret-'.repeat(4),
      AUTH_URL,
      LEAD_STORE: 'postgres',
      DATABASE_URL: db().url,
    });
    for (const env of [config, oidc]) {
      const plan = await getMigrations(authOptions(env, { kind: 'postgres', sql: db().sql, close: async () => {} }));
      expect({ created: plan.toBeCreated, added: plan.toBeAdded, indexes: plan.toBeAddedIndexes, problems: plan.schemaProblems }).toEqual({
        created: [],
        added: [],
        indexes: [],
        problems: [],
      });
    }
  });

  describe('before npm run db:migrate', () => {
    let bare: TestDatabase;
    beforeAll(async () => {
      bare = await createTestDatabase({ migrated: false });
    }, 60_000);
    afterAll(async () => {
      await bare?.drop();
    });

    it('refuses to start, naming the command, and creates nothing', async () => {
      const config = passwordEnv({ LEAD_STORE: 'postgres', DATABASE_URL: bare.url });
      await expect(openAuth(config)).rejects.toMatchObject({ code: 'CONFIG_ERROR', message: expect.stringContaining('Run npm run db:migrate') });
      const [row] = await bare.sql<{ schema: string | null }[]>`select to_regnamespace('leadsignal_auth')::text as schema`;
      expect(row).toEqual({ schema: null });
    });
  });
});
