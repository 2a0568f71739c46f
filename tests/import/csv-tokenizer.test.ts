import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvParseRecords, parseBlock, splitCsv, type CsvLayout } from '@/lib/import/csv';
import { tokenizeFields, tokenizeRecords, type FieldTable } from '@/lib/import/csv-tokenizer';
import { largeExport } from '@/lib/import/dirty-export';
import { NO_TARGETS, rowEngine } from '@/lib/import/row-engine';

type Layout = Pick<CsvLayout, 'delimiter' | 'recordDelimiter'>;

/** Line breaks in a record's fields, CRLF counting once: the lines it spans beyond its first. */
const lineBreaks = (fields: string[]) => fields.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/** csv-parse's reading of `text`: its records with their line breaks, or the code of the error it throws. */
function reference(text: string, layout: Layout): { records: string[][]; breaks: number[] } | { error: string } {
  try {
    const records = csvParseRecords(Buffer.from(text), layout);
    return { records, breaks: records.map(lineBreaks) };
  } catch (error) {
    return { error: (error as { code: string }).code };
  }
}

/** The fast path agrees with csv-parse, or hands the block to it exactly where csv-parse reports a quote that never closes. */
function expectSameAsCsvParse(text: string, layout: Layout): void {
  const expected = reference(text, layout);
  const actual = tokenizeRecords(Buffer.from(text), layout.delimiter, layout.recordDelimiter);
  if ('error' in expected) {
    expect(expected.error).toBe('CSV_QUOTE_NOT_CLOSED');
    expect(actual).toBeNull();
  } else {
    expect(actual).toEqual(expected);
  }
}

const LAYOUTS: Layout[] = [
  { delimiter: ',', recordDelimiter: '\n' },
  { delimiter: ',', recordDelimiter: '\r\n' },
  { delimiter: ';', recordDelimiter: '\r' },
  { delimiter: '\t', recordDelimiter: '\r\n' },
  { delimiter: '|', recordDelimiter: '\n' },
];

describe('tokenizeRecords (fast path) against csv-parse: records and the line breaks inside them', () => {
  it.each([
    ['plain and quoted fields', 'a,b,c\n"x,y","line\nbreak",z\n'],
    ['escaped quotes', '"say ""hi""",""""\n'],
    ['quote inside an unquoted field is text', 'ab"c,5\'10"\n'],
    ['text after a closing quote keeps both quotes', '"abc"def,"x" ,""y\n'],
    ['a NUL after a closing quote closes it', '"abc"\u0000tail,z\n'],
    ['empty lines and empty fields', '\n,\n"",""\n\n'],
    ['no line break at the end', 'a,b\nc,"d"'],
    ['a delimiter at the very end', 'a,b,'],
    ['a quote never closes', 'a,"open\nb,c\n'],
    ['a quote that is the last character', 'a,"'],
    ['non-ASCII text', 'Müller,"São Paulo, BR",😀\n'],
  ])('%s', (_, text) => {
    for (const layout of LAYOUTS) expectSameAsCsvParse(text.replaceAll(',', layout.delimiter).replaceAll('\n', layout.recordDelimiter), layout);
  });

  it('with CRLF records, a lone CR or LF is text, inside quotes or not', () => {
    expectSameAsCsvParse('a\rb,c\nd\r\n"e\rf",g\r\n"q"\rx\r\n', { delimiter: ',', recordDelimiter: '\r\n' });
  });

  it('agrees on random dirty input (every token CSV quoting can trip on)', () => {
    const tokens = ['a', 'b', 'é', '😀', ' ', ',', ';', '\t', '"', '""', '\r', '\n', '\r\n', '\u0000'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 40 }), fc.constantFrom(...LAYOUTS), (parts, layout) => {
        expectSameAsCsvParse(parts.join(''), layout);
      }),
      { numRuns: 20_000, seed: 20261127 },
    );
  });

  it('parses a dirty export block by block exactly as csv-parse does', () => {
    for (const recordDelimiter of ['\n', '\r\n'] as const) {
      const layout: Layout = { delimiter: ';', recordDelimiter };
      const text = [...largeExport({ flavor: 'salesforce', rows: 1_500, seed: 4, delimiter: ';', lineEnding: recordDelimiter })].join('');
      const bytes = Buffer.from(text);
      expect(tokenizeRecords(bytes, layout.delimiter, layout.recordDelimiter)).toEqual(reference(text, layout));
      expect(parseBlock(bytes, layout).records.length).toBeGreaterThan(1_000);
    }
  });
});

