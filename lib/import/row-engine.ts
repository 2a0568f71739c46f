import { readFileSync } from 'node:fs';
import { MAX_TEXT_LENGTH, isPlaceholder, mayStartPlaceholder } from './clean';
import type { FieldTable } from './csv-tokenizer';
import { align, growMemory } from './wasm-memory';

/**
 * The row stage's byte work in WebAssembly (source: assembly/row-engine.ts, built into row-engine.wasm
 * by `npm run engine:build`; a test checks the committed binary is what the source builds to). It walks
 * a tokenized block's records, runs each mapped cell through its column's fast path and writes the rows'
 * JSON lines; for each accepted row it also counts coverage and outcomes, numbers category spellings
 * and writes the row's dedupe keys and date. It calls back into JavaScript (`RowCallbacks`, implemented
 * by rows.ts) for everything else: cells the fast paths and the memo leave, new spellings, rejects, and
 * keys or dates that need decoding.
 * The same loop in JavaScript cost about 8 µs a row, mostly in calls and bounds checks per cell; compiled,
 * a block needs no warm-up on a new worker and no garbage collection.
 *
 * **Fast paths.** Most cells of an export are already clean, so each column's cleaner has a fast path over
 * the cell's UTF-8 bytes that writes the value's JSON text directly. A fast path only takes cells whose
 * clean value is the obvious one and never rejects or guesses; anything else goes to the string cleaner
 * of clean.ts (`slowCell`), which stays the definition of every rule. A differential property test holds
 * each fast path to its string cleaner (tests/import/row-engine.test.ts).
 *
 * **Memo.** A short cell (up to 64 bytes) that repeats — yes/no spellings, lifecycle stages, size bands,
 * US dates, placeholders — replays the string cleaner's earlier result for the same bytes, kept per
 * column and thread (up to 1,024 distinct cells), without calling JavaScript. Cleaners are pure functions
 * of the cell's text, so a replay is exactly what cleaning would give; rejected cells are not kept.
 * - `text(maxBytes)` (`cleanText`, `cleanCategory`, `cleanId`): text whose only whitespace is the ASCII
 *   space, trimmed and runs of spaces made one, with no control character and no non-ASCII space or
 *   dash, at most `maxBytes` bytes (nothing to cut); quotes and backslashes escaped as JSON does. A short
 *   ASCII cell that may be a placeholder is checked with `isPlaceholder` itself.
 * - `lines` (`cleanLongText`): the same, over several lines: LF, CRLF and CR become "\n", each line is
 *   trimmed, at most one blank line is kept in a row, and the whole is trimmed. A short cell with a line
 *   break goes to the string cleaner (it might be a placeholder written over lines).
 * - `email` (`cleanEmail`): spaces around it trimmed, ASCII capitals lowercased; dot-separated local labels
 *   of letters, digits and `_'+-`, not ending in `'`; one `@`; two or more domain labels starting with a
 *   letter or digit; a top-level label of two or more letters.
 * - `domain` (`cleanDomain`): an optional "http://" or "https://", an optional "www." (dropped), two or
 *   more labels of letters, digits and inner dashes, then nothing or a path, query or fragment (dropped)
 *   free of control characters; case folded.
 * - `digits` (`parseNumber`, `parseCount`, `parseEmployeeCount`, `parseRevenue`): 1 to 15 digits without
 *   a leading zero, plain or with US thousands commas.
 * - `isoDate` (`parseDate`): "2024-03-05", "2024-03-05 14:22", "…T14:22:07", "…T14:22:07.123", each
 *   optionally ending in "Z", a real date in 1900–2100; written as "2024-03-05T14:22:07.123Z".
 * - `boolean` (`parseBoolean`): one character, 1 x y t → true, 0 n f → false, in either case.
 */

export const FastPath = { none: 0, text: 1, email: 2, domain: 3, digits: 4, isoDate: 5, boolean: 6, lines: 7 } as const;

/** A column's fast path, and for text and domains the most bytes it takes. */
export interface FastCleaning {
  kind: (typeof FastPath)[keyof typeof FastPath];
  maxBytes: number;
}

