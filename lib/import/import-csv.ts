import { createReadStream, promises as fs, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError, formatIssues } from '../errors';
import { writeFileAtomic, writeStreamAtomic } from '../fs-atomic';
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
import { DedupeIndex, mergeRows, nameKey, rowTime, type DedupeGroups, type DedupeStats, type Draft } from './dedupe';
import { columnKey, type AttributeType, type MappableField, type Mapping } from './mapping';

/**
 * CRM CSV export → validated leads, in two streaming passes so memory follows the number of distinct
 * dedupe keys, not the file:
 * 1. parse → map → clean each row; report bad rows (line, column, value, reason); feed the accepted rows'
 *    dedupe keys to a union-find (`DedupeIndex`) and append each clean row, as JSON, to a temp spill file.
 * 2. read the spill back: a lead with one row is written out at once (usually its spill line verbatim);
 *    the rows of a duplicated lead are held until its last row arrives, then merged and written.
 * Leads therefore come out in order of each lead's LAST row. The result passes the lead contract, ids unique.
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

/** What an import found, apart from the leads themselves (which stream to their consumer). */
export interface ImportRun {
  rejects: RejectedValue[];
  report: ImportReport;
}

export interface ImportResult extends ImportRun {
  leads: Lead[];
}

/** Receives the leads as batches of UTF-8 JSON texts (one lead each, in output order) and must read them all. */
export type LeadConsumer = (batches: AsyncIterable<Buffer[]>) => Promise<void>;

type Cleaner = (raw: string) => string | number | boolean | undefined;

const COUNTERS: ReadonlySet<MappableField> = new Set(['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d']);
/** Category fields get one display spelling per file (see `canonicalSpellings`). */
const CATEGORY_FIELDS: ReadonlySet<string> = new Set(['industry', 'country', 'lead_source']);

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

/** A mapping target bound to the header: which column positions feed it, and how they are cleaned. */
interface BoundTarget {
  /** `email`, `attributes.seats`, or `converted` for the outcome. */
  key: string;
  /** The draft property it fills: a lead field, or an attribute name when `attribute` is set. */
  prop: string;
  attribute: boolean;
  /** Category-like text that gets one spelling per file. */
  category: boolean;
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
  const bind = (key: string, prop: string, columns: string[], clean: Cleaner, kind: { attribute: boolean; category: boolean }): BoundTarget | null => {
    const found = columns.flatMap((name) => {
      const index = positions.get(columnKey(name));
      return index === undefined ? [] : [{ index, name: header[index]!.trim() }];
    });
    if (found.length === 0) {
      missingColumns.push(`${key} (${columns.map((c) => `"${c}"`).join(' / ')})`);
      return null;
    }
    found.forEach((c) => used.add(c.index));
    return { key, prop, columns: found, clean, ...kind };
  };
  const targets: BoundTarget[] = [];
  for (const [field, columns] of Object.entries(mapping.fields) as [MappableField, string[]][]) {
    const target = bind(field, field, columns, fieldCleaner(field, mapping.dateFormat), { attribute: false, category: CATEGORY_FIELDS.has(field) });
    if (target) targets.push(target);
  }
  for (const [name, attribute] of Object.entries(mapping.attributes)) {
    const clean = attributeCleaner(attribute.type, mapping.dateFormat);
    const target = bind(`attributes.${name}`, name, attribute.column, clean, { attribute: true, category: attribute.type === 'text' });
    if (target) targets.push(target);
  }
  const outcome = mapping.outcome
    ? bind('outcome', 'converted', [mapping.outcome.column], outcomeCleaner(mapping.outcome), { attribute: false, category: false })
    : null;
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

/** A row is blank when every cell is empty or whitespace; most rows fail on their first cell. */
function isBlankRow(fields: readonly string[]): boolean {
  for (const field of fields) if (field.length > 0 && (field.charCodeAt(0) > 32 || field.trim() !== '')) return false;
  return true;
}

/**
 * The spellings one category target's values take, numbered, and which row holds which (-1: none), so the
 * file-wide display spelling can be chosen before any lead is written.
 */
class SpellingTable {
  readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  private rows = new Int32Array(1024);
  private length = 0;
  /** Spelling number → the display spelling chosen for the file, as JSON text. */
  private canonicalJson: Buffer[] = [];

