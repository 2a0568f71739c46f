/**
 * `npm run validate -- [flags]`: backtests a leads file that carries the `converted` outcome, with the
 * same tables as the /validate page; `--compare` grades a candidate rule set beside it, `--drift` checks
 * whether the live rules still fit today's leads. `--help` lists the flags.
 */
import { resolveAsOf } from '../lib/as-of';
import { formatBacktestTables, kListSchema, runBacktest, type KSpec } from '../lib/backtest';
import { compareRuleSets, formatComparison } from '../lib/compare';
import { DRIFT_SAMPLE_LEADS, driftReport, formatDrift, tuneCommandFor } from '../lib/drift';
import { env, parseEnv, type Env } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { loadLeadsFile } from '../lib/leads-file';
import { toScorable, type Lead } from '../lib/lead';
import { fieldCoverage, formatCoverageWarnings, ruleCoverage } from '../lib/rule-coverage';
import { formatNarrativeTables, narrativeQuality, type NarrativeQuality } from '../lib/narrative-quality';
import { loadRuleSet } from '../lib/rules-file';
import { rulesVersion, scoreLead } from '../lib/scoring';
import { DEFAULT_HOLDOUT, DEFAULT_SPLIT_SEED, describeSplit, resolveSplit, splitter, type SplitSpec } from '../lib/split';
import { fileNarratives } from '../lib/store/file';
import { createStore } from '../lib/store/index';
import type { ScoredRecord } from '../lib/store/types';
import { booleanFlag, defineCommand, sharedFlags, valueFlag, wholeNumber } from './cli';
import { z } from 'zod';

/** Exit code of `--drift` when the alarm fires. */
export const DRIFT_ALARM_EXIT = 3;

/**
 * The Narratives section reads the store (--store, default LEAD_STORE): narratives and SDR feedback live
 * there, not in the leads file. From the file store's files they are joined to this run's scores; a
 * database store grades its stored scores.
 */
async function narratives(config: Env, kind: Env['LEAD_STORE'], records: readonly ScoredRecord[], rulesVersion: string): Promise<NarrativeQuality> {
  if (kind === 'file') {
    const { outcomes, feedback } = await fileNarratives(records, { enrichmentsPath: config.ENRICHMENTS_PATH, feedbackPath: config.FEEDBACK_PATH, rulesVersion });
    return narrativeQuality(outcomes, feedback);
  }
  // Validating the environment as if LEAD_STORE were `kind` names any connection variable it lacks.
  const store = await createStore(parseEnv({ ...process.env, LEAD_STORE: kind }));
  try {
    return narrativeQuality(await store.outcomes(), await store.feedback());
  } finally {
    await store.close?.();
  }
}

