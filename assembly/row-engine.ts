/**
 * The row stage's byte work, compiled to WebAssembly (AssemblyScript; built by `npm run engine:build`
 * into lib/import/row-engine.wasm). For each record of a tokenized block it reads every mapped target's
 * cell, cleans it when a fast path or the memo settles it, writes the row's JSON line, and for an
 * accepted row counts coverage and outcomes, numbers category spellings and writes its dedupe keys and
 * date. The rest calls back into JavaScript (lib/import/row-engine.ts, rows.ts): cells for the string
 * cleaners of clean.ts, which stay the definition of every rule, new spellings, rejects, and keys or
 * dates that need decoding. The fast paths are documented in lib/import/row-engine.ts; differential
 * tests hold them, the memo and the row bookkeeping to the JavaScript rules.
 *
 * Memory is laid out by the JavaScript side: `configure` and `configureRows` read the plan,
 * `tokenize` (assembly/tokenizer.ts), `setBlockRegions` and `processRows` a block.
 */

export { tokenize, tokenizedFields, tokenizedDoubled } from './tokenizer';

/** A cell a fast path hands over to the string cleaner. */
const FALLBACK: i32 = -1;
/** A placeholder ("N/A", "Select"…): unknown, and counted. */
const PLACEHOLDER: i32 = -2;
/** What readCell/readTarget give besides a new output position (≥ 0: a value was written). */
const UNKNOWN: i32 = -3;
const REJECTED: i32 = -4;
/** The output region is too small for the block: the caller grows it and runs the block again. */
const OUTPUT_FULL: i32 = -5;

// Fast path kinds (lib/import/row-engine.ts `FastPath`).
const TEXT: i32 = 1;
const EMAIL: i32 = 2;
const DOMAIN: i32 = 3;
const DIGITS: i32 = 4;
const ISO_DATE: i32 = 5;
const BOOLEAN: i32 = 6;
const LINES: i32 = 7;

const SPACE: u32 = 0x20;
const QUOTE: u32 = 0x22;
const BACKSLASH: u32 = 0x5c;
const DOT: u32 = 0x2e;
const DASH: u32 = 0x2d;
const COMMA: u32 = 0x2c;
const AT: u32 = 0x40;
const APOSTROPHE: u32 = 0x27;
const ZERO: u32 = 0x30;

/** The string cleaner's result for target `t`'s cell, field `f` of record `k`, its value written at `out` (relative to the output): the new output end, or UNKNOWN / PLACEHOLDER / REJECTED / OUTPUT_FULL. */
@external("env", "slowCell") declare function slowCell(t: i32, f: i32, k: i32, out: i32): i32;
/** Whether the short ASCII cell `[start, end)` of the block is a placeholder (`isPlaceholder`). */
@external("env", "isPlaceholder") declare function isPlaceholderAt(start: i32, end: i32): i32;
/** Whether field `f`, which is not plainly empty or printable at its start, is blank once trimmed. */
@external("env", "fieldIsBlank") declare function fieldIsBlank(f: i32): i32;
/** Spelling table `s` has a new value in this block, `[start, end)` of the output (JSON text); it gets the next number. */
@external("env", "newSpelling") declare function newSpelling(s: i32, start: i32, end: i32): void;
@external("env", "wrongFieldCount") declare function wrongFieldCount(k: i32, fields: i32): void;
@external("env", "rowRejected") declare function rowRejected(k: i32): void;
/** Record `k`'s keys need JavaScript (escapes, or a non-ASCII name): written at `out` of the keys region, returning its new end or OUTPUT_FULL. */
@external("env", "rowKeys") declare function rowKeys(k: i32, out: i32): i32;
/** Epoch ms of a date value's JSON text `[start, end)` of the output that is not in the cleaners' own form. */
@external("env", "parseTime") declare function parseTime(start: i32, end: i32): f64;
/** Accepted row `row`'s id, `[start, end)` of the output, looks generated ("lead_…"). */
@external("env", "leadLikeId") declare function leadLikeId(row: i32, start: i32, end: i32): void;

// The plan (`configure`): per target 64 bytes (TARGET_SHIFT), i32s at these byte offsets (the same
// order as `TargetField` in lib/import/row-engine.ts, which writes them).
const TARGET_SHIFT: i32 = 6;
const KIND: i32 = 0; // fast path kind
const MAX_BYTES: i32 = 4; // the fast path's byte limit
const SPELLING: i32 = 8; // spelling table, -1: none
const COLUMNS: i32 = 12; // how many columns feed the target
const COLUMN_INDEXES: i32 = 16; // address of their indexes
const KEY: i32 = 20; // address of the key's JSON text ("email":)
const KEY_LENGTH: i32 = 24;
const MARKER: i32 = 28; // address of the spelling marker
const MARKER_LENGTH: i32 = 32;
const MEMO_SLOTS_AT: i32 = 36; // the memo (below): its slots, arena, arena size, entries, arena bytes used
const MEMO_ARENA: i32 = 40;
const MEMO_ARENA_SIZE: i32 = 44;
const MEMO_USED_ENTRIES: i32 = 48;
const MEMO_USED_BYTES: i32 = 52;
let targets: i32 = 0;
let fieldOrder: i32 = 0;
let fieldOrderCount: i32 = 0;
let attributeOrder: i32 = 0;
let attributeCount: i32 = 0;
let attributesJson: i32 = 0;
let attributesJsonLength: i32 = 0;
/** 256 bytes: 1 where a byte may start a placeholder (`mayStartPlaceholder`). */
let placeholderStarts: i32 = 0;
/** 256 bytes: 1 for UTF-8 lead bytes of non-ASCII whitespace and dashes (`SPACE_OR_DASH_LEAD`). */
let spaceOrDashLead: i32 = 0;
let headerLength: i32 = 0;

