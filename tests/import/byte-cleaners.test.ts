import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FALLBACK,
  PLACEHOLDER,
  WROTE,
  plainBoolean,
  plainDigits,
  plainDomain,
  plainEmail,
  plainIsoDate,
  plainLongText,
  plainText,
  type ByteCleaner,
} from '@/lib/import/byte-cleaners';
import { ByteWriter } from '@/lib/import/byte-writer';
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

/** What a fast path makes of a cell: its JSON text, 'placeholder', or 'fallback'. Bytes around the cell must not be read. */
function fast(cleaner: ByteCleaner, cell: string): string {
  const padded = Buffer.from(`"${cell}"`);
  const out = new ByteWriter(16);
  out.appendText('prefix');
  const result = cleaner(padded, 1, padded.length - 1, out);
  if (result === FALLBACK) return 'fallback';
  if (result === PLACEHOLDER) return 'placeholder';
  expect(result).toBe(WROTE);
  expect(out.toString().startsWith('prefix')).toBe(true);
  return out.toString().slice('prefix'.length);
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
function expectAgrees(cleaner: ByteCleaner, clean: (raw: string) => string | number | boolean | undefined, cell: string): void {
  const result = fast(cleaner, cell);
  if (result !== 'fallback') expect(result).toBe(slow(clean, cell));
}

// Tokens every cleaner's edge cases are made of: case, spaces of every kind, characters JSON escapes,
// separators, placeholders and the prefixes cleaners strip.
const TOKENS = [
  'a', 'Z', 'é', '😀', '0', '1', '7', ' ', '  ', '\t', '\n', '\u00a0', '\u2003', '\u3000', '"', '\\', '\u0001', '\u007f',
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

const PAIRS: [string, ByteCleaner, (raw: string) => string | number | boolean | undefined][] = [
  ['text', plainLongText, cleanText],
  ['category', plainLongText, cleanCategory],
  ['long text', plainLongText, cleanLongText],
  ['id', plainText(200), cleanId],
  ['email', plainEmail, cleanEmail],
  ['domain', plainDomain, cleanDomain],
  ['number', plainDigits, parseNumber],
  ['count', plainDigits, parseCount],
  ['employees', plainDigits, parseEmployeeCount],
  ['revenue', plainDigits, parseRevenue],
  ['boolean', plainBoolean, parseBoolean],
  ['date', plainIsoDate, (raw) => parseDate(raw)],
];

describe('byte fast paths agree with the string cleaners', () => {
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

  it('date: on ISO-like dates at and past every limit', () => {
    fc.assert(fc.property(isoLikeDates, (cell) => expectAgrees(plainIsoDate, (raw) => parseDate(raw), cell)), { numRuns: 20_000, seed: 20261127 });
  });
});

describe('byte fast paths take the common clean cells', () => {
  // Without these, a fast path that always fell back would pass the agreement tests above.
  it.each([
    [plainLongText, 'Acme Corp', '"Acme Corp"'],
    [plainLongText, '  Marketing  & Advertising ', '"Marketing & Advertising"'],
    [plainLongText, 'Müller', '"Müller"'],
    [plainLongText, 'N/A', 'placeholder'],
    [plainLongText, 'Sales Manager', '"Sales Manager"'],
    [plainEmail, ' Ann.Lee@Acme.COM ', '"ann.lee@acme.com"'],
    [plainDomain, 'Sub.Acme-Corp.io', '"sub.acme-corp.io"'],
    [plainDomain, ' HTTPS://www.Acme.io/about?x=1 ', '"acme.io"'],
    [plainDigits, '3,550,987,000', '3550987000'],
    [plainDigits, '0', '0'],
    [plainBoolean, 'X', 'true'],
    [plainIsoDate, '2026-05-13 01:38', '"2026-05-13T01:38:00.000Z"'],
    [plainIsoDate, '2024-02-29', '"2024-02-29T00:00:00.000Z"'],
  ] as const)('%#: %j → %s', (cleaner, cell, expected) => expect(fast(cleaner, cell)).toBe(expected));

  it.each([
    [plainLongText, 'tab\there'],
    [plainLongText, 'say "hi"'],
    [plainLongText, 'non\u00a0breaking'],
    [plainText(5), 'longer than five'],
    [plainEmail, 'mailto:ann@acme.com'],
    [plainDomain, 'www1.acme.com'],
    [plainDomain, 'https://acme.com:8080/'],
    [plainDomain, 'https://acme.com/a\nb'],
    [plainDigits, '007'],
    [plainDigits, '1,00'],
    [plainDigits, '1234567890123456'],
    [plainBoolean, 'yes'],
    [plainIsoDate, '2023-02-29'],
    [plainIsoDate, '03/05/2024'],
  ] as const)('%#: %j goes to the string cleaner', (cleaner, cell) => expect(fast(cleaner, cell)).toBe('fallback'));
});
