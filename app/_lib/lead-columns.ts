import { FIELDS_SHOWN_IN, LEAD_TABLE_TEXT_COLUMNS, type LeadTableTextColumn } from '@/lib/lead-fields';
import type { FieldCoverage } from '@/lib/rule-coverage';
import { ruleFields, type RuleSet } from '@/lib/rules';

/**
 * Which columns the lead table shows. Imported data is not always B2B: a standard column no lead fills
 * (name, title, company, industry) gives way to the custom attributes the rules read that some lead has,
 * so the table shows what the leads are scored on instead of columns of dashes. Name stays, as the link
 * to the lead (it then shows the email or id). The attributes the import mapping marks `show`
 * (LEAD_MAPPING) are columns whatever the data, first, when some lead has them.
 */

/** The lead table's standard text columns (lib/lead-fields.ts), which a lead may leave empty. */
export type StandardColumn = LeadTableTextColumn;

export interface LeadColumns {
  standard: StandardColumn[];
  attributes: string[];
  /** Whether any lead has a name (else the name column shows the email or id). */
  namesKnown: boolean;
}

export function leadColumns(coverage: FieldCoverage, rules: RuleSet, shown: readonly string[] = []): LeadColumns {
  const filled = (column: StandardColumn) => FIELDS_SHOWN_IN[column].some((field) => (coverage.present[field] ?? 0) > 0);
  const all = Object.keys(LEAD_TABLE_TEXT_COLUMNS) as StandardColumn[];
  const standard = all.filter((column) => column === 'name' || filled(column));
  const scored = all.some((column) => !filled(column)) ? ruleAttributes(rules) : [];
  const attributes = [...new Set([...shown, ...scored])].filter((name) => (coverage.present[`attributes.${name}`] ?? 0) > 0);
  return { standard, attributes, namesKnown: filled('name') };
}

/** The custom attributes a rule set reads (`attributes.<name>` fields), in rule order. */
export function ruleAttributes(rules: RuleSet): string[] {
  return [...new Set(rules.rules.flatMap(ruleFields).flatMap((field) => (field.startsWith('attributes.') ? [field.slice('attributes.'.length)] : [])))];
}

/** `plan_tier` → "Plan tier". */
export function attributeLabel(name: string): string {
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
