import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { AppError } from '../errors';

/**
 * Streaming CSV reading for CRM exports: strict UTF-8 (a BOM is dropped; UTF-16 and other encodings are
 * refused with a message saying how to re-save), `,` `;` tab or `|` delimiters sniffed from the header
 * line, quoted fields with embedded delimiters and line breaks, CRLF or LF. Records stream through one at
 * a time, so memory does not grow with the file.
 */

export interface CsvRecord {
  /** Physical line (1-based) of the file where the record starts; a quoted field can span several lines. */
  line: number;
  fields: string[];
}

export type Delimiter = ',' | ';' | '\t' | '|';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

export interface CsvReadOptions {
  /** Skip sniffing and use this delimiter. */
  delimiter?: Delimiter;
  /** Told which delimiter is in use, once known (for the report). */
  onDelimiter?: (delimiter: Delimiter) => void;
}

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
 * the import: guessing Windows-1252 would quietly turn "Müller" into "MÃ¼ller". Strings pass through.
 */
export async function* validatedUtf8(source: CsvSource): AsyncGenerator<Buffer | string> {
  let offset = 0;
  let lines = 1;
  let first = true;
  let carry: Buffer | null = null;
  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      yield first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
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

/** Line breaks inside a field: each is a physical line the record spans (CRLF counts once). */
function lineBreaks(field: string): number {
  if (field.indexOf('\n') < 0 && field.indexOf('\r') < 0) return 0;
  return field.match(/\r\n|\r|\n/g)!.length;
}

/** Finds where the header line ends (outside quotes), or -1 when more text is needed. */
function headerEnd(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) quoted = !quoted;
    else if (!quoted && (ch === 10 || ch === 13)) return i;
  }
  return -1;
}

/**
 * Reads CSV records; the first one is the header. Empty lines are skipped (but still counted, so line
 * numbers stay physical). A structural error (a quote never closed) stops the import: past it, record
 * boundaries are guesswork, and guessing would import garbage.
 */
export async function* readCsvRecords(source: CsvSource, options: CsvReadOptions = {}): AsyncGenerator<CsvRecord> {
  const chunks = validatedUtf8(source);
  // Hold just enough chunks to see the whole header line, then replay them into the parser.
  const held: (Buffer | string)[] = [];
  const headText = () => held.map((c) => (typeof c === 'string' ? c : new TextDecoder().decode(c))).join('');
  let delimiter = options.delimiter;
  let step = await chunks.next();
  while (!step.done) {
    held.push(step.value);
    if (delimiter || headerEnd(headText()) >= 0) break;
    step = await chunks.next();
  }
  if (!delimiter) {
    const head = headText();
    const end = headerEnd(head);
    delimiter = sniffDelimiter(end < 0 ? head : head.slice(0, end));
  }
  options.onDelimiter?.(delimiter);

  async function* replay(): AsyncGenerator<Buffer | string> {
    yield* held;
    if (step.done) return;
    for await (const chunk of chunks) yield chunk;
  }
  const parser = parse({
    bom: true,
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: 4_000_000,
  });
  const input = Readable.from(replay(), { objectMode: false });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);

  // csv-parse's `info.lines` counts the line a record ends on (and counts CRLF inside quotes twice), so the
  // start line is tracked here: every record occupies 1 line plus the line breaks inside its fields.
  let line = 1;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const start = line;
      let breaks = 0;
      for (const field of fields) breaks += lineBreaks(field);
      line += 1 + breaks;
      if (fields.length === 1 && fields[0] === '') continue;
      yield { line: start, fields };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const near = typeof error.lines === 'number' ? ` near line ${error.lines}` : '';
      throw new AppError('INVALID_INPUT', `The CSV is malformed${near}: ${error.message}. Fix the quoting there and re-run; nothing was imported.`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    input.destroy();
  }
}
