/**
 * `npm run validate -- [flags]`: backtests a leads file that carries the `converted` outcome, with the
 * same tables as the /validate page. `--help` lists the flags.
 */
import { resolveAsOf } from '../lib/as-of';
import { formatBacktestTables, runBacktest } from '../lib/backtest';
import { env, parseEnv, type Env } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { loadLeadsFile } from '../lib/leads-file';
import { toScorable } from '../lib/lead';
import { fieldCoverage, formatCoverageWarnings, ruleCoverage } from '../lib/rule-coverage';
import { formatNarrativeTables, narrativeQuality, type NarrativeQuality } from '../lib/narrative-quality';
import type { RuleSet } from '../lib/rules';
import { loadRuleSet } from '../lib/rules-file';
import { rulesVersion, scoreLead } from '../lib/scoring';
import { describeSplit, resolveSplit, splitter, type SplitSpec } from '../lib/split';
import { createFileStore } from '../lib/store/file';
import { createStore } from '../lib/store/index';
import { defineCommand, sharedFlags, valueFlag } from './cli';
import { z } from 'zod';

/**
 * The Narratives section reads the store (--store, default LEAD_STORE): narratives and SDR feedback live
 * there, not in the leads file. The file store is opened on this run's leads file, rules and as-of date.
 */
async function narratives(config: Env, kind: Env['LEAD_STORE'], options: { leadsPath: string; rules: RuleSet; asOf: string | undefined; skipInvalid: boolean }): Promise<NarrativeQuality> {
  const store =
    kind === 'file'
      ? createFileStore({ leadsPath: options.leadsPath, enrichmentsPath: config.ENRICHMENTS_PATH, feedbackPath: config.FEEDBACK_PATH, rules: options.rules, asOf: options.asOf, skipInvalid: options.skipInvalid })
      : // Validating the environment as if LEAD_STORE were `kind` names any connection variable it lacks.
        await createStore(parseEnv({ ...process.env, LEAD_STORE: kind }));
  try {
    return narrativeQuality(await store.outcomes(), await store.feedback());
  } finally {
    await store.close?.();
  }
}

export default defineCommand(import.meta.url, {
  name: 'validate',
  summary: 'Backtests the rules on a leads file with the "converted" outcome: conversion by tier, precision@k, lift, ROC AUC.',
  details: [
    'Scoring never sees the outcome: it is joined to the scores only here. Leads without an outcome are left out.',
    'Rules that read a field fewer than 5% of the leads have are listed first; when the rule set reads no such field at all, it fails.',
    'With a split (--holdout, --split-seed, --split-by), or a rule set written by npm run tune (it stores its split), only the',
    'test half is graded by default: points are never graded on the half they were fitted on. --half all grades every lead.',
    'The Narratives section (conversion by confidence label within each tier, grounding flags, SDR feedback) reads the narratives and feedback in the store.',
  ].join('\n'),
  exitCodes: { 1: 'failed: a bad file or flag value, no lead with an outcome, or a rule set that reads no field of this data' },
  flags: {
    leads: sharedFlags.leads,
    rules: sharedFlags.rules,
    'as-of': sharedFlags['as-of'],
    'skip-invalid': sharedFlags['skip-invalid'],
    holdout: sharedFlags.holdout,
    'split-seed': sharedFlags['split-seed'],
    'split-by': sharedFlags['split-by'],
    half: valueFlag('HALF', 'test | design | all: which leads to grade (default: test when there is a split, else all)', z.enum(['test', 'design', 'all'], { error: 'must be test, design or all' }).optional()),
    store: { ...sharedFlags.store, help: `${sharedFlags.store.help}: where the Narratives section reads narratives and feedback` },
    json: sharedFlags.json,
  },
  async run({ flags }) {
    const config = env();
    const leadsPath = flags.leads ?? config.LEADS_PATH;
    const { leads, issues, rejected } = await loadLeadsFile(leadsPath, { skipInvalid: flags['skip-invalid'], origin: flags.leads ? '--leads' : 'LEADS_PATH' });
    if (rejected > 0) console.warn(`Warning: skipped ${rejected} invalid record(s):\n${formatIssues(issues)}\n`);
    const rules = await loadRuleSet(flags.rules ?? config.SCORING_RULES, { origin: flags.rules ? '--rules' : 'SCORING_RULES' });
    const now = resolveAsOf(leads, flags['as-of'] ?? config.SCORING_AS_OF);
    const coverage = ruleCoverage(rules, fieldCoverage(leads.map(toScorable)));
    const warnings = formatCoverageWarnings(coverage);
    if (coverage.readsNothing) {
      throw new AppError('INVALID_INPUT', `rule set "${rules.name}" reads no field of ${leadsPath}:\n${warnings.map((w) => `  - ${w}`).join('\n')}`);
    }
    if (warnings.length > 0 && !flags.json) console.warn(`Warning:\n${warnings.map((w) => `  - ${w}`).join('\n')}\n`);

    const { split, origin } = chooseSplit(leads, rules.tuning?.split, flags);
    const half = flags.half ?? (split ? 'test' : 'all');
    if (half !== 'all' && !split) throw new AppError('USAGE', `--half ${half} needs a split: give --holdout, --split-seed or --split-by (or a rule set written by npm run tune)`);
    const inHalf = split && half !== 'all' ? splitter(split) : undefined;
    const graded = inHalf ? leads.filter((lead) => inHalf(lead) === half) : leads;
    const withOutcome = graded.filter((lead) => lead.converted !== undefined);
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
    const narrativeResult = await narratives(config, flags.store ?? config.LEAD_STORE, { leadsPath, rules, asOf: flags['as-of'] ?? config.SCORING_AS_OF, skipInvalid: flags['skip-invalid'] });
    if (flags.json) {
      console.log(JSON.stringify({ rulesVersion: version, rulesName: rules.name, asOf: now.toISOString(), leadsPath, half, ...(split ? { split } : {}), coverage: { lowRules: coverage.lowRules }, ...result, narratives: narrativeResult }, null, 2));
      return;
    }
    const skippedNoOutcome = graded.length - withOutcome.length;
    const which = half === 'all' ? 'all leads' : `the ${half} half (split ${describeSplit(split!)}${origin === 'rules' ? ', from the rule set\'s tuning metadata' : ''})`;
    console.log(formatBacktestTables(result, { rulesVersion: `${version} (${rules.name})`, source: `${leadsPath}, ${which}, as of ${now.toISOString().slice(0, 10)}` }));
    if (skippedNoOutcome > 0) console.log(`${skippedNoOutcome} lead(s) without a known outcome are left out.`);
    console.log(`\n${formatNarrativeTables(narrativeResult)}`);
    console.log('Scoring never sees the converted flag: it is joined to the scores only here.');
  },
});

/** The split to grade with: the flags', or the one a tuned rule set stores, or none. */
function chooseSplit(
  leads: Parameters<typeof resolveSplit>[0],
  stored: SplitSpec | undefined,
  flags: { holdout?: number; 'split-seed'?: number; 'split-by'?: string },
): { split: SplitSpec | undefined; origin: 'flags' | 'rules' | 'none' } {
  if (flags.holdout !== undefined || flags['split-seed'] !== undefined || flags['split-by'] !== undefined) {
    return { split: resolveSplit(leads, { by: flags['split-by'], holdout: flags.holdout, seed: flags['split-seed'] }), origin: 'flags' };
  }
  return stored ? { split: stored, origin: 'rules' } : { split: undefined, origin: 'none' };
}
