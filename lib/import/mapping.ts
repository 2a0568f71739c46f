import { z } from 'zod';
import { AppError, formatIssues, type FieldIssue } from '../errors';
import { readJsonFile } from '../json-file';
import { MAPPABLE_FIELDS } from '../lead-fields';
import { columnKey } from './clean';
import { PRESETS, type PresetName } from './presets';

/**
 * How a CRM export's columns become leads: a JSON mapping file (or a built-in preset), validated here.
 *
 * ```json
 * {
 *   "name": "Acme HubSpot export with our custom properties",
 *   "extends": "hubspot",
 *   "dateFormat": "MDY",
 *   "fields": { "company_domain": ["Company Domain Name", "Website URL"], "demo_requested": "Requested a demo?" },
 *   "attributes": {
 *     "plan_tier": { "column": "Plan Tier", "type": "text" },
 *     "seats": { "column": "Seats", "type": "number" },
 *     "is_partner": { "column": "Partner?", "type": "boolean" },
 *     "trial_started_at": { "column": "Trial Start Date", "type": "date" }
 *   },
 *   "outcome": { "column": "Lifecycle Stage", "positive": ["customer"] }
 * }
 * ```
 *
 * - `fields`: lead contract field → source column, or a list of columns tried left to right (the first
 *   with a value wins, e.g. a domain column, then the website), or `{ "column": …, …options }`. Column
 *   names match case- and whitespace-insensitively.
 * - `attributes`: every other column you want kept, under a snake_case name, typed `text`, `number`,
 *   `boolean` or `date` (stored as an ISO string). Rules score them as `attributes.<name>`. `"show": true`
 *   makes it a column of the dashboard's lead table when the dashboard runs with `LEAD_MAPPING` set to
 *   this mapping (a rule need not read it).
 * - Options of a field or attribute (`ColumnOptions`): `"builtInPlaceholders": false`, `"placeholders":
 *   ["tbd"]`, `"recode": {"unknown": "untracked"}`.
 * - `outcome`: the optional conversion column, which becomes the hidden `converted` flag that only the
 *   backtest reads. With `positive` (and optionally `negative`) values it is matched case-insensitively
 *   (`"Lifecycle Stage": ["customer"]`, `"Status": ["closed won"]`); without them it is read as a boolean
 *   ("Converted": true/false, 1/0, yes/no). The outcome column can never also be a field or attribute,
 *   or scoring could see the answer. `null` drops the preset's outcome.
 * - `extends`: start from a preset (`hubspot`, `salesforce`) and add or override fields, attributes and
 *   the outcome; `dateFormat` is "MDY" (US, the default) or "DMY" for numeric dates like 05/03/2024.
 * - Columns the mapping does not name are ignored, and listed in the import report.
 */

/** Contract fields a column can fill: everything but the outcome, which has its own entry (the lead-field table's). */
export { MAPPABLE_FIELDS };
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

export const ATTRIBUTE_TYPES = ['text', 'number', 'boolean', 'date'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

const columnName = z.string().trim().min(1, 'must name a column');
const columns = z.union([columnName, z.array(columnName).min(1)]).transform((c) => (Array.isArray(c) ? c : [c]));

/** How one target reads its cells beyond its type's cleaning rule (see `ColumnOptions`). */
const columnOptions = {
  builtInPlaceholders: z.boolean().optional(),
  placeholders: z.array(z.string().trim().min(1)).optional(),
  recode: z.record(z.string().trim().min(1), z.string()).optional(),
};

export const mappingSchema = z
  .object({
    name: z.string().min(1).optional(),
    extends: z.enum(Object.keys(PRESETS) as [PresetName, ...PresetName[]]).optional(),
    dateFormat: z.enum(['MDY', 'DMY']).optional(),
    fields: z.partialRecord(z.enum(MAPPABLE_FIELDS as [MappableField, ...MappableField[]]), z.union([columns, z.object({ column: columns, ...columnOptions }).strict()])).optional(),
    attributes: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]*$/, 'attribute names must be snake_case (a–z, 0–9, _), as rules name them "attributes.<name>"'),
        z.object({ column: columns, type: z.enum(ATTRIBUTE_TYPES), show: z.boolean().optional(), ...columnOptions }).strict(),
      )
      .optional(),
    outcome: z
      .object({
        column: columnName,
        positive: z.array(z.string().trim().min(1)).min(1).optional(),
        negative: z.array(z.string().trim().min(1)).min(1).optional(),
      })
      .strict()
      .refine((o) => o.negative === undefined || o.positive !== undefined, { message: '"negative" values need "positive" values too' })
      .nullable()
      .optional(),
  })
  .strict();

export type MappingInput = z.input<typeof mappingSchema>;
export type MappingFile = z.output<typeof mappingSchema>;

/**
 * A target's cell options: `builtInPlaceholders: false` reads "N/A", "unknown", "-" … as values (text
 * keeps them; a number, date or yes/no column rejects them); `placeholders` are more values that mean
 * unknown in this column; `recode` replaces a value before it is cleaned (`{"unknown": "untracked"}`),
 * matched case- and whitespace-insensitively. Keys of `recode` and `placeholders` are stored as `columnKey`s.
 */
