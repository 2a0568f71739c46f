import type { Lead } from '../lead';
import { ByteWriter } from './byte-writer';

/**
 * Duplicate detection and merging for imported rows, in two streaming passes so memory does not grow with
 * the rows' content: pass 1 (`DedupeIndex`) sees only each accepted row's keys and date and groups rows
 * with a union-find over typed arrays; pass 2 (`mergeLines`) merges the rows of each multi-row group once
 * its last row has arrived, value by value from the rows' JSON lines.
 *
 * **Same lead** when any of these match (transitively: A~B by email and B~C by name + domain make one
 * lead of A, B and C):
 * - the same email, case-insensitively (emails arrive lowercased);
 * - the same first + last name (case- and whitespace-insensitive) at the same company domain. Only the
 *   company domain column counts, never the email's domain, so two "John Smith"s on gmail.com stay apart;
 * - the same record id (an export listing a record twice).
 *
 * **Merging**, field by field:
 * - engagement counters add up (two CRM records of one person each saw part of the activity);
 * - yes/no fields are OR-ed (a demo requested on either record was requested), `converted` too, and
 *   boolean attributes;
 * - `created_at` is the earliest and `last_activity_at` the latest of the rows;
 * - the id is the first row's id (in file order), so ids stay stable as exports grow at the end;
 * - every other field, attributes included: the newest non-empty value wins, "newest" meaning the row
 *   with the latest `last_activity_at` (else `created_at`); a row with neither counts as older than any
 *   dated row; on a tie (or no dates at all) the later row in the file wins.
 */

export type Draft = Omit<Lead, 'id'> & { id?: string };

export interface DedupeStats {
  /** Rows folded into a lead seen earlier, by the first key that matched. */
  byEmail: number;
  byName: number;
  byId: number;
  /** Leads joined into one because a later row matched both (e.g. one's email and the other's name). */
  linked: number;
}

const LINE_FEED = 10;
const BACKSLASH = 0x5c;
const ZERO = 0x30;

/** An ASCII byte lowercased (other bytes as they are). */
const lowerAscii = (byte: number) => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);

