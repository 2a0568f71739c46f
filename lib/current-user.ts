import 'server-only';
import type { FeedbackAuthor } from './enrichment/feedback';

/**
 * Who is using the dashboard, as SDR feedback records it. Open local access (no sign-in configured) has
 * one user, `LOCAL_USER`. Once sign-in exists, this is where the session is read: return the signed-in
 * user (`key`: the user id), or null for a request without a session, which the feedback route answers
 * with 401 UNAUTHENTICATED. Pages pass `await headers()`, routes `request.headers`.
 */
export const LOCAL_USER: FeedbackAuthor = { key: 'local', email: null, name: null };

export async function currentUser(_headers: Headers): Promise<FeedbackAuthor | null> {
  return LOCAL_USER;
}