// What each accepted row adds up to (`configureRows`): targets counted for coverage (all but the outcome),
// and where the values deduplication and the counts read are (-1: not mapped).
let coverageTargets: i32 = 0;
let spellingTables: i32 = 0;
let convertedSlot: i32 = -1;
let idSlot: i32 = -1;
let emailSlot: i32 = -1;
let firstSlot: i32 = -1;
let lastSlot: i32 = -1;
let domainSlot: i32 = -1;
let createdSlot: i32 = -1;
let activitySlot: i32 = -1;

export function configureRows(coverage: i32, spellings: i32, converted: i32, id: i32, email: i32, firstName: i32, lastName: i32, domain: i32, created: i32, activity: i32): void {
  coverageTargets = coverage;
  spellingTables = spellings;
  convertedSlot = converted;
  idSlot = id;
  emailSlot = email;
  firstSlot = firstName;
  lastSlot = lastName;
  domainSlot = domain;
  createdSlot = created;
  activitySlot = activity;
}

export function configure(plan: i32, order: i32, orderCount: i32, attributes: i32, attributesCount: i32, json: i32, jsonLength: i32, starts: i32, leads: i32, header: i32): void {
  targets = plan;
  fieldOrder = order;
  fieldOrderCount = orderCount;
  attributeOrder = attributes;
  attributeCount = attributesCount;
  attributesJson = json;
  attributesJsonLength = jsonLength;
  placeholderStarts = starts;
  spaceOrDashLead = leads;
  headerLength = header;
}

// The block being processed (`processRows`).
let block: i32 = 0;
let starts: i32 = 0;
let ends: i32 = 0;
/**
 * Per field, how its text differs from its byte range (0 when the block has no such field): PLAIN not at
 * all, DECODED in ways only JavaScript reads (FieldTable.decoded), DOUBLED_QUOTES by `""` escapes only.
 */
let decoded: i32 = 0;
const PLAIN: u32 = 0;
const DECODED: u32 = 1;
const DOUBLED_QUOTES: u32 = 2;
let outStart: i32 = 0;
let outEnd: i32 = 0;
let valueStarts: i32 = 0;
let valueEnds: i32 = 0;
let record: i32 = 0;
/** Records in the block: the most accepted rows it can have. */
let maxRows: i32 = 0;
let rowHasReject: bool = false;

// Counts for the block, read back by the caller.
let rowsRead: i32 = 0;
let blankRows: i32 = 0;
let rowsRejected: i32 = 0;
let placeholders: i32 = 0;
export function countRowsRead(): i32 { return rowsRead; }
export function countBlankRows(): i32 { return blankRows; }
export function countRowsRejected(): i32 { return rowsRejected; }
export function countPlaceholders(): i32 { return placeholders; }

@inline function byte(at: i32): u32 { return <u32>load<u8>(<usize>at); }
@inline function put(at: i32, value: u32): void { store<u8>(<usize>at, <u8>value); }
@inline function i32At(base: i32, index: i32): i32 { return load<i32>(<usize>(base + (index << 2))); }
@inline function setI32(base: i32, index: i32, value: i32): void { store<i32>(<usize>(base + (index << 2)), value); }
@inline function copy(to: i32, from: i32, length: i32): i32 { memory.copy(<usize>to, <usize>from, <usize>length); return to + length; }

@inline function isDigit(b: u32): bool { return b - ZERO <= 9; }
@inline function isLower(b: u32): bool { return b - 0x61 <= 25; }
@inline function isUpper(b: u32): bool { return b - 0x41 <= 25; }
@inline function isAlnum(b: u32): bool { return isLower(b) || isDigit(b); }
@inline function lowerAscii(b: u32): u32 { return isUpper(b) ? b + 0x20 : b; }
@inline function isLocalChar(b: u32): bool { return isAlnum(b) || b == 0x5f || b == APOSTROPHE || b == 0x2b || b == DASH; }

/** Writes a text value's byte `b` at `at` as JSON does (a quote or backslash escaped); returns the new end. */
@inline function putText(at: i32, b: u32): i32 {
  if (b == QUOTE || b == BACKSLASH) put(at++, BACKSLASH);
  put(at, b);
  return at + 1;
}

/** Whether the short ASCII text `[start, end)` is a placeholder (`isPlaceholder`, asked only when its first byte can start one). */
@inline function isShortPlaceholder(start: i32, end: i32, ascii: bool): bool {
  return ascii && end - start <= 20 && load<u8>(<usize>(placeholderStarts + byte(start))) != 0 && isPlaceholderAt(start - block, end - block) != 0;
}

/**
 * Whether the 16 bytes at `at` are written as they are by `plainText`: printable ASCII without a quote or
 * backslash, spaces single and not last (so no run of spaces and no trailing space is cut through).
 */
@inline function plainChunk(at: i32): bool {
  const chunk = v128.load(<usize>at);
  // Signed, bytes from 0x80 up are below 0x20 too.
  const special = v128.or(i8x16.lt_s(chunk, i8x16.splat(0x20)), v128.or(i8x16.eq(chunk, i8x16.splat(<i8>QUOTE)), i8x16.eq(chunk, i8x16.splat(<i8>BACKSLASH))));
  if (v128.any_true(special)) return false;
  const spaces = i8x16.bitmask(i8x16.eq(chunk, i8x16.splat(<i8>SPACE)));
  return (spaces & (spaces >> 1)) == 0 && (spaces & 0x8000) == 0;
}

