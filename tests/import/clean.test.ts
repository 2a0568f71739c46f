import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  MAX_TEXT_LENGTH,
  cleanDomain,
  cleanEmail,
  cleanId,
  cleanLongText,
  cleanText,
  isPlaceholder,
  parseBoolean,
  parseCount,
  parseDate,
  parseEmployeeCount,
  parseNumber,
  parseRange,
  parseRevenue,
} from '@/lib/import/clean';
import { leadSchema, type LeadField } from '@/lib/lead';

const PLACEHOLDERS = ['', '   ', 'Select', 'N/A', 'n/a', 'N.A.', '-', '--', 'unknown', 'none', 'NULL', '--None--', '-- Select --', '(blank)', '[none]', '#N/A', 'nil', '?', 'Not Provided', 'UNDEFINED'];

describe('placeholders', () => {
  it.each(PLACEHOLDERS)('%j means unknown in every cleaner', (raw) => {
    expect(isPlaceholder(raw)).toBe(true);
    for (const clean of [cleanText, cleanLongText, cleanEmail, cleanDomain, parseBoolean, parseNumber, parseCount, parseEmployeeCount, parseRevenue, (r: string) => parseDate(r)]) {
      expect(clean(raw)).toBeUndefined();
    }
  });
  it('does not swallow real values that look similar', () => {
    for (const raw of ['-5', 'Nonprofit', 'None Corp', 'Selector', '0', 'no']) expect(isPlaceholder(raw)).toBe(false);
  });
  it('property: any placeholder with any padding and case is unknown', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLACEHOLDERS), fc.constantFrom('', ' ', '  ', '\t'), fc.boolean(), (p, pad, upper) => {
        const raw = `${pad}${upper ? p.toUpperCase() : p.toLowerCase()}${pad}`;
        expect(parseNumber(raw)).toBeUndefined();
        expect(cleanText(raw)).toBeUndefined();
      }),
    );
  });
});

describe('numbers, revenue and employee counts', () => {
  it.each([
    ['5,000,000', 5_000_000],
    ['$5M', 5_000_000],
    ['€2.5m', 2_500_000],
    ['1.2B', 1_200_000_000],
    ['$500K', 500_000],
    ['1 000 000', 1_000_000],
    ['1.234,56', 1234.56],
    ['2,5', 2.5],
    ['5.000.000', 5_000_000],
    ['USD 750', 750],
    ['£1.5 million', 1_500_000],
    ['$1M-$5M', 1_000_000],
  ])('revenue %j → %d', (raw, expected) => expect(parseRevenue(raw)).toBe(expected));

  it.each([
    ['51-200', 51],
    ['1,000+', 1000],
    ['10k', 10_000],
    ['1-10', 1],
    ['10,001+', 10_001],
    ['201 – 500', 201],
    ['500', 500],
    ['10 to 50', 10],
  ])('employees %j → %d (lower bound)', (raw, expected) => expect(parseEmployeeCount(raw)).toBe(expected));

  it.each([
    ['-50', 'must not be negative'],
    ['200-51', 'lower end is above its upper end'],
    ['12.5', 'whole number'],
    ['lots', 'not a number'],
  ])('employees %j is rejected (%s)', (raw, reason) => expect(() => parseEmployeeCount(raw)).toThrow(reason));

  it.each([
    ['1,234', 1234],
    ['0', 0],
    [' 17 ', 17],
  ])('count %j → %d', (raw, expected) => expect(parseCount(raw)).toBe(expected));
  it.each(['-3', '3.5', 'many', '1,2,3'])('count %j is rejected', (raw) => expect(() => parseCount(raw)).toThrow(InvalidValueError));
  it('revenue must not be negative', () => expect(() => parseRevenue('-$5M')).toThrow('must not be negative'));

  it('property: parseRevenue(format(n)) ≈ n for every way CRMs format money', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000_000_000 }), fc.constantFrom('plain', 'commas', 'dollar', 'millions', 'euro', 'thousands'), (n, style) => {
        let raw: string;
        let tolerance = 0;
        switch (style) {
          case 'plain':
            raw = String(n);
            break;
          case 'commas':
            raw = n.toLocaleString('en-US');
            break;
          case 'dollar':
            raw = `$${n.toLocaleString('en-US')}`;
            break;
          case 'millions':
            raw = `$${(n / 1e6).toFixed(2)}M`;
            tolerance = 5_000;
            break;
          case 'euro':
            raw = `€${(n / 1e6).toFixed(1)}m`;
            tolerance = 50_000;
            break;
          default:
            raw = `${Math.round(n / 1000)}K`;
            tolerance = 500;
        }
        expect(Math.abs(parseRevenue(raw)! - n)).toBeLessThanOrEqual(tolerance);
      }),
    );
  });

  it('property: a band "lo-hi" gives lower ≤ upper and the lower bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const range = parseRange(`${lo.toLocaleString('en-US')}-${hi.toLocaleString('en-US')}`)!;
        expect(range.lower).toBe(lo);
        expect(range.upper).toBe(hi);
        expect(range.lower).toBeLessThanOrEqual(range.upper!);
        expect(parseEmployeeCount(`${lo}-${hi}`)).toBe(lo);
      }),
    );
  });
});

