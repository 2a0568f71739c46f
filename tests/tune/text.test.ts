import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern } from '@/lib/pattern';
import { normalizeTitle } from '@/lib/scoring';
import { termPattern, textTerms } from '@/lib/tune/text';

describe('text terms', () => {
  it('lists words and two-word phrases as the engine normalises them, phrases not across commas', () => {
    expect(textTerms('Sr. Dir., RevOps & Sales')).toEqual(['sr', 'dir', 'sr dir', 'revops', 'and', 'revops and', 'sales', 'and sales']);
  });

  it('finds a term exactly where the keyword pattern made from it matches', () => {
    const words = fc.constantFrom('series', 'b', 'raised', 'não', 'école', 'vp', 'a', 'ção', 'informação', '2026');
    const text = fc.array(fc.tuple(words, fc.constantFrom(' ', ', ', '-', ' & ', '. ')), { minLength: 1, maxLength: 8 }).map((parts) => parts.map(([w, sep]) => w + sep).join(''));
    fc.assert(
      fc.property(text, fc.constantFrom('series b', 'b', 'não', 'ção', 'informação', 'a series', 'vp', 'école vp'), (t, term) => {
        const found = textTerms(t).includes(term);
        expect(compilePattern(termPattern(term)).test(normalizeTitle(t))).toBe(found);
      }),
      { numRuns: 500 },
    );
  });
});
