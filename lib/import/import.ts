import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBScalarFunction, INTEGER, VARCHAR } from '@duckdb/node-api';
import { AppError } from '../errors';
import { writeAtomicVia } from '../fs-atomic';
import { hashString } from '../hash';
import { LEAD_FIELDS, type Lead } from '../lead';
import { columnKey } from './clean';
import { bindMapping, Cleaning, memberKey, type Binding, type Target } from './cells';
import { groupRows, mergeSql, type CandidateRow, type DedupeStats } from './dedupe';
import { insertRows, literal, openSql, type Sql } from './duckdb';
import type { Mapping } from './mapping';
import { detectDelimiter, readCsv, readTable, type LineAccounting, type RejectedValue, type SourceRead } from './read';
import { numberLines, type Delimiter, type Encoding } from './source';

export type { RejectedValue } from './read';

/**
 * A CRM export → validated leads, in DuckDB: read (read.ts), map and clean (cells.ts), reject what
 * cannot be a lead, merge duplicates (dedupe.ts), pick one spelling per category, give leads without an
 * id a stable one, and write the leads as JSON text in the lead contract's key order. Leads come out in
 * the order of each lead's last row in the file. Nothing is written when a check fails (`ImportRun.failure`).
 */

export const FORMATS = ['csv', 'parquet', 'json'] as const;
export type SourceFormat = (typeof FORMATS)[number];

/** A path, `-` for standard input, or the export's text itself. */
export type ImportSource = string | { text: string };

export interface ImportOptions {
  mapping: Mapping;
  /** Use this delimiter instead of reading it from the header line. */
  delimiter?: Delimiter;
  /** The file's encoding (default UTF-8; a UTF-16 byte-order mark is always honoured). */
  encoding?: Encoding;
  /** Default: from the file name (`.parquet`, `.json` / `.jsonl` / `.ndjson`), else CSV. */
  format?: SourceFormat;
  /** Reject a row for any invalid cell, as before per-cell rejects (default: the cell becomes unknown). */
  strict?: boolean;
  /** The import fails when it would reject more than this share of its rows (default 0.10). */
  maxRejectRate?: number;
  /** Called as each stage starts, with a line for a terminal. */
  onProgress?: (stage: string) => void;
}

export const DEFAULT_MAX_REJECT_RATE = 0.1;

export interface OutcomeReport {
  column: string;
  /** The column's distinct values (trimmed) with their rows, most frequent first (at most 20), and how each read. */
  values: { value: string; rows: number; reads: 'converted' | 'not converted' | 'invalid' | 'unknown' }[];
  distinctValues: number;
  converted: number;
  notConverted: number;
  unknown: number;
}

export interface ImportReport {
  mapping: string;
  format: SourceFormat;
  delimiter: Delimiter | null;
  encoding: Encoding | null;
  strict: boolean;
  /** CSV: where every physical line went. */
  lines: LineAccounting | null;
  rowsRead: number;
  /** Rows with every cell empty (e.g. ",,,,"), skipped. */
  blankRows: number;
  rowsRejected: number;
  /** Rows rejected whole, by what caused it: "(row)" (unreadable), "(identity)", or a column. */
  rejectedBy: Record<string, number>;
  rowsAccepted: number;
  leads: number;
  /** Accepted rows folded into another row's lead: rowsAccepted − leads. */
  merged: number;
  dedupe: DedupeStats;
  /** Per column: invalid cells made unknown (the lead kept), each listed in the rejects. */
  invalidCells: Record<string, number>;
  /** Per column: non-empty cells read as unknown because they hold a placeholder ("N/A", "Select", …). */
  placeholders: Record<string, number>;
  /** Texts longer than the lead contract allows, cut with "…". */
  truncated: number;
  /** Lines read with a stray quote taken as text. */
  literalQuotes: number[];
  /** Leads without an id, by what their generated id derives from. */
  generatedIds: { email: number; nameAndDomain: number; nameAndCompany: number };
  ignoredColumns: string[];
  missingColumns: string[];
  /** How many leads have a value, per mapped field and attribute present in the file. */
  coverage: Record<string, number>;
  outcome: OutcomeReport | null;
}