/**
 * Text whose only whitespace is the ASCII space, trimmed and runs of spaces made one (`cleanText`,
 * `cleanCategory`, `cleanId`). With `lines` (`cleanLongText`), line breaks (LF, CRLF or CR) are kept,
 * written as "\n", at most two in a row (one blank line), and each line is trimmed too; without, a line
 * break hands the cell over. `doubled`: the bytes are a quoted field's, each quote doubled (`""` is one
 * quote); such a cell that is short goes to the string cleaner, as its bytes are not its text for the
 * placeholder check.
 */
function plainText(start: i32, end: i32, maxBytes: i32, out: i32, lines: bool, doubled: bool): i32 {
  if (end - start > maxBytes || (doubled && end - start <= 20)) return FALLBACK;
  let at = out;
  put(at++, QUOTE);
  let ascii = true;
  let broken = false;
  // Line breaks and whether a space came since the last visible character, and the first and last visible ones.
  let breaks = 0;
  let space = false;
  let first = -1;
  let last = -1;
  for (let i = start; i < end; i++) {
    // Inside a line, after a visible character: 16 plain bytes at once when nothing in them needs a look.
    if (first >= 0 && breaks == 0 && !space && i + 16 <= end && plainChunk(i)) {
      v128.store(<usize>at, v128.load(<usize>i));
      at += 16;
      i += 15;
      last = i;
      continue;
    }
    const b = byte(i);
    if (b == 0x0a || b == 0x0d) {
      if (!lines) return FALLBACK;
      if (b == 0x0d && i + 1 < end && byte(i + 1) == 0x0a) i++;
      breaks++;
      broken = true;
      space = false;
      continue;
    }
    if (b == SPACE) {
      space = true;
      continue;
    }
    if (b < SPACE) return FALLBACK;
    if (b >= 0x80) {
      if (load<u8>(<usize>(spaceOrDashLead + b))) return FALLBACK;
      ascii = false;
    }
    if (first < 0) first = i;
    else if (breaks > 0) {
      put(at++, BACKSLASH);
      put(at++, 0x6e);
      if (breaks > 1) {
        put(at++, BACKSLASH);
        put(at++, 0x6e);
      }
    } else if (space) put(at++, SPACE);
    breaks = 0;
    space = false;
    if (b == QUOTE && doubled) i++;
    last = i;
    at = putText(at, b);
  }
  if (first < 0) return FALLBACK;
  // A short cell with a line break might be a placeholder spelled over lines: the string cleaner decides.
  if (broken ? last - first < 20 : isShortPlaceholder(first, last + 1, ascii)) return broken ? FALLBACK : PLACEHOLDER;
  put(at++, QUOTE);
  return at;
}

function writeQuotedLower(start: i32, end: i32, out: i32): i32 {
  let at = out;
  put(at++, QUOTE);
  for (let i = start; i < end; i++) put(at++, lowerAscii(byte(i)));
  put(at++, QUOTE);
  return at;
}

/** An email in the lead contract's shape, trimmed, ASCII capitals lowercased (`cleanEmail`). */
function plainEmail(start: i32, end: i32, out: i32): i32 {
  while (start < end && byte(start) == SPACE) start++;
  while (end > start && byte(end - 1) == SPACE) end--;
  let i = start;
  let label = 0;
  for (; i < end; i++) {
    const b = byte(i);
    if (b == AT) break;
    if (b == DOT) {
      if (label == 0) return FALLBACK;
      label = 0;
    } else if (isLocalChar(b) || isUpper(b)) label++;
    else return FALLBACK;
  }
  if (i == end || label == 0 || byte(i - 1) == APOSTROPHE) return FALLBACK;
  let dots = 0;
  let letters = true;
  label = 0;
  for (i++; i < end; i++) {
    const b = byte(i);
    if (b == DOT) {
      if (label == 0) return FALLBACK;
      dots++;
      label = 0;
      letters = true;
    } else if (isAlnum(b) || isUpper(b) || (b == DASH && label > 0)) {
      letters = letters && !isDigit(b) && b != DASH;
      label++;
    } else return FALLBACK;
  }
  if (dots == 0 || label < 2 || !letters) return FALLBACK;
  return writeQuotedLower(start, end, out);
}

/** Whether `[at, end)` starts with the lowercase ASCII `prefix` (given as bytes in a u64, first byte lowest), in any case. */
function startsWithLower(at: i32, end: i32, prefix: u64, length: i32): bool {
  if (end - at < length) return false;
  for (let k = 0; k < length; k++) if (lowerAscii(byte(at + k)) != <u32>((prefix >> (<u64>k << 3)) & 0xff)) return false;
  return true;
}
const HTTP: u64 = 0x2f2f3a70747468; // "http://"
const HTTPS: u64 = 0x2f2f3a7370747468; // "https://"
const WWW: u64 = 0x777777; // "www"

