import { createAuthClient } from 'better-auth/client';
import { AUTH_BASE_PATH } from '@/lib/auth/client-safe';

/** Better Auth's browser client: talks to /api/auth on this origin (sign in, sign out). */
export const authClient = createAuthClient({ basePath: AUTH_BASE_PATH });
