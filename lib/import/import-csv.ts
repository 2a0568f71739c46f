import { createReadStream, promises as fs } from 'node:fs';
import { AppError, formatIssues } from '../errors';
import { writeFileAtomic } from '../fs-atomic';
import { canonicalJson, hashString } from '../hash';
import { LEAD_FIELDS, safeParseLead, type AttributeValue, type Lead } from '../lead';
import {
  InvalidValueError,
  MAX_TEXT_LENGTH,
  cleanCategory,
  cleanDomain,
  cleanEmail,
  cleanId,
  cleanLongText,
  cleanText,
  isPlaceholder,
  parseBoolean,
  parseCount,
  parseDate,
  parseEmployeeCount,
  parseNumber,
  parseRevenue,
  type DateOrder,
} from './clean';
import { readCsvRecords, type CsvSource, type Delimiter } from './csv';
import { LeadMerger, nameKey, type DedupeStats, type Draft } from './dedupe';
import { columnKey, type AttributeType, type MappableField, type Mapping } from './mapping';

/**
 * CRM CSV export → validated leads. Rows stream through map → clean → dedupe; only one merged record per
 * lead is held. Every row that cannot be imported is reported (line, column, value, reason) and the
 * good rows still import. The result passes the lead contract (`safeParseLead`), ids unique.
 */

export interface ImportOptions {
  mapping: Mapping;
  /** Use this delimiter instead of sniffing the header line. */
  delimiter?: Delimiter;
  /** Called every `PROGRESS_EVERY` data rows with the count so far. */
  onProgress?: (rowsRead: number) => void;
}

export const PROGRESS_EVERY = 50_000;

/** One reason a row was rejected; a row with two bad cells has two entries. */
export interface RejectedValue {
  /** Physical line of the CSV where the record starts (the header is line 1). */
  line: number;
  /** The source column, or "(row)" for problems with the row as a whole. */
  column: string;
  value: string;
  reason: string;
}

export interface ImportReport {
  mapping: string;
  delimiter: Delimiter;
  /** Data records read (header and empty lines excluded). */
  rowsRead: number;
  /** Rows with every cell empty (e.g. ",,,,"), skipped. */
  blankRows: number;
  rowsRejected: number;
  rowsAccepted: number;
  leads: number;
  /** Accepted rows folded into another row's lead: rowsAccepted − leads. */
  merged: number;
  dedupe: DedupeStats;
  /** Non-empty cells read as unknown because they hold a placeholder ("N/A", "Select", "-", …). */
  placeholders: number;
  /** Texts longer than the lead contract allows, cut with "…". */
  truncated: number;
  /** Leads without an id column value, given a stable generated id. */
  generatedIds: number;
  /** Header columns the mapping does not use. */
  ignoredColumns: string[];
  /** Mapped targets none of whose columns is in the file, e.g. `fields.industry ("Industry")`. */
  missingColumns: string[];
  /** How many leads have a value, per mapped field and attribute present in the file. */
  coverage: Record<string, number>;
  outcome: { column: string; converted: number; notConverted: number; unknown: number } | null;
}

export interface ImportResult {
  leads: Lead[];
  rejects: RejectedValue[];
  report: ImportReport;
}

type Cleaner = (raw: string) => string | number | boolean | undefined;

const COUNTERS: ReadonlySet<MappableField> = new Set(['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d']);
/** Category fields get one display spelling per file (see `canonicalSpellings`). */
const CATEGORY_FIELDS = ['industry', 'country', 'lead_source'] as const;

function fieldCleaner(field: MappableField, order: DateOrder): Cleaner {
  if (COUNTERS.has(field)) return parseCount;
  switch (field) {
    case 'id':
      return cleanId;
    case 'email':
      return cleanEmail;
    case 'company_domain':
      return cleanDomain;
    case 'employee_count':
      return parseEmployeeCount;
    case 'annual_revenue':
      return parseRevenue;
    case 'created_at':
    case 'last_activity_at':
      return (raw) => parseDate(raw, order);
    case 'webinar_attended':
    case 'demo_requested':
      return parseBoolean;
    case 'company_description':
      return cleanLongText;
    case 'industry':
    case 'country':
    case 'lead_source':
      return cleanCategory;
    default:
      return cleanText;
  }
}