export interface ColumnOptions {
  builtInPlaceholders: boolean;
  placeholders: string[];
  recode: Record<string, string>;
}

/** A mapping with its preset folded in: what the importer runs on. */
export interface Mapping {
  name: string;
  dateFormat: 'MDY' | 'DMY';
  fields: Partial<Record<MappableField, string[]>>;
  /** `show`: a column of the lead table (see `shownAttributes`). */
  attributes: Record<string, { column: string[]; type: AttributeType; show: boolean }>;
  outcome?: { column: string; positive?: string[]; negative?: string[] };
  /** Per target key (`lead_source`, `attributes.plan_tier`) with options set: see `ColumnOptions`. */
  options: Record<string, ColumnOptions>;
}

function columnOptionsOf(entry: { builtInPlaceholders?: boolean; placeholders?: string[]; recode?: Record<string, string> }): ColumnOptions | null {
  if (entry.builtInPlaceholders === undefined && !entry.placeholders && !entry.recode) return null;
  return {
    builtInPlaceholders: entry.builtInPlaceholders ?? true,
    placeholders: (entry.placeholders ?? []).map(columnKey),
    recode: Object.fromEntries(Object.entries(entry.recode ?? {}).map(([from, to]) => [columnKey(from), to])),
  };
}

/** Validates a parsed mapping, folds in its preset, and checks the outcome cannot leak into scoring. */
export function parseMapping(raw: unknown, source = 'mapping'): Mapping {
  const result = mappingSchema.safeParse(raw);
  if (!result.success) {
    const issues: FieldIssue[] = result.error.issues.map((issue) => ({
      record: source,
      field: issue.path.length ? issue.path.join('.') : '(root)',
      // zod reports a bad record key as "Invalid key in record"; the key's own rule says what is wrong.
      message: issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message,
    }));
    throw new AppError('INVALID_INPUT', `Mapping ${source} is invalid:\n${formatIssues(issues, issues.length)}`, { issues });
  }
  const file = result.data;
  const base = file.extends ? parseMapping(PRESETS[file.extends], `preset "${file.extends}"`) : undefined;
  const options: Record<string, ColumnOptions> = { ...base?.options };
  const fields: Partial<Record<MappableField, string[]>> = { ...base?.fields };
  for (const [field, entry] of Object.entries(file.fields ?? {}) as [MappableField, NonNullable<NonNullable<MappingFile['fields']>[MappableField]>][]) {
    fields[field] = Array.isArray(entry) ? entry : entry.column;
    const set = Array.isArray(entry) ? null : columnOptionsOf(entry);
    if (set) options[field] = set;
    else delete options[field];
  }
  const attributes: Mapping['attributes'] = { ...base?.attributes };
  for (const [name, entry] of Object.entries(file.attributes ?? {})) {
    attributes[name] = { column: entry.column, type: entry.type, show: entry.show ?? false };
    const set = columnOptionsOf(entry);
    if (set) options[`attributes.${name}`] = set;
    else delete options[`attributes.${name}`];
  }
  const mapping: Mapping = {
    name: file.name ?? (base && file.extends ? `${base.name} (extended)` : source),
    dateFormat: file.dateFormat ?? base?.dateFormat ?? 'MDY',
    fields,
    attributes,
    // `"outcome": null` drops a preset's outcome (an export without that column).
    outcome: file.outcome === null ? undefined : (file.outcome ?? base?.outcome),
    options,
  };
  assertOutcomeIsolated(mapping, source);
  return mapping;
}

function assertOutcomeIsolated(mapping: Mapping, source: string): void {
  if (!mapping.outcome) return;
  const outcome = columnKey(mapping.outcome.column);
  const users = [
    ...Object.entries(mapping.fields).map(([field, cols]) => [`fields.${field}`, cols] as const),
    ...Object.entries(mapping.attributes).map(([name, a]) => [`attributes.${name}`, a.column] as const),
  ];
  for (const [where, cols] of users) {
    if (cols.some((c) => columnKey(c) === outcome)) {
      throw new AppError(
        'INVALID_INPUT',
        `Mapping ${source}: ${where} reads the outcome column "${mapping.outcome.column}"; scoring must never see the outcome`,
      );
    }
  }
}

/** The attributes the mapping marks `"show": true`, in mapping order: the lead table shows them as columns. */
export function shownAttributes(mapping: Mapping): string[] {
  return Object.entries(mapping.attributes).flatMap(([name, attribute]) => (attribute.show ? [name] : []));
}

/** `hubspot`, `salesforce`, or the path of a JSON mapping file; `origin` is the flag or setting that named it. */
export async function loadMapping(nameOrPath: string, origin = '--mapping'): Promise<Mapping> {
  if (Object.hasOwn(PRESETS, nameOrPath)) return parseMapping(PRESETS[nameOrPath as PresetName], `preset "${nameOrPath}"`);
  if (!/[/\\.]/.test(nameOrPath)) {
    throw new AppError('INVALID_INPUT', `Unknown mapping "${nameOrPath}": use ${Object.keys(PRESETS).join(' or ')}, or the path of a JSON mapping file`);
  }
  return parseMapping(await readJsonFile(nameOrPath, { label: 'Mapping file', origin }), nameOrPath);
}
