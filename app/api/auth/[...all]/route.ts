import { errorResponse } from '@/lib/api-error';
import { signInRequired } from '@/lib/auth/access';
import { getAuth } from '@/lib/auth/server';
import { AUTH_CLIENT_ADDRESS_HEADER, authClientAddress } from '@/lib/client-ip';
import { authModeOf, env } from '@/lib/env';
import { AppError } from '@/lib/errors';

/** Better Auth's endpoints (sign in, OIDC callback, sign out, session); absent without sign-in. */
async function handle(request: Request): Promise<Response> {
  try {
    const config = env();
    const mode = authModeOf(config);
    if (!signInRequired(mode)) throw new AppError('NOT_FOUND', `Sign-in is not configured on this server (AUTH_MODE=${mode}).`);
    const headers = new Headers(request.headers);
    headers.set(AUTH_CLIENT_ADDRESS_HEADER, authClientAddress(request.headers, config.TRUST_PROXY_HOPS));
    // duplex: a request body is a stream, which undici passes on only when told it is sent half-duplex.
    return await (await getAuth()).handler(new Request(request, { headers, duplex: 'half' } as RequestInit));
  } catch (error) {
    return errorResponse(error);
  }
}

export { handle as GET, handle as POST };
