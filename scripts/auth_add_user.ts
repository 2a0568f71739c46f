/**
 * `npm run auth:add-user -- --email ADDRESS`: an email + password account for AUTH_MODE=password (there
 * is no public sign-up), or a new password for one (`--reset-password`), in the server's sign-in database.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { assertPasswordMode, openAccounts, setPasswordAccount } from '../lib/auth/accounts';
import { mayReEnrich } from '../lib/auth/access';
import { describeAuthDatabase } from '../lib/auth/server';
import { MIN_PASSWORD_LENGTH } from '../lib/auth/client-safe';
import { parseEnv } from '../lib/env';
import { AppError } from '../lib/errors';
import { booleanFlag, defineCommand, sharedFlags } from './cli';

async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new AppError('USAGE', '--password-stdin reads a piped password (printf %s "$PASSWORD" | npm run auth:add-user -- …), not a terminal');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Its first line; length and the rest are checked where the account is set (lib/auth/accounts.ts).
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export default defineCommand(import.meta.url, {
  name: 'auth:add-user',
  summary: 'Makes an email + password account (AUTH_MODE=password) in the sign-in database the server uses.',
  details:
    'Run it with the server\'s environment (AUTH_MODE, AUTH_SECRET, AUTH_URL, and LEAD_STORE/DATABASE_URL or AUTH_DB_PATH).\n' +
    `The password is generated and printed once, unless --password-stdin reads it (its first line, ${MIN_PASSWORD_LENGTH} to 128 characters).\n` +
    'Passwords are hashed by Better Auth (scrypt). With --reset-password the account exists: it gets a new password and is signed out everywhere.',
  exitCodes: { 1: 'failed: sign-in is not set to password, the account exists (or not, with --reset-password), a bad password, or an address AUTH_ALLOWED_EMAILS refuses' },
  exitWhenDone: true,
  flags: {
    email: sharedFlags.email,
    name: { value: 'NAME', help: 'display name (default: the part of the email before @)', schema: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional() },
    'password-stdin': booleanFlag('read the password from standard input instead of generating one'),
    'reset-password': booleanFlag('give an existing account a new password, and sign it out everywhere'),
  },
  async run({ flags }) {
    const config = parseEnv(process.env);
    assertPasswordMode(config);
    const opened = await openAccounts(config);
    try {
      const generated = !flags['password-stdin'];
      const password = generated ? randomBytes(15).toString('base64url') : await readPasswordFromStdin();
      const { created } = await setPasswordAccount(opened.auth, config, { email: flags.email, name: flags.name, password, reset: flags['reset-password'] });
      console.log(`auth:add-user: ${created ? 'created' : 'new password for'} ${flags.email} in ${describeAuthDatabase(config)}${created ? '' : ' (signed out everywhere)'}.`);
      if (generated) console.log(`  password (shown once, give it to them privately): ${password}`);
      if (!mayReEnrich(config, flags.email)) console.log('  They can read the dashboard but not re-enrich (not on AUTH_RE_ENRICH_EMAILS).');
    } finally {
      await opened.close();
    }
  },
});
