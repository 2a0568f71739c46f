import 'server-only';
import { env, type Env } from '../env';
import { AppError } from '../errors';
import { loadMapping, shownAttributes } from '../import/mapping';
import { retryOnFailure } from '../memo';
import type { RuleSet } from '../rules';
import { loadRuleSet } from '../rules-file';
import { createFileStore } from './file';
import type { LeadStore } from './types';

/**
 * The one way pages, routes and jobs reach the data: a process-wide store chosen by LEAD_STORE.
 * Both getters memoise the promise, so concurrent first requests share one load, and a failed load
 * (say, a rules file with an error) is retried on the next call instead of being cached.
 */

type AdapterFactory = (config: Env) => LeadStore | Promise<LeadStore>;

/** Database adapters are imported only when chosen, so the file store never loads a database driver. */
const loadAdapter: Record<Exclude<Env['LEAD_STORE'], 'file'>, () => Promise<AdapterFactory>> = {
  postgres: async () => (await import('./postgres')).createPostgresStore,
  supabase: async () => (await import('./supabase')).createSupabaseStore,
};

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** A new store for an explicit configuration (scripts that take `--store`); pages use `getStore()`. */
export async function createStore(config: Env): Promise<LeadStore> {
  if (config.LEAD_STORE === 'file') {
    return createFileStore({
      leadsPath: config.LEADS_PATH,
      enrichmentsPath: config.ENRICHMENTS_PATH,
      feedbackPath: config.FEEDBACK_PATH,
      rules: await getRules(),
      asOf: config.SCORING_AS_OF,
      leadsOrigin: 'LEADS_PATH',
      // The configured rules: a change of them is the score history's to record.
      recordScoreHistory: true,
    });
  }
  let factory: AdapterFactory;
  try {
    factory = await loadAdapter[config.LEAD_STORE]();
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new AppError('CONFIG_ERROR', `LEAD_STORE=${config.LEAD_STORE}, but its adapter could not be loaded: ${(error as Error).message}`, {
      safeMessage: 'The server is misconfigured.',
      cause: error,
    });
  }
  return factory(config);
}

/** The scoring rules in force (SCORING_RULES or the built-in default), for scoring and the rule docs pages. */
export const getRules: () => Promise<RuleSet> = retryOnFailure(() => loadRuleSet(env().SCORING_RULES, { origin: 'SCORING_RULES' }));

/** The candidate rule set (SCORING_RULES_CANDIDATE) shown beside the live one on /validate and lead pages; null when unset. */
export const getCandidateRules: () => Promise<RuleSet | null> = retryOnFailure(async () => {
  const path = env().SCORING_RULES_CANDIDATE;
  return path === undefined ? null : loadRuleSet(path, { origin: 'SCORING_RULES_CANDIDATE' });
});

/** The attributes the lead table shows because the import mapping (LEAD_MAPPING) marks them `show`; none when unset. */
export const getShownAttributes: () => Promise<string[]> = retryOnFailure(async () => {
  const path = env().LEAD_MAPPING;
  return path === undefined ? [] : shownAttributes(await loadMapping(path, 'LEAD_MAPPING'));
});

/** The process-wide store. */
export const getStore: () => Promise<LeadStore> = retryOnFailure(() => createStore(env()));
