import v8 from 'node:v8';
import { AppError } from '../errors';
import { FALLBACK, PLACEHOLDER, WROTE, plainBoolean, plainDigits, plainDomain, plainEmail, plainIsoDate, plainLongText, plainText, type ByteCleaner } from './byte-cleaners';
import { ByteWriter } from './byte-writer';
import { CellMemo, type CellResult } from './cell-memo';
import {
  InvalidValueError,
  MAX_TEXT_LENGTH,
  cleanCategory,
  cleanDomain,
  cleanEmail,
  cleanId,
  cleanLongText,
  cleanText,
  columnKey,
  isPlaceholder,
  parseBoolean,
  parseCount,
  parseDate,
  parseEmployeeCount,
  parseNumber,
  parseRevenue,
  type DateOrder,
} from './clean';
import { CsvError, parseBlock, type CsvLayout } from './csv';
import { fieldText, type FieldTable } from './csv-tokenizer';
import { ATTRIBUTES_JSON, KeyTable, RowKeysWriter, isoJsonTime, mergeRuleOf, type LineLayout, type MergeRule } from './dedupe';
import type { AttributeType, MappableField, Mapping } from './mapping';

/**
 * The row stage of the import: a block of CSV records → clean rows. Each record is mapped to lead fields
 * and attributes, cleaned, and either rejected (every bad cell listed) or written as one JSON line for the
 * spill file, with the keys deduplication needs. It only depends on the mapping and the file's layout, so
 * blocks can be processed on worker threads (`block-pool.ts`) and the results folded in file order.
 */

/** One reason a row was rejected; a row with two bad cells has two entries. */
export interface RejectedValue {
  /** Physical line of the CSV where the record starts (the header is line 1). */
  line: number;
  /** The source column, or "(row)" for problems with the row as a whole. */
  column: string;
  value: string;
  reason: string;
}

type Cleaner = (raw: string) => string | number | boolean | undefined;

/** How a target's cells are cleaned: the string cleaner (clean.ts), and its fast path over bytes if it has one. */
interface Cleaning {
  clean: Cleaner;
  fast: ByteCleaner | null;
}

const COUNTERS: ReadonlySet<MappableField> = new Set(['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d']);
/** Category fields get one display spelling per file (see `canonicalSpellings`). */
const CATEGORY_FIELDS: ReadonlySet<string> = new Set(['industry', 'country', 'lead_source']);
const ID_MAX_LENGTH = 200;

const dateCleaning = (order: DateOrder): Cleaning => ({ clean: (raw) => parseDate(raw, order), fast: plainIsoDate });

function fieldCleaning(field: MappableField, order: DateOrder): Cleaning {
  if (COUNTERS.has(field)) return { clean: parseCount, fast: plainDigits };
  switch (field) {
    case 'id':
      return { clean: cleanId, fast: plainText(ID_MAX_LENGTH) };
    case 'email':
      return { clean: cleanEmail, fast: plainEmail };
    case 'company_domain':
      return { clean: cleanDomain, fast: plainDomain };
    case 'employee_count':
      return { clean: parseEmployeeCount, fast: plainDigits };
    case 'annual_revenue':
      return { clean: parseRevenue, fast: plainDigits };
    case 'created_at':
    case 'last_activity_at':
      return dateCleaning(order);
    case 'webinar_attended':
    case 'demo_requested':
      return { clean: parseBoolean, fast: plainBoolean };
    case 'company_description':
      return { clean: cleanLongText, fast: plainLongText };
    case 'industry':
    case 'country':
    case 'lead_source':
      return { clean: cleanCategory, fast: plainLongText };
    default:
      return { clean: cleanText, fast: plainLongText };
  }
}

function attributeCleaning(type: AttributeType, order: DateOrder): Cleaning {
  switch (type) {
    case 'text':
      return { clean: cleanText, fast: plainLongText };
    case 'number':
      return { clean: parseNumber, fast: plainDigits };
    case 'boolean':
      return { clean: parseBoolean, fast: plainBoolean };
    case 'date':
      return dateCleaning(order);
  }
}

