import { errorResponse } from '@/lib/api-error';
import { signInRequired } from '@/lib/auth/access';
import { getAuth } from '@/lib/auth/server';
import { authModeOf, env } from '@/lib/env';
import { AppError } from '@/lib/errors';

/** Better Auth's endpoints (sign in, OIDC callback, sign out, session); absent without sign-in. */
async function handle(request: Request): Promise<Response> {
  try {
    const mode = authModeOf(env());
    if (!signInRequired(mode)) throw new AppError('NOT_FOUND', `Sign-in is not configured on this server (AUTH_MODE=${mode}).`);
    return await (await getAuth()).handler(request);
  } catch (error) {
    return errorResponse(error);
  }
}

export { handle as GET, handle as POST };
