import { constants as fsConstants, createReadStream, promises as fs, readSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors';
import { writeAll, writeFileAtomic, writeStreamAtomic } from '../fs-atomic';
import { canonicalJson, hashString } from '../hash';
import { LEAD_FIELDS, type Lead } from '../lead';
import { MAX_TEXT_LENGTH, columnKey } from './clean';
import { malformedCsv, splitCsv, type CsvSource, type Delimiter } from './csv';
import { inlineRunner, processInOrder, workerRunner, type BlockRunner } from './block-pool';
import { DedupeIndex, LineValues, mergeLines, nameKey, type DedupeGroups, type DedupeStats, type Draft, type MergedRow } from './dedupe';
import { ByteWriter } from './byte-writer';
import type { Mapping } from './mapping';
import { LeadsWriter, SEPARATOR, type WriterSpellings } from './leads-writer';
import { SPELLING_MARK, planRows, type RejectedValue } from './rows';

export type { RejectedValue } from './rows';

/**
 * CRM CSV export → validated leads, in two streaming passes so memory follows the number of distinct
 * dedupe keys, not the file:
 * 1. parse → map → clean blocks of rows (`rows.ts`, on worker threads for large files), folded in file
 *    order: report bad rows (line, column, value, reason); feed the accepted rows' dedupe keys to a
 *    union-find (`DedupeIndex`) and append each clean row, as JSON, to a temp spill file.
 * 2. read the spill back: a lead with one row is written out at once (its spill line with the file's
 *    category spellings put in);
 *    the rows of a duplicated lead are held until its last row arrives, then merged and written.
 * Leads therefore come out in order of each lead's LAST row. The result passes the lead contract, ids unique.
 */

export interface ImportOptions {
  mapping: Mapping;
  /** Use this delimiter instead of sniffing the header line. */
  delimiter?: Delimiter;
  /** Called every `PROGRESS_EVERY` data rows with the count so far. */
  onProgress?: (rowsRead: number) => void;
  /**
   * Worker threads that parse, map and clean blocks of the file alongside this thread (0: all on this
   * thread). Results are folded in file order, so the output does not depend on it.
   */
  workers?: number;
  /** Block size (bytes) the file is cut into (default `DEFAULT_BLOCK_BYTES` in csv.ts); tests make it small to get many blocks. */
  blockBytes?: number;
  /** The source's size in bytes, when known (a file): after the first block, the dedupe index is sized for the whole of it. */
  sourceBytes?: number;
}

export const PROGRESS_EVERY = 50_000;

/**
 * Blocks read ahead of the one being folded (about 3 MiB): room for this thread to process blocks of its
 * own while a worker's older block is still on its way.
 */
const READ_AHEAD_BLOCKS = 32;

export interface ImportReport {
  mapping: string;
  delimiter: Delimiter;
  /** Data records read (header and empty lines excluded). */
  rowsRead: number;
  /** Rows with every cell empty (e.g. ",,,,"), skipped. */
  blankRows: number;
  rowsRejected: number;
  rowsAccepted: number;
  leads: number;
  /** Accepted rows folded into another row's lead: rowsAccepted − leads. */
  merged: number;
  dedupe: DedupeStats;
  /** Non-empty cells read as unknown because they hold a placeholder ("N/A", "Select", "-", …). */
  placeholders: number;
  /** Texts longer than the lead contract allows, cut with "…". */
  truncated: number;
  /** Leads without an id column value, given a stable generated id. */
  generatedIds: number;
  /** Header columns the mapping does not use. */
  ignoredColumns: string[];
  /** Mapped targets none of whose columns is in the file, e.g. `fields.industry ("Industry")`. */
  missingColumns: string[];
  /** How many leads have a value, per mapped field and attribute present in the file. */
  coverage: Record<string, number>;
  outcome: { column: string; converted: number; notConverted: number; unknown: number } | null;
}

/** How the import ran: for the CLI summary and the benchmarks. */
export interface ImportTimings {
  /** Worker threads that parsed, mapped and cleaned blocks besides this thread. */
  workers: number;
  /** Pass 1: parse → map → clean → find duplicates (ms). */
  rowsMs: number;
  /** Pass 2: merge duplicates → write the leads (ms). */
  leadsMs: number;
  /** The largest JS heap a thread (a worker, or this one) had in use with a block's records alive. */
  blockHeapPeakBytes: number;
}

/** The threads an import's pass 1 ran on, for summaries: "one thread" or "main thread + N workers". */
export function threadsLabel({ workers }: ImportTimings): string {
  return workers ? `main thread + ${workers} worker${workers === 1 ? '' : 's'}` : 'one thread';
}

/** What an import found, apart from the leads themselves (which stream to their consumer). */
export interface ImportRun {
  rejects: RejectedValue[];
  report: ImportReport;
  timings: ImportTimings;
}

export interface ImportResult extends ImportRun {
  leads: Lead[];
}

/**
 * Receives the leads, in output order, as the body of the leads file in chunks of whole leads: UTF-8
 * JSON texts separated by ",\n" (a chunk after the first starts with that separator). Must read them all.
 * A chunk is valid until the one after the next is asked for (two buffers take turns).
 */
export type LeadConsumer = (chunks: AsyncIterable<Buffer>) => Promise<void>;

/** Distinct strings numbered in order of first appearance: the file's spellings of one category target. */
class ValueNumbers {
  private readonly numbers = new Map<string, number>();
  readonly values: string[] = [];

  numberOf(value: string): number {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.length;
      this.numbers.set(value, n);
      this.values.push(value);
    }
    return n;
  }
}

