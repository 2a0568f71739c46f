/**
 * The fast path of CSV parsing: splits a block of whole records (UTF-8 bytes) into fields exactly as
 * csv-parse does with the options `parseBlock` gives it (one delimiter, one record delimiter,
 * `relax_quotes`, `relax_column_count`, empty lines kept, `"` as quote and escape). csv-parse stays the
 * reference: a block this function cannot finish (a quote that never closes) returns null and goes to
 * csv-parse, which reports the error with its line. Equal output is checked by a differential fuzz test
 * (tests/import/csv-tokenizer.test.ts).
 *
 * Why it exists: csv-parse copies every field through its own byte buffer and decodes it into a string,
 * which made parsing about half of the import's CPU time. Here a block's fields are byte ranges of the
 * block (`FieldTable`); the row engine cleans most values straight from those bytes (`row-engine.ts`)
 * and makes a string only for the rest.
 *
 * csv-parse's rules, as implemented:
 * - a quote opens a quoted field only as the field's first character; anywhere else it is text;
 * - inside quotes, `""` is one literal quote, and delimiters and line breaks are text;
 * - a quote followed by the delimiter, the record delimiter, the end of the block or a NUL closes the
 *   field (the NUL then starts the field's unquoted remainder);
 * - a quote followed by anything else closes it too, but both quotes are kept and the rest of the field
 *   is read unquoted: `"abc"def` reads as `"abc"def`;
 * - only the exact record delimiter ends a record (with CRLF, a lone CR or LF is text);
 * - an empty line is a record of one empty field; the block's end closes its last record, unless
 *   nothing follows the last record delimiter.
 */

import { isAscii } from 'node:buffer';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * A block's records as byte ranges: no string is made for a field until something asks for its text.
 * Record r's fields are numbered `recordFields[r]` up to (not including) `recordFields[r + 1]`.
 */
export interface FieldTable {
  /** The block, UTF-8. */
  bytes: Buffer;
  /** Number of records. */
  records: number;
  recordFields: Int32Array;
  /** Per field, its content's byte range (the quotes of a quoted field excluded). */
  starts: Int32Array;
  ends: Int32Array;
  /**
   * The text of each field whose value is not its byte range as it stands, by field number: a `""`
   * escape, text after a closing quote (null: none). Every field, when csv-parse read the block (`tableOf`).
   */
  decoded: Map<number, string> | null;
  /**
   * Quoted fields with `""` escapes and nothing else to decode (null: none): their text is their byte
   * range with each `""` read as one quote (`fieldText` does; the row engine reads the bytes so).
   */
  doubledQuotes: Set<number> | null;
  /** Per record, the line breaks inside its fields (CRLF counting once). */
  breaks: Int32Array;
}

/** The text of field `f`. */
export function fieldText(table: FieldTable, f: number): string {
  const decoded = table.decoded?.get(f);
  if (decoded !== undefined) return decoded;
  const { bytes } = table;
  const start = table.starts[f]!;
  const end = table.ends[f]!;
  // Latin-1 is the cheap reading of ASCII; only a field holding a non-ASCII byte needs UTF-8 decoding.
  let text: string | null = null;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      text = bytes.toString('utf8', start, end);
      break;
    }
  }
  text ??= bytes.toString('latin1', start, end);
  return table.doubledQuotes?.has(f) ? text.replaceAll('""', '"') : text;
}

/** The field texts of record `r`. */
export function recordText(table: FieldTable, r: number): string[] {
  const fields: string[] = [];
  for (let f = table.recordFields[r]!; f < table.recordFields[r + 1]!; f++) fields.push(fieldText(table, f));
  return fields;
}

/** A table over records already read as strings (csv-parse's): every field is a decoded one. */
export function tableOf(records: readonly (readonly string[])[], breaks: readonly number[]): FieldTable {
  const count = records.reduce((n, fields) => n + fields.length, 0);
  const table: FieldTable = {
    bytes: Buffer.alloc(0),
    records: records.length,
    recordFields: new Int32Array(records.length + 1),
    starts: new Int32Array(count),
    ends: new Int32Array(count),
    decoded: null,
    doubledQuotes: null,
    breaks: Int32Array.from(breaks),
  };
  let f = 0;
  const decoded = new Map<number, string>();
  records.forEach((fields, r) => {
    table.recordFields[r] = f;
    for (const text of fields) decoded.set(f++, text);
  });
  table.decoded = decoded;
  table.recordFields[records.length] = f;
  return table;
}

