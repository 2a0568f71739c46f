import Link from 'next/link';
import { leadsHref, type LeadSearchState } from '@/app/_lib/lead-search';
import type { LeadPage } from '@/lib/store/types';
import { formatInt } from './format';

function PageLink({ href, label, rel, children }: { href: string | null; label: string; rel?: string; children: React.ReactNode }) {
  const style = 'inline-flex h-8 min-w-8 items-center justify-center rounded-md border px-2.5 text-sm font-medium';
  if (!href) {
    return (
      <span aria-disabled="true" className={`${style} border-slate-200 text-slate-300`}>
        <span className="sr-only">{label} (none)</span>
        <span aria-hidden="true">{children}</span>
      </span>
    );
  }
  return (
    <Link href={href} rel={rel} aria-label={label} className={`${style} border-slate-300 bg-white text-slate-700 shadow-xs hover:bg-slate-50`}>
      {children}
    </Link>
  );
}

export function Pagination({ page, state }: { page: LeadPage; state: LeadSearchState }) {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const first = page.total === 0 ? 0 : (page.page - 1) * page.pageSize + 1;
  const last = Math.min(page.total, page.page * page.pageSize);
  const at = (p: number) => leadsHref(state, { page: p });
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
      <p data-testid="result-count">
        {page.total === 0 || first > page.total ? (
          <>{formatInt(page.total)} leads</>
        ) : (
          <>
            <span className="font-medium text-slate-900">{formatInt(first)}–{formatInt(last)}</span> of{' '}
            <span className="font-medium text-slate-900">{formatInt(page.total)}</span> leads
          </>
        )}
      </p>
      <div className="flex items-center gap-1.5">
        <PageLink href={page.page > 1 ? at(1) : null} label="First page">«</PageLink>
        <PageLink href={page.page > 1 ? at(Math.min(page.page - 1, pages)) : null} label="Previous page" rel="prev">
          ‹ Prev
        </PageLink>
        <span className="px-2 tabular-nums" data-testid="page-indicator">
          Page {formatInt(page.page)} of {formatInt(pages)}
        </span>
        <PageLink href={page.page < pages ? at(page.page + 1) : null} label="Next page" rel="next">
          Next ›
        </PageLink>
        <PageLink href={page.page < pages ? at(pages) : null} label="Last page">»</PageLink>
      </div>
    </nav>
  );
}
