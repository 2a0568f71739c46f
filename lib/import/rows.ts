import v8 from 'node:v8';
import { AppError } from '../errors';
import { ByteWriter } from './byte-writer';
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
import { CsvError, parseBlock, type CsvLayout, type ParsedBlock } from './csv';
import { fieldText } from './csv-tokenizer';
import { ATTRIBUTES_JSON, RowKeysWriter, isoJsonTime, mergeRuleOf, type LineLayout, type MergeRule } from './dedupe';
import type { AttributeType, MappableField, Mapping } from './mapping';
import {
  OUTPUT_FULL,
  PLACEHOLDER,
  REJECTED,
  UNKNOWN,
  fastBoolean,
  fastDigits,
  fastDomain,
  fastEmail,
  fastIsoDate,
  fastLines,
  fastLongText,
  fastText,
  noFastPath,
  rowEngine,
  type EnginePlan,
  type FastCleaning,
  type RowCallbacks,
  type RowEngine,
} from './row-engine';

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

/** What a cell turned out to be: a value (its JSON text written), unknown (empty or all whitespace), a placeholder ("N/A"), or rejected. */
type CellResult = 'value' | 'unknown' | 'placeholder' | 'rejected';

/** How a target's cells are cleaned: the string cleaner (clean.ts), and the row engine's fast path over bytes. */
interface Cleaning {
  clean: Cleaner;
  fast: FastCleaning;
}

const COUNTERS: ReadonlySet<MappableField> = new Set(['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d']);
/** Category fields get one display spelling per file (see `canonicalSpellings`). */
const CATEGORY_FIELDS: ReadonlySet<string> = new Set(['industry', 'country', 'lead_source']);
const ID_MAX_LENGTH = 200;

const dateCleaning = (order: DateOrder): Cleaning => ({ clean: (raw) => parseDate(raw, order), fast: fastIsoDate });

function fieldCleaning(field: MappableField, order: DateOrder): Cleaning {
  if (COUNTERS.has(field)) return { clean: parseCount, fast: fastDigits };
  switch (field) {
    case 'id':
      return { clean: cleanId, fast: fastText(ID_MAX_LENGTH) };
    case 'email':
      return { clean: cleanEmail, fast: fastEmail };
    case 'company_domain':
      return { clean: cleanDomain, fast: fastDomain };
    case 'employee_count':
      return { clean: parseEmployeeCount, fast: fastDigits };
    case 'annual_revenue':
      return { clean: parseRevenue, fast: fastDigits };
    case 'created_at':
    case 'last_activity_at':
      return dateCleaning(order);
    case 'webinar_attended':
    case 'demo_requested':
      return { clean: parseBoolean, fast: fastBoolean };
    case 'company_description':
      return { clean: cleanLongText, fast: fastLines };
    case 'industry':
    case 'country':
    case 'lead_source':
      return { clean: cleanCategory, fast: fastLongText };
    default:
      return { clean: cleanText, fast: fastLongText };
  }
}