function attributeCleaner(type: AttributeType, order: DateOrder): Cleaner {
  switch (type) {
    case 'text':
      return cleanText;
    case 'number':
      return parseNumber;
    case 'boolean':
      return parseBoolean;
    case 'date':
      return (raw) => parseDate(raw, order);
  }
}

const INTERN_LIMIT = 50_000;

/**
 * Category-like values repeat across hundreds of thousands of rows ("United States", "Software", "Pro");
 * each parsed cell is a fresh string, so the held leads would carry one copy per row. Interning keeps one
 * copy per distinct value (bounded, so a free-text column mapped by mistake cannot grow it without limit).
 */
function interned(clean: Cleaner): Cleaner {
  const seen = new Map<string, string>();
  return (raw) => {
    const value = clean(raw);
    if (typeof value !== 'string') return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (seen.size < INTERN_LIMIT) seen.set(value, value);
    return value;
  };
}

const INTERNED_FIELDS: ReadonlySet<MappableField> = new Set(['industry', 'country', 'lead_source', 'job_title', 'company_name']);

/** A mapping target bound to the header: which column positions feed it, and how they are cleaned. */
interface BoundTarget {
  /** `email`, or `attributes.seats`. */
  key: string;
  attribute?: string;
  columns: { index: number; name: string }[];
  clean: Cleaner;
}

function outcomeCleaner(outcome: NonNullable<Mapping['outcome']>): Cleaner {
  if (!outcome.positive) return parseBoolean;
  const positive = new Set(outcome.positive.map(columnKey));
  const negative = outcome.negative && new Set(outcome.negative.map(columnKey));
  const listed = [...outcome.positive, ...(outcome.negative ?? [])].map((v) => `"${v}"`).join(', ');
  return (raw) => {
    if (isPlaceholder(raw)) return undefined;
    const value = columnKey(raw);
    if (positive.has(value)) return true;
    if (!negative || negative.has(value)) return false;
    throw new InvalidValueError(`"${raw.trim()}" is not one of the outcome values the mapping lists (${listed})`);
  };
}

function bindMapping(mapping: Mapping, header: string[]) {
  const positions = new Map<string, number>();
  header.forEach((name, index) => {
    const key = columnKey(name);
    if (!positions.has(key)) positions.set(key, index);
  });
  const used = new Set<number>();
  const missingColumns: string[] = [];
  const bind = (key: string, columns: string[], clean: Cleaner, attribute?: string): BoundTarget | null => {
    const found = columns.flatMap((name) => {
      const index = positions.get(columnKey(name));
      return index === undefined ? [] : [{ index, name: header[index]!.trim() }];
    });
    if (found.length === 0) {
      missingColumns.push(`${key} (${columns.map((c) => `"${c}"`).join(' / ')})`);
      return null;
    }
    found.forEach((c) => used.add(c.index));
    return { key, attribute, columns: found, clean };
  };
  const targets: BoundTarget[] = [];
  for (const [field, columns] of Object.entries(mapping.fields) as [MappableField, string[]][]) {
    const clean = fieldCleaner(field, mapping.dateFormat);
    const target = bind(field, columns, INTERNED_FIELDS.has(field) ? interned(clean) : clean);
    if (target) targets.push(target);
  }
  for (const [name, attribute] of Object.entries(mapping.attributes)) {
    const clean = attributeCleaner(attribute.type, mapping.dateFormat);
    const target = bind(`attributes.${name}`, attribute.column, attribute.type === 'text' ? interned(clean) : clean, name);
    if (target) targets.push(target);
  }
  const outcome = mapping.outcome ? bind('outcome', [mapping.outcome.column], outcomeCleaner(mapping.outcome)) : null;
  if (targets.length === 0) {
    throw new AppError(
      'INVALID_INPUT',
      `None of the columns the mapping "${mapping.name}" names is in this file. The file's columns are: ${header.map((h) => `"${h}"`).join(', ')}`,
    );
  }
  const ignoredColumns = header.filter((name, index) => !used.has(index) && name.trim() !== '').map((name) => name.trim());
  return { targets, outcome, missingColumns, ignoredColumns };
}

