import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FALLBACK,
  FastPath,
  PLACEHOLDER,
  fastBoolean,
  fastDigits,
  fastDomain,
  fastEmail,
  fastIsoDate,
  fastLines,
  fastLongText,
  fastText,
  RowEngine,
  rowEngine,
  type FastCleaning,
  type RowCallbacks,
} from '@/lib/import/row-engine';
import {
  cleanCategory,
  cleanDomain,
  cleanEmail,
  cleanId,
  cleanLongText,
  cleanText,
  parseBoolean,
  parseCount,
  parseDate,
  parseEmployeeCount,
  parseNumber,
  parseRevenue,
} from '@/lib/import/clean';
import { splitCsv } from '@/lib/import/csv';
import { createRng } from '@/lib/import/dirty-export';
import { loadMapping, parseMapping } from '@/lib/import/mapping';
import { nameKey, type Draft } from '@/lib/import/dedupe';
import { planRows, processBlock, type BlockResult } from '@/lib/import/rows';
import { LEAD_FIELDS } from '@/lib/lead';

const ROOT = path.join(__dirname, '../..');

/** Picks from a list, pseudo-randomly and repeatably. */
function seededPick(seed: number) {
  const rng = createRng(seed);
  return <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
}

describe('the row engine', () => {
  it('is what assembly/ builds to: the committed .wasm files match their sources (npm run engine:build)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'row-engine-'));
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/engine_build.ts', '--out', dir], { cwd: ROOT });
      const built = (await fs.readdir(dir)).filter((name) => name.endsWith('.wasm'));
      expect(built).toContain('row-engine.wasm');
      for (const name of built) expect(Buffer.compare(await fs.readFile(path.join(dir, name)), await fs.readFile(path.join(ROOT, 'lib/import', name))), name).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("replays a repeated cell's cleaning exactly, across blocks (memo): values, placeholders, unknowns and rejects", async () => {
    // Short dirty cells that miss the fast paths, each repeated many times; rejects are never replayed.
    const pools = {
      Revenue: ['$5M', '€2.5m', '1.5k', 'N/A', '  ', 'lots', '10 000', '-'],
      Demo: ['Yes', 'no', 'TRUE', 'Select', 'maybe', ' y '],
      Created: ['3/5/2024', '12/31/2023 9:15', '2024-02-30', 'unknown', '05.03.2024'],
      Seats: ['1,5', '12.0', '1e3', 'n/a', 'x'],
    };
    const columns = Object.keys(pools) as (keyof typeof pools)[];
    const cleaners = { Revenue: parseRevenue, Demo: parseBoolean, Created: (raw: string) => parseDate(raw), Seats: parseNumber };
    const keys = { Revenue: 'annual_revenue', Demo: 'demo_requested', Created: 'created_at', Seats: 'seats' };
    const mapping = parseMapping({ fields: { id: 'ID', annual_revenue: 'Revenue', demo_requested: 'Demo', created_at: 'Created' }, attributes: { seats: { column: 'Seats', type: 'number' } } });
    const pick = seededPick(7);
    const rows = Array.from({ length: 600 }, (_, i) => [String(i), ...columns.map((c) => pick(pools[c]))]);
    const csv = `ID,${columns.join(',')}\n${rows.map((r) => r.map((cell) => (cell.includes(',') ? `"${cell}"` : cell)).join(',')).join('\n')}\n`;
    const { layout, blocks } = await splitCsv(csv, { blockBytes: 2 << 10 });
    const plan = planRows(mapping, layout, LEAD_FIELDS);
    const written = new Map<string, Record<string, unknown>>();
    const rejected = new Map<number, string[]>();
    let firstLine = 2;
    for await (const block of blocks) {
      const result = processBlock(plan, block);
      for (const line of Buffer.from(result.spill).toString().split('\n').filter(Boolean)) {
        const { attributes, ...fields } = JSON.parse(line) as Record<string, unknown> & { attributes?: Record<string, unknown> };
        written.set(fields.id as string, { ...fields, ...attributes });
      }
      for (const reject of result.rejects) rejected.set(firstLine + reject.line, [...(rejected.get(firstLine + reject.line) ?? []), reject.column]);
      firstLine += result.lines;
    }
    expect(written.size + rejected.size).toBe(rows.length);
    rows.forEach(([id, ...cells], i) => {
      const expected: Record<string, unknown> = {};
      const bad: string[] = [];
      columns.forEach((column, c) => {
        try {
          const value = cleaners[column](cells[c]!);
          if (value !== undefined) expected[keys[column]] = value;
        } catch {
          bad.push(column);
        }
      });
      if (bad.length > 0) expect(rejected.get(i + 2)).toEqual(bad);
      else expect(written.get(id!), `row ${id}`).toEqual({ id, ...expected });
    });
    expect(rejected.size).toBeGreaterThan(100);
  });

  it("gives each accepted row the dedupe keys and date of its values, and each category value its block's spelling", async () => {
    // Ids and emails with escapes, names in other cases and scripts, category values that are prefixes of each other.
    const names = ['ann', 'ANN', 'Ärger', 'İnce', 'o\'brien', 'x"y', 'Zoë', ''];
    const industries = ['SaaS', 'saas', 'SaaS Platform', 'Saa', 'Retail', ' retail ', 'N/A', '', 'Über'];
    const pick = seededPick(11);
    const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
    const rows = Array.from({ length: 500 }, (_, i) => [
      pick([`id-${i}`, `id "${i}"`, `lead_${i}`, '']),
      pick([`Ann.${i % 50}@Acme.io`, `ann+${i % 7}@acme.io`, '']),
      pick(names),
      pick(names),
      pick(['acme.io', 'Acme.IO', 'müller.de', '']),
      pick(industries),
      pick(['2024-03-05 14:22', '3/5/2024', '2024-02-29T23:59:59.999Z', '']),
      pick(['2024-03-06', '12/31/1999 1:00 PM', '']),
    ]);
    const header = 'ID,Email,First,Last,Domain,Industry,Created,Active';
    const csv = `${header}\n${rows.map((r) => r.map(quote).join(',')).join('\n')}\n`;
    const mapping = parseMapping({
      fields: { id: 'ID', email: 'Email', first_name: 'First', last_name: 'Last', company_domain: 'Domain', industry: 'Industry', created_at: 'Created', last_activity_at: 'Active' },
    });
    const { layout, blocks } = await splitCsv(csv, { blockBytes: 4 << 10 });
    const plan = planRows(mapping, layout, LEAD_FIELDS);
    let checked = 0;
    let spellingsChecked = 0;
    for await (const block of blocks) {
      const result = processBlock(plan, block);
      const lines = Buffer.from(result.spill).toString().split('\n').filter(Boolean);
      const keys = Buffer.from(result.keys).toString().split('\n');
      lines.forEach((line, r) => {
        const lead = JSON.parse(line.replace(/\0(\d+)\0/g, (_, s: string) => JSON.stringify(Number(s)))) as Draft & { id?: string; industry?: number };
        expect(keys.slice(3 * r, 3 * r + 3)).toEqual([lead.id ?? '', lead.email ?? '', nameKey(lead) ?? '']);
        const dated = lead.last_activity_at ?? lead.created_at;
        expect(result.times[r]).toBe(dated === undefined ? Number.NEGATIVE_INFINITY : Date.parse(dated));
        const spelling = result.spellings[0]!;
        const number = spelling.rows[r]!;
        const cell = rows[Number(/^id[- ]"?(\d+)/.exec(lead.id ?? '')?.[1] ?? -1)]?.[5];
        if (lead.industry === undefined) expect(number).toBe(-1);
        else if (cell !== undefined) {
          expect(spelling.values[number]).toBe(cleanCategory(cell));
          spellingsChecked++;
        }
        checked++;
      });
      expect(result.leadLikeIds.map(([, id]) => id)).toEqual(lines.map((line) => (JSON.parse(line.replace(/\0\d+\0/g, '0')) as { id?: string }).id).filter((id) => id?.startsWith('lead_')));
    }
    expect(checked).toBeGreaterThan(400);
    expect(spellingsChecked).toBeGreaterThan(100);
  });

  /** The HubSpot fixture's blocks (every kind of dirt, rejected rows among them) with two mappings' plans. */
  async function dirtyBlocks() {
    const csv = await fs.readFile(path.join(ROOT, 'tests/fixtures/hubspot_export.csv'), 'utf8');
    const { layout, blocks } = await splitCsv(csv, { blockBytes: 8 << 10 });
    const all: Buffer[] = [];
    for await (const block of blocks) all.push(Buffer.from(block));
    const example = planRows(await loadMapping(path.join(ROOT, 'examples/mapping.example.json')), layout, LEAD_FIELDS);
    const preset = planRows(await loadMapping('hubspot'), layout, LEAD_FIELDS);
    return { blocks: all, example, preset };
  }
  /** A block's result without the thread's heap figure, for comparing runs. */
  const comparable = ({ heapUsed: _heap, ...result }: BlockResult) => result;

  it('gives the same rows when the output must grow and the block is run again', async () => {
    const { blocks, example } = await dirtyBlocks();
    const roomy = blocks.map((block) => comparable(processBlock(example, block)));
    expect(roomy.reduce((n, r) => n + r.rejects.length, 0)).toBeGreaterThan(5);
    blocks.forEach((block, i) => expect(comparable(processBlock(example, block, 64))).toEqual(roomy[i]));
  });

  it('keeps a block it tokenized readable when a run grows its memory (the cleaners read the field table then)', async () => {
    const { blocks, example } = await dirtyBlocks();
    const roomy = blocks.map((block) => comparable(processBlock(example, block)));
    // Far more room than any run so far: the memory grows between tokenizing the block and cleaning it.
    const last = blocks.length - 1;
    expect(comparable(processBlock(example, blocks[last]!, 32 << 20))).toEqual(roomy[last]);
    expect(roomy[last]!.rejects.length + roomy[last]!.placeholders).toBeGreaterThan(0);
  });

  it('refuses to run a block it tokenized once another block has taken its place', async () => {
    const { blocks, example } = await dirtyBlocks();
    const engine = new RowEngine();
    const { delimiter, recordDelimiter } = example.layout;
    const first = engine.tokenize(example.engine, blocks[0]!, delimiter, recordDelimiter)!;
    engine.tokenize(example.engine, blocks[1]!, delimiter, recordDelimiter);
    expect(() => engine.run(example.engine, first, [0], {} as RowCallbacks, 1 << 16)).toThrow(/no longer in the engine/);
  });

  it('gives each plan its own rows when blocks of two mappings alternate on one thread', async () => {
    const { blocks, example, preset } = await dirtyBlocks();
    const first = blocks.map((block) => [comparable(processBlock(example, block)), comparable(processBlock(preset, block))]);
    expect(first.some(([a, b]) => Buffer.compare(Buffer.from(a!.spill), Buffer.from(b!.spill)) !== 0)).toBe(true);
    blocks.forEach((block, i) => {
      expect(comparable(processBlock(preset, block))).toEqual(first[i]![1]);
      expect(comparable(processBlock(example, block))).toEqual(first[i]![0]);
    });
  });
});

/**
 * What a fast path makes of a cell: its JSON text, 'placeholder', or 'fallback'. `doubledQuotes`: the
 * cell is read as a quoted CSV field gives it, each quote doubled.
 */
function fast(cleaner: FastCleaning, cell: string, doubledQuotes = false): string {
  const result = rowEngine().fastPath(cleaner, Buffer.from(doubledQuotes ? cell.replaceAll('"', '""') : cell), doubledQuotes);
  if (result === FALLBACK) return 'fallback';
  if (result === PLACEHOLDER) return 'placeholder';
  return result;
}

/** The string cleaner's result as the row stage writes it, or 'placeholder' / 'rejected'. */
function slow(clean: (raw: string) => string | number | boolean | undefined, cell: string): string {
  try {
    const value = clean(cell);
    if (value === undefined) return 'placeholder';
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return 'rejected';
  }
}

/** The fast path agrees with the string cleaner whenever it does not hand the cell over. */
function expectAgrees(cleaner: FastCleaning, clean: (raw: string) => string | number | boolean | undefined, cell: string, doubledQuotes = false): void {
  const result = fast(cleaner, cell, doubledQuotes);
  if (result !== 'fallback') expect(result).toBe(slow(clean, cell));
}

// Tokens every cleaner's edge cases are made of: case, spaces of every kind, characters JSON escapes,
// separators, placeholders and the prefixes cleaners strip.
const TOKENS = [
  'a', 'Z', 'é', '😀', '0', '1', '7', ' ', '  ', '\t', '\n', '\r', '\r\n', '\n\n\n', '\u00a0', '\u2003', '\u3000', '"', '\\', '\u0001', '\u007f',
  '@', '.', '-', '–', ',', "'", '_', '+', ':', '/', '$', 'k', 'M', 'N/A', 'Select', 'none', 'n', 'null', 'unknown', '-- ',
  'www.', 'WWW', 'mailto:', 'lead_', 'Yes', 'x', 'T', 'Z',
];
const cells = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));

/** ISO-like dates, mostly well-formed, with every part at and past its limits and every separator swapped now and then. */
const isoLikeDates = fc
  .tuple(
    fc.constantFrom('1899', '1900', '1999', '2024', '2100', '2101'),
    fc.constantFrom('-', '-', '-', '/'),
    fc.constantFrom('01', '02', '12', '13', '00'),
    fc.constantFrom('-', '-', '-', '.'),
    fc.constantFrom('01', '28', '29', '30', '31', '32'),
    fc.constantFrom('', ' ', 'T', 'T', 'x', ':'),
    fc.constantFrom('00', '09', '23', '24'),
    fc.constantFrom(':', ':', ':', '.'),
    fc.constantFrom('00', '59', '60'),
    fc.constantFrom('', ':00', ':59', ':60', '.30', ':5'),
    fc.constantFrom('', '.123', ',123', '.12', '.1234', ':123'),
    fc.constantFrom('', 'Z', 'z', ' Z', '+02:00'),
  )
  .map(([y, s1, m, s2, d, t, h, s3, mi, sec, ms, z]) => (t === '' ? `${y}${s1}${m}${s2}${d}${z}` : `${y}${s1}${m}${s2}${d}${t}${h}${s3}${mi}${sec}${sec ? ms : ''}${z}`));

const PAIRS: [string, FastCleaning, (raw: string) => string | number | boolean | undefined][] = [
  ['text', fastLongText, cleanText],
  ['category', fastLongText, cleanCategory],
  ['long text', fastLines, cleanLongText],
  ['id', fastText(200), cleanId],
  ['email', fastEmail, cleanEmail],
  ['domain', fastDomain, cleanDomain],
  ['number', fastDigits, parseNumber],
  ['count', fastDigits, parseCount],
  ['employees', fastDigits, parseEmployeeCount],
  ['revenue', fastDigits, parseRevenue],
  ['boolean', fastBoolean, parseBoolean],
  ['date', fastIsoDate, (raw) => parseDate(raw)],
];

describe("the row engine's fast paths agree with the string cleaners", () => {
  it.each(PAIRS)('%s: on random dirty cells', (_, cleaner, clean) => {
    fc.assert(fc.property(cells, (cell) => expectAgrees(cleaner, clean, cell)), { numRuns: 4_000, seed: 20261127 });
  });

  it.each(PAIRS)('%s: on cells shaped like its own values', (_, cleaner, clean) => {
    const shaped = fc.oneof(
      fc.stringMatching(/^ ?[A-Za-z0-9._'+-]{1,8}@[A-Za-z0-9-]{1,6}(\.[A-Za-z0-9-]{1,4}){1,2} ?$/),
      fc.stringMatching(/^ ?(www\d?\.)?[A-Za-z0-9-]{1,8}(\.[A-Za-z0-9-]{0,5}){1,3} ?$/),
      fc.stringMatching(/^ ?((https?|HTTP|ftp):\/\/)?(www\d?\.|WWW\.|wwwx)?[A-Za-z0-9-]{1,8}(\.[A-Za-z0-9-]{0,5}){1,3}([/?#:@.][a-z\n\r é:/.]{0,6})? ?$/),
      fc.stringMatching(/^[0-9]{1,4}(,[0-9]{2,4}){0,5}$/),
      fc.stringMatching(/^[0-9]{1,17}$/),
      fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{3})?)?)?Z?$/),
      fc.stringMatching(/^ {0,2}[A-Za-z]{1,6}( {1,3}[A-Za-z&/-]{1,6}){0,3} {0,2}$/),
      fc.constantFrom('1', '0', 'x', 'X', 'y', 'N', 't', 'F', '?', 'b', '\u0011', '\u0010'),
    );
    fc.assert(fc.property(shaped, (cell) => expectAgrees(cleaner, clean, cell)), { numRuns: 4_000, seed: 20261127 });
  });

  it.each(PAIRS.filter(([, cleaner]) => cleaner.kind === FastPath.text || cleaner.kind === FastPath.lines))('%s: on quoted fields with doubled quotes', (_, cleaner, clean) => {
    fc.assert(fc.property(cells, (cell) => expectAgrees(cleaner, clean, cell, true)), { numRuns: 4_000, seed: 20261127 });
  });

  // Long cells of mostly plain words: the text paths copy 16 plain bytes at a time, so every special byte
  // (a space run, a quote, a break, a trailing space) must be found wherever it falls in a 16-byte step.
  const inLine = ['word', 'Lorem', 'ipsum-dolor', 'x', ' ', ' ', '  ', '"', '\\', 'é', '0123456789abcdef'];
  const longCell = (tokens: string[]) => fc.array(fc.constantFrom(...tokens), { minLength: 8, maxLength: 60 }).map((parts) => parts.join(''));
  const longCells = fc.oneof(longCell(inLine), longCell([...inLine, '\n', '\r\n', '\r', '\n\n\n', '\u00a0', '\t']));
  it.each(PAIRS.filter(([, cleaner]) => cleaner.kind === FastPath.text || cleaner.kind === FastPath.lines))('%s: on long cells, plain and quoted with doubled quotes', (_, cleaner, clean) => {
    let taken = 0;
    fc.assert(
      fc.property(longCells, fc.boolean(), (cell, doubled) => {
        expectAgrees(cleaner, clean, cell, doubled);
        if (fast(cleaner, cell, doubled) !== 'fallback') taken++;
      }),
      { numRuns: 3_000, seed: 20261128 },
    );
    expect(taken).toBeGreaterThan(300);
  });

  it('date: on ISO-like dates at and past every limit', () => {
    fc.assert(fc.property(isoLikeDates, (cell) => expectAgrees(fastIsoDate, (raw) => parseDate(raw), cell)), { numRuns: 20_000, seed: 20261127 });
  });
});

describe("the row engine's fast paths take the common clean cells", () => {
  // Without these, a fast path that always fell back would pass the agreement tests above.
  it.each([
    [fastLongText, 'Acme Corp', '"Acme Corp"'],
    [fastLongText, '  Marketing  & Advertising ', '"Marketing & Advertising"'],
    [fastLongText, 'Müller', '"Müller"'],
    [fastLongText, 'N/A', 'placeholder'],
    [fastLongText, 'Sales Manager', '"Sales Manager"'],
    [fastLongText, ' say "hi" \\ bye ', '"say \\"hi\\" \\\\ bye"'],
    [fastLines, 'Acme  builds\r\n  rockets. \n\n\n\nSince "1999".\rMore ', '"Acme builds\\nrockets.\\n\\nSince \\"1999\\".\\nMore"'],
    [fastLines, ' N/A ', 'placeholder'],
  ] as const)('%#: %j → %s', (cleaner, cell, expected) => expect(fast(cleaner, cell)).toBe(expected));

  it.each([
    [fastLongText, 'They said ""we ship"" and did.', '"They said \\"we ship\\" and did."'],
    [fastLines, 'Line one says ""hi"".\nLine two, a bit longer.', '"Line one says \\"hi\\".\\nLine two, a bit longer."'],
    [fastEmail, ' Ann.Lee@Acme.COM ', '"ann.lee@acme.com"'],
    [fastDomain, 'Sub.Acme-Corp.io', '"sub.acme-corp.io"'],
    [fastDomain, ' HTTPS://www.Acme.io/about?x=1 ', '"acme.io"'],
    [fastDigits, '3,550,987,000', '3550987000'],
    [fastDigits, '0', '0'],
    [fastBoolean, 'X', 'true'],
    [fastIsoDate, '2026-05-13 01:38', '"2026-05-13T01:38:00.000Z"'],
    [fastIsoDate, '2024-02-29', '"2024-02-29T00:00:00.000Z"'],
  ] as const)('%#: quoted field %j → %s', (cleaner, field, expected) => expect(rowEngine().fastPath(cleaner, Buffer.from(field), true)).toBe(expected));

  it.each([
    [fastLongText, 'tab\there'],
    [fastLongText, 'non\u00a0breaking'],
    [fastLongText, 'two\nlines'],
    [fastLines, 'N/A\n'],
    [fastLines, 'tab\there\nand there'],
    [fastText(5), 'longer than five'],
    [fastEmail, 'mailto:ann@acme.com'],
    [fastDomain, 'www1.acme.com'],
    [fastDomain, 'https://acme.com:8080/'],
    [fastDomain, 'https://acme.com/a\nb'],
    [fastDigits, '007'],
    [fastDigits, '1,00'],
    [fastDigits, '1234567890123456'],
    [fastBoolean, 'yes'],
    [fastIsoDate, '2023-02-29'],
    [fastIsoDate, '03/05/2024'],
  ] as const)('%#: %j goes to the string cleaner', (cleaner, cell) => expect(fast(cleaner, cell)).toBe('fallback'));
});