export const fastText = (maxBytes: number): FastCleaning => ({ kind: FastPath.text, maxBytes });
export const fastLongText = fastText(MAX_TEXT_LENGTH);
export const fastLines: FastCleaning = { kind: FastPath.lines, maxBytes: MAX_TEXT_LENGTH };
export const fastEmail: FastCleaning = { kind: FastPath.email, maxBytes: 0 };
export const fastDomain: FastCleaning = { kind: FastPath.domain, maxBytes: MAX_TEXT_LENGTH };
export const fastDigits: FastCleaning = { kind: FastPath.digits, maxBytes: 0 };
export const fastIsoDate: FastCleaning = { kind: FastPath.isoDate, maxBytes: 0 };
export const fastBoolean: FastCleaning = { kind: FastPath.boolean, maxBytes: 0 };
export const noFastPath: FastCleaning = { kind: FastPath.none, maxBytes: 0 };

/** What a cell or a fast path came to, besides a value's output end (≥ 0). */
export const FALLBACK = -1;
export const PLACEHOLDER = -2;
export const UNKNOWN = -3;
export const REJECTED = -4;
/** The block's rows did not fit in the output: run it again with more room. */
export const OUTPUT_FULL = -5;

/** What the engine hands to JavaScript while it processes a block; output positions are relative to `RowEngine.output`. */
export interface RowCallbacks {
  /** Target `t`'s cell, field `f` of record `k`, through the string cleaner, its value written at `out`: the new output end or a code. */
  slowCell(t: number, f: number, k: number, out: number): number;
  /** Whether the block's bytes `[start, end)` (short ASCII) are a placeholder: 1 or 0. */
  isPlaceholder(start: number, end: number): number;
  /** Whether field `f` is empty or whitespace: 1 or 0. */
  fieldIsBlank(f: number): number;
  /** Spelling table `s` has a new value in the block, `output[start, end)` (JSON text): it is numbered next. */
  newSpelling(s: number, start: number, end: number): void;
  wrongFieldCount(k: number, fields: number): void;
  /** Record `k` had a rejected cell: its row was not written. */
  rowRejected(k: number): void;
  /**
   * Record `k`'s dedupe keys, which need JavaScript (escapes, or a non-ASCII name), written at `out` of
   * `keys`: the new end, or OUTPUT_FULL. `valueStarts`/`valueEnds` say where each target's value is.
   */
  rowKeys(k: number, out: number): number;
  /** Epoch ms of a date value's JSON text, `output[start, end)`, that is not in the cleaners' own form. */
  parseTime(start: number, end: number): number;
  /** Accepted row `row`'s id, `output[start, end)`, looks generated ("lead_…"). */
  leadLikeId(row: number, start: number, end: number): void;
}

/** A row plan as the engine reads it (see `RowPlan`). */
export interface EnginePlan {
  targets: { fast: FastCleaning; spelling: number; columns: number[]; keyJson: Buffer; marker: Buffer | null }[];
  fieldOrder: number[];
  attributeIndexes: number[];
  attributesJson: Buffer;
  headerLength: number;
  /** Targets counted for coverage (the first ones: all but the outcome), and spelling tables. */
  coverageTargets: number;
  spellingTables: number;
  /** Where the values the counts and deduplication read are (-1: not mapped). */
  slot: Record<'id' | 'email' | 'first' | 'last' | 'domain' | 'created' | 'activity' | 'converted', number>;
}

/** A plan with nothing mapped: enough for the engine to place a block or a single cell (tests, `fastPath`). */
export const NO_TARGETS: EnginePlan = {
  targets: [],
  fieldOrder: [],
  attributeIndexes: [],
  attributesJson: Buffer.alloc(0),
  headerLength: 0,
  coverageTargets: 0,
  spellingTables: 0,
  slot: { id: -1, email: -1, first: -1, last: -1, domain: -1, created: -1, activity: -1, converted: -1 },
};