/**
 * One target's value from a row: the first of its columns that holds a value, cleaned. A bad value is
 * recorded in `rejects` (and not masked by a later column); placeholders count as unknown.
 */
function readTarget(
  target: BoundTarget,
  fields: readonly string[],
  line: number,
  rejects: RejectedValue[],
  counts: { placeholders: number; truncated: number },
): string | number | boolean | undefined {
  let sawText = false;
  for (const column of target.columns) {
    const raw = fields[column.index]!;
    try {
      const value = target.clean(raw);
      if (value !== undefined) {
        if (typeof value === 'string' && raw.length > MAX_TEXT_LENGTH && value.endsWith('…')) counts.truncated++;
        return value;
      }
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      rejects.push({ line, column: column.name, value: raw, reason: error.reason });
      return undefined;
    }
    sawText ||= raw.trim() !== '';
  }
  if (sawText) counts.placeholders++;
  return undefined;
}

/** Imports CSV text or bytes (e.g. a file stream) with a mapping. */
export async function importCsv(source: CsvSource, { mapping, delimiter, onProgress }: ImportOptions): Promise<ImportResult> {
  let usedDelimiter: Delimiter = delimiter ?? ',';
  const records = readCsvRecords(source, { delimiter, onDelimiter: (d) => (usedDelimiter = d) });
  const first = await records.next();
  if (first.done) throw new AppError('INVALID_INPUT', 'The CSV file is empty: expected a header line with column names');
  const header = first.value.fields;
  const { targets, outcome, missingColumns, ignoredColumns } = bindMapping(mapping, header);

  const merger = new LeadMerger();
  const rejects: RejectedValue[] = [];
  let rowsRead = 0;
  let blankRows = 0;
  let rowsRejected = 0;
  const counts = { placeholders: 0, truncated: 0 };

  for await (const { line, fields } of records) {
    rowsRead++;
    if (onProgress && rowsRead % PROGRESS_EVERY === 0) onProgress(rowsRead);
    if (fields.every((f) => f.trim() === '')) {
      blankRows++;
      continue;
    }
    if (fields.length !== header.length) {
      rowsRejected++;
      rejects.push({
        line,
        column: '(row)',
        value: `${fields.length} fields`,
        reason: `expected ${header.length} fields like the header, found ${fields.length} (a missing or extra "${usedDelimiter}", or an unquoted value containing one?)`,
      });
      continue;
    }
    const draft: Draft = {};
    const rejectsBefore = rejects.length;
    for (const target of targets) {
      const value = readTarget(target, fields, line, rejects, counts);
      if (value === undefined) continue;
      if (target.attribute) (draft.attributes ??= {})[target.attribute] = value;
      else (draft as Record<string, unknown>)[target.key] = value;
    }
    if (outcome) {
      const converted = readTarget(outcome, fields, line, rejects, counts);
      if (converted !== undefined) draft.converted = converted as boolean;
    }
    const rowIssues = rejects.length - rejectsBefore;
    if (rowIssues > 0) {
      rowsRejected++;
      continue;
    }
    merger.add(draft);
  }

  const rowsAccepted = rowsRead - blankRows - rowsRejected;
  const { leads, generatedIds } = finalizeLeads(merger.drafts());
  const coverage: Record<string, number> = {};
  for (const target of targets) coverage[target.key] = 0;
  let converted = 0;
  let notConverted = 0;
  for (const lead of leads) {
    for (const target of targets) {
      const has = target.attribute ? lead.attributes?.[target.attribute] !== undefined : (lead as Record<string, unknown>)[target.key] !== undefined;
      if (has) coverage[target.key]!++;
    }
    if (lead.converted === true) converted++;
    else if (lead.converted === false) notConverted++;
  }
  return {
    leads,
    rejects,
    report: {
      mapping: mapping.name,
      delimiter: usedDelimiter,
      rowsRead,
      blankRows,
      rowsRejected,
      rowsAccepted,
      leads: leads.length,
      merged: rowsAccepted - leads.length,
      dedupe: merger.stats,
      placeholders: counts.placeholders,
      truncated: counts.truncated,
      generatedIds,
      ignoredColumns,
      missingColumns,
      coverage,
      outcome: outcome && mapping.outcome ? { column: mapping.outcome.column, converted, notConverted, unknown: leads.length - converted - notConverted } : null,
    },
  };
}