/** The number written by the digits `bytes[from, to)`, or -1 if one is not a digit. */
function digitsValue(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = bytes[i]! - ZERO;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** Whether the inside of the JSON string text `bytes[start, end)` has an escape or, unless `nonAscii` is allowed, a non-ASCII byte. */
function needsDecoding(bytes: Uint8Array, start: number, end: number, nonAscii: boolean): boolean {
  for (let i = start + 1; i < end - 1; i++) if (bytes[i] === BACKSLASH || (!nonAscii && bytes[i]! >= 0x80)) return true;
  return false;
}

/**
 * Rows' keys in the form they cross threads in and `DedupeIndex.addRows` reads: per row its id, email and
 * name key as UTF-8, each followed by a line feed (nothing before it: no such key). Clean keys are never
 * empty and never contain a line break. As bytes, the main thread hashes and compares keys without a
 * string per key. The row engine writes most rows' keys from their values' JSON texts itself
 * (assembly/row-engine.ts `writeKeys`, the same rules); this writes the keys of rows with escaped values
 * or non-ASCII names, into the engine's keys region.
 */
export class RowKeysWriter {
  constructor(private readonly out: ByteWriter) {}

  /** The row's next key, or none. */
  text(key: string | undefined): void {
    if (key) this.out.appendText(key);
    this.out.appendByte(LINE_FEED);
  }

  /** The row's next key, given as the JSON text of a string, `json[start, end)` (start < 0: none). */
  json(json: Buffer, start: number, end: number): void {
    if (start >= 0 && needsDecoding(json, start, end, true)) return this.text(JSON.parse(json.toString('utf8', start, end)) as string);
    if (start >= 0) this.out.append(json, start + 1, end - 1);
    this.out.appendByte(LINE_FEED);
  }

  /**
   * The row's name key (`nameKey`), from the JSON texts of its first name, last name and company domain
   * (start < 0: none). ASCII names are lowercased here, byte by byte; others by `nameKey` itself.
   */
  nameJson(json: Buffer, firstStart: number, firstEnd: number, lastStart: number, lastEnd: number, domainStart: number, domainEnd: number): void {
    if (firstStart < 0 || lastStart < 0 || domainStart < 0) return this.text(undefined);
    if (needsDecoding(json, firstStart, firstEnd, false) || needsDecoding(json, lastStart, lastEnd, false) || needsDecoding(json, domainStart, domainEnd, true)) {
      const text = (start: number, end: number) => JSON.parse(json.toString('utf8', start, end)) as string;
      return this.text(nameKey({ first_name: text(firstStart, firstEnd), last_name: text(lastStart, lastEnd), company_domain: text(domainStart, domainEnd) }));
    }
    // An empty value ("") is no value, as in `nameKey`.
    if (firstEnd - firstStart <= 2 || lastEnd - lastStart <= 2 || domainEnd - domainStart <= 2) return this.text(undefined);
    const bytes = this.out.reserve(firstEnd - firstStart + lastEnd - lastStart + domainEnd - domainStart);
    let at = this.out.length;
    for (let i = firstStart + 1; i < firstEnd - 1; i++) bytes[at++] = lowerAscii(json[i]!);
    bytes[at++] = 0;
    for (let i = lastStart + 1; i < lastEnd - 1; i++) bytes[at++] = lowerAscii(json[i]!);
    bytes[at++] = 0;
    for (let i = domainStart + 1; i < domainEnd - 1; i++) bytes[at++] = json[i]!;
    bytes[at++] = LINE_FEED;
    this.out.length = at;
  }
}

const SUMMED = new Set(['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d']);
const ORED = new Set(['webinar_attended', 'demo_requested', 'converted']);

/** Names arrive cleaned (trimmed, whitespace runs collapsed), so lowercasing is all the normalising left. */
export function nameKey(draft: Pick<Draft, 'first_name' | 'last_name' | 'company_domain'>): string | undefined {
  if (!draft.first_name || !draft.last_name || !draft.company_domain) return undefined;
  return `${draft.first_name.toLowerCase()}\u0000${draft.last_name.toLowerCase()}\u0000${draft.company_domain}`;
}

/**
 * Epoch ms of a clean date's JSON text, `json[start, end)` (start < 0: none, -Infinity), for ordering rows
 * by "newest wins" (for the row engine's `parseTime`). The cleaners write dates as "2024-03-05T14:22:07.123Z".
 */
export function isoJsonTime(json: Buffer, start: number, end: number): number {
  if (start < 0) return Number.NEGATIVE_INFINITY;
  if (end - start !== 26) return Date.parse(JSON.parse(json.toString('utf8', start, end)) as string);
  // Spelled out rather than through a helper made here: this runs once per row, and under tsx every
  // function made at run time is also named, which costs more than the call.
  return Date.UTC(
    digitsValue(json, start + 1, start + 5),
    digitsValue(json, start + 6, start + 8) - 1,
    digitsValue(json, start + 9, start + 11),
    digitsValue(json, start + 12, start + 14),
    digitsValue(json, start + 15, start + 17),
    digitsValue(json, start + 18, start + 20),
    digitsValue(json, start + 21, start + 24),
  );
}

/** An Int32Array / Float64Array that doubles when full. */
class Growable<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (size: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.data.length * 2);
    this.data[this.length++] = value;
  }
  /** Makes room for `size` values in all. */
  reserve(size: number): void {
    if (size <= this.data.length) return;
    const grown = this.make(size);
    grown.set(this.data);
    this.data = grown;
  }
}
const int32s = () => new Growable(new Int32Array(1024), (n) => new Int32Array(n));

/** Whether `a[aStart, aStart + length)` equals `b[bStart, …)` (a loop: keys are too short for a native compare to pay). */
function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/**
 * Key bytes are kept in pages of this size (a longer key gets a page of its own): storing more never
 * copies what is stored. Doubling one buffer instead touched twice the memory, and touching fresh memory
 * costs a page fault per 4 KiB (about 12 µs on the machine this was built on).
 */