/**
 * UTF-8 lead bytes of every non-ASCII character JavaScript counts as whitespace (U+00A0, U+1680,
 * U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF), and of the dashes a placeholder may
 * be wrapped in ("– none –"). A text cell holding one of these bytes goes to the string cleaner.
 */
const SPACE_OR_DASH_LEAD = new Uint8Array(256);
for (const lead of [0xc2, 0xe1, 0xe2, 0xe3, 0xef]) SPACE_OR_DASH_LEAD[lead] = 1;
const PLACEHOLDER_STARTS = Uint8Array.from({ length: 256 }, (_, code) => (mayStartPlaceholder(code) ? 1 : 0));

/** Per field of a block, how its text differs from its bytes (assembly/row-engine.ts `readCell`): 0 not at all. */
const DECODED = 1;
const DOUBLED_QUOTES = 2;

/** Bytes per target in the plan (assembly/row-engine.ts `TARGET_SHIFT`), and the i32s in it (there, their byte offsets). */
const TARGET_BYTES = 64;
const TargetField = {
  kind: 0,
  maxBytes: 1,
  spelling: 2,
  columns: 3,
  columnIndexes: 4,
  key: 5,
  keyLength: 6,
  marker: 7,
  markerLength: 8,
  memoSlots: 9,
  memoArena: 10,
  memoArenaSize: 11,
  memoUsedEntries: 12,
  memoUsedBytes: 13,
} as const;
/** Per target, its memo's slots (2,048 of 16 bytes) and arena for cells and their values (assembly/row-engine.ts `MEMO_SLOTS`). */
const MEMO_SLOTS_BYTES = 2048 * 16;
const MEMO_ARENA_BYTES = 64 << 10;
/** Where the plan starts; below it, nothing (the module has no static data). */
const PLAN_BASE = 1024;
/** What the compiled tokenizer returns besides a record count (assembly/tokenizer.ts). */
const TOKENIZE_FULL = -2;

/** Where a block and its field table are in the engine's memory (`RowEngine.blockLayout`). */
interface BlockLayout {
  blockAt: number;
  startsAt: number;
  endsAt: number;
  recordFieldsAt: number;
  breaksAt: number;
  doubledAt: number;
  end: number;
}

interface EngineExports {
  memory: WebAssembly.Memory;
  configure(plan: number, order: number, orderCount: number, attributes: number, attributeCount: number, json: number, jsonLength: number, starts: number, leads: number, header: number): void;
  configureRows(coverage: number, spellings: number, converted: number, id: number, email: number, first: number, last: number, domain: number, created: number, activity: number): void;
  setBlockRegions(coverage: number, rowSpellings: number, spellingRows: number, state: number, slots: number, stateBytes: number, arenaBytes: number, keys: number, keysCapacity: number, times: number): void;
  processRows(block: number, starts: number, ends: number, recordFields: number, decoded: number, records: number, count: number, out: number, capacity: number, valueStarts: number, valueEnds: number): number;
  fastPath(kind: number, maxBytes: number, start: number, end: number, out: number, doubledQuotes: number): number;
  tokenize(block: number, length: number, delimiter: number, breakFirst: number, breakSecond: number, starts: number, ends: number, recordFields: number, breaks: number, doubled: number, capacity: number): number;
  tokenizedFields(): number;
  tokenizedDoubled(): number;
  countRowsRead(): number;
  countBlankRows(): number;
  countRowsRejected(): number;
  countPlaceholders(): number;
  countConverted(): number;
  countNotConverted(): number;
  countAccepted(): number;
  keysLength(): number;
}

let compiled: WebAssembly.Module | null = null;

/** The compiled engine, compiled once per thread from row-engine.wasm, unless `setEngineModule` gave it. */
export function engineModule(): WebAssembly.Module {
  return (compiled ??= new WebAssembly.Module(readFileSync(new URL('./row-engine.wasm', import.meta.url))));
}

/** Hands a worker the main thread's compiled engine (the worker's bundle does not sit beside the .wasm file). */
export function setEngineModule(module: WebAssembly.Module): void {
  compiled = module;
}

