import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNext, type NextServer } from '../../scripts/next-server';
import { startIdentityProvider, type FakeIdentityProvider } from '../support/oidc-provider';
import { launchBrowser, screenshot, type BrowserSession } from './browser';

/**
 * Sign-in in the browser, on the production build: a real OpenID Connect provider on loopback
 * (oidc-provider) for AUTH_MODE=oidc, and an account made with the real `npm run auth:add-user` CLI for
 * AUTH_MODE=password. Each describe starts its own `next start` with sign-in configured; the suite's
 * shared server (open access) is not used here.
 */

const ROOT = path.resolve(__dirname, '../..');
const SECRET = 'e2e-sign-in-secret-'.repeat(3);

let leads: { id: string; first_name?: string; last_name?: string }[];
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-auth-'));
  await copyFile(path.resolve('data/synthetic_leads.json'), path.join(dataDir, 'leads.json'));
  leads = JSON.parse(await readFile(path.join(dataDir, 'leads.json'), 'utf8')) as typeof leads;
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function dataEnv(name: string): Record<string, string> {
  return { LEADS_PATH: path.join(dataDir, 'leads.json'), ENRICHMENTS_PATH: path.join(dataDir, `${name}-enrichments.json`), AUTH_DB_PATH: path.join(dataDir, `${name}-auth.sqlite`) };
}

/** The lead page's name for a lead, as the page shows it. */
const nameOf = (lead: (typeof leads)[number]) => [lead.first_name, lead.last_name].filter(Boolean).join(' ');

async function apiEnrich(page: Page, leadId: string): Promise<{ status: number; code?: string; message?: string }> {
  return page.evaluate(async (id) => {
    const response = await fetch('/api/enrich', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ leadId: id }) });
    const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    return { status: response.status, code: body.error?.code, message: body.error?.message };
  }, leadId);
}

/** At the provider's own login page: any login name (the email) and password, then consent. */
async function signInAtProvider(page: Page, email: string) {
  await page.getByRole('button', { name: 'Sign in with Acme SSO' }).click();
  await page.getByRole('textbox').first().waitFor();
  expect(new URL(page.url()).port).not.toBe(new URL(appUrl).port);
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

let appUrl = '';

describe('sign-in with OpenID Connect (AUTH_MODE=oidc)', () => {
  let idp: FakeIdentityProvider;
  let server: NextServer;
  let browser: BrowserSession;

  beforeAll(async () => {
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider({ redirectUris: [`${appUrl}/api/auth/callback/oidc`], unverified: ['unverified@acme.test'] });
    server = await startNext(
      {
        ...dataEnv('oidc'),
        AUTH_OIDC_ISSUER: idp.issuer,
        AUTH_OIDC_CLIENT_ID: idp.clientId,
        AUTH_OIDC_CLIENT_SECRET: idp.clientSecret,
        AUTH_OIDC_NAME: 'Acme SSO',
        AUTH_SECRET: SECRET,
        AUTH_URL: appUrl,
        AUTH_ALLOWED_EMAILS: '@acme.test',
        AUTH_RE_ENRICH_EMAILS: 'ops@acme.test',
      },
      { port },
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.close();
  });

  it('said at start-up how sign-in is set up', () => {
    expect(server.output()).toContain(`[leadsignal] sign-in: OpenID Connect (${idp.issuer}); users in ${path.join(dataDir, 'oidc-auth.sqlite')}; may sign in: @acme.test; may re-enrich: ops@acme.test`);
  });

  it('answers the API with 401 and sends pages to sign-in without a session, showing no lead data', async () => {
    const api = await fetch(`${appUrl}/api/enrich`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ leadId: leads[0]!.id }) });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to use LeadSignal.' } });

    const lead = leads[3]!;
    const page = await browser.newPage();
    await page.goto(`${appUrl}/leads/${encodeURIComponent(lead.id)}`);
    await page.getByTestId('sign-in').waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toBe('/sign-in');
    expect(url.searchParams.get('next')).toBe(`/leads/${encodeURIComponent(lead.id)}`);
    const html = await page.content();
    expect(html).not.toContain(nameOf(lead));
    expect(await page.getByTestId('data-source').count()).toBe(0);
    await screenshot(page, 'sign-in-oidc');

    // The proxy is not the only check: a forged cookie gets past it, and the page still refuses.
    await browser.context.addCookies([{ name: 'leadsignal.session_token', value: 'forged.token', url: appUrl }]);
    await page.goto(`${appUrl}/validate`);
    await page.getByTestId('sign-in').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await apiEnrich(page, lead.id)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await browser.context.clearCookies();
    await page.close();
  });

  it('refuses an email outside the allowed domains, and an unverified one, and keeps them signed out', async () => {
    for (const [email, message] of [
      ['mallory@evil.test', 'This account is not on the list of people who may use LeadSignal.'],
      ['unverified@acme.test', 'Your identity provider says this email address is not verified'],
    ] as const) {
      const page = await browser.newPage();
      await page.goto(`${appUrl}/`);
      await signInAtProvider(page, email);
      await page.getByTestId('sign-in-error').waitFor();
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      expect(await page.getByTestId('sign-in-error').textContent()).toContain(message);
      if (email === 'mallory@evil.test') await screenshot(page, 'sign-in-refused');
      await page.goto(`${appUrl}/`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      expect(await apiEnrich(page, leads[0]!.id)).toMatchObject({ status: 401 });
      await page.close();
      await browser.context.clearCookies();
    }
  });

  it('signs an allowed user in, back to the page they asked for; they read leads but may not re-enrich (403, button off)', async () => {
    const lead = leads[5]!;
    const page = await browser.newPage();
    await page.goto(`${appUrl}/leads/${encodeURIComponent(lead.id)}`);
    await signInAtProvider(page, 'sdr@acme.test');
    await page.getByTestId('lead-name').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/leads/${encodeURIComponent(lead.id)}`);
    expect(await page.getByTestId('lead-name').textContent()).toBe(nameOf(lead));
    expect(await page.getByTestId('viewer-email').textContent()).toBe('sdr@acme.test');
    expect(await page.getByTestId('access').count()).toBe(0);

    const button = page.getByTestId('re-enrich');
    expect(await button.isDisabled()).toBe(true);
    expect(await page.getByTestId('re-enrich-status').getAttribute('data-state')).toBe('disabled');
    expect(await page.getByTestId('re-enrich-status').textContent()).toContain('only people on the re-enrich list may do it, and sdr@acme.test is not on it');
    expect(await apiEnrich(page, lead.id)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await screenshot(page, 'lead-signed-in-no-re-enrich');

    await page.goto(`${appUrl}/`);
    expect(await page.getByTestId('lead-row').count()).toBe(50);
    await page.close();
  });

  it('signs out: back to sign-in, and the old session cookie no longer opens anything', async () => {
    const page = await browser.newPage();
    await page.goto(`${appUrl}/`);
    expect(await page.getByTestId('viewer-email').textContent()).toBe('sdr@acme.test');
    const [session] = (await browser.context.cookies(appUrl)).filter((c) => c.name === 'leadsignal.session_token');
    expect(session?.httpOnly).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('sign-in').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.goto(`${appUrl}/validate`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    const replay = await fetch(`${appUrl}/api/enrich`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${session!.name}=${session!.value}` },
      body: JSON.stringify({ leadId: leads[0]!.id }),
    });
    expect(replay.status).toBe(401);
    await page.close();
    await browser.context.clearCookies();
  });

  it('lets a user on the re-enrich list re-enrich', async () => {
    const lead = leads[9]!;
    const page = await browser.newPage();
    await page.goto(`${appUrl}/leads/${encodeURIComponent(lead.id)}`);
    await signInAtProvider(page, 'ops@acme.test');
    const button = page.getByTestId('re-enrich');
    // Enabled once hydrated.
    await expect.poll(() => button.isEnabled()).toBe(true);
    const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/enrich'), button.click()]);
    expect(response.status()).toBe(200);
    await page.locator('[data-testid="re-enrich-status"][data-state="done"]').waitFor();
    await screenshot(page, 'lead-signed-in-re-enriched');
    await page.close();
    await browser.context.clearCookies();
  });
});

