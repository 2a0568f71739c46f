import Link from 'next/link';
import { hasFilters, leadsHref, searchString, type LeadSearchState } from '@/app/_lib/lead-search';
import { CONFIDENCES, ENRICHMENT_STATUSES, GROUNDING_STATUSES } from '@/lib/enrichment/schema';
import { TIERS } from '@/lib/scoring';
import { ENRICHMENT_LABEL, GROUNDING_LABEL } from './badges';
import { FilterSelect, type FilterOption } from './filter-select';
import { SearchBox } from './search-box';

/**
 * Options for a single-choice select over a list-valued filter. A shared URL may hold several values
 * (`industry=A&industry=B`); that shows as one extra "N selected" option so nothing is silently dropped.
 */
function selectOptions<T extends string>(
  state: LeadSearchState,
  selected: readonly T[],
  values: readonly T[],
  allLabel: string,
  label: (v: T) => string,
  apply: (values: T[]) => Partial<LeadSearchState>,
): { value: string; options: FilterOption[] } {
  const options: FilterOption[] = [{ label: allLabel, href: leadsHref(state, apply([])) }];
  for (const v of values) options.push({ label: label(v), href: leadsHref(state, apply([v])) });
  if (selected.length > 1) {
    const current = leadsHref(state, { page: state.page });
    options.push({ label: `${selected.length} selected`, href: current });
    return { value: current, options };
  }
  const only = selected[0];
  const value = only === undefined ? options[0]!.href : leadsHref(state, apply([only]));
  // A value from the URL that is not in the list (e.g. an industry no lead has any more) stays visible.
  if (only !== undefined && !values.includes(only)) options.push({ label: label(only), href: value });
  return { value, options };
}

export function LeadFilters({ state, industries }: { state: LeadSearchState; industries: string[] }) {
  const industry = selectOptions(state, state.industries, industries, 'All industries', (v) => v, (industries) => ({ industries }));
  const enrichment = selectOptions(state, state.enrichment, ENRICHMENT_STATUSES, 'Any status', (v) => ENRICHMENT_LABEL[v], (enrichment) => ({ enrichment }));
  const confidence = selectOptions(state, state.confidence, CONFIDENCES, 'Any confidence', (v) => v[0]!.toUpperCase() + v.slice(1), (confidence) => ({ confidence }));
  const grounding = selectOptions(state, state.grounding, GROUNDING_STATUSES, 'Any check', (v) => GROUNDING_LABEL[v], (grounding) => ({ grounding }));
  const searchBase = searchString({ ...state, q: '', page: 1 });
  const tierLinks = [{ label: 'All', tiers: [] as typeof state.tiers }, ...TIERS.map((t) => ({ label: t, tiers: [t] }))];

  return (
    <section aria-label="Filters" className="flex flex-col gap-3 lg:flex-row lg:items-end lg:justify-between">
      <div className="flex flex-col gap-3 sm:flex-row sm:flex-wrap sm:items-end">
        <div className="flex flex-col gap-1">
          <span id="tier-filter-label" className="text-[11px] font-medium uppercase tracking-wide text-slate-500">
            Tier
          </span>
          <ul aria-labelledby="tier-filter-label" className="inline-flex h-9 items-stretch overflow-hidden rounded-md border border-slate-300 bg-white text-sm shadow-xs">
            {tierLinks.map(({ label, tiers }) => {
              const current = tiers.length === state.tiers.length && tiers.every((t) => state.tiers.includes(t));
              return (
                <li key={label} className="flex border-l border-slate-200 first:border-l-0">
                  <Link
                    href={leadsHref(state, { tiers })}
                    scroll={false}
                    aria-current={current ? 'true' : undefined}
                    data-testid={`tier-filter-${label}`}
                    className={`flex items-center px-3 font-medium ${current ? 'bg-slate-900 text-white' : 'text-slate-600 hover:bg-slate-50'}`}
                  >
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
        <div className="grid grid-cols-1 gap-3 min-[420px]:grid-cols-2 sm:flex sm:flex-wrap">
          {/* Imported data without an industry column has nothing to filter by. */}
          {(industries.length > 0 || state.industries.length > 0) && <FilterSelect id="filter-industry" label="Industry" testId="filter-industry" {...industry} />}
          <FilterSelect id="filter-enrichment" label="Enrichment" testId="filter-enrichment" {...enrichment} />
          <FilterSelect id="filter-confidence" label="Confidence" testId="filter-confidence" {...confidence} />
          <FilterSelect id="filter-grounding" label="Grounding" testId="filter-grounding" {...grounding} />
        </div>
      </div>
      <div className="flex items-center gap-3">
        {hasFilters(state) && (
          <Link href={leadsHref(state, { tiers: [], industries: [], enrichment: [], confidence: [], grounding: [], q: '' })} className="whitespace-nowrap text-sm text-indigo-700 hover:underline" data-testid="clear-filters">
            Clear filters
          </Link>
        )}
        <SearchBox value={state.q} baseQuery={searchBase} />
      </div>
    </section>
  );
}
