import { DEFAULT_RULES } from './default-rules';
import { LEAD_FIELD_TABLE, LEAD_FIELD_TYPES, LEAD_TABLE_TEXT_COLUMNS, type LeadFieldSpec } from './lead-fields';
import { RULE_KIND_EXAMPLES, RULE_KIND_EXAMPLES_AS_OF } from './rule-kind-examples';
import type { RuleSet } from './rules';
import { describeRule, rulesMarkdownTable } from './rules-doc';
import { scoreLead } from './scoring';
import { LATENT_MODEL_DESCRIPTION } from './synthetic';

/**
 * README sections generated from code, so the docs cannot drift: `npm run docs` rewrites them between
 * their markers and tests/readme.test.ts fails when the README is out of date.
 */
export const README_SECTIONS: Record<string, () => string> = {
  'default-rules': () => rulesMarkdownTable(DEFAULT_RULES),
  'rule-kinds': ruleKindsReference,
  'latent-model': () => LATENT_MODEL_DESCRIPTION,
  'lead-fields': leadFieldsReference,
};

/** The lead-field table (lib/lead-fields.ts) as the README shows it. */
function leadFieldsReference(): string {
  const rows = (Object.entries(LEAD_FIELD_TABLE) as [string, LeadFieldSpec][]).map(([name, spec]) => {
    const column = spec.shownIn ? LEAD_TABLE_TEXT_COLUMNS[spec.shownIn].label : '';
    return `| \`${name}\` | ${spec.label} | ${LEAD_FIELD_TYPES[spec.type]} | ${column} | ${spec.searchable ? 'yes' : ''} | ${column ? `by ${column}` : ''} | ${spec.dbColumn ? `\`${spec.dbColumn}\`` : ''} |`;
  });
  return ['| Field | Label | Type | Lead table column | Search | Sort | SQL column |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

/** Each rule kind: what it does, an example rule as it is written, and the breakdown lines it prints. */
function ruleKindsReference(): string {
  return RULE_KIND_EXAMPLES.map(({ kind, summary, rule, leads }) => {
    const set: RuleSet = { name: 'example', tiers: { hot: 75, warm: 45 }, categories: [{ id: 'fit', label: 'Fit', cap: 100 }], rules: [rule] };
    const lines = leads.map((lead) => {
      const item = scoreLead(lead, { rules: set, now: RULE_KIND_EXAMPLES_AS_OF }).breakdown[0]!;
      return `- ${item.unknown && item.value === null ? '*unknown*' : `\`${item.value}\``} → **${item.points}** — ${item.detail}`;
    });
    const { category: _category, why: _why, ...shown } = rule;
    return [`#### \`${kind}\``, '', summary, '', '```json', JSON.stringify(shown, null, 2), '```', '', `Reads as: ${describeRule(rule)}. Breakdown lines:`, '', ...lines].join('\n');
  }).join('\n\n');
}

export function markers(name: string): { start: string; end: string } {
  return { start: `<!-- generated:${name}:start (npm run docs) -->`, end: `<!-- generated:${name}:end -->` };
}

/** The README with every generated section replaced by its current content. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(README_SECTIONS)) {
    const { start, end } = markers(name);
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from === -1 || to === -1 || to < from) throw new Error(`README is missing the markers of the generated section "${name}"`);
    out = `${out.slice(0, from + start.length)}\n${render().trim()}\n${out.slice(to)}`;
  }
  return out;
}
