// The lead contract's email pattern (zod's), as a bare regex: no zod call per value.
import { regexes } from 'zod/v4/core';

/**
 * Cleaning rules for values read from CRM CSV exports. Each cleaner takes the raw cell text and returns
 * the clean value, `undefined` when the cell means "unknown" (empty or a placeholder such as "N/A"), or
 * throws `InvalidValueError` with a reason a RevOps user can act on. The importer turns that error into a
 * line in the rejects report; nothing is guessed silently.
 */

/** A cell that cannot be read as its column's type. `reason` completes "<column>: …". */
export class InvalidValueError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidValueError';
  }
}

const invalid = (reason: string): never => {
  throw new InvalidValueError(reason);
};

/**
 * Header names, outcome values and category spellings compare case- and whitespace-insensitively:
 * exports differ in both across CRM versions.
 */
export const columnKey = (name: string): string => name.replace(/^\uFEFF/, '').trim().replace(/\s+/g, ' ').toLowerCase();

/** The lead contract's longest text (lib/lead.ts); longer descriptions are cut, not rejected. */
export const MAX_TEXT_LENGTH = 10_000;

/**
 * Values CRMs and spreadsheet users write for "no value": HubSpot's and Salesforce's picklist defaults
 * ("Select", "--None--"), spreadsheet errors ("#N/A") and the usual words. Compared case-insensitively
 * after trimming dashes and brackets, so "-- Select --", "[none]" and "(blank)" all count. A lone "-"
 * or "--" is a placeholder too; "-5" is not (it is a number, judged by the column's own cleaner).
 */
export const PLACEHOLDER_WORDS = ['', 'select', 'n/a', 'n.a.', '#n/a', 'unknown', 'none', 'null', 'nil', 'undefined', 'blank', 'not provided', 'not specified', '?'];
const PLACEHOLDERS = new Set(PLACEHOLDER_WORDS);

const PLACEHOLDER_EDGES = /^[\s\-–—[(<]+|[\s\-–—\])>]+$/g;
const HAS_EDGE = /^[-–—[(<]|[-–—\])>]$/;

/**
 * Printable ASCII characters a placeholder can start with: the first letters of the words, the edge
 * characters, and "#" / "?". A cell starting with any other printable ASCII character is a value.
 */
const PLACEHOLDER_STARTS = new Uint8Array(128);
for (const c of '-[(<])>#?sSnNuUbB') PLACEHOLDER_STARTS[c.charCodeAt(0)] = 1;

/** Whether a cell starting with the character `code` can be a placeholder (false for most printable ASCII). */
function mayStartPlaceholder(code: number): boolean {
  return !(code > 32 && code < 127 && PLACEHOLDER_STARTS[code] === 0);
}

export function isPlaceholder(raw: string): boolean {
  if (!mayStartPlaceholder(raw.charCodeAt(0))) return false;
  const trimmed = raw.trim();
  if (trimmed.length > 20) return false;
  const lower = trimmed.toLowerCase();
  return PLACEHOLDERS.has(lower) || (HAS_EDGE.test(lower) && PLACEHOLDERS.has(lower.replace(PLACEHOLDER_EDGES, '')));
}

/** Single-line text: trimmed, runs of whitespace (including line breaks) collapsed to one space. */
export function cleanText(raw: string): string | undefined {
  if (isPlaceholder(raw)) return undefined;
  return textValue(raw);
}

/** `cleanText` without the placeholder check: for a column whose mapping turns the built-in placeholders off. */
export function textValue(raw: string): string {
  return cut(/\s\s|[^\S ]/.test(raw) ? raw.replace(/\s+/g, ' ').trim() : raw.trim());
}

/**
 * Multi-line text (descriptions): line breaks normalised to "\n", spaces collapsed within lines, at most
 * one blank line in a row. Longer than the lead contract allows → cut at a word boundary with "…"
 * (a description is context for a reader, so losing its tail beats losing the lead).
 */
