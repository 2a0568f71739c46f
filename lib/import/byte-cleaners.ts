import type { ByteWriter } from './byte-writer';
import { MAX_TEXT_LENGTH, daysInMonth, isPlaceholder, mayStartPlaceholder } from './clean';

/**
 * Fast paths of the cleaners in clean.ts, reading a cell's UTF-8 bytes straight from the CSV block and
 * writing the clean value's JSON text: most cells of an export are already clean (a name, a plain
 * number, an ISO date), and for them this skips making a string, cleaning it and serialising it again.
 *
 * A fast path only ever takes the cells whose clean value is the obvious one (at most spaces to trim or
 * collapse, ASCII case to fold); it never rejects a cell and never guesses. Anything else, such as other
 * whitespace, characters JSON must escape or a placeholder check it cannot settle, gets `FALLBACK` and
 * goes to the string cleaner, which stays the definition of every rule. A differential property test holds each fast path to its string cleaner
 * (tests/import/byte-cleaners.test.ts).
 */

/** The value's JSON text was written. */
export const WROTE = 1;
/** The cell is a placeholder ("N/A", "Select", …): unknown, and counted as a placeholder. */
export const PLACEHOLDER = 0;
/** Not settled here: clean the cell's text with the string cleaner. */
export const FALLBACK = -1;

/** Reads `source[start, end)` (a non-empty cell) and writes its JSON value to `out`, or says why not. */
export type ByteCleaner = (source: Buffer, start: number, end: number, out: ByteWriter) => typeof WROTE | typeof PLACEHOLDER | typeof FALLBACK;

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const DASH = 0x2d;
const COMMA = 0x2c;
const AT = 0x40;
const APOSTROPHE = 0x27;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_A = 0x61;
const LOWER_Z = 0x7a;

/**
 * UTF-8 lead bytes of every non-ASCII character JavaScript counts as whitespace (U+00A0, U+1680,
 * U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF), and of the dashes a placeholder may
 * be wrapped in ("– none –"). A cell holding one of these bytes goes to the string cleaner.
 */
const SPACE_OR_DASH_LEAD = new Uint8Array(256);
for (const lead of [0xc2, 0xe1, 0xe2, 0xe3, 0xef]) SPACE_OR_DASH_LEAD[lead] = 1;

/**
 * Text whose only whitespace is the ASCII space (`cleanText`, `cleanCategory`, `cleanLongText`,
 * `cleanId`): trimmed and runs of spaces made one, as the cleaner does, as long as nothing in it is a
 * control character or needs escaping in JSON, and it has at most `maxBytes` bytes (so at most that many
 * characters: nothing to cut, and within an id's limit). A short ASCII cell that may be a placeholder is
 * checked with `isPlaceholder` itself.
 */
export function plainText(maxBytes: number): ByteCleaner {
  return (source, start, end, out) => {
    if (end - start > maxBytes) return FALLBACK;
    while (start < end && source[start] === SPACE) start++;
    while (end > start && source[end - 1] === SPACE) end--;
    if (start === end) return FALLBACK;
    // Checked and copied in one pass; on a fallback, what was copied past `out.length` is simply not kept.
    const bytes = out.reserve(end - start + 2);
    let at = out.length;
    bytes[at++] = QUOTE;
    let ascii = true;
    for (let i = start; i < end; i++) {
      const byte = source[i]!;
      if (byte < SPACE || byte === QUOTE || byte === BACKSLASH) return FALLBACK;
      if (byte === SPACE) {
        if (source[i - 1] === SPACE) continue;
      } else if (byte >= 0x80) {
        if (SPACE_OR_DASH_LEAD[byte]) return FALLBACK;
        ascii = false;
      }
      bytes[at++] = byte;
    }
    // Every placeholder is short ASCII once its spaces are trimmed (its dashes besides, which went above).
    if (ascii && end - start <= 20 && mayStartPlaceholder(source[start]!) && isPlaceholder(source.toString('latin1', start, end))) return PLACEHOLDER;
    bytes[at++] = QUOTE;
    out.length = at;
    return WROTE;
  };
}

export const plainLongText = plainText(MAX_TEXT_LENGTH);

const isDigit = (byte: number) => byte >= ZERO && byte <= NINE;
const isLower = (byte: number) => byte >= LOWER_A && byte <= LOWER_Z;
const isAlnum = (byte: number) => isLower(byte) || isDigit(byte);
/** Characters of an email's local part the email pattern allows, capitals aside (`isUpper`). */
const isLocalChar = (byte: number) => isAlnum(byte) || byte === 0x5f /* _ */ || byte === APOSTROPHE || byte === 0x2b /* + */ || byte === DASH;