/**
 * The spellings one category target's values take, numbered, and which row holds which (-1: none), so the
 * file-wide display spelling can be chosen before any lead is written.
 */
class SpellingTable {
  private readonly spellings = new ValueNumbers();
  private rows = new Int32Array(1024);
  private length = 0;
  /** Spelling number → the display spelling chosen for the file, as JSON text. */
  private canonicalJson: Buffer[] = [];

  /** Adds a block's rows: its distinct values, and per row the index of its value among them (-1: none). */
  addBlock(block: { values: readonly string[]; rows: Int32Array }): void {
    const ids = block.values.map((value) => this.spellings.numberOf(value));
    if (this.length + block.rows.length > this.rows.length) {
      const grown = new Int32Array(Math.max(this.rows.length * 2, this.length + block.rows.length));
      grown.set(this.rows);
      this.rows = grown;
    }
    for (const local of block.rows) this.rows[this.length++] = local < 0 ? -1 : ids[local]!;
  }

  /** Picks the display spellings from the value each lead will end up with (its newest row's). */
  choose(groups: DedupeGroups): void {
    const winner = new Int32Array(groups.sizes.length).fill(-1);
    for (let row = 0; row < this.length; row++) {
      if (this.rows[row]! < 0) continue;
      const group = groups.groupOf[row]!;
      const best = winner[group]!;
      if (best < 0 || !groups.newer(best, row)) winner[group] = row;
    }
    // Leads per spelling, and the spellings in the order leads (by first row) first show them.
    const values = this.spellings.values;
    const leads = new Int32Array(values.length);
    const seen: number[] = [];
    for (const group of groups.leadGroups) {
      if (winner[group]! < 0) continue;
      const spelling = this.rows[winner[group]!]!;
      if (leads[spelling]!++ === 0) seen.push(spelling);
    }
    const chosen = canonicalSpellings(seen.map((spelling) => [values[spelling]!, leads[spelling]!] as const));
    this.canonicalJson = values.map((value) => Buffer.from(JSON.stringify(chosen.get(columnKey(value)) ?? value)));
  }

