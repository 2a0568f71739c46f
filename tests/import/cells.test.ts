import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellCodeOf, fastSql, memberKey, type CleanerKind, type Target } from '@/lib/import/cells';
import { insertRows, openSql, type Sql } from '@/lib/import/duckdb';
import { parseMapping, type Mapping } from '@/lib/import/mapping';
import { JS_SPACE_CLASS } from '@/lib/import/read';

/**
 * The SQL fast paths (cells.ts) must never disagree with clean.ts: whatever value a path takes, its
 * member is `"key":` + exactly the JSON the cleaner makes of it. Random values from an alphabet of the
 * characters the rules care about (spaces, dashes, quotes, control characters, non-ASCII, digits,
 * separators, @ and dots), plus real-looking samples, are run through both.
 */

let dir: string;
let sql: Sql;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cells-test-'));
  sql = await openSql(dir);
});
afterAll(async () => {
  sql.close();
  await rm(dir, { recursive: true, force: true });
});

const mapping: Mapping = parseMapping({ fields: { id: 'x' }, outcome: { column: 'Stage', positive: ['Closed Won', 'customer'], negative: ['Lost'] } });
const target = (kind: CleanerKind, prop = 'value'): Target => ({ key: prop, prop, attribute: false, kind, merge: 'newest', category: false, columns: [{ index: 0, name: 'x' }], options: null });

const SAMPLES: Record<string, string[]> = {
  text: ['Acme Inc', ' Acme  Inc ', 'N/A', '-- None --', 'none', 'Select', 'Sales', '(blank)', 'x'.repeat(25), 'a\tb', 'Zoë', '"quoted"', 'back\\slash', '-'],
  email: ['a@b.co', 'A.B@Example.COM', ' a@b.co', 'mailto:a@b.co', 'a..b@x.io', 'a@b', "o'brien@x.io", 'a@b.c'],
  domain: ['acme.com', 'https://www.Acme.com/about', 'http://acme.io?x=1', 'www.acme.io', 'www.com', 'www.www.x.com', 'acme', 'a-b.co', '-a.co', 'ftp://x.io', 'x.io:8080', 'user@x.io'],
  number: ['0', '007', '1,234', '1,23', '12,345,678', '1 000', '$5M', '-3', '2.5', '999999999999999', '1234567890123456', '51-200', '1,000+', '200-51', '10,001+', '1-2-3', '0-0', '5+', '-5'],
  date: ['2024-03-05', '2024-02-30', '2024-03-05 14:22', '2024-03-05 24:00', '2024-03-05T14:22:07.123Z', '1899-12-31', '2101-01-01', '2024-3-5', '2024-03-05T14:22:60.000Z', '3/5/2024', '03/05/2024', '02/30/2024', '13/01/2024', '1/1/1899', '12/31/2100', '2/29/2023', '2/29/2024'],
  boolean: ['Yes', 'no', 'X', 'checked', '✓', 'maybe', ' yes', 'TRUE', 'Off'],
  outcome: ['Closed Won', 'closed won', 'CUSTOMER', 'Lost', 'Open', 'None', ' customer', 'Closed  Won'],
};

const alphabet = fc.constantFrom(...' aAbB0123591-.,@/:?#_+\'"\\\t\r\n\u0000\u00a0é€—[]()<>#wWhHtTpPsS'.split(''));
const randomText = fc.oneof(fc.string({ unit: alphabet, maxLength: 24 }), fc.string({ maxLength: 12 }));

/** Runs the fast path of `kind` over `values` in DuckDB: per value, whether it takes it and its member. */
async function fastResults(kind: CleanerKind, values: readonly string[], odd: boolean, m: Mapping = mapping): Promise<{ raw: string; taken: boolean; member: string | null }[]> {
  await sql.run('CREATE OR REPLACE TABLE sample (i INTEGER, raw VARCHAR)');
  await insertRows(sql, 'sample', values.map((raw, i) => [i, raw]));
  const t = target(kind);
  const fast = fastSql(t, 'raw', { outcome: m.outcome, dateOrder: m.dateFormat, odd: String(odd), text: `(${'CASE WHEN starts_with(raw, \' \') OR ends_with(raw, \' \') OR contains(raw, \'  \') THEN regexp_replace(trim(raw), \' {2,}\', \' \', \'g\') ELSE raw END'})` })!;
  const rows = await sql.rows<{ raw: string; taken: boolean; member: string | null }>(`SELECT raw, ${fast.test} AS taken, CASE WHEN ${fast.test} THEN ${fast.member} END AS member FROM sample ORDER BY i`);
  return rows;
}

