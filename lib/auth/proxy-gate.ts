import { getSessionCookie } from 'better-auth/cookies';
import { NextResponse, type NextRequest } from 'next/server';
import { authModeOf, env } from '../env';
import { signInRequired } from './access';
import { AUTH_COOKIE_PREFIX, SIGN_IN_PATH } from './client-safe';

/**
 * proxy.ts's early turn-away when sign-in is configured: a page request without a session cookie goes to
 * the sign-in page. Only the cookie's presence is checked here; whether the session is valid, and whose it
 * is, is checked server-side by every page and route (lib/auth/viewer.ts), which is also what answers the
 * API with 401 (the proxy does not run for the API: see proxy.ts). Returns undefined to let the request through.
 */
export function signInGate(request: NextRequest): Response | undefined {
  if (!signInRequired(authModeOf(env()))) return undefined;
  if (getSessionCookie(request, { cookiePrefix: AUTH_COOKIE_PREFIX })) return undefined;
  const { pathname, search } = request.nextUrl;
  const target = new URL(SIGN_IN_PATH, request.url);
  if (pathname !== '/') target.searchParams.set('next', `${pathname}${search}`);
  return NextResponse.redirect(target);
}