  /** Per row its spelling's number (-1: none), and per spelling the file's spelling of it: for `LeadsWriter`. */
  forWriter(): WriterSpellings {
    return { rows: this.rows.subarray(0, this.length), json: this.canonicalJson };
  }

  /** The file's spelling of the row's value, as JSON text (only called for rows that have a value). */
  json(row: number): Buffer {
    return this.canonicalJson[this.rows[row]!]!;
  }
}

/** Appends a spill line (`line[start, end)`) with its spelling markers replaced by the file's spellings: the lead's JSON text. */
function appendResolved(out: ByteWriter, line: Buffer, start: number, end: number, row: number, tables: readonly SpellingTable[]): void {
  for (let mark = line.indexOf(SPELLING_MARK, start); mark >= 0 && mark < end; mark = line.indexOf(SPELLING_MARK, start)) {
    const close = line.indexOf(SPELLING_MARK, mark + 1);
    let table = 0;
    for (let i = mark + 1; i < close; i++) table = table * 10 + line[i]! - 48;
    out.append(line, start, mark);
    const spelling = tables[table]!.json(row);
    out.append(spelling, 0, spelling.length);
    start = close + 1;
  }
  out.append(line, start, end);
}

/**
 * A file (the spill, just written: in the page cache) in chunks of up to `size` bytes, read into two
 * buffers in turn: a chunk stays valid while the next one is used, and is read into again after that.
 * Reads are synchronous, as writes are (`writeAll`): awaiting each through the thread pool cost pass 2
 * more waiting than the reads take. Reusing the buffers, instead of a new one per read as a read stream
 * makes, spares pass 2 about 150 MB of fresh memory per 200k rows.
 */