export interface ImportRun {
  rejects: RejectedValue[];
  report: ImportReport;
  /** Why nothing was written (too many rejects, no lead, an outcome column that is missing or never converts). */
  failure: string | null;
  /** Milliseconds per stage. */
  timings: Record<'read' | 'clean' | 'merge' | 'write', number>;
}

/** The finished leads, handed to whoever stores them before the import's database closes. */
export interface LeadOutput {
  count: number;
  /** Writes the leads file (a JSON array, one lead per line) to `file`, not atomically: see `writeLeadsFile`. */
  writeFile(file: string): Promise<void>;
  /** The leads as JSON texts, in output order, in batches. */
  batches(size: number): AsyncGenerator<string[]>;
}

const TEMP_PREFIX = 'leadsignal-import-';

/**
 * Removes temp directories of imports that are no longer running (killed, or crashed before cleaning
 * up): each holds its process id in `pid`; a directory without one is left for an hour.
 */
async function removeStaleTempDirs(root: string): Promise<void> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(root, entry.name);
    const pid = Number(await fs.readFile(path.join(dir, 'pid'), 'utf8').catch(() => ''));
    let stale: boolean;
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0);
        stale = false;
      } catch (error) {
        stale = (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    } else {
      const stat = await fs.stat(dir).catch(() => null);
      stale = stat !== null && Date.now() - stat.mtimeMs > 3_600_000;
    }
    if (stale) await fs.rm(dir, { recursive: true, force: true });
  }
}

function formatOf(source: ImportSource, format: SourceFormat | undefined): SourceFormat {
  if (format) return format;
  if (typeof source !== 'string') return 'csv';
  if (/\.parquet$/i.test(source)) return 'parquet';
  if (/\.(json|jsonl|ndjson)$/i.test(source)) return 'json';
  return 'csv';
}

/** A target's value column in `rows` and `leads`. */
const v = (t: number) => `v${t}`;

/**
 * Runs an import and hands the finished leads to `output` (not called when a check fails). The import's
 * temp directory (DuckDB's spill, the numbered copy of a CSV) is removed at the end, also on failure;
 * one left by a killed import is removed by the next import.
 */
