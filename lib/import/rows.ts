import v8 from 'node:v8';
import { AppError } from '../errors';
import { LEAD_FIELDS, type Lead } from '../lead';
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
import { CsvError, parseBlock, type CsvLayout } from './csv';
import { RowKeysWriter, nameKey, rowTime } from './dedupe';
import { columnKey, type AttributeType, type MappableField, type Mapping } from './mapping';

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
export interface BoundTarget {
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

function bindMapping(mapping: Mapping, header: readonly string[]) {
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

/** The mapping bound to a file's header, and how each accepted row's JSON line is written. */
export interface RowPlan {
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
  /** Attribute names in mapping order: a lead's attributes are written in this order. */
  attributeOrder: string[];
  /**
   * How a row's JSON is written: lead fields in the contract's key order, then attributes in mapping
   * order, so a one-row lead's spill line, with its spellings put in, is its output line.
   */
  fieldOrder: number[];
  attributeIndexes: number[];
  jsonKeys: string[];
  valueJson: ((value: string | number | boolean) => string)[];
  /** Where in `all` the fields deduplication and the report need are (-1: not mapped). */
  slot: Record<'id' | 'email' | 'first' | 'last' | 'domain' | 'created' | 'activity' | 'converted', number>;
}

/**
 * In a spill line, a category value is written as NUL, its spelling table's number, NUL: the display
 * spelling is only known once every row has been read. JSON text never contains a raw NUL
 * (JSON.stringify escapes it), so the marker cannot be confused with data.
 */
export const SPELLING_MARK = 0;

/** Binds the mapping to the file's header (refusing a file with none of its columns) and plans how rows are written. */
export function planRows(mapping: Mapping, layout: CsvLayout): RowPlan {
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
    attributeOrder: targets.filter((t) => t.attribute).map((t) => t.prop),
    fieldOrder: all
      .map((_, i) => i)
      .filter((i) => !all[i]!.attribute)
      .sort((a, b) => LEAD_FIELDS.indexOf(all[a]!.prop as keyof Lead) - LEAD_FIELDS.indexOf(all[b]!.prop as keyof Lead)),
    attributeIndexes: all.map((_, i) => i).filter((i) => all[i]!.attribute),
    jsonKeys: all.map((t) => `${JSON.stringify(t.prop)}:`),
    valueJson: all.map((_, i) => {
      const table = spellingTargets.indexOf(i);
      const mark = `${String.fromCharCode(SPELLING_MARK)}${table}${String.fromCharCode(SPELLING_MARK)}`;
      return table >= 0 ? () => mark : (value) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
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

/** Distinct strings numbered in order of first appearance (a block's spellings, then the file's). */
export class ValueNumbers {
  private readonly numbers = new Map<string, number>();
  readonly values: string[] = [];

  numberOf(value: string): number {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.length;
      this.numbers.set(value, n);
      this.values.push(value);
    }
    return n;
  }
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
   * The accepted rows' JSON lines (UTF-8), with spelling markers for category values, in pieces of about
   * 64 KiB, each with its own ArrayBuffer (they are transferred between threads, like `keys`).
   */
  spill: Uint8Array[];
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

const encoder = new TextEncoder();

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
    spill: [],
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

  const { fieldOrder, attributeIndexes, jsonKeys, valueJson, slot } = plan;
  const values: (string | number | boolean | undefined)[] = new Array(all.length);
  const text = (i: number) => (i < 0 ? undefined : (values[i] as string | undefined));
  const spellings = spellingTargets.map(() => ({ numbers: new ValueNumbers(), rows: [] as number[] }));
  const keys = new RowKeysWriter();
  let accepted = 0;
  // Encoded every ~64 KiB: one block-sized string would be a deep rope that is slow to flatten and encode.
  const spillParts: Uint8Array[] = [];
  let spill = '';

  const header = layout.header;
  for (let r = 0; r < parsed.records.length; r++) {
    const fields = parsed.records[r]!;
    const line = parsed.starts[r]!;
    result.rowsRead++;
    if (isBlankRow(fields)) {
      result.blankRows++;
      continue;
    }
    if (fields.length !== header.length) {
      result.rowsRejected++;
      result.rejects.push({
        line,
        column: '(row)',
        value: `${fields.length} fields`,
        reason: `expected ${header.length} fields like the header, found ${fields.length} (a missing or extra "${layout.delimiter}", or an unquoted value containing one?)`,
      });
      continue;
    }
    const rejectsBefore = result.rejects.length;
    for (let i = 0; i < all.length; i++) values[i] = readTarget(all[i]!, fields, line, result.rejects, result);
    if (result.rejects.length > rejectsBefore) {
      result.rowsRejected++;
      continue;
    }
    // The row's JSON, written directly: the same text as JSON.stringify of the draft object, without
    // building the object (this loop runs once per row of the file).
    let json = '{';
    for (const i of fieldOrder) {
      const value = values[i];
      if (value === undefined) continue;
      json += `${json.length > 1 ? ',' : ''}${jsonKeys[i]}${valueJson[i]!(value)}`;
      if (i < targets.length) result.coverage[i]!++;
    }
    let attributes = '';
    for (const i of attributeIndexes) {
      const value = values[i];
      if (value === undefined) continue;
      attributes += `${attributes ? ',' : ''}${jsonKeys[i]}${valueJson[i]!(value)}`;
      result.coverage[i]!++;
    }
    if (attributes) json += `${json.length > 1 ? ',' : ''}"attributes":{${attributes}}`;
    spill += `${json}}\n`;
    if (spill.length >= 1 << 16) {
      spillParts.push(encoder.encode(spill));
      spill = '';
    }
    if (slot.converted >= 0 && values[slot.converted] !== undefined) {
      if (values[slot.converted]) result.converted++;
      else result.notConverted++;
    }
    for (let k = 0; k < spellings.length; k++) {
      const value = values[spellingTargets[k]!] as string | undefined;
      const table = spellings[k]!;
      table.rows.push(value === undefined ? -1 : table.numbers.numberOf(value));
    }
    const id = text(slot.id);
    if (id?.startsWith('lead_')) result.leadLikeIds.push([accepted, id]);
    accepted++;
    keys.add({
      id,
      email: text(slot.email),
      name: nameKey({ first_name: text(slot.first), last_name: text(slot.last), company_domain: text(slot.domain) }),
      time: rowTime({ last_activity_at: text(slot.activity), created_at: text(slot.created) }),
    });
  }
  spillParts.push(encoder.encode(spill));
  result.spill = spillParts;
  ({ keys: result.keys, times: result.times } = keys.finish());
  result.spellings = spellings.map(({ numbers, rows }) => ({ values: numbers.values, rows: Int32Array.from(rows) }));
  result.heapUsed = v8.getHeapStatistics().used_heap_size;
  return result;
}
