import 'server-only';
import { runWithEndpointContext } from '@better-auth/core/context';
import { authModeOf, type Env } from '../env';
import { AppError } from '../errors';
import { mayReEnrich, maySignIn, signInRequired } from './access';
import { openAuth, type Auth, type OpenedAuth } from './server';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './client-safe';

/**
 * Account management for `npm run auth:add-user` / `auth:remove-user` / `auth:users`, through Better
 * Auth's own adapter (so passwords are hashed the way sign-in checks them: scrypt).
 */

/** The sign-in database the server uses, for the account commands; sign-in must be configured. */
export async function openAccounts(config: Env): Promise<OpenedAuth> {
  const mode = authModeOf(config);
  if (!signInRequired(mode)) {
    throw new AppError('CONFIG_ERROR', `Sign-in is not configured (AUTH_MODE=${mode}): set AUTH_MODE=password (or oidc) and its variables, as the server has them; see "Sign-in" in README.md.`);
  }
  return openAuth(config);
}


export interface AccountSummary {
  email: string;
  name: string;
  /** `password`, or the provider id (`oidc`). */
  signsInWith: string[];
  /** Unexpired sessions. */
  sessions: number;
  maySignIn: boolean;
  mayReEnrich: boolean;
  createdAt: string;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('INVALID_INPUT', `The password has ${password.length} characters; it needs ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}.`);
  }
}

/** Password accounts exist only with AUTH_MODE=password; with OIDC, the provider and the allow-list decide. */
export function assertPasswordMode(config: Env): void {
  const mode = authModeOf(config);
  if (mode !== 'password') {
    throw new AppError('CONFIG_ERROR', `AUTH_MODE=${mode}: people sign in with your identity provider, so there are no passwords to add. Who may sign in is AUTH_ALLOWED_EMAILS.`);
  }
}

/** A new email + password account (AUTH_MODE=password), or a new password for an existing one (`reset`). */
export async function setPasswordAccount(
  auth: Auth,
  config: Env,
  { email, name, password, reset = false }: { email: string; name?: string; password: string; reset?: boolean },
): Promise<{ created: boolean }> {
  assertPasswordMode(config);
  const address = email.trim().toLowerCase();
  if (!maySignIn(config, address)) throw new AppError('INVALID_INPUT', `${address} is not on AUTH_ALLOWED_EMAILS, so this account could not sign in. Add it to the list first.`);
  checkPassword(password);
  const context = await auth.$context;
  const users = context.internalAdapter;
  const existing = await users.findUserByEmail(address, { includeAccounts: true });
  if (existing && !reset) throw new AppError('INVALID_INPUT', `${address} already has an account. Use --reset-password to give it a new password.`);
  if (!existing && reset) throw new AppError('NOT_FOUND', `No account ${address} to reset: leave out --reset-password to create it.`);

  const hash = await context.password.hash(password);
  if (existing) {
    if (existing.accounts.some((a) => a.providerId === 'credential')) await users.updatePassword(existing.user.id, hash);
    else await users.linkAccount({ userId: existing.user.id, providerId: 'credential', accountId: existing.user.id, password: hash });
    // A new password ends every session the old one opened.
    await users.deleteUserSessions(existing.user.id);
    return { created: false };
  }
  // createUser runs the server's sign-in checks (validateUserInfo), which expect a request's context.
  const user = await runWithEndpointContext({ context }, () =>
    users.createUser({ email: address, name: name ?? address.split('@')[0]!, emailVerified: true }, { method: 'admin' }),
  );
  await users.linkAccount({ userId: user.id, providerId: 'credential', accountId: user.id, password: hash });
  return { created: true };
}

/** Deletes an account with its sessions: it is signed out everywhere at once. */
export async function removeAccount(auth: Auth, email: string): Promise<void> {
  const address = email.trim().toLowerCase();
  const users = (await auth.$context).internalAdapter;
  const existing = await users.findUserByEmail(address);
  if (!existing) throw new AppError('NOT_FOUND', `No account ${address}.`);
  await users.deleteUserSessions(existing.user.id);
  await users.deleteUser(existing.user.id);
}

export async function listAccounts(auth: Auth, config: Env, now: Date = new Date()): Promise<AccountSummary[]> {
  const users = (await auth.$context).internalAdapter;
  const all = await users.listUsers(undefined, undefined, { field: 'email', direction: 'asc' });
  return Promise.all(
    all.map(async (user) => ({
      email: user.email,
      name: user.name,
      signsInWith: (await users.findAccounts(user.id)).map((a) => (a.providerId === 'credential' ? 'password' : a.providerId)),
      sessions: (await users.listSessions(user.id)).filter((s) => s.expiresAt > now).length,
      maySignIn: maySignIn(config, user.email),
      mayReEnrich: mayReEnrich(config, user.email),
      createdAt: user.createdAt.toISOString(),
    })),
  );
}