/** The records of a block of UTF-8 `bytes` as a field table, or null when a quoted field never closes. */
export function tokenizeFields(bytes: Buffer, delimiter: string, recordDelimiter: string): FieldTable | null {
  const length = bytes.length;
  const delimiterCode = delimiter.charCodeAt(0);
  const breakCode = recordDelimiter.charCodeAt(0);
  // Second byte of a CRLF record delimiter; -1 for LF or CR.
  const breakCode2 = recordDelimiter.length === 2 ? recordDelimiter.charCodeAt(1) : -1;
  const ascii = isAscii(bytes);
  let decoded: Map<number, string> | null = null;
  let doubledQuotes: Set<number> | null = null;
  const text = (start: number, end: number) => bytes.toString(ascii ? 'latin1' : 'utf8', start, end);

  let capacity = Math.max(64, length >> 3);
  let starts = new Int32Array(capacity);
  let ends = new Int32Array(capacity);
  let fields = 0;
  let recordCapacity = Math.max(16, length >> 7);
  let recordFields = new Int32Array(recordCapacity + 1);
  let breaks = new Int32Array(recordCapacity);
  let records = 0;
  const table = (): FieldTable => {
    recordFields[records] = fields;
    return { bytes, records, recordFields, starts, ends, decoded, doubledQuotes, breaks };
  };
  const addField = (start: number, end: number): number => {
    if (fields === capacity) {
      capacity *= 2;
      const grownStarts = new Int32Array(capacity);
      grownStarts.set(starts);
      starts = grownStarts;
      const grownEnds = new Int32Array(capacity);
      grownEnds.set(ends);
      ends = grownEnds;
    }
    starts[fields] = start;
    ends[fields] = end;
    return fields++;
  };
  if (length === 0) return table();

  let recordStart = 0;
  // Line breaks are counted per record span, jumping from one LF or CR to the next: far cheaper than
  // looking for them in every field, and the same count, since delimiters and quotes never sit inside a
  // CRLF. `lf` and `cr` are the next ones at or after the current record's start (`length`: none).
  const nextAt = (byte: number, from: number) => {
    const at = bytes.indexOf(byte, from);
    return at < 0 ? length : at;
  };
  let lf = -1;
  let cr = -1;
  const endRecord = (end: number) => {
    let n = 0;
    if (lf < recordStart) lf = nextAt(LF, recordStart);
    for (; lf < end; lf = nextAt(LF, lf + 1)) n++;
    if (cr < recordStart) cr = nextAt(CR, recordStart);
    for (; cr < end; cr = nextAt(CR, cr + 1)) if (cr + 1 >= end || bytes[cr + 1] !== LF) n++;
    if (records === recordCapacity) {
      recordCapacity *= 2;
      const grownFields = new Int32Array(recordCapacity + 1);
      grownFields.set(recordFields);
      recordFields = grownFields;
      const grownBreaks = new Int32Array(recordCapacity);
      grownBreaks.set(breaks);
      breaks = grownBreaks;
    }
    breaks[records++] = n;
    recordFields[records] = fields;
    recordStart = end + recordDelimiter.length;
  };
  /**
   * Closes the record whose last field ends at `at` (the record delimiter or the block's end); returns
   * where the next record starts, or -1 when the block is done.
   */
  const closeRecord = (at: number): number => {
    endRecord(Math.min(at, length));
    const next = at + recordDelimiter.length;
    return next >= length ? -1 : next;
  };
  let pos = 0;
  for (;;) {
    // `pos` is the start of a field. `prefix` is what a quoted start contributes when the field goes on unquoted.
    let prefix: string | null = null;
    if (bytes[pos] === QUOTE) {
      let close = pos + 1;
      let escaped = false;
      for (;;) {
        close = bytes.indexOf(QUOTE, close);
        if (close < 0) return null;
        if (bytes[close + 1] !== QUOTE) break;
        escaped = true;
        close += 2;
      }
      const next = close + 1;
      const code = next < length ? bytes[next]! : -1;
      const closes = code < 0 || code === delimiterCode || (code === breakCode && (breakCode2 < 0 || bytes[next + 1] === breakCode2));
      if (closes) {
        const f = addField(pos + 1, close);
        if (escaped) (doubledQuotes ??= new Set()).add(f);
        // A delimiter, the common case, is handled in line: the record goes on.
        if (code === delimiterCode) pos = next + 1;
        else if ((pos = closeRecord(next)) < 0) return table();
        continue;
      }
      const inner = escaped ? text(pos + 1, close).replaceAll('""', '"') : text(pos + 1, close);
      prefix = code === 0 ? inner : `"${inner}"`;
      pos = next;
    }
    let end = pos;
    for (; end < length; end++) {
      const code = bytes[end]!;
      if (code === delimiterCode || (code === breakCode && (breakCode2 < 0 || bytes[end + 1] === breakCode2))) break;
    }
    const f = addField(pos, end);
    if (prefix !== null) (decoded ??= new Map()).set(f, prefix + text(pos, end));
    if (end < length && bytes[end] === delimiterCode) pos = end + 1;
    else if ((pos = closeRecord(end)) < 0) return table();
  }
}

/** A block's records as strings, and per record the line breaks inside its fields. */
export interface TokenizedRecords {
  records: string[][];
  breaks: number[];
}

/** `tokenizeFields` with every field read as text: what the differential test compares with csv-parse. */
export function tokenizeRecords(bytes: Buffer, delimiter: string, recordDelimiter: string): TokenizedRecords | null {
  const table = tokenizeFields(bytes, delimiter, recordDelimiter);
  if (!table) return null;
  return { records: Array.from({ length: table.records }, (_, r) => recordText(table, r)), breaks: Array.from(table.breaks.subarray(0, table.records)) };
}
