import { AppError, isAppError } from './errors';

/**
 * Turns anything a route handler throws into the app's one error shape, `{ error: { code, message } }`.
 * Clients only ever see `safeMessage`; the message and cause go to the server log.
 */
export function errorResponse(error: unknown, headers?: HeadersInit): Response {
  const appError = isAppError(error)
    ? error
    : new AppError('INTERNAL', 'Unexpected error in a route handler', { safeMessage: 'Something went wrong on the server.', cause: error });
  // Server-side faults are logged with their cause; a client's mistake or a deliberate 503 is not.
  if (appError.status >= 500 && appError.code !== 'LIVE_ENRICH_DISABLED') {
    console.error(`[${appError.code}] ${appError.message}`, appError.cause ?? '');
  }
  return Response.json({ error: { code: appError.code, message: appError.safeMessage } }, { status: appError.status, headers });
}
