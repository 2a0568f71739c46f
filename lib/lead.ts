import { z } from 'zod';
import { AppError, type FieldIssue } from './errors';
import { canonicalJson, hashString } from './hash';
import { LEAD_FIELD_NAMES, LEAD_FIELD_TABLE, type LeadFieldName, type LeadFieldType } from './lead-fields';

/**
 * The lead data contract: flat, snake_case CRM records, with the fields of the lead-field table
 * (./lead-fields.ts). Only `id` is required. A missing value means *unknown* (CRMs leave fields empty all
 * the time), never zero, so `null` and `""` are read as missing.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The ISO 8601 form of a date or date-time, or undefined when it is none. Date.parse rolls "2026-02-30"
 * over to March; a CRM value like that is a typo, not a date. A value already in the canonical form
 * `parseLead` stores (every date of a leads file written by LeadSignal) is its own ISO form: only its
 * calendar is checked, which saves a parse and a new string on each of a lead's two dates.
 */
function isoDateTimeOf(value: string): string | undefined {
  if (isCanonicalIso(value)) return dayExists(digits(value, 0, 4), digits(value, 5, 2), digits(value, 8, 2)) ? value : undefined;
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  return dayExists(Number(match[1]), Number(match[2]), Number(match[3])) ? new Date(ms).toISOString() : undefined;
}

function dayExists(year: number, month: number, day: number): boolean {
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! + leapDay;
}

const isoDateTime = z
  .string()
  .trim()
  .transform((value, context) => {
    const iso = isoDateTimeOf(value);
    if (iso === undefined) context.addIssue({ code: 'custom', message: 'must be an ISO 8601 date or date-time (e.g. 2026-03-05 or 2026-03-05T14:22:00Z)' });
    return iso ?? z.NEVER;
  });

const text = z.string().trim().min(1).max(10_000);
const counter = z.number().int('must be a whole number').nonnegative('must not be negative');

/** Custom columns kept by the CSV import (mapping file); dates are stored as ISO strings. */
export const attributeValueSchema = z.union([z.string(), z.number().finite(), z.boolean()]);
export type AttributeValue = z.infer<typeof attributeValueSchema>;

/** The schema of each field type of the lead-field table (./lead-fields.ts). */
const FIELD_SCHEMAS = {
  id: z.union([z.string().trim().min(1, 'must not be empty').max(200), z.number().int().nonnegative()]).transform(String),
  date: isoDateTime,
  text,
  label: text,
  long_text: text,
  email: z.string().trim().toLowerCase().pipe(z.email('must be an email address')),
  domain: text.toLowerCase(),
  count: counter,
  headcount: counter,
  money: z.number().finite().nonnegative('must not be negative'),
  flag: z.boolean(),
  /** The hidden outcome. Only the backtest reads it; scoring takes `ScorableLead`, which has no such key. */
  outcome: z.boolean(),
} satisfies Record<LeadFieldType, z.ZodType>;

type FieldTable = typeof LEAD_FIELD_TABLE;
type FieldSchema<K extends LeadFieldName> = (typeof FIELD_SCHEMAS)[FieldTable[K]['type']];
/** The id is required, every other field optional. */
type ContractShape = { [K in LeadFieldName]: FieldTable[K]['type'] extends 'id' ? FieldSchema<K> : z.ZodOptional<FieldSchema<K>> };

const contractShape = Object.fromEntries(
  LEAD_FIELD_NAMES.map((name) => {
    const { type } = LEAD_FIELD_TABLE[name];
    return [name, type === 'id' ? FIELD_SCHEMAS.id : FIELD_SCHEMAS[type].optional()];
  }),
) as ContractShape;

export const leadSchema = z.object({ ...contractShape, attributes: z.record(z.string().min(1), attributeValueSchema).optional() }).strict();

export type Lead = z.output<typeof leadSchema>;
/** What scoring and enrichment may see: a lead without its outcome. */
export type ScorableLead = Omit<Lead, 'converted'>;
export type LeadField = Exclude<keyof Lead, 'attributes'>;

