/**
 * The sign-in wiring that the server (lib/auth/server.ts), proxy.ts and the browser's sign-in form all
 * need: no secrets, no server imports, safe in any bundle.
 */

/** Better Auth's routes: app/api/auth/[...all]. */
export const AUTH_BASE_PATH = '/api/auth';
/** The OIDC provider's id, as in its callback URL `<AUTH_URL>/api/auth/callback/oidc`. */
export const OIDC_PROVIDER_ID = 'oidc';
/** Session cookies are `leadsignal.session_token` (`__Secure-leadsignal.…` over https). */
export const AUTH_COOKIE_PREFIX = 'leadsignal';
export const SIGN_IN_PATH = '/sign-in';
/** Passwords (AUTH_MODE=password), checked by Better Auth at sign-in and by `npm run auth:add-user`. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * Where to go after signing in: a path on this site, never another origin (`//evil.example`,
 * `/\evil.example` and absolute URLs are open redirects), and never back to the sign-in page.
 */
export function safeReturnPath(value: string | string[] | null | undefined): string {
  const path = Array.isArray(value) ? value[0] : value;
  if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\') || /[\u0000-\u001f]/.test(path)) return '/';
  if (path === SIGN_IN_PATH || path.startsWith(`${SIGN_IN_PATH}?`) || path.startsWith(`${SIGN_IN_PATH}/`)) return '/';
  return path;
}