function attributeCleaning(type: AttributeType, order: DateOrder): Cleaning {
  switch (type) {
    case 'text':
      return { clean: cleanText, fast: fastLongText };
    case 'number':
      return { clean: parseNumber, fast: fastDigits };
    case 'boolean':
      return { clean: parseBoolean, fast: fastBoolean };
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
  fast: FastCleaning;
}

function outcomeCleaning(outcome: NonNullable<Mapping['outcome']>): Cleaning {
  if (!outcome.positive) return { clean: parseBoolean, fast: fastBoolean };
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
  return { clean, fast: noFastPath };
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
    return { key, prop, columns: found, ...cleaning, ...kind };
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
  /** Per target of `all`: its key as JSON text with the colon (`"email":`). */
  keyJson: Buffer[];
  /** The plan as the row engine reads it: per target its fast path, spelling table, columns, key and spelling marker. */
  engine: EnginePlan;
  /** Per column of the file, its name as rejects report it. */
  columnNames: string[];
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
  const fieldOrder = all
    .map((_, i) => i)
    .filter((i) => !all[i]!.attribute)
    .sort((a, b) => leadFields.indexOf(all[a]!.prop) - leadFields.indexOf(all[b]!.prop));
  const attributeIndexes = all.map((_, i) => i).filter((i) => all[i]!.attribute);
  const keyJson = all.map((t) => Buffer.from(`${JSON.stringify(t.prop)}:`));
  const slot = {
    id: indexOf('id'),
    email: indexOf('email'),
    first: indexOf('first_name'),
    last: indexOf('last_name'),
    domain: indexOf('company_domain'),
    created: indexOf('created_at'),
    activity: indexOf('last_activity_at'),
    converted: indexOf('converted'),
  };
  const engine: EnginePlan = {
    targets: all.map((target, i) => {
      const spelling = spellingTargets.indexOf(i);
      return {
        fast: target.fast,
        spelling,
        columns: target.columns.map((c) => c.index),
        keyJson: keyJson[i]!,
        marker: spelling < 0 ? null : Buffer.from(`${String.fromCharCode(SPELLING_MARK)}${spelling}${String.fromCharCode(SPELLING_MARK)}`),
      };
    }),
    fieldOrder,
    attributeIndexes,
    attributesJson: ATTRIBUTES_JSON,
    headerLength: layout.header.length,
    coverageTargets: targets.length,
    spellingTables: spellingTargets.length,
    slot,
  };
  return {
    layout,
    targets,
    outcome,
    all,
    missingColumns,
    ignoredColumns,
    spellingTargets,
    fieldOrder,
    attributeIndexes,
    keyJson,
    mergeRules: all.map((t) => t.merge),
    engine,
    columnNames: layout.header.map((name) => name.trim()),
    slot,
  };
}

/** What one block of records gave; line numbers are counted from the block's first line (0). */
export interface BlockResult {
  /** The block's size in bytes. */
  bytes: number;
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

/** Parses a block as the import does (`parseBlock`): tokenized by this thread's row engine, into the memory where it then processes the block. */
export function parseBlockInEngine(plan: RowPlan, bytes: Uint8Array): ParsedBlock {
  const engine = rowEngine();
  return parseBlock(bytes, plan.layout, (block, delimiter, recordDelimiter) => engine.tokenize(plan.engine, block, delimiter, recordDelimiter));
}

const CELL_CODES: Record<Exclude<CellResult, 'value'>, number> = { unknown: UNKNOWN, placeholder: PLACEHOLDER, rejected: REJECTED };

/**
 * Maps, cleans and serialises one block of whole records (see `splitCsv`): the row engine
 * (`row-engine.ts`) walks the records and writes the rows, calling back here for what JavaScript does.
 * `outputBytes` is the room the rows' JSON gets to start with (doubled until it fits).
 */
export function processBlock(plan: RowPlan, bytes: Uint8Array, outputBytes = 4 * bytes.length + (64 << 10)): BlockResult {
  const result: BlockResult = {
    bytes: bytes.length,
    lines: 0,
    rowsRead: 0,
    blankRows: 0,
    rowsRejected: 0,
    rejects: [],
    placeholders: 0,
    truncated: 0,
    coverage: plan.targets.map(() => 0),
    converted: 0,
    notConverted: 0,
    spill: new Uint8Array(0),
    keys: new Uint8Array(0),
    times: new Float64Array(0),
    leadLikeIds: [],
    spellings: [],
    heapUsed: 0,
  };
  let parsed: ParsedBlock;
  try {
    parsed = parseBlockInEngine(plan, bytes);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    result.error = { code: error.code, message: error.message, lines: typeof error.lines === 'number' ? error.lines : undefined };
    return result;
  }
  result.lines = parsed.lines;
  const engine = rowEngine();
  for (let capacity = outputBytes; ; capacity *= 2) {
    const callbacks = new BlockCallbacks(plan, parsed, result, engine);
    const written = engine.run(plan.engine, parsed.fields, parsed.records, callbacks, capacity);
    if (written === OUTPUT_FULL) continue;
    const rows = engine.rows();
    result.rowsRead = rows.rowsRead;
    result.blankRows = rows.blankRows;
    result.rowsRejected = rows.rowsRejected;
    result.placeholders = rows.placeholders;
    result.converted = rows.converted;
    result.notConverted = rows.notConverted;
    result.coverage = Array.from(rows.coverage);
    // Copies: the engine's memory is reused for the next block, and these may be sent to another thread.
    result.spill = new Uint8Array(engine.output.subarray(0, written));
    result.keys = new Uint8Array(rows.keys);
    result.times = new Float64Array(rows.times);
    result.spellings = callbacks.spellings.map((values, s) => ({ values, rows: new Int32Array(rows.spellingRows[s]!) }));
    result.heapUsed = v8.getHeapStatistics().used_heap_size;
    return result;
  }
}

/**
 * What JavaScript does while the row engine processes a block: cells for the string cleaners, new
 * category spellings, rejects in mapping order, and the dedupe keys and dates the engine leaves to it.
 * Made anew (with a clean result) when a run starts over with more room.
 */
class BlockCallbacks implements RowCallbacks {
  /** Per spelling table, the block's distinct values in the order the engine numbered them. */
  readonly spellings: string[][];
  /** The record whose rejects start at `rejectsStart`, and per reject the index in `all` of its target: a row's rejects are listed in mapping order. */
  private rejectsRow = -1;
  private rejectsStart = 0;
  private readonly rejectTargets: number[] = [];
  /** Where the string cleaners and key writers write: the engine's regions (made at first use, once the run has placed them). */
  private writer: ByteWriter | null = null;
  private keysWriter: ByteWriter | null = null;
  private keys: RowKeysWriter | null = null;

  constructor(
    private readonly plan: RowPlan,
    private readonly parsed: ParsedBlock,
    private readonly result: BlockResult,
    private readonly engine: RowEngine,
  ) {
    result.rejects = [];
    result.truncated = 0;
    result.leadLikeIds = [];
    this.spellings = plan.spellingTargets.map(() => []);
  }

  slowCell(t: number, f: number, k: number, out: number): number {
    const { plan, parsed, result } = this;
    const table = parsed.fields;
    const line = parsed.starts[k]!;
    const column = plan.columnNames[f - table.recordFields[parsed.records[k]!]!]!;
    const decoded = table.decoded?.get(f);
    const writer = (this.writer ??= new ByteWriter(this.engine.output));
    // Room for the longest JSON a cleaner makes of the cell: every character escaped, or a short date written out.
    if (out + 6 * (decoded === undefined ? table.ends[f]! - table.starts[f]! : decoded.length) + 64 > writer.buffer.length) return OUTPUT_FULL;
    writer.length = out;
    const rejectsBefore = result.rejects.length;
    const target = plan.all[t]!;
    const cell = cleanCell(target, decoded ?? fieldText(table, f), line, column, writer, result);
    if (result.rejects.length > rejectsBefore) {
      if (this.rejectsRow !== k) {
        this.rejectsRow = k;
        this.rejectsStart = rejectsBefore;
        this.rejectTargets.length = 0;
      }
      this.rejectTargets.push(t);
    }
    return cell === 'value' ? writer.length : CELL_CODES[cell];
  }

  isPlaceholder(start: number, end: number): number {
    return isPlaceholder(this.parsed.fields.bytes.toString('latin1', start, end)) ? 1 : 0;
  }

  fieldIsBlank(f: number): number {
    return fieldText(this.parsed.fields, f).trim() === '' ? 1 : 0;
  }

  newSpelling(s: number, start: number, end: number): void {
    // (A row rejected later has its values numbered too: harmless, as a spelling no lead has never shows.)
    this.spellings[s]!.push(JSON.parse(this.engine.output.toString('utf8', start, end)) as string);
  }

  wrongFieldCount(k: number, fieldCount: number): void {
    const { header, delimiter } = this.plan.layout;
    this.result.rejects.push({
      line: this.parsed.starts[k]!,
      column: '(row)',
      value: `${fieldCount} fields`,
      reason: `expected ${header.length} fields like the header, found ${fieldCount} (a missing or extra "${delimiter}", or an unquoted value containing one?)`,
    });
  }

  rowRejected(): void {
    const { rejects } = this.result;
    if (this.rejectTargets.length > 1) {
      const rowRejects = rejects.splice(this.rejectsStart);
      const order = rowRejects.map((_, r) => r).sort((x, y) => this.rejectTargets[x]! - this.rejectTargets[y]!);
      for (const r of order) rejects.push(rowRejects[r]!);
    }
    this.rejectsRow = -1;
  }

  rowKeys(_k: number, out: number): number {
    const { slot } = this.plan;
    const { output: json, valueStarts: starts, valueEnds: ends } = this.engine;
    const writer = (this.keysWriter ??= new ByteWriter(this.engine.keys));
    this.keys ??= new RowKeysWriter(writer);
    // Keys are the values decoded (never longer than their JSON text), names lowercased (which can lengthen a few letters).
    let room = 3;
    for (const i of [slot.id, slot.email, slot.first, slot.last, slot.domain]) if (i >= 0 && starts[i]! >= 0) room += 3 * (ends[i]! - starts[i]!);
    if (out + room > writer.buffer.length) return OUTPUT_FULL;
    writer.length = out;
    this.keys.json(json, at(starts, slot.id), at(ends, slot.id));
    this.keys.json(json, at(starts, slot.email), at(ends, slot.email));
    this.keys.nameJson(json, at(starts, slot.first), at(ends, slot.first), at(starts, slot.last), at(ends, slot.last), at(starts, slot.domain), at(ends, slot.domain));
    return writer.length;
  }

  parseTime(start: number, end: number): number {
    return isoJsonTime(this.engine.output, start, end);
  }

  leadLikeId(row: number, start: number, end: number): void {
    this.result.leadLikeIds.push([row, JSON.parse(this.engine.output.toString('utf8', start, end)) as string]);
  }
}

/** Target `i`'s entry in a per-target array (-1 when the target is not mapped). */
const at = (values: Int32Array, i: number) => (i < 0 ? -1 : values[i]!);
