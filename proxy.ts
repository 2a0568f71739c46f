import type { NextRequest } from 'next/server';
import { signInGate } from './lib/auth/proxy-gate';

/** Runs before every matched request (Next 16's proxy, formerly middleware). */
export function proxy(request: NextRequest) {
  return signInGate(request);
}

export const config = {
  // Everything but the sign-in page and its API, and static assets (which hold no lead data).
  matcher: ['/((?!api/auth/|sign-in$|_next/static/|_next/image|favicon\\.svg$).*)'],
};