describe('booleans', () => {
  it.each(['Yes', 'y', 'TRUE', 't', '1', 'x', 'X', 'checked', 'on', '✓'])('%j → true', (raw) => expect(parseBoolean(raw)).toBe(true));
  it.each(['No', 'n', 'false', 'F', '0', 'unchecked', 'off'])('%j → false', (raw) => expect(parseBoolean(raw)).toBe(false));
  it('rejects what it cannot read', () => expect(() => parseBoolean('maybe')).toThrow('is not yes/no'));
  it('property: booleans round-trip through every spelling', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.boolean(), (value, k, upper) => {
        const spellings = value ? ['yes', 'true', '1', 'x', 'checked', 'y'] : ['no', 'false', '0', 'n', 'unchecked'];
        const raw = spellings[k % spellings.length]!;
        expect(parseBoolean(upper ? raw.toUpperCase() : raw)).toBe(value);
      }),
    );
  });
});

describe('dates', () => {
  it.each([
    ['2024-03-05', 'MDY', '2024-03-05T00:00:00.000Z'],
    ['2024-03-05 14:22', 'MDY', '2024-03-05T14:22:00.000Z'],
    ['2024-03-05T14:22:00Z', 'MDY', '2024-03-05T14:22:00.000Z'],
    ['2024-03-05T14:22:00+02:00', 'MDY', '2024-03-05T12:22:00.000Z'],
    ['03/05/2024', 'MDY', '2024-03-05T00:00:00.000Z'],
    ['03/05/2024', 'DMY', '2024-05-03T00:00:00.000Z'],
    ['3/5/24', 'MDY', '2024-03-05T00:00:00.000Z'],
    ['05.03.2024', 'MDY', '2024-03-05T00:00:00.000Z'],
    ['5 Mar 2024', 'MDY', '2024-03-05T00:00:00.000Z'],
    ['05-Mar-2024', 'MDY', '2024-03-05T00:00:00.000Z'],
    ['Mar 5, 2024', 'MDY', '2024-03-05T00:00:00.000Z'],
    ['March 5 2024', 'MDY', '2024-03-05T00:00:00.000Z'],
    ['3/5/2024, 2:22 PM', 'MDY', '2024-03-05T14:22:00.000Z'],
    ['3/5/2024 12:05 am', 'MDY', '2024-03-05T00:05:00.000Z'],
  ] as const)('%j (%s) → %s', (raw, order, iso) => expect(parseDate(raw, order)).toBe(iso));

  it.each([
    ['02/30/2024', 'not a real date'],
    ['13/45/2024', 'not a real date'],
    ['yesterday', 'is not a date'],
    ['45356', 'is not a date'],
    ['2024-03-05 25:00', 'impossible time'],
    ['5 Foo 2024', 'is not a month'],
  ])('%j is rejected (%s)', (raw, reason) => expect(() => parseDate(raw)).toThrow(reason));

  it('property: ISO date-times read back as the same instant, with or without an offset', () => {
    const pad = (n: number) => String(n).padStart(2, '0');
    fc.assert(
      fc.property(fc.date({ min: new Date('1901-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: -720, max: 840 }), (d, offset) => {
        const iso = d.toISOString();
        expect(parseDate(iso)).toBe(iso);
        expect(parseDate(iso.replace('T', ' ').slice(0, 19))).toBe(`${iso.slice(0, 19)}.000Z`);
        const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 23);
        const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
        expect(parseDate(`${local}${zone}`)).toBe(iso);
      }),
    );
  });

  it('property: plain ISO shapes (date, minutes, seconds, milliseconds, optional Z) read as the general rules do, or are rejected by them', () => {
    // Values at and just past every limit (year range, months, leap days, hours, minutes), and any others.
    const edgy = (n: number, edges: number[]) =>
      fc.oneof(fc.constantFrom(...edges), fc.integer({ min: 0, max: 10 ** n - 1 })).map((v) => String(v).padStart(n, '0'));
    const twoDigits = edgy(2, [0, 1, 12, 13, 23, 24, 28, 29, 30, 31, 32, 59, 60]);
    fc.assert(
      fc.property(edgy(4, [1899, 1900, 2000, 2023, 2024, 2100, 2101]), twoDigits, twoDigits, twoDigits, twoDigits, twoDigits, edgy(3, [0, 999]), fc.constantFrom(10, 16, 19, 23), fc.constantFrom(' ', 'T'), fc.boolean(), (y, mo, d, h, mi, s, ms, length, sep, zulu) => {
        const raw = `${y}-${mo}-${d}${sep}${h}:${mi}:${s}.${ms}`.slice(0, length) + (zulu ? 'Z' : '');
        const [year, month, day, hours, minutes, seconds] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
        const instant = new Date(Date.UTC(year, month - 1, day, length > 10 ? hours : 0, length > 10 ? minutes : 0, length > 16 ? seconds : 0, length > 19 ? Number(ms) : 0));
        const real =
          year >= 1900 && year <= 2100 && instant.getUTCMonth() === month - 1 && instant.getUTCDate() === day &&
          (length === 10 || (hours <= 23 && minutes <= 59 && (length === 16 || seconds <= 59)));
        if (real) expect(parseDate(raw)).toBe(instant.toISOString());
        else expect(() => parseDate(raw)).toThrow(/not a real date|impossible time|implausible year|is not a date/);
      }),
      { numRuns: 3_000 },
    );
  });

  it('property: any real date written ISO, US or day-first reads back as the same day', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const iso = `${d.toISOString().slice(0, 10)}T00:00:00.000Z`;
        const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        expect(parseDate(iso.slice(0, 10))).toBe(iso);
        expect(parseDate(`${m}/${day}/${y}`, 'MDY')).toBe(iso);
        expect(parseDate(`${day}/${m}/${y}`, 'DMY')).toBe(iso);
      }),
    );
  });
});

