import { readFileSync } from 'node:fs';
import { AppError } from '../errors';
import { align, growMemory } from './wasm-memory';

/**
 * Pass 2's leads file body, written mostly in WebAssembly (source: assembly/leads-writer.ts, built into
 * leads-writer.wasm by `npm run engine:build`; a test checks the committed binary is what the source
 * builds to). Spill lines are copied into the writer's memory, and each line that is a lead of its own
 * with its id is written out with its spelling markers replaced by the file's spellings (see the assembly
 * source); every other line is handed to the caller's `leadOf`. In JavaScript, the same copying cost a
 * native call per piece of a line, about 1 µs a lead.
 */

/** Why the compiled `writeLines` stopped (assembly/leads-writer.ts). */
const NEED_INPUT = 0;
const SPECIAL = 1;
type Stop = typeof NEED_INPUT | typeof SPECIAL | 2;

interface WriterExports {
  memory: WebAssembly.Memory;
  configure(simple: number, rows: number, first: number, offsets: number, json: number): void;
  writeLines(start: number, end: number, row: number, out: number, outEnd: number, written: number): Stop;
  inputPosition(): number;
  outputPosition(): number;
  row(): number;
  lineEnd(): number;
  anyLeadWritten(): number;
}

/** A spelling table as the writer reads it: per row its spelling's number (-1: none), per spelling its JSON text. */
export interface WriterSpellings {
  rows: Int32Array;
  json: readonly Buffer[];
}

/**
 * The lead (JSON text) that row `row`'s spill line `line[start, end)` completes, or null while rows of its
 * lead are still to come. Called for each line the writer does not write itself, in file order.
 */
export type LeadOf = (line: Buffer, start: number, end: number, row: number) => Buffer | null;

let compiled: WebAssembly.Module | null = null;

const LINE_FEED = 0x0a;
/** Between two leads of the leads file. */
export const SEPARATOR = Buffer.from(',\n');

/** One instance of the writer, with its memory: the rows' data, two output regions, then the input region. */
export class LeadsWriter {
  private readonly exports: WriterExports;
  private readonly outputStart: number;
  private readonly outputBytes: number;
  private readonly inputStart: number;
  /** Which output region is being filled, and how far. */
  private outputTurn = 0;
  private output!: Buffer;
  private outputLength = 0;
  private input!: Buffer;
  /** The next row's number, and whether a lead was written (so the next one starts with ",\n"). */
  private row = 0;
  private anyLeadWritten = false;

  /**
   * `simple`: per row, 1 if it is a lead of its own with its id. Chunks are of up to `outputBytes`; spill
   * lines are read `inputBytes` at a time (longer lines are put together in JavaScript).
   */
  constructor(simple: Uint8Array, spellings: readonly WriterSpellings[], outputBytes: number, inputBytes: number) {
    compiled ??= new WebAssembly.Module(readFileSync(new URL('./leads-writer.wasm', import.meta.url)));
    this.exports = new WebAssembly.Instance(compiled, {}).exports as unknown as WriterExports;
    const jsonBytes = spellings.reduce((n, table) => n + table.json.reduce((m, json) => m + json.length, 0), 0);
    const spellingCount = spellings.reduce((n, table) => n + table.json.length, 0);
    let at = 8;
    const simpleAt = at;
    // The row after the last is read (and ignored) when the input ends: one byte more.
    at = align(at + simple.length + 1);
    const rowsAt = spellings.map((table) => {
      const start = at;
      at = align(at + 4 * table.rows.length);
      return start;
    });
    const tableRowsAt = at;
    at = align(at + 4 * spellings.length);
    const tableFirstAt = at;
    at = align(at + 4 * spellings.length);
    const offsetsAt = at;
    at = align(at + 4 * (spellingCount + 1));
    const jsonAt = at;
    at = align(at + jsonBytes);
    this.outputStart = at;
    this.outputBytes = outputBytes;
    this.inputStart = align(at + 2 * outputBytes);
    const { memory } = this.exports;
    growMemory(memory, this.inputStart + inputBytes);
    this.output = this.outputRegion();
    this.input = Buffer.from(memory.buffer, this.inputStart, inputBytes);

    const bytes = Buffer.from(memory.buffer);
    const ints = new Int32Array(memory.buffer);
    bytes.set(simple, simpleAt);
    let first = 0;
    let offset = 0;
    spellings.forEach((table, t) => {
      ints.set(table.rows, rowsAt[t]! / 4);
      ints[tableRowsAt / 4 + t] = rowsAt[t]!;
      ints[tableFirstAt / 4 + t] = first;
      for (const json of table.json) {
        ints[offsetsAt / 4 + first++] = offset;
        bytes.set(json, jsonAt + offset);
        offset += json.length;
      }
    });
    ints[offsetsAt / 4 + first] = offset;
    this.exports.configure(simpleAt, tableRowsAt, tableFirstAt, offsetsAt, jsonAt);
  }

