/**
 * The fast path of CSV parsing: splits a block of whole records, already decoded, into fields exactly as
 * csv-parse does with the options `parseBlock` gives it (one delimiter, one record delimiter,
 * `relax_quotes`, `relax_column_count`, empty lines kept, `"` as quote and escape). csv-parse stays the
 * reference: a block this function cannot finish (a quote that never closes) returns null and goes to
 * csv-parse, which reports the error with its line. Equal output is checked by a differential fuzz test
 * (tests/import/csv-tokenizer.test.ts).
 *
 * Why it exists: csv-parse copies every field through its own byte buffer and decodes it, which made
 * parsing about half of the import's CPU time. Here the block is read once as Latin-1 (one character per
 * byte, so character positions are byte positions) and an ASCII field is a slice of that string; only a
 * field holding a non-ASCII byte is decoded as UTF-8 on its own. Decoding whole blocks as UTF-8 instead
 * would turn every field of a block with one "é" into a two-byte string, which then costs twice as much
 * to clean and serialise.
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

/** A block's records, and per record the line breaks inside its fields (CRLF counting once). */
export interface TokenizedRecords {
  records: string[][];
  breaks: number[];
}

/** The records of a block of UTF-8 `bytes`, or null when a quoted field never closes. */
export function tokenizeRecords(bytes: Buffer, delimiter: string, recordDelimiter: string): TokenizedRecords | null {
  const text = bytes.toString('latin1');
  // The next non-ASCII byte at or after the last field start looked at (Infinity: none).
  let wide = isAscii(bytes) ? Number.POSITIVE_INFINITY : -1;
  const field = (start: number, end: number): string => {
    if (wide < start) {
      wide = start;
      while (wide < bytes.length && bytes[wide]! < 0x80) wide++;
      if (wide === bytes.length) wide = Number.POSITIVE_INFINITY;
    }
    return wide < end ? bytes.toString('utf8', start, end) : text.slice(start, end);
  };
  const delimiterCode = delimiter.charCodeAt(0);
  const breakCode = recordDelimiter.charCodeAt(0);
  // Second character of a CRLF record delimiter; -1 for LF or CR.
  const breakCode2 = recordDelimiter.length === 2 ? recordDelimiter.charCodeAt(1) : -1;
  const length = text.length;
  const records: string[][] = [];
  const breaks: number[] = [];
  if (length === 0) return { records, breaks };
  let record: string[] = [];
  let recordStart = 0;
  // Line breaks are counted per record span, jumping from one LF or CR to the next: far cheaper than
  // looking for them in every field, and the same count, since delimiters and quotes never sit inside a
  // CRLF. `lf` and `cr` are the next ones at or after the current record's start (`length`: none).
  const nextAt = (char: string, from: number) => {
    const at = text.indexOf(char, from);
    return at < 0 ? length : at;
  };
  let lf = -1;
  let cr = -1;
  const endRecord = (end: number) => {
    let n = 0;
    if (lf < recordStart) lf = nextAt('\n', recordStart);
    for (; lf < end; lf = nextAt('\n', lf + 1)) n++;
    if (cr < recordStart) cr = nextAt('\r', recordStart);
    for (; cr < end; cr = nextAt('\r', cr + 1)) if (cr + 1 >= end || text.charCodeAt(cr + 1) !== 0x0a) n++;
    records.push(record);
    breaks.push(n);
    record = [];
    recordStart = end + recordDelimiter.length;
  };
  let pos = 0;
  for (;;) {
    // `pos` is the start of a field. `prefix` is what a quoted start contributes when the field goes on unquoted.
    let prefix = '';
    if (text.charCodeAt(pos) === QUOTE) {
      let close = pos + 1;
      let escaped = false;
      for (;;) {
        close = text.indexOf('"', close);
        if (close < 0) return null;
        if (text.charCodeAt(close + 1) !== QUOTE) break;
        escaped = true;
        close += 2;
      }
      const inner = field(pos + 1, close);
      const value = escaped ? inner.replaceAll('""', '"') : inner;
      const next = close + 1;
      if (next >= length) {
        record.push(value);
        endRecord(length);
        return { records, breaks };
      }
      const code = text.charCodeAt(next);
      if (code === delimiterCode) {
        record.push(value);
        pos = next + 1;
        continue;
      }
      if (code === breakCode && (breakCode2 < 0 || text.charCodeAt(next + 1) === breakCode2)) {
        record.push(value);
        endRecord(next);
        pos = next + recordDelimiter.length;
        if (pos >= length) return { records, breaks };
        continue;
      }
      prefix = code === 0 ? value : `"${value}"`;
      pos = next;
    }
    let end = pos;
    let code = 0;
    for (; end < length; end++) {
      code = text.charCodeAt(end);
      if (code === delimiterCode || (code === breakCode && (breakCode2 < 0 || text.charCodeAt(end + 1) === breakCode2))) break;
    }
    record.push(prefix === '' ? field(pos, end) : prefix + field(pos, end));
    if (end >= length) {
      endRecord(length);
      return { records, breaks };
    }
    if (code === delimiterCode) {
      pos = end + 1;
      continue;
    }
    endRecord(end);
    pos = end + recordDelimiter.length;
    if (pos >= length) return { records, breaks };
  }
}
