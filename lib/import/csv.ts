import { isUtf8 } from 'node:buffer';
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { AppError } from '../errors';
import { fieldText, recordText, tableOf, tokenizeFields, type FieldTable } from './csv-tokenizer';

/**
 * Streaming CSV reading for CRM exports: strict UTF-8 (a BOM is dropped; UTF-16 and other encodings are
 * refused with a message saying how to re-save), `,` `;` tab or `|` delimiters sniffed from the header
 * line, quoted fields with embedded delimiters and line breaks, CRLF, LF or CR. The file is cut into
 * blocks of whole records (about 96 KiB each) that are parsed independently (by the tokenizer of
 * csv-tokenizer.ts, or csv-parse for what it leaves), so memory does not grow with the file and blocks
 * can be parsed on several cores.
 */

export type Delimiter = ',' | ';' | '\t' | '|';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

export interface CsvReadOptions {
  /** Skip sniffing and use this delimiter. */
  delimiter?: Delimiter;
  /** Size from which a block is cut at its last record end (default `DEFAULT_BLOCK_BYTES`). */
  blockBytes?: number;
}

/**
 * 96 KiB. Chosen when the tokenizer read each block into one string, which at 256 KiB went to V8's
 * large-object space (~0.3 s per 200k rows). Fields are byte ranges of the block now, and 96 and 256 KiB
 * measure alike on the bench export (within run-to-run noise).
 */
export const DEFAULT_BLOCK_BYTES = 96 << 10;

export type CsvSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

const notUtf8 = (detail: string) =>
  new AppError(
    'INVALID_INPUT',
    `${detail}: re-save it as UTF-8 (Excel: File → Save As → "CSV UTF-8"; Google Sheets exports UTF-8 already). Nothing was imported.`,
  );

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
 * Checks that bytes are strict UTF-8, chunk by chunk, and passes them on undecoded (the CSV parser decodes
 * each field itself, so decoding here too would double the work). A UTF-16 BOM or an invalid byte stops
 * the import: guessing Windows-1252 would quietly turn "Müller" into "MÃ¼ller". Strings are encoded.
 */
export async function* validatedUtf8(source: CsvSource): AsyncGenerator<Buffer> {
  let offset = 0;
  let lines = 1;
  let first = true;
  let carry: Buffer | null = null;
  // A string is one chunk (iterated, it would give one character at a time).
  for await (const chunk of typeof source === 'string' ? [source] : source) {
    if (typeof chunk === 'string') {
      yield Buffer.from(first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk);
      first = false;
      continue;
    }
    if (first && chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
      throw notUtf8('This file is UTF-16 (it starts with a UTF-16 byte-order mark)');
    }
    first = false;
    const incoming = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const bytes: Buffer = carry ? Buffer.concat([carry, incoming]) : incoming;
    const cut = completeLength(bytes);
    const body = bytes.subarray(0, cut);
    carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : null;
    if (!isUtf8(body)) {
      const at = firstInvalidUtf8(body);
      let line = lines;
      for (let i = body.indexOf(10); i >= 0 && i < at; i = body.indexOf(10, i + 1)) line++;
      throw notUtf8(`This file is not valid UTF-8 (byte ${offset + at + 1}, on line ${line}, is not UTF-8; is it Windows-1252/Latin-1?)`);
    }
    offset += body.length;
    for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) lines++;
    if (body.length) yield body;
  }
  if (carry) throw notUtf8('This file is not valid UTF-8 (it ends in the middle of a character)');
}

/**
 * Index of the first byte that cannot start or continue a UTF-8 sequence (for the error message).
 * A sequence cut by the chunk's end counts as valid: the decoder carries it into the next chunk.
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
 * The delimiter of a header line: the candidate that occurs most often outside quotes (ties and no
 * candidate at all → ","). Headers are the one line where every column has a name, so counting there is
 * reliable, unlike data rows whose free text is full of commas.
 */
export function sniffDelimiter(headerLine: string): Delimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (DELIMITERS as readonly string[]).includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** How a file's records are laid out, read from its header line. */
export interface CsvLayout {
  delimiter: Delimiter;
  /** The header line's line break; csv-parse ends every record of the file with it, as it would on its own. */
  recordDelimiter: '\r\n' | '\n' | '\r';
  header: string[];
  /** Physical lines the header spans (a quoted column name can contain a line break). */
  headerLines: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];
const MAX_RECORD_BYTES = 4_000_000;

/** csv-parse's records as a field table, with the line breaks inside each record (CRLF counting once). */
function csvParseTable(bytes: Uint8Array, layout: Pick<CsvLayout, 'delimiter' | 'recordDelimiter'>): FieldTable {
  const records = csvParseRecords(bytes, layout);
  const breaks = records.map((fields) => {
    let n = 0;
    for (const field of fields) if (field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) n += field.match(/\r\n|\r|\n/g)!.length;
    return n;
  });
  return tableOf(records, breaks);
}

