/**
 * `npm run auth:add-user`, `auth:remove-user`, `auth:users`: the accounts of LeadSignal's sign-in, in the
 * same database the server uses (lib/auth/server.ts). With AUTH_MODE=password this is how accounts are
 * made: there is no public sign-up. Passwords are hashed by Better Auth (scrypt).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { assertPasswordMode, listAccounts, MIN_PASSWORD_LENGTH, removeAccount, setPasswordAccount } from '../lib/auth/accounts';
import { mayReEnrich, signInRequired } from '../lib/auth/access';
import { authDatabaseLocation, openAuth } from '../lib/auth/server';
import { authModeOf, parseEnv } from '../lib/env';
import { AppError } from '../lib/errors';
import { runMain } from './cli';

const HELP = `Usage: npm run auth:add-user -- --email ADDRESS [--name NAME] [--password-stdin] [--reset-password]
       npm run auth:remove-user -- --email ADDRESS
       npm run auth:users [-- --json]

Manages the accounts of LeadSignal's sign-in. Run it with the server's environment (AUTH_MODE, AUTH_SECRET,
AUTH_URL, and LEAD_STORE/DATABASE_URL or AUTH_DB_PATH): accounts live in PostgreSQL when the store is a
database with DATABASE_URL, otherwise in the SQLite file beside the data.

  add      Creates an email + password account (AUTH_MODE=password). The password is generated and
           printed once, unless --password-stdin reads it from standard input (its first line, at least
           ${MIN_PASSWORD_LENGTH} characters). With --reset-password the account exists: it gets a new password and is
           signed out everywhere.
  remove   Deletes an account and signs it out everywhere (with OIDC the person can sign in again while
           AUTH_ALLOWED_EMAILS admits them: take them off that list).
  list     Every account: email, name, how it signs in, sessions, whether it may re-enrich.

  --email ADDRESS     the account (add, remove)
  --name NAME         display name (add; default: the part of the email before @)
  --password-stdin    read the password from standard input instead of generating one (add)
  --reset-password    set a new password for an existing account (add)
  --json              machine-readable output (list)
  --help              this text

Exit codes: 0 done; 1 an error (the message says which account and what to do).`;

const COMMANDS = ['add', 'remove', 'list'] as const;

const flagsSchema = z.object({
  email: z.email({ error: '--email must be an email address' }).transform((v) => v.trim().toLowerCase()).optional(),
  name: z.string().trim().min(1, '--name must not be empty').max(200).optional(),
  'password-stdin': z.boolean().default(false),
  'reset-password': z.boolean().default(false),
  json: z.boolean().default(false),
});

/** A wrong command line is one clear line, never the whole help or a stack trace. */
function usage(message: string): AppError {
  return new AppError('INVALID_INPUT', `${message} (npm run auth:users -- --help for usage)`);
}

async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw usage('--password-stdin reads a piped password (printf %s "$PASSWORD" | npm run auth:add-user -- …), not a terminal');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Length and the rest are checked where the account is set (lib/auth/accounts.ts).
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

const SCRIPT_NAMES: Record<string, string> = { add: 'auth:add-user', remove: 'auth:remove-user', list: 'auth:users' };

runMain(
  SCRIPT_NAMES[process.argv[2] ?? ''] ?? 'auth',
  async () => {
    let parsedArgs;
    try {
      parsedArgs = parseArgs({
        allowPositionals: true,
        options: {
          email: { type: 'string' },
          name: { type: 'string' },
          'password-stdin': { type: 'boolean' },
          'reset-password': { type: 'boolean' },
          json: { type: 'boolean' },
          help: { type: 'boolean' },
        },
      });
    } catch (error) {
      // node:util's message for an unknown flag goes on about positionals: keep its first sentence.
      throw usage((error as Error).message.split('. ')[0]!);
    }
    if (parsedArgs.values.help) {
      console.log(HELP);
      return 0;
    }
    const [command, ...extra] = parsedArgs.positionals;
    if (!COMMANDS.includes(command as (typeof COMMANDS)[number])) throw usage(`Unknown command "${command ?? ''}": add, remove or list`);
    if (extra.length > 0) throw usage(`Unexpected argument "${extra[0]}"`);
    const parsed = flagsSchema.safeParse(parsedArgs.values);
    if (!parsed.success) throw usage(parsed.error.issues[0]!.message);
    const flags = parsed.data;

    const config = parseEnv(process.env);
    const mode = authModeOf(config);
    if (!signInRequired(mode)) {
      throw new AppError('CONFIG_ERROR', `Sign-in is not configured (AUTH_MODE=${mode}); set AUTH_MODE=password (or oidc) and its variables first, see "Sign-in" in README.md.`);
    }
    if (command !== 'list' && !flags.email) throw usage(`${command} needs --email ADDRESS`);

    const where = authDatabaseLocation(config);
    const place = where.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : where.file;
    const opened = await openAuth(config);
    try {
      if (command === 'list') {
        const rows = await listAccounts(opened.auth, config);
        if (flags.json) {
          console.log(JSON.stringify(rows, null, 2));
          return 0;
        }
        console.log(`auth:users: ${rows.length} account(s) in ${place}`);
        for (const r of rows) {
          const notes = [r.signsInWith.join('+') || 'no sign-in method', `${r.sessions} session(s)`, r.maySignIn ? null : 'NOT on AUTH_ALLOWED_EMAILS', r.mayReEnrich ? 'may re-enrich' : null];
          console.log(`  ${r.email}  ${r.name}  (${notes.filter(Boolean).join(', ')})`);
        }
        return 0;
      }

      const email = flags.email!;
      if (command === 'remove') {
        await removeAccount(opened.auth, email);
        console.log(`auth:remove-user: removed ${email} from ${place} and signed it out everywhere.`);
        return 0;
      }

      assertPasswordMode(config);
      const generated = !flags['password-stdin'];
      const password = generated ? randomBytes(15).toString('base64url') : await readPasswordFromStdin();
      const { created } = await setPasswordAccount(opened.auth, config, { email, name: flags.name, password, reset: flags['reset-password'] });
      console.log(`auth:add-user: ${created ? 'created' : 'new password for'} ${email} in ${place}${created ? '' : ' (signed out everywhere)'}.`);
      if (generated) console.log(`  password (shown once, give it to them privately): ${password}`);
      if (!mayReEnrich(config, email)) console.log('  They can read the dashboard but not re-enrich (not on AUTH_RE_ENRICH_EMAILS).');
      return 0;
    } finally {
      await opened.close();
    }
  },
  { exitWhenDone: true },
);
