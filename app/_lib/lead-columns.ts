import type { RuleSet } from '@/lib/rules';
import { STANDARD_COLUMNS, type StandardColumn, type StoreSummary } from '@/lib/store/types';

/**
 * Which columns the lead table shows. Imported data is not always B2B: a standard column no lead fills
 * (name, title, company, industry) gives way to the custom attributes the rules read, so the table
 * shows what the leads are scored on instead of columns of dashes. Name stays, as the link to the lead
 * (it then shows the email or id).
 */
export interface LeadColumns {
  standard: StandardColumn[];
  attributes: string[];
}

export function leadColumns(summary: Pick<StoreSummary, 'columns'>, rules: RuleSet): LeadColumns {
  const standard = STANDARD_COLUMNS.filter((column) => column === 'name' || summary.columns[column]);
  const emptyColumns = STANDARD_COLUMNS.some((column) => !summary.columns[column]);
  return { standard, attributes: emptyColumns ? ruleAttributes(rules) : [] };
}

/** The custom attributes a rule set reads (`attributes.<name>` fields), in rule order. */
export function ruleAttributes(rules: RuleSet): string[] {
  return [...new Set(rules.rules.flatMap((rule) => (rule.field.startsWith('attributes.') ? [rule.field.slice('attributes.'.length)] : [])))];
}

/** `plan_tier` → "Plan tier". */
export function attributeLabel(name: string): string {
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