const KEY_PAGE_BYTES = 1 << 20;
/** Pages a table can hold: positions (page × page size + offset, plus one) must fit an int32. */
const MAX_KEY_PAGES = 2047;

/**
 * An exact key → number map for millions of short byte-string keys, kept off the JS heap: the keys' bytes
 * in pages of one buffer each, open addressing over typed arrays. About 60 bytes a key against ~100 in a
 * `Map` (whose keys are separate string objects), and nothing for the garbage collector to trace.
 */
export class KeyTable {
  private readonly pages: Buffer[] = [Buffer.allocUnsafe(KEY_PAGE_BYTES)];
  /** The page keys are being added to, and how much of it is used. */
  private page = this.pages[0]!;
  private used = 0;
  /**
   * Per slot, four numbers side by side: the key's hash, its position (page × KEY_PAGE_BYTES + offset)
   * + 1 (0 = empty slot), byte length, and value. Side by side, a probe reads one cache line instead of
   * one per array, which matters once the table outgrows the CPU caches (hundreds of thousands of keys).
   */
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /**
   * The key last missed by `get` (its bytes already copied to the free end of the page) and where it
   * would go, so `set` neither probes nor copies again (fields, not an object per miss).
   */
  private missed = false;
  private missedLength = 0;
  private missedSlot = 0;
  private missedHash = 0;

