/**
 * `npm run rules:print [-- --rules FILE] [--out FILE]`: prints a rule set as reviewable JSON — the built-in
 * default, the starting point for a team's own file, or (with --rules) a team's file, validated and
 * re-printed in canonical form. Writes to stdout, or atomically to --out.
 */
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../lib/fs-atomic';
import { loadRuleSet, ruleSetToJson } from '../lib/rules-file';
import { runMain } from './cli';

runMain('rules:print', async () => {
  const { values } = parseArgs({ options: { rules: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const json = ruleSetToJson(await loadRuleSet(values.rules, { origin: '--rules' }));
  if (values.out) {
    await writeFileAtomic(values.out, json);
    console.error(`Wrote the rule set to ${values.out}`);
  } else {
    process.stdout.write(json);
  }
});
