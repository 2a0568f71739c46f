import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import nextConfig from '@/next.config';
import { config, proxy } from '@/proxy';

/**
 * Security headers as the app sets them: proxy.ts (pages: CSP with a nonce, undecodable paths) and
 * next.config.ts (every response). tests/e2e/security.test.ts checks them on the real server.
 */

const cspOf = (response: Response) => response.headers.get('content-security-policy') ?? '';

describe('proxy', () => {
  it('gives each page a CSP with its own nonce, and hands the same policy to Next on the request', () => {
    const first = proxy(new NextRequest('http://localhost:3000/leads/lead_000001'));
    const second = proxy(new NextRequest('http://localhost:3000/'));
    const nonce = /'nonce-([A-Za-z0-9+/=]{24})'/.exec(cspOf(first))?.[1];
    expect(nonce).toBeDefined();
    expect(cspOf(second)).not.toContain(nonce);
    expect(cspOf(first)).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(cspOf(first)).toContain("frame-ancestors 'none'");
    expect(cspOf(first)).toContain("object-src 'none'");
    expect(cspOf(first)).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    // NextResponse.next({ request: { headers } }) passes overridden request headers this way.
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(cspOf(first));
  });

  it('answers 400 to an address with a broken %-escape instead of letting Next fail with a bare 500', async () => {
    for (const pathname of ['/leads/%', '/leads/%E9', '/leads/%ff', '/%C3']) {
      const response = proxy(new NextRequest(`http://localhost:3000${pathname}`));
      expect(response.status, pathname).toBe(400);
      expect(await response.text()).toMatch(/broken %-escape/);
    }
    expect(proxy(new NextRequest('http://localhost:3000/leads/a%20b')).status).toBe(200);
  });

  it('runs for pages only: the API body must stream to the route untouched, static files need no nonce', () => {
    const source = new RegExp(`^${config.matcher[0]!}$`);
    for (const page of ['/', '/leads/a%20b', '/validate', '/no/such/page', '/sign-in']) expect(source.test(page), page).toBe(true);
    for (const other of ['/api/enrich', '/api/auth/sign-in/email', '/_next/static/chunks/app.js', '/favicon.svg']) expect(source.test(other), other).toBe(false);
  });
});

describe('next.config.ts headers', () => {
  it('sets nosniff, the referrer policy and frame denial on every response, and a CSP that allows nothing on the API', async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === '/:path*')!.headers;
    expect(all).toEqual(
      expect.arrayContaining([
        { key: 'X-Content-Type-Options', value: 'nosniff' },
        { key: 'Referrer-Policy', value: 'same-origin' },
        { key: 'X-Frame-Options', value: 'DENY' },
      ]),
    );
    expect(rules.find((r) => r.source === '/api/:path*')!.headers).toEqual([{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }]);
  });
});
