import { z } from 'zod';
import { AppError } from './errors';

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
  });

const optionalText = z.string().trim().min(1).optional();

export const envSchema = z
  .object({
    LEAD_STORE: z.enum(['file', 'postgres', 'supabase']).default('file'),
    LEADS_PATH: z.string().min(1).default('data/synthetic_leads.json'),
    ENRICHMENTS_PATH: z.string().min(1).default('data/enrichments.json'),
    /** SDR feedback on narratives (file store); unset: feedback.json beside ENRICHMENTS_PATH. */
    FEEDBACK_PATH: optionalText,
    /** A JSON rule set file; the built-in default B2B rules when unset. */
    SCORING_RULES: optionalText,
    /**
     * Reference time for recency rules: an ISO date, or "now". Unset: the latest activity or creation
     * date in the leads file, i.e. "as of the export", so a static file keeps stable scores.
     */
    SCORING_AS_OF: z
      .string()
      .trim()
      .refine((v) => v === 'now' || !Number.isNaN(Date.parse(v)), 'must be an ISO date or "now"')
      .optional(),
    ANTHROPIC_API_KEY: optionalText,
    ANTHROPIC_BASE_URL: z.url().optional(),
    ANTHROPIC_MODEL: z.string().trim().min(1).default('claude-sonnet-5-5'),
    ENRICH_LIVE_ENABLED: bool.default(true),
    ENRICH_RATE_LIMIT: z.coerce.number().int().positive().default(5),
    ENRICH_RATE_WINDOW: duration.default(3600),
    /**
     * Which request header carries the client IP. Behind a proxy you trust (Vercel, nginx), the header
     * it sets; never trust `x-forwarded-for` from the open internet, clients can forge it.
     */
    ENRICH_CLIENT_IP_HEADER: z.string().trim().toLowerCase().default('x-forwarded-for'),
    DATABASE_URL: optionalText,
    SUPABASE_URL: z.url().optional(),
    SUPABASE_SERVICE_ROLE_KEY: optionalText,
    SUPABASE_ANON_KEY: optionalText,
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
  });

export type Env = z.infer<typeof envSchema>;
export type EnvSource = Record<string, string | undefined>;

/** Empty strings in .env files mean "not set". */
function withoutBlanks(source: EnvSource): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

export function parseEnv(source: EnvSource = process.env): Env {
  const result = envSchema.safeParse(withoutBlanks(source));
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ record: 'environment', field: String(i.path[0] ?? '(env)'), message: i.message }));
  const list = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  throw new AppError('CONFIG_ERROR', `Invalid configuration: ${list}`, { safeMessage: 'The server is misconfigured.', issues });
}

let cached: Env | undefined;

/** The validated environment, parsed once per process. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
