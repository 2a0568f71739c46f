/**
 * `npm run db:seed -- --leads PATH [--rules PATH] [--store postgres|supabase] [--skip-invalid]`:
 * loads and validates a leads file, scores it (SCORING_AS_OF, or "as of the export") and upserts it
 * into the database. Idempotent: rerunning updates changed leads and keeps stored enrichments.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveAsOf } from '../lib/as-of';
import { parseEnv } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { loadLeadsFile } from '../lib/leads-file';
import { loadRuleSet } from '../lib/rules-file';
import { createPostgresStore } from '../lib/store/postgres';
import { seedStore } from '../lib/store/seed';
import { createSupabaseStore } from '../lib/store/supabase';
import { runMain } from './cli';

const HELP = `Usage: npm run db:seed -- --leads PATH [flags]

Scores every lead of a leads JSON file and upserts it into the database (DATABASE_URL for postgres,
SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY for supabase). Run npm run db:migrate first.

  --leads PATH      leads JSON file (required)
  --rules PATH      rule set JSON file (default: SCORING_RULES, or the built-in rules)
  --store KIND      postgres | supabase (default: LEAD_STORE when it is one of them, else postgres)
  --skip-invalid    load the valid records of a file with bad ones (listing them) instead of failing
  --help            this text`;

const flagsSchema = z.object({
  leads: z.string({ error: '--leads PATH is required' }).min(1),
  rules: z.string().min(1).optional(),
  store: z.enum(['postgres', 'supabase'], { error: '--store must be postgres or supabase' }).optional(),
  'skip-invalid': z.boolean().default(false),
  help: z.boolean().default(false),
});

runMain('db:seed', async () => {
  const { values } = parseArgs({
    options: { leads: { type: 'string' }, rules: { type: 'string' }, store: { type: 'string' }, 'skip-invalid': { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `${parsed.error.issues[0]!.message}\n\n${HELP}`);
  const flags = parsed.data;

  const config = parseEnv(process.env);
  const kind = flags.store ?? (config.LEAD_STORE === 'supabase' ? 'supabase' : 'postgres');
  // Checked against the chosen store, so a missing variable is named before anything is read.
  const env = parseEnv({ ...process.env, LEAD_STORE: kind });

  const started = performance.now();
  const { leads, issues, rejected } = await loadLeadsFile(flags.leads, { skipInvalid: flags['skip-invalid'], origin: '--leads' });
  if (rejected > 0) console.warn(`Skipped ${rejected} invalid record(s):\n${formatIssues(issues)}`);
  const rules = await loadRuleSet(flags.rules ?? env.SCORING_RULES, { origin: flags.rules ? '--rules' : 'SCORING_RULES' });
  const now = resolveAsOf(leads, env.SCORING_AS_OF);
  console.log(`db:seed: ${leads.length.toLocaleString('en-US')} leads from ${flags.leads} → ${kind}, scored as of ${now.toISOString()}`);

  const store = kind === 'postgres' ? createPostgresStore(env) : createSupabaseStore(env);
  try {
    let lastLine = 0;
    const result = await seedStore(store, leads, {
      rules,
      now,
      onProgress: ({ done, total }) => {
        const at = performance.now();
        if (done < total && at - lastLine < 500) return;
        lastLine = at;
        process.stderr.write(`  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} upserted (${Math.round((done / total) * 100)}%)\n`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const { HOT, WARM, COLD } = result.byTier;
    console.log(
      `db:seed: done in ${seconds.toFixed(1)} s (${Math.round(result.leads / seconds).toLocaleString('en-US')} leads/s; scoring took ${(result.scoreMs / 1000).toFixed(1)} s of it)\n` +
        `  ${result.leads.toLocaleString('en-US')} leads: ${HOT} HOT, ${WARM} WARM, ${COLD} COLD; rules ${result.rulesVersion || '(none)'}${rejected ? `; ${rejected} skipped` : ''}\n` +
        `  stored in ${kind}: ${(await store.summary()).total.toLocaleString('en-US')} leads in total`,
    );
  } finally {
    await store.close?.();
  }
});
