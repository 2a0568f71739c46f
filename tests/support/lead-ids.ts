import fc from 'fast-check';

/**
 * Lead ids of any text, for property tests: generated strings of any code points (well-formed UTF-16),
 * mixed with the ones that broke before: Object.prototype keys, characters a URL gives meaning to, an
 * encoded-looking id next to the one it decodes to, and the two ids a path cannot carry ("." and "..").
 * Like every id the lead schema accepts: trimmed, not empty, at most 200 characters.
 */
export const NOTORIOUS_IDS = ['__proto__', 'constructor', 'toString', 'a b', 'a%20b', 'a+b', 'a/b', '%', '100%', '%2F', 'a?b#c', 'é', 'e\u0301', '.', '..', '...', '😀 lead'];

export function leadIdArbitrary({ withNul = true }: { withNul?: boolean } = {}): fc.Arbitrary<string> {
  const generated = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 40 })
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && s.length <= 200 && (withNul || !s.includes('\u0000')));
  return fc.oneof(fc.constantFrom(...NOTORIOUS_IDS), generated);
}
