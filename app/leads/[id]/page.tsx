import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { z } from 'zod';
import { liveEnrichInfo, loadCandidateRules, loadRules, loadStore, scoringAsOf } from '@/app/_lib/page-data';
import { attributeLabel, ruleAttributes } from '@/app/_lib/lead-columns';
import { leadHref, leadIdFromMetadataParams, leadIdFromPageParams } from '@/app/_lib/lead-path';
import { recordsAsOf } from '@/app/_lib/validate-analysis';
import { requireViewer } from '@/app/_lib/viewer';
import { EnrichmentBadge, TierBadge } from '@/components/badges';
import { EnrichmentPanel } from '@/components/enrichment-panel';
import { formatAttribute, formatInt } from '@/components/format';
import { ReEnrichButton } from '@/components/re-enrich-button';
import { RescoreWarning } from '@/components/rescore-warning';
import { ScoreBreakdown } from '@/components/score-breakdown';
import { ScoreHistory } from '@/components/score-history';
import { feedbackAuthor, feedbackTally } from '@/lib/enrichment/feedback';
import { fullName, toScorable } from '@/lib/lead';
import { deriveSeniority, rulesVersion, scoreLead, type ScoreResult } from '@/lib/scoring';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** `?rules=candidate` shows the breakdown under SCORING_RULES_CANDIDATE; anything else, the live rules. */
const viewSchema = z.enum(['live', 'candidate']).catch('live');