describe('sign-in with email and password (AUTH_MODE=password)', () => {
  let server: NextServer;
  let browser: BrowserSession;
  let password = '';
  // No proxy in front (TRUST_PROXY_HOPS=0): whatever X-Forwarded-For a request brings is the client's own word.
  const env = () => ({ ...dataEnv('password'), AUTH_MODE: 'password', AUTH_SECRET: SECRET, AUTH_URL: appUrl, AUTH_RE_ENRICH_EMAILS: '*', TRUST_PROXY_HOPS: '0' });

  beforeAll(async () => {
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    // The first account, made as the README says: npm run auth:add-user.
    const cli = spawn('npm', ['run', '-s', 'auth:add-user', '--', '--email', 'lead@small.test', '--name', 'Team lead'], { cwd: ROOT, env: { ...process.env, LEAD_STORE: 'file', ...env() } });
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await new Promise((resolve) => cli.on('close', resolve)), output).toBe(0);
    password = /password \(shown once, give it to them privately\): (\S+)/.exec(output)?.[1] ?? '';
    expect(password).toHaveLength(20);

    server = await startNext(env(), { port });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('refuses a wrong password, signs in with the right one, and signs out', async () => {
    const page = await browser.newPage();
    await page.goto(`${appUrl}/validate`);
    await page.getByTestId('sign-in').waitFor();
    await page.getByLabel('Email').fill('lead@small.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('sign-in-status').textContent()).toBe('Wrong email or password.');
    await screenshot(page, 'sign-in-password-wrong');

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('viewer-email').waitFor();
    expect(new URL(page.url()).pathname).toBe('/validate');
    expect(await page.getByTestId('viewer-email').textContent()).toBe('lead@small.test');
    await screenshot(page, 'validate-signed-in');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('sign-in').waitFor();
    await page.goto(`${appUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.close();
  });

  it('serves the sign-in button disabled until the page has hydrated (a click before is lost; a submit before would put the password in a URL)', async () => {
    const html = await (await fetch(`${appUrl}/sign-in`)).text();
    const submit = /<button[^>]*data-testid="sign-in-password"[^>]*>/.exec(html)?.[0];
    expect(submit).toMatch(/ disabled=""/);
  });

  /** One password sign-in over HTTP; its status. */
  const attempt = (pass: string, headers: Record<string, string> = {}) =>
    fetch(`${appUrl}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: appUrl, ...headers },
      body: JSON.stringify({ email: 'lead@small.test', password: pass }),
    }).then((r) => r.status);

  it('limits password attempts per client address (3 per 10 s), refusing even the right password meanwhile', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await attempt(`guess number ${i}`));
    expect(statuses.slice(-1)).toEqual([429]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(await attempt(password)).toBe(429);
  });

  it('gives a guesser no fresh bucket for an X-Forwarded-For of its own choosing', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await attempt(`spoofed guess ${i}`, { 'x-forwarded-for': `203.0.113.${10 + i}` }));
    expect(statuses.slice(-1)).toEqual([429]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
  });
});
