import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell } from '@/lib/csv-cell';

describe('csvCell', () => {
  it.each(['=HYPERLINK("http://evil","x")', '+1+2', '-2+3+cmd|" /C calc"!A0', '@SUM(A1)', '\tTAB', '\rCR'])('neutralises %j: a leading apostrophe, quoted', (value) => {
    const cell = csvCell(value);
    expect(cell.startsWith(`"'`)).toBe(true);
    expect((parse(cell, { relax_quotes: false }) as string[][])[0]![0]).toBe(`'${value}`);
  });

  it('quotes delimiters, quotes and line breaks, and leaves plain cells alone', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(42)).toBe('42');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('a;b', ';')).toBe('"a;b"');
  });

  it('property: any cell reads back as itself (apostrophe first if it could run as a formula), and never starts a formula', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ',', '"', 'a', ' ', 'é') }), (value) => {
        const cell = csvCell(value);
        const back = (parse(`${cell}\n`, { relax_quotes: false }) as string[][])[0]?.[0] ?? '';
        expect(back).toBe(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
        expect(back).not.toMatch(/^[=+\-@\t\r]/);
      }),
      { numRuns: 500 },
    );
  });
});
