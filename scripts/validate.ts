/**
 * `npm run validate -- [--leads FILE] [--rules FILE] [--as-of DATE|now] [--skip-invalid] [--json]`
 * Backtests a leads file that carries the `converted` outcome: the same tables as the /validate page.
 */
import { parseArgs } from 'node:util';
import { resolveAsOf } from '../lib/as-of';
import { formatBacktestTables, runBacktest } from '../lib/backtest';
import { env } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { loadLeadsFile } from '../lib/leads-file';
import { toScorable } from '../lib/lead';
import { loadRuleSet } from '../lib/rules-file';
import { formatNarrativeTables, narrativeQuality, type NarrativeQuality } from '../lib/narrative-quality';
import type { RuleSet } from '../lib/rules';
import { rulesVersion, scoreLead } from '../lib/scoring';
import { createFileStore } from '../lib/store/file';
import { createStore } from '../lib/store/index';
import { runMain } from './cli';

/**
 * The Narratives section reads the store (LEAD_STORE): narratives and SDR feedback live there, not in
 * the leads file. The file store is opened on this run's leads file, rules and as-of date.
 */
async function narratives(config: ReturnType<typeof env>, options: { leadsPath: string; rules: RuleSet; asOf: string | undefined; skipInvalid: boolean }): Promise<NarrativeQuality> {
  const store =
    config.LEAD_STORE === 'file'
      ? createFileStore({ leadsPath: options.leadsPath, enrichmentsPath: config.ENRICHMENTS_PATH, feedbackPath: config.FEEDBACK_PATH, rules: options.rules, asOf: options.asOf, skipInvalid: options.skipInvalid })
      : await createStore(config);
  try {
    return narrativeQuality(await store.outcomes(), await store.feedback());
  } finally {
    await store.close?.();
  }
}

runMain('validate', async () => {
  const { values } = parseArgs({
    options: {
      leads: { type: 'string' },
      rules: { type: 'string' },
      'as-of': { type: 'string' },
      'skip-invalid': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const config = env();
  const leadsPath = values.leads ?? config.LEADS_PATH;
  const { leads, issues, rejected } = await loadLeadsFile(leadsPath, { skipInvalid: values['skip-invalid'], origin: values.leads ? '--leads' : 'LEADS_PATH' });
  if (rejected > 0) console.warn(`Warning: skipped ${rejected} invalid record(s):\n${formatIssues(issues)}\n`);
  const rules = await loadRuleSet(values.rules ?? config.SCORING_RULES, { origin: values.rules ? '--rules' : 'SCORING_RULES' });
  const now = resolveAsOf(leads, values['as-of'] ?? config.SCORING_AS_OF);

  const withOutcome = leads.filter((lead) => lead.converted !== undefined);
  if (withOutcome.length === 0) {
    throw new AppError('INVALID_INPUT', `${leadsPath} has no lead with a "converted" outcome, so there is nothing to backtest against.`);
  }
  // Scoring sees the lead without its outcome; the outcome joins only the backtest row.
  const rows = withOutcome.map((lead) => {
    const { score, tier } = scoreLead(toScorable(lead), { rules, now });
    return { id: lead.id, score, tier, converted: lead.converted === true };
  });
  const result = runBacktest(rows);
  const version = rulesVersion(rules);
  const narrativeResult = await narratives(config, { leadsPath, rules, asOf: values['as-of'] ?? config.SCORING_AS_OF, skipInvalid: values['skip-invalid'] });
  if (values.json) {
    console.log(JSON.stringify({ rulesVersion: version, rulesName: rules.name, asOf: now.toISOString(), leadsPath, ...result, narratives: narrativeResult }, null, 2));
    return;
  }
  const skippedNoOutcome = leads.length - withOutcome.length;
  console.log(formatBacktestTables(result, { rulesVersion: `${version} (${rules.name})`, source: `${leadsPath}, as of ${now.toISOString().slice(0, 10)}` }));
  if (skippedNoOutcome > 0) console.log(`${skippedNoOutcome} lead(s) without a known outcome are left out.`);
  console.log(`\n${formatNarrativeTables(narrativeResult)}`);
  console.log('Scoring never sees the converted flag: it is joined to the scores only here.');
});