/** What a processed block's rows add up to (views into the engine's memory: valid until its next run). */
export interface RowTotals {
  rowsRead: number;
  blankRows: number;
  rowsRejected: number;
  placeholders: number;
  converted: number;
  notConverted: number;
  /** Per coverage target, accepted rows with a value. */
  coverage: Int32Array;
  /** Per spelling table, per accepted row, its value's number in the block (-1: none). */
  spellingRows: Int32Array[];
  /** The accepted rows' dedupe keys (`RowKeysWriter`'s form) and dates. */
  keys: Buffer;
  times: Float64Array;
}

/** One instance of the engine (per thread), with its memory: the plan, then the current block's regions. */
export class RowEngine {
  private readonly exports: EngineExports;
  private callbacks: RowCallbacks | null = null;
  private plan: EnginePlan | null = null;
  private planEnd = PLAN_BASE;
  private bytes!: Buffer;
  private ints!: Int32Array;
  /** The current block's output region, and where each target's value is in the current row (relative to it). */
  output!: Buffer;
  valueStarts!: Int32Array;
  valueEnds!: Int32Array;
  /** The current block's keys region (see `RowCallbacks.rowKeys`). */
  keys!: Buffer;
  private rowsRegions = { coverage: 0, spellingRows: 0, keys: 0, times: 0, records: 0 };
  /** The field table of the block `tokenize` left in memory (views of it), while it is there, and where it is. */
  private tokenized: FieldTable | null = null;
  private tokenizedLayout: BlockLayout | null = null;
  /** Every table `tokenize` made: one of them that is no longer in memory must not be run. */
  private readonly madeTables = new WeakSet<FieldTable>();

  constructor() {
    const call = <K extends keyof RowCallbacks>(name: K) =>
      ((...args: number[]) => (this.callbacks![name] as (...a: number[]) => number | void)(...args)) as RowCallbacks[K];
    const env = {
      slowCell: call('slowCell'),
      isPlaceholder: call('isPlaceholder'),
      fieldIsBlank: call('fieldIsBlank'),
      newSpelling: call('newSpelling'),
      wrongFieldCount: call('wrongFieldCount'),
      rowRejected: call('rowRejected'),
      rowKeys: call('rowKeys'),
      parseTime: call('parseTime'),
      leadLikeId: call('leadLikeId'),
    };
    this.exports = new WebAssembly.Instance(engineModule(), { env }).exports as unknown as EngineExports;
    this.reserve(PLAN_BASE);
  }

  /** Grows the memory to at least `bytes`; views are made again (growing detaches the old ones). */
  private reserve(bytes: number): void {
    const { memory } = this.exports;
    growMemory(memory, bytes);
    if (this.bytes?.buffer !== memory.buffer) {
      this.bytes = Buffer.from(memory.buffer);
      this.ints = new Int32Array(memory.buffer);
    }
  }

