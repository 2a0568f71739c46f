/**
 * `npm run auth:users`: every account in the server's sign-in database: how it signs in, its sessions,
 * whether the allow-lists let it sign in and re-enrich.
 */
import { listAccounts, openAccounts } from '../lib/auth/accounts';
import { describeAuthDatabase } from '../lib/auth/server';
import { parseEnv } from '../lib/env';
import { defineCommand, sharedFlags } from './cli';

export default defineCommand(import.meta.url, {
  name: 'auth:users',
  summary: 'Lists every sign-in account: email, name, how it signs in, open sessions, whether it may re-enrich.',
  details: 'Run it with the server\'s environment.',
  exitCodes: { 1: 'failed: sign-in is not configured, or its database cannot be read' },
  exitWhenDone: true,
  flags: { json: sharedFlags.json },
  async run({ flags }) {
    const config = parseEnv(process.env);
    const opened = await openAccounts(config);
    try {
      const rows = await listAccounts(opened.auth, config);
      if (flags.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      console.log(`auth:users: ${rows.length} account(s) in ${describeAuthDatabase(config)}`);
      for (const r of rows) {
        const notes = [r.signsInWith.join('+') || 'no sign-in method', `${r.sessions} session(s)`, r.maySignIn ? null : 'NOT on AUTH_ALLOWED_EMAILS', r.mayReEnrich ? 'may re-enrich' : null];
        console.log(`  ${r.email}  ${r.name}  (${notes.filter(Boolean).join(', ')})`);
      }
    } finally {
      await opened.close();
    }
  },
});
