import { enrichmentStatus, groundingStatus, type Enrichment } from '../enrichment/schema';
import { fullName, leadInputHash, toScorable, type Lead } from '../lead';
import type { RuleSet } from '../rules';
import { scoreLead, topReason } from '../scoring';
import { compareCodePoints } from './order';
import type { LeadRow, OutcomeRow, ScoredLead } from './types';

/**
 * Pure reshaping shared by the store adapters: a lead → its stored score → with its enrichment → its
 * lead-table row, and what search looks in.
 */

export type StoredScore = Omit<ScoredLead, 'enrichment' | 'enrichmentStatus'>;

/** Scores a lead as stores keep it; scoring sees the lead without its outcome. */
export function scoreForStore(lead: Lead, { rules, now }: { rules: RuleSet; now: Date }): StoredScore {
  const { score, tier, breakdown, rulesVersion } = scoreLead(toScorable(lead), { rules, now });
  return { lead, score, tier, breakdown, rulesVersion, inputHash: leadInputHash(lead) };
}

export function withEnrichment(scored: StoredScore, enrichment: Enrichment | null): ScoredLead {
  return {
    ...scored,
    enrichment,
    enrichmentStatus: enrichmentStatus(enrichment, { inputHash: scored.inputHash, rulesVersion: scored.rulesVersion }),
  };
}

/**
 * A lead with a known outcome as the backtest and the Narratives section read it. The input hash says
 * whether its narrative is stale; a caller that has none computes it only for a lead with a narrative.
 */
export function outcomeRow(scored: Pick<StoredScore, 'lead' | 'score' | 'tier'> & { inputHash?: string }, enrichment: Enrichment | null, rulesVersion: string): OutcomeRow {
  const { lead } = scored;
  if (lead.converted === undefined) throw new Error(`lead ${lead.id} has no known outcome`);
  const inputHash = enrichment ? (scored.inputHash ?? leadInputHash(lead)) : '';
  return {
    id: lead.id,
    score: scored.score,
    tier: scored.tier,
    converted: lead.converted,
    enrichmentStatus: enrichmentStatus(enrichment, { inputHash, rulesVersion }),
    confidence: enrichment?.confidence ?? null,
    grounding: groundingStatus(enrichment),
  };
}

export function toLeadRow(scored: ScoredLead, attributes: readonly string[] = []): LeadRow {
  const { lead } = scored;
  const reason = topReason(scored.breakdown);
  return {
    id: lead.id,
    name: fullName(lead) ?? null,
    email: lead.email ?? null,
    jobTitle: lead.job_title ?? null,
    company: lead.company_name ?? null,
    industry: lead.industry ?? null,
    score: scored.score,
    tier: scored.tier,
    topReason: reason ? { label: reason.label, points: reason.points } : null,
    enrichmentStatus: scored.enrichmentStatus,
    confidence: scored.enrichment?.confidence ?? null,
    grounding: groundingStatus(scored.enrichment),
    attributes: pickAttributes(lead.attributes, attributes),
  };
}

/** The values of `names` a lead's attributes have (for a table row's attribute columns). */
export function pickAttributes(values: Lead['attributes'] | null | undefined, names: readonly string[]): LeadRow['attributes'] {
  const picked: LeadRow['attributes'] = {};
  if (values) for (const name of names) if (Object.hasOwn(values, name)) picked[name] = values[name]!;
  return picked;
}

/** What search matches a lead on, lower-cased, one value per line: name, company, email, id, text attributes. */
export function searchTextOf(lead: Lead): string {
  const texts = [fullName(lead) ?? '', lead.company_name ?? '', lead.email ?? '', lead.id];
  for (const [, value] of Object.entries(lead.attributes ?? {}).sort(([a], [b]) => compareCodePoints(a, b))) if (typeof value === 'string') texts.push(value);
  return texts.join('\n').toLowerCase();
}
