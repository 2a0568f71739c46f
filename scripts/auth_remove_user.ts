/**
 * `npm run auth:remove-user -- --email ADDRESS`: deletes an account and its sessions from the server's
 * sign-in database, so it is signed out everywhere at once.
 */
import { openAccounts, removeAccount } from '../lib/auth/accounts';
import { describeAuthDatabase } from '../lib/auth/server';
import { parseEnv } from '../lib/env';
import { defineCommand, sharedFlags } from './cli';

export default defineCommand(import.meta.url, {
  name: 'auth:remove-user',
  summary: 'Deletes an account and signs it out everywhere.',
  details:
    'Run it with the server\'s environment. With AUTH_MODE=oidc the person can sign in again while AUTH_ALLOWED_EMAILS admits them: take them off that list too.',
  exitCodes: { 1: 'failed: sign-in is not configured, or there is no such account' },
  exitWhenDone: true,
  flags: { email: sharedFlags.email },
  async run({ flags }) {
    const config = parseEnv(process.env);
    const opened = await openAccounts(config);
    try {
      await removeAccount(opened.auth, flags.email);
      console.log(`auth:remove-user: removed ${flags.email} from ${describeAuthDatabase(config)} and signed it out everywhere.`);
    } finally {
      await opened.close();
    }
  },
});