/** Imports a CSV file, streamed from disk in 1 MiB chunks. */
export async function importCsvFile(path: string, options: ImportOptions): Promise<ImportResult> {
  try {
    await fs.access(path);
  } catch (error) {
    throw new AppError('INVALID_INPUT', `CSV file not found or not readable: ${path}`, { cause: error });
  }
  return importCsv(createReadStream(path, { highWaterMark: 1 << 20 }), options);
}

/**
 * Picks one display spelling per category value for the whole file: the most common spelling
 * (first seen on a tie), so "software", "Software" and "SOFTWARE " all read "Software" if that is what
 * most rows say. Matching is case- and whitespace-insensitive, as in scoring.
 */
export function canonicalSpellings(values: Iterable<string>): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const value of values) {
    const key = columnKey(value);
    let spellings = counts.get(key);
    if (!spellings) counts.set(key, (spellings = new Map()));
    spellings.set(value, (spellings.get(value) ?? 0) + 1);
  }
  const chosen = new Map<string, string>();
  for (const [key, spellings] of counts) {
    let best = '';
    let bestCount = 0;
    for (const [spelling, count] of spellings) if (count > bestCount) [best, bestCount] = [spelling, count];
    chosen.set(key, best);
  }
  return chosen;
}

/**
 * Stable id for a lead without one: `lead_` + a hash of its email, else of its name + company domain,
 * else of its content. Re-importing the same export therefore yields the same ids. A clash with an
 * existing id (only possible for identical content) gets a `_2`, `_3`, … suffix in file order.
 */
function generatedId(draft: Draft): string {
  const basis = draft.email ? `email:${draft.email}` : nameKey(draft) ? `name:${nameKey(draft)}` : `content:${canonicalJson(draft)}`;
  return `lead_${hashString(basis)}`;
}

/** Categories spelled one way, ids filled in, key order of the lead contract, and every lead validated. */
function finalizeLeads(drafts: Draft[]): { leads: Lead[]; generatedIds: number } {
  for (const field of CATEGORY_FIELDS) {
    const spellings = canonicalSpellings(drafts.flatMap((d) => (d[field] === undefined ? [] : [d[field]])));
    for (const draft of drafts) if (draft[field] !== undefined) draft[field] = spellings.get(columnKey(draft[field]))!;
  }
  const textAttributes = new Set<string>();
  for (const draft of drafts) for (const [name, value] of Object.entries(draft.attributes ?? {})) if (typeof value === 'string') textAttributes.add(name);
  for (const name of textAttributes) {
    const spellings = canonicalSpellings(drafts.flatMap((d) => (typeof d.attributes?.[name] === 'string' ? [d.attributes[name]] : [])));
    for (const draft of drafts) {
      const value: AttributeValue | undefined = draft.attributes?.[name];
      if (typeof value === 'string') draft.attributes![name] = spellings.get(columnKey(value))!;
    }
  }

  const ids = new Set<string>();
  for (const draft of drafts) if (draft.id !== undefined) ids.add(draft.id);
  let generatedIds = 0;
  const leads = drafts as unknown as Lead[];
  for (let i = 0; i < drafts.length; i++) {
    const draft = drafts[i]!;
    if (draft.id === undefined) {
      const base = generatedId(draft);
      let id = base;
      for (let n = 2; ids.has(id); n++) id = `${base}_${n}`;
      ids.add(id);
      draft.id = id;
      generatedIds++;
    }
    const ordered: Record<string, unknown> = {};
    for (const field of LEAD_FIELDS) if (draft[field] !== undefined) ordered[field] = draft[field];
    const result = safeParseLead(ordered);
    // Cleaners produce contract-valid values; a failure here is a bug in this module, never bad input.
    if (!result.ok) throw new AppError('INTERNAL', `Import produced an invalid lead:\n${formatIssues(result.issues)}`, { issues: result.issues });
    // The cleaners' values are already in the contract's normal form (tests check parse(lead) equals lead),
    // so the record itself is kept rather than zod's copy: one object per lead held, not two.
    leads[i] = ordered as Lead;
  }
  return { leads, generatedIds };
}