export function cleanLongText(raw: string): string | undefined {
  if (isPlaceholder(raw)) return undefined;
  return longTextValue(raw);
}

/** `cleanLongText` without the placeholder check. */
export function longTextValue(raw: string): string {
  // Without a line break this is single-line text: the same result, without splitting into lines.
  if (raw.indexOf('\n') < 0 && raw.indexOf('\r') < 0) return textValue(raw);
  const text = raw
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return cut(text);
}

function cut(text: string): string {
  if (text.length <= MAX_TEXT_LENGTH) return text;
  const head = text.slice(0, MAX_TEXT_LENGTH - 1);
  const space = head.lastIndexOf(' ');
  return `${space > MAX_TEXT_LENGTH * 0.8 ? head.slice(0, space) : head}…`;
}

/**
 * Category text (industry, country, lead source): trimmed and whitespace-collapsed. Case is left alone
 * here; scoring matches categories case-insensitively, and the importer picks one display spelling per
 * category for the whole file (`canonicalSpellings`).
 */
export const cleanCategory = cleanText;

/** The lead contract's email check (zod's `z.email()` pattern), run as a bare regex: no zod call per cell. */
const EMAIL = regexes.email;

/** Emails: trimmed, "mailto:" dropped, lowercased (the lead contract compares them lowercased), then validated. */
export function cleanEmail(raw: string): string | undefined {
  if (isPlaceholder(raw)) return undefined;
  const email = raw.trim().replace(/^mailto:/i, '').toLowerCase();
  if (!EMAIL.test(email)) invalid(`"${raw.trim()}" is not an email address`);
  return email;
}

/**
 * Company domains, also from a website URL: "https://www.Acme.com/about" → "acme.com". Lowercased;
 * scheme, "www.", port, path, query and trailing dot dropped. Anything without a dot is rejected.
 */
export function cleanDomain(raw: string): string | undefined {
  if (isPlaceholder(raw)) return undefined;
  const host = raw
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/\.$/, '')
    .replace(/^www\d?\./, '');
  if (!/^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$/u.test(host)) {
    invalid(`"${raw.trim()}" is not a domain or website address`);
  }
  // The lead contract's text limit; the importer relies on cleaners never producing a value it refuses.
  if (host.length > MAX_TEXT_LENGTH) invalid(`"${host.slice(0, 40)}…" is too long to be a domain`);
  return host;
}

export const TRUE_WORDS = ['yes', 'y', 'true', 't', '1', 'x', 'checked', 'on', '✓', '✔'];
export const FALSE_WORDS = ['no', 'n', 'false', 'f', '0', 'unchecked', 'off'];
const TRUE_SET = new Set(TRUE_WORDS);
const FALSE_SET = new Set(FALSE_WORDS);

/**
 * Booleans: yes/y/true/t/1/x/checked/on/✓ → true; no/n/false/f/0/unchecked/off → false (any case).
 * "x" is how spreadsheet checkboxes export a ticked box. Anything else is rejected rather than guessed.
 */
export function parseBoolean(raw: string): boolean | undefined {
  if (isPlaceholder(raw)) return undefined;
  const word = raw.trim().toLowerCase();
  if (TRUE_SET.has(word)) return true;
  if (FALSE_SET.has(word)) return false;
  return invalid(`"${raw.trim()}" is not yes/no (expected yes, no, true, false, 1, 0, x, checked, …)`);
}

const SUFFIXES: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mm: 1e6,
  mn: 1e6,
  mio: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  t: 1e12,
  trillion: 1e12,
};
const CURRENCY = /^(?:[$€£¥₹]|usd|us\$|eur|gbp|cad|aud|chf|jpy|inr|sek|nok|dkk)\s*|\s*(?:[$€£¥₹]|usd|eur|gbp|cad|aud|chf|jpy|inr|sek|nok|dkk)$/g;