  /**
   * The leads file's body from the spill's chunks, in chunks of whole leads separated by ",\n" (see
   * `LeadConsumer`): a chunk is an output region, which is filled again once the chunk after it is asked for.
   */
  async *leads(spill: AsyncIterable<Uint8Array>, leadOf: LeadOf): AsyncGenerator<Buffer> {
    // Lines are read in place; the part of a line cut by a piece's end moves to the region's start. A line
    // that fills the whole region is put together here instead (`long`): the memory never grows, as chunks
    // handed out may still be being written.
    let filled = 0;
    let long: Buffer | null = null;
    for await (const chunk of spill) {
      for (let from = 0; from < chunk.length; ) {
        if (long) {
          const lineFeed = chunk.indexOf(LINE_FEED, from);
          if (lineFeed < 0) {
            long = Buffer.concat([long, chunk.subarray(from)]);
            break;
          }
          const line = Buffer.concat([long, chunk.subarray(from, lineFeed)]);
          long = null;
          from = lineFeed + 1;
          const lead = leadOf(line, 0, line.length, this.row++);
          if (lead) yield* this.emit(lead);
          continue;
        }
        if (filled === this.input.length) {
          long = Buffer.from(this.input);
          filled = 0;
          continue;
        }
        const piece = chunk.subarray(from, from + this.input.length - filled);
        from += piece.length;
        this.input.set(piece, filled);
        const end = filled + piece.length;
        let at = 0;
        for (;;) {
          const stop = this.write(at, end);
          at = this.exports.inputPosition() - this.inputStart;
          if (stop === NEED_INPUT) break;
          if (stop !== SPECIAL && this.outputLength > 0) {
            yield this.flush();
            continue;
          }
          // Another kind of row, or a lead of one row longer than a whole output region.
          const lineEnd = stop === SPECIAL ? this.exports.lineEnd() - this.inputStart : this.input.indexOf(LINE_FEED, at);
          if (lineEnd < 0 || lineEnd >= end) break;
          const lead = leadOf(this.input, at, lineEnd, this.row++);
          if (lead) yield* this.emit(lead);
          at = lineEnd + 1;
        }
        this.input.copyWithin(0, at, end);
        filled = end - at;
      }
    }
    // Every spill line ends with a line break, so nothing is left over.
    if (filled > 0 || long) throw new AppError('INTERNAL', 'The import spill file ends in the middle of a row');
    if (this.outputLength > 0) yield this.flush();
  }

  /** Writes leads of the lines in `input[start, end)` until a line it leaves to the caller. */
  private write(start: number, end: number): Stop {
    const { exports, output } = this;
    const stop = exports.writeLines(this.inputStart + start, this.inputStart + end, this.row, output.byteOffset + this.outputLength, output.byteOffset + output.length, this.anyLeadWritten ? 1 : 0);
    this.outputLength = exports.outputPosition() - output.byteOffset;
    this.row = exports.row();
    this.anyLeadWritten = exports.anyLeadWritten() === 1;
    return stop;
  }

  /** Adds a lead made by the caller to the output, after ",\n" unless it is the first. */
  private *emit(lead: Buffer): Generator<Buffer> {
    const separator = this.anyLeadWritten ? SEPARATOR.length : 0;
    this.anyLeadWritten = true;
    const length = separator + lead.length;
    if (this.outputLength + length > this.output.length && this.outputLength > 0) yield this.flush();
    if (length > this.output.length) {
      yield Buffer.concat([SEPARATOR.subarray(0, separator), lead]);
      return;
    }
    this.output.set(SEPARATOR.subarray(0, separator), this.outputLength);
    this.output.set(lead, this.outputLength + separator);
    this.outputLength += length;
  }

  /** The output so far, as a chunk; writing goes on in the other output region, so the chunk stays valid until the next flush but one. */
  private flush(): Buffer {
    const chunk = this.output.subarray(0, this.outputLength);
    this.outputTurn ^= 1;
    this.output = this.outputRegion();
    this.outputLength = 0;
    return chunk;
  }

  private outputRegion(): Buffer {
    return Buffer.from(this.exports.memory.buffer, this.outputStart + this.outputTurn * this.outputBytes, this.outputBytes);
  }
}
