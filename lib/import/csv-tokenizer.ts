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

/** The records of a block of UTF-8 `bytes`, or null when a quoted field never closes. */
export function tokenizeRecords(bytes: Buffer, delimiter: string, recordDelimiter: string): string[][] | null {
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
  if (length === 0) return records;
  let record: string[] = [];
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
        records.push(record);
        return records;
      }
      const code = text.charCodeAt(next);
      if (code === delimiterCode) {
        record.push(value);
        pos = next + 1;
        continue;
      }
      if (code === breakCode && (breakCode2 < 0 || text.charCodeAt(next + 1) === breakCode2)) {
        record.push(value);
        records.push(record);
        record = [];
        pos = next + recordDelimiter.length;
        if (pos >= length) return records;
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
      records.push(record);
      return records;
    }
    if (code === delimiterCode) {
      pos = end + 1;
      continue;
    }
    records.push(record);
    record = [];
    pos = end + recordDelimiter.length;
    if (pos >= length) return records;
  }
}
