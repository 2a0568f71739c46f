import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, openSync, promises as fs, writeSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';

/**
 * The one pass over a CSV export's bytes before DuckDB reads it: decode it to UTF-8 and copy it to a
 * spool file in the import's temp directory, writing each non-empty physical line's number and the
 * delimiter in front of it (`17,…`). No CSV is parsed here: lines are cut at line feeds only, quotes are
 * not looked at.
 *
 * Why the numbers: DuckDB's reader reports neither the physical line a record starts on nor where a
 * rejected record ends (its `line` counts records, and a rejected record's text is cut at 10,000
 * characters). With the number as the first field, every record DuckDB returns or rejects carries the
 * line it starts on, and a line swallowed into another record (a stray quote) still shows its number
 * inside that record. The continuation lines of a quoted multi-line value carry a number too, which
 * the reader strips again (`\n17,` → `\n`); empty lines get none, so DuckDB skips them as it always does.
 *
 * A line with a byte outside printable ASCII (a control character other than tab and CR, or any non-ASCII
 * character) gets its number negated (`-17,`): cells of the other lines need no per-cell check that they
 * are plain ASCII before a SQL fast path takes them (cells.ts).
 */

export const ENCODINGS = ['utf-8', 'windows-1252', 'latin-1', 'utf-16'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export type Delimiter = ',' | ';' | '\t' | '|';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

/** The spool and what the pass learnt about the source's lines. */
export interface NumberedSource {
  path: string;
  delimiter: Delimiter;
  /** The encoding the source was read in (`utf-16` also when found by its byte-order mark). */
  encoding: Encoding;
  /** Physical lines of the source (a last line without a line break counts). */
  lines: number;
  /** Per line (index line − 1), where it starts in the spool; one more entry: the spool's size. */
  starts: Float64Array;
  /** Per line: `EMPTY` (nothing but a line break; no number written), `SPACES` (only spaces/tabs), else 0. */
  blank: Uint8Array;
  /** The header line's text, for finding the delimiter and the column names. */
  headerLine: string;
  /** The header's line: 1, or 2 after Excel's delimiter line (`sep=;`), which is left out of the spool. */
  headerAt: 1 | 2;
  /** What ends a line: a line feed (LF or CR LF), or a carriage return for files that use lone CRs. */
  lineBreak: '\n' | '\r';
}

export const EMPTY = 1;
export const SPACES = 2;

const LF = 0x0a;
/** A byte outside printable ASCII, tab, LF and CR (matched on a latin-1 view of the bytes: one character per byte). */
const NOT_PLAIN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]/g;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
/** A header line longer than this is not a header: the file is not CSV (or has no line breaks). */
const MAX_HEADER_BYTES = 1 << 20;
/** Excel's delimiter line, alone before the header (`sep=;`): Excel reads it and so do we. */
const SEP_LINE = /^sep=([,;\t|])$/i;

const notUtf8 = (detail: string) =>
  new AppError(
    'INVALID_INPUT',
    `${detail}. If it came from Excel on Windows, pass --encoding windows-1252 (or latin-1, utf-16); or re-save it as UTF-8 (Excel: File → Save As → "CSV UTF-8"). Nothing was imported.`,
  );

