import { describe, expect, it } from 'vitest';
import { parseLeadSearch } from '@/app/_lib/lead-search';

describe('parseLeadSearch', () => {
  it('reads a search or filter value without the control characters a URL can smuggle in (NUL included)', () => {
    expect(parseLeadSearch({ q: 'ac\u0000me\u001f' }).q).toBe('acme');
    expect(parseLeadSearch({ q: '\u0000' }).q).toBe('');
    expect(parseLeadSearch({ industry: ['Soft\u0000ware', '\u0007'] }).industries).toEqual(['Software']);
  });

  it('keeps other text as typed, including the replacement character of an undecodable %ff', () => {
    expect(parseLeadSearch({ q: 'müller \uFFFD 100%' }).q).toBe('müller \uFFFD 100%');
  });
});
