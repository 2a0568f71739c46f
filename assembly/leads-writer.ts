/**
 * Pass 2's leads of one row each, compiled to WebAssembly (AssemblyScript; built by `npm run engine:build`
 * into lib/import/leads-writer.wasm). Pass 1 spilled each clean row as a JSON line with its category
 * values as spelling markers (NUL, the spelling table's number, NUL); pass 2 writes the leads file. A row
 * that is a lead of its own, with its id, becomes its line with each marker replaced by the file's
 * spelling of the row's value: that copying is done here, in runs between markers, with no call per
 * line. Any other row (part of a merged lead, or without an id) goes back to JavaScript
 * (lib/import/leads-writer.ts, import-csv.ts). Memory is laid out by the JavaScript side (`configure`).
 */

/** No complete line is left at the input position. */
const NEED_INPUT: i32 = 0;
/** The line at the input position is not a lead of its own with an id: JavaScript writes it (it ends at `lineEnd()`). */
const SPECIAL: i32 = 1;
/** The next lead does not fit in the output region. */
const OUT_FULL: i32 = 2;

const LINE_FEED: u32 = 0x0a;
const COMMA: u8 = 0x2c;

/** Per row, 1 if it is a lead of its own with its id. */
let simpleRows: usize = 0;
/** Per spelling table, the address of its rows' spelling numbers (i32 per row). */
let tableRows: usize = 0;
/** Per spelling table, the index of its first spelling among all tables' (i32). */
let tableFirst: usize = 0;
/** Per spelling (all tables), where its JSON text starts in `spellingJson` (i32), and one more at the end. */
let spellingOffsets: usize = 0;
let spellingJson: usize = 0;

export function configure(simple: usize, rows: usize, first: usize, offsets: usize, json: usize): void {
  simpleRows = simple;
  tableRows = rows;
  tableFirst = first;
  spellingOffsets = offsets;
  spellingJson = json;
}

// Where `writeLines` stopped.
let inputAt: usize = 0;
let outputAt: usize = 0;
let rowAt: i32 = 0;
let lineEndAt: usize = 0;
let leadsWritten: i32 = 0;
export function inputPosition(): usize { return inputAt; }
export function outputPosition(): usize { return outputAt; }
export function row(): i32 { return rowAt; }
export function lineEnd(): usize { return lineEndAt; }
export function anyLeadWritten(): i32 { return leadsWritten; }

/** The first line feed or NUL in `[at, end)`, else `end`: 16 bytes at a time (SIMD), then byte by byte. */
function nextStop(at: usize, end: usize): usize {
  while (at + 16 <= end) {
    const chunk = v128.load(at);
    const found = i8x16.bitmask(v128.or(i8x16.eq(chunk, i8x16.splat(0)), i8x16.eq(chunk, i8x16.splat(<i8>LINE_FEED))));
    if (found != 0) return at + <usize>ctz(found);
    at += 16;
  }
  while (at < end) {
    const byte = <u32>load<u8>(at);
    if (byte == 0 || byte == LINE_FEED) return at;
    at++;
  }
  return end;
}

/** The first line feed in `[at, end)`, else `end`. */
function nextLineFeed(at: usize, end: usize): usize {
  for (let stop = nextStop(at, end); stop < end; stop = nextStop(stop + 1, end)) if (<u32>load<u8>(stop) == LINE_FEED) return stop;
  return end;
}

/**
 * Writes the leads of the spill lines in `[start, end)`, the first of them row `first`, to `[out, outEnd)`:
 * one-row leads with an id, each after ",\n" unless it is the file's first lead (`written`: whether one
 * was). Stops at the first line that is incomplete (NEED_INPUT), another kind of row (SPECIAL) or does not
 * fit (OUT_FULL); where it stopped is read with the getters above.
 */
export function writeLines(start: usize, end: usize, first: i32, out: usize, outEnd: usize, written: i32): i32 {
  let at = start;
  let r = first;
  let o = out;
  let status = NEED_INPUT;
  for (;;) {
    if (load<u8>(simpleRows + <usize>r) == 0) {
      const lineFeed = nextLineFeed(at, end);
      if (lineFeed < end) {
        lineEndAt = lineFeed;
        status = SPECIAL;
      }
      break;
    }
    const leadStart = o;
    if (written != 0) {
      if (o + 2 > outEnd) {
        status = OUT_FULL;
        break;
      }
      store<u8>(o, COMMA);
      store<u8>(o + 1, <u8>LINE_FEED);
      o += 2;
    }
    let segment = at;
    let complete = false;
    for (;;) {
      const stop = nextStop(segment, end);
      if (stop >= end) break;
      const length = stop - segment;
      if (o + length > outEnd) {
        status = OUT_FULL;
        break;
      }
      memory.copy(o, segment, length);
      o += length;
      if (<u32>load<u8>(stop) == LINE_FEED) {
        complete = true;
        segment = stop + 1;
        break;
      }
      // A spelling marker: NUL, the table's number in decimal digits, NUL.
      let table: i32 = 0;
      let digit = stop + 1;
      while (digit < end && load<u8>(digit) != 0) {
        table = table * 10 + <i32>load<u8>(digit) - 48;
        digit++;
      }
      if (digit >= end) break;
      const spelling = load<i32>(tableFirst + (<usize>table << 2)) + load<i32>(<usize>load<i32>(tableRows + (<usize>table << 2)) + (<usize>r << 2));
      const jsonStart = load<i32>(spellingOffsets + (<usize>spelling << 2));
      const jsonLength = <usize>(load<i32>(spellingOffsets + (<usize>(spelling + 1) << 2)) - jsonStart);
      if (o + jsonLength > outEnd) {
        status = OUT_FULL;
        break;
      }
      memory.copy(o, spellingJson + <usize>jsonStart, jsonLength);
      o += jsonLength;
      segment = digit + 1;
    }
    if (!complete) {
      o = leadStart;
      break;
    }
    at = segment;
    r++;
    written = 1;
  }
  inputAt = at;
  outputAt = o;
  rowAt = r;
  leadsWritten = written;
  return status;
}
