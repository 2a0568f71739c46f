import { ByteWriter } from './byte-writer';
import { KeyTable } from './dedupe';

/** What a cell turned out to be: a value (its JSON text written), unknown (empty or all whitespace), a placeholder ("N/A"), or rejected. */
export type CellResult = 'value' | 'unknown' | 'placeholder' | 'rejected';

/**
 * The string cleaner's results for one target's short cells, by the cell's bytes. Exports repeat the same
 * few spellings of yes/no, lifecycle stages, size bands, placeholders and dates thousands of times: a hit
 * costs hashing the cell instead of making a string, cleaning it and serialising the value. Cleaners are
 * pure functions of the cell's text, so a hit gives exactly what cleaning would. Bounded: past
 * `MAX_ENTRIES` distinct cells, new ones are looked up but not added.
 */
export class CellMemo {
  /** Longer cells (descriptions, addresses) rarely repeat. */
  static readonly MAX_CELL_BYTES = 64;
  private static readonly MAX_ENTRIES = 1024;
  private readonly cells = new KeyTable(256);
  private readonly json = new ByteWriter(1 << 12);
  private readonly results: CellResult[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Per entry: why the cleaner rejected the cell (null unless rejected). */
  private readonly reasons: (string | null)[] = [];

  /** The entry of the cell `source[start, end)`, or -1; after a miss, `add` may follow before any other look-up. */
  find(source: Buffer, start: number, end: number): number {
    return this.cells.get(source, start, end);
  }

  /** Records the result for the cell `find` just missed: for a value, its JSON text `json[start, end)`; for a rejection, the reason. */
  add(result: CellResult, json: Buffer, start: number, end: number, reason: string | null): void {
    if (this.results.length >= CellMemo.MAX_ENTRIES) return;
    this.cells.set(this.results.length);
    this.results.push(result);
    this.starts.push(this.json.length);
    if (result === 'value') this.json.append(json, start, end);
    this.ends.push(this.json.length);
    this.reasons.push(reason);
  }

  /** Entry `n`'s result; for a value, its JSON text is appended to `out`. */
  replay(n: number, out: ByteWriter): CellResult {
    const result = this.results[n]!;
    if (result === 'value') out.append(this.json.buffer, this.starts[n]!, this.ends[n]!);
    return result;
  }

  reason(n: number): string {
    return this.reasons[n]!;
  }
}