/** A domain or plain website address, case folded, scheme, "www." and path dropped (`cleanDomain`). */
function plainDomain(start: i32, end: i32, maxBytes: i32, out: i32): i32 {
  while (start < end && byte(start) == SPACE) start++;
  while (end > start && byte(end - 1) == SPACE) end--;
  if (end - start > maxBytes) return FALLBACK;
  let host = start;
  if (startsWithLower(host, end, HTTP, 7)) host += 7;
  else if (startsWithLower(host, end, HTTPS, 8)) host += 8;
  if (startsWithLower(host, end, WWW, 3)) {
    if (host + 3 >= end || byte(host + 3) != DOT) return FALLBACK;
    host += 4;
  }
  let dots = 0;
  let label = 0;
  let i = host;
  for (; i < end; i++) {
    const b = byte(i);
    if (b == DOT) {
      if (label == 0 || byte(i - 1) == DASH) return FALLBACK;
      dots++;
      label = 0;
    } else if (isAlnum(b) || isUpper(b) || (b == DASH && label > 0)) label++;
    else if (b == 0x2f || b == 0x3f || b == 0x23) break;
    else return FALLBACK;
  }
  if (dots == 0 || label == 0 || byte(i - 1) == DASH) return FALLBACK;
  for (let k = i; k < end; k++) if (byte(k) < SPACE || load<u8>(<usize>(spaceOrDashLead + byte(k)))) return FALLBACK;
  return writeQuotedLower(host, i, out);
}

/** A whole number of 1 to 15 digits without a leading zero, plain or with US thousands commas (`parseNumber`…). */
function plainDigits(start: i32, end: i32, out: i32): i32 {
  const length = end - start;
  if (length > 20 || (length > 1 && byte(start) == ZERO)) return FALLBACK;
  let i = start;
  while (i < end && isDigit(byte(i))) i++;
  if (i == end) {
    if (length > 15) return FALLBACK;
    return copy(out, start, length);
  }
  if (i == start || i - start > 3) return FALLBACK;
  let digits = i - start;
  for (; i < end; i += 4) {
    if (byte(i) != COMMA || end - i < 4 || !isDigit(byte(i + 1)) || !isDigit(byte(i + 2)) || !isDigit(byte(i + 3))) return FALLBACK;
    digits += 3;
  }
  if (digits > 15) return FALLBACK;
  let at = out;
  for (let k = start; k < end; k++) if (byte(k) != COMMA) put(at++, byte(k));
  return at;
}

/** One-character booleans: 1, x, y, t → true; 0, n, f → false, in either case (`parseBoolean`). */
function plainBoolean(start: i32, end: i32, out: i32): i32 {
  const b = byte(start);
  if (end - start != 1 || b < ZERO) return FALLBACK;
  const lower = b | 0x20;
  if (lower == 0x31 || lower == 0x78 || lower == 0x79 || lower == 0x74) {
    store<u32>(<usize>out, 0x65757274); // "true"
    return out + 4;
  }
  if (lower == 0x30 || lower == 0x6e || lower == 0x66) {
    store<u32>(<usize>out, 0x736c6166); // "fals"
    put(out + 4, 0x65);
    return out + 5;
  }
  return FALLBACK;
}

/** The number written by the digits `[from, to)`, or -1 if one is not a digit. */
function digitsValue(from: i32, to: i32): i32 {
  let n = 0;
  for (let i = from; i < to; i++) {
    const b = byte(i);
    if (!isDigit(b)) return -1;
    n = n * 10 + <i32>(b - ZERO);
  }
  return n;
}

