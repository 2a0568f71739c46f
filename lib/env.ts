// Holds the secrets (API keys, the service-role key, AUTH_SECRET): a client component importing it fails the build.
// The CLIs load it through tsx's --conditions=react-server, under which this marker is empty.
import 'server-only';
import { z } from 'zod';
import { allowListSchema } from './auth/allow-list';
import { asOfSetting } from './as-of';
import { AppError } from './errors';
import { STORE_KINDS } from './store/types';

/**
 * The one validated view of the environment. Everything configurable is here, with its default, so
 * `.env.example` and this file are the whole story. Store-specific variables are checked against the
 * chosen store, and a misconfiguration names the missing variable.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** "3600", "90s", "15m", "1h", "1d" → seconds. */
const duration = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(s|m|h|d)?$/, 'must be seconds or a duration like 90s, 15m, 1h, 1d')
  .transform((v) => {
    const n = Number.parseFloat(v);
    const unit = v.trim().slice(-1);
    const factor = unit === 'm' ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86_400 : 1;
    return Math.round(n * factor);
  })
  .refine((seconds) => seconds >= 1, 'must be at least 1 second (0 would turn the limit off)');

const optionalText = z.string().trim().min(1).optional();

export const envSchema = z
  .object({
    LEAD_STORE: z.enum(STORE_KINDS).default('file'),
    LEADS_PATH: z.string().min(1).default('data/synthetic_leads.json'),
    ENRICHMENTS_PATH: z.string().min(1).default('data/enrichments.json'),
    /** SDR feedback on narratives (file store); unset: feedback.json beside ENRICHMENTS_PATH. */
    FEEDBACK_PATH: optionalText,
    /** A JSON rule set file; the built-in default B2B rules when unset. */
    SCORING_RULES: optionalText,
    /**
     * A candidate rule set (JSON) shown beside the live one on /validate — both graded on the same leads,
     * the leads that change tier — and on the lead page (`?rules=candidate`). It scores nothing else.
     */
    SCORING_RULES_CANDIDATE: optionalText,
    /**
     * The import mapping the leads came in with (a JSON mapping file, or `hubspot` / `salesforce`): the
     * lead table shows the attributes it marks `"show": true` as columns. Unset: no such columns.
     */
    LEAD_MAPPING: optionalText,
    /**
     * Reference time for recency rules: an ISO date, or "now". Unset: the latest activity or creation
     * date in the leads file, i.e. "as of the export", so a static file keeps stable scores.
     */
    SCORING_AS_OF: asOfSetting.optional(),
    ANTHROPIC_API_KEY: optionalText,
    ANTHROPIC_BASE_URL: z.url().optional(),
    ANTHROPIC_MODEL: z.string().trim().min(1).default('claude-sonnet-5-5'),
    ENRICH_LIVE_ENABLED: bool.default(true),
    ENRICH_RATE_LIMIT: z.coerce.number().int().positive().default(5),
    ENRICH_RATE_WINDOW: duration.default(3600),
    /**
     * How many proxies you run in front of the app, each appending to X-Forwarded-For; the client IP is the
     * entry this far from the right. 0: no proxy, the header is never read (see lib/client-ip.ts).
     */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(20).default(0),
    /** Live calls per UTC day across all users, and their spend in USD (worst case reserved before each call). */
    ENRICH_LIVE_DAILY_LIMIT: z.coerce.number().int().positive().default(200),
    ENRICH_LIVE_DAILY_USD: z.coerce.number().positive().finite().default(5),
    DATABASE_URL: optionalText,
    SUPABASE_URL: z.url().optional(),
    SUPABASE_SERVICE_ROLE_KEY: optionalText,
    SUPABASE_ANON_KEY: optionalText,

    // --- Sign-in (lib/auth) ---
    /**
     * `oidc` (a company identity provider), `password` (accounts made with `npm run auth:add-user`),
     * `none` (no sign-in, on purpose, on any address), or `local` (no sign-in; 127.0.0.1 only). Unset:
     * `oidc` when AUTH_OIDC_ISSUER is set, otherwise `local`. See lib/auth/settings.ts.
     */
    AUTH_MODE: z.enum(['local', 'none', 'oidc', 'password']).optional(),
    /** Signs session cookies; at least 32 characters (`openssl rand -base64 32`). */
    AUTH_SECRET: z.string().trim().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional(),
    /** The address people open, e.g. https://leads.example.com: cookies, redirects and CSRF checks use it. */
    AUTH_URL: z.url({ protocol: /^https?$/ }).optional(),
    AUTH_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
    AUTH_OIDC_CLIENT_ID: optionalText,
    AUTH_OIDC_CLIENT_SECRET: optionalText,
    /** The sign-in button's label: "Sign in with …". */
    AUTH_OIDC_NAME: z.string().trim().min(1).default('single sign-on'),
    /** Who may sign in: emails, @domains or *; required with OIDC (the provider may admit more people). */
    AUTH_ALLOWED_EMAILS: allowListSchema.optional(),
    /** Who may re-enrich (each is a paid Claude call): emails, @domains or *. Unset: nobody signed in. */
    AUTH_RE_ENRICH_EMAILS: allowListSchema.optional(),
    /** Users and sessions without a database store: a SQLite file; default auth.sqlite beside ENRICHMENTS_PATH. */
    AUTH_DB_PATH: optionalText,
  })
  .superRefine((env, ctx) => {
    const need = (name: keyof typeof env, why: string) => {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is required ${why}` });
    };
    if (env.LEAD_STORE === 'postgres') need('DATABASE_URL', 'when LEAD_STORE=postgres');
    if (env.LEAD_STORE === 'supabase') {
      need('SUPABASE_URL', 'when LEAD_STORE=supabase');
      need('SUPABASE_SERVICE_ROLE_KEY', 'when LEAD_STORE=supabase (server-side only, never NEXT_PUBLIC_)');
    }
    const mode = authModeOf(env);
    if (mode === 'oidc' || mode === 'password') {
      need('AUTH_SECRET', `when AUTH_MODE=${mode}`);
      need('AUTH_URL', `when AUTH_MODE=${mode} (the address people open, e.g. https://leads.example.com)`);
    }
    if (mode === 'oidc') {
      need('AUTH_OIDC_ISSUER', 'when AUTH_MODE=oidc');
      need('AUTH_OIDC_CLIENT_ID', 'when AUTH_MODE=oidc');
      need('AUTH_OIDC_CLIENT_SECRET', 'when AUTH_MODE=oidc');
      need('AUTH_ALLOWED_EMAILS', 'when AUTH_MODE=oidc: the emails or @domains that may sign in, or * for anyone the provider admits');
    }
  });

export type Env = z.infer<typeof envSchema>;

export type AuthMode = NonNullable<Env['AUTH_MODE']>;

/** AUTH_MODE, or what it means when unset: `oidc` when an issuer is configured, otherwise `local`. */
export function authModeOf(env: Pick<Env, 'AUTH_MODE' | 'AUTH_OIDC_ISSUER'>): AuthMode {
  return env.AUTH_MODE ?? (env.AUTH_OIDC_ISSUER ? 'oidc' : 'local');
}
export type EnvSource = Record<string, string | undefined>;

/** Empty strings in .env files mean "not set". */
function withoutBlanks(source: EnvSource): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

/**
 * Settings that no longer exist, refused rather than silently ignored: someone who set one expects it to
 * act. ENRICH_CLIENT_IP_HEADER named a header that was trusted whoever sent it.
 */
export const REMOVED_ENV_VARS: Readonly<Record<string, string>> = {
  ENRICH_CLIENT_IP_HEADER: 'was removed: set TRUST_PROXY_HOPS to the number of proxies in front of the app instead',
};

export function parseEnv(source: EnvSource = process.env): Env {
  const present = withoutBlanks(source);
  const result = envSchema.safeParse(present);
  const removed = Object.keys(REMOVED_ENV_VARS)
    .filter((name) => name in present)
    .map((name) => ({ record: 'environment', field: name, message: REMOVED_ENV_VARS[name]! }));
  if (result.success && removed.length === 0) return result.data;
  const issues = [...removed, ...(result.success ? [] : result.error.issues.map((i) => ({ record: 'environment', field: String(i.path[0] ?? '(env)'), message: i.message })))];
  const list = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  throw new AppError('CONFIG_ERROR', `Invalid configuration: ${list}`, { safeMessage: 'The server is misconfigured.', issues });
}

let cached: Env | undefined;

/** The validated environment, parsed once per process. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
