import { authModeOf, type AuthMode, type Env } from '../env';
import { allows, NOBODY } from './allow-list';

/**
 * Who may do what, decided from the configuration alone (pure: no I/O). The server-side checks in
 * lib/auth/viewer.ts and the sign-in hooks in lib/auth/server.ts ask these questions.
 */

export type AccessEnv = Pick<Env, 'AUTH_MODE' | 'AUTH_OIDC_ISSUER' | 'AUTH_ALLOWED_EMAILS' | 'AUTH_RE_ENRICH_EMAILS'>;

/** Sign-in modes: pages and the API need a signed-in user. The others are open access. */
export function signInRequired(mode: AuthMode): mode is 'oidc' | 'password' {
  return mode === 'oidc' || mode === 'password';
}

/**
 * Whether this email may sign in. OIDC always has a list (the provider may know far more people than
 * should see the leads); with passwords the accounts are made one by one by an admin, so without a list
 * every account may sign in.
 */
export function maySignIn(env: AccessEnv, email: string | null | undefined): boolean {
  if (!signInRequired(authModeOf(env))) return true;
  if (!env.AUTH_ALLOWED_EMAILS) return authModeOf(env) === 'password';
  return allows(env.AUTH_ALLOWED_EMAILS, email);
}

/**
 * Whether this email may re-enrich (each call is paid). Open access on purpose (local or none) leaves
 * it to the rate limit; signed in, only the people on AUTH_RE_ENRICH_EMAILS, and nobody when it is unset.
 */
export function mayReEnrich(env: AccessEnv, email: string | null | undefined): boolean {
  if (!signInRequired(authModeOf(env))) return true;
  return allows(env.AUTH_RE_ENRICH_EMAILS ?? NOBODY, email);
}