export const LEAD_FIELDS = Object.keys(leadSchema.shape) as (keyof Lead)[];

export { WHOLE_NUMBER_FIELDS } from './lead-fields';

const isEmpty = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

/** Reads `null` and blank strings as missing, as CRM exports mean them. Copies only when it must. */
function dropEmpty(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const record = raw as Record<string, unknown>;
  let hasEmpty = false;
  for (const key in record) {
    if (isEmpty(record[key])) {
      hasEmpty = true;
      break;
    }
  }
  if (!hasEmpty) return raw;
  const out: Record<string, unknown> = {};
  for (const key in record) if (!isEmpty(record[key])) out[key] = record[key];
  return out;
}

function recordLabel(raw: unknown, index: number | undefined): string {
  const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  if ((typeof id === 'string' && id.trim()) || typeof id === 'number') return `"${String(id)}"${index === undefined ? '' : ` (#${index})`}`;
  return index === undefined ? '(no id)' : `#${index}`;
}

function toIssues(error: z.ZodError, raw: unknown, index?: number): FieldIssue[] {
  const record = recordLabel(raw, index);
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { record, field: issue.keys.join(', '), message: 'unknown field (not part of the lead contract)' };
    }
    return { record, field: issue.path.length ? issue.path.join('.') : '(record)', message: issue.message };
  });
}

export function safeParseLead(raw: unknown, index?: number): { ok: true; lead: Lead } | { ok: false; issues: FieldIssue[] } {
  const result = leadSchema.safeParse(dropEmpty(raw));
  return result.success ? { ok: true, lead: layout(result.data, result.data.converted) } : { ok: false, issues: toIssues(result.error, raw, index) };
}

/** Validates one record; throws an `INVALID_INPUT` AppError naming the record and field. */
export function parseLead(raw: unknown, index?: number): Lead {
  const result = safeParseLead(raw, index);
  if (result.ok) return result.lead;
  const first = result.issues[0]!;
  throw new AppError('INVALID_INPUT', `Invalid lead ${first.record}: ${first.field} ${first.message}`, { issues: result.issues });
}

export interface ParseLeadsResult {
  leads: Lead[];
  /** Every problem in every bad record, not just the first. */
  issues: FieldIssue[];
  /** How many records were rejected. */
  rejected: number;
}

/**
 * Validates records one at a time as they arrive (a large file is read element by element) and reports
 * every bad one. Duplicate ids are an error too: the id is the key of every store.
 */
export function leadCollector(): { add(item: unknown, index: number): void; result(): ParseLeadsResult } {
  const leads: Lead[] = [];
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  let rejected = 0;
  return {
    add(item, index) {
      const parsed = safeParseLead(item, index);
      if (!parsed.ok) {
        rejected++;
        issues.push(...parsed.issues);
        return;
      }
      if (seen.has(parsed.lead.id)) {
        rejected++;
        issues.push({ record: `"${parsed.lead.id}" (#${index})`, field: 'id', message: 'duplicate id (an earlier record has the same id)' });
        return;
      }
      seen.add(parsed.lead.id);
      leads.push(parsed.lead);
    },
    result: () => ({ leads, issues, rejected }),
  };
}

/**
 * Validates a whole file's worth of records (see `leadCollector`). Callers decide what a bad record means:
 * `loadLeadsFile` fails by default and skips (with a warning) only when asked to.
 */
export function parseLeads(raw: unknown): ParseLeadsResult {
  if (!Array.isArray(raw)) {
    return { leads: [], rejected: 0, issues: [{ record: '(file)', field: '(root)', message: 'expected a JSON array of lead records' }] };
  }
  const collector = leadCollector();
  raw.forEach((item, index) => collector.add(item, index));
  return collector.result();
}

/**
 * Every lead, parsed or stripped of its outcome, gets this one property layout (absent fields present as
 * `undefined`, which JSON drops), so the scoring engine's field reads stay monomorphic: a 2× difference
 * at a million leads.
 */