/** The source's bytes: a file, standard input for `-`, or the text itself. */
async function* bytesOf(source: string | { text: string }): AsyncGenerator<Buffer> {
  if (typeof source !== 'string') {
    yield Buffer.from(source.text);
    return;
  }
  if (source === '-') {
    for await (const chunk of process.stdin) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    return;
  }
  try {
    await fs.access(source);
  } catch (error) {
    throw new AppError('INVALID_INPUT', `CSV file not found or not readable: ${source}`, { cause: error });
  }
  yield* createReadStream(source, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
}

/** Length of `bytes` up to the last complete UTF-8 character (a character cut by the chunk's end waits for the next). */
function completeLength(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  while (i >= 0 && bytes.length - i < 4 && (bytes[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return bytes.length;
  const lead = bytes[i]!;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - i < size ? i : bytes.length;
}

/**
 * Index of the first byte that cannot start or continue a UTF-8 sequence (for the error message).
 * A sequence cut by the chunk's end counts as valid: it is carried into the next chunk.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return bytes.length;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i + k;
    }
    i += need + 1;
  }
  return 0;
}

/**
 * The source as UTF-8 bytes. UTF-8 is checked (a bad byte stops the import, naming its line: guessing
 * Windows-1252 would quietly turn "Müller" into "MÃ¼ller"); the other encodings are converted with
 * Node's WHATWG `TextDecoder` (latin-1 is ISO-8859-1: every byte its own code point). A UTF-16 byte-order
 * mark is honoured whatever `--encoding` says. Byte-order marks are dropped. `found` reports the encoding.
 */
async function* utf8Of(chunks: AsyncIterable<Buffer>, encoding: Encoding, found: (encoding: Encoding) => void): AsyncGenerator<Buffer> {
  let decoder: TextDecoder | null = null;
  let latin1 = false;
  let first = true;
  let carry: Buffer | null = null;
  let lines = 1;
  let offset = 0;
  for await (let chunk of chunks) {
    if (first) {
      first = false;
      const utf16 = chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff));
      const chosen: Encoding = utf16 ? 'utf-16' : encoding;
      found(chosen);
      if (chosen === 'utf-16') decoder = new TextDecoder(chunk[0] === 0xfe ? 'utf-16be' : 'utf-16le', { fatal: true });
      else if (chosen === 'windows-1252') decoder = new TextDecoder('windows-1252');
      else if (chosen === 'latin-1') latin1 = true;
      else if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    if (latin1) {
      yield Buffer.from(chunk.toString('latin1'));
    } else if (decoder) {
      try {
        yield Buffer.from(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        throw new AppError('INVALID_INPUT', `This file is not valid UTF-16 (from byte ${offset + 1} on). Nothing was imported.`, { cause: error });
      }
      offset += chunk.length;
    } else {
      const bytes: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const cut = completeLength(bytes);
      const body = bytes.subarray(0, cut);
      carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : null;
      if (!isUtf8(body)) {
        const at = firstInvalidUtf8(body);
        let line = lines;
        for (let i = body.indexOf(LF); i >= 0 && i < at; i = body.indexOf(LF, i + 1)) line++;
        throw notUtf8(`This file is not valid UTF-8: byte ${offset + at + 1}, on line ${line}, is not UTF-8`);
      }
      offset += body.length;
      for (let i = body.indexOf(LF); i >= 0; i = body.indexOf(LF, i + 1)) lines++;
      if (body.length) yield body;
    }
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest) yield Buffer.from(rest);
  }
  if (carry) throw notUtf8('This file is not valid UTF-8: it ends in the middle of a character');
}

/** Grows typed arrays by doubling: the pass does not know the number of lines in advance. */
class LineTable {
  starts = new Float64Array(1 << 16);
  blank = new Uint8Array(1 << 16);
  count = 0;

  add(start: number, blank: number): void {
    if (this.count === this.starts.length) {
      const starts = new Float64Array(this.count * 2);
      starts.set(this.starts);
      this.starts = starts;
      const flags = new Uint8Array(this.count * 2);
      flags.set(this.blank);
      this.blank = flags;
    }
    this.starts[this.count] = start;
    this.blank[this.count++] = blank;
  }
}

/**
 * Writes the numbered spool (see this module's comment) of `source` (a path, or `-` for standard input)
 * into `dir`. The delimiter is `delimiter`, or what `detect` finds in the header line.
 */
export async function numberLines(
  source: string | { text: string },
  dir: string,
  options: { encoding?: Encoding; delimiter?: Delimiter },
  detect: (headerLine: string) => Promise<Delimiter>,
): Promise<NumberedSource> {
  let encoding: Encoding = options.encoding ?? 'utf-8';
  const chunks = utf8Of(bytesOf(source), encoding, (found) => (encoding = found))[Symbol.asyncIterator]();
  const spoolPath = path.join(dir, 'source.csv');
  const fd = openSync(spoolPath, 'w');
  const table = new LineTable();
  try {
    // The header line first: the delimiter written in front of every line is read from it.
    let start: Buffer = Buffer.alloc(0);
    /** Reads on until `start` holds a line break at or after `from` (or more than a header can be). */
    const readHead = async (from: number): Promise<void> => {
      const parts: Buffer[] = [start];
      let length = start.length;
      let found = firstLineBreak(start, from) >= 0;
      while (!found && length <= MAX_HEADER_BYTES) {
        const next = await chunks.next();
        if (next.done) break;
        // Only the new chunk is searched: the bytes before it held no break at or after `from`.
        found = firstLineBreak(next.value, Math.max(0, from - length)) >= 0;
        parts.push(next.value);
        length += next.value.length;
      }
      start = Buffer.concat(parts);
    };
    await readHead(0);
    const name = typeof source !== 'string' ? 'The export' : source === '-' ? 'Standard input' : source;
    if (start.length === 0) throw new AppError('INVALID_INPUT', `${name} is empty: there is no header line. Nothing was imported.`);
    let firstBreak = firstLineBreak(start, 0);
    if (firstBreak < 0 && start.length > MAX_HEADER_BYTES) throw new AppError('INVALID_INPUT', `${name} has no line break in its first MB, so it is not a CSV export. Nothing was imported.`);
    if (firstBreak === 0) throw new AppError('INVALID_INPUT', `${name}: line 1 is empty; the header (the column names) must be the first line. Nothing was imported.`);
    // A CR at the end of what was read may be the first half of a CR LF.
    if (firstBreak >= 0 && start[firstBreak] === CR && firstBreak + 1 === start.length) await readHead(firstBreak + 1);
    // Lines end at line feeds; a file whose first line ends in a lone carriage return uses those (old Mac).
    const separator = firstBreak >= 0 && start[firstBreak] === CR && start[firstBreak + 1] !== LF ? CR : LF;
    const sepLine = firstBreak > 0 ? SEP_LINE.exec(start.toString('utf8', 0, firstBreak)) : null;
    // After Excel's delimiter line, the header is line 2. The delimiter line goes to the spool as an empty
    // line (no number, so DuckDB skips it), so every line keeps its physical number.
    const sepBreak = firstBreak;
    let headerStart = 0;
    if (sepLine) {
      headerStart = firstBreak + (start[firstBreak] === CR && start[firstBreak + 1] === LF ? 2 : 1);
      await readHead(headerStart);
      firstBreak = firstLineBreak(start, headerStart);
      if (headerStart >= start.length || firstBreak === headerStart) {
        throw new AppError('INVALID_INPUT', `${name}: line 2, after Excel's delimiter line "${sepLine[0]}", must be the header (the column names). Nothing was imported.`);
      }
    }
    const headerLine = start.toString('utf8', headerStart, firstBreak < 0 ? start.length : firstBreak);
    const delimiter = options.delimiter ?? (sepLine ? (sepLine[1] as Delimiter) : await detect(headerLine));
    const writer = new NumberingWriter(fd, table, separator, delimiter.charCodeAt(0));
    writer.write(sepLine ? start.subarray(sepBreak) : start);
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) writer.write(next.value);
    writer.end();
    return {
      path: spoolPath,
      delimiter,
      encoding,
      lines: table.count,
      starts: table.starts.subarray(0, table.count + 1),
      blank: table.blank.subarray(0, table.count),
      headerLine,
      headerAt: sepLine ? 2 : 1,
      lineBreak: separator === CR ? '\r' : '\n',
    };
  } finally {
    closeSync(fd);
    await chunks.return?.(undefined);
  }
}

function firstLineBreak(bytes: Buffer, from: number): number {
  const lf = bytes.indexOf(LF, from);
  const cr = bytes.indexOf(CR, from);
  if (lf < 0) return cr;
  if (cr < 0) return lf;
  return Math.min(lf, cr);
}

/** Copies UTF-8 bytes to the spool, numbering lines as they start (`NumberedSource`). */
class NumberingWriter {
  private readonly out = Buffer.allocUnsafe(1 << 21);
  private used = 0;
  private written = 0;
  /** The number the next line gets. */
  private line = 1;
  private atLineStart = true;
  /** The current line has had only spaces and tabs so far. */
  private onlySpaces = false;
  /** A lone CR at the end of a chunk, whose line's fate depends on the next byte. */
  private heldCr = false;
  private chunk: Buffer = Buffer.alloc(0);
  /** Where the current chunk has bytes outside printable ASCII (found once per chunk), and the next to look at. */
  private notPlain: number[] = [];
  private nextNotPlain = 0;

  constructor(
    private readonly fd: number,
    private readonly table: LineTable,
    private readonly separator: number,
    private readonly delimiter: number,
  ) {}

  write(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    // The bytes lines must be flagged for, found in one pass over the chunk.
    this.notPlain = Array.from(chunk.toString('latin1').matchAll(NOT_PLAIN), (m) => m.index);
    this.nextNotPlain = 0;
    this.chunk = chunk;
    while (i < n) {
      if (this.atLineStart) {
        // An empty line (a bare separator, or CR LF) gets no number: DuckDB skips empty lines.
        if (this.heldCr) {
          this.heldCr = false;
          if (chunk[i] === LF) {
            this.startLine(EMPTY);
            this.copy(Buffer.from([CR, LF]), 0, 2);
            this.endLine();
            i++;
            continue;
          }
          this.startLine(0);
          this.copy(Buffer.from([CR]), 0, 1);
          this.atLineStart = false;
          this.onlySpaces = false;
          continue;
        }
        const byte = chunk[i]!;
        if (byte === this.separator) {
          this.startLine(EMPTY);
          this.copy(chunk, i, i + 1);
          this.endLine();
          i++;
          continue;
        }
        if (byte === CR && this.separator === LF) {
          if (i + 1 === n) {
            this.heldCr = true;
            i++;
            continue;
          }
          if (chunk[i + 1] === LF) {
            this.startLine(EMPTY);
            this.copy(chunk, i, i + 2);
            this.endLine();
            i += 2;
            continue;
          }
        }
        this.startLine(0, i);
        this.atLineStart = false;
        this.onlySpaces = true;
      }
      const end = chunk.indexOf(this.separator, i);
      const stop = end < 0 ? n : end + 1;
      if (this.onlySpaces) {
        for (let k = i; k < (end < 0 ? n : end); k++) {
          const b = chunk[k]!;
          if (b !== SPACE && b !== TAB && b !== CR) {
            this.onlySpaces = false;
            break;
          }
        }
      }
      this.copy(chunk, i, stop);
      i = stop;
      if (end >= 0) this.endLine();
    }
  }

  end(): void {
    if (this.heldCr) {
      this.startLine(0);
      this.copy(Buffer.from([CR]), 0, 1);
      this.atLineStart = false;
    }
    if (!this.atLineStart) this.endLine();
    this.flush();
    // One entry past the last line: where the spool ends.
    this.table.add(this.written, 0);
    this.table.count--;
  }

  /** Records where the line starts and, unless it is empty, writes its number (negated: not plain) and the delimiter. */
  private startLine(blank: number, at = -1): void {
    this.table.add(this.written + this.used, blank);
    if (blank === EMPTY) return;
    if (this.used + 24 > this.out.length) this.flush();
    // A line whose plainness is not checked here (one starting with a CR held from the last chunk) is flagged.
    const plain = at >= 0 && this.plainLine(at);
    if (!plain) this.out[this.used++] = 0x2d;
    const digits = String(this.line);
    for (let i = 0; i < digits.length; i++) this.out[this.used++] = digits.charCodeAt(i);
    this.out[this.used++] = this.delimiter;
  }

  /**
   * Whether the line starting at `at` of the current chunk is plain: printable ASCII, tabs and CRs. A line
   * that runs on into the next chunk is not looked at further and counts as not plain (flagging a plain
   * line only costs its cells the per-cell check).
   */
  private plainLine(at: number): boolean {
    const end = this.chunk.indexOf(this.separator, at);
    if (end < 0) return false;
    while (this.nextNotPlain < this.notPlain.length && this.notPlain[this.nextNotPlain]! < at) this.nextNotPlain++;
    return !(this.nextNotPlain < this.notPlain.length && this.notPlain[this.nextNotPlain]! < end);
  }


  private endLine(): void {
    if (this.onlySpaces && !this.atLineStart) this.table.blank[this.table.count - 1] = SPACES;
    this.line++;
    this.atLineStart = true;
    this.onlySpaces = false;
  }

  private copy(bytes: Buffer, from: number, to: number): void {
    while (from < to) {
      if (this.used === this.out.length) this.flush();
      const taken = Math.min(to - from, this.out.length - this.used);
      bytes.copy(this.out, this.used, from, from + taken);
      this.used += taken;
      from += taken;
    }
  }

  private flush(): void {
    for (let at = 0; at < this.used; ) at += writeSync(this.fd, this.out, at, this.used - at);
    this.written += this.used;
    this.used = 0;
  }
}
