import { DEFAULT_RULES } from './default-rules';
import { AppError, formatIssues } from './errors';
import { readJsonFile } from './json-file';
import { safeParseRuleSet, type RuleSet } from './rules';

const LABEL = 'Rule set file';

/**
 * The rule set to score with: the built-in default (the same object, so the engine's per-rule-set
 * compile cache is shared) or a team's JSON file, validated with every issue listed.
 */
export async function loadRuleSet(path?: string, { origin }: { origin?: string } = {}): Promise<RuleSet> {
  if (path === undefined) return DEFAULT_RULES;
  const raw = await readJsonFile(path, { label: LABEL, origin });
  const result = safeParseRuleSet(raw);
  if (result.ok) return result.rules;
  throw new AppError('INVALID_INPUT', `${LABEL} ${path} is invalid:\n${formatIssues(result.issues, result.issues.length)}`, {
    safeMessage: `${LABEL} is invalid.`,
    issues: result.issues,
  });
}

/** A rule set as a reviewable JSON file (`npm run rules:print`): 2-space indent, trailing newline. */
export function ruleSetToJson(rules: RuleSet): string {
  return `${JSON.stringify(rules, null, 2)}\n`;
}