/** Where the header line ends (its first line break outside quotes), or -1 when more bytes are needed. */
function headerEnd(bytes: Uint8Array): number {
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) quoted = !quoted;
    else if (!quoted && (byte === LF || byte === CR)) return i;
  }
  return -1;
}

/**
 * The end (exclusive) of the last whole record in `bytes`, which start at a record start; 0 if none ends
 * there. Follows csv-parse's quoting: a quote opens a quoted field only at the start of a field, `""`
 * inside one is a literal quote, and any other quote closes it. It jumps from quote to quote, so it costs
 * little next to parsing. Should it ever misjudge, the parser notices (a quote left open at a block's end)
 * and the blocks are joined and parsed again (`processInOrder` in block-pool.ts).
 */
export function lastRecordEnd(bytes: Buffer, layout: Pick<CsvLayout, 'delimiter' | 'recordDelimiter'>): number {
  const delimiter = layout.delimiter.charCodeAt(0);
  const breakByte = layout.recordDelimiter === '\r' ? CR : LF;
  const afterCr = layout.recordDelimiter === '\r\n';
  let end = 0;
  let quoted = false;
  for (let pos = 0; pos < bytes.length; ) {
    const quote = bytes.indexOf(QUOTE, pos);
    if (quoted) {
      // Inside quotes: the next quote either escapes a quote ("") or closes the field.
      if (quote < 0 || quote + 1 >= bytes.length) break;
      if (bytes[quote + 1] === QUOTE) pos = quote + 2;
      else {
        quoted = false;
        pos = quote + 1;
      }
      continue;
    }
    const stop = quote < 0 ? bytes.length : quote;
    for (let at = stop > pos ? bytes.lastIndexOf(breakByte, stop - 1) : -1; at >= pos; at = at > 0 ? bytes.lastIndexOf(breakByte, at - 1) : -1) {
      if (!afterCr || (at > 0 && bytes[at - 1] === CR)) {
        end = at + 1;
        break;
      }
    }
    if (quote < 0) break;
    const before = quote === 0 ? LF : bytes[quote - 1];
    quoted = before === delimiter || before === LF || before === CR;
    pos = quote + 1;
  }
  return end;
}

/** One block's records: its field table, the records that are not empty lines, and where each starts. */
export interface ParsedBlock {
  fields: FieldTable;
  /** Record numbers (in `fields`) of the block's records, empty lines left out. */
  records: number[];
  /** Per record of `records`, its start line counted from the block's first line (0). */
  starts: number[];
  /** Physical lines the block spans. */
  lines: number;
}

/** The field texts of `parsed.records[i]`. */
export function recordValues(parsed: ParsedBlock, i: number): string[] {
  return recordText(parsed.fields, parsed.records[i]!);
}

/** csv-parse over a block of whole records: the reference parser, and the one for blocks the fast path leaves. */
export function csvParseRecords(bytes: Uint8Array, layout: Pick<CsvLayout, 'delimiter' | 'recordDelimiter'>): string[][] {
  return parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    delimiter: layout.delimiter,
    record_delimiter: layout.recordDelimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
  }) as string[][];
}

/** A tokenizer with `tokenizeFields`' contract (the row engine's compiled one): a field table, or null for a block it leaves. */
export type Tokenizer = (bytes: Buffer, delimiter: string, recordDelimiter: string) => FieldTable | null;

/**
 * Parses a block of whole records: with the fast tokenizer, which reads like csv-parse (see
 * csv-tokenizer.ts; `tokenize`, if given, is tried first), else with csv-parse itself (a quote that never
 * closes, a block over the record size limit). Empty lines are left out (but still counted, so line
 * numbers stay physical). Throws csv-parse's `CsvError` when the block is malformed.
 */
export function parseBlock(bytes: Uint8Array, layout: Pick<CsvLayout, 'delimiter' | 'recordDelimiter'>, tokenize?: Tokenizer): ParsedBlock {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fast =
    bytes.length <= MAX_RECORD_BYTES ? (tokenize?.(buffer, layout.delimiter, layout.recordDelimiter) ?? tokenizeFields(buffer, layout.delimiter, layout.recordDelimiter)) : null;
  const fields = fast ?? csvParseTable(buffer, layout);
  const records: number[] = [];
  const starts: number[] = [];
  // Lines are counted here (csv-parse's count, used in its errors, counts a CRLF inside quotes twice): a
  // record occupies one line plus the line breaks inside its fields.
  let line = 0;
  for (let r = 0; r < fields.records; r++) {
    const start = line;
    line += 1 + fields.breaks[r]!;
    const first = fields.recordFields[r]!;
    if (fields.recordFields[r + 1]! - first === 1 && fieldText(fields, first) === '') continue;
    records.push(r);
    starts.push(start);
  }
  return { fields, records, starts, lines: line };
}