export async function* fileChunks(file: string, size: number): AsyncGenerator<Buffer> {
  const handle = await fs.open(file, 'r');
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  try {
    for (let turn = 0; ; turn ^= 1) {
      const buffer = buffers[turn]!;
      const bytesRead = readSync(handle.fd, buffer, 0, size, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Imports CSV text or bytes (e.g. a file stream) with a mapping, handing the leads to `consume` as they
 * are ready (see this module's comment for the order). The rows are spilled, cleaned, to a temp file
 * (about the size of the input) that is removed before this returns.
 */
export async function importCsvTo(
  source: CsvSource,
  { mapping, delimiter, onProgress, workers = 0, blockBytes, sourceBytes }: ImportOptions,
  consume: LeadConsumer,
): Promise<ImportRun> {
  const { layout, blocks } = await splitCsv(source, { delimiter, blockBytes });
  const plan = planRows(mapping, layout, LEAD_FIELDS);
  const { targets, outcome, spellingTargets } = plan;
  const tables = spellingTargets.map(() => new SpellingTable());

  const index = new DedupeIndex();
  /** Explicit ids shaped like generated ones (`lead_…`), by row: the only ones a generated id can clash with. */
  const leadLikeIds = new Map<number, string>();
  const rejects: RejectedValue[] = [];
  // Per target, rows with a value (and rows with an outcome); pass 2 turns them into counts per lead by
  // swapping each merged lead's rows for the lead itself.
  const rowCoverage = new Float64Array(targets.length);
  const rowOutcomes = { converted: 0, notConverted: 0 };
  let rowsRead = 0;
  let blankRows = 0;
  let rowsRejected = 0;
  const counts = { placeholders: 0, truncated: 0 };

  const started = performance.now();
  let blockHeapPeakBytes = 0;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-import-'));
  // The workers stop while pass 2 runs (they are done by then); they are waited for before `dir` goes.
  let closing: Promise<void> = Promise.resolve();
  try {
    const spillPath = path.join(dir, 'rows.ndjson');
    const handle = await fs.open(spillPath, 'w');
    let runner: BlockRunner | null = null;
    try {
      runner = workers > 0 ? workerRunner(workers, plan, mapping, dir) : inlineRunner(plan);
      // Blocks are folded in file order, so row numbers, spill lines and rejects come out as if one
      // thread had read the file.
      let firstLine = 1 + layout.headerLines;
      for await (const block of processInOrder(blocks, runner, READ_AHEAD_BLOCKS)) {
        if (block.error) throw malformedCsv(block.error, firstLine);
        blockHeapPeakBytes = Math.max(blockHeapPeakBytes, block.heapUsed);
        for (const reject of block.rejects) rejects.push({ ...reject, line: firstLine + reject.line });
        firstLine += block.lines;
        const progressBefore = Math.floor(rowsRead / PROGRESS_EVERY);
        rowsRead += block.rowsRead;
        if (onProgress && Math.floor(rowsRead / PROGRESS_EVERY) > progressBefore) onProgress(rowsRead);
        blankRows += block.blankRows;
        rowsRejected += block.rowsRejected;
        counts.placeholders += block.placeholders;
        counts.truncated += block.truncated;
        block.coverage.forEach((n, i) => (rowCoverage[i]! += n));
        rowOutcomes.converted += block.converted;
        rowOutcomes.notConverted += block.notConverted;
        writeAll(handle.fd, block.spill);
        block.spellings.forEach((spellings, k) => tables[k]!.addBlock(spellings));
        const firstRow = index.addRows(block.keys, block.times);
        if (firstRow === 0 && sourceBytes) index.expect(Math.ceil((index.rows * sourceBytes) / block.bytes));
        for (const [r, id] of block.leadLikeIds) leadLikeIds.set(firstRow + r, id);
      }
    } finally {
      closing = runner?.close() ?? closing;
      // Awaited at the end; until then a failure must not count as unhandled.
      closing.catch(() => {});
      await handle.close();
    }

    const rowsDone = performance.now();
    const rowsAccepted = rowsRead - blankRows - rowsRejected;
    const groups = index.finish();
    for (const table of tables) table.choose(groups);

    let ids: Set<string> | null = null;
    let generatedIds = 0;
    /** Adds `delta` to the coverage and outcome counts for each value a lead's JSON line has (`values`: where they are). */
    const count = (line: Buffer, { starts }: LineValues, delta: number) => {
      for (let i = 0; i < targets.length; i++) if (starts[i]! >= 0) rowCoverage[i]! += delta;
      const converted = plan.slot.converted < 0 ? -1 : starts[plan.slot.converted]!;
      if (converted >= 0 && line[converted] === 0x74 /* true */) rowOutcomes.converted += delta;
      else if (converted >= 0) rowOutcomes.notConverted += delta;
    };

    /**
     * A lead whose rows have no id, given a generated one (first, as ids come). Its other keys are
     * already in the contract's order: it was read from a JSON line.
     */
    const withGeneratedId = (draft: Draft): Lead => {
      if (!ids) {
        // Only explicit ids shaped like generated ones can clash with them.
        ids = new Set();
        for (const [r, leadLike] of leadLikeIds) if (groups.idRows[groups.groupOf[r]!] === r) ids.add(leadLike);
      }
      const base = generatedId(draft);
      let id = base;
      for (let n = 2; ids.has(id); n++) id = `${base}_${n}`;
      ids.add(id);
      generatedIds++;
      return { id, ...draft } as Lead;
    };

    /** The leads file's body in chunks of about `LEAD_CHUNK_BYTES` (see `LeadConsumer`). */
    async function* leadChunks(): AsyncGenerator<Buffer> {
      // Leads of one row with their id are written by the WebAssembly writer; the rest by `leadOf`.
      const simple = new Uint8Array(groups.groupOf.length);
      for (let r = 0; r < simple.length; r++) {
        const group = groups.groupOf[r]!;
        if (groups.sizes[group] === 1 && groups.idRows[group] === r) simple[r] = 1;
      }
      const writer = new LeadsWriter(simple, tables.map((table) => table.forWriter()), LEAD_CHUNK_BYTES, 2 * SPILL_READ_BYTES);
      const scratch = new ByteWriter(1 << 12);
      const open = new Map<number, MergedRow[]>();
      const mergedValues = new LineValues(plan);
      /** Value positions of merged rows already written, for reuse: typed arrays are slow to make. */
      const spareValues: LineValues[] = [];
      /** A spill line with its spellings put in, in `scratch`. */
      const resolve = (line: Buffer, start: number, end: number, r: number): Buffer => {
        scratch.clear();
        appendResolved(scratch, line, start, end, r, tables);
        return scratch.written();
      };
      /** The JSON line of a lead that has no id, with a generated one. */
      const withId = (line: Buffer) => Buffer.from(JSON.stringify(withGeneratedId(JSON.parse(line.toString()) as Draft)));
      /** The lead row `r`'s spill line completes, as JSON text, or null while rows of its group are still to come. */
      const leadOf = (line: Buffer, start: number, end: number, r: number): Buffer | null => {
        const group = groups.groupOf[r]!;
        if (groups.sizes[group] === 1) return groups.idRows[group] === r ? resolve(line, start, end, r) : withId(resolve(line, start, end, r));
        let members = open.get(group);
        if (!members) open.set(group, (members = []));
        // A copy: the input region is read into again before the lead's last row arrives.
        const copy = Buffer.from(resolve(line, start, end, r));
        members.push({ row: r, line: copy, values: (spareValues.pop() ?? new LineValues(plan)).read(copy, 0, copy.length) });
        if (members.length < groups.sizes[group]!) return null;
        open.delete(group);
        for (const member of members) count(member.line, member.values, -1);
        const idRow = groups.idRows[group]!;
        scratch.clear();
        // Merged values are sums, ORs, the earliest / latest date or one row's clean value, so a merged lead
        // passes the contract as its rows do (the tests check every imported lead, merged ones included).
        mergeLines(plan, members, groups, idRow, scratch);
        const merged = scratch.written();
        count(merged, mergedValues.read(merged, 0, merged.length), 1);
        for (const member of members) spareValues.push(member.values);
        return idRow < 0 ? withId(merged) : merged;
      };
      yield* writer.leads(fileChunks(spillPath, SPILL_READ_BYTES), leadOf);
    }
    await consume(leadChunks());

    const leads = groups.leadCount;
    const coverage: Record<string, number> = {};
    // Every lead has an id once generated ones are filled in.
    targets.forEach((target, i) => (coverage[target.key] = target.key === 'id' ? leads : rowCoverage[i]!));
    return {
      rejects,
      timings: { workers, rowsMs: rowsDone - started, leadsMs: performance.now() - rowsDone, blockHeapPeakBytes },
      report: {
        mapping: mapping.name,
        delimiter: layout.delimiter,
        rowsRead,
        blankRows,
        rowsRejected,
        rowsAccepted,
        leads,
        merged: rowsAccepted - leads,
        dedupe: index.stats,
        placeholders: counts.placeholders,
        truncated: counts.truncated,
        generatedIds,
        ignoredColumns: plan.ignoredColumns,
        missingColumns: plan.missingColumns,
        coverage,
        outcome:
          outcome && mapping.outcome
            ? { column: mapping.outcome.column, converted: rowOutcomes.converted, notConverted: rowOutcomes.notConverted, unknown: leads - rowOutcomes.converted - rowOutcomes.notConverted }
            : null,
      },
    };
  } finally {
    await closing;
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Imports CSV text or bytes into memory: for tests and small files (the CLI streams with `importCsvToFiles`). */
export async function importCsv(source: CsvSource, options: ImportOptions): Promise<ImportResult> {
  const leads: Lead[] = [];
  const run = await importCsvTo(source, options, async (chunks) => {
    let first = true;
    for await (const chunk of chunks) {
      const body = chunk.toString();
      for (const lead of JSON.parse(`[${first ? body : body.slice(SEPARATOR.length)}]`) as Lead[]) leads.push(lead);
      first = false;
    }
  });
  return { leads, ...run };
}

/** The CSV streamed from disk in 1 MiB chunks (each step of an async read costs about as much as reading 64 KiB), and its size. */
async function openCsv(file: string): Promise<{ source: CsvSource; bytes: number }> {
  try {
    const { size } = await fs.stat(file);
    await fs.access(file, fsConstants.R_OK);
    return { source: createReadStream(file, { highWaterMark: 1 << 20 }), bytes: size };
  } catch (error) {
    throw new AppError('INVALID_INPUT', `CSV file not found or not readable: ${file}`, { cause: error });
  }
}

/** Below this size a file is imported on one thread: starting workers (~0.2 s) would cost more than they save. */
const PARALLEL_MIN_BYTES = 8 << 20;

/** Workers for a file of `bytes`, unless the caller chose: for large files, one per core besides this thread's (up to 8). */
function defaultWorkers(bytes: number): number {
  return bytes < PARALLEL_MIN_BYTES ? 0 : Math.min(8, os.availableParallelism() - 1);
}

/** Imports a CSV file, streamed from disk, into memory. */
export async function importCsvFile(file: string, options: ImportOptions): Promise<ImportResult> {
  const { source, bytes } = await openCsv(file);
  return importCsv(source, { ...options, workers: options.workers ?? defaultWorkers(bytes), sourceBytes: bytes });
}

/**
 * Imports a CSV file straight into the leads file and the rejects report, both written atomically (a
 * failed import leaves the previous files untouched). No lead is held longer than its group needs.
 */
export async function importCsvToFiles(file: string, options: ImportOptions, paths: { out: string; rejects: string }): Promise<ImportRun> {
  const { source, bytes } = await openCsv(file);
  const run = await importCsvTo(source, { ...options, workers: options.workers ?? defaultWorkers(bytes), sourceBytes: bytes }, (chunks) =>
    writeStreamAtomic(paths.out, leadsFile(chunks)),
  );
  await writeRejects(run.rejects, paths.rejects);
  return run;
}

/**
 * Picks one display spelling per category value for the whole file: the spelling most leads have
 * (first seen on a tie), so "software", "Software" and "SOFTWARE " all read "Software" if that is what
 * most leads say. Matching is case- and whitespace-insensitive, as in scoring. Takes each spelling with
 * its number of leads, in the order leads first show them.
 */
export function canonicalSpellings(spellings: Iterable<readonly [spelling: string, leads: number]>): Map<string, string> {
  const best = new Map<string, readonly [string, number]>();
  for (const entry of spellings) {
    const key = columnKey(entry[0]);
    const current = best.get(key);
    if (!current || entry[1] > current[1]) best.set(key, entry);
  }
  return new Map([...best].map(([key, [spelling]]) => [key, spelling]));
}

/**
 * Stable id for a lead without one: `lead_` + a hash of its email, else of its name + company domain,
 * else of its content. Re-importing the same export therefore yields the same ids. A clash with an
 * existing id (only possible for identical content) gets a `_2`, `_3`, … suffix in output order.
 */
function generatedId(draft: Draft): string {
  const basis = draft.email ? `email:${draft.email}` : nameKey(draft) ? `name:${nameKey(draft)}` : `content:${canonicalJson(draft)}`;
  return `lead_${hashString(basis)}`;
}

const OPEN = Buffer.from('[\n');
/** Pass 2 hands leads over in chunks of up to this size. */
const LEAD_CHUNK_BYTES = 1 << 20;
/** Pass 2 reads the spill in chunks of this size. */
const SPILL_READ_BYTES = 1 << 20;

/** The leads file: a JSON array, one lead per line (diff-friendly), around the body `LeadConsumer` receives. */
async function* leadsFile(body: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield OPEN;
  let empty = true;
  for await (const chunk of body) {
    if (chunk.length === 0) continue;
    empty = false;
    yield chunk;
  }
  yield Buffer.from(empty ? ']\n' : '\n]\n');
}

const csvCell = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The rejects report: CSV (`line,column,value,reason`) or, for a `.json` path, a JSON array. */
export function rejectsFileText(rejects: readonly RejectedValue[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rejects, null, 2)}\n`;
  const rows = rejects.map((r) => [r.line, r.column, r.value, r.reason].map(csvCell).join(','));
  return `${['line,column,value,reason', ...rows].join('\n')}\n`;
}

/** `data/leads.json` → `data/leads.rejects.csv`. */
export function defaultRejectsPath(out: string): string {
  return `${out.replace(/\.json$/i, '')}.rejects.csv`;
}

/** The rejects report, written always (so an old report never outlives its import) and atomically. */
async function writeRejects(rejects: readonly RejectedValue[], file: string): Promise<void> {
  await writeFileAtomic(file, rejectsFileText(rejects, file.toLowerCase().endsWith('.json') ? 'json' : 'csv'));
}

/** Writes an in-memory import's leads file and rejects report, atomically. */
export async function writeImportOutputs(result: ImportResult, paths: { out: string; rejects: string }): Promise<void> {
  await writeStreamAtomic(paths.out, leadsFile([Buffer.from(result.leads.map((lead) => JSON.stringify(lead)).join(',\n'))]));
  await writeRejects(result.rejects, paths.rejects);
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The terminal summary: what came in, what went out, and what needs a look. */
export function formatImportSummary(report: ImportReport, paths: { source: string; out: string; rejects: string }): string {
  const delimiterName = report.delimiter === '\t' ? 'tab' : `"${report.delimiter}"`;
  const lines = [
    `Imported ${fmt(report.leads)} leads from ${paths.source} (mapping: ${report.mapping}, delimiter ${delimiterName}) → ${paths.out}`,
    `  rows read            ${fmt(report.rowsRead)}`,
    `  rows rejected        ${fmt(report.rowsRejected)}${report.rowsRejected ? ` → ${paths.rejects} (line, column, value, reason)` : ''}`,
    `  blank rows skipped   ${fmt(report.blankRows)}`,
    `  duplicates merged    ${fmt(report.merged)} rows: ${fmt(report.dedupe.byEmail)} by email, ${fmt(report.dedupe.byName)} by name + company domain, ${fmt(report.dedupe.byId)} by id; ${fmt(report.dedupe.linked)} leads joined through a row matching both`,
    `  placeholders         ${fmt(report.placeholders)} cells read as unknown ("N/A", "Select", "-", …)`,
  ];
  if (report.truncated) lines.push(`  texts shortened      ${fmt(report.truncated)} (longer than ${fmt(MAX_TEXT_LENGTH)} characters)`);
  if (report.generatedIds) lines.push(`  generated ids        ${fmt(report.generatedIds)} leads had no id; ids derive from email / name (stable across re-imports)`);
  if (report.outcome) {
    const o = report.outcome;
    lines.push(`  outcome "${o.column}"   ${fmt(o.converted)} converted, ${fmt(o.notConverted)} not, ${fmt(o.unknown)} unknown (read only by the backtest)`);
  }
  const coverage = Object.entries(report.coverage).map(([key, n]) => `${key} ${report.leads ? Math.round((100 * n) / report.leads) : 0}%`);
  if (coverage.length) lines.push(`  coverage             ${coverage.join(', ')}`);
  if (report.missingColumns.length) lines.push(`  ⚠ mapped but not in the file: ${report.missingColumns.join(', ')}`);
  if (report.ignoredColumns.length) lines.push(`  columns not mapped (ignored): ${report.ignoredColumns.map((c) => `"${c}"`).join(', ')}`);
  return lines.join('\n');
}