  add(value: string | undefined): void {
    let id = -1;
    if (value !== undefined) {
      id = this.ids.get(value) ?? -1;
      if (id < 0) {
        id = this.values.length;
        this.ids.set(value, id);
        this.values.push(value);
      }
    }
    if (this.length === this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.length++] = id;
  }

  /** Picks the display spellings from the value each lead will end up with (its newest row's). */
  choose(groups: DedupeGroups): void {
    const winner = new Int32Array(groups.sizes.length).fill(-1);
    for (let row = 0; row < this.length; row++) {
      if (this.rows[row]! < 0) continue;
      const group = groups.groupOf[row]!;
      const best = winner[group]!;
      if (best < 0 || !groups.newer(best, row)) winner[group] = row;
    }
    const rows = this.rows;
    const values = this.values;
    const chosen = canonicalSpellings(
      (function* () {
        for (const group of groups.groups()) if (winner[group]! >= 0) yield values[rows[winner[group]!]!]!;
      })(),
    );
    this.canonicalJson = values.map((value) => Buffer.from(JSON.stringify(chosen.get(columnKey(value)) ?? value)));
  }

  /** The file's spelling of the row's value, as JSON text (only called for rows that have a value). */
  json(row: number): Buffer {
    return this.canonicalJson[this.rows[row]!]!;
  }
}

/**
 * In a spill line, a category value is written as NUL, its table's number, NUL: the display spelling is
 * only known once every row has been read. JSON text never contains a raw NUL (JSON.stringify escapes it),
 * so the marker cannot be confused with data.
 */
const SPELLING_MARK = 0;

/** A spill line with its spelling markers replaced by the file's spellings: the lead's JSON text. */
function resolveSpellings(line: Buffer, row: number, tables: readonly SpellingTable[]): Buffer {
  let mark = line.indexOf(SPELLING_MARK);
  if (mark < 0) return line;
  const parts: Buffer[] = [];
  let start = 0;
  while (mark >= 0) {
    const end = line.indexOf(SPELLING_MARK, mark + 1);
    let table = 0;
    for (let i = mark + 1; i < end; i++) table = table * 10 + line[i]! - 48;
    parts.push(line.subarray(start, mark), tables[table]!.json(row));
    start = end + 1;
    mark = line.indexOf(SPELLING_MARK, start);
  }
  parts.push(line.subarray(start));
  return Buffer.concat(parts);
}

/**
 * Appends text to a file in ~64 KiB synchronous writes: small batches die young in the garbage collector,
 * and a write to the page cache takes microseconds, whereas awaiting each one through the thread pool
 * added up to seconds of idle time per 100k rows.
 */
class SpillWriter {
  private pending = '';
  constructor(private readonly fd: number) {}
  append(text: string): void {
    this.pending += text;
    if (this.pending.length >= 1 << 16) this.flush();
  }
  flush(): void {
    const bytes = Buffer.from(this.pending);
    for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written);
    this.pending = '';
  }
}

/** Lines of a file as bytes (views into the read chunks, not decoded), in batches of one read chunk. */
async function* lineBatches(file: string): AsyncGenerator<Buffer[]> {
  let carry: Buffer | null = null;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    const bytes: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = bytes.indexOf(10); end >= 0; end = bytes.indexOf(10, start)) {
      lines.push(bytes.subarray(start, end));
      start = end + 1;
    }
    carry = start < bytes.length ? bytes.subarray(start) : null;
    if (lines.length) yield lines;
  }
  if (carry) yield [carry];
}

/**
 * Imports CSV text or bytes (e.g. a file stream) with a mapping, handing the leads to `consume` as they
 * are ready (see this module's comment for the order). The rows are spilled, cleaned, to a temp file
 * (about the size of the input) that is removed before this returns.
 */
