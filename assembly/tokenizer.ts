/**
 * The CSV tokenizer's fast path, compiled into the row engine (exported by assembly/row-engine.ts): splits
 * a block of whole records in the engine's memory into field byte ranges, the same ranges, record ends and
 * line break counts as `tokenizeFields` (lib/import/csv-tokenizer.ts, which stays the definition and
 * handles every block this one leaves). Between quotes, delimiters and line breaks it moves 16 bytes at a
 * time (SIMD): in JavaScript the byte-by-byte scan took about 7 % of the import's CPU time.
 *
 * A block is left to JavaScript (TOKENIZE_FALLBACK) when a quote never closes, or when a closing quote is
 * followed by anything but a delimiter, the record delimiter or the block's end (`"abc"def`: csv-parse
 * keeps both quotes, which needs a decoded string). A differential test holds the two to the same output.
 */

/** The block needs the JavaScript tokenizer. */
const TOKENIZE_FALLBACK: i32 = -1;
/** The block has more fields than the regions have room for: the caller gives more and runs it again. */
const TOKENIZE_FULL: i32 = -2;

const QUOTE: u32 = 0x22;
const LF: u32 = 0x0a;
const CR: u32 = 0x0d;

let fieldsFound: i32 = 0;
let doubledFound: i32 = 0;
/** Fields of the last block tokenized. */
export function tokenizedFields(): i32 { return fieldsFound; }
/** Quoted fields of the last block with `""` escapes (listed in its `doubled` region). */
export function tokenizedDoubled(): i32 { return doubledFound; }

/** The first byte in `[at, end)` equal to one of three (splatted), else `end`. Reads up to 15 bytes past `end`: the caller leaves them readable. */
@inline function findAny(at: i32, end: i32, a: v128, b: v128, c: v128): i32 {
  while (at < end) {
    const chunk = v128.load(<usize>at);
    const mask = i8x16.bitmask(v128.or(v128.or(i8x16.eq(chunk, a), i8x16.eq(chunk, b)), i8x16.eq(chunk, c)));
    if (mask != 0) {
      const found = at + ctz(mask);
      return found < end ? found : end;
    }
    at += 16;
  }
  return end;
}

@inline function byteAt(at: i32): u32 { return <u32>load<u8>(<usize>at); }
@inline function setAt(base: i32, index: i32, value: i32): void { store<i32>(<usize>(base + (index << 2)), value); }

/**
 * Tokenizes the block `[block, block + length)`: per field its start and end (relative to the block; the
 * quotes of a quoted field excluded) in `starts` / `ends`, per record its first field in `recordFields`
 * (one more at the end) and the line breaks inside its fields in `breaks` (CRLF counting once), and the
 * quoted fields with `""` escapes in `doubled`. Each region has room for `capacity` i32s (`recordFields`
 * one more): a record has at least one field, so only fields are counted against it. Returns the number
 * of records, TOKENIZE_FALLBACK or TOKENIZE_FULL. `breakSecond` is the record delimiter's second byte
 * (CRLF), or -1.
 */
export function tokenize(block: i32, length: i32, delimiter: u32, breakFirst: u32, breakSecond: i32, starts: i32, ends: i32, recordFields: i32, breaks: i32, doubled: i32, capacity: i32): i32 {
  const end = block + length;
  const breakLength = breakSecond < 0 ? 1 : 2;
  const delimiters = i8x16.splat(<i8>delimiter);
  const lineFeeds = i8x16.splat(<i8>LF);
  const carriageReturns = i8x16.splat(<i8>CR);
  const quotes = i8x16.splat(<i8>QUOTE);
  let fields = 0;
  let records = 0;
  let doubledFields = 0;
  setAt(recordFields, 0, 0);
  let pos = block;
  // Line breaks inside the current record's fields.
  let inside = 0;
  while (length > 0) {
    // `pos` starts a field (at the block's end: an empty one after a final delimiter); `at` ends up where
    // it stops (its delimiter, record delimiter or the block's end).
    if (fields == capacity) return TOKENIZE_FULL;
    let at: i32;
    if (pos < end && byteAt(pos) == QUOTE) {
      let close = pos + 1;
      let escaped = false;
      for (;;) {
        close = findAny(close, end, quotes, lineFeeds, carriageReturns);
        if (close >= end) return TOKENIZE_FALLBACK;
        const b = byteAt(close);
        if (b == QUOTE) {
          if (close + 1 >= end || byteAt(close + 1) != QUOTE) break;
          escaped = true;
          close += 2;
          continue;
        }
        // Inside quotes a CR followed by LF is half of one line break.
        if (b == LF || close + 1 >= end || byteAt(close + 1) != LF) inside++;
        close++;
      }
      setAt(starts, fields, pos + 1 - block);
      setAt(ends, fields, close - block);
      if (escaped) setAt(doubled, doubledFields++, fields);
      fields++;
      at = close + 1;
      if (at < end && byteAt(at) != delimiter && !(byteAt(at) == breakFirst && (breakSecond < 0 || (at + 1 < end && <i32>byteAt(at + 1) == breakSecond)))) return TOKENIZE_FALLBACK;
    } else {
      at = pos;
      for (;;) {
        at = findAny(at, end, delimiters, lineFeeds, carriageReturns);
        if (at >= end) break;
        const b = byteAt(at);
        if (b == delimiter || (b == breakFirst && (breakSecond < 0 || (at + 1 < end && <i32>byteAt(at + 1) == breakSecond)))) break;
        // A line break that is not the record delimiter is text. Unquoted, a CR before an LF only comes
        // before the LF that ends the record, so it counts on its own (as in tokenizeFields' span count).
        inside++;
        at++;
      }
      setAt(starts, fields, pos - block);
      setAt(ends, fields, at - block);
      fields++;
    }
    if (at < end && byteAt(at) == delimiter) {
      pos = at + 1;
      continue;
    }
    setAt(breaks, records++, inside);
    setAt(recordFields, records, fields);
    inside = 0;
    pos = at + breakLength;
    if (pos >= end) break;
  }
  fieldsFound = fields;
  doubledFound = doubledFields;
  return records;
}
