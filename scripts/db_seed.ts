/**
 * `npm run db:seed -- --leads PATH [--rules PATH] [--store postgres|supabase] [--skip-invalid]`:
 * loads and validates a leads file, scores it (SCORING_AS_OF, or "as of the export") and upserts it
 * into the database. Idempotent: rerunning updates changed leads and keeps stored enrichments.
 */
import { resolveAsOf } from '../lib/as-of';
import { parseEnv } from '../lib/env';
import { formatIssues } from '../lib/errors';
import { loadLeadsFile } from '../lib/leads-file';
import { loadRuleSet } from '../lib/rules-file';
import { createPostgresStore } from '../lib/store/postgres';
import { seedStore } from '../lib/store/seed';
import { createSupabaseStore } from '../lib/store/supabase';
import { createProgress, defineCommand, sharedFlags } from './cli';

export default defineCommand(import.meta.url, {
  name: 'db:seed',
  summary: 'Scores every lead of a leads JSON file and upserts it into the database; rerunning updates changed leads and keeps their enrichments.',
  details: 'Uses DATABASE_URL for postgres, SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY for supabase. Run npm run db:migrate first.',
  flags: {
    leads: { ...sharedFlags.leads, help: 'leads JSON file', schema: sharedFlags.leads.schema.unwrap() },
    rules: sharedFlags.rules,
    store: {
      ...sharedFlags.store,
      help: 'postgres | supabase (default: LEAD_STORE when it is one of them, else postgres)',
      schema: sharedFlags.store.schema.refine((kind) => kind !== 'file', 'must be postgres or supabase: db:seed writes to a database'),
    },
    'skip-invalid': sharedFlags['skip-invalid'],
  },
  async run({ flags }) {
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

    const store = kind === 'supabase' ? createSupabaseStore(env) : createPostgresStore(env);
    const progress = createProgress({ label: 'db:seed', total: leads.length });
    try {
      const result = await seedStore(store, leads, { rules, now, onProgress: ({ done }) => progress.update(done, 'upserted') });
      const seconds = (performance.now() - started) / 1000;
      const { HOT, WARM, COLD } = result.byTier;
      console.log(
        `db:seed: done in ${seconds.toFixed(1)} s (${Math.round(result.leads / seconds).toLocaleString('en-US')} leads/s; scoring took ${(result.scoreMs / 1000).toFixed(1)} s of it)\n` +
          `  ${result.leads.toLocaleString('en-US')} leads: ${HOT} HOT, ${WARM} WARM, ${COLD} COLD; rules ${result.rulesVersion || '(none)'}${rejected ? `; ${rejected} skipped` : ''}\n` +
          `  stored in ${kind}: ${(await store.summary()).total.toLocaleString('en-US')} leads in total`,
      );
    } finally {
      progress.end();
      await store.close?.();
    }
  },
});