  /** `slots`: a power of two, room for 3/4 as many keys before the table grows. */
  constructor(slots = 1 << 12) {
    this.slots = new Int32Array(slots * 4);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value of the key `source[start, end)`, or -1. */
  get(source: Uint8Array, start: number, end: number): number {
    const length = end - start;
    let hash = 0x811c9dc5;
    // Copied as it is hashed, to where `set` keeps a new key (most keys are new).
    if (this.used + length > this.page.length) this.newPage(length);
    const { page, used } = this;
    for (let i = 0; i < length; i++) {
      const byte = source[start + i]!;
      page[used + i] = byte;
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    const { slots, mask, pages } = this;
    let slot = hash & mask;
    for (let position = slots[slot * 4 + 1]!; position !== 0; position = slots[slot * 4 + 1]!) {
      if (
        slots[slot * 4] === hash &&
        slots[slot * 4 + 2] === length &&
        sameBytes(source, start, pages[Math.floor((position - 1) / KEY_PAGE_BYTES)]!, (position - 1) % KEY_PAGE_BYTES, length)
      ) {
        this.missed = false;
        return slots[slot * 4 + 3]!;
      }
      slot = (slot + 1) & mask;
    }
    this.missed = true;
    this.missedLength = length;
    this.missedSlot = slot;
    this.missedHash = hash;
    return -1;
  }

  /** Adds the key `get` just reported missing (no other key looked up in between). */
  set(value: number): void {
    if (!this.missed) throw new Error('KeyTable.set: no key was just reported missing');
    this.missed = false;
    const { missedLength: length, missedSlot: slot, missedHash: hash } = this;
    const { used, slots } = this;
    slots[slot * 4] = hash;
    slots[slot * 4 + 1] = (this.pages.length - 1) * KEY_PAGE_BYTES + used + 1;
    slots[slot * 4 + 2] = length;
    slots[slot * 4 + 3] = value;
    this.used += length;
    if (++this.count * 4 > (this.mask + 1) * 3) this.resize((this.mask + 1) * 2);
  }

  /** Makes room for `keys` keys in all (one resize, where adding them would double the table step by step). */
  reserve(keys: number): void {
    let size = this.mask + 1;
    while (keys * 4 > size * 3) size *= 2;
    if (size > this.mask + 1) this.resize(size);
  }

  /** Starts a new page (of its own for a key longer than a page). */
  private newPage(length: number): void {
    if (this.pages.length === MAX_KEY_PAGES) throw new Error(`KeyTable: more than ${MAX_KEY_PAGES} MiB of keys`);
    this.page = Buffer.allocUnsafe(Math.max(KEY_PAGE_BYTES, length));
    this.pages.push(this.page);
    this.used = 0;
  }

  /** Moves every key to a table of `size` slots (a power of two). The load is kept under 3/4 so probes stay short. */
  private resize(size: number): void {
    const old = this.slots;
    const slots = new Int32Array(size * 4);
    const mask = size - 1;
    for (let i = 0; i < old.length; i += 4) {
      if (old[i + 1] === 0) continue;
      let slot = old[i]! & mask;
      while (slots[slot * 4 + 1] !== 0) slot = (slot + 1) & mask;
      for (let k = 0; k < 4; k++) slots[slot * 4 + k] = old[i + k]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** The most keys a table is sized for ahead of them (`DedupeIndex.expect`): 2^22 slots, 64 MiB. */
const MAX_EXPECTED_KEYS = 3 << 20;

/**
 * Pass 1: rows (clean and accepted, in file order) → groups. Holds per row 12 bytes, per group 8, plus one
 * `KeyTable` entry per distinct key: no strings on the JS heap. Group numbers are assigned in order of each
 * group's first row; when two groups join, the one with the earlier first row survives and keeps its id,
 * exactly as rows folding in one by one would.
 */
export class DedupeIndex {
  private byEmail = new KeyTable();
  private byName = new KeyTable();
  private byId = new KeyTable();
  private readonly parent = int32s();
  /** Group → the row whose id the group keeps (-1: none yet). */
  private readonly idRows = int32s();
  private readonly rowGroup = int32s();
  private readonly times = new Growable(new Float64Array(1024), (n) => new Float64Array(n));
  readonly stats: DedupeStats = { byEmail: 0, byName: 0, byId: 0, linked: 0 };
  private readonly matches: number[] = [];

  get rows(): number {
    return this.rowGroup.length;
  }

  /**
   * Sizes the index for `rows` accepted rows in all, at the keys per row seen so far: each table and
   * array is then allocated once, instead of doubling as rows come (every doubling rehashed and touched
   * fresh memory, at a page fault per 4 KiB). A hint: more rows than expected still fit. A table takes at
   * most `MAX_EXPECTED_KEYS` from it, since a wrong guess would cost memory its keys touch all over.
   */
  expect(rows: number): void {
    const seen = this.rowGroup.length;
    if (seen === 0 || rows <= seen) return;
    for (const table of [this.byEmail, this.byName, this.byId]) table.reserve(Math.min(MAX_EXPECTED_KEYS, Math.ceil((table.size * rows) / seen)));
    for (const array of [this.parent, this.idRows, this.rowGroup, this.times]) array.reserve(rows);
  }

  /**
   * Adds the next accepted rows, given as `RowKeysWriter` bytes and dates; returns the first one's row
   * number (rows are numbered from 0 among accepted rows, in file order).
   */
  addRows(keys: Uint8Array, times: Float64Array): number {
    const first = this.rowGroup.length;
    let at = 0;
    for (let r = 0; r < times.length; r++) {
      const idEnd = keys.indexOf(LINE_FEED, at);
      const emailEnd = keys.indexOf(LINE_FEED, idEnd + 1);
      const nameEnd = keys.indexOf(LINE_FEED, emailEnd + 1);
      if (nameEnd < 0) throw new Error('DedupeIndex.addRows: fewer keys than dates');
      this.addRow(keys, at, idEnd, emailEnd, nameEnd, times[r]!);
      at = nameEnd + 1;
    }
    return first;
  }

  /** One row: its id is `keys[idStart, idEnd)`, its email and name key follow, each after a line feed. */
  private addRow(keys: Uint8Array, idStart: number, idEnd: number, emailEnd: number, nameEnd: number, time: number): void {
    const row = this.rowGroup.length;
    this.times.push(time);
    const matches = this.matches;
    matches.length = 0;
    const hasId = idEnd > idStart;
    const byId = this.hit(this.byId, keys, idStart, idEnd);
    const byEmail = this.hit(this.byEmail, keys, idEnd + 1, emailEnd);
    const byName = this.hit(this.byName, keys, emailEnd + 1, nameEnd);
    let root: number;
    if (matches.length === 0) {
      root = this.parent.length;
      this.parent.push(root);
      this.idRows.push(hasId ? row : -1);
    } else {
      if (byId) this.stats.byId++;
      else if (byEmail) this.stats.byEmail++;
      else if (byName) this.stats.byName++;
      root = matches[0]!;
      for (let i = 1; i < matches.length; i++) root = this.union(root, matches[i]!);
      if (hasId && this.idRows.data[root]! < 0) this.idRows.data[root] = row;
    }
    this.rowGroup.push(root);
    // A key that missed is added now, pointing at the row's group.
    if (hasId && !byId) this.byId.set(root);
    if (emailEnd > idEnd + 1 && !byEmail) this.byEmail.set(root);
    if (nameEnd > emailEnd + 1 && !byName) this.byName.set(root);
  }

  /** Looks the key `keys[start, end)` up (an empty range: no key); on a hit, notes the group it is in. */
  private hit(index: KeyTable, keys: Uint8Array, start: number, end: number): boolean {
    if (end === start) return false;
    const group = index.get(keys, start, end);
    if (group < 0) return false;
    const root = this.find(group);
    if (!this.matches.includes(root)) this.matches.push(root);
    return true;
  }

  private find(group: number): number {
    const parent = this.parent.data;
    let root = group;
    while (parent[root] !== root) root = parent[root]!;
    // Path compression keeps later look-ups O(α(n)).
    while (parent[group] !== root) {
      const next = parent[group]!;
      parent[group] = root;
      group = next;
    }
    return root;
  }

  /** Joins two groups; the one created first (earlier first row) survives, with its id if it has one. */
  private union(a: number, b: number): number {
    if (a === b) return a;
    const [keep, drop] = a < b ? [a, b] : [b, a];
    this.parent.data[drop] = keep;
    if (this.idRows.data[keep]! < 0) this.idRows.data[keep] = this.idRows.data[drop]!;
    this.stats.linked++;
    return keep;
  }

  /** Ends pass 1: the key maps are dropped and every row is pointed at its final group. */
  finish(): DedupeGroups {
    // The key tables are only needed while rows arrive.
    this.byEmail = new KeyTable();
    this.byName = new KeyTable();
    this.byId = new KeyTable();
    const rows = this.rowGroup.length;
    const groupOf = this.rowGroup.data.subarray(0, rows);
    const sizes = new Int32Array(this.parent.length);
    for (let row = 0; row < rows; row++) {
      const group = this.find(groupOf[row]!);
      groupOf[row] = group;
      sizes[group]!++;
    }
    return new DedupeGroups(groupOf, sizes, this.idRows.data.subarray(0, this.idRows.length), this.times.data.subarray(0, rows));
  }
}

/** Pass 1's result: which group each row is in, each group's size and id, and each row's date. */
export class DedupeGroups {
  constructor(
    /** Row → its group (a group number is only ever a surviving group's). */
    readonly groupOf: Int32Array,
    /** Group → rows in it (0 for groups joined into another). */
    readonly sizes: Int32Array,
    /** Group → the row whose id it keeps (-1: none, generate one). */
    readonly idRows: Int32Array,
    readonly times: Float64Array,
  ) {}

  private surviving: Int32Array | null = null;

  /** Surviving groups (= leads), in order of their first row. */
  get leadGroups(): Int32Array {
    if (!this.surviving) {
      let n = 0;
      for (const size of this.sizes) if (size > 0) n++;
      this.surviving = new Int32Array(n);
      n = 0;
      for (let group = 0; group < this.sizes.length; group++) if (this.sizes[group]! > 0) this.surviving[n++] = group;
    }
    return this.surviving;
  }

  get leadCount(): number {
    return this.leadGroups.length;
  }

  /** Whether row `a` is newer than row `b` for "newest non-empty value wins" (ties: the later row). */
  newer(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta !== tb ? ta > tb : a > b;
  }
}

/** How one value of a lead combines across the lead's rows (see this module's comment). */
export type MergeRule = 'id' | 'sum' | 'or' | 'earliest' | 'latest' | 'newest';

/** The merge rule of lead field `prop`, or of an attribute (`attribute` given: whether it is boolean). */
export function mergeRuleOf(prop: string, attribute: { boolean: boolean } | null): MergeRule {
  if (attribute) return attribute.boolean ? 'or' : 'newest';
  if (prop === 'id') return 'id';
  if (SUMMED.has(prop)) return 'sum';
  if (ORED.has(prop)) return 'or';
  if (prop === 'created_at') return 'earliest';
  if (prop === 'last_activity_at') return 'latest';
  return 'newest';
}

/**
 * How the row stage writes a row's JSON line (`RowPlan` is one): `{"key":value,…,"attributes":{…}}`
 * with each value slot's member only when it has a value.
 */
export interface LineLayout {
  /** Per value slot, its key as JSON text with the colon (`"email":`). */
  keyJson: readonly Buffer[];
  /** The lead fields' slots in the order they are written (the lead contract's, so the id first). */
  fieldOrder: readonly number[];
  /** The attributes' slots, in the order they are written inside `"attributes":{…}`. */
  attributeIndexes: readonly number[];
  mergeRules: readonly MergeRule[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const TRUE_FIRST = 0x74;
/** What opens a JSON line's attributes. */
export const ATTRIBUTES_JSON = Buffer.from('"attributes":{');

/** Whether `bytes` has `text` at `at`, before `end`. */
function hasAt(bytes: Uint8Array, at: number, end: number, text: Buffer): boolean {
  if (at + text.length > end) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text[i]) return false;
  return true;
}

/**
 * Where the JSON value (a string, number or boolean) starting at `at` ends. A string's closing quote is
 * found with `indexOf` (native on a Buffer: descriptions run to hundreds of bytes); a quote after an odd
 * number of backslashes is escaped.
 */
function valueEnd(bytes: Uint8Array, at: number, end: number): number {
  if (bytes[at] === QUOTE) {
    for (let i = bytes.indexOf(QUOTE, at + 1); i >= 0 && i < end; i = bytes.indexOf(QUOTE, i + 1)) {
      let backslashes = 0;
      while (bytes[i - 1 - backslashes] === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return i + 1;
    }
    return end;
  }
  let i = at;
  while (i < end && bytes[i] !== COMMA && bytes[i] !== CLOSE_BRACE) i++;
  return i;
}

/** Where each value of a JSON line (`LineLayout`) is: per slot, its JSON text's range (start -1: none). */
export class LineValues {
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(private readonly layout: LineLayout) {
    this.starts = new Int32Array(layout.keyJson.length);
    this.ends = new Int32Array(layout.keyJson.length);
  }

  /** Reads the line `line[start, end)`. */
  read(line: Uint8Array, start: number, end: number): this {
    this.starts.fill(-1);
    const at = this.members(this.layout.fieldOrder, line, start + 1, end);
    if (hasAt(line, at, end, ATTRIBUTES_JSON)) this.members(this.layout.attributeIndexes, line, at + ATTRIBUTES_JSON.length, end);
    return this;
  }

  /** Reads the members of `slots` that the line has, from `at`; returns where the next member starts. */
  private members(slots: readonly number[], line: Uint8Array, at: number, end: number): number {
    // Members come in slot order, and no key is a prefix of another (each ends in `":`), so a slot's
    // key at `at` means the slot has a value; otherwise the slot was left out.
    for (const slot of slots) {
      const key = this.layout.keyJson[slot]!;
      if (!hasAt(line, at, end, key)) continue;
      const valueAt = at + key.length;
      const after = valueEnd(line, valueAt, end);
      this.starts[slot] = valueAt;
      this.ends[slot] = after;
      at = line[after] === COMMA ? after + 1 : after;
    }
    return at;
  }
}

/** Compares two byte ranges as strings (`a < b`: negative), which for ASCII JSON texts is their values' order. */
function compareBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return a[aStart + i]! - b[bStart + i]!;
  return aEnd - aStart - (bEnd - bStart);
}

/** A row of a lead being merged: its row number, JSON line, and where the line's values are (read once). */
export interface MergedRow {
  row: number;
  line: Buffer;
  values: LineValues;
}

/**
 * Which row's value of `slot` the merged lead takes (-1: no row has one), by the slot's rule; for a sum,
 * any row with a value. Top-level functions rather than closures per slot: under tsx, every function
 * made at run time is also named, which cost more than the merging.
 */
function winningRow(rule: MergeRule, rows: readonly MergedRow[], slot: number, groups: DedupeGroups, idRow: number): number {
  let winner = -1;
  for (let m = 0; m < rows.length; m++) {
    const { row, line, values } = rows[m]!;
    const start = values.starts[slot]!;
    if (start < 0) continue;
    if (rule === 'id') {
      if (row === idRow) winner = m;
      continue;
    }
    if (winner < 0) {
      winner = m;
      continue;
    }
    const best = rows[winner]!;
    const bestStart = best.values.starts[slot]!;
    const bestEnd = best.values.ends[slot]!;
    const end = values.ends[slot]!;
    if (
      (rule === 'or' && line[start] === TRUE_FIRST) ||
      (rule === 'earliest' && compareBytes(line, start, end, best.line, bestStart, bestEnd) < 0) ||
      (rule === 'latest' && compareBytes(line, start, end, best.line, bestStart, bestEnd) > 0) ||
      (rule === 'newest' && groups.newer(row, best.row))
    ) {
      winner = m;
    }
  }
  return winner;
}

/** Writes `slot`'s merged value after its key (and `separator`, 0: none); false when it has none. */
function writeMerged(layout: LineLayout, rows: readonly MergedRow[], slot: number, groups: DedupeGroups, idRow: number, separator: number, out: ByteWriter): boolean {
  const rule = layout.mergeRules[slot]!;
  const winner = winningRow(rule, rows, slot, groups, idRow);
  if (winner < 0) return false;
  if (separator) out.appendByte(separator);
  const key = layout.keyJson[slot]!;
  out.append(key, 0, key.length);
  if (rule === 'sum') {
    let sum = 0;
    for (const { line, values } of rows) if (values.starts[slot]! >= 0) sum += Number(line.toString('latin1', values.starts[slot]!, values.ends[slot]!));
    out.appendText(String(sum));
  } else {
    const { line, values } = rows[winner]!;
    out.append(line, values.starts[slot]!, values.ends[slot]!);
  }
  return true;
}

/**
 * Merges one group's rows, each its JSON line (`LineLayout`) with its row number, in file order, by the
 * rules in this module's comment, and writes the lead's JSON line (no line break) to `out`, values copied
 * from the rows' texts. The id is row `idRow`'s (-1: the group has none, and the line none).
 */
export function mergeLines(layout: LineLayout, rows: readonly MergedRow[], groups: DedupeGroups, idRow: number, out: ByteWriter): void {
  out.appendByte(OPEN_BRACE);
  let written = 0;
  for (const slot of layout.fieldOrder) if (writeMerged(layout, rows, slot, groups, idRow, written > 0 ? COMMA : 0, out)) written++;
  let attributes = 0;
  for (const slot of layout.attributeIndexes) {
    if (attributes === 0) {
      const mark = out.length;
      if (written > 0) out.appendByte(COMMA);
      out.append(ATTRIBUTES_JSON, 0, ATTRIBUTES_JSON.length);
      if (writeMerged(layout, rows, slot, groups, idRow, 0, out)) attributes++;
      else out.length = mark;
    } else if (writeMerged(layout, rows, slot, groups, idRow, COMMA, out)) attributes++;
  }
  if (attributes > 0) out.appendByte(CLOSE_BRACE);
  out.appendByte(CLOSE_BRACE);
}
