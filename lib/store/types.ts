import type { NarrativeFeedback } from '../enrichment/feedback';
import type { Confidence, Enrichment, EnrichmentStatus, GroundingStatus } from '../enrichment/schema';
import type { AttributeValue, Lead } from '../lead';
import type { FieldCoverage } from '../rule-coverage';
import type { BreakdownItem, Tier } from '../scoring';

/**
 * The one data interface pages, routes and jobs use. Each backend (file, postgres, supabase) has an
 * adapter that converts its own row shapes into these types; nothing vendor-specific crosses it.
 */

/** A lead as stored: the record (with its hidden outcome), its score, and its enrichment if any. */
export interface ScoredLead {
  lead: Lead;
  score: number;
  tier: Tier;
  breakdown: BreakdownItem[];
  rulesVersion: string;
  /** `leadInputHash(lead)`: compared with the enrichment's to tell whether the narrative is stale. */
  inputHash: string;
  enrichment: Enrichment | null;
  enrichmentStatus: EnrichmentStatus;
}

/** One row of the lead table: only what the table shows, so list queries stay small. */
export interface LeadRow {
  id: string;
  name: string | null;
  email: string | null;
  jobTitle: string | null;
  company: string | null;
  industry: string | null;
  score: number;
  tier: Tier;
  /** Label of the rule that contributed most points, with its points. */
  topReason: { label: string; points: number } | null;
  enrichmentStatus: EnrichmentStatus;
  confidence: Confidence | null;
  /** Whether the grounding checks flagged the stored narrative; null without one. */
  grounding: GroundingStatus | null;
  /** The lead's values of the custom attributes the query asked for (`LeadQuery.attributes`), where it has them. */
  attributes: Record<string, AttributeValue>;
}

/**
 * Sorting is defined here so every store returns the same order:
 * - score: numeric; tier: HOT > WARM > COLD; enrichment: claude > mock > stale > none;
 * - name ("first last"), title, company, industry: lower-cased, compared by code point (SQL: COLLATE "C"),
 *   missing values last in both directions;
 * - ties: score descending, then id ascending, whatever the key and direction.
 */