  private configure(plan: EnginePlan): void {
    // The block regions start where the plan ends, so a block left in memory is gone.
    this.tokenized = null;
    const count = plan.targets.length;
    let at = PLAN_BASE + count * TARGET_BYTES;
    // Everything `put` below places, each piece aligned to 8 bytes.
    const size =
      at +
      plan.targets.reduce((n, t) => n + align(4 * t.columns.length) + align(t.keyJson.length) + align(t.marker?.length ?? 0), 0) +
      count * (MEMO_SLOTS_BYTES + MEMO_ARENA_BYTES) +
      align(4 * plan.fieldOrder.length) +
      align(4 * plan.attributeIndexes.length) +
      align(plan.attributesJson.length) +
      PLACEHOLDER_STARTS.length +
      SPACE_OR_DASH_LEAD.length;
    this.reserve(size);
    const put = (source: Uint8Array) => {
      const start = at;
      this.bytes.set(source, at);
      at = align(at + source.length);
      return start;
    };
    const putInts = (values: readonly number[]) => put(new Uint8Array(Int32Array.from(values).buffer));
    plan.targets.forEach((target, t) => {
      const fields = this.ints.subarray((PLAN_BASE + t * TARGET_BYTES) >> 2);
      fields[TargetField.kind] = target.fast.kind;
      fields[TargetField.maxBytes] = target.fast.maxBytes;
      fields[TargetField.spelling] = target.spelling;
      fields[TargetField.columns] = target.columns.length;
      fields[TargetField.columnIndexes] = putInts(target.columns);
      fields[TargetField.key] = put(target.keyJson);
      fields[TargetField.keyLength] = target.keyJson.length;
      fields[TargetField.marker] = target.marker ? put(target.marker) : 0;
      fields[TargetField.markerLength] = target.marker?.length ?? 0;
      // The target's memo, empty: the results it keeps belong to this plan's cleaners.
      this.bytes.fill(0, at, at + MEMO_SLOTS_BYTES);
      fields[TargetField.memoSlots] = at;
      fields[TargetField.memoArena] = at + MEMO_SLOTS_BYTES;
      fields[TargetField.memoArenaSize] = MEMO_ARENA_BYTES;
      fields[TargetField.memoUsedEntries] = 0;
      fields[TargetField.memoUsedBytes] = 0;
      at += MEMO_SLOTS_BYTES + MEMO_ARENA_BYTES;
    });
    const order = putInts(plan.fieldOrder);
    const attributes = putInts(plan.attributeIndexes);
    const json = put(plan.attributesJson);
    const starts = put(PLACEHOLDER_STARTS);
    const leads = put(SPACE_OR_DASH_LEAD);
    if (at !== size) throw new Error(`The row engine's plan took ${at - PLAN_BASE} bytes, not the ${size - PLAN_BASE} reserved`);
    this.exports.configure(PLAN_BASE, order, plan.fieldOrder.length, attributes, plan.attributeIndexes.length, json, plan.attributesJson.length, starts, leads, plan.headerLength);
    const { slot } = plan;
    this.exports.configureRows(plan.coverageTargets, plan.spellingTables, slot.converted, slot.id, slot.email, slot.first, slot.last, slot.domain, slot.created, slot.activity);
    this.plan = plan;
    this.planEnd = at;
  }

  /**
   * Where a block of `length` bytes and its field table go: right after the plan, with room for `fields`
   * fields (records: one more). The tokenizer's 16-byte loads read (and ignore) up to 15 bytes past the block.
   */
  private blockLayout(length: number, fields: number): BlockLayout {
    const blockAt = this.planEnd;
    const ints = 4 * (fields + 1);
    const startsAt = align(blockAt + length + 16);
    const endsAt = startsAt + ints;
    const recordFieldsAt = endsAt + ints;
    const breaksAt = recordFieldsAt + ints;
    const doubledAt = breaksAt + ints;
    return { blockAt, startsAt, endsAt, recordFieldsAt, breaksAt, doubledAt, end: doubledAt + ints };
  }

  /**
   * Tokenizes a block of whole records exactly as `tokenizeFields` does (assembly/tokenizer.ts), into this
   * engine's memory, where `run` with the same plan reads it without a copy. The table's arrays are views
   * of that memory, valid until the next `tokenize` (`run` keeps them valid if it grows the memory). Null
   * when the block needs `tokenizeFields` (a quote that never closes, text after a closing quote).
   */
  tokenize(plan: EnginePlan, bytes: Buffer, delimiter: string, recordDelimiter: string): FieldTable | null {
    if (this.plan !== plan) this.configure(plan);
    this.tokenized = null;
    const second = recordDelimiter.length === 2 ? recordDelimiter.charCodeAt(1) : -1;
    // Room for a field per 8 bytes to start with, as tokenizeFields; a block of n bytes has at most n + 1.
    let capacity = (bytes.length >> 3) + 64;
    let layout = this.blockLayout(bytes.length, capacity);
    this.reserve(layout.end);
    this.bytes.set(bytes, layout.blockAt);
    let records: number;
    for (;;) {
      records = this.exports.tokenize(layout.blockAt, bytes.length, delimiter.charCodeAt(0), recordDelimiter.charCodeAt(0), second, layout.startsAt, layout.endsAt, layout.recordFieldsAt, layout.breaksAt, layout.doubledAt, capacity);
      if (records !== TOKENIZE_FULL) break;
      capacity = Math.min(2 * capacity, bytes.length + 1);
      layout = this.blockLayout(bytes.length, capacity);
      // Growing keeps the memory's contents: the block is still in place.
      this.reserve(layout.end);
    }
    if (records < 0) return null;
    const doubled = this.exports.tokenizedDoubled();
    const table: FieldTable = {
      bytes,
      records,
      ...this.tableViews(layout, this.exports.tokenizedFields(), records),
      decoded: null,
      doubledQuotes: doubled > 0 ? new Set(this.ints.subarray(layout.doubledAt >> 2, (layout.doubledAt >> 2) + doubled)) : null,
    };
    this.madeTables.add(table);
    this.tokenized = table;
    this.tokenizedLayout = layout;
    return table;
  }

