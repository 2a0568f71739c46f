import Link from 'next/link';
import { attributeLabel, type LeadColumns, type StandardColumn } from '@/app/_lib/lead-columns';
import { leadHref } from '@/app/_lib/lead-path';
import { LEAD_TABLE_TEXT_COLUMNS } from '@/lib/lead-fields';
import { defaultDirection, hasFilters, leadsHref, type LeadSearchState } from '@/app/_lib/lead-search';
import type { LeadPage, SortKey } from '@/lib/store/types';
import { EnrichmentBadge, GroundingFlag, TierBadge } from './badges';
import { formatAttribute, formatInt } from './format';

interface Column {
  key: string;
  label: string;
  sort?: SortKey;
  className?: string;
}

/** Each text column sorts by its own key. */
const STANDARD = Object.fromEntries(
  Object.entries(LEAD_TABLE_TEXT_COLUMNS).map(([key, { label }]) => [key, { key, label, sort: key as StandardColumn }]),
) as Record<StandardColumn, Column>;

/** Right after the name, so a phone shows name, score and tier before the table scrolls sideways. */
const SCORE_COLUMNS: Column[] = [
  { key: 'score', label: 'Score', sort: 'score', className: 'text-right' },
  { key: 'tier', label: 'Tier', sort: 'tier' },
];

const TRAILING_COLUMNS: Column[] = [
  { key: 'reason', label: 'Top reason' },
  { key: 'enrichment', label: 'Enrichment', sort: 'enrichment' },
];

const TEXT_CELL_WIDTH: Record<Exclude<StandardColumn, 'name'>, string> = { title: 'max-w-40', company: 'max-w-44', industry: 'max-w-36' };

function SortIcon({ direction }: { direction: 'asc' | 'desc' | null }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 12 12" className={`size-3 shrink-0 ${direction ? 'text-slate-900' : 'text-slate-300 group-hover:text-slate-400'}`} fill="currentColor">
      {direction !== 'desc' && <path d="M6 2l3 3.5H3z" />}
      {direction !== 'asc' && <path d="M6 10L3 6.5h6z" />}
    </svg>
  );
}

function HeaderCell({ column, state }: { column: Column; state: LeadSearchState }) {
  const base = `px-3 py-2 text-left text-xs font-semibold text-slate-600 ${column.className ?? ''}`;
  if (!column.sort) {
    return (
      <th scope="col" className={base}>
        {column.label}
      </th>
    );
  }
  const active = state.sort === column.sort;
  const nextDir = active ? (state.dir === 'asc' ? 'desc' : 'asc') : defaultDirection(column.sort);
  return (
    <th scope="col" className={base} aria-sort={active ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <Link
        href={leadsHref(state, { sort: column.sort, dir: nextDir })}
        scroll={false}
        className={`group inline-flex items-center gap-1 rounded hover:text-slate-900 ${column.className?.includes('text-right') ? 'flex-row-reverse' : ''}`}
        data-testid={`sort-${column.sort}`}
      >
        {column.label}
        <SortIcon direction={active ? state.dir : null} />
        <span className="sr-only">{active ? `, sorted ${state.dir === 'asc' ? 'ascending' : 'descending'}` : ''}, click to sort</span>
      </Link>
    </th>
  );
}

function Muted({ children }: { children?: React.ReactNode }) {
  return <span className="text-slate-400">{children ?? '—'}</span>;
}

/**
 * The lead table: a server component, one page of rows straight from the store. Its columns follow the
 * data (`leadColumns`): standard columns no lead fills give way to the custom attributes the rules read,
 * and the attributes the import mapping marks `show` are columns too.
 */
export function LeadTable({ page, state, columns }: { page: LeadPage; state: LeadSearchState; columns: LeadColumns }) {
  const [first, ...rest] = columns.standard.map((c) => (c === 'name' && !columns.namesKnown ? { ...STANDARD.name, label: 'Lead' } : STANDARD[c]));
  const header: Column[] = [
    first!,
    ...SCORE_COLUMNS,
    ...rest,
    ...columns.attributes.map((name) => ({ key: `attribute-${name}`, label: attributeLabel(name) })),
    ...TRAILING_COLUMNS,
  ];
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="lead-table w-full min-w-[1080px] border-collapse text-sm" data-testid="lead-table">
        <caption className="sr-only">
          Leads sorted by {state.sort} {state.dir === 'asc' ? 'ascending' : 'descending'}, page {page.page}
        </caption>
        <thead className="border-b border-slate-200 bg-slate-50/80">
          <tr>
            {header.map((c) => (
              <HeaderCell key={c.key} column={c} state={state} />
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {page.rows.map((row) => (
            <tr key={row.id} data-testid="lead-row" data-lead-id={row.id} data-score={row.score} data-tier={row.tier} data-grounding={row.grounding ?? 'none'}>
              <th scope="row">
                <Link href={leadHref(row.id)} className="text-slate-900 hover:text-indigo-700 hover:underline" data-testid="lead-link">
                  {row.name ?? <i className="text-slate-500">{row.email ?? row.id}</i>}
                </Link>
                {row.name && row.email && <div className="sub cell-clip max-w-36 md:max-w-52">{row.email}</div>}
              </th>
              <td className="text-right font-semibold tabular-nums text-slate-900" data-testid="lead-score">
                {row.score}
              </td>
              <td>
                <TierBadge tier={row.tier} />
              </td>
              {columns.standard.flatMap((column) => {
                if (column === 'name') return [];
                const width = TEXT_CELL_WIDTH[column];
                const text = row[LEAD_TABLE_TEXT_COLUMNS[column].rowKey];
                return [
                  <td key={column} title={text ?? undefined}>
                    <div className={`cell-clip ${width}`}>{text ?? <Muted />}</div>
                  </td>,
                ];
              })}
              {columns.attributes.map((name) => {
                const value = row.attributes[name];
                return (
                  <td key={name} data-testid={`attribute-${name}`}>
                    <div className="cell-clip max-w-40">{value === undefined ? <Muted /> : formatAttribute(value)}</div>
                  </td>
                );
              })}
              <td>
                {row.topReason ? (
                  <div className="flex max-w-56 items-baseline gap-1.5">
                    <span className="cell-clip">{row.topReason.label}</span>
                    <span className="sub shrink-0 tabular-nums">+{row.topReason.points}</span>
                  </div>
                ) : (
                  <Muted>no points</Muted>
                )}
              </td>
              <td>
                <EnrichmentBadge status={row.enrichmentStatus} />
                {row.confidence && <span className="sub ml-2">{row.confidence}</span>}
                {row.grounding === 'flagged' && <GroundingFlag />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.rows.length === 0 && <EmptyRows page={page} state={state} />}
    </div>
  );
}

function EmptyRows({ page, state }: { page: LeadPage; state: LeadSearchState }) {
  const [title, action] =
    page.total > 0
      ? [`Page ${formatInt(page.page)} is past the last page.`, <Link key="a" href={leadsHref(state, { page: 1 })} className="text-indigo-700 hover:underline">Go to the first page</Link>]
      : hasFilters(state)
        ? ['No leads match these filters.', <Link key="a" href="/" className="text-indigo-700 hover:underline">Clear all filters</Link>]
        : ['No leads in the store yet.', <span key="a">Load a leads file (LEADS_PATH) or import a CSV with <code className="font-mono">npm run import</code>.</span>];
  return (
    <div className="px-6 py-12 text-center" data-testid="lead-table-empty">
      <p className="text-sm font-medium text-slate-900">{title}</p>
      <p className="mt-1 text-sm text-slate-500">{action}</p>
    </div>
  );
}