/** A parse error as the user sees it, with csv-parse's block-relative line numbers made file lines. */
export function malformedCsv(error: { message: string; lines?: number }, firstLine: number, cause?: unknown): AppError {
  const fileLine = (n: number) => firstLine + n - 1;
  const message = error.message.replace(/\bat line (\d+)/g, (_, n: string) => `at line ${fileLine(Number(n))}`);
  const near = typeof error.lines === 'number' ? ` near line ${fileLine(error.lines)}` : '';
  return new AppError('INVALID_INPUT', `The CSV is malformed${near}: ${message}. Fix the quoting there and re-run; nothing was imported.`, { cause });
}

export { CsvError };

/** A CSV source split into its header and blocks of whole records. */
export interface CsvBlocks {
  layout: CsvLayout;
  /** Blocks of whole records, in file order (the header excluded). */
  blocks: AsyncGenerator<Buffer>;
}

/**
 * Reads the header (sniffing the delimiter unless given), then cuts the rest into blocks of whole
 * records of about `blockBytes`. A record longer than a block makes its block longer; past the parser's
 * record size limit the bytes go to the parser anyway, which reports them.
 */
export async function splitCsv(source: CsvSource, options: CsvReadOptions = {}): Promise<CsvBlocks> {
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  const chunks = validatedUtf8(source);
  // Chunks read but not yet joined to `data`: joining on every chunk would copy a block once per chunk.
  let data: Buffer = Buffer.alloc(0);
  const unjoined: Buffer[] = [];
  let unjoinedBytes = 0;
  let done = false;
  const readMore = async (): Promise<void> => {
    const step = await chunks.next();
    if (step.done) done = true;
    else {
      unjoined.push(step.value);
      unjoinedBytes += step.value.length;
    }
  };
  const join = () => {
    if (unjoined.length === 0) return;
    data = data.length === 0 && unjoined.length === 1 ? unjoined[0]! : Buffer.concat([data, ...unjoined]);
    unjoined.length = 0;
    unjoinedBytes = 0;
  };

  // The header line, and the byte after it (a CR may be the first half of a CRLF).
  let end = -1;
  while (!done) {
    join();
    end = headerEnd(data);
    if (end >= 0 && end + 1 < data.length) break;
    await readMore();
  }
  join();
  if (data.length >= 3 && BOM.every((b, i) => data[i] === b)) data = data.subarray(3);
  end = headerEnd(data);
  if (data.length === 0) throw new AppError('INVALID_INPUT', 'The CSV file is empty: expected a header line with column names');
  const headerBytes = end < 0 ? data : data.subarray(0, end);
  const recordDelimiter = end < 0 || data[end] === LF ? '\n' : data[end + 1] === LF ? '\r\n' : '\r';
  const delimiter = options.delimiter ?? sniffDelimiter(headerBytes.toString());
  let header: ParsedBlock;
  try {
    header = parseBlock(headerBytes, { delimiter, recordDelimiter });
  } catch (error) {
    if (error instanceof CsvError) throw malformedCsv(error, 1, error);
    throw error;
  }
  const layout: CsvLayout = { delimiter, recordDelimiter, header: header.records.length ? recordValues(header, 0) : [''], headerLines: Math.max(1, header.lines) };
  data = end < 0 ? Buffer.alloc(0) : data.subarray(end + recordDelimiter.length);

  /**
   * The block that starts in the bytes left over from one read and ends in the next read: only its own
   * bytes are copied, and the blocks after it are cut from the next read in place. (Joining the leftover
   * with the whole next read copied every byte of the file once more.) Null when no record ends in reach.
   */
  const straddlingBlock = (): Buffer | null => {
    const next = unjoined[0];
    if (data.length === 0 || data.length >= blockBytes || !next) return null;
    const joined = Buffer.concat([data, next.subarray(0, blockBytes - data.length)]);
    const cut = lastRecordEnd(joined, layout);
    if (cut <= data.length) return null;
    const taken = cut - data.length;
    if (taken < next.length) unjoined[0] = next.subarray(taken);
    else unjoined.shift();
    unjoinedBytes -= taken;
    data = Buffer.alloc(0);
    return joined.subarray(0, cut);
  };

  async function* blocks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        if (done || data.length + unjoinedBytes >= blockBytes) {
          const straddling = straddlingBlock();
          if (straddling) {
            yield straddling;
            continue;
          }
          join();
          // The last record end within the first `blockBytes`, else further on (a record longer than a block).
          let cut = lastRecordEnd(data.subarray(0, blockBytes), layout);
          if (cut === 0) cut = done ? data.length : lastRecordEnd(data, layout);
          if (cut > 0 || data.length > blockBytes + 2 * MAX_RECORD_BYTES) {
            const block = cut > 0 ? data.subarray(0, cut) : data;
            data = data.subarray(block.length);
            yield block;
            continue;
          }
          if (done) return;
        }
        await readMore();
      }
    } finally {
      // Stopping early (a malformed block, a failed worker) closes the file too.
      await chunks.return(undefined);
    }
  }
  return { layout, blocks: blocks() };
}