/** A mapping target bound to the header: which column positions feed it, and how they are cleaned. */
export interface BoundTarget {
  /** `email`, `attributes.seats`, or `converted` for the outcome. */
  key: string;
  /** The draft property it fills: a lead field, or an attribute name when `attribute` is set. */
  prop: string;
  attribute: boolean;
  /** Category-like text that gets one spelling per file. */
  category: boolean;
  /** How a lead's rows combine in this value. */
  merge: MergeRule;
  columns: { index: number; name: string }[];
  clean: Cleaner;
  fast: ByteCleaner | null;
  /** The string cleaner's results for cells seen before (per thread: each has its own plan). */
  memo: CellMemo;
}

function outcomeCleaning(outcome: NonNullable<Mapping['outcome']>): Cleaning {
  if (!outcome.positive) return { clean: parseBoolean, fast: plainBoolean };
  const positive = new Set(outcome.positive.map(columnKey));
  const negative = outcome.negative && new Set(outcome.negative.map(columnKey));
  const listed = [...outcome.positive, ...(outcome.negative ?? [])].map((v) => `"${v}"`).join(', ');
  const clean: Cleaner = (raw) => {
    if (isPlaceholder(raw)) return undefined;
    const value = columnKey(raw);
    if (positive.has(value)) return true;
    if (!negative || negative.has(value)) return false;
    throw new InvalidValueError(`"${raw.trim()}" is not one of the outcome values the mapping lists (${listed})`);
  };
  return { clean, fast: null };
}

