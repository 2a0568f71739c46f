import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '@/lib/store/order';

/** Code-point order the slow, obvious way. */
function reference(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

describe('compareCodePoints', () => {
  it('orders by code point where UTF-16 order differs (astral characters vs U+E000–U+FFFF)', () => {
    const astral = '\u{1F600}'; // 😀, a surrogate pair in UTF-16
    const privateUse = '\uFF21'; // Ａ, fullwidth A
    expect(astral < privateUse).toBe(true); // what plain JavaScript comparison says
    expect(compareCodePoints(astral, privateUse)).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('Zoe', 'ada')).toBeLessThan(0);
    expect(compareCodePoints('same', 'same')).toBe(0);
  });

  it('agrees in sign with code-point order on any strings', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'Z', 'é', '\uFF21', '\uE000', '\u{1F600}', '\u{10FFFF}'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(reference(a, b)));
      }),
      { numRuns: 2000 },
    );
  });
});