/** Whether a byte is an ASCII capital letter (folded to lowercase when written). */
const isUpper = (byte: number) => byte >= 0x41 && byte <= 0x5a;
/** An ASCII byte lowercased (other bytes as they are). */
export const lowerAscii = (byte: number) => (isUpper(byte) ? byte + 0x20 : byte);

/** Copies `source[start, end)` between double quotes, ASCII capitals lowercased. */
function writeQuotedLower(source: Buffer, start: number, end: number, out: ByteWriter): void {
  const bytes = out.reserve(end - start + 2);
  let at = out.length;
  bytes[at++] = QUOTE;
  for (let i = start; i < end; i++) bytes[at++] = lowerAscii(source[i]!);
  bytes[at++] = QUOTE;
  out.length = at;
}

/**
 * An email in the lead contract's shape (`cleanEmail`), spaces around it trimmed and ASCII capitals
 * lowercased: dot-separated local labels of letters, digits and `_'+-`, not ending in `'`; one `@`; two
 * or more domain labels that start with a letter or digit, and a top-level label of two or more
 * letters. An `@` means it is no placeholder.
 */
export const plainEmail: ByteCleaner = (source, start, end, out) => {
  while (start < end && source[start] === SPACE) start++;
  while (end > start && source[end - 1] === SPACE) end--;
  let i = start;
  let label = 0;
  for (; i < end; i++) {
    const byte = source[i]!;
    if (byte === AT) break;
    if (byte === DOT) {
      if (label === 0) return FALLBACK;
      label = 0;
    } else if (isLocalChar(byte) || isUpper(byte)) label++;
    else return FALLBACK;
  }
  if (i === end || label === 0 || source[i - 1] === APOSTROPHE) return FALLBACK;
  let dots = 0;
  let letters = true;
  label = 0;
  for (i++; i < end; i++) {
    const byte = source[i]!;
    if (byte === DOT) {
      if (label === 0) return FALLBACK;
      dots++;
      label = 0;
      letters = true;
    } else if (isAlnum(byte) || isUpper(byte) || (byte === DASH && label > 0)) {
      letters &&= !isDigit(byte) && byte !== DASH;
      label++;
    } else return FALLBACK;
  }
  if (dots === 0 || label < 2 || !letters) return FALLBACK;
  // "mailto:" cannot reach here (no colon is let through), so only the case is left to fold.
  writeQuotedLower(source, start, end, out);
  return WROTE;
};