/** One store read per request, shared by the metadata and the page. */
const getLead = cache(async (id: string) => (await loadStore()).getLead(id));

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const scored = await getLead(leadIdFromMetadataParams((await params).id, await searchParams));
  return { title: scored ? (fullName(scored.lead) ?? scored.lead.email ?? scored.lead.id) : 'Lead not found' };
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
  const query = await searchParams;
  const [scored, rules, { candidate }, viewer] = await Promise.all([getLead(id), loadRules(), loadCandidateRules(), requireViewer()]);
  if (!scored) notFound();
  const store = await loadStore();
  const [feedbackList, history] = await Promise.all([scored.enrichment ? store.feedback(scored.lead.id) : null, store.scoreHistory(scored.lead.id)]);
  const feedback = scored.enrichment && feedbackList ? feedbackTally(feedbackList, scored.enrichment.enriched_at, feedbackAuthor(viewer).key) : null;
  const view = candidate ? viewSchema.parse(Array.isArray(query.rules) ? query.rules[0] : query.rules) : 'live';
  // The candidate scores the lead as the store scored it: without its outcome, against the same reference date.
  let candidateScore: ScoreResult | null = null;
  if (candidate && view === 'candidate') {
    candidateScore = scoreLead(toScorable(scored.lead), { rules: candidate, now: recordsAsOf(await store.scoredRecords(), scoringAsOf()) });
  }

  const { lead } = scored;
  const name = fullName(lead);
  const seniority = scored.breakdown.find((b) => b.category === 'seniority' && !b.unknown)?.value ?? deriveSeniority(lead.job_title, rules);
  const live = liveEnrichInfo(viewer);
  const attributes = Object.entries(lead.attributes ?? {});
  const scoredAttributes = new Set(ruleAttributes(rules));
  const who: [label: string, value: React.ReactNode][] = [
    ['Name', name],
    ['Email', lead.email],
    ['Title', lead.job_title],
    ['Seniority', seniority],
    ['Company', lead.company_name],
    ['Domain', lead.company_domain],
    ['Size', lead.employee_count === undefined ? undefined : `${formatInt(lead.employee_count)} employees`],
    ['Industry', lead.industry],
    ['Country', lead.country],
    ['Source', lead.lead_source],
  ];
  // Imported data that is not B2B (a gym's members) fills none of these: its attributes take the card's place.
  const knowsWho = who.some(([, value]) => value !== undefined && value !== null);
  const attributesCard = attributes.length > 0 && (
    <Card title="Custom attributes" testId="attributes-card">
      {/* Every attribute the import kept, whether a rule reads it or not. */}
      <dl className={knowsWho ? 'grid gap-x-8 sm:grid-cols-2' : 'divide-y divide-slate-100'}>
        {attributes.map(([attribute, value]) => (
          <Field key={attribute} label={attributeLabel(attribute)}>
            <span data-testid={`attribute-${attribute}`}>{formatAttribute(value)}</span>
            {scoredAttributes.has(attribute) && <span className="ml-2 rounded bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-700">scored</span>}
          </Field>
        ))}
      </dl>
    </Card>
  );

  return (
    <div className="flex flex-col gap-5">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/" className="text-slate-500 hover:text-slate-900">
          ← Leads
        </Link>
      </nav>

      <header className="flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          {/* Without a name, the email or id, as in the lead table. */}
          <h1 className="truncate text-2xl font-semibold tracking-tight" data-testid="lead-name">
            {name ?? <span className="italic text-slate-500">{lead.email ?? lead.id}</span>}
          </h1>
          {knowsWho && (
            <p className="mt-1 text-sm text-slate-600">
              {[lead.job_title, lead.company_name].filter(Boolean).join(' at ') || 'No title or company given'}
              <span className="ml-2 font-mono text-xs text-slate-400">{lead.id}</span>
            </p>
          )}
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
          {candidateScore && (
            <div className="border-l border-slate-200 pl-4" data-testid="candidate-score">
              <p className="text-[11px] font-semibold uppercase tracking-wide text-emerald-700">Candidate</p>
              <p className="text-2xl font-semibold tabular-nums">
                {candidateScore.score}
                <span className="text-sm font-normal text-slate-400"> / 100</span>
              </p>
              <TierBadge tier={candidateScore.tier} />
            </div>
          )}
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
        {knowsWho ? (
          <Card title="Who" testId="who-card">
            <dl className="divide-y divide-slate-100">
              {who.map(([label, value]) => (
                <Field key={label} label={label}>
                  {value}
                </Field>
              ))}
            </dl>
          </Card>
        ) : (
          attributesCard
        )}
      </div>

      <Card
        title={candidateScore && candidate ? `Score breakdown under the candidate rules: ${candidate.name}` : 'Score breakdown'}
        testId="breakdown-card"
        action={
          <div className="flex flex-wrap items-center gap-3">
            {candidate && (
              <nav aria-label="Rule set for the breakdown" className="flex rounded-md border border-slate-200 text-xs" data-testid="breakdown-rules-toggle">
                {(['live', 'candidate'] as const).map((v) => (
                  <Link
                    key={v}
                    href={v === 'live' ? leadHref(lead.id) : leadHref(lead.id, { rules: 'candidate' })}
                    aria-current={view === v ? 'page' : undefined}
                    className={`px-2.5 py-1 first:rounded-l-md last:rounded-r-md ${view === v ? 'bg-slate-900 text-white' : 'text-slate-600 hover:bg-slate-50'}`}
                    data-testid={`breakdown-rules-${v}`}
                  >
                    {v === 'live' ? 'Live rules' : 'Candidate'}
                  </Link>
                ))}
              </nav>
            )}
            <span className="font-mono text-xs text-slate-400" data-testid="breakdown-rules-version">
              rules {candidateScore && candidate ? rulesVersion(candidate) : scored.rulesVersion}
            </span>
          </div>
        }
      >
        <div className="-mx-4 -my-3">
          {candidateScore && candidate ? (
            <ScoreBreakdown breakdown={candidateScore.breakdown} rules={candidate} score={candidateScore.score} />
          ) : (
            <ScoreBreakdown breakdown={scored.breakdown} rules={rules} score={scored.score} />
          )}
        </div>
      </Card>

      <Card title="Score history" testId="history-card">
        <ScoreHistory entries={history} current={scored.breakdown} />
      </Card>

      {knowsWho && attributesCard}

      {(knowsWho || lead.company_description) && (
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
      )}
    </div>
  );
}