  private tableViews(layout: BlockLayout, fields: number, records: number): Pick<FieldTable, 'starts' | 'ends' | 'recordFields' | 'breaks'> {
    const view = (at: number, length: number) => this.ints.subarray(at >> 2, (at >> 2) + length);
    return { starts: view(layout.startsAt, fields), ends: view(layout.endsAt, fields), recordFields: view(layout.recordFieldsAt, records + 1), breaks: view(layout.breaksAt, records) };
  }

  /**
   * Processes the records `records` (record numbers of `table`) with `plan`, writing rows into an output
   * region of `capacity` bytes and calling `callbacks` along the way. Returns the bytes written (the rows'
   * JSON lines, at the start of `output`, valid until the next run), or OUTPUT_FULL. `table` is the last
   * one `tokenize` made with this plan, or any table not made by this engine (copied in).
   */
  run(plan: EnginePlan, table: FieldTable, records: readonly number[], callbacks: RowCallbacks, capacity: number): number {
    if (this.plan !== plan) this.configure(plan);
    const inPlace = table === this.tokenized;
    if (!inPlace && this.madeTables.has(table)) throw new Error('RowEngine.run: the table is no longer in the engine (another block was tokenized since)');
    const fields = table.recordFields[table.records]!;
    const decoded = (table.decoded?.size ?? 0) + (table.doubledQuotes?.size ?? 0) > 0;
    const layout = inPlace ? this.tokenizedLayout! : this.blockLayout(table.bytes.length, fields);
    const { blockAt, startsAt, endsAt, recordFieldsAt } = layout;
    const decodedAt = layout.end;
    const recordsAt = align(decodedAt + (decoded ? fields : 0));
    const valueStartsAt = recordsAt + 4 * records.length;
    const valueEndsAt = valueStartsAt + 4 * plan.targets.length;
    const coverageAt = valueEndsAt + 4 * plan.targets.length;
    const rowSpellingsAt = coverageAt + 4 * plan.targets.length;
    const spellingRowsAt = rowSpellingsAt + 4 * plan.spellingTables;
    // Per spelling table: slots for twice as many values as rows, per value its place in the arena, and
    // an arena for the values' JSON text (a quarter of the output: more than a block's values take).
    let slots = 16;
    while (slots < 2 * records.length) slots *= 2;
    const arenaBytes = align(capacity >> 2);
    const stateBytes = align(4 * slots + 8 * records.length + 8) + arenaBytes;
    const stateAt = align(spellingRowsAt + 4 * plan.spellingTables * records.length);
    const timesAt = align(stateAt + plan.spellingTables * stateBytes);
    const keysAt = timesAt + 8 * records.length;
    const outAt = align(keysAt + capacity);
    this.reserve(outAt + capacity);
    const { bytes, ints } = this;
    if (!inPlace) {
      bytes.set(table.bytes, blockAt);
      ints.set(table.starts.subarray(0, fields), startsAt >> 2);
      ints.set(table.ends.subarray(0, fields), endsAt >> 2);
      ints.set(table.recordFields.subarray(0, table.records + 1), recordFieldsAt >> 2);
    } else if (table.starts.buffer !== ints.buffer) {
      // The memory grew: the table's views were of the old buffer; the callbacks read them again.
      Object.assign(table, this.tableViews(layout, fields, table.records));
    }
    if (decoded) {
      bytes.fill(0, decodedAt, decodedAt + fields);
      for (const f of table.decoded?.keys() ?? []) bytes[decodedAt + f] = DECODED;
      for (const f of table.doubledQuotes ?? []) bytes[decodedAt + f] = DOUBLED_QUOTES;
    }
    ints.set(records, recordsAt >> 2);
    this.output = bytes.subarray(outAt, outAt + capacity);
    this.keys = bytes.subarray(keysAt, keysAt + capacity);
    this.rowsRegions = { coverage: coverageAt, spellingRows: spellingRowsAt, keys: keysAt, times: timesAt, records: records.length };
    this.exports.setBlockRegions(coverageAt, rowSpellingsAt, spellingRowsAt, stateAt, slots, stateBytes, arenaBytes, keysAt, capacity, timesAt);
    this.valueStarts = ints.subarray(valueStartsAt >> 2, (valueStartsAt >> 2) + plan.targets.length);
    this.valueEnds = ints.subarray(valueEndsAt >> 2, (valueEndsAt >> 2) + plan.targets.length);
    this.callbacks = callbacks;
    try {
      return this.exports.processRows(blockAt, startsAt, endsAt, recordFieldsAt, decoded ? decodedAt : 0, recordsAt, records.length, outAt, capacity, valueStartsAt, valueEndsAt);
    } finally {
      this.callbacks = null;
    }
  }