/** Whether `source[at, …)` starts with `prefix` (lowercase ASCII), in any case. */
function startsWithLower(source: Buffer, at: number, end: number, prefix: string): boolean {
  if (end - at < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (lowerAscii(source[at + k]!) !== prefix.charCodeAt(k)) return false;
  return true;
}

/**
 * A domain or a plain website address (`cleanDomain`), spaces around it trimmed and ASCII capitals
 * lowercased: an optional "http://" or "https://", an optional "www." (dropped), then two or more
 * dot-separated labels of letters, digits and inner dashes, then nothing or a path, query or fragment
 * (dropped) free of control characters. Other "www…" prefixes, ports, user names and anything else go to
 * the cleaner. No placeholder looks like one.
 */
export const plainDomain: ByteCleaner = (source, start, end, out) => {
  while (start < end && source[start] === SPACE) start++;
  while (end > start && source[end - 1] === SPACE) end--;
  if (end - start > MAX_TEXT_LENGTH) return FALLBACK;
  let host = start;
  if (startsWithLower(source, host, end, 'http://')) host += 7;
  else if (startsWithLower(source, host, end, 'https://')) host += 8;
  if (startsWithLower(source, host, end, 'www')) {
    if (host + 3 >= end || source[host + 3] !== DOT) return FALLBACK;
    host += 4;
  }
  let dots = 0;
  let label = 0;
  let i = host;
  for (; i < end; i++) {
    const byte = source[i]!;
    if (byte === DOT) {
      if (label === 0 || source[i - 1] === DASH) return FALLBACK;
      dots++;
      label = 0;
    } else if (isAlnum(byte) || isUpper(byte) || (byte === DASH && label > 0)) label++;
    else if (byte === 0x2f /* / */ || byte === 0x3f /* ? */ || byte === 0x23 /* # */) break;
    else return FALLBACK;
  }
  if (dots === 0 || label === 0 || source[i - 1] === DASH) return FALLBACK;
  // What follows the host is dropped, but the cleaner only drops it whole when it has no line break.
  for (let k = i; k < end; k++) if (source[k]! < SPACE || SPACE_OR_DASH_LEAD[source[k]!]) return FALLBACK;
  writeQuotedLower(source, host, i, out);
  return WROTE;
};

/**
 * A whole number written as 1 to 15 digits without a leading zero, plain or with US thousands commas
 * ("3,550,987,000") (`parseNumber`, `parseCount`, `parseEmployeeCount`, `parseRevenue`): its JSON text
 * is the digits themselves.
 */
export const plainDigits: ByteCleaner = (source, start, end, out) => {
  const length = end - start;
  if (length > 20 || (length > 1 && source[start] === ZERO)) return FALLBACK;
  // The first group: every digit, or the one to three before the first comma.
  let i = start;
  while (i < end && isDigit(source[i]!)) i++;
  if (i === end) {
    if (length > 15) return FALLBACK;
    out.append(source, start, end);
    return WROTE;
  }
  if (i === start || i - start > 3) return FALLBACK;
  let digits = i - start;
  // Then groups of a comma and exactly three digits.
  for (; i < end; i += 4) {
    if (source[i] !== COMMA || end - i < 4 || !isDigit(source[i + 1]!) || !isDigit(source[i + 2]!) || !isDigit(source[i + 3]!)) return FALLBACK;
    digits += 3;
  }
  if (digits > 15) return FALLBACK;
  const bytes = out.reserve(digits);
  let at = out.length;
  for (let k = start; k < end; k++) if (source[k] !== COMMA) bytes[at++] = source[k]!;
  out.length = at;
  return WROTE;
};

/** One-character booleans (`parseBoolean`): 1, x, y, t → true; 0, n, f → false, in either case. */
export const plainBoolean: ByteCleaner = (source, start, end, out) => {
  const byte = source[start]!;
  // Below "0", OR-ing in the lowercase bit could turn a control character into a digit.
  if (end - start !== 1 || byte < ZERO) return FALLBACK;
  switch (byte | 0x20) {
    case 0x31 /* 1 */:
    case 0x78 /* x */:
    case 0x79 /* y */:
    case 0x74 /* t */:
      out.appendText('true');
      return WROTE;
    case 0x30 /* 0 */:
    case 0x6e /* n */:
    case 0x66 /* f */:
      out.appendText('false');
      return WROTE;
    default:
      return FALLBACK;
  }
};

/** The number written by the digits `source[from, to)`, or -1 if one is not a digit. */
export function digitsValue(source: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const byte = source[i]!;
    if (!isDigit(byte)) return -1;
    n = n * 10 + byte - ZERO;
  }
  return n;
}

/**
 * The shapes most exports write dates in (`parseDate`): "2024-03-05", "2024-03-05 14:22",
 * "2024-03-05T14:22:07", "2024-03-05T14:22:07.123", each optionally ending in "Z", with a real date and
 * time in the years the cleaner accepts. Written as the cleaner writes it: "2024-03-05T14:22:07.123Z".
 */
export const plainIsoDate: ByteCleaner = (source, start, end, out) => {
  const length = (source[end - 1] === 0x5a /* Z */ ? end - 1 : end) - start;
  if (length !== 10 && length !== 16 && length !== 19 && length !== 23) return FALLBACK;
  const year = digitsValue(source, start, start + 4);
  const month = digitsValue(source, start + 5, start + 7);
  const day = digitsValue(source, start + 8, start + 10);
  if (source[start + 4] !== DASH || source[start + 7] !== DASH || year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return FALLBACK;
  if (length > 10) {
    const separator = source[start + 10];
    if ((separator !== SPACE && separator !== 0x54) /* T */ || source[start + 13] !== 0x3a /* : */) return FALLBACK;
    const hours = digitsValue(source, start + 11, start + 13);
    const minutes = digitsValue(source, start + 14, start + 16);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return FALLBACK;
    if (length > 16) {
      const seconds = digitsValue(source, start + 17, start + 19);
      if (source[start + 16] !== 0x3a || seconds < 0 || seconds > 59) return FALLBACK;
      if (length > 19 && (source[start + 19] !== DOT || digitsValue(source, start + 20, start + 23) < 0)) return FALLBACK;
    }
  }
  // "YYYY-MM-DDTHH:MM:SS.sssZ" between quotes; the parts the cell leaves out are zero.
  const bytes = out.reserve(26);
  let o = out.length;
  bytes[o++] = QUOTE;
  for (let i = 0; i < 10; i++) bytes[o++] = source[start + i]!;
  bytes[o++] = 0x54;
  for (let i = 11; i < 23; i++) bytes[o++] = i < length ? source[start + i]! : ISO_ZERO_TIME[i - 11]!;
  bytes[o++] = 0x5a;
  bytes[o++] = QUOTE;
  out.length = o;
  return WROTE;
};

const ISO_ZERO_TIME = Buffer.from('00:00:00.000');
