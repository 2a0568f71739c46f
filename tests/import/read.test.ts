import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSql } from '@/lib/import/duckdb';
import { importLeads, type ImportOptions } from '@/lib/import/import';
import { parseMapping } from '@/lib/import/mapping';

/**
 * How the reader (source.ts, read.ts) turns a file's physical lines into rows: every line accounted for,
 * a stray quote costing at most its own row, problems reported at the line they start on.
 */

const mapping = parseMapping({ fields: { id: 'id', first_name: 'name', company_description: 'desc' } });
const read = (text: string | Buffer, options: Partial<ImportOptions> = {}) =>
  importLeads({ text: typeof text === 'string' ? text : (text as unknown as string) }, { mapping, maxRejectRate: 1, ...options });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'read-test-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A file of `bytes` in the test's directory. */
async function file(name: string, bytes: string | Buffer): Promise<string> {
  const at = path.join(dir, name);
  await writeFile(at, bytes);
  return at;
}

describe('line accounting', () => {
  it('header + rows (on their lines) + blank lines = physical lines, with multi-line values, empty and space-only lines', async () => {
    const { report, leads } = await read('id,name,desc\n1,Ann,"two\r\nlines"\n\n   \n2,Bob,x\n,,\n3,Cy,"a\n\n\nb"\n\n');
    expect(report.lines).toEqual({ lines: 12, headerLines: 1, sepLine: false, rowsRead: 4, rowLines: 8, blankLines: 3 });
    expect(report.blankRows).toBe(1);
    expect(leads.map((l) => [l.id, l.company_description])).toEqual([
      ['1', 'two\nlines'],
      ['2', 'x'],
      ['3', 'a\n\nb'],
    ]);
  });

  it('reports each problem at the physical line its record starts on, after multi-line values', async () => {
    const { rejects } = await read('id,name,desc\n1,Ann,"a\nb\nc"\n2,Bob\n3,Cy,"d\ne",extra\n4,Di,f\n');
    expect(rejects.map((r) => [r.line, r.column, r.value])).toEqual([
      [5, '(row)', '2 fields'],
      [6, '(row)', '4 fields'],
    ]);
  });

  it('reads Excel\'s delimiter line ("sep=;") before the header: its delimiter, every line at its physical number', async () => {
    const { report, leads, rejects } = await read('sep=;\r\nid;name;desc\r\n1;Ann;"a, b"\r\n\r\n2;Bob\r\n3;Cy;z\r\n');
    expect(report.delimiter).toBe(';');
    expect(report.lines).toEqual({ lines: 6, headerLines: 2, sepLine: true, rowsRead: 3, rowLines: 3, blankLines: 1 });
    expect(leads.map((l) => [l.id, l.company_description])).toEqual([
      ['1', 'a, b'],
      ['3', 'z'],
    ]);
    expect(rejects.map((r) => [r.line, r.column, r.value])).toEqual([[5, '(row)', '2 fields']]);
    // --delimiter still decides; the line is still not a row.
    const piped = await read('SEP=,\nid|name|desc\n1|Ann|x\n', { delimiter: '|' });
    expect([piped.report.delimiter, piped.leads.map((l) => l.first_name), piped.report.lines?.headerLines]).toEqual(['|', ['Ann'], 2]);
    // A file that is only the delimiter line has no header.
    await expect(read('sep=;\n')).rejects.toThrow(/line 2, after Excel's delimiter line "sep=;", must be the header/);
    // "sep=" with something else after it is no delimiter line: it is the header.
    expect((await read('sep=x,name,desc\n1,Ann,x\n', { mapping: parseMapping({ fields: { id: 'sep=x', first_name: 'name' } }) })).leads).toHaveLength(1);
  });

  it('reads files whose lines end in lone carriage returns', async () => {
    const { report, leads } = await read('id,name,desc\r1,Ann,x\r2,Bob,"y\rz"\r');
    expect(leads.map((l) => l.company_description)).toEqual(['x', 'y\nz']);
    expect(report.lines).toEqual({ lines: 4, headerLines: 1, sepLine: false, rowsRead: 2, rowLines: 3, blankLines: 0 });
  });
});

describe('stray quotes', () => {
  it('a quote that swallowed the lines after it costs at most its own row: those lines are read again and imported', async () => {
    // The stray quote on line 3 runs on to the first quote after it, on line 63.
    const people = Array.from({ length: 59 }, (_, i) => `${i + 3},Person ${i + 3},plain ${i + 3}`);
    const lines = ['id,name,desc', '1,Ann,x', '2,"Bob, Inc,y', ...people, '62,Last,"closing, quoted"', '63,Zed,z'];
    const { leads, rejects, report } = await read(`${lines.join('\n')}\n`);
    expect(rejects).toEqual([
      {
        line: 3,
        column: '(row)',
        value: '2,"Bob, Inc,y',
        reason: 'unbalanced quote opened on line 3; it swallowed lines 4–63, read again on their own; with the quote read as text, the line has 4 fields, not 3',
      },
    ]);
    expect(leads.map((l) => l.id)).toEqual(['1', ...Array.from({ length: 60 }, (_, i) => String(i + 3)), '63']);
    expect(report.rowsRejected).toBe(1);
    expect(report.lines).toEqual({ lines: 64, headerLines: 1, sepLine: false, rowsRead: 63, rowLines: 63, blankLines: 0 });
  });

  it('a record over several lines with a wrong field count, whose lines do not read on their own, is rejected whole at its first line', async () => {
    const { leads, rejects } = await read('id,name,desc\n1,Cy,"d\ne",extra\n2,Di,f\n');
    expect(rejects.map((r) => [r.line, r.value])).toEqual([[2, '4 fields']]);
    expect(leads.map((l) => l.id)).toEqual(['2']);
  });

  it('a stray quote whose line still fits the header is read as text and the row kept', async () => {
    const { leads, rejects, report } = await read('id,name,desc\n1,"Car"ol,x\n2,Dan "the" man,y\n3,"Eve,z\n4,Fay,w\n');
    expect(rejects).toEqual([]);
    expect(leads.map((l) => l.first_name)).toEqual(['"Car"ol', 'Dan "the" man', '"Eve', 'Fay']);
    expect(report.literalQuotes).toEqual([2, 4]);
  });

  it('an unclosed quote is reported at the line where it opened, and the lines after it still import', async () => {
    const { leads, rejects } = await read('id,name,desc\n1,Ann,x\n2,Bob,"never, closes\n3,Cy,z\n4,Di,w\n');
    expect(rejects).toEqual([{ line: 3, column: '(row)', value: '2,Bob,"never, closes', reason: expect.stringMatching(/^unbalanced quote opened on line 3 and never closes; it swallowed lines 4–5/) }]);
    expect(leads.map((l) => l.id)).toEqual(['1', '3', '4']);
  });
});

describe('oversized rows', () => {
  it('a field too large for a row rejects that row only', async () => {
    const { leads, rejects } = await read(`id,name,desc\n1,Ann,x\n2,Bob,"${'x'.repeat(2_100_000)}"\n3,Cy,z\n`);
    expect(leads.map((l) => l.id)).toEqual(['1', '3']);
    expect(rejects).toEqual([{ line: 3, column: '(row)', value: expect.stringMatching(/^2,Bob,"x+$/), reason: expect.stringContaining('larger than 2 MB') }]);
  });
});

describe('encodings', () => {
  const latin = Buffer.concat([Buffer.from('id,name,desc\r\n1,'), Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]), Buffer.from(',caf'), Buffer.from([0xe9, 0x20, 0x80, 0x35]), Buffer.from('\r\n')]);

  it('refuses a file that is not UTF-8, naming the line and the --encoding to use', async () => {
    await expect(importLeads(await file('latin.csv', latin), { mapping })).rejects.toThrow(/not valid UTF-8: byte \d+, on line 2.*--encoding windows-1252/);
  });

  it('--encoding windows-1252 converts it (€ included), --encoding latin-1 reads ISO-8859-1', async () => {
    const windows = await importLeads(await file('latin.csv', latin), { mapping, encoding: 'windows-1252' });
    expect(windows.leads).toEqual([{ id: '1', first_name: 'Müller', company_description: 'café €5' }]);
    expect(windows.report.encoding).toBe('windows-1252');
    const iso = await importLeads(await file('latin.csv', latin), { mapping, encoding: 'latin-1' });
    expect(iso.leads[0]!.company_description).toBe('café \u00805');
  });

  it('reads UTF-16 by its byte-order mark, little- or big-endian, whatever --encoding says', async () => {
    const text = 'id,name,desc\r\n1,Müller,"a\r\nb"\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le.swap16());
    for (const bytes of [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), be]) {
      const { leads, report } = await importLeads(await file('utf16.csv', bytes), { mapping });
      expect(leads).toEqual([{ id: '1', first_name: 'Müller', company_description: 'a\nb' }]);
      expect(report.encoding).toBe('utf-16');
      expect(report.lines!.lines).toBe(3);
    }
  });

  it('drops a UTF-8 byte-order mark before the header', async () => {
    const { leads } = await read('\uFEFFid,name,desc\n1,Ann,x\n');
    expect(leads).toEqual([{ id: '1', first_name: 'Ann', company_description: 'x' }]);
  });
});

describe('delimiters', () => {
  it.each([
    [';', 'id;name;desc\n1;Ann;"a; b"\n'],
    ['\t', 'id\tname\tdesc\n1\tAnn\t"a\tb"\n'],
    ['|', 'id|name|desc\n1|Ann|"a| b"\n'],
  ])('finds %j from the header line', async (delimiter, text) => {
    const { leads, report } = await read(text);
    expect(report.delimiter).toBe(delimiter);
    expect(leads[0]!.first_name).toBe('Ann');
  });
});

describe('Parquet and JSON exports', () => {
  it('reads both as DuckDB does, every value as text, records numbered from 1', async () => {
    const sql = await openSql(path.join(dir, 'duck'));
    const parquet = path.join(dir, 'export.parquet');
    await sql.run(`COPY (SELECT * FROM (VALUES (1, 'Ann', 'x', 3.5), (2, 'Bob', NULL, 2.0)) t(id, name, "desc", score)) TO '${parquet}' (FORMAT parquet)`);
    sql.close();
    const fromParquet = await importLeads(parquet, { mapping });
    expect(fromParquet.leads).toEqual([
      { id: '1', first_name: 'Ann', company_description: 'x' },
      { id: '2', first_name: 'Bob' },
    ]);
    expect(fromParquet.report.format).toBe('parquet');
    const json = await file('export.json', JSON.stringify([{ id: 'a1', name: 'Ann', desc: 'x' }, { id: 'a2', name: 'N/A' }, { id: '', name: 'Nobody' }]));
    const fromJson = await importLeads(json, { mapping, maxRejectRate: 1 });
    expect(fromJson.leads).toEqual([{ id: 'a1', first_name: 'Ann', company_description: 'x' }, { id: 'a2' }]);
    expect(fromJson.rejects).toEqual([{ line: 3, column: '(identity)', value: '', reason: expect.any(String) }]);
  });
});
