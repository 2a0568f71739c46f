import { AppError } from './errors';

/**
 * Refuses a state-changing request another site made (CSRF). Browsers send `Sec-Fetch-Site` and
 * `Origin` with every fetch POST; a page elsewhere cannot forge them. Scripts (curl, the CLIs) send
 * neither and are not refused: they are not a browser a user was tricked into.
 */
export function assertSameOrigin(request: Request): void {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') {
    throw new AppError('FORBIDDEN', `Cross-site request refused (Sec-Fetch-Site: ${site}).`, { safeMessage: 'Requests from other sites are refused.' });
  }
  const origin = request.headers.get('origin');
  if (origin === null) return;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? new URL(request.url).host;
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    // "null" (a sandboxed page) and other non-URLs are not this site.
  }
  if (originHost !== host) {
    throw new AppError('FORBIDDEN', `Cross-origin request refused (Origin ${origin}, host ${host}).`, { safeMessage: 'Requests from other sites are refused.' });
  }
}

/** Refuses a body that is not declared as JSON (a cross-site form cannot send application/json without a preflight). */
export function assertJsonBody(request: Request): void {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(?:;|$)/i.test(type.trim())) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `The body must be JSON (Content-Type: application/json), not "${type || 'none'}".`);
  }
}