export const SORT_KEYS = ['score', 'name', 'title', 'company', 'industry', 'tier', 'enrichment'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export interface LeadQuery {
  sort: SortKey;
  direction: SortDirection;
  tiers?: Tier[];
  industries?: string[];
  enrichment?: EnrichmentStatus[];
  confidence?: Confidence[];
  /** Leads whose narrative the grounding checks flagged, passed, or did not check (lib/enrichment/grounding.ts). */
  grounding?: GroundingStatus[];
  /** Case-insensitive substring of the full name, company name, email, id, or the value of a text attribute. */
  search?: string;
  /** Custom attributes whose values the rows should carry (for columns of the lead table). */
  attributes?: string[];
  /** 1-based. */
  page: number;
  pageSize: number;
}

export interface LeadPage {
  rows: LeadRow[];
  total: number;
  page: number;
  pageSize: number;
}

export interface StoreSummary {
  total: number;
  byTier: Record<Tier, number>;
  /** Leads with a current (not stale) enrichment, Claude or mock. */
  enriched: number;
  mock: number;
  stale: number;
  rulesVersion: string;
  /** The rules version the server is configured with (SCORING_RULES, or the built-in rules). */
  configuredRulesVersion: string;
  /**
   * Leads whose stored score was computed under another rules version than the configured one: the SQL
   * stores keep the scores they were written with until `npm run rescore`; the file store scores at load,
   * so it never has any.
   */
  outdatedScores: number;
  /** Distinct industries, for the filter. */
  industries: string[];
}

/**
 * A lead's whole record with its stored score and tier: what scoring a candidate rule set, or running a
 * model, beside the stored scores needs (lib/compare.ts, lib/drift.ts).
 */
export type ScoredRecord = Pick<ScoredLead, 'lead' | 'score' | 'tier'>;

/**
 * An earlier score of a lead, kept when a rules change changed its score or tier: what it scored under
 * rules it is no longer scored with, and until when (the rescore, or the file store's first load under
 * the new rules).
 */
export interface ScoreHistoryEntry {
  leadId: string;
  score: number;
  tier: Tier;
  rulesVersion: string;
  breakdown: BreakdownItem[];
  /** ISO timestamp. */
  until: string;
}

/** What the backtest and the Narratives section of /validate need, and nothing else: the outcome only travels this way. */
export interface OutcomeRow {
  id: string;
  score: number;
  tier: Tier;
  converted: boolean;
  /** The lead's narrative, as lib/narrative-quality.ts groups it: status, confidence label, grounding. */
  enrichmentStatus: EnrichmentStatus;
  confidence: Confidence | null;
  grounding: GroundingStatus | null;
}

/** Where leads live: `LEAD_STORE` and every command's `--store`. One adapter each (./index.ts). */
export const STORE_KINDS = ['file', 'postgres', 'supabase'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface LeadStore {
  readonly kind: StoreKind;
  listLeads(query: LeadQuery): Promise<LeadPage>;
  getLead(id: string): Promise<ScoredLead | null>;
  summary(): Promise<StoreSummary>;
  /** Leads with a known outcome. */
  outcomes(): Promise<OutcomeRow[]>;
  /** The whole records of the leads with a known outcome, in id order: the field profile reads every field against it. */
  leadsWithOutcome(): Promise<Lead[]>;
  /**
   * Every lead's whole record with its stored score and tier, in id order: what /validate scores a candidate
   * rule set and runs the drift check on. The same array comes back while the data is unchanged (the file
   * store: per version of the leads file; a database store: per read, kept a minute and forgotten at its
   * own upserts), so callers may memoise work on it.
   */
  scoredRecords(): Promise<readonly ScoredRecord[]>;
  /** Leads with a value per field and custom attribute: which rules read nothing (lib/rule-coverage.ts). */
  fieldCoverage(): Promise<FieldCoverage>;
  /** Inserts or replaces leads with their scores; idempotent on lead id, never touches enrichments. */
  upsertLeads(leads: Omit<ScoredLead, 'enrichment' | 'enrichmentStatus'>[]): Promise<void>;
  /** Every stored enrichment, keyed by lead id (the batch job uses it to skip leads already done). */
  enrichments(): Promise<Map<string, Enrichment>>;
  /** Sets the enrichment of existing leads; other fields and other leads' enrichments are untouched. */
  saveEnrichments(enrichments: Enrichment[]): Promise<void>;
  /**
   * Records an SDR's verdict on a lead's narrative (lib/enrichment/feedback.ts). One per lead, narrative
   * and author: another from the same author on the same narrative replaces it. Never touches a score,
   * a lead or an enrichment. NOT_FOUND for an unknown lead.
   */
  saveFeedback(feedback: NarrativeFeedback): Promise<void>;
  /** Feedback on one lead, or on every lead; ordered by lead id (code point), narrative time, author key. */
  feedback(leadId?: string): Promise<NarrativeFeedback[]>;
  /** A lead's earlier scores under other rules, newest first; empty for a lead without any (or an unknown one). */
  scoreHistory(leadId: string): Promise<ScoreHistoryEntry[]>;
  close?(): Promise<void>;
}

/** A lead's stored score as read for a rescore, and its score under the configured rules. */
export interface Rescore {
  previous: Omit<ScoredLead, 'enrichment' | 'enrichmentStatus'>;
  next: Omit<ScoredLead, 'enrichment' | 'enrichmentStatus'>;
}

/**
 * The SQL stores keep the scores they were written with, so a rules change needs `npm run rescore`
 * (lib/store/rescore.ts), which goes through these. The file store scores at load and has none of them.
 */
export interface RescorableStore extends LeadStore {
  readonly kind: 'postgres' | 'supabase';
  /** How many stored leads were scored under another rules version than `rulesVersion`. */
  countOutdated(rulesVersion: string): Promise<number>;
  /** Up to `limit` of those leads with an id after `after` (code point order), in id order. */
  outdatedLeads(rulesVersion: string, page: { after: string | null; limit: number }): Promise<Omit<ScoredLead, 'enrichment' | 'enrichmentStatus'>[]>;
  /** The date fields of every stored lead that recency's "as of the export" reads (lib/as-of.ts). */
  activityDates(): Promise<Pick<Lead, 'last_activity_at' | 'created_at'>[]>;
  /**
   * One transaction: each lead's new score, and its previous one as a history entry until `until` where
   * the score or tier changed. A lead another writer changed since it was read (its stored rules version
   * or input hash is no longer the one read) is left alone, so two runs never write one entry twice.
   */
  saveRescores(items: readonly Rescore[], until: string): Promise<{ rescored: number; history: number }>;
}