export async function runImport(source: ImportSource, options: ImportOptions, output: (leads: LeadOutput) => Promise<void>): Promise<ImportRun> {
  const { mapping, strict = false, maxRejectRate = DEFAULT_MAX_REJECT_RATE, onProgress } = options;
  const format = formatOf(source, options.format);
  const root = os.tmpdir();
  await removeStaleTempDirs(root);
  const dir = await fs.mkdtemp(path.join(root, TEMP_PREFIX));
  await fs.writeFile(path.join(dir, 'pid'), String(process.pid));
  let sql: Sql | null = null;
  const timings = { read: 0, clean: 0, merge: 0, write: 0 };
  let stageStart = performance.now();
  const stage = (name: keyof typeof timings, message?: string) => {
    const now = performance.now();
    timings[name] += now - stageStart;
    stageStart = now;
    if (message) onProgress?.(message);
  };
  try {
    sql = await openSql(path.join(dir, 'duckdb'));
    const db = sql;
    let binding: Binding | null = null;
    const keep = (header: string[]) => {
      binding = bindMapping(mapping, header);
      return [...new Set(binding.targets.flatMap((t) => t.columns.map((c) => c.index)))];
    };
    onProgress?.(`reading ${typeof source === 'string' ? (source === '-' ? 'standard input' : source) : 'the export'} (${format})`);
    let read: SourceRead;
    let delimiter: Delimiter | null = null;
    let encoding: Encoding | null = null;
    if (format === 'csv') {
      const numbered = await numberLines(source, dir, { encoding: options.encoding, delimiter: options.delimiter }, (line) =>
        detectDelimiter(db, dir, line),
      );
      ({ delimiter, encoding } = numbered);
      read = await readCsv(db, dir, numbered, keep);
      await fs.rm(numbered.path, { force: true });
    } else {
      if (typeof source !== 'string' || source === '-') throw new AppError('INVALID_INPUT', `${format} is read from a file only (standard input is for CSV).`);
      read = await readTable(db, source, format, keep);
    }
    const { targets, missingColumns, ignoredColumns, outcomeFound } = binding as unknown as Binding;
    if (read.reordered) await db.run('CREATE OR REPLACE TABLE src AS SELECT * FROM src ORDER BY line');
    stage('read', 'cleaning and checking every cell');

    const cleaning = new Cleaning(db, targets, mapping);
    const slot = (prop: string) => targets.findIndex((t) => !t.attribute && t.prop === prop);
    const value = (prop: string) => (slot(prop) < 0 ? 'NULL' : v(slot(prop)));
    const has = (prop: string) => `${value(prop)} IS NOT NULL`;
    // Every value, as JSON text, once: `vals` is in file order, which every later pass over it keeps.
    // The fast paths' short IN lists (placeholder and yes/no words) are compared in place: DuckDB would
    // otherwise run each as a join per cell (EXPLAIN ANALYZE: 39 mark joins, a quarter of the statement).
    await db.run("SET disabled_optimizers = 'in_clause'");
    await db.run(
      `CREATE TABLE vals AS SELECT s.line, 0::TINYINT AS role, NULL::VARCHAR AS gen, ${targets.map((_, t) => `${cleaning.value(t)} AS ${v(t)}`).join(', ')} FROM ${cleaning.source()}`,
    );
    await db.run('RESET disabled_optimizers');
    await cleaning.writeCodes();

    // Invalid cells (listed, each made unknown; under --strict they reject their row), read before any value of their target.
    const residueKinds = await db.rows<{ t: number; x: bigint; p: bigint; c: bigint }>(
      `SELECT t, count(*) FILTER (WHERE starts_with(r, 'x')) AS x, count(*) FILTER (WHERE r = 'p') AS p, count(*) FILTER (WHERE ends_with(r, '…"')) AS c FROM codes GROUP BY t`,
    );
    const residueCount = (kind: 'x' | 'p' | 'c', t: number) => Number(residueKinds.find((r) => r.t === t)?.[kind] ?? 0);
    const codesOf = (t: number) => `(SELECT raw, r FROM codes WHERE t = ${t})`;
    const noValue = (t: number, i: number) => {
      const c = `s.c${targets[t]!.columns[i]!.index + 1}`;
      return `(${c} IS NULL OR ${c} IN (SELECT raw FROM codes WHERE t = ${t} AND NOT starts_with(r, 'v')))`;
    };
    const invalidParts = targets.flatMap((target, t) =>
      residueCount('x', t) === 0
        ? []
        : target.columns.map(
            (column, j) =>
              `SELECT s.line, ${t} AS t, ${j} AS j, ${literal(column.name)} AS source_column, s.c${column.index + 1} AS value, substr(res.r, 2) AS reason
               FROM src s JOIN ${codesOf(t)} res ON res.raw = s.c${column.index + 1} WHERE NOT s.blank AND starts_with(res.r, 'x')${Array.from({ length: j }, (_, i) => ` AND ${noValue(t, i)}`).join('')}`,
          ),
    );
    await db.run(`CREATE TABLE invalid AS ${invalidParts.length ? invalidParts.join(' UNION ALL ') : 'SELECT 0 AS line, 0 AS t, 0 AS j, NULL::VARCHAR AS source_column, NULL::VARCHAR AS value, NULL::VARCHAR AS reason WHERE false'}`);
    const idSlot = slot('id');
    const identity = `(${has('id')} OR ${has('email')} OR ((${has('first_name')} OR ${has('last_name')}) AND (${has('company_name')} OR ${has('company_domain')})))`;
    await db.run(
      `CREATE TABLE rows AS SELECT line, has_identity, coalesce(bad_id, false) AS bad_id, coalesce(bad, false) AS bad,
         has_identity AND NOT coalesce(bad_id, false) AND NOT (${strict} AND coalesce(bad, false)) AS accepted
       FROM (SELECT line, ${identity} AS has_identity FROM vals) LEFT JOIN (SELECT line, bool_or(t = ${idSlot}) AS bad_id, true AS bad FROM invalid GROUP BY line) USING (line)`,
    );
    await db.run('UPDATE vals SET role = 3 FROM rows WHERE rows.line = vals.line AND NOT rows.accepted');

    const invalid = await db.rows<{ line: number; column: string; value: string | null; reason: string }>('SELECT line, source_column AS "column", value, reason FROM invalid ORDER BY line, t, j');
    const unidentified = await db.rows<{ line: number }>('SELECT line FROM rows WHERE NOT has_identity ORDER BY line');
    const rejects: RejectedValue[] = [
      ...read.rejects,
      ...invalid.map((r) => ({ line: r.line, column: r.column, value: r.value ?? '', reason: r.reason })),
      ...unidentified.map((r) => ({
        line: r.line,
        column: '(identity)',
        value: '',
        reason: 'no id, no email, and no name with a company: nothing identifies this lead (map an id column, or fill one of these in)',
      })),
    ].sort((a, b) => a.line - b.line);

    const counts = (await db.rows<Record<string, bigint>>(
      `SELECT count(*) AS rows, count(*) FILTER (WHERE accepted) AS accepted, count(*) FILTER (WHERE NOT has_identity) AS unidentified,
         count(*) FILTER (WHERE bad_id AND has_identity) AS bad_id FROM rows`,
    ))[0]!;
    const n = (key: string) => Number(counts[key] ?? 0);
    const blankRows = read.accounting.rowsRead - read.rejects.length - n('rows');
    const rowsRejected = read.rejects.length + n('rows') - n('accepted');
    const invalidCells: Record<string, number> = {};
    for (const r of invalid) invalidCells[r.column] = (invalidCells[r.column] ?? 0) + 1;
    const rejectedBy: Record<string, number> = {};
    const addRejected = (cause: string, rows: number) => {
      if (rows) rejectedBy[cause] = (rejectedBy[cause] ?? 0) + rows;
    };
    addRejected('(row)', read.rejects.length);
    addRejected('(identity)', n('unidentified'));
    if (idSlot >= 0) addRejected(targets[idSlot]!.columns.map((c) => c.name).join(' / '), n('bad_id'));
    if (strict) {
      for (const r of await db.rows<{ column: string; rows: bigint }>(
        `SELECT source_column AS "column", count(DISTINCT line) AS rows FROM invalid JOIN rows USING (line) WHERE has_identity AND NOT bad_id GROUP BY 1 ORDER BY 1`,
      )) {
        addRejected(r.column, Number(r.rows));
      }
    }

    const placeholderParts = targets.flatMap((target, t) =>
      residueCount('p', t) === 0
        ? []
        : target.columns.map(
            (column) =>
              `SELECT ${literal(column.name)} AS "column", count(*) AS n FROM src s JOIN ${codesOf(t)} res ON res.raw = s.c${column.index + 1} JOIN rows r ON r.line = s.line WHERE r.accepted AND res.r = 'p'`,
          ),
    );
    const placeholders: Record<string, number> = {};
    if (placeholderParts.length) {
      for (const r of await db.rows<{ column: string; n: bigint }>(placeholderParts.join(' UNION ALL '))) if (Number(r.n)) placeholders[r.column] = (placeholders[r.column] ?? 0) + Number(r.n);
    }
    const truncatedParts = targets.flatMap((target, t) =>
      residueCount('c', t) === 0 ? [] : target.columns.map((column) => `SELECT count(*) AS n FROM src s JOIN ${codesOf(t)} res ON res.raw = s.c${column.index + 1} JOIN rows r ON r.line = s.line WHERE r.accepted AND ends_with(res.r, '…"')`),
    );
    const truncated = truncatedParts.length ? (await db.rows<{ n: bigint }>(truncatedParts.join(' UNION ALL '))).reduce((sum, r) => sum + Number(r.n), 0) : 0;
    stage('clean', 'merging duplicates');

    // Duplicates: rows sharing a key with another row go through the union-find (dedupe.ts).
    const key = (column: string) => `CASE WHEN strlen(${column}) = length(${column}) THEN lower(${column}) ELSE ls_key(${column}) END`;
    db.connection.registerScalarFunction(
      scalarFunction('ls_key', 'text', (json) => JSON.stringify(columnKey(JSON.parse(json!) as string))),
    );
    const nameKey = ['first_name', 'last_name', 'company_domain'].some((p) => slot(p) < 0)
      ? 'NULL'
      : `CASE WHEN ${has('first_name')} AND ${has('last_name')} AND ${has('company_domain')} THEN ${key(value('first_name'))} || chr(1) || ${key(value('last_name'))} || chr(1) || ${value('company_domain')} END`;
    await db.run(`CREATE TABLE keyed AS SELECT line, ${value('id')} AS id, ${value('email')} AS email, ${nameKey} AS name FROM vals WHERE role = 0`);
    for (const k of ['id', 'email', 'name']) await db.run(`CREATE TABLE shared_${k} AS SELECT ${k} AS k FROM keyed WHERE ${k} IS NOT NULL GROUP BY ${k} HAVING count(*) > 1`);
    const candidates = await db.rows<{ line: number; has_id: boolean; id: string | null; email: string | null; name: string | null }>(
      `SELECT line, keyed.id IS NOT NULL AS has_id, si.k AS id, se.k AS email, sn.k AS name FROM keyed
         LEFT JOIN shared_id si ON si.k = keyed.id LEFT JOIN shared_email se ON se.k = keyed.email LEFT JOIN shared_name sn ON sn.k = keyed.name
       WHERE si.k IS NOT NULL OR se.k IS NOT NULL OR sn.k IS NOT NULL ORDER BY line`,
    );
    const grouped = groupRows(candidates.map((c): CandidateRow => ({ line: c.line, hasId: c.has_id, id: c.id, email: c.email, name: c.name })));
    await db.run('CREATE TABLE groups (line INTEGER, grp INTEGER, id_line INTEGER)');
    await insertRows(db, 'groups', grouped.rows.map((r) => [r.line, r.group, r.idLine]));
    const time = (prop: string) =>
      slot(prop) < 0 ? 'NULL' : `epoch_ms(strptime(substr(${value(prop)}, ${memberKey(targets[slot(prop)]!).length + 2}, 24), '%Y-%m-%dT%H:%M:%S.%gZ'))`;
    await db.run(
      `CREATE TABLE merged AS SELECT grp, min(line) AS first_line, max(line) AS last_line, ${targets.map((target, t) => `${mergeSql(target.merge, v(t), memberKey(target))} AS ${v(t)}`).join(', ')}
       FROM (SELECT vals.*, g.grp, g.id_line, (coalesce(${time('last_activity_at')}, ${time('created_at')}, '-infinity'::DOUBLE), vals.line) AS newest FROM vals JOIN groups g USING (line))
       GROUP BY grp`,
    );
    // A group's rows give way to its merged lead, written where its last row is.
    await db.run('UPDATE vals SET role = 2 FROM groups WHERE groups.line = vals.line');
    const leadsCount = Number((await db.rows<{ n: bigint }>('SELECT (SELECT count(*) FROM vals WHERE role = 0) + (SELECT count(*) FROM merged) AS n'))[0]!.n);

    // One display spelling per category value: the one most leads have, the first seen on a tie.
    const leadValues = (t: number) => `SELECT ${v(t)} AS value, line AS first_line FROM vals WHERE role = 0 UNION ALL SELECT ${v(t)}, first_line FROM merged`;
    const spellings = new Map<number, Map<string, string>>();
    for (const [t, target] of targets.entries()) {
      if (!target.category) continue;
      const changed = await db.rows<{ value: string; canon: string }>(
        `WITH spelled AS (SELECT ${key('value')} AS k, value, count(*) AS n, min(first_line) AS f FROM (${leadValues(t)}) WHERE value IS NOT NULL GROUP BY ALL),
              chosen AS (SELECT k, arg_min(value, (-n, f)) AS canon FROM spelled GROUP BY k)
         SELECT spelled.value, chosen.canon FROM spelled JOIN chosen USING (k) WHERE spelled.value <> chosen.canon`,
      );
      if (changed.length) spellings.set(t, new Map(changed.map((r) => [r.value, r.canon])));
    }
    db.connection.registerScalarFunction(scalarFunction('ls_spelling', 'text, number', (json, t) => spellings.get(t!)?.get(json!) ?? json));
    const spelled = (t: number, column: string) => {
      const changed = spellings.get(t);
      return changed ? `CASE WHEN ${column} IN (${[...changed.keys()].map(literal).join(', ')}) THEN ls_spelling(${column}, ${t}) ELSE ${column} END` : column;
    };

    // Leads without an id get `lead_` + a hash of their email, else name + company domain, else name + company.
    const generatedIds = { email: 0, nameAndDomain: 0, nameAndCompany: 0 };
    const basisColumns = ['email', 'first_name', 'last_name', 'company_domain', 'company_name'];
    const noIdWhere = idSlot < 0 ? 'true' : `${v(idSlot)} IS NULL`;
    const noId = await db.rows<Record<string, string | null> & { line: number; merged: boolean }>(
      `SELECT line, false AS merged, ${basisColumns.map((p) => `${value(p)} AS ${p}`).join(', ')} FROM vals WHERE role = 0 AND ${noIdWhere}
       UNION ALL SELECT last_line, true, ${basisColumns.map((p) => `${value(p)} AS ${p}`).join(', ')} FROM merged WHERE ${noIdWhere} ORDER BY 1`,
    );
    const taken = new Set(
      idSlot < 0
        ? []
        : (
            await db.rows<{ id: string }>(
              `SELECT ${v(idSlot)} AS id FROM vals WHERE role = 0 AND starts_with(${v(idSlot)}, '"id":"lead_') UNION ALL SELECT ${v(idSlot)} FROM merged WHERE starts_with(${v(idSlot)}, '"id":"lead_')`,
            )
          ).map((r) => JSON.parse(r.id.slice('"id":'.length)) as string),
    );
    const ids: [number, string][] = noId.map((lead) => {
      const text = (p: string) => (lead[p] ? (JSON.parse(lead[p].slice(lead[p].indexOf(':') + 1)) as string) : undefined);
      const [email, first, last, domain, company] = basisColumns.map(text);
      let basis: string;
      if (email) {
        basis = `email:${email}`;
        generatedIds.email++;
      } else if (first && last && domain) {
        basis = `name:${first.toLowerCase()}\u0000${last.toLowerCase()}\u0000${domain}`;
        generatedIds.nameAndDomain++;
      } else {
        basis = `person:${(first ?? '').toLowerCase()}\u0000${(last ?? '').toLowerCase()}\u0000${(domain ?? company ?? '').toLowerCase()}`;
        generatedIds.nameAndCompany++;
      }
      const base = `lead_${hashString(basis)}`;
      let id = base;
      for (let suffix = 2; taken.has(id); suffix++) id = `${base}_${suffix}`;
      taken.add(id);
      return [lead.line, `"id":${JSON.stringify(id)}`];
    });
    await db.run('CREATE TABLE generated (line INTEGER, id VARCHAR)');
    await insertRows(db, 'generated', ids);
    await db.run('UPDATE vals SET gen = generated.id FROM generated WHERE generated.line = vals.line');

    // Each lead as JSON text: contract fields in the contract's order, then attributes in the mapping's.
    const leadJson = (table: string) => {
      const member = (target: Target, t: number) =>
        target.prop === 'id' ? `coalesce(${table}.${v(t)}, ${table}.gen)` : target.category ? spelled(t, `${table}.${v(t)}`) : `${table}.${v(t)}`;
      const fields = LEAD_FIELDS.flatMap((field) => {
        if (field === 'id' && idSlot < 0) return [`${table}.gen`];
        const t = targets.findIndex((target) => !target.attribute && target.prop === field);
        return t < 0 ? [] : [member(targets[t]!, t)];
      });
      const attributes = targets.flatMap((target, t) => (target.attribute ? [member(target, t)] : []));
      const attributesJson = attributes.length
        ? [`CASE WHEN ${targets.flatMap((target, t) => (target.attribute ? [`${table}.${v(t)} IS NOT NULL`] : [])).join(' OR ')} THEN '"attributes":{' || concat_ws(',', ${attributes.join(', ')}) || '}' END`]
        : [];
      return `'{' || concat_ws(',', ${[...fields, ...attributesJson].join(', ')}) || '}'`;
    };
    await db.run(`ALTER TABLE merged ADD COLUMN gen VARCHAR`);
    await db.run('UPDATE merged SET gen = generated.id FROM generated WHERE generated.line = merged.last_line');
    const leadsSql = `SELECT line, ${leadJson('vals')} AS json FROM vals WHERE role = 0 UNION ALL SELECT last_line, ${leadJson('merged')} FROM merged`;

    const coverageRow = (await db.rows<Record<string, bigint>>(
      `SELECT ${targets.map((_, t) => `count(${v(t)}) AS ${v(t)}`).join(', ')} FROM (SELECT ${targets.map((_, t) => v(t)).join(', ')} FROM vals WHERE role = 0 UNION ALL SELECT ${targets.map((_, t) => v(t)).join(', ')} FROM merged)`,
    ))[0]!;
    const coverage: Record<string, number> = {};
    targets.forEach((target, t) => {
      if (target.key !== 'outcome') coverage[target.key] = target.prop === 'id' ? leadsCount : Number(coverageRow[v(t)]);
    });

    let outcome: OutcomeReport | null = null;
    const failures: string[] = [];
    const outcomeSlot = targets.findIndex((t) => t.key === 'outcome');
    if (mapping.outcome && !outcomeFound) {
      failures.push(
        `The mapping's outcome column "${mapping.outcome.column}" is not in this file. Map the column that holds the outcome, or import without one: "outcome": null in a mapping file (e.g. {"extends": "hubspot", "outcome": null}).`,
      );
    } else if (outcomeSlot >= 0) {
      const target = targets[outcomeSlot]!;
      const column = `s.c${target.columns[0]!.index + 1}`;
      const values = await db.rows<{ value: string; json: string | null; code: string | null; rows: bigint }>(
        `SELECT trim(${column}) AS value, any_value(${cleaning.cellValue(outcomeSlot, 0)}) AS json, any_value(res.r) AS code, count(*) AS rows
         FROM ${cleaning.source()} LEFT JOIN ${codesOf(outcomeSlot)} res ON res.raw = ${column} WHERE ${column} IS NOT NULL AND trim(${column}) <> '' GROUP BY 1 ORDER BY rows DESC, value`,
      );
      const reads = (r: (typeof values)[number]): OutcomeReport['values'][number]['reads'] =>
        r.json === '"converted":true' ? 'converted' : r.json === '"converted":false' ? 'not converted' : r.code?.startsWith('x') ? 'invalid' : 'unknown';
      const tally = (await db.rows<Record<string, bigint>>(
        `SELECT count(*) FILTER (WHERE o = '"converted":true') AS yes, count(*) FILTER (WHERE o = '"converted":false') AS no FROM (SELECT ${v(outcomeSlot)} AS o FROM vals WHERE role = 0 UNION ALL SELECT ${v(outcomeSlot)} FROM merged)`,
      ))[0]!;
      outcome = {
        column: target.columns[0]!.name,
        values: values.slice(0, 20).map((r) => ({ value: r.value, rows: Number(r.rows), reads: reads(r) })),
        distinctValues: values.length,
        converted: Number(tally.yes),
        notConverted: Number(tally.no),
        unknown: leadsCount - Number(tally.yes) - Number(tally.no),
      };
      const seen = values.slice(0, 10).map((r) => `"${r.value}" (${Number(r.rows)})`).join(', ') + (values.length > 10 ? `, … ${values.length - 10} more` : '');
      const positive = mapping.outcome!.positive;
      if (positive && !values.some((r) => reads(r) === 'converted')) {
        failures.push(
          `No value of the outcome column "${outcome.column}" is one the mapping counts as converted (${positive.map((p) => `"${p}"`).join(', ')}); it holds ${values.length ? seen : 'no values at all'}. Fix "outcome.positive" in the mapping.`,
        );
      } else if (!positive && !values.some((r) => reads(r) === 'converted' || reads(r) === 'not converted')) {
        failures.push(
          `No value of the outcome column "${outcome.column}" reads as yes/no; it holds ${values.length ? seen : 'no values at all'}. List the converted values in the mapping ("outcome": {"column": …, "positive": […]}).`,
        );
      }
    }
    const dataRows = read.accounting.rowsRead - blankRows;
    const causes = Object.entries(rejectedBy)
      .sort((a, b) => b[1] - a[1])
      .map(([cause, rows]) => `${cause}: ${rows.toLocaleString('en-US')}`)
      .join(', ');
    if (rowsRejected > 0 && rowsRejected > maxRejectRate * dataRows) {
      failures.unshift(
        `${rowsRejected.toLocaleString('en-US')} of ${dataRows.toLocaleString('en-US')} rows (${Math.round((100 * rowsRejected) / Math.max(1, dataRows))}%) would be rejected, more than --max-reject-rate ${maxRejectRate} allows. Rejected rows by cause: ${causes}.`,
      );
    } else if (leadsCount === 0) {
      failures.unshift(dataRows === 0 ? 'The file has no data rows: there is nothing to import.' : `No row could be imported as a lead. Rejected rows by cause: ${causes}.`);
    }
    const failure = failures.length ? failures.join('\n') : null;
    // The raw cells are not read again: their memory goes to writing the leads.
    await db.run('DROP TABLE src');
    stage('merge');

    const report: ImportReport = {
      mapping: mapping.name,
      format,
      delimiter,
      encoding,
      strict,
      lines: format === 'csv' ? read.accounting : null,
      rowsRead: read.accounting.rowsRead,
      blankRows,
      rowsRejected,
      rejectedBy,
      rowsAccepted: n('accepted'),
      leads: leadsCount,
      merged: n('accepted') - leadsCount,
      dedupe: grouped.stats,
      invalidCells,
      placeholders,
      truncated,
      literalQuotes: read.literalQuotes,
      generatedIds,
      ignoredColumns,
      missingColumns,
      coverage,
      outcome,
    };
    if (!failure) {
      onProgress?.(`writing ${leadsCount.toLocaleString('en-US')} leads`);
      await output(leadOutput(db, leadsSql, leadsCount));
      stage('write');
    }
    return { rejects, report, failure, timings };
  } finally {
    sql?.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * A DuckDB scalar function run in JavaScript, of VARCHAR (and an INTEGER) to VARCHAR. DuckDB does not
 * call it for a NULL argument (the result is NULL).
 */
function scalarFunction(name: string, parameters: 'text' | 'text, number', answer: (text: string, n: number | null) => string | null): DuckDBScalarFunction {
  const types = parameters === 'text' ? [VARCHAR] : [VARCHAR, INTEGER];
  return DuckDBScalarFunction.create({
    name,
    returnType: VARCHAR,
    parameterTypes: types,
    mainFunction: (_info, input, out) => {
      const first = input.getColumnVector(0);
      const second = types.length > 1 ? input.getColumnVector(1) : null;
      for (let i = 0; i < input.rowCount; i++) {
        out.setItem(i, answer(first.getItem(i) as string, (second?.getItem(i) as number | undefined) ?? null));
      }
      out.flush();
    },
  });
}

/**
 * The leads of `leadsSql` (line, json: one JSON text per lead), in file order. ORDER BY: past one row
 * group (122,880 rows) DuckDB does not keep a table's order.
 */
function leadOutput(db: Sql, leadsSql: string, count: number): LeadOutput {
  return {
    count,
    async writeFile(file) {
      // The array's brackets ride on the first and last lead; the CSV writer, quoting nothing, writes lines as they are.
      const [{ first, last }] = (await db.rows<{ first: number; last: number }>(`SELECT min(line) AS first, max(line) AS last FROM (${leadsSql})`)) as [{ first: number; last: number }];
      const body = `SELECT CASE WHEN line = ${first} THEN '[' || chr(10) ELSE '' END || json || CASE WHEN line = ${last} THEN chr(10) || ']' ELSE ',' END FROM (${leadsSql}) ORDER BY line`;
      await db.run(`COPY (${body}) TO ${literal(file)} (FORMAT CSV, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f')`);
    },
    async *batches(size) {
      const result = await db.connection.stream(`SELECT json FROM (${leadsSql}) ORDER BY line`);
      let batch: string[] = [];
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        const column = chunk.getColumnVector(0);
        for (let i = 0; i < chunk.rowCount; i++) {
          batch.push(column.getItem(i) as string);
          if (batch.length === size) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length) yield batch;
    },
  };
}

/** Writes a leads file atomically: to a temp file beside it, flushed to disk, renamed over it. */
export async function writeLeadsFile(leads: LeadOutput, file: string): Promise<void> {
  await writeAtomicVia(file, (temp) => leads.writeFile(temp));
}

/** Imports into memory: for tests and small files. */
export async function importLeads(source: ImportSource, options: ImportOptions): Promise<ImportRun & { leads: Lead[] }> {
  const leads: Lead[] = [];
  const run = await runImport(source, options, async (output) => {
    for await (const batch of output.batches(10_000)) for (const json of batch) leads.push(JSON.parse(json) as Lead);
  });
  return { ...run, leads };
}
