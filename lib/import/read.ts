import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import { literal, type Sql } from './duckdb';
import { DELIMITERS, EMPTY, SPACES, type Delimiter, type NumberedSource } from './source';

/**
 * Reads an export into the `src` table with DuckDB, accounting for every physical line. `src` has one
 * row per record after the header: `line` (where the record starts), `blank` (every cell empty or
 * whitespace), and the kept columns `c1` … `cN` (1 = the file's first column) as text.
 *
 * CSV: DuckDB's `read_csv` (strict RFC 4180: quoted fields with delimiters, quotes and line breaks; LF
 * or CRLF) reads the numbered spool (source.ts) with every cell as VARCHAR; records it cannot read go
 * to its rejects table. Each record carries its start line, so a record's lines run to the next
 * record's start; empty lines in between are blank lines. What DuckDB rejects:
 * - a record that does not fit the header over several lines, or a quote that does not close where a
 *   field ends, is a stray quote: its first line is read again with quotes taken as text (kept if it
 *   then fits the header, else rejected: "unbalanced quote opened on line N"), and the lines it
 *   swallowed are read again as CSV on their own, the same way. A stray quote costs at most its row.
 * - a record with too few or too many fields, or larger than DuckDB's 2 MB row limit, is rejected.
 * Parquet and JSON (`read_parquet`, `read_json_auto`): `line` is the record number, from 1.
 */

/** One reason a row or a cell was rejected; a row with two bad cells has two entries. */
export interface RejectedValue {
  /** Physical line where the record starts (the header is line 1, or 2 after Excel's `sep=` line); for Parquet and JSON the record number. */
  line: number;
  /** The source column, "(row)" for the record as a whole, "(identity)" for a row that identifies nobody. */
  column: string;
  value: string;
  reason: string;
}

/** Where every physical line went: `headerLines + rowLines + blankLines = lines`. */
export interface LineAccounting {
  lines: number;
  /** The header's lines, with Excel's delimiter line (`sep=;`) before it if the file has one. */
  headerLines: number;
  /** Whether line 1 is Excel's delimiter line (`sep=;`). */
  sepLine: boolean;
  /** Records after the header (rejected and blank ones included). */
  rowsRead: number;
  /** Physical lines those records span (more than `rowsRead` when values hold line breaks). */
  rowLines: number;
  /** Empty lines, and lines of nothing but spaces. */
  blankLines: number;
}

export interface SourceRead {
  header: string[];
  accounting: LineAccounting;
  /** Records rejected as a whole while reading (wrong field count, stray quote, oversized). */
  rejects: RejectedValue[];
  /** Lines read with their quotes taken as text, and kept. */
  literalQuotes: number[];
  /** Rows were read again after the first pass (stray quotes), so `src` is not in line order. */
  reordered: boolean;
}

/** A SQL expression: the cell is empty or whitespace (JavaScript's `\s`, which is what `trim()` removes). */
export const JS_SPACE_CLASS = String.raw`[\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]`;
/**
 * Whether every one of `cells` is empty or whitespace, as a CASE so the first cell with something in it
 * (usually the first) settles it; a cell starting with a printable ASCII character is settled without a
 * pattern.
 */
const allBlank = (cells: string[]) =>
  `CASE ${cells.map((c) => `WHEN ${c} IS NOT NULL AND (ascii(${c}) BETWEEN 33 AND 126 OR NOT regexp_full_match(${c}, '${JS_SPACE_CLASS}*')) THEN false`).join(' ')} ELSE true END`;

const DELIMITER_NAMES: Record<Delimiter, string> = { ',': '","', ';': '";"', '\t': 'tab', '|': '"|"' };

/**
 * The header line's delimiter: the candidate that gives it the most columns as DuckDB's sniffer reads
 * the line (`sniff_csv` with that delimiter; ties go to the order `, ; tab |`).
 */
export async function detectDelimiter(sql: Sql, dir: string, headerLine: string): Promise<Delimiter> {
  const file = path.join(dir, 'header.csv');
  writeFileSync(file, `${headerLine}\n`);
  let best: Delimiter = ',';
  let most = 0;
  for (const candidate of DELIMITERS) {
    try {
      const [row] = await sql.rows<{ n: bigint }>(
        `SELECT len(Columns) AS n FROM sniff_csv(${literal(file)}, delim = ${literal(candidate)}, quote = '"', escape = '"', header = false)`,
      );
      if (row && Number(row.n) > most) [best, most] = [candidate, Number(row.n)];
    } catch {
      // The line does not read with this delimiter.
    }
  }
  return best;
}

