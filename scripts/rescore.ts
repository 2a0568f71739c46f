/**
 * `npm run rescore -- [--store postgres|supabase] [--rules PATH] [--json]`: after a rules change, scores
 * again every lead the database holds under another rules version, keeping the previous score of each
 * lead whose score changed as its history. A thin CLI over `rescoreStore` (lib/store/rescore.ts).
 */
import { resolveAsOf } from '../lib/as-of';
import { parseEnv } from '../lib/env';
import { loadRuleSet } from '../lib/rules-file';
import { rescoreStore } from '../lib/store/rescore';
import { createPostgresStore } from '../lib/store/postgres';
import { createSupabaseStore } from '../lib/store/supabase';
import { createProgress, defineCommand, EXIT, formatDuration, interruptSignals, sharedFlags } from './cli';

/** Leads are still on another rules version after the run: another process wrote them meanwhile. */
const EXIT_LEFT_OUTDATED = 3;
const count = (n: number) => n.toLocaleString('en-US');

export default defineCommand(import.meta.url, {
  name: 'rescore',
  summary: 'Scores again every stored lead whose rules version is not the configured rules, keeping each changed score as history.',
  details: [
    'The SQL stores keep the scores they were written with, so after changing SCORING_RULES the dashboard warns',
    'until this has run (the file store scores at load and needs nothing). Batches of 500 leads, each one',
    'transaction writing the new scores and the history rows: a killed run continues where it stopped, and a',
    'rerun writes nothing twice. Narratives of rescored leads become stale, as after any score change.',
    'Uses DATABASE_URL for postgres, SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY for supabase; recency as of',
    'SCORING_AS_OF, or the latest activity in the stored leads.',
  ].join('\n'),
  flags: {
    store: {
      ...sharedFlags.store,
      help: 'postgres | supabase (default: LEAD_STORE when it is one of them, else postgres)',
      schema: sharedFlags.store.schema.refine((kind) => kind !== 'file', 'must be postgres or supabase: the file store scores at load'),
    },
    rules: { ...sharedFlags.rules, help: 'rule set JSON file (default: SCORING_RULES, or the built-in rules: what the app scores with)' },
    json: sharedFlags.json,
  },
  exitCodes: {
    [EXIT.INTERRUPTED]: 'interrupted (Ctrl-C): the batches done are saved; run it again to continue',
    [EXIT_LEFT_OUTDATED]: 'leads are still on another rules version (another process wrote them during the run): run it again',
  },
  exitWhenDone: true,
  async run({ flags }) {
    const config = parseEnv(process.env);
    const kind = flags.store ?? (config.LEAD_STORE === 'supabase' ? 'supabase' : 'postgres');
    // Checked against the chosen store, so a missing variable is named before anything is read.
    const env = parseEnv({ ...process.env, LEAD_STORE: kind });
    const rules = await loadRuleSet(flags.rules ?? env.SCORING_RULES, { origin: flags.rules ? '--rules' : 'SCORING_RULES' });
    const store = kind === 'supabase' ? createSupabaseStore(env) : createPostgresStore(env);
    const log = (line: string) => (flags.json ? console.error(line) : console.log(line));
    const { stop, abortInFlight } = interruptSignals({
      stop: 'stopping after the batch in flight (it is saved); press Ctrl-C again to stop at once; run rescore again to continue',
      abort: 'stopping now; the batch in flight is rolled back (its transaction never commits) and redone by the next run',
    });
    abortInFlight.addEventListener('abort', () => process.exit(EXIT.INTERRUPTED));
    let progress: ReturnType<typeof createProgress> | undefined;
    try {
      const started = performance.now();
      // Only "as of the export" reads the stored leads' dates.
      const now = resolveAsOf(env.SCORING_AS_OF === undefined ? await store.activityDates() : [], env.SCORING_AS_OF);
      const until = new Date().toISOString();
      const result = await rescoreStore(store, {
        rules,
        now,
        until,
        signal: stop,
        onProgress: (p) => {
          progress ??= createProgress({ label: 'rescore', total: p.total });
          progress.update(p.done, `${count(p.history)} scores changed`);
        },
      });
      progress?.end();
      const left = await store.countOutdated(result.rulesVersion);
      const took = formatDuration(performance.now() - started);
      if (flags.json) console.log(JSON.stringify({ ...result, store: kind, until, scoredAsOf: now.toISOString(), leftOutdated: left }, null, 2));
      log(
        `rescore: ${count(result.rescored)} of ${count(result.outdated)} outdated leads rescored under rules ${result.rulesVersion} in ${took} (${kind}, recency as of ${now.toISOString().slice(0, 10)})\n` +
          `  ${count(result.history)} scores changed (their previous scores kept as history until ${until}), ${count(result.rescored - result.history)} unchanged\n` +
          `  ${left === 0 ? 'every lead is now scored under the configured rules' : `${count(left)} leads still on another rules version: run npm run rescore again`}`,
      );
      if (result.interrupted) return EXIT.INTERRUPTED;
      return left === 0 ? EXIT.OK : EXIT_LEFT_OUTDATED;
    } finally {
      progress?.end();
      await store.close?.();
    }
  },
});