function daysInMonth(year: i32, month: i32): i32 {
  if (month == 2) return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/** "2024-03-05", "2024-03-05 14:22", "…T14:22:07", "…T14:22:07.123", optionally with "Z" (`parseDate`), written as "2024-03-05T14:22:07.123Z". */
function plainIsoDate(start: i32, end: i32, out: i32): i32 {
  const length = (byte(end - 1) == 0x5a ? end - 1 : end) - start;
  if (length != 10 && length != 16 && length != 19 && length != 23) return FALLBACK;
  const year = digitsValue(start, start + 4);
  const month = digitsValue(start + 5, start + 7);
  const day = digitsValue(start + 8, start + 10);
  if (byte(start + 4) != DASH || byte(start + 7) != DASH || year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return FALLBACK;
  if (length > 10) {
    const separator = byte(start + 10);
    if ((separator != SPACE && separator != 0x54) || byte(start + 13) != 0x3a) return FALLBACK;
    const hours = digitsValue(start + 11, start + 13);
    const minutes = digitsValue(start + 14, start + 16);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return FALLBACK;
    if (length > 16) {
      const seconds = digitsValue(start + 17, start + 19);
      if (byte(start + 16) != 0x3a || seconds < 0 || seconds > 59) return FALLBACK;
      if (length > 19 && (byte(start + 19) != DOT || digitsValue(start + 20, start + 23) < 0)) return FALLBACK;
    }
  }
  let at = out;
  put(at++, QUOTE);
  at = copy(at, start, 10);
  put(at++, 0x54);
  // "00:00:00.000" for the parts the cell leaves out.
  for (let i = 11; i < 23; i++) put(at++, i < length ? byte(start + i) : (i == 13 || i == 16 ? 0x3a : i == 19 ? DOT : ZERO));
  put(at++, 0x5a);
  put(at++, QUOTE);
  return at;
}

/** Fast path `kind` over `[start, end)`, written at `out`; `doubled` as for `plainText` (only the text paths read such cells). */
function clean(kind: i32, maxBytes: i32, start: i32, end: i32, out: i32, doubled: bool): i32 {
  switch (kind) {
    case TEXT: return plainText(start, end, maxBytes, out, false, doubled);
    case EMAIL: return plainEmail(start, end, out);
    case DOMAIN: return plainDomain(start, end, maxBytes, out);
    case DIGITS: return plainDigits(start, end, out);
    case ISO_DATE: return plainIsoDate(start, end, out);
    case BOOLEAN: return plainBoolean(start, end, out);
    case LINES: return plainText(start, end, maxBytes, out, true, doubled);
    default: return FALLBACK;
  }
}

/**
 * Fast path `kind` on its own, over `[start, end)`, writing at `out`: the new output end, FALLBACK or
 * PLACEHOLDER (placeholder checks get absolute addresses). What the differential tests call.
 */
export function fastPath(kind: i32, maxBytes: i32, start: i32, end: i32, out: i32, doubled: bool): i32 {
  block = 0;
  return clean(kind, maxBytes, start, end, out, doubled);
}

/**
 * The string cleaner's results for a target's short cells, by the cell's bytes. Exports repeat the same
 * few spellings of yes/no, lifecycle stages, size bands, placeholders and dates thousands of times: a hit
 * copies the value's JSON instead of calling JavaScript. Cleaners are pure functions of the cell's text,
 * so a hit gives exactly what cleaning would. Rejected cells are not kept (JavaScript lists each one).
 * Bounded: past MEMO_ENTRIES distinct cells, or once its arena is full, new cells are not added.
 * Slots (MEMO_SLOTS of 16 bytes): hash, arena offset of the cell's bytes + 1 (0: empty), cell length |
 * value length << 16, result (a value, UNKNOWN or PLACEHOLDER); the value's JSON follows the cell's bytes.
 */
const MEMO_CELL_BYTES: i32 = 64;
const MEMO_ENTRIES: i32 = 1024;
const MEMO_SLOTS: i32 = 2048;
const VALUE: i32 = 0;

@inline function hashOf(start: i32, end: i32): u32 {
  let hash: u32 = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = (hash ^ byte(i)) * 0x01000193;
  return hash;
}

/** The memo slot of the cell `[start, end)` for the target at `plan`: its entry, or the empty slot where it would go. */
function memoSlot(plan: i32, hash: u32, start: i32, length: i32): i32 {
  const slots = load<i32>(<usize>plan, MEMO_SLOTS_AT);
  const arena = load<i32>(<usize>plan, MEMO_ARENA);
  let slot = <i32>(hash & <u32>(MEMO_SLOTS - 1));
  while (true) {
    const at = slots + (slot << 4);
    const offset = load<i32>(<usize>at, 4);
    if (offset == 0) return at;
    if (load<u32>(<usize>at) == hash && (load<i32>(<usize>at, 8) & 0xffff) == length && memory.compare(<usize>(arena + offset - 1), <usize>start, <usize>length) == 0) return at;
    slot = (slot + 1) & (MEMO_SLOTS - 1);
  }
}

/** Keeps the result of cleaning `[start, end)` (`value`: the JSON at `[out, valueEnd)`, else a code) in the empty slot `at`, if there is room. */
function memoAdd(plan: i32, at: i32, hash: u32, start: i32, length: i32, result: i32, out: i32, valueEnd: i32): void {
  const entries = load<i32>(<usize>plan, MEMO_USED_ENTRIES);
  const used = load<i32>(<usize>plan, MEMO_USED_BYTES);
  const valueLength = result == VALUE ? valueEnd - out : 0;
  if (entries >= MEMO_ENTRIES || used + length + valueLength > load<i32>(<usize>plan, MEMO_ARENA_SIZE)) return;
  const arena = load<i32>(<usize>plan, MEMO_ARENA);
  copy(arena + used, start, length);
  copy(arena + used + length, out, valueLength);
  store<u32>(<usize>at, hash);
  store<i32>(<usize>at, used + 1, 4);
  store<i32>(<usize>at, length | (valueLength << 16), 8);
  store<i32>(<usize>at, result, 12);
  store<i32>(<usize>plan, entries + 1, MEMO_USED_ENTRIES);
  store<i32>(<usize>plan, used + length + valueLength, MEMO_USED_BYTES);
}

/** A cell no fast path settled: the memo's result for its bytes, else the string cleaner's (then kept). */
function memoOrSlow(t: i32, plan: i32, f: i32, start: i32, end: i32, out: i32): i32 {
  const length = end - start;
  if (length > MEMO_CELL_BYTES) return slow(t, f, out);
  const hash = hashOf(start, end);
  const at = memoSlot(plan, hash, start, length);
  const offset = load<i32>(<usize>at, 4);
  if (offset != 0) {
    const result = load<i32>(<usize>at, 12);
    if (result != VALUE) return result;
    const lengths = load<i32>(<usize>at, 8);
    return copy(out, load<i32>(<usize>plan, MEMO_ARENA) + offset - 1 + (lengths & 0xffff), lengths >>> 16);
  }
  const result = slow(t, f, out);
  if (result >= 0) memoAdd(plan, at, hash, start, length, VALUE, out, result);
  else if (result == UNKNOWN || result == PLACEHOLDER) memoAdd(plan, at, hash, start, length, result, out, out);
  return result;
}

/** Field `f`'s cell for target `t`, written at `out` (see `slowCell` for the codes). */
function readCell(t: i32, plan: i32, f: i32, out: i32): i32 {
  const how = decoded != 0 ? <u32>load<u8>(<usize>(decoded + f)) : PLAIN;
  if (how == DECODED) return slow(t, f, out);
  const start = block + i32At(starts, f);
  const end = block + i32At(ends, f);
  if (start == end) return UNKNOWN;
  // Room for the longest value a cleaner makes of the cell (JSON escapes, or a short date written out).
  if (out + 6 * (end - start) + 64 > outEnd) return OUTPUT_FULL;
  const kind = load<i32>(<usize>plan, KIND);
  if (how == DOUBLED_QUOTES) {
    // Only the text paths read doubled quotes; the memo is keyed by bytes, which here are not the text.
    if (kind != TEXT && kind != LINES) return slow(t, f, out);
    const fast = clean(kind, load<i32>(<usize>plan, MAX_BYTES), start, end, out, true);
    return fast >= 0 ? fast : slow(t, f, out);
  }
  if (kind != 0) {
    const fast = clean(kind, load<i32>(<usize>plan, MAX_BYTES), start, end, out, false);
    if (fast >= 0 || fast == PLACEHOLDER) return fast;
  }
  return memoOrSlow(t, plan, f, start, end, out);
}

/** The string cleaner (JavaScript) on field `f` for target `t`, its value written at `out`. */
function slow(t: i32, f: i32, out: i32): i32 {
  const result = slowCell(t, f, record, out - outStart);
  return result >= 0 ? outStart + result : result;
}

/** Target `t`'s value: the first of its columns with one (record's fields numbered from `first`). */
function readTarget(t: i32, plan: i32, first: i32, out: i32): i32 {
  const columns = load<i32>(<usize>plan, COLUMNS);
  const columnIndexes = load<i32>(<usize>plan, COLUMN_INDEXES);
  if (columns == 1) {
    const cell = readCell(t, plan, first + load<i32>(<usize>columnIndexes), out);
    if (cell == PLACEHOLDER) placeholders++;
    return cell;
  }
  let sawText = false;
  for (let c = 0; c < columns; c++) {
    const cell = readCell(t, plan, first + i32At(columnIndexes, c), out);
    if (cell >= 0 || cell == REJECTED || cell == OUTPUT_FULL) return cell;
    if (cell == PLACEHOLDER) sawText = true;
  }
  if (sawText) placeholders++;
  return UNKNOWN;
}

/**
 * Writes target `t` as `"key":value` at `out` after `separator` (0: none): the new output end, or `out`
 * when it has no value (nothing is left written). A category value is replaced by its spelling marker.
 */
function member(t: i32, separator: u32, first: i32, out: i32): i32 {
  const plan = targets + (t << TARGET_SHIFT);
  const keyLength = load<i32>(<usize>plan, KEY_LENGTH);
  if (out + 1 + keyLength + load<i32>(<usize>plan, MARKER_LENGTH) > outEnd) return OUTPUT_FULL;
  let at = out;
  if (separator) put(at++, separator);
  at = copy(at, load<i32>(<usize>plan, KEY), keyLength);
  const start = at;
  const end = readTarget(t, plan, first, at);
  if (end == OUTPUT_FULL) return OUTPUT_FULL;
  if (end < 0) {
    if (end == REJECTED) rowHasReject = true;
    setI32(valueStarts, t, -1);
    return out;
  }
  setI32(valueStarts, t, start - outStart);
  setI32(valueEnds, t, end - outStart);
  const spelling = load<i32>(<usize>plan, SPELLING);
  if (spelling < 0) return end;
  const number = spellingNumber(spelling, start, end);
  if (number == OUTPUT_FULL) return OUTPUT_FULL;
  setI32(rowSpellings, spelling, number);
  return copy(start, load<i32>(<usize>plan, MARKER), load<i32>(<usize>plan, MARKER_LENGTH));
}


// Per block (`setBlockRegions`): coverage counts per target; per spelling table its numbering (slots,
// values, arena) and each accepted row's value number; the accepted rows' dedupe keys and dates.
let coverage: i32 = 0;
let converted: i32 = 0;
let notConverted: i32 = 0;
let accepted: i32 = 0;
let rowSpellings: i32 = 0;
let spellingRows: i32 = 0;
let spellingState: i32 = 0;
let spellingSlots: i32 = 0;
let spellingStateBytes: i32 = 0;
let spellingArenaBytes: i32 = 0;
let keysStart: i32 = 0;
let keysAt: i32 = 0;
let keysEnd: i32 = 0;
let times: i32 = 0;
export function countConverted(): i32 { return converted; }
export function countNotConverted(): i32 { return notConverted; }
export function countAccepted(): i32 { return accepted; }
export function keysLength(): i32 { return keysAt - keysStart; }

/**
 * Where the block's per-row results go. Each spelling table's state is `stateBytes` long: `slots` i32
 * slots (value number + 1, 0: empty; a power of two), then per value its arena offset and length, then
 * its count and arena bytes used, then the arena (`arenaBytes`).
 */
export function setBlockRegions(coverageAt: i32, rowSpellingsAt: i32, spellingRowsAt: i32, stateAt: i32, slots: i32, stateBytes: i32, arenaBytes: i32, keys: i32, keysCapacity: i32, timesAt: i32): void {
  coverage = coverageAt;
  rowSpellings = rowSpellingsAt;
  spellingRows = spellingRowsAt;
  spellingState = stateAt;
  spellingSlots = slots;
  spellingStateBytes = stateBytes;
  spellingArenaBytes = arenaBytes;
  keysStart = keys;
  keysAt = keys;
  keysEnd = keys + keysCapacity;
  times = timesAt;
}

/** The block's number for spelling table `s`'s value `[start, end)` of the output (its JSON text), or OUTPUT_FULL. */
function spellingNumber(s: i32, start: i32, end: i32): i32 {
  const state = spellingState + s * spellingStateBytes;
  const values = state + (spellingSlots << 2);
  const counts = values + (maxRows << 3);
  const arena = counts + 8;
  const length = end - start;
  const hash = hashOf(start, end);
  let slot = <i32>(hash & <u32>(spellingSlots - 1));
  while (true) {
    const entry = i32At(state, slot);
    if (entry == 0) break;
    const value = values + ((entry - 1) << 3);
    if (load<i32>(<usize>value, 4) == length && memory.compare(<usize>(arena + load<i32>(<usize>value)), <usize>start, <usize>length) == 0) return entry - 1;
    slot = (slot + 1) & (spellingSlots - 1);
  }
  const count = load<i32>(<usize>counts);
  const used = load<i32>(<usize>counts, 4);
  if (used + length > spellingArenaBytes) return OUTPUT_FULL;
  copy(arena + used, start, length);
  store<i32>(<usize>(values + (count << 3)), used);
  store<i32>(<usize>(values + (count << 3)), length, 4);
  store<i32>(<usize>counts, count + 1);
  store<i32>(<usize>counts, used + length, 4);
  setI32(state, slot, count + 1);
  newSpelling(s, start - outStart, end - outStart);
  return count;
}

/** Whether the JSON string text `[start, end)` has an escape or, unless `nonAscii` is allowed, a non-ASCII byte (then JavaScript reads it). */
function needsDecoding(start: i32, end: i32, nonAscii: bool): bool {
  for (let i = start + 1; i < end - 1; i++) {
    const b = byte(i);
    if (b == BACKSLASH || (!nonAscii && b >= 0x80)) return true;
  }
  return false;
}

@inline function valueAt(slot: i32): i32 { return slot < 0 ? -1 : i32At(valueStarts, slot); }
@inline function valueEnd(slot: i32): i32 { return i32At(valueEnds, slot); }

/**
 * The row's dedupe keys (`RowKeysWriter`): its id, its email and its name key, each ended by a line
 * feed, or OUTPUT_FULL. Values with escapes, and names with non-ASCII letters, are left to JavaScript.
 */
function writeKeys(k: i32, rowLength: i32): i32 {
  const id = valueAt(idSlot);
  const email = valueAt(emailSlot);
  const firstName = valueAt(firstSlot);
  const lastName = valueAt(lastSlot);
  const domain = valueAt(domainSlot);
  const named = firstName >= 0 && lastName >= 0 && domain >= 0;
  if (
    (id >= 0 && needsDecoding(outStart + id, outStart + valueEnd(idSlot), true)) ||
    (email >= 0 && needsDecoding(outStart + email, outStart + valueEnd(emailSlot), true)) ||
    (named &&
      (needsDecoding(outStart + firstName, outStart + valueEnd(firstSlot), false) ||
        needsDecoding(outStart + lastName, outStart + valueEnd(lastSlot), false) ||
        needsDecoding(outStart + domain, outStart + valueEnd(domainSlot), true)))
  ) {
    const end = rowKeys(k, keysAt - keysStart);
    if (end < 0) return end;
    keysAt = keysStart + end;
    return end;
  }
  // Each key is at most its value's JSON text, and the row's values fit in its output line.
  if (keysAt + 3 + rowLength > keysEnd) return OUTPUT_FULL;
  if (id >= 0) keysAt = copy(keysAt, outStart + id + 1, valueEnd(idSlot) - id - 2);
  put(keysAt++, 0x0a);
  if (email >= 0) keysAt = copy(keysAt, outStart + email + 1, valueEnd(emailSlot) - email - 2);
  put(keysAt++, 0x0a);
  // An empty name or domain ("") is no name key.
  if (named && valueEnd(firstSlot) - firstName > 2 && valueEnd(lastSlot) - lastName > 2 && valueEnd(domainSlot) - domain > 2) {
    for (let i = outStart + firstName + 1; i < outStart + valueEnd(firstSlot) - 1; i++) put(keysAt++, lowerAscii(byte(i)));
    put(keysAt++, 0);
    for (let i = outStart + lastName + 1; i < outStart + valueEnd(lastSlot) - 1; i++) put(keysAt++, lowerAscii(byte(i)));
    put(keysAt++, 0);
    keysAt = copy(keysAt, outStart + domain + 1, valueEnd(domainSlot) - domain - 2);
  }
  put(keysAt++, 0x0a);
  return keysAt - keysStart;
}

/** Days from 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
function daysFromCivil(year: i32, month: i32, day: i32): i32 {
  const y = month <= 2 ? year - 1 : year;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yearOfEra = y - era * 400;
  const dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Epoch ms of the row's date for "newest wins": its last activity, else its creation (-Infinity: none).
 * The cleaners write "2024-03-05T14:22:07.123Z"; anything else is parsed by JavaScript.
 */
function rowTime(): f64 {
  const slot = valueAt(activitySlot) >= 0 ? activitySlot : createdSlot;
  const start = valueAt(slot);
  if (start < 0) return -Infinity;
  const at = outStart + start;
  const end = outStart + valueEnd(slot);
  if (end - at == 26 && byte(at + 5) == DASH && byte(at + 8) == DASH && byte(at + 11) == 0x54 && byte(at + 14) == 0x3a && byte(at + 17) == 0x3a && byte(at + 20) == DOT && byte(at + 24) == 0x5a) {
    const year = digitsValue(at + 1, at + 5);
    const month = digitsValue(at + 6, at + 8);
    const day = digitsValue(at + 9, at + 11);
    const hours = digitsValue(at + 12, at + 14);
    const minutes = digitsValue(at + 15, at + 17);
    const seconds = digitsValue(at + 18, at + 20);
    const ms = digitsValue(at + 21, at + 24);
    if (year >= 1900 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hours >= 0 && hours <= 23 && minutes >= 0 && minutes <= 59 && seconds >= 0 && seconds <= 59 && ms >= 0) {
      return <f64>daysFromCivil(year, month, day) * 86400000 + <f64>(hours * 3600000 + minutes * 60000 + seconds * 1000 + ms);
    }
  }
  return parseTime(start, valueEnd(slot));
}

/** What an accepted row adds: coverage, the outcome count, spelling numbers, a generated-looking id, keys and date. */
function acceptRow(k: i32, rowLength: i32): i32 {
  for (let t = 0; t < coverageTargets; t++) if (i32At(valueStarts, t) >= 0) setI32(coverage, t, i32At(coverage, t) + 1);
  if (convertedSlot >= 0 && i32At(valueStarts, convertedSlot) >= 0) {
    if (byte(outStart + i32At(valueStarts, convertedSlot)) == 0x74) converted++;
    else notConverted++;
  }
  for (let s = 0; s < spellingTables; s++) store<i32>(<usize>(spellingRows + ((s * maxRows + accepted) << 2)), i32At(rowSpellings, s));
  const id = valueAt(idSlot);
  // "lead_ at the start of the id's JSON text.
  if (id >= 0 && valueEnd(idSlot) - id >= 6 && load<u32>(<usize>(outStart + id)) == 0x61656c22 && load<u16>(<usize>(outStart + id + 4)) == 0x5f64) leadLikeId(accepted, id, valueEnd(idSlot));
  const keys = writeKeys(k, rowLength);
  if (keys < 0) return keys;
  store<f64>(<usize>(times + (accepted << 3)), rowTime());
  accepted++;
  return 0;
}

/** A record is blank when every cell is empty or whitespace; most records fail on their first cell. */
function isBlankRecord(first: i32, end: i32): bool {
  for (let f = first; f < end; f++) {
    if (decoded != 0 && load<u8>(<usize>(decoded + f))) {
      if (!fieldIsBlank(f)) return false;
      continue;
    }
    const start = i32At(starts, f);
    if (start == i32At(ends, f)) continue;
    if (byte(block + start) > SPACE) return false;
    if (!fieldIsBlank(f)) return false;
  }
  return true;
}

/**
 * Maps, cleans and writes the records `records[0, count)` of a tokenized block (their numbers in the
 * field table), each accepted row as one JSON line at `out` (capacity `capacity`). Returns the bytes
 * written, or OUTPUT_FULL.
 */
export function processRows(blockAt: i32, startsAt: i32, endsAt: i32, recordFields: i32, decodedAt: i32, records: i32, count: i32, out: i32, capacity: i32, valueStartsAt: i32, valueEndsAt: i32): i32 {
  block = blockAt;
  starts = startsAt;
  ends = endsAt;
  decoded = decodedAt;
  outStart = out;
  outEnd = out + capacity;
  valueStarts = valueStartsAt;
  valueEnds = valueEndsAt;
  maxRows = count;
  rowsRead = 0;
  blankRows = 0;
  rowsRejected = 0;
  placeholders = 0;
  converted = 0;
  notConverted = 0;
  accepted = 0;
  memory.fill(<usize>coverage, 0, <usize>(coverageTargets << 2));
  for (let s = 0; s < spellingTables; s++) memory.fill(<usize>(spellingState + s * spellingStateBytes), 0, <usize>((spellingSlots << 2) + (count << 3) + 8));
  let at = out;
  for (let k = 0; k < count; k++) {
    record = k;
    const r = i32At(records, k);
    const first = i32At(recordFields, r);
    const fieldCount = i32At(recordFields, r + 1) - first;
    rowsRead++;
    if (isBlankRecord(first, first + fieldCount)) {
      blankRows++;
      continue;
    }
    if (fieldCount != headerLength) {
      rowsRejected++;
      wrongFieldCount(k, fieldCount);
      continue;
    }
    const rowStart = at;
    rowHasReject = false;
    for (let s = 0; s < spellingTables; s++) setI32(rowSpellings, s, -1);
    // Lead fields in the contract's key order, then the attributes object, opened by its first value.
    if (at + 2 > outEnd) return OUTPUT_FULL;
    put(at++, 0x7b);
    let members = 0;
    for (let i = 0; i < fieldOrderCount; i++) {
      const next = member(i32At(fieldOrder, i), members > 0 ? COMMA : 0, first, at);
      if (next == OUTPUT_FULL) return OUTPUT_FULL;
      if (next != at) members++;
      at = next;
    }
    let attributes = 0;
    for (let i = 0; i < attributeCount; i++) {
      const t = i32At(attributeOrder, i);
      if (attributes == 0) {
        if (at + 1 + attributesJsonLength > outEnd) return OUTPUT_FULL;
        let opened = at;
        if (members > 0) put(opened++, COMMA);
        opened = copy(opened, attributesJson, attributesJsonLength);
        const next = member(t, 0, first, opened);
        if (next == OUTPUT_FULL) return OUTPUT_FULL;
        if (next != opened) {
          attributes++;
          at = next;
        }
      } else {
        const next = member(t, COMMA, first, at);
        if (next == OUTPUT_FULL) return OUTPUT_FULL;
        if (next != at) attributes++;
        at = next;
      }
    }
    if (rowHasReject) {
      rowsRejected++;
      at = rowStart;
      rowRejected(k);
      continue;
    }
    if (at + 3 > outEnd) return OUTPUT_FULL;
    if (attributes > 0) put(at++, 0x7d);
    put(at++, 0x7d);
    put(at++, 0x0a);
    if (acceptRow(k, at - rowStart) == OUTPUT_FULL) return OUTPUT_FULL;
  }
  return at - out;
}
