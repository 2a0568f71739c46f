import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { liveEnrichInfo, loadRules, loadStore } from '@/app/_lib/data';
import { attributeLabel, ruleAttributes } from '@/app/_lib/lead-columns';
import { leadIdFromMetadataParams, leadIdFromPageParams } from '@/app/_lib/lead-path';
import { requireViewer } from '@/app/_lib/viewer';
import { EnrichmentBadge, TierBadge } from '@/components/badges';
import { EnrichmentPanel } from '@/components/enrichment-panel';
import { formatAttribute, formatInt } from '@/components/format';
import { ReEnrichButton } from '@/components/re-enrich-button';
import { RescoreWarning } from '@/components/rescore-warning';
import { ScoreBreakdown } from '@/components/score-breakdown';
import { ScoreHistory } from '@/components/score-history';
import { feedbackAuthor, feedbackTally } from '@/lib/enrichment/feedback';
import { fullName } from '@/lib/lead';
import { deriveSeniority, rulesVersion } from '@/lib/scoring';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** One store read per request, shared by the metadata and the page. */
const getLead = cache(async (id: string) => (await loadStore()).getLead(id));

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const scored = await getLead(leadIdFromMetadataParams((await params).id, await searchParams));
  return { title: scored ? (fullName(scored.lead) ?? scored.lead.id) : 'Lead not found' };
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_1fr] gap-2 py-1.5 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900">{children ?? <span className="text-slate-400">—</span>}</dd>
    </div>
  );
}

function Card({ title, children, action, footer, testId }: { title: string; children: React.ReactNode; action?: React.ReactNode; footer?: React.ReactNode; testId?: string }) {
  return (
    <section className="min-w-0 rounded-lg border border-slate-200 bg-white" aria-labelledby={`${testId}-title`} data-testid={testId}>
      <div className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-4 py-3">
        <h2 id={`${testId}-title`} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        {action}
      </div>
      <div className="px-4 py-3">{children}</div>
      {footer && <div className="border-t border-slate-100 bg-slate-50/60 px-4 py-3">{footer}</div>}
    </section>
  );
}

export default async function LeadPage({ params, searchParams }: Props) {
  const id = leadIdFromPageParams((await params).id, await searchParams);
  if (id === null) notFound();
  const [scored, rules, viewer] = await Promise.all([getLead(id), loadRules(), requireViewer()]);
  if (!scored) notFound();
  const store = await loadStore();
  const [feedbackList, history] = await Promise.all([scored.enrichment ? store.feedback(scored.lead.id) : null, store.scoreHistory(scored.lead.id)]);
  const feedback = scored.enrichment && feedbackList ? feedbackTally(feedbackList, scored.enrichment.enriched_at, feedbackAuthor(viewer).key) : null;

  const { lead } = scored;
  const name = fullName(lead);
  const seniority = scored.breakdown.find((b) => b.category === 'seniority' && !b.unknown)?.value ?? deriveSeniority(lead.job_title, rules);
  const live = liveEnrichInfo(viewer);
  const attributes = Object.entries(lead.attributes ?? {});
  const scoredAttributes = new Set(ruleAttributes(rules));

  return (
    <div className="flex flex-col gap-5">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/" className="text-slate-500 hover:text-slate-900">
          ← Leads
        </Link>
      </nav>

      <header className="flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-semibold tracking-tight" data-testid="lead-name">
            {name ?? <span className="italic text-slate-500">Unnamed lead</span>}
          </h1>
          <p className="mt-1 text-sm text-slate-600">
            {[lead.job_title, lead.company_name].filter(Boolean).join(' at ') || 'No title or company given'}
            <span className="ml-2 font-mono text-xs text-slate-400">{lead.id}</span>
          </p>
        </div>
        <div className="flex items-center gap-4 rounded-lg border border-slate-200 bg-white px-4 py-2.5">
          <div>
            <p className="text-[11px] font-semibold uppercase tracking-wide text-slate-500">Score</p>
            <p className="text-2xl font-semibold tabular-nums" data-testid="lead-score">
              {scored.score}
              <span className="text-sm font-normal text-slate-400"> / 100</span>
            </p>
          </div>
          <div className="flex flex-col items-start gap-1.5">
            <TierBadge tier={scored.tier} />
            <EnrichmentBadge status={scored.enrichmentStatus} />
          </div>
        </div>
      </header>

      <RescoreWarning leadRulesVersion={scored.rulesVersion} configuredRulesVersion={rulesVersion(rules)} />

      <div className="grid gap-5 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <Card
            title="Fit narrative"
            testId="narrative-card"
            footer={<ReEnrichButton leadId={lead.id} availability={{ enabled: live.enabled, mode: live.mode, disabledReason: live.disabledReason }} />}
          >
            <EnrichmentPanel scored={scored} feedback={feedback} />
          </Card>
        </div>
        <Card title="Who" testId="who-card">
          <dl className="divide-y divide-slate-100">
            <Field label="Name">{name}</Field>
            <Field label="Email">{lead.email}</Field>
            <Field label="Title">{lead.job_title}</Field>
            <Field label="Seniority">{seniority}</Field>
            <Field label="Company">{lead.company_name}</Field>
            <Field label="Domain">{lead.company_domain}</Field>
            <Field label="Size">{lead.employee_count === undefined ? null : `${formatInt(lead.employee_count)} employees`}</Field>
            <Field label="Industry">{lead.industry}</Field>
            <Field label="Country">{lead.country}</Field>
            <Field label="Source">{lead.lead_source}</Field>
          </dl>
        </Card>
      </div>

      <Card title="Score breakdown" testId="breakdown-card" action={<span className="font-mono text-xs text-slate-400">rules {scored.rulesVersion}</span>}>
        <div className="-mx-4 -my-3">
          <ScoreBreakdown breakdown={scored.breakdown} rules={rules} score={scored.score} />
        </div>
      </Card>

      <Card title="Score history" testId="history-card">
        <ScoreHistory entries={history} current={scored.breakdown} />
      </Card>

      {attributes.length > 0 && (
        <Card title="Custom attributes" testId="attributes-card">
          {/* Every attribute the import kept, whether a rule reads it or not. */}
          <dl className="grid gap-x-8 sm:grid-cols-2">
            {attributes.map(([name, value]) => (
              <Field key={name} label={attributeLabel(name)}>
                <span data-testid={`attribute-${name}`}>{formatAttribute(value)}</span>
                {scoredAttributes.has(name) && <span className="ml-2 rounded bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-700">scored</span>}
              </Field>
            ))}
          </dl>
        </Card>
      )}

      <Card title="Company description" testId="description-card">
        {lead.company_description ? (
          // Rendered as text: descriptions come from CRMs and web forms, so they are never treated as HTML.
          <p className="whitespace-pre-line text-sm leading-relaxed text-slate-700" data-testid="company-description">
            {lead.company_description}
          </p>
        ) : (
          <p className="text-sm text-slate-400">No description given.</p>
        )}
      </Card>
    </div>
  );
}