/** The header's cells, read by DuckDB with the file's delimiter. */
async function headerCells(sql: Sql, dir: string, { headerLine, headerAt, delimiter }: Pick<NumberedSource, 'headerLine' | 'headerAt' | 'delimiter'>): Promise<string[]> {
  const file = path.join(dir, 'header.csv');
  writeFileSync(file, `${headerLine}\n`);
  const [sniffed] = await sql.rows<{ n: bigint }>(`SELECT len(Columns) AS n FROM sniff_csv(${literal(file)}, delim = ${literal(delimiter)}, quote = '"', escape = '"', header = false)`).catch(() => []);
  const count = sniffed ? Number(sniffed.n) : 0;
  const columns = Array.from({ length: count }, (_, i) => `'h${i}': 'VARCHAR'`).join(', ');
  const rows = count
    ? await sql.rows<Record<string, string | null>>(
        `SELECT * FROM read_csv(${literal(file)}, header = false, auto_detect = false, delim = ${literal(delimiter)}, quote = '"', escape = '"', strict_mode = true, columns = {${columns}})`,
      ).catch(() => [])
    : [];
  if (rows.length !== 1) {
    throw new AppError('INVALID_INPUT', `The header (line ${headerAt}) cannot be read as CSV with the delimiter ${DELIMITER_NAMES[delimiter]}: ${JSON.stringify(headerLine.slice(0, 200))}. Nothing was imported.`);
  }
  return Array.from({ length: count }, (_, i) => rows[0]![`h${i}`] ?? '');
}

interface Scanned {
  good: Int32Array;
  rejected: { line: number; type: string; found: number; text: string }[];
}

