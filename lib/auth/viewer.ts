import 'server-only';
import { authModeOf, env, type Env } from '../env';
import { AppError } from '../errors';
import { mayReEnrich, maySignIn, signInRequired } from './access';
import { getAuth, type Auth } from './server';

/**
 * Who is asking: the server-side check behind every page and API call (proxy.ts only turns away
 * requests without a session cookie early; this is the check that counts).
 */

export type Viewer =
  /** No sign-in configured: open access, on this machine only (`local`) or on purpose (`none`). */
  | { kind: 'open'; mode: 'local' | 'none'; canReEnrich: true }
  | { kind: 'user'; id: string; email: string; name: string; canReEnrich: boolean };

export type ViewerLookup =
  | Viewer
  | { kind: 'signed-out' }
  /** A valid session whose email is no longer on AUTH_ALLOWED_EMAILS. */
  | { kind: 'refused'; email: string };

/** `auth`: the Better Auth instance to ask (the process-wide one; tests pass their own). */
export async function lookUpViewer(headers: Headers, config: Env = env(), auth: () => Promise<Auth> = getAuth): Promise<ViewerLookup> {
  const mode = authModeOf(config);
  if (!signInRequired(mode)) return { kind: 'open', mode, canReEnrich: true };
  const session = await (await auth()).api.getSession({ headers });
  if (!session) return { kind: 'signed-out' };
  const { id, email, name } = session.user;
  if (!maySignIn(config, email)) return { kind: 'refused', email };
  return { kind: 'user', id, email, name, canReEnrich: mayReEnrich(config, email) };
}

/** For route handlers: the viewer, or UNAUTHENTICATED (401) / FORBIDDEN (403). */
export async function viewerForRequest(request: Request, config: Env = env()): Promise<Viewer> {
  const viewer = await lookUpViewer(request.headers, config);
  if (viewer.kind === 'signed-out') throw new AppError('UNAUTHENTICATED', 'Sign in to use LeadSignal.');
  if (viewer.kind === 'refused') throw new AppError('FORBIDDEN', `${viewer.email} is not on the list of people who may use LeadSignal.`);
  return viewer;
}

/** The live route's question: may this viewer spend money on a Claude call? */
export function assertMayReEnrich(viewer: Viewer): void {
  if (viewer.canReEnrich) return;
  throw new AppError('FORBIDDEN', reEnrichRefusal(viewer));
}

/** Why the Re-enrich button is off for this viewer (also the 403's message). */
export function reEnrichRefusal(viewer: Viewer): string {
  const who = viewer.kind === 'user' ? viewer.email : 'You';
  return `Re-enriching is a paid Claude call, so only people on the re-enrich list may do it, and ${who} is not on it. Ask your LeadSignal admin (AUTH_RE_ENRICH_EMAILS).`;
}

