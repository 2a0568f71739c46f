/**
 * `npm run profile -- --leads FILE`: how conversion varies with every field of the leads (design half),
 * the pivot tables an analyst would otherwise build by hand, ranked by information value. Thin: the work
 * is lib/profile.ts. `--help` lists the flags.
 */
import { dataClock, resolveAsOf } from '../lib/as-of';
import { env } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { writeFileAtomic } from '../lib/fs-atomic';
import { loadLeadsFile } from '../lib/leads-file';
import { formatProfile, profileLeads } from '../lib/profile';
import { fieldCoverage, formatCoverageWarnings, ruleCoverage } from '../lib/rule-coverage';
import { loadRuleSet } from '../lib/rules-file';
import { describeSplit, resolveSplit } from '../lib/split';
import { designStats, wordShareFor } from '../lib/tune/stats';
import { commaList, defineCommand, sharedFlags, valueFlag } from './cli';

export default defineCommand(import.meta.url, {
  name: 'profile',
  summary: 'Profiles every field of a leads file against the "converted" outcome, on the design half: rates, intervals, lift, WoE, IV, keywords.',
  details: 'Types are read from the data (boolean, number, date, category, text), so it works on any mapped column. The test half is left untouched for grading.',
  flags: {
    leads: sharedFlags.leads,
    rules: { ...sharedFlags.rules, help: 'also warn about this rule set\'s rules whose fields (nearly) no lead has' },
    field: valueFlag('FIELDS', 'only these fields, comma-separated (e.g. industry,attributes.plan)', commaList().optional()),
    holdout: sharedFlags.holdout,
    'split-seed': sharedFlags['split-seed'],
    'split-by': sharedFlags['split-by'],
    'as-of': sharedFlags['as-of'],
    'skip-invalid': sharedFlags['skip-invalid'],
    out: { ...sharedFlags.out, help: 'also write the profile as JSON to this file, atomically' },
    json: { ...sharedFlags.json, help: 'print the profile as JSON' },
  },
  async run({ flags }) {
    const config = env();
    const leadsPath = flags.leads ?? config.LEADS_PATH;
    const { leads, issues, rejected } = await loadLeadsFile(leadsPath, { skipInvalid: flags['skip-invalid'], origin: flags.leads ? '--leads' : 'LEADS_PATH' });
    if (rejected > 0) console.warn(`Warning: skipped ${rejected} invalid record(s):\n${formatIssues(issues)}\n`);
    if (!leads.some((l) => l.converted !== undefined)) throw new AppError('INVALID_INPUT', `${leadsPath} has no lead with a "converted" outcome: a profile compares fields against it`);
    const split = resolveSplit(leads, { by: flags['split-by'], holdout: flags.holdout, seed: flags['split-seed'] });
    const asOf = resolveAsOf(leads, flags['as-of'] ?? config.SCORING_AS_OF, dataClock(leads));
    const { stats } = designStats(leads, split, asOf, { termShare: wordShareFor(leads.length) });
    const profile = profileLeads(stats);
    if (flags.field) {
      const unknown = flags.field.filter((f) => !profile.fields.some((p) => p.field === f));
      if (unknown.length > 0) throw new AppError('USAGE', `--field: no field ${unknown.map((f) => `"${f}"`).join(', ')} in ${leadsPath} (custom columns are attributes.<name>)`);
      profile.fields = profile.fields.filter((p) => flags.field!.includes(p.field));
    }
    const json = `${JSON.stringify({ leadsPath, split, ...profile }, null, 2)}\n`;
    if (flags.out) await writeFileAtomic(flags.out, json);
    if (flags.json) process.stdout.write(json);
    else process.stdout.write(formatProfile(profile, { source: leadsPath, split: describeSplit(split) }));
    if (flags.rules) {
      const rules = await loadRuleSet(flags.rules, { origin: '--rules' });
      for (const line of formatCoverageWarnings(ruleCoverage(rules, fieldCoverage(leads)))) console.warn(`Warning: ${line}`);
    }
    if (flags.out) console.error(`Wrote the profile to ${flags.out}`);
  },
});
