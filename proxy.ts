import { NextResponse, type NextRequest } from 'next/server';
import { signInGate } from './lib/auth/proxy-gate';
import { SIGN_IN_PATH } from './lib/auth/client-safe';
import { contentSecurityPolicy, newNonce } from './lib/security-headers';

/**
 * Runs before every page (Next 16's proxy, formerly middleware): refuses an address that does not decode,
 * turns away a visitor without a session when sign-in is configured, and gives the page its
 * Content-Security-Policy with a fresh nonce.
 *
 * Not for the API: a matched POST has its body copied into memory for the proxy (up to 10 MB) and read to
 * the end before the route runs, which would undo the route's streaming body limit. The API checks the
 * session itself (401), as every page does too; the proxy's gate is only the early turn-away.
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

export function proxy(request: NextRequest): Response {
  if (!decodes(request.nextUrl.pathname)) {
    return new NextResponse('Bad request: the address has a broken %-escape (not UTF-8).\n', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  if (request.nextUrl.pathname !== SIGN_IN_PATH) {
    const turnedAway = signInGate(request);
    if (turnedAway) return turnedAway;
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
  // Everything but the API (see above) and static assets, which hold no lead data and run no inline script.
  matcher: ['/((?!api/|_next/static/|_next/image|favicon\\.svg$).*)'],
};
