/**
 * `npm run tune -- --leads FILE [--rules BASE.json] --out suggested.rules.json [--report suggested.md]`:
 * fits integer points to a team's own outcomes on the design half and grades them on the test half.
 * Thin: the work is lib/tune/. `--help` lists the flags.
 */
import { z } from 'zod';
import { dataClock, describeAsOf, resolveAsOf } from '../lib/as-of';
import { DEFAULT_RULES } from '../lib/default-rules';
import { env } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { writeFileAtomic } from '../lib/fs-atomic';
import type { Lead } from '../lib/lead';
import { loadLeadsFile } from '../lib/leads-file';
import { fieldCoverage, formatCoverageWarnings, ruleCoverage } from '../lib/rule-coverage';
import { loadRuleSet, ruleSetToJson } from '../lib/rules-file';
import { describeSplit, resolveSplit } from '../lib/split';
import { buildReport, reportMarkdown, reportSummary } from '../lib/tune/report';
import { DEFAULT_HOT_SHARE, DEFAULT_WARM_SHARE, tuneRules, type LeadSource } from '../lib/tune/tune';
import { commaList, createProgress, defineCommand, sharedFlags, shareOfOne, valueFlag, booleanFlag, wholeNumber } from './cli';

export default defineCommand(import.meta.url, {
  name: 'tune',
  summary: 'Suggests a rule set with integer points fitted to your leads\' outcomes (design half), graded on the test half.',
  details: [
    'Without --rules it builds a full rule set from the fields the import mapped (bins, keywords from free text, combinations);',
    'with --rules it keeps that set\'s rules and re-weights their points, and lists the rules it would add in the report.',
    'Points are never fitted on the half they are graded on. Same input, same file, byte for byte.',
  ].join('\n'),
  flags: {
    leads: sharedFlags.leads,
    rules: { ...sharedFlags.rules, help: 'base rule set to re-weight (default: none — build one from the fields)' },
    out: { ...sharedFlags.out, help: 'write the suggested rule set here, atomically (without it nothing is written)' },
    report: valueFlag('PATH', 'write the review report (Markdown, for the pull request) here, atomically', z.string().min(1).optional()),
    holdout: sharedFlags.holdout,
    'split-seed': sharedFlags['split-seed'],
    'split-by': sharedFlags['split-by'],
    'hot-share': valueFlag('SHARE', `share of leads HOT should hold, e.g. what the SDR team can work (default ${DEFAULT_HOT_SHARE})`, shareOfOne().optional()),
    capacity: valueFlag('N', 'leads of this file the team can work: HOT ≈ N / leads (instead of --hot-share)', wholeNumber({ min: 1 }).optional()),
    'warm-share': valueFlag('SHARE', `share of leads WARM should hold, below HOT (default ${DEFAULT_WARM_SHARE})`, shareOfOne().optional()),
    exclude: valueFlag('FIELDS', 'fields never to score, comma-separated (e.g. ones written after the outcome: attributes.tags)', commaList().optional()),
    'add-proposed': booleanFlag('with --rules: also write the proposed additions into the suggested file'),
    name: valueFlag('NAME', 'name of the suggested rule set', z.string().trim().min(1).optional()),
    'as-of': sharedFlags['as-of'],
    'skip-invalid': sharedFlags['skip-invalid'],
    json: { ...sharedFlags.json, help: 'print the report data as JSON instead of the summary' },
  },
  async run({ flags }) {
    if (flags.capacity !== undefined && flags['hot-share'] !== undefined) throw new AppError('USAGE', '--capacity and --hot-share both set HOT\'s size: give one');
    const config = env();
    const leadsPath = flags.leads ?? config.LEADS_PATH;
    const { leads, issues, rejected } = await loadLeadsFile(leadsPath, { skipInvalid: flags['skip-invalid'], origin: flags.leads ? '--leads' : 'LEADS_PATH' });
    if (rejected > 0) console.warn(`Warning: skipped ${rejected} invalid record(s):\n${formatIssues(issues)}\n`);
    const withOutcome = leads.filter((l) => l.converted !== undefined).length;
    if (withOutcome === 0) throw new AppError('INVALID_INPUT', `${leadsPath} has no lead with a "converted" outcome: tune fits points to outcomes (map an outcome column in the import)`);
    const base = flags.rules ? await loadRuleSet(flags.rules, { origin: '--rules' }) : undefined;
    const asOf = resolveAsOf(leads, flags['as-of'] ?? config.SCORING_AS_OF, dataClock(leads));
    const split = resolveSplit(leads, { by: flags['split-by'], holdout: flags.holdout, seed: flags['split-seed'] });
    const hotShare = flags.capacity !== undefined ? Math.min(0.5, flags.capacity / withOutcome) : (flags['hot-share'] ?? DEFAULT_HOT_SHARE);

    console.error(`tune: ${leads.length.toLocaleString('en-US')} leads; split ${describeSplit(split)}; ${describeAsOf(asOf)}`);
    if (base) for (const line of formatCoverageWarnings(ruleCoverage(base, fieldCoverage(leads)))) console.warn(`Warning: ${line}`);
    const source = progressSource(leads);
    let result;
    try {
      result = tuneRules(source, { split, asOf, base, addProposed: flags['add-proposed'], hotShare, warmShare: flags['warm-share'], exclude: flags.exclude, name: flags.name });
    } catch (error) {
      // The core reports data it cannot fit as plain errors; here they are the user's input problem.
      if (error instanceof Error && !(error instanceof AppError)) throw new AppError('INVALID_INPUT', `${leadsPath}: ${error.message}`, { cause: error });
      throw error;
    }
    for (const d of result.decisions.filter((x) => x.suspicious)) console.warn(`Warning: ${d.field} — ${d.reason}`);
    const report = buildReport(source, result, { split, asOf, base: base ?? DEFAULT_RULES, baseIsDefault: !base, capacityShare: hotShare });

    if (flags.out) await writeFileAtomic(flags.out, ruleSetToJson(result.rules));
    if (flags.report) await writeFileAtomic(flags.report, reportMarkdown(report));
    if (flags.json) {
      console.log(JSON.stringify({ ...report, rules: result.rules }, null, 2));
    } else {
      console.log(reportSummary(report));
      console.log('');
      console.log(flags.out ? `Wrote the suggested rule set to ${flags.out}` : 'Nothing written (no --out): a dry run.');
      if (flags.report) console.log(`Wrote the review report to ${flags.report}`);
      if (flags.out) console.log(`Next: read the report, then npm run validate -- --leads ${leadsPath} --rules ${flags.out} (it grades the test half), and commit the file.`);
    }
  },
});

/** The leads as tune's re-readable source, with a progress line per pass over them. */
function progressSource(leads: readonly Lead[]): LeadSource {
  let pass = 0;
  return function* () {
    pass++;
    const progress = createProgress({ label: `tune: pass ${pass}`, total: leads.length });
    for (let i = 0; i < leads.length; i++) {
      if ((i & 4095) === 0) progress.update(i);
      yield leads[i]!;
    }
    progress.update(leads.length);
  };
}
