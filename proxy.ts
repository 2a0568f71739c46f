import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, newNonce } from '@/lib/security-headers';

/**
 * Runs before every page (not the API, whose bodies must stream to the route untouched, nor static files):
 * refuses an address that does not decode, and gives the page its Content-Security-Policy with a fresh nonce.
 */

/** A path Next could not decode used to end in its bare 500 "Internal Server Error"; it is the client's mistake. */
function decodes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

export function proxy(request: NextRequest): NextResponse {
  if (!decodes(request.nextUrl.pathname)) {
    return new NextResponse('Bad request: the address has a broken %-escape (not UTF-8).\n', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  const csp = contentSecurityPolicy(newNonce(), { development: process.env.NODE_ENV === 'development' });
  // On the request, Next reads the nonce from it and puts it on the page's scripts; on the response, the browser enforces it.
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|_next/static/|_next/image|favicon\\.svg).*)',
      // Prefetches render no HTML of their own.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
