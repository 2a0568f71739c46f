/**
 * The address of a lead's page, `/leads/<id>`, for ids of any text: spaces, `/`, `%`, `+`, `?`, `#`, `é`,
 * `__proto__`. The id is percent-encoded once as one path segment, and decoded once on the way back.
 *
 * How Next 16.4 hands the segment over differs by caller (vercel/next.js#64952, checked with `next start`):
 * a page component's `params` keep it percent-encoded as it came in the URL (`a%2520b` for the id
 * `a%20b`), while `generateMetadata` gets it decoded once (`a%20b`). Each reader below decodes exactly as
 * much as it is missing; the browser tests open `a b` and `a%20b` side by side and check both the heading
 * and the title, so a Next upgrade that changes this fails there rather than opening the wrong lead.
 *
 * "." and ".." cannot be a path segment at all (a URL resolves them, encoded or not, as steps up the path),
 * so those two ids go in the query instead: `/leads/id?id=..`.
 */

const DOT_SEGMENT = /^\.{1,2}$/;
/** The path segment of a lead looked up by its `id` query parameter. */
export const BY_QUERY_SEGMENT = 'id';

/** The page of a lead; `rules: 'candidate'` opens it with the candidate rule set's breakdown (SCORING_RULES_CANDIDATE). */
export function leadHref(id: string, { rules }: { rules?: 'candidate' } = {}): string {
  const view = rules ? `rules=${rules}` : '';
  if (DOT_SEGMENT.test(id)) return `/leads/${BY_QUERY_SEGMENT}?id=${encodeURIComponent(id)}${view ? `&${view}` : ''}`;
  return `/leads/${encodeURIComponent(id)}${view ? `?${view}` : ''}`;
}

/** The `id` query parameter, when the link put the id there. */
function queryId(query: Record<string, string | string[] | undefined>): string | null {
  const value = query.id;
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The lead id a page component is asked for, from its still-encoded segment; null when it does not decode. */
export function leadIdFromPageParams(encodedSegment: string, query: Record<string, string | string[] | undefined>): string | null {
  const fromQuery = queryId(query);
  if (fromQuery !== null) return fromQuery;
  try {
    return decodeURIComponent(encodedSegment);
  } catch {
    return null;
  }
}

/** The lead id `generateMetadata` is asked for, from its already decoded segment. */
export function leadIdFromMetadataParams(decodedSegment: string, query: Record<string, string | string[] | undefined>): string {
  return queryId(query) ?? decodedSegment;
}