function layout(lead: Lead, converted: boolean | undefined): Lead {
  // Written out rather than looped over the field table: a literal is what makes the layout fixed (and fast).
  return {
    id: lead.id,
    created_at: lead.created_at,
    first_name: lead.first_name,
    last_name: lead.last_name,
    email: lead.email,
    job_title: lead.job_title,
    company_name: lead.company_name,
    company_domain: lead.company_domain,
    industry: lead.industry,
    employee_count: lead.employee_count,
    annual_revenue: lead.annual_revenue,
    country: lead.country,
    company_description: lead.company_description,
    lead_source: lead.lead_source,
    email_opens_30d: lead.email_opens_30d,
    email_clicks_30d: lead.email_clicks_30d,
    page_views_30d: lead.page_views_30d,
    pricing_page_views_30d: lead.pricing_page_views_30d,
    content_downloads_30d: lead.content_downloads_30d,
    webinar_attended: lead.webinar_attended,
    demo_requested: lead.demo_requested,
    last_activity_at: lead.last_activity_at,
    converted,
    attributes: lead.attributes,
  } satisfies Record<keyof Lead, unknown>;
}

/** Strips the hidden outcome (its value, not its slot), so nothing downstream of this can look at it. */
export function toScorable(lead: Lead): ScorableLead {
  return layout(lead, undefined);
}

/** Every input field but the outcome, in sorted order: JSON.stringify with a key list is canonical and native-fast. */
const INPUT_KEYS = LEAD_FIELDS.filter((f) => f !== 'converted' && f !== 'attributes').sort();

/**
 * Hash of everything scoring and enrichment read, used to tell when an enrichment went stale.
 * The outcome is excluded: learning it later must not invalidate a narrative.
 */
export function leadInputHash(lead: ScorableLead | Lead): string {
  const fields = JSON.stringify(lead, INPUT_KEYS);
  return hashString(lead.attributes ? `${fields}${canonicalJson(lead.attributes)}` : fields);
}

/**
 * The one reader of a lead's dates (a contract date field, or a date attribute: ISO 8601 strings), as
 * epoch ms; undefined for anything that is not a date. Agrees with Date.parse, but reads the canonical
 * `YYYY-MM-DDTHH:mm:ss.sssZ` that `parseLead` stores without it (3× faster; scoring reads one per rule).
 */
export function leadDateMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = isCanonicalIso(value)
    ? Date.UTC(digits(value, 0, 4), digits(value, 5, 2) - 1, digits(value, 8, 2), digits(value, 11, 2), digits(value, 14, 2), digits(value, 17, 2), digits(value, 20, 3))
    : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` with every part in range, where Date.UTC and Date.parse agree (Date.UTC rolls a month 13 over). */
function isCanonicalIso(s: string): boolean {
  if (s.length !== 24 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.' || s[23] !== 'Z') return false;
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  // NaN (a non-digit) fails every comparison; Date.UTC reads the years 0–99 as 1900–1999.
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && digits(s, 11, 2) <= 23 && digits(s, 14, 2) <= 59 && digits(s, 17, 2) <= 59 && digits(s, 0, 4) >= 100 && digits(s, 20, 3) >= 0;
}

/** The decimal number in s[start, start + length), or NaN when a character is not a digit. */
function digits(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    n = n * 10 + digit;
  }
  return n;
}

/** A rule's or profile's field value: a contract field or a custom attribute; undefined when missing. */
export type FieldValue = string | number | boolean | undefined;

/** Reads a field by name (`industry`, or `attributes.<name>` for a custom column). */
export function fieldReader(field: string): (lead: ScorableLead) => FieldValue {
  if (field.startsWith('attributes.')) {
    const name = field.slice('attributes.'.length);
    return (lead) => lead.attributes?.[name];
  }
  return (lead) => (lead as unknown as Record<string, FieldValue>)[field];
}

export function fullName(lead: Pick<Lead, 'first_name' | 'last_name'>): string | undefined {
  const name = [lead.first_name, lead.last_name].filter(Boolean).join(' ');
  return name || undefined;
}
