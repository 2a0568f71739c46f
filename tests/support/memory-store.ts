import { feedbackKey, type NarrativeFeedback } from '@/lib/enrichment/feedback';
import { enrichmentSchema, type Enrichment } from '@/lib/enrichment/schema';
import { AppError } from '@/lib/errors';
import { toScorable, type Lead } from '@/lib/lead';
import type { RuleSet } from '@/lib/rules';
import { fieldCoverage } from '@/lib/rule-coverage';
import { DEFAULT_RULES, rulesVersion, TIERS, type Tier } from '@/lib/scoring';
import { validateFeedback } from '@/lib/store/input-checks';
import { compareFeedback, compareRows } from '@/lib/store/order';
import { scoreForStore, toLeadRow, withEnrichment, type StoredScore } from '@/lib/store/scored-lead';
import type { LeadStore, OutcomeRow, StoreSummary } from '@/lib/store/types';

/**
 * A LeadStore held in memory, for tests of code that only needs the interface (the enrichment job).
 * It checks what the real stores check on save: valid records, existing leads. `saves` counts writes.
 */
export interface MemoryStore extends LeadStore {
  saves: number;
}

export function createMemoryStore(leads: readonly Lead[], { rules = DEFAULT_RULES, now }: { rules?: RuleSet; now: Date }): MemoryStore {
  const scored = new Map<string, StoredScore>(leads.map((lead) => [lead.id, scoreForStore(lead, { rules, now })]));
  const enrichments = new Map<string, Enrichment>();
  const feedback = new Map<string, NarrativeFeedback>();
  const scoredLead = (s: StoredScore) => withEnrichment(s, enrichments.get(s.lead.id) ?? null);

  const store: MemoryStore = {
    kind: 'file',
    saves: 0,
    async listLeads(query) {
      let rows = [...scored.values()].map((s) => toLeadRow(scoredLead(s)));
      if (query.tiers?.length) rows = rows.filter((r) => query.tiers!.includes(r.tier));
      if (query.enrichment?.length) rows = rows.filter((r) => query.enrichment!.includes(r.enrichmentStatus));
      rows.sort(compareRows(query.sort, query.direction));
      const start = (query.page - 1) * query.pageSize;
      return { rows: rows.slice(start, start + query.pageSize), total: rows.length, page: query.page, pageSize: query.pageSize };
    },
    async getLead(id) {
      const s = scored.get(id);
      return s ? scoredLead(s) : null;
    },
    async summary(): Promise<StoreSummary> {
      const all = [...scored.values()].map(scoredLead);
      const byTier = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>;
      for (const s of all) byTier[s.tier]++;
      return {
        total: all.length,
        byTier,
        enriched: all.filter((s) => s.enrichmentStatus === 'claude' || s.enrichmentStatus === 'mock').length,
        mock: all.filter((s) => s.enrichmentStatus === 'mock').length,
        stale: all.filter((s) => s.enrichmentStatus === 'stale').length,
        rulesVersion: rulesVersion(rules),
        configuredRulesVersion: rulesVersion(rules),
        outdatedScores: 0,
        industries: [...new Set(all.flatMap((s) => (s.lead.industry ? [s.lead.industry] : [])))].sort(),
      };
    },
    async outcomes(): Promise<OutcomeRow[]> {
      return [...scored.values()].flatMap((s) => {
        if (s.lead.converted === undefined) return [];
        const { enrichmentStatus, confidence, grounding } = toLeadRow(scoredLead(s));
        return [{ id: s.lead.id, score: s.score, tier: s.tier, converted: s.lead.converted, enrichmentStatus, confidence, grounding }];
      });
    },
    async leadsWithOutcome() {
      return [...scored.values()].map((s) => s.lead).filter((l) => l.converted !== undefined).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async scoredRecords() {
      return [...scored.values()].sort((a, b) => (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0));
    },
    async fieldCoverage() {
      return fieldCoverage([...scored.values()].map((s) => toScorable(s.lead)));
    },
    async upsertLeads(items) {
      for (const item of items) scored.set(item.lead.id, item);
    },
    async enrichments() {
      return new Map(enrichments);
    },
    async saveEnrichments(list) {
      const valid = list.map((e) => enrichmentSchema.parse(e));
      const unknown = valid.filter((e) => !scored.has(e.lead_id)).map((e) => e.lead_id);
      if (unknown.length) throw new AppError('NOT_FOUND', `Cannot save enrichments for unknown lead(s): ${unknown.join(', ')}`);
      for (const e of valid) enrichments.set(e.lead_id, e);
      store.saves++;
    },
    async saveFeedback(item) {
      const f = validateFeedback(item);
      if (!scored.has(f.lead_id)) throw new AppError('NOT_FOUND', `Cannot save feedback for unknown lead "${f.lead_id}"`);
      feedback.set(feedbackKey(f), f);
    },
    async feedback(leadId) {
      return [...feedback.values()].filter((f) => leadId === undefined || f.lead_id === leadId).sort(compareFeedback);
    },
    // Its scores never change rules, so it has no history.
    async scoreHistory() {
      return [];
    },
  };
  return store;
}
