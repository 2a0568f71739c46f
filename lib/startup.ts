import 'server-only';
import { Server } from 'node:net';
import { describeAllowList } from './auth/allow-list';
import { signInRequired } from './auth/access';
import { checkListenAddresses } from './auth/listen';
import { describeAuthDatabase, getAuth } from './auth/server';
import { authModeOf, parseEnv } from './env';
import { isAppError } from './errors';

/**
 * Start-up checks, run by instrumentation.ts before the server answers its first request: the whole
 * environment is valid; without sign-in the server listens on this machine only (or AUTH_MODE=none says
 * otherwise on purpose, with a warning); with sign-in, its user database is ready.
 */

/**
 * The addresses this process's servers are bound to. `next start` listens before it loads the app and
 * runs register(), so its server is here, whichever way it was started (`npm start`, `next start -H`,
 * `next start` with no host, which is every interface). Node lists a process's open handles only
 * through this undocumented call; the start-up tests (tests/e2e/startup.test.ts) would notice a change.
 */
export function listeningAddresses(): string[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.flatMap((handle) => {
    if (!(handle instanceof Server) || !handle.listening) return [];
    const address = handle.address();
    return typeof address === 'object' && address ? [address.address] : [];
  });
}

export async function checkStartup(log: Pick<Console, 'log' | 'warn'> = console): Promise<void> {
  const config = parseEnv(process.env);
  const mode = authModeOf(config);
  // No server in this process (a script importing the app): nothing is reachable, nothing to refuse.
  const { warning } = checkListenAddresses(mode, listeningAddresses());
  if (warning) log.warn(`[leadsignal] WARNING ${warning}`);
  if (!signInRequired(mode)) {
    if (!warning) log.log('[leadsignal] open access (no sign-in), this machine only');
    return;
  }
  await getAuth();
  log.log(
    `[leadsignal] sign-in: ${mode === 'oidc' ? `OpenID Connect (${config.AUTH_OIDC_ISSUER})` : 'email and password'}; ` +
      `users in ${describeAuthDatabase(config)}; ` +
      `may sign in: ${config.AUTH_ALLOWED_EMAILS ? describeAllowList(config.AUTH_ALLOWED_EMAILS) : 'every account'}; ` +
      `may re-enrich: ${config.AUTH_RE_ENRICH_EMAILS ? describeAllowList(config.AUTH_RE_ENRICH_EMAILS) : 'nobody (AUTH_RE_ENRICH_EMAILS unset)'}`,
  );
}

/** register()'s entry: the checks, and on failure one clear line and exit code 1 before any request. */
export async function runStartupChecks(): Promise<void> {
  try {
    await checkStartup();
  } catch (error) {
    if (isAppError(error)) console.error(`[leadsignal] ${error.message}`);
    else console.error('[leadsignal] start-up check failed:', error);
    process.exit(1);
  }
}