/**
 * Numbers as people type them: "5,000,000", "1 000 000", "2,5" (decimal comma), "1.234,56" (European),
 * "$5M", "€2.5m", "1.2B", "$500K", "10k", "1,000+" ("at least": the number itself), currency symbols or
 * codes on either side. Separators: when both "," and "." appear, the last one is the decimal point; a
 * lone "," followed by exactly three digits is a thousands separator (US exports), otherwise a decimal
 * comma; several "." are thousands separators ("5.000.000"). Currencies are stripped, not converted.
 * Returns `undefined` for placeholders; throws on anything that is not a number.
 */
export function parseNumber(raw: string): number | undefined {
  // Most cells are plain digits: skip the general path for them.
  if (/^\d{1,15}$/.test(raw)) return Number(raw);
  if (isPlaceholder(raw)) return undefined;
  let text = raw.trim().toLowerCase().replace(/[\u00a0\u202f]/g, ' ');
  let sign = 1;
  if (/^[-−]/.test(text)) {
    sign = -1;
    text = text.slice(1).trim();
  } else if (text.startsWith('+')) {
    text = text.slice(1).trim();
  }
  text = text.replace(CURRENCY, '').replace(/\+$/, '').trim();
  let multiplier = 1;
  const suffix = /^(.*\d)\s*([a-z]+)\.?$/.exec(text);
  if (suffix) {
    const factor = SUFFIXES[suffix[2]!];
    if (factor === undefined) return invalid(`"${raw.trim()}" is not a number`);
    multiplier = factor;
    text = suffix[1]!;
  }
  const digits = normaliseSeparators(text);
  if (digits === null) return invalid(`"${raw.trim()}" is not a number`);
  const value = Number(digits) * multiplier * sign;
  if (!Number.isFinite(value)) return invalid(`"${raw.trim()}" is not a number`);
  // Multiplying a decimal ("1.2" × 1e9) leaves float dust; values with a suffix are whole in practice.
  return multiplier > 1 ? Math.round(value * 1e6) / 1e6 : value;
}