export async function importCsvTo(source: CsvSource, { mapping, delimiter, onProgress }: ImportOptions, consume: LeadConsumer): Promise<ImportRun> {
  let usedDelimiter: Delimiter = delimiter ?? ',';
  const records = readCsvRecords(source, { delimiter, onDelimiter: (d) => (usedDelimiter = d) });
  const first = await records.next();
  if (first.done) throw new AppError('INVALID_INPUT', 'The CSV file is empty: expected a header line with column names');
  const header = first.value.fields;
  const { targets, outcome, missingColumns, ignoredColumns } = bindMapping(mapping, header);

  // Rejects are listed in mapping order (fields, attributes, outcome); a row's JSON is written in the lead
  // contract's key order (attributes last), so a one-row lead's spill line is already its output line.
  const all = outcome ? [...targets, outcome] : targets;
  const indexOf = (prop: string) => all.findIndex((t) => !t.attribute && t.prop === prop);
  const fieldOrder = all
    .map((_, i) => i)
    .filter((i) => !all[i]!.attribute)
    .sort((a, b) => LEAD_FIELDS.indexOf(all[a]!.prop as keyof Lead) - LEAD_FIELDS.indexOf(all[b]!.prop as keyof Lead));
  const attributeIndexes = all.map((_, i) => i).filter((i) => all[i]!.attribute);
  const jsonKeys = all.map((t) => `${JSON.stringify(t.prop)}:`);
  const slot = { id: indexOf('id'), email: indexOf('email'), first: indexOf('first_name'), last: indexOf('last_name'), domain: indexOf('company_domain'), created: indexOf('created_at'), activity: indexOf('last_activity_at'), converted: indexOf('converted') };
  const text = (i: number) => (i < 0 ? undefined : (values[i] as string | undefined));
  // Category targets get a spelling table each; their values are written to the spill as markers.
  const spellingTargets = all.flatMap((t, i) => (t.category ? [i] : []));
  const tables = spellingTargets.map(() => new SpellingTable());
  const valueJson = all.map((_, i) => {
    const table = spellingTargets.indexOf(i);
    const mark = `${String.fromCharCode(SPELLING_MARK)}${table}${String.fromCharCode(SPELLING_MARK)}`;
    return table >= 0 ? () => mark : (value: string | number | boolean) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
  });
  const attributeOrder = targets.filter((t) => t.attribute).map((t) => t.prop);

  const index = new DedupeIndex();
  /** Explicit ids shaped like generated ones (`lead_…`), by row: the only ones a generated id can clash with. */
  const leadLikeIds = new Map<number, string>();
  const rejects: RejectedValue[] = [];
  // Per target, rows with a value (and rows with an outcome); pass 2 turns them into counts per lead by
  // swapping each merged lead's rows for the lead itself.
  const rowCoverage = new Float64Array(targets.length);
  const rowOutcomes = { converted: 0, notConverted: 0 };
  let rowsRead = 0;
  let blankRows = 0;
  let rowsRejected = 0;
  const counts = { placeholders: 0, truncated: 0 };
  const values: (string | number | boolean | undefined)[] = new Array(all.length);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-import-'));
  try {
    const spillPath = path.join(dir, 'rows.ndjson');
    const handle = await fs.open(spillPath, 'w');
    try {
      const spill = new SpillWriter(handle.fd);
      for await (const { line, fields } of records) {
        rowsRead++;
        if (onProgress && rowsRead % PROGRESS_EVERY === 0) onProgress(rowsRead);
        if (isBlankRow(fields)) {
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
        const rejectsBefore = rejects.length;
        for (let i = 0; i < all.length; i++) values[i] = readTarget(all[i]!, fields, line, rejects, counts);
        if (rejects.length > rejectsBefore) {
          rowsRejected++;
          continue;
        }
        // The row's JSON, written directly: the same text as JSON.stringify of the draft object, without
        // building the object (this loop runs once per row of the file).
        let json = '{';
        for (const i of fieldOrder) {
          const value = values[i];
          if (value === undefined) continue;
          json += `${json.length > 1 ? ',' : ''}${jsonKeys[i]}${valueJson[i]!(value)}`;
          if (i < targets.length) rowCoverage[i]!++;
        }
        let attributes = '';
        for (const i of attributeIndexes) {
          const value = values[i];
          if (value === undefined) continue;
          attributes += `${attributes ? ',' : ''}${jsonKeys[i]}${valueJson[i]!(value)}`;
          rowCoverage[i]!++;
        }
        if (attributes) json += `${json.length > 1 ? ',' : ''}"attributes":{${attributes}}`;
        spill.append(`${json}}\n`);
        if (slot.converted >= 0 && values[slot.converted] !== undefined) {
          if (values[slot.converted]) rowOutcomes.converted++;
          else rowOutcomes.notConverted++;
        }
        for (let k = 0; k < tables.length; k++) tables[k]!.add(values[spellingTargets[k]!] as string | undefined);
        const id = text(slot.id);
        const name = nameKey({ first_name: text(slot.first), last_name: text(slot.last), company_domain: text(slot.domain) });
        const row = index.add({ id, email: text(slot.email), name, time: rowTime({ last_activity_at: text(slot.activity), created_at: text(slot.created) }) });
        if (id?.startsWith('lead_')) leadLikeIds.set(row, id);
      }
      spill.flush();
    } finally {
      await handle.close();
    }

    const rowsAccepted = rowsRead - blankRows - rowsRejected;
    const groups = index.finish();
    for (const table of tables) table.choose(groups);

    let ids: Set<string> | null = null;
    let generatedIds = 0;
    const has = (draft: Draft, target: BoundTarget) =>
      (target.attribute ? draft.attributes?.[target.prop] : (draft as Record<string, unknown>)[target.prop]) !== undefined;
    const count = (draft: Draft, delta: number) => {
      for (let i = 0; i < targets.length; i++) if (has(draft, targets[i]!)) rowCoverage[i]! += delta;
      if (draft.converted === true) rowOutcomes.converted += delta;
      else if (draft.converted === false) rowOutcomes.notConverted += delta;
    };

    /** The group's id (or a generated one), and the contract's key order. */
    const finalize = (draft: Draft, explicitId: string | undefined): Lead => {
      let id = explicitId;
      if (id === undefined) {
        if (!ids) {
          // Only explicit ids shaped like generated ones can clash with them.
          ids = new Set();
          for (const [r, leadLike] of leadLikeIds) if (groups.idRows[groups.groupOf[r]!] === r) ids.add(leadLike);
        }
        const base = generatedId(draft);
        id = base;
        for (let n = 2; ids.has(id); n++) id = `${base}_${n}`;
        ids.add(id);
        generatedIds++;
      }
      const ordered: Record<string, unknown> = { id };
      for (const field of LEAD_FIELDS) {
        const value = (draft as Record<string, unknown>)[field];
        if (field !== 'id' && field !== 'attributes' && value !== undefined) ordered[field] = value;
      }
      if (draft.attributes) {
        const attributes: Record<string, AttributeValue> = {};
        for (const name of attributeOrder) if (draft.attributes[name] !== undefined) attributes[name] = draft.attributes[name];
        ordered.attributes = attributes;
      }
      return ordered as Lead;
    };

    async function* leadBatches(): AsyncGenerator<Buffer[]> {
      const open = new Map<number, { row: number; draft: Draft }[]>();
      let row = 0;
      for await (const lines of lineBatches(spillPath)) {
        const out: Buffer[] = [];
        for (const line of lines) {
          const r = row++;
          const group = groups.groupOf[r]!;
          const json = resolveSpellings(line, r, tables);
          if (groups.sizes[group] === 1) {
            // A one-row lead's resolved spill line is its output line unless it needs a generated id.
            if (groups.idRows[group] === r) out.push(json);
            else {
              const draft = JSON.parse(json.toString()) as Draft;
              out.push(Buffer.from(JSON.stringify(finalize(draft, draft.id))));
            }
            continue;
          }
          let members = open.get(group);
          if (!members) open.set(group, (members = []));
          members.push({ row: r, draft: JSON.parse(json.toString()) as Draft });
          if (members.length < groups.sizes[group]!) continue;
          open.delete(group);
          for (const member of members) count(member.draft, -1);
          const merged = mergeRows(members, groups);
          count(merged, 1);
          const lead = finalize(merged, members.find((m) => m.row === groups.idRows[group])?.draft.id);
          // Merging combines values from several rows: checked against the contract like any input.
          const checked = safeParseLead(lead);
          if (!checked.ok) throw new AppError('INTERNAL', `Import produced an invalid lead:\n${formatIssues(checked.issues)}`, { issues: checked.issues });
          out.push(Buffer.from(JSON.stringify(lead)));
        }
        if (out.length) yield out;
      }
    }
    await consume(leadBatches());

    const leads = groups.leadCount;
    const coverage: Record<string, number> = {};
    // Every lead has an id once generated ones are filled in.
    targets.forEach((target, i) => (coverage[target.key] = target.key === 'id' ? leads : rowCoverage[i]!));
    return {
      rejects,
      report: {
        mapping: mapping.name,
        delimiter: usedDelimiter,
        rowsRead,
        blankRows,
        rowsRejected,
        rowsAccepted,
        leads,
        merged: rowsAccepted - leads,
        dedupe: index.stats,
        placeholders: counts.placeholders,
        truncated: counts.truncated,
        generatedIds,
        ignoredColumns,
        missingColumns,
        coverage,
        outcome:
          outcome && mapping.outcome
            ? { column: mapping.outcome.column, converted: rowOutcomes.converted, notConverted: rowOutcomes.notConverted, unknown: leads - rowOutcomes.converted - rowOutcomes.notConverted }
            : null,
      },
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Imports CSV text or bytes into memory: for tests and small files (the CLI streams with `importCsvToFiles`). */
export async function importCsv(source: CsvSource, options: ImportOptions): Promise<ImportResult> {
  const leads: Lead[] = [];
  const run = await importCsvTo(source, options, async (batches) => {
    for await (const batch of batches) for (const json of batch) leads.push(JSON.parse(json.toString()) as Lead);
  });
  return { leads, ...run };
}

/** The CSV streamed from disk in 64 KiB chunks: small enough that each chunk's parsed records die young. */
async function openCsv(file: string): Promise<CsvSource> {
  try {
    await fs.access(file);
  } catch (error) {
    throw new AppError('INVALID_INPUT', `CSV file not found or not readable: ${file}`, { cause: error });
  }
  return createReadStream(file, { highWaterMark: 1 << 16 });
}

/** Imports a CSV file, streamed from disk, into memory. */
export async function importCsvFile(file: string, options: ImportOptions): Promise<ImportResult> {
  return importCsv(await openCsv(file), options);
}

/**
 * Imports a CSV file straight into the leads file and the rejects report, both written atomically (a
 * failed import leaves the previous files untouched). No lead is held longer than its group needs.
 */
export async function importCsvToFiles(file: string, options: ImportOptions, paths: { out: string; rejects: string }): Promise<ImportRun> {
  const run = await importCsvTo(await openCsv(file), options, (batches) => writeStreamAtomic(paths.out, leadsFileChunks(batches)));
  await writeRejects(run.rejects, paths.rejects);
  return run;
}

/**
 * Picks one display spelling per category value for the whole file: the most common spelling
 * (first seen on a tie), so "software", "Software" and "SOFTWARE " all read "Software" if that is what
 * most leads say. Matching is case- and whitespace-insensitive, as in scoring.
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
 * existing id (only possible for identical content) gets a `_2`, `_3`, … suffix in output order.
 */
function generatedId(draft: Draft): string {
  const basis = draft.email ? `email:${draft.email}` : nameKey(draft) ? `name:${nameKey(draft)}` : `content:${canonicalJson(draft)}`;
  return `lead_${hashString(basis)}`;
}

const OPEN = Buffer.from('[\n');
const SEPARATOR = Buffer.from(',\n');

/**
 * The leads file: a JSON array, one lead per line (diff-friendly), in chunks of about 256 KiB, from batches
 * of lead JSON texts.
 */
async function* leadsFileChunks(batches: AsyncIterable<Buffer[]> | Iterable<Buffer[]>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [OPEN];
  let size = 0;
  let first = true;
  for await (const batch of batches) {
    for (const lead of batch) {
      if (!first) parts.push(SEPARATOR);
      parts.push(lead);
      size += lead.length + 2;
      first = false;
    }
    if (size >= 1 << 18) {
      yield Buffer.concat(parts);
      parts = [];
      size = 0;
    }
  }
  parts.push(Buffer.from(first ? ']\n' : '\n]\n'));
  yield Buffer.concat(parts);
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

/** The rejects report, written always (so an old report never outlives its import) and atomically. */
async function writeRejects(rejects: readonly RejectedValue[], file: string): Promise<void> {
  await writeFileAtomic(file, rejectsFileText(rejects, file.toLowerCase().endsWith('.json') ? 'json' : 'csv'));
}

/** Writes an in-memory import's leads file and rejects report, atomically. */
export async function writeImportOutputs(result: ImportResult, paths: { out: string; rejects: string }): Promise<void> {
  await writeStreamAtomic(paths.out, leadsFileChunks([result.leads.map((lead) => Buffer.from(JSON.stringify(lead)))]));
  await writeRejects(result.rejects, paths.rejects);
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
