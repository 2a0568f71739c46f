import type { Metadata } from 'next';
import { loadRules, loadShownAttributes, loadStore } from '@/app/_lib/page-data';
import { leadColumns } from '@/app/_lib/lead-columns';
import { leadsHref, parseLeadSearch, toLeadQuery, type RawSearchParams } from '@/app/_lib/lead-search';
import { LeadFilters } from '@/components/lead-filters';
import { LeadTable } from '@/components/lead-table';
import { Pagination } from '@/components/pagination';
import { SummaryStrip } from '@/components/summary-strip';
import { ruleCoverage } from '@/lib/rule-coverage';

export const metadata: Metadata = { title: 'Leads' };

export default async function LeadsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const state = parseLeadSearch(await searchParams);
  const store = await loadStore();
  const [summary, coverage, rules, shown] = await Promise.all([store.summary(), store.fieldCoverage(), loadRules(), loadShownAttributes()]);
  const { lowRules } = ruleCoverage(rules, coverage);
  // The table's columns follow the data (see leadColumns), so the coverage is read before the page.
  const columns = leadColumns(coverage, rules, shown);
  const page = await store.listLeads({ ...toLeadQuery(state), attributes: columns.attributes });

  return (
    <div className="flex flex-col gap-5">
      <div>
        <h1 className="text-xl font-semibold tracking-tight">Leads</h1>
        <p className="mt-1 text-sm text-slate-500">Scored by transparent rules, highest first. Open a lead to see every point.</p>
      </div>
      <SummaryStrip summary={summary} lowCoverageRules={lowRules.length} tierHref={(tier) => leadsHref(state, { tiers: [tier] })} />
      <LeadFilters state={state} industries={summary.industries} />
      <LeadTable page={page} state={state} columns={columns} />
      <Pagination page={page} state={state} />
    </div>
  );
}
