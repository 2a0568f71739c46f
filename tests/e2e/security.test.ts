import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startNext, type NextServer } from '../../scripts/next-server';
import { browserPerFile, DESKTOP } from './browser';

/**
 * Security headers on the real server, every page running under its CSP without a violation, and a page on
 * another site unable to make the live route spend money (finding 3).
 */

const baseUrl = inject('baseUrl');
const session = browserPerFile();
let leadIds: string[];

beforeAll(async () => {
  leadIds = (JSON.parse(await readFile(path.resolve('data/synthetic_leads.json'), 'utf8')) as { id: string }[]).map((l) => l.id);
});

function expectCommonHeaders(response: Response, what: string): void {
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('same-origin');
  expect(response.headers.get('x-frame-options'), what).toBe('DENY');
}

describe('security headers', () => {
  it('on every page: a CSP with a fresh nonce that the page\'s own scripts carry, no framing, nosniff', async () => {
    const nonces = new Set<string>();
    for (const pathname of ['/', `/leads/${leadIds[3]}`, '/validate', '/no/such/page']) {
      const response = await fetch(`${baseUrl}${pathname}`);
      expectCommonHeaders(response, pathname);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, pathname).toContain("frame-ancestors 'none'");
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, pathname).toBeDefined();
      nonces.add(nonce!);
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length, pathname).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, pathname).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(4);
  });

  it('on the API and on static files', async () => {
    const api = await fetch(`${baseUrl}/api/enrich`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(400);
    expectCommonHeaders(api, 'api');
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    const html = await (await fetch(`${baseUrl}/`)).text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    const file = await fetch(new URL(script!, baseUrl));
    expect(file.status).toBe(200);
    expectCommonHeaders(file, script!);
  });

  it('runs the pages under that CSP without a single violation, hydrated (client navigation, charts, re-enrich button)', async () => {
    const page = await session.newPage(DESKTOP);
    await page.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective}: ${e.blockedURI || e.sample}`));
    });
    const violations: string[] = [];
    const collect = async () => violations.push(...(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)));
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('sort-company').click();
    await page.waitForURL(/sort=company/);
    await collect();
    await page.getByTestId('lead-link').first().click();
    await page.getByTestId('breakdown-table').waitFor();
    await expect.poll(() => page.getByTestId('re-enrich').isEnabled()).toBe(true);
    await collect();
    await page.goto(`${baseUrl}/validate`);
    await page.locator('svg.recharts-surface').first().waitFor();
    await collect();
    await page.goto(`${baseUrl}/no/such/page`);
    await collect();
    expect(violations).toEqual([]);
    await page.close();
  });

  it('refuses a malformed %-escape in the address with 400, and a NUL in the search as no search', async () => {
    expect((await fetch(`${baseUrl}/leads/%E9`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/leads/%`)).status).toBe(400);
    const page = await session.newPage(DESKTOP);
    const response = await page.goto(`${baseUrl}/?q=%00`);
    expect(response?.status()).toBe(200);
    await page.getByTestId('lead-table').waitFor();
    expect(await page.getByTestId('error-page').count()).toBe(0);
    await page.close();
  });
});

/** POSTs `size` bytes to the live route, declared up front or streamed chunked; resolves with the answer's status. */
function postLarge(server: string, size: number, { chunked }: { chunked: boolean }): Promise<{ status: number; code: string }> {
  const url = new URL('/api/enrich', server);
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(size) }) };
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(body) as { error: { code: string } }).error.code }));
    });
    // The server answers and closes long before the upload ends: the rest of the upload failing is expected.
    req.on('error', () => {});
    req.on('close', () => reject(new Error('no answer')));
    const chunk = Buffer.alloc(1 << 20, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('the live route on the real server (finding 2)', () => {
  // Its own `next start`: a 413 counts against the client's quota, and on the shared server every request
  // sent without a browser (no address of its own, see browser.ts) is one client, whose quota this would spend.
  let server: NextServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-413-'));
    await copyFile(path.resolve('data/synthetic_leads.json'), path.join(dataDir, 'leads.json'));
    server = await startNext({ LEADS_PATH: path.join(dataDir, 'leads.json'), ENRICHMENTS_PATH: path.join(dataDir, 'enrichments.json') });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a 50 MB body with 413 by its Content-Length, and a 200 MB chunked one while it streams in', async () => {
    expect(await postLarge(server.url, 50 << 20, { chunked: false })).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await postLarge(server.url, 200 << 20, { chunked: true })).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('a page on another site (finding 3)', () => {
  let attacker: Server;
  let attackerUrl: string;

  beforeAll(async () => {
    // What an attacker's page does: a text/plain form post and a no-cors fetch, neither needing a preflight.
    const target = `${baseUrl}/api/enrich`;
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><form id="f" method="post" enctype="text/plain" action="${target}"><input name='{"leadId":"${leadIds[11]}","x":"' value='"}'></form>
        <script>fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ leadId: ${JSON.stringify(leadIds[11])} }) });
        setTimeout(() => document.getElementById('f').submit(), 300);</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, 'localhost', resolve));
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    attacker.closeAllConnections(); // the browser keeps its connection alive; close() would wait for it
    await new Promise((resolve) => attacker.close(resolve));
  });

  it('cannot trigger a live call: both requests are refused and the lead keeps no narrative', async () => {
    const page = await session.newPage(DESKTOP);
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/enrich') statuses.push(r.status());
    });
    await page.goto(attackerUrl);
    await expect.poll(() => statuses.length, { timeout: 10_000 }).toBe(2);
    expect(statuses).toEqual([403, 403]);
    // The form post navigated the page to its refusal: let that navigation finish, or the next one interrupts it.
    await page.waitForURL(`${baseUrl}/api/enrich`);
    await page.goto(`${baseUrl}/leads/${leadIds[11]}`);
    await page.getByTestId('enrichment-none').waitFor();
    await page.close();
  });
});
