/**
 * `npm run rules:print -- [--rules FILE] [--out FILE]`: prints a rule set as reviewable JSON — the built-in
 * default, the starting point for a team's own file, or (with --rules) a team's file, validated and
 * re-printed in canonical form. Writes to stdout, or atomically to --out.
 */
import { writeFileAtomic } from '../lib/fs-atomic';
import { loadRuleSet, ruleSetToJson } from '../lib/rules-file';
import { defineCommand, sharedFlags } from './cli';

export default defineCommand(import.meta.url, {
  name: 'rules:print',
  summary: 'Prints a rule set as canonical JSON: the built-in default (a starting point for your own), or your file, validated.',
  flags: {
    rules: { ...sharedFlags.rules, help: 'rule set JSON file to validate and print (default: the built-in rules)' },
    out: { ...sharedFlags.out, help: 'write the JSON to this file, atomically, instead of stdout' },
  },
  async run({ flags }) {
    const json = ruleSetToJson(await loadRuleSet(flags.rules, { origin: '--rules' }));
    if (flags.out) {
      await writeFileAtomic(flags.out, json);
      console.error(`Wrote the rule set to ${flags.out}`);
    } else {
      process.stdout.write(json);
    }
  },
});
