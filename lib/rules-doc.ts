import { ruleFields, ruleMaxPoints, type Condition, type Rule, type RuleSet } from './rules';

/**
 * Human-readable documentation generated from a rule set, so the README, `rules:print --markdown` and
 * the dashboard describe exactly the rules that score.
 */

/** "1 pt", "5 pts". */
export const pts = (n: number) => `${n} pt${n === 1 ? '' : 's'}`;

/** "5 pts per view" or, for fractional rates, "1 pt per 10 opens". */
export function counterRate(rule: Extract<Rule, { kind: 'counter' }>): string {
  return rule.pointsPer >= 1 ? `${pts(rule.pointsPer)} per ${rule.unit}` : `1 pt per ${+(1 / rule.pointsPer).toFixed(2)} ${rule.unit}s`;
}

/** A field as people read it: `attributes.time_on_site` → "time_on_site", `lead_source` → "lead source". */
export function fieldName(field: string): string {
  return field.startsWith('attributes.') ? field.slice('attributes.'.length) : field.replace(/_/g, ' ');
}

/** One condition of a combination rule, in words: `lead source is "form"`, `time_on_site > 0`. */
export function conditionText(condition: Condition): string {
  const name = fieldName(condition.field);
  if (condition.in !== undefined) {
    const values = condition.in.map((v) => `"${v}"`);
    return values.length === 1 ? `${name} is ${values[0]}` : `${name} is one of ${values.join(', ')}`;
  }
  if (condition.is !== undefined) return `${name} is ${condition.is}`;
  if (condition.matches !== undefined) return `${name} matches ${condition.matches.map((p) => `/${p}/`).join(' or ')}`;
  return `${name} ${condition.op} ${condition.value}`;
}

/** How a rule turns a field into points, in one line. */
export function describeRule(rule: Rule): string {
  const known = describeKnown(rule);
  return 'unknownPoints' in rule && rule.unknownPoints ? `${known}; unknown: ${pts(rule.unknownPoints)}` : known;
}

function describeKnown(rule: Rule): string {
  switch (rule.kind) {
    case 'category_map': {
      const byPoints = new Map<number, string[]>();
      for (const [value, points] of Object.entries(rule.points)) byPoints.set(points, [...(byPoints.get(points) ?? []), value]);
      const groups = [...byPoints.entries()].sort((a, b) => b[0] - a[0]).map(([points, values]) => `${values.join(', ')}: ${pts(points)}`);
      return `${groups.join('; ')}; any other value: ${pts(rule.otherwise)}`;
    }
    case 'numeric_bands': {
      const bands = rule.bands.map((b) => `${b.label}: ${pts(b.points)}`).join('; ');
      return rule.otherwise ? `${bands}; outside every band: ${pts(rule.otherwise)}` : bands;
    }
    case 'keyword_tiers':
      return `${rule.tiers.map((t) => `${t.label}: ${pts(t.points)}`).join('; ')}; otherwise ${rule.otherwise.label}: ${pts(rule.otherwise.points)}`;
    case 'counter':
      return `${counterRate(rule)}, capped at ${rule.cap}`;
    case 'boolean_flag':
      return rule.noPoints ? `yes: ${pts(rule.points)}; no: ${pts(rule.noPoints)}` : `yes: ${pts(rule.points)}`;
    case 'recency': {
      const bands = [...rule.bands].sort((a, b) => a.withinDays - b.withinDays);
      return `${bands.map((b) => `within ${b.withinDays} days: ${pts(b.points)}`).join('; ')}; older: ${pts(rule.otherwise ?? 0)}`;
    }
    case 'combination':
      return `${rule.conditions.map(conditionText).join(' and ')}: ${pts(rule.points)}`;
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The rule set as a Markdown table, grouped by category in rule-set order. */
export function rulesMarkdownTable(rules: RuleSet): string {
  const lines = [
    `Tiers: **HOT** ≥ ${rules.tiers.hot}, **WARM** ${rules.tiers.warm}–${rules.tiers.hot - 1}, **COLD** < ${rules.tiers.warm}. A missing field is *unknown* and earns 0 points; the breakdown says so.`,
    '',
    '| Category (cap) | Rule | Field | Points | Max | Why |',
    '| --- | --- | --- | --- | ---: | --- |',
  ];
  for (const category of rules.categories) {
    for (const rule of rules.rules.filter((r) => r.category === category.id)) {
      lines.push(
        `| ${cell(category.label)} (${category.cap}) | ${cell(rule.label)} | ${ruleFields(rule).map((f) => `\`${f}\``).join(' + ')} | ${cell(describeRule(rule))} | ${Math.min(ruleMaxPoints(rule), category.cap)} | ${cell(rule.why)} |`,
      );
    }
  }
  for (const category of rules.categories) {
    const total = rules.rules.filter((r) => r.category === category.id).reduce((sum, r) => sum + ruleMaxPoints(r), 0);
    if (total > category.cap) {
      lines.push('', `${category.label}: the rules can add up to ${total}, but the category is capped at ${category.cap}; rules apply in the order listed, so the cap trims the weakest signals first.`);
    }
  }
  return lines.join('\n');
}
