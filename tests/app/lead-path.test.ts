import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadHref, leadIdFromMetadataParams, leadIdFromPageParams } from '@/app/_lib/lead-path';
import { leadIdArbitrary, NOTORIOUS_IDS } from '../support/lead-ids';

/**
 * A lead's link, read back as Next 16 hands it to the page (the segment as the browser sent it) and to
 * generateMetadata (decoded once): the same id, for ids of any text.
 */

/** The request a browser makes for a link: the URL parser's path segment and query, undecoded. */
function followed(href: string): { segment: string; query: Record<string, string> } {
  const url = new URL(href, 'http://localhost:3000');
  const parts = url.pathname.split('/');
  expect(parts.slice(0, 2)).toEqual(['', 'leads']);
  expect(parts).toHaveLength(3);
  return { segment: parts[2]!, query: Object.fromEntries(url.searchParams) };
}

describe('lead links', () => {
  it('carry the candidate view beside the id, for ids in the path and in the query', () => {
    for (const id of ['a b', '..', 'x?rules=live']) {
      const { segment, query } = followed(leadHref(id, { rules: 'candidate' }));
      expect(leadIdFromPageParams(segment, query)).toBe(id);
      expect(query.rules).toBe('candidate');
    }
  });

  it('open the lead they were made for, whoever reads them', () => {
    fc.assert(
      fc.property(leadIdArbitrary(), (id) => {
        const { segment, query } = followed(leadHref(id));
        expect(leadIdFromPageParams(segment, query)).toBe(id);
        expect(leadIdFromMetadataParams(decodeURIComponent(segment), query)).toBe(id);
      }),
      { numRuns: 2_000 },
    );
  });

  it('are distinct for distinct ids: "a b" and "a%20b" never share a link', () => {
    const hrefs = NOTORIOUS_IDS.map((id) => leadHref(id));
    expect(new Set(hrefs).size).toBe(NOTORIOUS_IDS.length);
    expect(leadHref('a b')).toBe('/leads/a%20b');
    expect(leadHref('a%20b')).toBe('/leads/a%2520b');
    expect(leadHref('..')).toBe('/leads/id?id=..');
  });

  it('read a segment that does not decode as no lead', () => {
    expect(leadIdFromPageParams('%E9', {})).toBeNull();
    expect(leadIdFromPageParams('%', {})).toBeNull();
  });
});
