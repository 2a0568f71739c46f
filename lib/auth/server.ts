import 'server-only';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { APIError } from 'better-auth/api';
import { getMigrations } from 'better-auth/db/migration';
import { nextCookies } from 'better-auth/next-js';
import { genericOAuth } from 'better-auth/plugins';
import Database from 'better-sqlite3';
import { PostgresJSDialect } from 'kysely-postgres-js';
import { AUTH_CLIENT_ADDRESS_HEADER } from '../client-ip';
import { connectPostgres, type Sql } from '../db/connect';
import { authModeOf, env, type Env } from '../env';
import { AppError } from '../errors';
import { retryOnFailure } from '../memo';
import { maySignIn, signInRequired } from './access';
import { AUTH_BASE_PATH, AUTH_COOKIE_PREFIX, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, OIDC_PROVIDER_ID, SIGN_IN_PATH } from './client-safe';

/**
 * Better Auth, set up from the environment: one generic OpenID Connect provider (AUTH_MODE=oidc) or
 * email + password accounts made by an admin (AUTH_MODE=password; no public sign-up). Users and
 * sessions live in PostgreSQL (schema `leadsignal_auth`, created by supabase/migrations) when the
 * store is a database with DATABASE_URL — where the rate limit lives too — and otherwise in a SQLite
 * file beside the data, which Better Auth's own migrations create on first start.
 */

const PG_SCHEMA = 'leadsignal_auth';

export type AuthDatabase =
  | { kind: 'postgres'; sql: Sql; close(): Promise<void> }
  | { kind: 'sqlite'; file: string; db: Database.Database; close(): Promise<void> };

/** Where users and sessions are kept for this configuration (same rule as the rate limiter's). */
export function authDatabaseLocation(config: Env): { kind: 'postgres'; url: string } | { kind: 'sqlite'; file: string } {
  if (config.LEAD_STORE !== 'file' && config.DATABASE_URL) return { kind: 'postgres', url: config.DATABASE_URL };
  // turbopackIgnore: a run-time data file, not something for the build to trace.
  return { kind: 'sqlite', file: path.resolve(/*turbopackIgnore: true*/ config.AUTH_DB_PATH ?? path.join(path.dirname(config.ENRICHMENTS_PATH), 'auth.sqlite')) };
}

/** For logs and command output: `PostgreSQL (DATABASE_URL)` or the SQLite file's path. */
export function describeAuthDatabase(config: Env): string {
  const location = authDatabaseLocation(config);
  return location.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : location.file;
}

export function openAuthDatabase(config: Env): AuthDatabase {
  const location = authDatabaseLocation(config);
  if (location.kind === 'postgres') {
    const sql = connectPostgres(location.url, { max: 3 });
    return { kind: 'postgres', sql, close: () => sql.end() };
  }
  mkdirSync(path.dirname(location.file), { recursive: true });
  // Password hashes and session tokens: readable by the server's user only. Creating the file first
  // sets its mode; an existing file keeps its own.
  closeSync(openSync(/*turbopackIgnore: true*/ location.file, 'a', 0o600));
  const db = new Database(location.file);
  // WAL: the server and `npm run auth:add-user` can use the file at the same time.
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return { kind: 'sqlite', file: location.file, db, close: async () => void db.close() };
}

function emailUnverified(profile: Record<string, unknown> | undefined): boolean {
  const claim = profile?.email_verified;
  return claim === false || claim === 'false';
}