/** The leads file: a JSON array, one lead per line (diff-friendly), built in slices to avoid one giant string. */
export function leadsFileBytes(leads: readonly Lead[]): Buffer {
  const parts: Buffer[] = [Buffer.from('[\n')];
  const SLICE = 5_000;
  for (let start = 0; start < leads.length; start += SLICE) {
    const end = Math.min(leads.length, start + SLICE);
    let text = '';
    for (let i = start; i < end; i++) text += `${JSON.stringify(leads[i])}${i < leads.length - 1 ? ',' : ''}\n`;
    parts.push(Buffer.from(text));
  }
  parts.push(Buffer.from(']\n'));
  return Buffer.concat(parts);
}

const csvCell = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The rejects report: CSV (`line,column,value,reason`) or, for a `.json` path, a JSON array. */
export function rejectsFileText(rejects: readonly RejectedValue[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rejects, null, 2)}\n`;
  const rows = rejects.map((r) => [r.line, r.column, r.value, r.reason].map(csvCell).join(','));
  return `${['line,column,value,reason', ...rows].join('\n')}\n`;
}

/** `data/leads.json` → `data/leads.rejects.csv`. */
export function defaultRejectsPath(out: string): string {
  return `${out.replace(/\.json$/i, '')}.rejects.csv`;
}

/** Writes the leads file and the rejects report (always, so an old report never outlives its import), atomically. */
export async function writeImportOutputs(result: ImportResult, paths: { out: string; rejects: string }): Promise<void> {
  await writeFileAtomic(paths.out, leadsFileBytes(result.leads));
  await writeFileAtomic(paths.rejects, rejectsFileText(result.rejects, paths.rejects.toLowerCase().endsWith('.json') ? 'json' : 'csv'));
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The terminal summary: what came in, what went out, and what needs a look. */
export function formatImportSummary(report: ImportReport, paths: { source: string; out: string; rejects: string }): string {
  const delimiterName = report.delimiter === '\t' ? 'tab' : `"${report.delimiter}"`;
  const lines = [
    `Imported ${fmt(report.leads)} leads from ${paths.source} (mapping: ${report.mapping}, delimiter ${delimiterName}) → ${paths.out}`,
    `  rows read            ${fmt(report.rowsRead)}`,
    `  rows rejected        ${fmt(report.rowsRejected)}${report.rowsRejected ? ` → ${paths.rejects} (line, column, value, reason)` : ''}`,
    `  blank rows skipped   ${fmt(report.blankRows)}`,
    `  duplicates merged    ${fmt(report.merged)} rows: ${fmt(report.dedupe.byEmail)} by email, ${fmt(report.dedupe.byName)} by name + company domain, ${fmt(report.dedupe.byId)} by id; ${fmt(report.dedupe.linked)} leads joined through a row matching both`,
    `  placeholders         ${fmt(report.placeholders)} cells read as unknown ("N/A", "Select", "-", …)`,
  ];
  if (report.truncated) lines.push(`  texts shortened      ${fmt(report.truncated)} (longer than ${fmt(MAX_TEXT_LENGTH)} characters)`);
  if (report.generatedIds) lines.push(`  generated ids        ${fmt(report.generatedIds)} leads had no id; ids derive from email / name (stable across re-imports)`);
  if (report.outcome) {
    const o = report.outcome;
    lines.push(`  outcome "${o.column}"   ${fmt(o.converted)} converted, ${fmt(o.notConverted)} not, ${fmt(o.unknown)} unknown (read only by the backtest)`);
  }
  const coverage = Object.entries(report.coverage).map(([key, n]) => `${key} ${report.leads ? Math.round((100 * n) / report.leads) : 0}%`);
  if (coverage.length) lines.push(`  coverage             ${coverage.join(', ')}`);
  if (report.missingColumns.length) lines.push(`  ⚠ mapped but not in the file: ${report.missingColumns.join(', ')}`);
  if (report.ignoredColumns.length) lines.push(`  columns not mapped (ignored): ${report.ignoredColumns.map((c) => `"${c}"`).join(', ')}`);
  return lines.join('\n');
}