  /** What the last run's rows add up to. */
  rows(): RowTotals {
    const plan = this.plan!;
    const e = this.exports;
    const { coverage, spellingRows, keys, times, records } = this.rowsRegions;
    const accepted = e.countAccepted();
    const { buffer } = e.memory;
    return {
      rowsRead: e.countRowsRead(),
      blankRows: e.countBlankRows(),
      rowsRejected: e.countRowsRejected(),
      placeholders: e.countPlaceholders(),
      converted: e.countConverted(),
      notConverted: e.countNotConverted(),
      coverage: new Int32Array(buffer, coverage, plan.coverageTargets),
      spellingRows: Array.from({ length: plan.spellingTables }, (_, s) => new Int32Array(buffer, spellingRows + 4 * s * records, accepted)),
      keys: this.bytes.subarray(keys, keys + e.keysLength()),
      times: new Float64Array(buffer, times, accepted),
    };
  }

  /**
   * One cell through a fast path on its own: its JSON text, or FALLBACK / PLACEHOLDER. What the
   * differential tests hold to the string cleaners. `doubledQuotes`: the cell's bytes are a quoted
   * field's, each quote doubled.
   */
  fastPath(fast: FastCleaning, cell: Buffer, doubledQuotes = false): string | typeof FALLBACK | typeof PLACEHOLDER {
    if (this.plan === null) this.configure(NO_TARGETS);
    // It writes where a tokenized block would be.
    this.tokenized = null;
    // The cell sits between two quotes that are not part of it: a fast path must not read past its ends.
    const cellAt = this.planEnd + 1;
    const outAt = align(cellAt + cell.length + 1);
    this.reserve(outAt + 6 * cell.length + 64);
    this.bytes[cellAt - 1] = 0x22;
    this.bytes.set(cell, cellAt);
    this.bytes[cellAt + cell.length] = 0x22;
    this.callbacks = { isPlaceholder: (start: number, end: number) => (isPlaceholder(this.bytes.toString('latin1', start, end)) ? 1 : 0) } as RowCallbacks;
    try {
      const end = this.exports.fastPath(fast.kind, fast.maxBytes, cellAt, cellAt + cell.length, outAt, doubledQuotes ? 1 : 0);
      return end < 0 ? (end as typeof FALLBACK | typeof PLACEHOLDER) : this.bytes.toString('utf8', outAt, end);
    } finally {
      this.callbacks = null;
    }
  }
}

let engine: RowEngine | null = null;

/** This thread's engine. */
export function rowEngine(): RowEngine {
  return (engine ??= new RowEngine());
}