function bindMapping(mapping: Mapping, header: readonly string[]) {
  const positions = new Map<string, number>();
  header.forEach((name, index) => {
    const key = columnKey(name);
    if (!positions.has(key)) positions.set(key, index);
  });
  const used = new Set<number>();
  const missingColumns: string[] = [];
  const bind = (key: string, prop: string, columns: string[], cleaning: Cleaning, kind: Pick<BoundTarget, 'attribute' | 'category' | 'merge'>): BoundTarget | null => {
    const found = columns.flatMap((name) => {
      const index = positions.get(columnKey(name));
      return index === undefined ? [] : [{ index, name: header[index]!.trim() }];
    });
    if (found.length === 0) {
      missingColumns.push(`${key} (${columns.map((c) => `"${c}"`).join(' / ')})`);
      return null;
    }
    found.forEach((c) => used.add(c.index));
    return { key, prop, columns: found, ...cleaning, memo: new CellMemo(), ...kind };
  };
  const targets: BoundTarget[] = [];
  for (const [field, columns] of Object.entries(mapping.fields) as [MappableField, string[]][]) {
    const target = bind(field, field, columns, fieldCleaning(field, mapping.dateFormat), {
      attribute: false,
      category: CATEGORY_FIELDS.has(field),
      merge: mergeRuleOf(field, null),
    });
    if (target) targets.push(target);
  }
  for (const [name, attribute] of Object.entries(mapping.attributes)) {
    const cleaning = attributeCleaning(attribute.type, mapping.dateFormat);
    const target = bind(`attributes.${name}`, name, attribute.column, cleaning, {
      attribute: true,
      category: attribute.type === 'text',
      merge: mergeRuleOf(name, { boolean: attribute.type === 'boolean' }),
    });
    if (target) targets.push(target);
  }
  const outcome = mapping.outcome
    ? bind('outcome', 'converted', [mapping.outcome.column], outcomeCleaning(mapping.outcome), { attribute: false, category: false, merge: mergeRuleOf('converted', null) })
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
 * Writes one target's value from a record (its fields numbered from `first`) to `out` as JSON text: the
 * first of its columns that holds a value. Returns whether there was one. A bad value is recorded in
 * `result.rejects` (and not masked by a later column); placeholders count as unknown.
 */
function readTarget(target: BoundTarget, table: FieldTable, first: number, line: number, out: ByteWriter, result: BlockResult): boolean {
  // Most targets read one column: no loop for them.
  if (target.columns.length === 1) {
    const cell = readCell(target, table, first + target.columns[0]!.index, line, target.columns[0]!.name, out, result);
    if (cell === 'placeholder') result.placeholders++;
    return cell === 'value';
  }
  let sawText = false;
  for (const column of target.columns) {
    const cell = readCell(target, table, first + column.index, line, column.name, out, result);
    if (cell === 'value') return true;
    if (cell === 'rejected') return false;
    if (cell === 'placeholder') sawText = true;
  }
  if (sawText) result.placeholders++;
  return false;
}

/** One cell, cleaned, its value written to `out`: by the fast path over its bytes, the target's memo, or the string cleaner. */
function readCell(target: BoundTarget, table: FieldTable, f: number, line: number, column: string, out: ByteWriter, result: BlockResult): CellResult {
  const decoded = table.decoded?.get(f);
  if (decoded !== undefined) return cleanCell(target, decoded, line, column, out, result);
  const { bytes } = table;
  const start = table.starts[f]!;
  const end = table.ends[f]!;
  // An empty cell is unknown to every cleaner.
  if (start === end) return 'unknown';
  const fast = target.fast ? target.fast(bytes, start, end, out) : FALLBACK;
  if (fast === WROTE) return 'value';
  if (fast === PLACEHOLDER) return 'placeholder';
  if (end - start > CellMemo.MAX_CELL_BYTES) return cleanCell(target, fieldText(table, f), line, column, out, result);
  const entry = target.memo.find(bytes, start, end);
  if (entry >= 0) {
    const cell = target.memo.replay(entry, out);
    if (cell === 'rejected') result.rejects.push({ line, column, value: fieldText(table, f), reason: target.memo.reason(entry) });
    return cell;
  }
  const at = out.length;
  const cell = cleanCell(target, fieldText(table, f), line, column, out, result);
  target.memo.add(cell, out.buffer, at, out.length, cell === 'rejected' ? result.rejects.at(-1)!.reason : null);
  return cell;
}

/** One cell's text through the target's string cleaner (clean.ts), the value written to `out` as JSON. */
function cleanCell(target: BoundTarget, raw: string, line: number, column: string, out: ByteWriter, result: BlockResult): CellResult {
  let value: string | number | boolean | undefined;
  try {
    value = target.clean(raw);
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    result.rejects.push({ line, column, value: raw, reason: error.reason });
    return 'rejected';
  }
  if (value === undefined) return raw.trim() === '' ? 'unknown' : 'placeholder';
  if (typeof value === 'string') {
    if (raw.length > MAX_TEXT_LENGTH && value.endsWith('…')) result.truncated++;
    out.appendText(JSON.stringify(value));
  } else {
    out.appendText(String(value));
  }
  return 'value';
}

/** A record is blank when every cell is empty or whitespace; most records fail on their first cell. */
function isBlankRecord(table: FieldTable, first: number, end: number): boolean {
  for (let f = first; f < end; f++) {
    const decoded = table.decoded?.get(f);
    if (decoded === undefined ? table.starts[f] === table.ends[f] : decoded === '') continue;
    if (decoded === undefined && table.bytes[table.starts[f]!]! > 32) return false;
    if (fieldText(table, f).trim() !== '') return false;
  }
  return true;
}

/** The mapping bound to a file's header, and how each accepted row's JSON line is written. */
export interface RowPlan extends LineLayout {
  layout: CsvLayout;
  /** Mapped fields and attributes present in the file, in mapping order. */
  targets: BoundTarget[];
  outcome: BoundTarget | null;
  /** `targets`, then the outcome if mapped: the order values are read (and rejects listed) in. */
  all: BoundTarget[];
  missingColumns: string[];
  ignoredColumns: string[];
  /** Indexes into `all` of the category targets, each with a spelling table (see `SPELLING_MARK`). */
  spellingTargets: number[];
  /**
   * How a row's JSON is written: lead fields in the contract's key order, then attributes in mapping
   * order, so a one-row lead's spill line, with its spellings put in, is its output line.
   */
  fieldOrder: number[];
  attributeIndexes: number[];
  /** Per target of `all`: its key as JSON text with the colon (`"email":`), and for a category target its spelling marker. */
  keyJson: Buffer[];
  markers: (Buffer | null)[];
  /** Where in `all` the fields deduplication and the report need are (-1: not mapped). */
  slot: Record<'id' | 'email' | 'first' | 'last' | 'domain' | 'created' | 'activity' | 'converted', number>;
}

/**
 * In a spill line, a category value is written as NUL, its spelling table's number, NUL: the display
 * spelling is only known once every row has been read. JSON text never contains a raw NUL
 * (JSON.stringify escapes it), so the marker cannot be confused with data.
 */
export const SPELLING_MARK = 0;

/**
 * Binds the mapping to the file's header (refusing a file with none of its columns) and plans how rows
 * are written. `leadFields` is the lead contract's key order (`LEAD_FIELDS`), passed in so that worker
 * threads need not load the contract's zod schemas (most of their start-up time).
 */
export function planRows(mapping: Mapping, layout: CsvLayout, leadFields: readonly string[]): RowPlan {
  const { targets, outcome, missingColumns, ignoredColumns } = bindMapping(mapping, layout.header);
  const all = outcome ? [...targets, outcome] : targets;
  const spellingTargets = all.flatMap((t, i) => (t.category ? [i] : []));
  const indexOf = (prop: string) => all.findIndex((t) => !t.attribute && t.prop === prop);
  return {
    layout,
    targets,
    outcome,
    all,
    missingColumns,
    ignoredColumns,
    spellingTargets,
    fieldOrder: all
      .map((_, i) => i)
      .filter((i) => !all[i]!.attribute)
      .sort((a, b) => leadFields.indexOf(all[a]!.prop) - leadFields.indexOf(all[b]!.prop)),
    attributeIndexes: all.map((_, i) => i).filter((i) => all[i]!.attribute),
    keyJson: all.map((t) => Buffer.from(`${JSON.stringify(t.prop)}:`)),
    mergeRules: all.map((t) => t.merge),
    markers: all.map((_, i) => {
      const table = spellingTargets.indexOf(i);
      return table < 0 ? null : Buffer.from(`${String.fromCharCode(SPELLING_MARK)}${table}${String.fromCharCode(SPELLING_MARK)}`);
    }),
    slot: {
      id: indexOf('id'),
      email: indexOf('email'),
      first: indexOf('first_name'),
      last: indexOf('last_name'),
      domain: indexOf('company_domain'),
      created: indexOf('created_at'),
      activity: indexOf('last_activity_at'),
      converted: indexOf('converted'),
    },
  };
}

/** What one block of records gave; line numbers are counted from the block's first line (0). */
export interface BlockResult {
  /** Physical lines the block spans. */
  lines: number;
  rowsRead: number;
  blankRows: number;
  rowsRejected: number;
  rejects: RejectedValue[];
  placeholders: number;
  truncated: number;
  /** Per target of `RowPlan.targets`: accepted rows with a value. */
  coverage: number[];
  converted: number;
  notConverted: number;
  /**
   * The accepted rows' JSON lines (UTF-8), with spelling markers for category values, in a buffer of
   * their own (it is transferred between threads, like `keys`).
   */
  spill: Uint8Array;
  /** The accepted rows' dedupe keys and dates (`RowKeysWriter`). */
  keys: Uint8Array;
  times: Float64Array;
  /** Accepted rows (numbered within the block) whose id looks generated (`lead_…`), with the id: the only ids a generated one can clash with. */
  leadLikeIds: [row: number, id: string][];
  /** Per spelling table: the block's distinct values, and per accepted row the index of its value (-1: none). */
  spellings: { values: string[]; rows: Int32Array }[];
  /** The JS heap in use by the thread that processed the block, with the block's records still alive (bytes). */
  heapUsed: number;
  /** Set when the block is not valid CSV (csv-parse's message and code; `lines` relative to the block). */
  error?: { code: string; message: string; lines?: number };
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const LINE_FEED = 0x0a;
const LEAD_PREFIX = Buffer.from('"lead_');

/** Maps, cleans and serialises one block of whole records (see `splitCsv`). */
export function processBlock(plan: RowPlan, bytes: Uint8Array): BlockResult {
  const { all, targets, layout, spellingTargets } = plan;
  const result: BlockResult = {
    lines: 0,
    rowsRead: 0,
    blankRows: 0,
    rowsRejected: 0,
    rejects: [],
    placeholders: 0,
    truncated: 0,
    coverage: targets.map(() => 0),
    converted: 0,
    notConverted: 0,
    spill: new Uint8Array(0),
    keys: new Uint8Array(0),
    times: new Float64Array(0),
    leadLikeIds: [],
    spellings: [],
    heapUsed: 0,
  };
  let parsed;
  try {
    parsed = parseBlock(bytes, layout);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    result.error = { code: error.code, message: error.message, lines: typeof error.lines === 'number' ? error.lines : undefined };
    return result;
  }
  result.lines = parsed.lines;

  const { fieldOrder, attributeIndexes, keyJson, markers, slot } = plan;
  const table = parsed.fields;
  // Rows are written straight into the spill as JSON, in the lead's key order; a value's bytes stay
  // where they were written, so per target `valueStart`/`valueEnd` say where (start -1: unknown).
  // A row's JSON, keys included, takes about twice its CSV bytes: sized so that it seldom has to grow.
  const spill = new ByteWriter(2 * bytes.length + 1024);
  const valueStart = new Int32Array(all.length);
  const valueEnd = new Int32Array(all.length);
  const spellingOf = all.map((_, i) => spellingTargets.indexOf(i));
  const spellings = spellingTargets.map(() => ({ numbers: new KeyTable(512), values: [] as string[], rows: [] as number[] }));
  /** Per spelling table, the row's value's number in the block (-1: none). */
  const rowSpellings = new Int32Array(spellingTargets.length);
  /** Per reject of the row, the index in `all` of its target: rejects are listed in mapping order. */
  const rejectTargets: number[] = [];
  const keys = new RowKeysWriter();
  let accepted = 0;

  /**
   * Reads target `i` into the row's JSON as `"key":value` (a category as its spelling marker, its value
   * numbered), after `separator` (0: none). Nothing is left written when it has no value.
   */
  const member = (i: number, separator: number, first: number, line: number): boolean => {
    const mark = spill.length;
    if (separator) spill.appendByte(separator);
    spill.append(keyJson[i]!, 0, keyJson[i]!.length);
    const start = spill.length;
    const rejectsBefore = result.rejects.length;
    const known = readTarget(all[i]!, table, first, line, spill, result);
    if (result.rejects.length > rejectsBefore) rejectTargets.push(i);
    if (!known) {
      spill.length = mark;
      valueStart[i] = -1;
      return false;
    }
    valueStart[i] = start;
    valueEnd[i] = spill.length;
    const k = spellingOf[i]!;
    if (k >= 0) {
      const spelling = spellings[k]!;
      const json = spill.buffer;
      let n = spelling.numbers.get(json, start, spill.length);
      if (n < 0) {
        n = spelling.values.length;
        spelling.numbers.set(n);
        spelling.values.push(JSON.parse(json.toString('utf8', start, spill.length)) as string);
      }
      // (A row rejected later has its values numbered too: harmless, as a spelling no lead has never shows.)
      rowSpellings[k] = n;
      spill.length = start;
      spill.append(markers[i]!, 0, markers[i]!.length);
    }
    return true;
  };

  /** Where target `i`'s value is in the row's JSON (-1: not mapped or unknown). */
  const at = (i: number) => (i < 0 ? -1 : valueStart[i]!);
  const to = (i: number) => (i < 0 ? -1 : valueEnd[i]!);

  const header = layout.header;
  for (let k = 0; k < parsed.records.length; k++) {
    const record = parsed.records[k]!;
    const first = table.recordFields[record]!;
    const fieldCount = table.recordFields[record + 1]! - first;
    const line = parsed.starts[k]!;
    result.rowsRead++;
    if (isBlankRecord(table, first, first + fieldCount)) {
      result.blankRows++;
      continue;
    }
    if (fieldCount !== header.length) {
      result.rowsRejected++;
      result.rejects.push({
        line,
        column: '(row)',
        value: `${fieldCount} fields`,
        reason: `expected ${header.length} fields like the header, found ${fieldCount} (a missing or extra "${layout.delimiter}", or an unquoted value containing one?)`,
      });
      continue;
    }
    const rowStart = spill.length;
    const rejectsBefore = result.rejects.length;
    rejectTargets.length = 0;
    rowSpellings.fill(-1);
    // The row's JSON: lead fields in the contract's key order, then its attributes (see `RowPlan`).
    spill.appendByte(OPEN_BRACE);
    let members = 0;
    for (const i of fieldOrder) if (member(i, members > 0 ? COMMA : 0, first, line)) members++;
    let attributes = 0;
    for (const i of attributeIndexes) {
      if (attributes === 0) {
        const mark = spill.length;
        if (members > 0) spill.appendByte(COMMA);
        spill.append(ATTRIBUTES_JSON, 0, ATTRIBUTES_JSON.length);
        if (member(i, 0, first, line)) attributes++;
        else spill.length = mark;
      } else if (member(i, COMMA, first, line)) attributes++;
    }
    if (result.rejects.length > rejectsBefore) {
      result.rowsRejected++;
      spill.length = rowStart;
      if (rejectTargets.length > 1) {
        const rowRejects = result.rejects.splice(rejectsBefore);
        const order = rowRejects.map((_, r) => r).sort((x, y) => rejectTargets[x]! - rejectTargets[y]!);
        for (const r of order) result.rejects.push(rowRejects[r]!);
      }
      continue;
    }
    if (attributes > 0) spill.appendByte(CLOSE_BRACE);
    spill.appendByte(CLOSE_BRACE);
    spill.appendByte(LINE_FEED);

    const json = spill.buffer;
    for (let i = 0; i < targets.length; i++) if (valueStart[i]! >= 0) result.coverage[i]!++;
    if (slot.converted >= 0 && valueStart[slot.converted]! >= 0) {
      if (json[valueStart[slot.converted]!] === 0x74 /* true */) result.converted++;
      else result.notConverted++;
    }
    for (let s = 0; s < spellings.length; s++) spellings[s]!.rows.push(rowSpellings[s]!);
    const id = slot.id;
    if (id >= 0 && valueStart[id]! >= 0 && json.compare(LEAD_PREFIX, 0, LEAD_PREFIX.length, valueStart[id]!, valueStart[id]! + LEAD_PREFIX.length) === 0) {
      result.leadLikeIds.push([accepted, JSON.parse(json.toString('utf8', valueStart[id]!, valueEnd[id]!)) as string]);
    }
    accepted++;
    keys.json(json, at(slot.id), to(slot.id));
    keys.json(json, at(slot.email), to(slot.email));
    keys.nameJson(json, at(slot.first), to(slot.first), at(slot.last), to(slot.last), at(slot.domain), to(slot.domain));
    const dated = at(slot.activity) >= 0 ? slot.activity : slot.created;
    keys.endRow(isoJsonTime(json, at(dated), to(dated)));
  }
  result.spill = spill.written();
  ({ keys: result.keys, times: result.times } = keys.finish());
  result.spellings = spellings.map(({ values: distinct, rows }) => ({ values: distinct, rows: Int32Array.from(rows) }));
  result.heapUsed = v8.getHeapStatistics().used_heap_size;
  return result;
}
