import { isIP } from 'node:net';
import type { AuthMode } from '../env';
import { AppError } from '../errors';
import { signInRequired } from './access';

/**
 * The start-up rule for where the server may listen: without sign-in, only on the loopback interface
 * (this machine), unless AUTH_MODE=none says open access elsewhere is on purpose. Pure: the addresses
 * the server is bound to are passed in (instrumentation.ts reads them from the running server).
 */

/** 127.0.0.0/8, ::1 and the IPv4-mapped form of 127.x. `::` and `0.0.0.0` are every interface. */
export function isLoopback(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  const v4 = bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

export interface ListenDecision {
  /** A line for the start-up log when the server runs open access beyond this machine. */
  warning?: string;
}

/** Throws CONFIG_ERROR when open access would reach other machines; otherwise says what to log. */
export function checkListenAddresses(mode: AuthMode, addresses: readonly string[]): ListenDecision {
  const exposed = addresses.filter((a) => !isLoopback(a));
  if (signInRequired(mode) || exposed.length === 0) return {};
  const where = exposed.map((a) => (a === '::' || a === '0.0.0.0' ? `${a} (every interface)` : a)).join(', ');
  if (mode === 'none') {
    return {
      warning: `AUTH_MODE=none: no sign-in, and the server listens on ${where}. Anyone who can reach it reads every lead and can trigger paid Claude calls (within the rate limit).`,
    };
  }
  throw new AppError(
    'CONFIG_ERROR',
    `Refusing to start: no sign-in is configured, so the server may only listen on this machine (127.0.0.1), but it listens on ${where}. ` +
      'Configure sign-in (AUTH_MODE=oidc or AUTH_MODE=password, see "Sign-in" in README.md), listen on 127.0.0.1 (HOST=127.0.0.1 npm start, or next start -H 127.0.0.1), ' +
      'or set AUTH_MODE=none to serve open access to other machines on purpose.',
    { safeMessage: 'The server is misconfigured.' },
  );
}