/** Whether a value is what the spool guarantees of a cell on a line not flagged (source.ts): printable ASCII, tabs and CRs. */
const plainLine = (raw: string) => /^[\x20-\x7e\t\r]*$/.test(raw);

const kinds: [CleanerKind, string][] = [
  ['id', 'text'],
  ['text', 'text'],
  ['category', 'text'],
  ['long', 'text'],
  ['email', 'email'],
  ['domain', 'domain'],
  ['count', 'number'],
  ['employees', 'number'],
  ['revenue', 'number'],
  ['number', 'number'],
  ['date', 'date'],
  ['boolean', 'boolean'],
  ['outcome', 'outcome'],
];

describe.each(kinds)('the %s fast path', (kind, samples) => {
  const check = async (values: string[], odd: boolean) => {
    const code = cellCodeOf(target(kind), mapping);
    for (const { raw, taken, member } of await fastResults(kind, values, odd)) {
      if (!taken) continue;
      const js = code(raw);
      expect({ raw, js }).toEqual({ raw, js: `v${member!.slice(memberKey(target(kind)).length)}` });
    }
  };

  it('takes only values its cleaner makes the same value of (samples)', async () => {
    await check(SAMPLES[samples]!, true);
  });

  it('property: on any value, what it takes is what clean.ts makes of it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(randomText, fc.constantFrom(...SAMPLES[samples]!)), { minLength: 1, maxLength: 60 }), async (values) => {
        await check(values, true);
        // On a line the spool did not flag, the per-cell check for odd characters is skipped.
        await check(values.filter(plainLine), false);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the date fast path with dateFormat DMY', () => {
  const dmy: Mapping = parseMapping({ fields: { id: 'x' }, dateFormat: 'DMY' });
  it('reads 05/03/2024 day first, as clean.ts does', async () => {
    const code = cellCodeOf(target('date'), dmy);
    const results = await fastResults('date', [...SAMPLES.date!, '05/03/2024', '31/12/2024', '12/31/2024'], true, dmy);
    for (const { raw, taken, member } of results) if (taken) expect({ raw, js: code(raw) }).toEqual({ raw, js: `v${member!.slice(memberKey(target('date')).length)}` });
    expect(results.find((r) => r.raw === '05/03/2024')!.member).toContain('2024-03-05T00:00:00.000Z');
  });
});

describe('the fast paths take the usual cells', () => {
  it.each([
    ['text', 'Acme Inc'],
    ['text', '  Acme   Inc '],
    ['email', 'Jane.Doe@Example.com'],
    ['domain', 'https://www.acme.io/about'],
    ['count', '1,234'],
    ['date', '2024-03-05 14:22'],
    ['date', '3/5/2024'],
    ['employees', '51-200'],
    ['revenue', '1,000+'],
    ['boolean', 'Yes'],
    ['outcome', 'Customer'],
  ] as [CleanerKind, string][])('%s: %j', async (kind, value) => {
    expect((await fastResults(kind, [value], false))[0]!.taken).toBe(true);
  });
});

describe('JS_SPACE_CLASS', () => {
  it('is exactly what JavaScript’s \\s matches, for every UTF-16 code unit', async () => {
    const units = Array.from({ length: 0xffff }, (_, c) => c).filter((c) => c < 0xd800 || c > 0xdfff);
    await sql.run('CREATE OR REPLACE TABLE units (c INTEGER, ch VARCHAR)');
    await insertRows(sql, 'units', units.map((c) => [c, String.fromCharCode(c)]));
    const rows = await sql.rows<{ c: number }>(`SELECT c FROM units WHERE regexp_full_match(ch, '${JS_SPACE_CLASS}') ORDER BY c`);
    expect(rows.map((r) => r.c)).toEqual(units.filter((c) => /\s/.test(String.fromCharCode(c))));
  });
});
