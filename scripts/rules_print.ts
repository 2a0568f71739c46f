/**
 * `npm run rules:print -- [--rules FILE] [--out FILE]`: prints a rule set as reviewable JSON — the built-in
 * default, the starting point for a team's own file, or (with --rules) a team's file, validated and
 * re-printed in canonical form. Writes to stdout, or atomically to --out. `--check [--leads FILE]` validates
 * instead of printing and, with leads, lists the rules that read a field (almost) no lead has.
 */
import { AppError, formatIssues } from '../lib/errors';
import { writeFileAtomic } from '../lib/fs-atomic';
import { loadLeadsFile } from '../lib/leads-file';
import { fieldCoverage, formatCoverageWarnings, ruleCoverage } from '../lib/rule-coverage';
import { loadRuleSet, ruleSetToJson } from '../lib/rules-file';
import { booleanFlag, defineCommand, sharedFlags } from './cli';

const LOW_COVERAGE = 3;

export default defineCommand(import.meta.url, {
  name: 'rules:print',
  summary: 'Prints a rule set as canonical JSON: the built-in default (a starting point for your own), or your file, validated.',
  flags: {
    rules: { ...sharedFlags.rules, help: 'rule set JSON file to validate and print (default: the built-in rules)' },
    out: { ...sharedFlags.out, help: 'write the JSON to this file, atomically, instead of stdout' },
    check: booleanFlag('validate the rule set and print a verdict instead of the JSON'),
    leads: { ...sharedFlags.leads, help: 'with --check: also check that each rule reads a field at least 5% of these leads have' },
    'skip-invalid': sharedFlags['skip-invalid'],
  },
  exitCodes: { [LOW_COVERAGE]: 'with --check --leads: a rule reads a field fewer than 5% of the leads have (listed, with "did you mean")' },
  async run({ flags }) {
    const rules = await loadRuleSet(flags.rules, { origin: '--rules' });
    if (flags.leads && !flags.check) throw new AppError('USAGE', '--leads goes with --check (rules:print -- --check --rules FILE --leads FILE)');
    if (flags.check) {
      const name = `rule set "${rules.name}"${flags.rules ? ` (${flags.rules})` : ''}`;
      if (!flags.leads) {
        const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
        console.log(`${name} is valid: ${count(rules.rules.length, 'rule')} in ${count(rules.categories.length, 'category').replace(/ys$/, 'ies')}.`);
        return;
      }
      const { leads, issues, rejected } = await loadLeadsFile(flags.leads, { skipInvalid: flags['skip-invalid'], origin: '--leads' });
      if (rejected > 0) console.warn(`Warning: skipped ${rejected} invalid record(s):\n${formatIssues(issues)}\n`);
      const warnings = formatCoverageWarnings(ruleCoverage(rules, fieldCoverage(leads)));
      if (warnings.length === 0) {
        console.log(`${name} is valid, and every rule reads a field at least 5% of the ${leads.length.toLocaleString('en-US')} leads in ${flags.leads} have.`);
        return;
      }
      console.log(`${name} is valid, but on ${flags.leads}:\n${warnings.map((w) => `  - ${w}`).join('\n')}`);
      return LOW_COVERAGE;
    }
    const json = ruleSetToJson(rules);
    if (flags.out) {
      await writeFileAtomic(flags.out, json);
      console.error(`Wrote the rule set to ${flags.out}`);
    } else {
      process.stdout.write(json);
    }
  },
});
