/**
 * The one table of lead fields: each field of the lead contract with its type, its label, the dashboard
 * column that shows it, whether search looks in it, and its own column in the SQL `leads` table. Pure data,
 * read by the contract (./lead.ts builds its schema from it), the stores (./store/scored-lead.ts,
 * ./store/sql/row-mapping.ts), the dashboard (app/_lib/lead-columns.ts, components/lead-table.tsx), the
 * CSV import (`MAPPABLE_FIELDS`: what a column may fill) and the README (`npm run docs`).
 *
 * A new field: a row here, its slot in `layout` (./lead.ts; the compiler insists), and, for a `dbColumn`,
 * a migration generating that column from `record` (supabase/migrations).
 */

/**
 * What a field's values are, as the README describes them. The contract's schema of each is in ./lead.ts;
 * the import cleans a CSV cell by its field's type (a label keeps one spelling per file, a headcount reads
 * bands like 51-200, money reads $5M).
 */
export const LEAD_FIELD_TYPES = {
  id: 'text (at most 200 characters) or a whole number; required, unique',
  date: 'an ISO 8601 date or date-time, stored in UTC',
  text: 'text, at most 10,000 characters',
  label: 'a short label from a small vocabulary (text)',
  long_text: 'free text, at most 10,000 characters',
  email: 'an email address, lower-cased',
  domain: 'a domain name, lower-cased',
  count: 'a whole number, not negative',
  headcount: 'a number of people: a whole number, not negative',
  money: 'an amount in USD, not negative',
  flag: 'true or false',
  outcome: 'true or false: the hidden outcome, which only the backtest reads',
} as const;
export type LeadFieldType = keyof typeof LEAD_FIELD_TYPES;

/**
 * The lead table's text columns: heading, the `LeadRow` key holding the cell, and the SQL column it sorts
 * by (lower-cased, COLLATE "C"). Each is also a sort key (./store/types.ts); a lead may leave it empty.
 */
export const LEAD_TABLE_TEXT_COLUMNS = {
  name: { label: 'Name', rowKey: 'name', sortColumn: 'name_key' },
  title: { label: 'Title', rowKey: 'jobTitle', sortColumn: 'title_key' },
  company: { label: 'Company', rowKey: 'company', sortColumn: 'company_key' },
  industry: { label: 'Industry', rowKey: 'industry', sortColumn: 'industry_key' },
} as const;
export type LeadTableTextColumn = keyof typeof LEAD_TABLE_TEXT_COLUMNS;

export interface LeadFieldSpec {
  type: LeadFieldType;
  label: string;
  /** The lead-table column showing it (sortable by that column); `name` joins first and last name. */
  shownIn?: LeadTableTextColumn;
  /** Search (a case-insensitive substring) looks in it: first and last name as the full name. */
  searchable?: true;
  /** Its own column in the SQL `leads` table, generated from the stored `record`. */
  dbColumn?: string;
}

export const LEAD_FIELD_TABLE = {
  id: { type: 'id', label: 'Lead id', searchable: true, dbColumn: 'id' },
  created_at: { type: 'date', label: 'Created' },
  first_name: { type: 'text', label: 'First name', shownIn: 'name', searchable: true, dbColumn: 'first_name' },
  last_name: { type: 'text', label: 'Last name', shownIn: 'name', searchable: true, dbColumn: 'last_name' },
  email: { type: 'email', label: 'Email', searchable: true, dbColumn: 'email' },
  job_title: { type: 'text', label: 'Job title', shownIn: 'title', dbColumn: 'job_title' },
  company_name: { type: 'text', label: 'Company', shownIn: 'company', searchable: true, dbColumn: 'company_name' },
  company_domain: { type: 'domain', label: 'Company domain' },
  industry: { type: 'label', label: 'Industry', shownIn: 'industry', dbColumn: 'industry' },
  employee_count: { type: 'headcount', label: 'Employees' },
  annual_revenue: { type: 'money', label: 'Annual revenue' },
  country: { type: 'label', label: 'Country' },
  company_description: { type: 'long_text', label: 'Company description' },
  lead_source: { type: 'label', label: 'Lead source' },
  email_opens_30d: { type: 'count', label: 'Email opens, 30 days' },
  email_clicks_30d: { type: 'count', label: 'Email clicks, 30 days' },
  page_views_30d: { type: 'count', label: 'Page views, 30 days' },
  pricing_page_views_30d: { type: 'count', label: 'Pricing page views, 30 days' },
  content_downloads_30d: { type: 'count', label: 'Content downloads, 30 days' },
  webinar_attended: { type: 'flag', label: 'Attended a webinar' },
  demo_requested: { type: 'flag', label: 'Requested a demo' },
  last_activity_at: { type: 'date', label: 'Last activity' },
  converted: { type: 'outcome', label: 'Converted', dbColumn: 'converted' },
} as const satisfies Record<string, LeadFieldSpec>;

type Table = typeof LEAD_FIELD_TABLE;
export type LeadFieldName = keyof Table;
/** The fields of one type. */
type FieldsOfType<T extends LeadFieldType> = { [K in LeadFieldName]: Table[K]['type'] extends T ? K : never }[LeadFieldName];

const rows = Object.entries(LEAD_FIELD_TABLE) as [LeadFieldName, LeadFieldSpec][];
const fieldsWhere = (test: (spec: LeadFieldSpec) => boolean): LeadFieldName[] => rows.filter(([, spec]) => test(spec)).map(([name]) => name);

/** Every contract field in the contract's order (a lead's custom `attributes` are not fields). */
export const LEAD_FIELD_NAMES: readonly LeadFieldName[] = rows.map(([name]) => name);

/** What a CSV column may fill: every field but the outcome, which an import mapping names on its own. */
export const MAPPABLE_FIELDS = fieldsWhere((spec) => spec.type !== 'outcome') as Exclude<LeadFieldName, FieldsOfType<'outcome'>>[];

/** What rules may score and profiles count: every field but the id and the outcome. */
export const SCORABLE_FIELDS = fieldsWhere((spec) => spec.type !== 'id' && spec.type !== 'outcome');

/** Fields holding whole numbers only (counts, headcounts), so numeric bands over them may step by one. */
export const WHOLE_NUMBER_FIELDS = fieldsWhere((spec) => spec.type === 'count' || spec.type === 'headcount') as FieldsOfType<'count' | 'headcount'>[];

/** The fields behind each text column of the lead table, in contract order. */
export const FIELDS_SHOWN_IN = Object.fromEntries(
  (Object.keys(LEAD_TABLE_TEXT_COLUMNS) as LeadTableTextColumn[]).map((column) => [column, fieldsWhere((spec) => spec.shownIn === column)]),
) as Record<LeadTableTextColumn, LeadFieldName[]>;

/** What a lead-table row carries of the lead: the id (its link), the email (under the name, or for it), the shown fields. */
export const LEAD_ROW_FIELDS = fieldsWhere((spec) => spec.type === 'id' || spec.type === 'email' || spec.shownIn !== undefined);

/** Fields search looks in (besides a lead's text attributes). */
export const SEARCHABLE_FIELDS = fieldsWhere((spec) => spec.searchable === true);

/** The SQL column of a field that has one. */
export function dbColumnOf(field: LeadFieldName): string | undefined {
  return (LEAD_FIELD_TABLE[field] as LeadFieldSpec).dbColumn;
}