describe('text, emails, domains, ids', () => {
  it('property: single-line text is the trimmed text with every whitespace run made one space', () => {
    // Every character JavaScript's \s matches, next to ordinary and non-ASCII text.
    const whitespace = ['\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...whitespace, 'a', 'Z', '9', 'é', '\u200b', '\u0085', '-'), { minLength: 1, maxLength: 12 }), (chars) => {
        const raw = `x${chars.join('')}y`;
        expect(cleanText(raw)).toBe(raw.replace(/\s+/g, ' '));
      }),
      { numRuns: 3_000 },
    );
  });

  it('trims and collapses whitespace; multi-line text keeps its paragraphs', () => {
    expect(cleanText('  Chief   Executive\tOfficer \r\n')).toBe('Chief Executive Officer');
    expect(cleanLongText('Line one.  \r\n\r\n\r\n  Line   two.')).toBe('Line one.\n\nLine two.');
  });
  it('cuts text longer than the lead contract allows, marking the cut', () => {
    const long = 'word '.repeat(MAX_TEXT_LENGTH);
    const cut = cleanLongText(long)!;
    expect(cut.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(cut.endsWith('…')).toBe(true);
  });
  it.each([
    [' ADA@Example.COM ', 'ada@example.com'],
    ['mailto:bob@x.io', 'bob@x.io'],
  ])('email %j → %s', (raw, email) => expect(cleanEmail(raw)).toBe(email));
  it.each(['jane.doe@', 'two@@problems', 'no-at-sign.example.com'])('email %j is rejected', (raw) => expect(() => cleanEmail(raw)).toThrow('is not an email address'));
  it.each([
    ['https://www.Acme.com/about?x=1', 'acme.com'],
    ['www.acme.io', 'acme.io'],
    ['acme.co.uk.', 'acme.co.uk'],
    ['http://shop.acme.com:8080', 'shop.acme.com'],
  ])('domain %j → %s', (raw, domain) => expect(cleanDomain(raw)).toBe(domain));
  it('rejects a domain without a dot', () => expect(() => cleanDomain('acme')).toThrow('is not a domain'));
  it('ids longer than 200 characters are rejected', () => expect(() => cleanId('x'.repeat(201))).toThrow('too long for an id'));
});

describe('every cleaner’s value is already in the lead contract’s normal form', () => {
  const CLEANERS: [LeadField, (raw: string) => unknown][] = [
    ['id', cleanId],
    ['email', cleanEmail],
    ['company_domain', cleanDomain],
    ['employee_count', parseEmployeeCount],
    ['annual_revenue', parseRevenue],
    ['created_at', (raw) => parseDate(raw)],
    ['email_opens_30d', parseCount],
    ['demo_requested', parseBoolean],
    ['company_description', cleanLongText],
    ['job_title', cleanText],
  ];
  const SAMPLES = [' ACME.com ', 'https://www.x.io/a', '1,000+', '$5M', '-3', '2024-03-05 14:22', 'Mar 5, 2024', ' A@B.co ', 'yes', 'N/A', 'a\r\n\r\n\r\nb  c', `${'word '.repeat(2_500)}`];

  // The leads file is written without a zod pass per lead, so every value a cleaner can produce must
  // already be what the contract would parse it to.
  it.each(CLEANERS)('property: whatever %s’s cleaner returns passes the lead contract unchanged', (field, clean) => {
    const schema = leadSchema.shape[field];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom(...SAMPLES)), (raw) => {
        let value: unknown;
        try {
          value = clean(raw);
        } catch {
          return;
        }
        if (value === undefined) return;
        const result = schema.safeParse(value);
        expect(result.success).toBe(true);
        expect(result.data).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});