/** A field table's content as plain data (its arrays may be longer than what is in use). */
function contentOf(table: FieldTable) {
  const fields = table.recordFields[table.records]!;
  return {
    records: table.records,
    recordFields: Array.from(table.recordFields.subarray(0, table.records + 1)),
    starts: Array.from(table.starts.subarray(0, fields)),
    ends: Array.from(table.ends.subarray(0, fields)),
    breaks: Array.from(table.breaks.subarray(0, table.records)),
    doubledQuotes: [...(table.doubledQuotes ?? [])].sort((a, b) => a - b),
    decoded: table.decoded ? [...table.decoded] : null,
  };
}

/**
 * The compiled tokenizer gives `tokenizeFields`' table, and hands over exactly the blocks that need a
 * decoded string or never close a quote. Returns which of the two happened.
 */
function expectCompiledAgrees(text: string, layout: Layout): 'compiled' | 'handed over' {
  const bytes = Buffer.from(text);
  const reference = tokenizeFields(bytes, layout.delimiter, layout.recordDelimiter);
  const compiled = rowEngine().tokenize(NO_TARGETS, bytes, layout.delimiter, layout.recordDelimiter);
  if (compiled === null) {
    expect(reference === null || reference.decoded !== null).toBe(true);
    return 'handed over';
  }
  expect(reference).not.toBeNull();
  expect(contentOf(compiled)).toEqual(contentOf(reference!));
  return 'compiled';
}

describe("the row engine's compiled tokenizer reads as tokenizeFields", () => {
  it('on random dirty input, with fields long and short across its 16-byte steps', () => {
    // The tokens above, plus runs longer than one 16-byte step, in and out of quotes.
    const tokens = ['a', 'é', '😀', ' ', ',', ';', '\t', '"', '""', '\r', '\n', '\r\n', '\u0000', 'abcdefghijklmnopq', '0123456789abcdef', '"quoted text, 16+ bytes"', '"a ""b"" \r\n c"'];
    const seen = { compiled: 0, 'handed over': 0 };
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 40 }), fc.constantFrom(...LAYOUTS), (parts, layout) => {
        seen[expectCompiledAgrees(parts.join(''), layout)]++;
      }),
      { numRuns: 10_000, seed: 20261128 },
    );
    // Both ways are exercised: the comparison is not vacuous.
    expect(seen.compiled).toBeGreaterThan(3_000);
    expect(seen['handed over']).toBeGreaterThan(500);
  });

  it('takes blocks with more fields than its first guess (one per 8 bytes): it makes room and goes on', () => {
    for (const layout of LAYOUTS) {
      const text = `a${layout.delimiter.repeat(30)}""${layout.recordDelimiter}`.repeat(400);
      expect(expectCompiledAgrees(text, layout)).toBe('compiled');
      expect(expectCompiledAgrees(layout.delimiter.repeat(5_000), layout)).toBe('compiled');
    }
  });

  it.each([
    ['comma, CRLF', ',', '\r\n'],
    ['semicolon, LF', ';', '\n'],
  ] as const)('takes every block of a dirty export (%s)', async (_, delimiter, lineEnding) => {
    const text = [...largeExport({ flavor: 'hubspot', rows: 2_000, seed: 9, delimiter, lineEnding })].join('');
    const { layout, blocks } = await splitCsv(text, { blockBytes: 16 << 10 });
    let count = 0;
    for await (const block of blocks) {
      expect(expectCompiledAgrees(block.toString(), layout)).toBe('compiled');
      count++;
    }
    expect(count).toBeGreaterThan(20);
  });
});