/** "1,234.5" → "1234.5", "1.234,5" → "1234.5", "2,5" → "2.5"; null when the groups do not make a number. */
function normaliseSeparators(text: string): string | null {
  if (!/^\d[\d,.' ]*$/.test(text) || /[,.' ]$/.test(text)) return null;
  const lastComma = text.lastIndexOf(',');
  const lastDot = text.lastIndexOf('.');
  let decimal: ',' | '.' | null = null;
  if (lastComma >= 0 && lastDot >= 0) decimal = lastComma > lastDot ? ',' : '.';
  else if (lastComma >= 0) decimal = text.indexOf(',') === lastComma && !/,\d{3}$/.test(text) ? ',' : null;
  else if (lastDot >= 0) decimal = text.indexOf('.') === lastDot ? '.' : null;
  const [whole = '', fraction] = decimal === null ? [text] : [text.slice(0, text.lastIndexOf(decimal)), text.slice(text.lastIndexOf(decimal) + 1)];
  if (fraction !== undefined && !/^\d+$/.test(fraction)) return null;
  const groups = whole.split(/[,.' ]/);
  if (groups.length > 1 && (!/^\d{1,3}$/.test(groups[0]!) || groups.slice(1).some((g) => !/^\d{3}$/.test(g)))) return null;
  return fraction === undefined ? groups.join('') : `${groups.join('')}.${fraction}`;
}

export interface NumericRange {
  lower: number;
  /** Absent for open ranges ("1,000+") and single numbers. */
  upper?: number;
}

/**
 * A number or a band: "51-200", "1–10", "$1M - $5M", "10 to 50", "1,000+", "500". Bands need lower ≤ upper.
 * The dash is only read as a range between two numbers, so "-5" stays a (negative) number.
 */
export function parseRange(raw: string): NumericRange | undefined {
  if (isPlaceholder(raw)) return undefined;
  const band = /^\s*(.*?\d.*?)\s*(?:-|–|—|\bto\b)\s*([^-–—\s].*?)\s*$/i.exec(raw);
  if (band && !/^[-−]/.test(band[1]!)) {
    const lower = parseNumber(band[1]!);
    const upper = parseNumber(band[2]!);
    if (lower === undefined || upper === undefined) return invalid(`"${raw.trim()}" is not a number or a range`);
    if (lower > upper) return invalid(`"${raw.trim()}" is a range whose lower end is above its upper end`);
    return { lower, upper };
  }
  const value = parseNumber(raw);
  if (value === undefined) return undefined;
  return raw.trim().endsWith('+') ? { lower: value } : { lower: value, upper: value };
}

/**
 * Employee counts: a number or a band ("51-200", "1,000+", "10k", "1-10") → the band's LOWER bound.
 * Why the lower bound: scoring bands are inclusive ranges drawn at the same CRM picklist boundaries
 * (51–200, 201–1,000, …), so the lower bound keeps a "51-200" company in the 51–200 band, whereas a
 * midpoint (125) happens to land there too but "1,001-5,000" → 3,000 would silently depend on the rules'
 * edges, and open bands ("10,001+") have no midpoint at all. Must be a whole, non-negative number.
 */
export function parseEmployeeCount(raw: string): number | undefined {
  const range = parseRange(raw);
  if (range === undefined) return undefined;
  if (range.lower < 0) return invalid(`"${raw.trim()}" is negative: employee counts must not be negative`);
  if (!Number.isInteger(range.lower)) return invalid(`"${raw.trim()}" is not a whole number of employees`);
  return range.lower;
}

/**
 * Annual revenue: "$5M", "5,000,000", "€2.5m", "1.2B", "$500K", or a band ("$1M-$5M" → lower bound,
 * for the same reason as employee counts). The currency is stripped, not converted. Must not be negative.
 */
export function parseRevenue(raw: string): number | undefined {
  const range = parseRange(raw);
  if (range === undefined) return undefined;
  if (range.lower < 0) return invalid(`"${raw.trim()}" is negative: revenue must not be negative`);
  return range.lower;
}

/** Engagement counters (opens, clicks, views): whole numbers ≥ 0; "1,234" is fine, "3.5" and "-2" are not. */
export function parseCount(raw: string): number | undefined {
  const value = parseNumber(raw);
  if (value === undefined) return undefined;
  if (value < 0) return invalid(`"${raw.trim()}" is negative: counts must not be negative`);
  if (!Number.isInteger(value)) return invalid(`"${raw.trim()}" is not a whole number`);
  return value;
}

/** Day order for numeric dates written with "/" or "-": US exports write 03/05/2024 for 5 March. */
export type DateOrder = 'MDY' | 'DMY';

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
};
const TIME = String.raw`(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(am|pm)?\s*(z|utc|gmt|[+-]\d{2}:?\d{2})?)?`;
const ISO_LIKE = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${TIME}$`, 'i');
const NUMERIC = new RegExp(String.raw`^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})${TIME}$`, 'i');
const DAY_MONTH_NAME = new RegExp(String.raw`^(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]{3,9})\.?,?[ -](\d{4})${TIME}$`, 'i');
const MONTH_NAME_DAY = new RegExp(String.raw`^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})${TIME}$`, 'i');
const BARE_ISO_DATE_UTC = /^\d{4}-\d{2}-\d{2}Z$/;

/**
 * Dates → ISO 8601 (UTC). Accepted: "2024-03-05", "2024-03-05Z", "2024-03-05 14:22",
 * "2024-03-05T14:22:00Z" (offsets honoured), "2024/03/05"; "03/05/2024" and "03-05-2024" in the
 * mapping's day order (US month-first by default, `dateFormat: "DMY"` for day-first); "05.03.2024"
 * (dots are always day-first, as in Europe);
 * two-digit years ("3/5/24" → 2024; 70–99 → 19xx); month names ("5 Mar 2024", "Mar 5, 2024",
 * "05-Mar-2024"); times with seconds and am/pm. A date-time without an offset is read as UTC so the
 * result never depends on the machine's time zone. Impossible dates (02/30/2024) and spreadsheet serial
 * numbers are rejected.
 */
export function parseDate(raw: string, order: DateOrder = 'MDY'): string | undefined {
  if (isPlaceholder(raw)) return undefined;
  const trimmed = raw.trim();
  const spaced = /\s\s|[^\S ]/.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
  // A bare ISO date may carry a "Z" (UTC), as some exports write it: "2024-03-05Z" is that day.
  const text = BARE_ISO_DATE_UTC.test(spaced) ? spaced.slice(0, -1) : spaced;
  let year: number;
  let month: number;
  let day: number;
  let time: (string | undefined)[];
  let m: RegExpExecArray | null;
  if ((m = ISO_LIKE.exec(text))) {
    [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    time = m.slice(4);
  } else if ((m = NUMERIC.exec(text))) {
    const [a, b] = [Number(m[1]), Number(m[3])];
    const dayFirst = m[2] === '.' || order === 'DMY';
    [day, month] = dayFirst ? [a, b] : [b, a];
    year = m[4]!.length === 2 ? twoDigitYear(Number(m[4])) : Number(m[4]);
    time = m.slice(5);
  } else if ((m = DAY_MONTH_NAME.exec(text)) || (m = MONTH_NAME_DAY.exec(text))) {
    const dayFirst = /^\d/.test(m[1]!);
    const monthName = (dayFirst ? m[2] : m[1])!.toLowerCase();
    day = Number(dayFirst ? m[1] : m[2]);
    month = MONTHS[monthName] ?? invalid(`"${raw.trim()}" is not a date ("${monthName}" is not a month)`);
    year = Number(m[3]);
    time = m.slice(4);
  } else {
    return invalid(`"${raw.trim()}" is not a date (expected e.g. 2024-03-05, ${order === 'DMY' ? '05/03/2024' : '03/05/2024'} or 5 Mar 2024)`);
  }
  return toIso(raw.trim(), year, month, day, time);
}

function twoDigitYear(yy: number): number {
  return yy >= 70 ? 1900 + yy : 2000 + yy;
}

function toIso(raw: string, year: number, month: number, day: number, time: (string | undefined)[]): string {
  const [hh, mm, ss, fraction, meridiem, zone] = time;
  let hours = hh === undefined ? 0 : Number(hh);
  if (meridiem) {
    if (hours < 1 || hours > 12) return invalid(`"${raw}" has an impossible time`);
    hours = (hours % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0);
  }
  const minutes = mm === undefined ? 0 : Number(mm);
  const seconds = ss === undefined ? 0 : Number(ss);
  const millis = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  if (year < 1900 || year > 2100) return invalid(`"${raw}" has an implausible year (${year})`);
  if (hours > 23 || minutes > 59 || seconds > 59) return invalid(`"${raw}" has an impossible time`);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return invalid(`"${raw}" is not a real date (day ${day}, month ${month})`);
  const offset = zoneOffsetMs(zone);
  // Formatting the fields directly is several times faster than a Date round trip, and gives the same
  // text whenever no offset or rounding can carry into another field.
  if (offset === 0 && millis < 1000) return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(millis).padStart(3, '0')}Z`;
  return new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds, millis) - offset).toISOString();
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/** Record ids: single-line text up to 200 characters (the lead contract's limit). */
export function cleanId(raw: string): string | undefined {
  const id = cleanText(raw);
  if (id !== undefined && id.length > 200) invalid(`"${id.slice(0, 40)}…" is longer than 200 characters, too long for an id`);
  return id;
}