export function authOptions(config: Env, database: AuthDatabase): BetterAuthOptions {
  const mode = authModeOf(config);
  if (!signInRequired(mode)) throw new AppError('CONFIG_ERROR', `Sign-in is not configured (AUTH_MODE=${mode}).`);
  const notAllowed = { error: 'not_allowed', errorDescription: 'This account is not on the list of people who may use LeadSignal.' };
  return {
    appName: 'LeadSignal',
    secret: config.AUTH_SECRET,
    baseURL: config.AUTH_URL,
    basePath: AUTH_BASE_PATH,
    database:
      database.kind === 'postgres'
        ? { dialect: new PostgresJSDialect({ postgres: database.sql }), type: 'postgres', schemaName: PG_SCHEMA, transaction: true }
        : database.db,
    telemetry: { enabled: false },
    emailAndPassword: mode === 'password' ? { enabled: true, disableSignUp: true, minPasswordLength: MIN_PASSWORD_LENGTH, maxPasswordLength: MAX_PASSWORD_LENGTH } : { enabled: false },
    plugins: [
      ...(mode === 'oidc'
        ? [
            genericOAuth({
              config: [
                {
                  providerId: OIDC_PROVIDER_ID,
                  name: config.AUTH_OIDC_NAME,
                  discoveryUrl: new URL('.well-known/openid-configuration', config.AUTH_OIDC_ISSUER!.replace(/\/?$/, '/')).href,
                  clientId: config.AUTH_OIDC_CLIENT_ID!,
                  clientSecret: config.AUTH_OIDC_CLIENT_SECRET!,
                  scopes: ['openid', 'email', 'profile'],
                  // Identity comes from the ID token: verified against the provider's keys, or refused.
                  requireIdTokenVerification: true,
                  // Signing out of LeadSignal leaves the company session alone.
                  disableProviderLogout: true,
                },
              ],
            }),
          ]
        : []),
      // Lets server code (route handlers) set the session cookies Better Auth refreshes.
      nextCookies(),
    ],
    user: {
      // Every sign-up and OAuth sign-in passes here: refused unless on AUTH_ALLOWED_EMAILS. A provider that
      // says the address is unverified is refused too (Entra ID sends no such claim: use a
      // single-tenant issuer, see README).
      validateUserInfo: ({ user, source }) => {
        if (source.method === 'oauth' && emailUnverified(source.oauth?.profile)) {
          return { error: 'email_not_verified', errorDescription: 'Your identity provider says this email address is not verified.' };
        }
        return maySignIn(config, user.email) ? undefined : notAllowed;
      },
    },
    databaseHooks: {
      session: {
        create: {
          // Password sign-ins are not revalidated above; and a list can shrink after an account was made.
          before: async (session, context) => {
            const user = await context?.context.internalAdapter.findUserById(session.userId);
            if (!maySignIn(config, user?.email)) throw APIError.from('FORBIDDEN', { code: 'NOT_ALLOWED', message: notAllowed.errorDescription });
          },
        },
      },
    },
    // Better Auth's own limiter (on in production) allows 3 sign-in requests per 10 s per client address:
    // right against password guessing, tight for starting an OIDC redirect, which checks no secret and
    // which a whole office behind one address may do at 9:00.
    rateLimit: { customRules: { '/sign-in/social': { window: 10, max: 30 } } },
    // Failed OAuth callbacks land on the sign-in page, which explains `?error=…`.
    onAPIError: { errorURL: SIGN_IN_PATH },
    // Only the address the auth route sets (lib/client-ip.ts); Better Auth would otherwise believe a lone
    // X-Forwarded-For, which a client writes itself when no proxy does.
    advanced: { cookiePrefix: AUTH_COOKIE_PREFIX, ipAddress: { ipAddressHeaders: [AUTH_CLIENT_ADDRESS_HEADER] } },
  };
}

/**
 * Makes sure the tables exist: SQLite files are migrated in place (the file is this server's own);
 * PostgreSQL is shared and migrated with `npm run db:migrate`, so missing tables are a configuration
 * error that names the command.
 */
export async function prepareAuthDatabase(options: BetterAuthOptions, database: AuthDatabase): Promise<void> {
  const plan = await getMigrations(options);
  const missing = [...plan.toBeCreated.map((t) => t.table), ...plan.toBeAdded.map((t) => `${t.table} (${Object.keys(t.fields).join(', ')})`)];
  if (missing.length === 0) return;
  if (database.kind === 'sqlite') {
    await plan.runMigrations();
    return;
  }
  throw new AppError(
    'CONFIG_ERROR',
    `The sign-in tables are missing or out of date in DATABASE_URL (schema ${PG_SCHEMA}: ${missing.join(', ')}). Run npm run db:migrate.`,
    { safeMessage: 'The server is misconfigured.' },
  );
}

export type Auth = ReturnType<typeof betterAuth>;

export interface OpenedAuth {
  auth: Auth;
  database: AuthDatabase;
  close(): Promise<void>;
}

/** A ready Better Auth instance for this configuration (the server's, or a CLI's own). */
export async function openAuth(config: Env): Promise<OpenedAuth> {
  const database = openAuthDatabase(config);
  try {
    const options = authOptions(config, database);
    await prepareAuthDatabase(options, database);
    return { auth: betterAuth(options), database, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** The process-wide instance; only reached when sign-in is configured. */
export const getAuth: () => Promise<Auth> = retryOnFailure(async () => (await openAuth(env())).auth);