export default defineCommand(import.meta.url, {
  name: 'validate',
  summary: 'Backtests the rules on a leads file with the "converted" outcome: conversion by tier, precision@k, lift, ROC AUC with its 95% interval.',
  details: [
    'Scoring never sees the outcome: it is joined to the scores only here. Leads without an outcome are left out of the backtest.',
    'Rules that read a field fewer than 5% of the leads have are listed first; when the rule set reads no such field at all, it fails.',
    'With a split (--holdout, --split-seed, --split-by), or a rule set written by npm run tune (it stores its split), only the',
    'test half is graded by default: points are never graded on the half they were fitted on. --half all grades every lead.',
    '--compare grades a candidate rule set on the same leads (a tuned candidate\'s own split first): both side by side, DeLong\'s',
    'paired test of the AUC difference, the tier-move matrix. --drift refits tune\'s model on the leads and grades it beside the',
    'rules, and measures the score shift (PSI) against the histogram tune stored; it exits 3 when the alarm fires.',
    'The Narratives section (conversion by confidence label within each tier, grounding flags, SDR feedback) reads the narratives and feedback in the store.',
  ].join('\n'),
  exitCodes: {
    1: 'failed: a bad file or flag value, no lead with an outcome (without --drift), or a rule set that reads no field of this data',
    [DRIFT_ALARM_EXIT]: 'with --drift: the drift alarm fired (PSI > 0.25, or a model beats the rules by > 0.05 AUC); the alarm line says what to run',
  },
  flags: {
    leads: sharedFlags.leads,
    rules: sharedFlags.rules,
    compare: valueFlag('PATH', 'a candidate rule set to grade beside --rules on the same leads', z.string().min(1, 'needs a path').optional()),
    k: valueFlag('LIST', 'precision@k for these k: whole numbers and shares of the graded leads, e.g. 25,50,100,5% (default 25,50,100)', kListSchema.optional()),
    capacity: valueFlag('N', 'leads the team can work per period (of this file): precision and lift there, and the score cut-off it implies', wholeNumber({ min: 1 }).optional()),
    drift: booleanFlag('check for drift: the model refitted beside the rules, and the score shift since tuning; exit 3 when the alarm fires'),
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
    const rulesPath = flags.rules ?? config.SCORING_RULES;
    const rules = await loadRuleSet(rulesPath, { origin: flags.rules ? '--rules' : 'SCORING_RULES' });
    const candidate = flags.compare ? await loadRuleSet(flags.compare, { origin: '--compare' }) : undefined;
    const now = resolveAsOf(leads, flags['as-of'] ?? config.SCORING_AS_OF);
    const fields = fieldCoverage(leads);
    const coverage = ruleCoverage(rules, fields);
    const warnings = formatCoverageWarnings(coverage);
    if (coverage.readsNothing) {
      throw new AppError('INVALID_INPUT', `rule set "${rules.name}" reads no field of ${leadsPath}:\n${warnings.map((w) => `  - ${w}`).join('\n')}`);
    }
    if (warnings.length > 0 && !flags.json) console.warn(`Warning:\n${warnings.map((w) => `  - ${w}`).join('\n')}\n`);
    if (candidate && !flags.json) {
      const candidateWarnings = formatCoverageWarnings(ruleCoverage(candidate, fields));
      if (candidateWarnings.length > 0) console.warn(`Warning (candidate ${candidate.name}):\n${candidateWarnings.map((w) => `  - ${w}`).join('\n')}\n`);
    }

    const { split, origin } = chooseSplit(leads, [candidate?.tuning?.split, rules.tuning?.split], flags);
    const half = flags.half ?? (split ? 'test' : 'all');
    if (half !== 'all' && !split) throw new AppError('USAGE', `--half ${half} needs a split: give --holdout, --split-seed or --split-by (or a rule set written by npm run tune)`);
    const inHalf = split && half !== 'all' ? splitter(split) : undefined;
    // Scoring sees the lead without its outcome; the outcome joins only the backtest rows.
    const records: ScoredRecord[] = leads.map((lead) => {
      const { score, tier } = scoreLead(toScorable(lead), { rules, now });
      return { lead, score, tier };
    });
    const withOutcome = records.filter((r) => r.lead.converted !== undefined);
    const graded = withOutcome.filter((r) => !inHalf || inHalf(r.lead) === half);
    if (graded.length === 0 && !flags.drift) {
      throw new AppError('INVALID_INPUT', `${leadsPath} has no lead with a "converted" outcome${inHalf ? ` in the ${half} half` : ''}, so there is nothing to backtest against.`);
    }
    const ks: readonly KSpec[] | undefined = flags.k;
    // Capacity is per period of this file's leads: on one half, the same share of that half.
    const capacity = flags.capacity === undefined ? undefined : half === 'all' ? flags.capacity : Math.max(1, Math.round((flags.capacity * graded.length) / Math.max(1, withOutcome.length)));
    const version = rulesVersion(rules);
    const which = half === 'all' ? 'all leads' : `the ${half} half (split ${describeSplit(split!)}${origin === 'candidate' ? ", from the candidate's tuning metadata" : origin === 'rules' ? ", from the rule set's tuning metadata" : ''})`;
    const source = `${leadsPath}, ${which}, as of ${now.toISOString().slice(0, 10)}`;

    const result = graded.length > 0 ? runBacktest(graded.map(backtestRow), { ks, capacity }) : null;
    const comparison = candidate && graded.length > 0 ? compareRuleSets(graded, { candidate, now, ks, capacity, movers: 100 }) : null;
    const narrativeResult = result ? await narratives(config, flags.store ?? config.LEAD_STORE, records, version) : null;
    let drift = null;
    if (flags.drift) {
      const driftSplit = split ?? { by: 'hash' as const, holdout: DEFAULT_HOLDOUT, seed: DEFAULT_SPLIT_SEED };
      if (!flags.json && withOutcome.length > 0) console.error(`validate: refitting tune's model beside the rules on ${Math.min(DRIFT_SAMPLE_LEADS, withOutcome.length).toLocaleString('en-US')} leads with an outcome …`);
      drift = driftReport(() => records, { rules, asOf: now, split: driftSplit, tuneCommand: tuneCommandFor(leadsPath, rulesPath) });
    }

    if (flags.json) {
      console.log(
        JSON.stringify(
          {
            rulesVersion: version,
            rulesName: rules.name,
            asOf: now.toISOString(),
            leadsPath,
            half,
            ...(split ? { split } : {}),
            coverage: { lowRules: coverage.lowRules },
            ...(result ?? { n: 0 }),
            ...(capacity !== undefined ? { capacityAsked: flags.capacity } : {}),
            ...(comparison && candidate ? { compare: { candidateRules: { name: candidate.name, rulesVersion: rulesVersion(candidate), path: flags.compare }, ...comparison } } : {}),
            ...(narrativeResult ? { narratives: narrativeResult } : {}),
            ...(drift ? { drift } : {}),
          },
          null,
          2,
        ),
      );
      return drift?.alarm ? DRIFT_ALARM_EXIT : undefined;
    }
    if (result) {
      console.log(formatBacktestTables(result, { rulesVersion: `${version} (${rules.name})`, source }));
      const n = (value: number) => value.toLocaleString('en-US');
      if (capacity !== undefined && flags.capacity !== undefined && capacity !== flags.capacity) console.log(`Capacity ${n(flags.capacity)} of ${n(withOutcome.length)} leads with an outcome is ${n(capacity)} of the ${n(graded.length)} graded.`);
      const skippedNoOutcome = (inHalf ? leads.filter((l) => inHalf(l) === half).length : leads.length) - graded.length;
      if (skippedNoOutcome > 0) console.log(`${skippedNoOutcome} lead(s) without a known outcome are left out.`);
      if (narrativeResult) console.log(`\n${formatNarrativeTables(narrativeResult)}`);
      console.log('Scoring never sees the converted flag: it is joined to the scores only here.');
    } else {
      console.log(`No lead of ${leadsPath} has a known outcome: there is no backtest${candidate ? ' and no comparison' : ''}; the drift check below needs none for the score shift.`);
    }
    if (comparison && candidate) console.log(`\n${formatComparison(comparison, { live: `${version} (${rules.name})`, candidate: `${rulesVersion(candidate)} (${candidate.name})`, source })}`);
    if (drift) console.log(`\n${formatDrift(drift)}`);
    return drift?.alarm ? DRIFT_ALARM_EXIT : undefined;
  },
});

function backtestRow({ lead, score, tier }: ScoredRecord) {
  return { id: lead.id, score, tier, converted: lead.converted === true };
}

/** The split to grade with: the flags', or the one a tuned candidate (then the live set) stores, or none. */
function chooseSplit(
  leads: readonly Lead[],
  [fromCandidate, fromRules]: [SplitSpec | undefined, SplitSpec | undefined],
  flags: { holdout?: number; 'split-seed'?: number; 'split-by'?: string },
): { split: SplitSpec | undefined; origin: 'flags' | 'candidate' | 'rules' | 'none' } {
  if (flags.holdout !== undefined || flags['split-seed'] !== undefined || flags['split-by'] !== undefined) {
    return { split: resolveSplit(leads, { by: flags['split-by'], holdout: flags.holdout, seed: flags['split-seed'] }), origin: 'flags' };
  }
  if (fromCandidate) return { split: fromCandidate, origin: 'candidate' };
  return fromRules ? { split: fromRules, origin: 'rules' } : { split: undefined, origin: 'none' };
}