/** Reads `src` from a numbered CSV spool; `keep` are the 0-based columns the mapping reads. */
export async function readCsv(sql: Sql, dir: string, source: NumberedSource, keep: (header: string[]) => number[]): Promise<SourceRead> {
  const header = await headerCells(sql, dir, source);
  const kept = keep(header);
  const delimiterName = DELIMITER_NAMES[source.delimiter];
  const quotedBreak = source.delimiter === '|' ? String.raw`\|` : source.delimiter === '\t' ? String.raw`\t` : source.delimiter;
  const breakCode = source.lineBreak === '\r' ? 13 : 10;
  const breakRegex = source.lineBreak === '\r' ? '\\r' : '\\n';
  // A line break inside a value is followed by the next line's number (source.ts), taken out again here.
  const strip = (c: string) => `CASE WHEN contains(${c}, chr(${breakCode})) THEN regexp_replace(${c}, '${breakRegex}-?[0-9]+${quotedBreak}', chr(${breakCode}), 'g') ELSE ${c} END`;
  const allColumns = Array.from({ length: header.length }, (_, i) => `c${i + 1}`);
  const select = [
    'abs(CAST(c0 AS INTEGER)) AS line',
    // Its line holds a byte outside printable ASCII (source.ts); with `breaks`, whether its values may.
    `starts_with(c0, '-') AS odd`,
    `${allBlank(allColumns)} AS blank`,
    // Line breaks inside the record's values, for the check in `checkLostLines`.
    `CAST(${allColumns.map((c) => `CASE WHEN contains(${c}, chr(${breakCode})) THEN strlen(${c}) - strlen(replace(${c}, chr(${breakCode}), '')) ELSE 0 END`).join(' + ')} AS INTEGER) AS breaks`,
    ...kept.map((k) => `${strip(`c${k + 1}`)} AS c${k + 1}`),
  ].join(', ');
  await sql.run(`CREATE TABLE src AS SELECT ${select} FROM (SELECT NULL::VARCHAR AS ${['c0', ...allColumns].join(', NULL::VARCHAR AS ')}) WHERE false`);

  let scans = 0;
  const readOptions = (quote: boolean) =>
    `header = false, auto_detect = false, delim = ${literal(source.delimiter)}, quote = ${quote ? `'"'` : "''"}, escape = ${quote ? `'"'` : "''"}, ` +
    `strict_mode = true, store_rejects = true, rejects_table = 'rej', rejects_scan = 'rej_scan', ` +
    `columns = {${['c0', ...allColumns].map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;

  /** Reads a numbered CSV file into `src` (appending); returns the start lines of its records, read and rejected. */
  async function scan(file: string, quote = true, lines?: [number, number]): Promise<Scanned> {
    scans++;
    await sql.run('DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan');
    await sql.run(`INSERT INTO src SELECT ${select} FROM read_csv(${literal(file)}, ${readOptions(quote)})`);
    const range = lines ? `WHERE line BETWEEN ${lines[0]} AND ${lines[1]}` : '';
    const good = ((await sql.connection.runAndReadAll(`SELECT line FROM src ${range} ORDER BY line`)).getColumns()[0] ?? []) as number[];
    const rejected = await sql.rows<{ line: string | null; type: string; found: bigint | null; text: string }>(
      `SELECT regexp_extract(csv_line, '^[\\r\\n]*-?([0-9]+)', 1) AS line, first(error_type ORDER BY column_idx) AS type,
         CASE WHEN first(error_type) = 'TOO MANY COLUMNS' THEN max(found) ELSE min(found) END AS found, left(first(csv_line), 300) AS text
       FROM (SELECT *, TRY_CAST(regexp_extract(error_message, 'Found: ([0-9]+)', 1) AS BIGINT) AS found FROM rej) GROUP BY 1 ORDER BY 1`,
    );
    return {
      good: Int32Array.from(good),
      rejected: rejected.map((r) => {
        if (!r.line) throw new AppError('INTERNAL', `DuckDB rejected a record without its line number: ${JSON.stringify(r.text.slice(0, 80))}`);
        return { line: Number(r.line), type: r.type, found: r.found === null ? 0 : Number(r.found) - 1, text: r.text.replace(/^[\r\n]*-?[0-9]+./, '').replace(/[\r\n]+$/, '') };
      }),
    };
  }

  /** Lines `from` … `to` of the spool, as a file of their own. */
  const linesFile = (from: number, to: number): string => {
    const file = path.join(dir, `lines-${scans}.csv`);
    const start = source.starts[from - 1]!;
    const bytes = Buffer.allocUnsafe(source.starts[to]! - start);
    const fd = openSync(source.path, 'r');
    try {
      readSync(fd, bytes, 0, bytes.length, start);
    } finally {
      closeSync(fd);
    }
    writeFileSync(file, bytes);
    return file;
  };

  const rejects: RejectedValue[] = [];
  const literalQuotes: number[] = [];
  // Lines before the header (Excel's delimiter line) are the header's: `headerLines` is the header's last line.
  const counts = { headerLines: 0, rowsRead: 0, rowLines: 0, blankLines: 0 };
  /** Records read over several lines, and how many: checked against their values' line breaks. */
  const multiLine: [line: number, lines: number][] = [];
  const row = (line: number, value: string, reason: string) => rejects.push({ line, column: '(row)', value, reason });
  const fields = (n: number) => `expected ${header.length} fields like the header, found ${n} (a missing or extra ${delimiterName}, or an unquoted value containing one?)`;

  /** Accounts for lines `from` … `to`, whose records `scanned` are: each runs to the next one's start. */
  async function account(from: number, to: number, scanned: Scanned): Promise<void> {
    const starts = [...Array.from(scanned.good, (line) => ({ line, rejected: null })), ...scanned.rejected.map((r) => ({ line: r.line, rejected: r }))].sort(
      (a, b) => a.line - b.line,
    );
    let at = from;
    for (let i = 0; i < starts.length; i++) {
      const { line, rejected } = starts[i]!;
      for (; at < line; at++) {
        if (source.blank[at - 1] !== EMPTY) throw new AppError('INTERNAL', `Line ${at} was not read as part of any record`);
        counts.blankLines++;
      }
      let last = (i + 1 < starts.length ? starts[i + 1]!.line : to + 1) - 1;
      while (last > line && source.blank[last - 1] === EMPTY) last--;
      at = last + 1;
      if (line === source.headerAt) {
        counts.headerLines = last;
        continue;
      }
      if (!rejected) {
        counts.rowsRead++;
        counts.rowLines += last - line + 1;
        if (last > line) multiLine.push([line, last - line + 1]);
        continue;
      }
      if (source.blank[line - 1] === SPACES && last === line) {
        counts.blankLines++;
        continue;
      }
      // A record over several lines that does not read, whose later lines read as rows of their own, is a
      // stray quote that swallowed them; so is a quote not closing where a field ends, on one line.
      let swallowed: Scanned | null = null;
      if (last > line && rejected.type !== 'LINE SIZE OVER MAXIMUM') {
        swallowed = await scan(linesFile(line + 1, last), true, [line + 1, last]);
        if (swallowed.good.length === 0 && rejected.type !== 'UNQUOTED VALUE') swallowed = null;
      }
      if (!swallowed && (rejected.type !== 'UNQUOTED VALUE' || last > line)) {
        counts.rowsRead++;
        counts.rowLines += last - line + 1;
        if (rejected.type === 'LINE SIZE OVER MAXIMUM') row(line, rejected.text.slice(0, 60), 'the row is larger than 2 MB, the most DuckDB reads as one row (a field this large is not a CRM value)');
        else if (rejected.found > 0) row(line, `${rejected.found} fields`, fields(rejected.found));
        else row(line, rejected.text.slice(0, 60), rejected.type.toLowerCase());
        continue;
      }
      // The stray quote's line, with quotes read as text; then the lines it swallowed, as CSV on their own.
      counts.rowsRead++;
      counts.rowLines++;
      const literalRead = await scan(linesFile(line, line), false, [line, line]);
      if (literalRead.good.length === 1) literalQuotes.push(line);
      else {
        const found = literalRead.rejected[0]?.found ?? 0;
        const lines = last > line ? `; it swallowed line${last > line + 1 ? `s ${line + 1}–${last}` : ` ${last}`}, read again on their own` : '';
        const closes = last === to && rejected.type === 'UNQUOTED VALUE' && last > line ? ' and never closes' : '';
        row(line, rejected.text.split(/\r?\n/)[0]!.slice(0, 60), `unbalanced quote opened on line ${line}${closes}${lines}; with the quote read as text, the line has ${found} fields, not ${header.length}`);
      }
      if (swallowed) await account(line + 1, last, swallowed);
    }
    for (; at <= to; at++) {
      if (source.blank[at - 1] !== EMPTY) throw new AppError('INTERNAL', `Line ${at} was not read as part of any record`);
      counts.blankLines++;
    }
  }

  await account(source.headerAt, source.lines, await scan(source.path));
  await sql.run(`DELETE FROM src WHERE line = ${source.headerAt}`);
  counts.rowsRead += await checkLostLines(sql, multiLine, rejects);
  await sql.run('DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan');
  const accounting = { lines: source.lines, ...counts, sepLine: source.headerAt === 2 };
  if (accounting.headerLines + accounting.rowLines + accounting.blankLines !== accounting.lines) {
    throw new AppError('INTERNAL', `Line accounting failed: ${JSON.stringify(accounting)}`);
  }
  rejects.sort((a, b) => a.line - b.line);
  return { header, accounting, rejects, literalQuotes: literalQuotes.sort((a, b) => a - b), reordered: scans > 1 };
}

/**
 * A record read over several lines holds one line break per extra line. If it held fewer, the reader
 * would have skipped the lines in between without a word; never seen, but the line accounting is only
 * true if that cannot pass unnoticed, so such lines are listed as rejected rows. Returns how many.
 */
async function checkLostLines(sql: Sql, multiLine: readonly [number, number][], rejects: RejectedValue[]): Promise<number> {
  const spanned = multiLine.reduce((sum, [, lines]) => sum + lines - 1, 0);
  const [{ breaks }] = await sql.rows<{ breaks: bigint | null }>('SELECT sum(breaks) AS breaks FROM src') as [{ breaks: bigint | null }];
  if (Number(breaks ?? 0) === spanned) return 0;
  const breaksOf = new Map((await sql.rows<{ line: number; breaks: number }>('SELECT line, breaks FROM src WHERE breaks > 0')).map((r) => [r.line, r.breaks]));
  let lost = 0;
  for (const [line, lines] of multiLine) {
    for (let skipped = line + 1 + (breaksOf.get(line) ?? 0); skipped < line + lines; skipped++, lost++) {
      rejects.push({ line: skipped, column: '(row)', value: '', reason: `the CSV reader skipped this line while reading the record of line ${line}` });
    }
  }
  return lost;
}

/** Reads a Parquet or JSON (array or one object per line) export into `src`: every value as text, `line` the record number. */
export async function readTable(sql: Sql, file: string, format: 'parquet' | 'json', keep: (header: string[]) => number[]): Promise<SourceRead> {
  const reader = format === 'parquet' ? `read_parquet(${literal(file)})` : `read_json_auto(${literal(file)})`;
  try {
    await sql.run(`CREATE TABLE records AS SELECT * FROM ${reader}`);
  } catch (error) {
    throw new AppError('INVALID_INPUT', `${file} cannot be read as ${format === 'parquet' ? 'Parquet' : 'JSON'}: ${(error as Error).message.split('\n')[0]}. Nothing was imported.`, { cause: error });
  }
  const header = (await sql.rows<{ column_name: string }>('DESCRIBE records')).map((r) => r.column_name);
  const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const text = header.map((name) => `CAST(${quoted(name)} AS VARCHAR)`);
  const kept = keep(header);
  await sql.run(
    `CREATE TABLE src AS SELECT CAST(rowid + 1 AS INTEGER) AS line, true AS odd, ${allBlank(text)} AS blank, 0 AS breaks, ${kept.map((k) => `${text[k]} AS c${k + 1}`).join(', ')} FROM records`,
  );
  await sql.run('DROP TABLE records');
  const [{ n }] = (await sql.rows<{ n: bigint }>('SELECT count(*) AS n FROM src')) as [{ n: bigint }];
  const rows = Number(n);
  return { header, accounting: { lines: rows, headerLines: 0, sepLine: false, rowsRead: rows, rowLines: rows, blankLines: 0 }, rejects: [], literalQuotes: [], reordered: false };
}
