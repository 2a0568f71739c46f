import type { Metadata } from 'next';
import { loadRules, loadStore } from '@/app/_lib/data';
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
  const [page, summary, coverage, rules] = await Promise.all([store.listLeads(toLeadQuery(state)), store.summary(), store.fieldCoverage(), loadRules()]);
  const { lowRules } = ruleCoverage(rules, coverage);

  return (
    <div className="flex flex-col gap-5">
      <div>
        <h1 className="text-xl font-semibold tracking-tight">Leads</h1>
        <p className="mt-1 text-sm text-slate-500">Scored by transparent rules, highest first. Open a lead to see every point.</p>
      </div>
      <SummaryStrip summary={summary} lowCoverageRules={lowRules.length} tierHref={(tier) => leadsHref(state, { tiers: [tier] })} />
      <LeadFilters state={state} industries={summary.industries} />
      <LeadTable page={page} state={state} />
      <Pagination page={page} state={state} />
    </div>
  );
}
