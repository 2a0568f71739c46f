import { z } from 'zod';
import { CONFIDENCES, ENRICHMENT_STATUSES, GROUNDING_STATUSES, type Confidence, type EnrichmentStatus, type GroundingStatus } from '@/lib/enrichment/schema';
import { TIERS, type Tier } from '@/lib/scoring';
import { SORT_KEYS, type LeadQuery, type SortDirection, type SortKey } from '@/lib/store/types';

/**
 * The lead table's state lives in the URL so a view can be shared and back/forward work. Every
 * parameter is validated on its own: a bad value falls back to its default instead of failing the page.
 *
 *   /?sort=company&dir=asc&tier=HOT&tier=WARM&industry=Software&enrichment=mock&confidence=high&grounding=flagged&q=acme&page=2
 */

export const PAGE_SIZE = 50;
const MAX_PAGE = 1_000_000;
const MAX_SEARCH = 200;

export type RawSearchParams = Record<string, string | string[] | undefined>;

export interface LeadSearchState {
  sort: SortKey;
  dir: SortDirection;
  tiers: Tier[];
  industries: string[];
  enrichment: EnrichmentStatus[];
  confidence: Confidence[];
  grounding: GroundingStatus[];
  q: string;
  page: number;
}

/** Numbers and tiers read best highest-first; text columns A–Z. */
export function defaultDirection(sort: SortKey): SortDirection {
  return sort === 'score' || sort === 'tier' || sort === 'enrichment' ? 'desc' : 'asc';
}

const asList = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const lastValue = (v: unknown) => (Array.isArray(v) ? v.at(-1) : v);

/** A repeatable parameter (`tier=HOT&tier=WARM`); unknown values make the whole filter fall back to "all". */
const enumList = <T extends string>(values: readonly T[], normalize: (s: string) => string = (s) => s) =>
  z.preprocess(
    (v) => asList(v).map((s) => (typeof s === 'string' ? normalize(s.trim()) : s)),
    z.array(z.enum(values as readonly [T, ...T[]])).transform((list) => [...new Set(list)]),
  ).catch([]);

/**
 * Control characters never belong in a search or a filter value, and NUL cannot reach PostgreSQL at all: a
 * URL carrying them (`?q=%00`) is read without them rather than failing the page.
 */
const withoutControls = (v: unknown) => (typeof v === 'string' ? v.replace(/[\u0000-\u001f\u007f]/g, '') : v);

const searchStateSchema = z.object({
  sort: z.preprocess(lastValue, z.enum(SORT_KEYS)).optional().catch(undefined),
  dir: z.preprocess(lastValue, z.enum(['asc', 'desc'])).optional().catch(undefined),
  tier: enumList(TIERS, (s) => s.toUpperCase()),
  industry: z
    .preprocess((v) => asList(v).map(withoutControls).filter((s) => s !== ''), z.array(z.string().trim().min(1).max(MAX_SEARCH)).max(100))
    .transform((list) => [...new Set(list)])
    .catch([]),
  enrichment: enumList(ENRICHMENT_STATUSES, (s) => s.toLowerCase()),
  confidence: enumList(CONFIDENCES, (s) => s.toLowerCase()),
  grounding: enumList(GROUNDING_STATUSES, (s) => s.toLowerCase()),
  q: z.preprocess((v) => withoutControls(lastValue(v)), z.string().trim().max(MAX_SEARCH)).optional().catch(undefined),
  page: z.preprocess(lastValue, z.coerce.number().int().min(1).max(MAX_PAGE)).optional().catch(undefined),
});

export function parseLeadSearch(raw: RawSearchParams): LeadSearchState {
  const p = searchStateSchema.parse(raw);
  const sort = p.sort ?? 'score';
  return {
    sort,
    dir: p.dir ?? defaultDirection(sort),
    tiers: p.tier,
    industries: p.industry,
    enrichment: p.enrichment,
    confidence: p.confidence,
    grounding: p.grounding,
    q: p.q ?? '',
    page: p.page ?? 1,
  };
}

export function toLeadQuery(state: LeadSearchState): LeadQuery {
  return {
    sort: state.sort,
    direction: state.dir,
    tiers: state.tiers.length ? state.tiers : undefined,
    industries: state.industries.length ? state.industries : undefined,
    enrichment: state.enrichment.length ? state.enrichment : undefined,
    confidence: state.confidence.length ? state.confidence : undefined,
    grounding: state.grounding.length ? state.grounding : undefined,
    search: state.q || undefined,
    page: state.page,
    pageSize: PAGE_SIZE,
  };
}

export const DEFAULT_SEARCH: LeadSearchState = parseLeadSearch({});

/** The query string for a state, leaving out defaults so URLs stay short. */
export function searchString(state: LeadSearchState): string {
  const params = new URLSearchParams();
  if (state.sort !== 'score') params.set('sort', state.sort);
  if (state.dir !== defaultDirection(state.sort)) params.set('dir', state.dir);
  for (const t of state.tiers) params.append('tier', t);
  for (const i of state.industries) params.append('industry', i);
  for (const e of state.enrichment) params.append('enrichment', e);
  for (const c of state.confidence) params.append('confidence', c);
  for (const g of state.grounding) params.append('grounding', g);
  if (state.q) params.set('q', state.q);
  if (state.page !== 1) params.set('page', String(state.page));
  return params.toString();
}

/**
 * A link to the table with some state changed. Anything that changes which rows match (filters,
 * search, sort) goes back to page 1; only an explicit `page` keeps a page number.
 */
export function leadsHref(state: LeadSearchState, change: Partial<LeadSearchState>): string {
  const next = { ...state, page: 1, ...change };
  const qs = searchString(next);
  return qs ? `/?${qs}` : '/';
}

export function hasFilters(state: LeadSearchState): boolean {
  return state.tiers.length + state.industries.length + state.enrichment.length + state.confidence.length + state.grounding.length > 0 || state.q !== '';
}
