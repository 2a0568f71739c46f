import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@/lib/default-rules';
import type { NarrativeFeedback } from '@/lib/enrichment/feedback';
import type { Confidence, Enrichment, EnrichmentStatus, GroundingStatus, NarrativeChecks } from '@/lib/enrichment/schema';
import { parseLead, toScorable, type Lead } from '@/lib/lead';
import { LEAD_FIELD_TABLE, type LeadFieldSpec } from '@/lib/lead-fields';
import { fieldCoverage } from '@/lib/rule-coverage';
import type { RuleSet } from '@/lib/rules';
import { rulesVersion, type BreakdownItem, type Tier } from '@/lib/scoring';
import { scoreForStore, type StoredScore } from '@/lib/store/scored-lead';
import { SORT_KEYS, type LeadQuery, type LeadRow, type LeadStore, type SortDirection, type SortKey } from '@/lib/store/types';
import { leadIdArbitrary, NOTORIOUS_IDS } from '../support/lead-ids';

/**
 * The behaviour every LeadStore must share, run against an empty store of each kind. Expected values
 * are worked out here from the documented semantics (lib/store/types.ts), independently of the
 * adapters' shared helpers, so a bug in those helpers fails this suite.
 *
 * Stores that score on their own (the file store re-scores its file) must be set up with
 * CONTRACT_RULES and CONTRACT_AS_OF, so their scores match the ones this suite upserts.
 */

export const CONTRACT_RULES = DEFAULT_RULES;
export const CONTRACT_AS_OF = '2026-11-01T00:00:00.000Z';

export interface StoreUnderTest {
  /** An empty store. */
  store: LeadStore;
  /** Another store instance over the same backing data, as a second process would open it. */
  reopen: () => Promise<LeadStore>;
  /**
   * The store as it is once the configured rules changed to `rules` at `at` and the store caught up: the
   * file store reopened under them (it scores at load), a SQL store rescored (`npm run rescore`).
   */
  changeRules: (rules: RuleSet, at: Date) => Promise<LeadStore>;
  cleanup: () => Promise<void>;
}

const FIXTURE_SIZE = 80;
const DAY_MS = 86_400_000;
const AS_OF_MS = Date.parse(CONTRACT_AS_OF);
const NOW = new Date(CONTRACT_AS_OF);

const FIRST_NAMES = ['Ada', 'ada', 'Grace', 'Alan', 'barbara', 'Zoe', undefined, 'Edsger', 'Ada'];
// Müller/Mustermann and Zürich/Zwick order differently by code point than by locale (ü comes after every ASCII letter).
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', undefined, 'liskov', 'Müller', 'Hopper', 'Mustermann', 'Dijkstra'];
const COMPANIES = ['Acme', 'acme', 'Globex Corp', 'Initech', undefined, 'Zürich Re', 'Stark Industries', 'Zwick GmbH', 'ACME Labs'];
const INDUSTRIES = ['Software', 'software', 'Fintech', 'Healthcare', undefined, 'Government', 'Retail'];
const TITLES = ['VP Sales', 'Chief Revenue Officer', 'SDR', undefined, 'Head of Growth', 'analyst', 'Director of Marketing', 'Founder & CEO'];
const SIZES = [12, 80, 250, 900, 5000, undefined];

const daysAgo = (days: number) => new Date(AS_OF_MS - days * DAY_MS).toISOString();

/** A deterministic spread of leads: every tier, missing names, companies, industries, emails and outcomes, case-only differences, ties. */
function fixtureLeads(): Lead[] {
  return Array.from({ length: FIXTURE_SIZE }, (_, i) => {
    const first = i % 11 === 10 ? undefined : FIRST_NAMES[(i + Math.floor(i / 9)) % FIRST_NAMES.length];
    const last = i % 11 === 10 ? undefined : LAST_NAMES[(i * 4) % LAST_NAMES.length];
    const company = COMPANIES[(i * 5) % COMPANIES.length];
    const raw: Record<string, unknown> = {
      // Mixed-case prefixes make code-point order (uppercase first) differ from locale order.
      id: i % 6 === 0 ? `Lead-${String(i).padStart(3, '0')}` : `lead-${String(i).padStart(3, '0')}`,
      created_at: daysAgo(60 + i),
      first_name: first,
      last_name: last,
      email: i % 9 === 4 ? undefined : `${(first ?? 'x').toLowerCase()}.${i}@${(company ?? 'example').replace(/\W+/g, '').toLowerCase()}.com`,
      job_title: TITLES[(i * 7) % TITLES.length],
      company_name: company,
      industry: INDUSTRIES[(i * 3 + 1) % INDUSTRIES.length],
      employee_count: SIZES[i % SIZES.length],
      country: i % 2 === 0 ? 'United States' : 'Germany',
      company_description: i % 4 === 0 ? `${company ?? 'A company'} sells tooling to revenue teams.` : undefined,
      lead_source: i % 3 === 0 ? 'Webinar' : 'Inbound',
      email_opens_30d: (i * 13) % 30,
      email_clicks_30d: (i * 7) % 9,
      page_views_30d: (i * 11) % 25,
      pricing_page_views_30d: i % 5,
      content_downloads_30d: i % 4,
      webinar_attended: i % 3 === 0,
      demo_requested: i % 4 === 0 ? true : i % 4 === 1 ? false : undefined,
      last_activity_at: i % 13 === 12 ? undefined : daysAgo((i * 5) % 45),
      converted: i % 3 === 0 ? true : i % 3 === 1 ? false : undefined,
      attributes: i % 10 === 3 ? { plan: i % 20 === 3 ? 'Pro Annual' : 'Starter', region: `Zone ${i}`, seats: 5 + i, trial: i % 20 === 3 } : undefined,
    };
    return parseLead(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  });
}

const score = (lead: Lead): StoredScore => scoreForStore(lead, { rules: CONTRACT_RULES, now: NOW });

/** CONTRACT_RULES with software worth 5 points instead of 15: software leads score 10 less, the others the same. */
export function contractRulesB(): RuleSet {
  const rules = structuredClone(CONTRACT_RULES);
  const industry = rules.rules.find((r) => r.id === 'industry_fit');
  if (industry?.kind !== 'category_map') throw new Error('CONTRACT_RULES has no category_map rule industry_fit');
  industry.points = { ...industry.points, software: 5 };
  return { ...rules, name: 'Contract rules B' };
}

function enrichmentFor(scored: StoredScore, overrides: Partial<Enrichment> = {}): Enrichment {
  return {
    lead_id: scored.lead.id,
    fit_narrative: `${scored.lead.company_name ?? 'This company'} looks like a fit.`,
    recommended_action: 'Book a discovery call this week.',
    confidence: 'high',
    source: 'mock',
    model: 'mock-enricher',
    prompt_version: 'contract-v1',
    input_hash: scored.inputHash,
    rules_version: scored.rulesVersion,
    score: scored.score,
    usage: { input_tokens: 900, output_tokens: 80, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    cost_usd: 0,
    latency_ms: 3,
    enriched_at: '2026-11-01T09:00:00.000Z',
    ...overrides,
  };
}

const FLAGGED: NarrativeChecks = {
  version: 'grounding-v1',
  findings: [{ check: 'invented_tool', field: 'fit_narrative', text: 'Salesforce', detail: 'The record does not mention Salesforce.' }],
};
const CLEAN: NarrativeChecks = { version: 'grounding-v1', findings: [] };

/**
 * Which leads the listing tests enrich, and how: a fixed plan, so expected statuses need no store.
 * Grounding: every third Claude narrative flagged, the others clean, the stale ones stored unchecked.
 */
function plannedEnrichment(index: number, scored: StoredScore): Enrichment | null {
  switch (index % 5) {
    case 0:
      return enrichmentFor(scored, { source: 'claude', model: 'claude-sonnet-5-5', confidence: 'high', checks: index % 3 === 0 ? FLAGGED : CLEAN });
    case 1:
      return enrichmentFor(scored, { source: 'mock', confidence: 'medium', checks: CLEAN });
    case 2:
      // Written against an earlier version of the lead: stale.
      return enrichmentFor(scored, { source: 'claude', model: 'claude-sonnet-5-5', confidence: 'low', input_hash: 'h_earlier_input' });
    default:
      return null;
  }
}

/** What a table row must show, derived from the lead and the plan without the store's helpers. */
interface Expected {
  id: string;
  name: string | null;
  email: string | null;
  title: string | null;
  company: string | null;
  industry: string | null;
  score: number;
  tier: Tier;
  status: EnrichmentStatus;
  confidence: Confidence | null;
  grounding: GroundingStatus | null;
  topReason: { label: string; points: number } | null;
  /** The lead's text attribute values, as search sees them. */
  texts: string[];
}

function expectedTopReason(breakdown: readonly BreakdownItem[]): Expected['topReason'] {
  const best = breakdown.reduce<BreakdownItem | null>((top, item) => (item.points > (top?.points ?? 0) ? item : top), null);
  return best ? { label: best.label, points: best.points } : null;
}

function expectedRow(scored: StoredScore, enrichment: Enrichment | null): Expected {
  const { lead } = scored;
  const names = [lead.first_name, lead.last_name].filter((n) => n !== undefined);
  const current = enrichment && enrichment.input_hash === scored.inputHash && enrichment.rules_version === scored.rulesVersion;
  return {
    id: lead.id,
    name: names.length ? names.join(' ') : null,
    email: lead.email ?? null,
    title: lead.job_title ?? null,
    company: lead.company_name ?? null,
    industry: lead.industry ?? null,
    score: scored.score,
    tier: scored.tier,
    status: !enrichment ? 'none' : current ? enrichment.source : 'stale',
    confidence: enrichment?.confidence ?? null,
    grounding: !enrichment ? null : !enrichment.checks ? 'unchecked' : enrichment.checks.findings.length ? 'flagged' : 'clean',
    topReason: expectedTopReason(scored.breakdown),
    texts: Object.values(lead.attributes ?? {}).filter((v): v is string => typeof v === 'string'),
  };
}

/** Code-point order, written independently of the stores' comparator (compare arrays of code points). */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const TIER_VALUE: Record<Tier, number> = { HOT: 3, WARM: 2, COLD: 1 };
const STATUS_VALUE: Record<EnrichmentStatus, number> = { claude: 4, mock: 3, stale: 2, none: 1 };

function primaryValue(e: Expected, key: SortKey): number | string | null {
  switch (key) {
    case 'score':
      return e.score;
    case 'tier':
      return TIER_VALUE[e.tier];
    case 'enrichment':
      return STATUS_VALUE[e.status];
    case 'name':
      return e.name?.toLowerCase() ?? null;
    case 'title':
      return e.title?.toLowerCase() ?? null;
    case 'company':
      return e.company?.toLowerCase() ?? null;
    case 'industry':
      return e.industry?.toLowerCase() ?? null;
  }
}

/** The documented order: key in the given direction, missing text last either way, then score desc, then id asc. */
function expectedOrder(items: readonly Expected[], key: SortKey, direction: SortDirection): string[] {
  return [...items]
    .sort((a, b) => {
      const x = primaryValue(a, key);
      const y = primaryValue(b, key);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
      } else if (x !== y) {
        const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : byCodePoint(String(x), String(y));
        return direction === 'asc' ? cmp : -cmp;
      }
      return b.score - a.score || byCodePoint(a.id, b.id);
    })
    .map((e) => e.id);
}

function toExpectedShape(row: LeadRow): Expected {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    title: row.jobTitle,
    company: row.company,
    industry: row.industry,
    score: row.score,
    tier: row.tier,
    status: row.enrichmentStatus,
    confidence: row.confidence,
    grounding: row.grounding,
    topReason: row.topReason,
    texts: [],
  };
}

const ALL: Omit<LeadQuery, 'sort' | 'direction'> = { page: 1, pageSize: 1000 };

function feedbackFor(enrichment: Enrichment, overrides: Partial<NarrativeFeedback> = {}): NarrativeFeedback {
  return {
    lead_id: enrichment.lead_id,
    verdict: 'helpful',
    reason: null,
    author: { key: 'user-1', email: 'sdr@example.com', name: 'Sam SDR' },
    narrative: {
      source: enrichment.source,
      model: enrichment.model,
      prompt_version: enrichment.prompt_version,
      enriched_at: enrichment.enriched_at,
      confidence: enrichment.confidence,
      flagged: (enrichment.checks?.findings.length ?? 0) > 0,
    },
    given_at: '2026-11-03T10:00:00.000Z',
    ...overrides,
  };
}
const ids = (rows: readonly LeadRow[]) => rows.map((r) => r.id);
const byId = <T extends { id: string }>(a: T, b: T) => byCodePoint(a.id, b.id);

export function describeStoreContract(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`LeadStore contract: ${name}`, () => {
    let sut: StoreUnderTest;
    let store: LeadStore;
    let leads: Lead[];
    let scored: StoredScore[];

    beforeEach(async () => {
      sut = await setup();
      store = sut.store;
      leads = fixtureLeads();
      scored = leads.map(score);
      await store.upsertLeads(scored);
    });

    afterEach(async () => {
      await store.close?.();
      await sut.cleanup();
    });

    it('uses a fixture that covers every tier, missing values and outcomes', () => {
      const tiers = new Set(scored.map((s) => s.tier));
      expect([...tiers].sort()).toEqual(['COLD', 'HOT', 'WARM']);
      expect(leads.some((l) => !l.first_name && !l.last_name)).toBe(true);
      expect(leads.some((l) => !l.industry) && leads.some((l) => !l.company_name) && leads.some((l) => !l.email)).toBe(true);
      expect(new Set(leads.map((l) => l.converted)).size).toBe(3);
    });

    it('hands back every lead with its record, stored score and tier, in id order, the same array until the data changes', async () => {
      const records = await store.scoredRecords();
      const want = scored.map((s) => ({ lead: s.lead, score: s.score, tier: s.tier })).sort((a, b) => byCodePoint(a.lead.id, b.lead.id));
      expect(records.map(({ lead, score, tier }) => ({ lead, score, tier }))).toEqual(want);
      expect(records.some((r) => r.lead.converted === undefined) && records.some((r) => r.lead.attributes !== undefined)).toBe(true);
      // Callers memoise on it: the same array while nothing changed.
      expect(await store.scoredRecords()).toBe(records);
      // An upsert shows up at once (a database store forgets its cached read; the file store reloads the file).
      const added = score(parseLead({ id: 'zz-added', first_name: 'Added', converted: true }));
      await store.upsertLeads([added]);
      const after = await store.scoredRecords();
      expect(after).toHaveLength(records.length + 1);
      const last = after.at(-1)!;
      expect({ lead: last.lead, score: last.score, tier: last.tier }).toEqual({ lead: added.lead, score: added.score, tier: added.tier });
    });

    it('returns each lead as upserted, with its score and no enrichment', async () => {
      for (const s of scored) {
        const got = await store.getLead(s.lead.id);
        expect(got).toEqual({ ...s, enrichment: null, enrichmentStatus: 'none' });
      }
      expect(await store.getLead('no-such-lead')).toBeNull();
      expect(await store.enrichments()).toEqual(new Map());
    });

    it('is idempotent on upsert: the same leads twice change nothing', async () => {
      const before = await store.listLeads({ ...ALL, sort: 'score', direction: 'desc' });
      await store.upsertLeads(scored);
      const after = await store.listLeads({ ...ALL, sort: 'score', direction: 'desc' });
      expect(after).toEqual(before);
      expect(after.total).toBe(FIXTURE_SIZE);
      expect((await store.summary()).total).toBe(FIXTURE_SIZE);
    });

    it('replaces a changed lead and its score, and inserts a new one', async () => {
      const original = scored[7]!;
      const changed = score({ ...original.lead, demo_requested: true, pricing_page_views_30d: 9, company_name: 'Renamed Inc' });
      expect(changed.score).not.toBe(original.score);
      const added = score(parseLead({ id: 'lead-new', first_name: 'New', company_name: 'Newco' }));
      await store.upsertLeads([changed, added]);

      expect(await store.getLead(original.lead.id)).toEqual({ ...changed, enrichment: null, enrichmentStatus: 'none' });
      expect(await store.getLead('lead-new')).toEqual({ ...added, enrichment: null, enrichmentStatus: 'none' });
      expect((await store.summary()).total).toBe(FIXTURE_SIZE + 1);
      const page = await store.listLeads({ ...ALL, sort: 'score', direction: 'desc', search: 'renamed' });
      expect(ids(page.rows)).toEqual([original.lead.id]);
    });

    it('finds a lead by each text field the lead-field table marks searchable, and by no other', async () => {
      const textFields = (Object.entries(LEAD_FIELD_TABLE) as [string, LeadFieldSpec][]).filter(([, spec]) => ['id', 'text', 'label', 'long_text', 'email', 'domain'].includes(spec.type));
      // One lead per field, holding a marker no fixture lead has, in that field alone.
      const marked = textFields.map(([field, spec], i) => {
        const marker = `qzx${i}mark`;
        const value = spec.type === 'email' ? `${marker}@example.com` : spec.type === 'id' ? `lead-${marker}` : marker;
        return { field, searchable: spec.searchable === true, marker, lead: score(parseLead({ id: `lead-field-${i}`, [field]: value })) };
      });
      await store.upsertLeads(marked.map((m) => m.lead));
      for (const { field, searchable, marker, lead } of marked) {
        const found = ids((await store.listLeads({ ...ALL, sort: 'score', direction: 'desc', search: marker.toUpperCase() })).rows);
        expect(found, field).toEqual(searchable ? [lead.lead.id] : []);
      }
    });

    it('saves enrichments partially: other leads, other enrichments and lead fields are untouched', async () => {
      const [a, b, c] = [scored[1]!, scored[2]!, scored[3]!];
      const ea = enrichmentFor(a, { source: 'claude', model: 'claude-sonnet-5-5', confidence: 'high' });
      const eb = enrichmentFor(b, { confidence: 'low' });
      await store.saveEnrichments([ea]);
      await store.saveEnrichments([eb]);

      expect(await store.getLead(a.lead.id)).toEqual({ ...a, enrichment: ea, enrichmentStatus: 'claude' });
      expect(await store.getLead(b.lead.id)).toEqual({ ...b, enrichment: eb, enrichmentStatus: 'mock' });
      expect(await store.getLead(c.lead.id)).toEqual({ ...c, enrichment: null, enrichmentStatus: 'none' });
      expect(await store.enrichments()).toEqual(new Map([[a.lead.id, ea], [b.lead.id, eb]]));

      // Re-importing the same leads keeps the narratives, and they stay current.
      await store.upsertLeads(scored);
      expect(await store.getLead(a.lead.id)).toEqual({ ...a, enrichment: ea, enrichmentStatus: 'claude' });
      expect((await store.enrichments()).size).toBe(2);
    });

    it('keeps an unknown cost as unknown (null), not as zero', async () => {
      const target = scored[6]!;
      const enrichment = enrichmentFor(target, { source: 'claude', model: 'claude-imaginary-9', cost_usd: null });
      await store.saveEnrichments([enrichment]);
      expect((await store.getLead(target.lead.id))?.enrichment?.cost_usd).toBeNull();
      expect((await store.enrichments()).get(target.lead.id)?.cost_usd).toBeNull();
    });

    it('marks an enrichment stale when the lead it was written for changes', async () => {
      const target = scored[4]!;
      const enrichment = enrichmentFor(target);
      await store.saveEnrichments([enrichment]);
      expect((await store.getLead(target.lead.id))?.enrichmentStatus).toBe('mock');

      const edited = score({ ...target.lead, job_title: 'Chief Executive Officer' });
      await store.upsertLeads([edited]);
      const got = await store.getLead(target.lead.id);
      expect(got?.enrichment).toEqual(enrichment);
      expect(got?.enrichmentStatus).toBe('stale');
      expect(got?.inputHash).toBe(edited.inputHash);
      const summary = await store.summary();
      expect([summary.stale, summary.enriched, summary.mock]).toEqual([1, 0, 0]);
    });

    it('keeps the grounding findings with the narrative, and the next narrative replaces them', async () => {
      const target = scored[5]!;
      const flagged = enrichmentFor(target, { source: 'claude', model: 'claude-sonnet-5-5', checks: FLAGGED });
      await store.saveEnrichments([flagged]);
      expect((await store.getLead(target.lead.id))?.enrichment).toEqual(flagged);
      expect((await store.enrichments()).get(target.lead.id)).toEqual(flagged);
      const row = (await store.listLeads({ ...ALL, sort: 'score', direction: 'desc', grounding: ['flagged'] })).rows;
      expect(row.map((r) => [r.id, r.grounding])).toEqual([[target.lead.id, 'flagged']]);

      // A later narrative without checks (say, from an older client) leaves none behind.
      const unchecked = enrichmentFor(target, { source: 'claude', model: 'claude-sonnet-5-5', enriched_at: '2026-11-02T09:00:00.000Z' });
      await store.saveEnrichments([unchecked]);
      expect((await store.getLead(target.lead.id))?.enrichment).toEqual(unchecked);
      expect((await store.listLeads({ ...ALL, sort: 'score', direction: 'desc', grounding: ['unchecked'] })).rows.map((r) => r.id)).toEqual([target.lead.id]);
      expect((await store.listLeads({ ...ALL, sort: 'score', direction: 'desc', grounding: ['flagged'] })).total).toBe(0);
    });

    it('rejects grounding findings that do not fit the schema, naming the lead and field', async () => {
      const target = scored[5]!;
      const bad = { ...enrichmentFor(target), checks: { version: 'grounding-v1', findings: [{ check: 'vibes', field: 'fit_narrative', text: 'x', detail: 'y' }] } };
      await expect(store.saveEnrichments([bad as unknown as Enrichment])).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(new RegExp(`${target.lead.id}.*checks\\.findings\\.0\\.check`, 's')),
      });
      expect(await store.enrichments()).toEqual(new Map());
    });

    describe('feedback', () => {
      it('keeps one verdict per lead, narrative and author; reads them back in order, per lead or all', async () => {
        const [a, b] = [scored[10]!, scored[11]!];
        const ea = enrichmentFor(a, { source: 'claude', model: 'claude-sonnet-5-5', checks: FLAGGED });
        const eb = enrichmentFor(b);
        await store.saveEnrichments([ea, eb]);

        const first = feedbackFor(ea, { verdict: 'wrong', reason: 'They do not use Salesforce.' });
        await store.saveFeedback(first);
        // The same author changes their mind: the verdict is replaced, not added.
        const changed = { ...first, verdict: 'helpful' as const, reason: null, given_at: '2026-11-03T11:00:00.000Z' };
        await store.saveFeedback(changed);
        const other = feedbackFor(ea, { author: { key: 'user-2', email: null, name: null }, verdict: 'wrong', reason: 'Wrong tier.' });
        await store.saveFeedback(other);
        const onB = feedbackFor(eb, { author: { key: 'local', email: null, name: null } });
        await store.saveFeedback(onB);

        expect(await store.feedback(a.lead.id)).toEqual([changed, other]);
        expect(await store.feedback(b.lead.id)).toEqual([onB]);
        expect(await store.feedback('no-such-lead')).toEqual([]);
        const all = await store.feedback();
        expect(all).toEqual([changed, other, onB].sort((x, y) => byCodePoint(x.lead_id, y.lead_id)));
        expect((await sut.reopen().then(async (s) => [await s.feedback(), await s.close?.()]))[0]).toEqual(all);
      });

      it('keeps feedback on an earlier narrative when the lead gets a new one', async () => {
        const target = scored[12]!;
        const before = enrichmentFor(target, { source: 'claude', model: 'claude-sonnet-5-5' });
        await store.saveEnrichments([before]);
        await store.saveFeedback(feedbackFor(before, { verdict: 'wrong' }));
        const after = enrichmentFor(target, { source: 'claude', model: 'claude-sonnet-5-5', enriched_at: '2026-11-05T09:00:00.000Z' });
        await store.saveEnrichments([after]);
        await store.saveFeedback(feedbackFor(after));
        const got = await store.feedback(target.lead.id);
        expect(got.map((f) => [f.narrative.enriched_at, f.verdict])).toEqual([
          [before.enriched_at, 'wrong'],
          [after.enriched_at, 'helpful'],
        ]);
      });

      it('never changes a score, a lead or an enrichment', async () => {
        const target = scored[13]!;
        const enrichment = enrichmentFor(target, { source: 'claude', model: 'claude-sonnet-5-5' });
        await store.saveEnrichments([enrichment]);
        const lead = await store.getLead(target.lead.id);
        const page = await store.listLeads({ ...ALL, sort: 'score', direction: 'desc' });
        const outcomes = await store.outcomes();
        await store.saveFeedback(feedbackFor(enrichment, { verdict: 'wrong', reason: 'Score is too low.' }));
        expect(await store.getLead(target.lead.id)).toEqual(lead);
        expect(await store.listLeads({ ...ALL, sort: 'score', direction: 'desc' })).toEqual(page);
        expect(await store.outcomes()).toEqual(outcomes);
        expect(await store.enrichments()).toEqual(new Map([[target.lead.id, enrichment]]));
      });

      it('rejects feedback for an unknown lead (NOT_FOUND) and bad feedback (INVALID_INPUT naming the field), saving nothing', async () => {
        const enrichment = enrichmentFor(scored[14]!);
        await store.saveEnrichments([enrichment]);
        await expect(store.saveFeedback(feedbackFor(enrichment, { lead_id: 'no-such-lead' }))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no-such-lead') });
        await expect(store.saveFeedback({ ...feedbackFor(enrichment), verdict: 'meh' } as unknown as NarrativeFeedback)).rejects.toMatchObject({
          code: 'INVALID_INPUT',
          message: expect.stringMatching(new RegExp(`${scored[14]!.lead.id}.*verdict`, 's')),
        });
        await expect(store.saveFeedback(feedbackFor(enrichment, { reason: 'x'.repeat(501) }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('reason') });
        expect(await store.feedback()).toEqual([]);
      });

      it('keeps every verdict when two store instances save feedback at the same time', async () => {
        const enrichments = scored.slice(20, 40).map((s) => enrichmentFor(s));
        await store.saveEnrichments(enrichments);
        const other = await sut.reopen();
        try {
          const mine = enrichments.map((e) => feedbackFor(e, { author: { key: 'user-a', email: null, name: null } }));
          const theirs = enrichments.map((e) => feedbackFor(e, { author: { key: 'user-b', email: null, name: null }, verdict: 'wrong' }));
          await Promise.all([...mine.map((f) => store.saveFeedback(f)), ...theirs.map((f) => other.saveFeedback(f))]);
          const all = await store.feedback();
          expect(all).toHaveLength(40);
          expect(all.filter((f) => f.verdict === 'wrong')).toHaveLength(20);
        } finally {
          await other.close?.();
        }
      });
    });

    it('rejects enrichments for unknown leads, saving none of the batch', async () => {
      const known = enrichmentFor(scored[0]!);
      const unknown = { ...enrichmentFor(scored[1]!), lead_id: 'no-such-lead' };
      await expect(store.saveEnrichments([known, unknown])).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no-such-lead') });
      expect(await store.enrichments()).toEqual(new Map());
    });

    describe('listing', () => {
      let expected: Expected[];

      beforeEach(async () => {
        const planned = scored.map((s, i) => plannedEnrichment(i, s));
        await store.saveEnrichments(planned.filter((e): e is Enrichment => e !== null));
        expected = scored.map((s, i) => expectedRow(s, planned[i]!));
      });

      it('shows every lead as a row with its name, fields, top reason, status and confidence', async () => {
        const page = await store.listLeads({ ...ALL, sort: 'score', direction: 'desc' });
        expect(page.rows.map(toExpectedShape).sort(byId)).toEqual(expected.map((e) => ({ ...e, texts: [] })).sort(byId));
        expect(page.rows.every((row) => Object.keys(row.attributes).length === 0)).toBe(true);
        expect(new Set(expected.map((e) => e.status))).toEqual(new Set(['claude', 'mock', 'stale', 'none']));
        expect(new Set(expected.map((e) => e.grounding))).toEqual(new Set(['flagged', 'clean', 'unchecked', null]));
      });

      for (const key of SORT_KEYS) {
        for (const direction of ['asc', 'desc'] as const) {
          it(`sorts by ${key} ${direction} as documented`, async () => {
            const page = await store.listLeads({ ...ALL, sort: key, direction });
            expect(ids(page.rows)).toEqual(expectedOrder(expected, key, direction));
          });
        }
      }

      const filters: { name: string; query: Partial<LeadQuery>; keep: (e: Expected) => boolean }[] = [
        { name: 'one tier', query: { tiers: ['HOT'] }, keep: (e) => e.tier === 'HOT' },
        { name: 'two tiers', query: { tiers: ['HOT', 'WARM'] }, keep: (e) => e.tier !== 'COLD' },
        { name: 'industry, exact (not case-folded)', query: { industries: ['Software'] }, keep: (e) => e.industry === 'Software' },
        { name: 'two industries', query: { industries: ['software', 'Fintech'] }, keep: (e) => e.industry === 'software' || e.industry === 'Fintech' },
        { name: 'enrichment none', query: { enrichment: ['none'] }, keep: (e) => e.status === 'none' },
        { name: 'enrichment stale or mock', query: { enrichment: ['stale', 'mock'] }, keep: (e) => e.status === 'stale' || e.status === 'mock' },
        { name: 'confidence high', query: { confidence: ['high'] }, keep: (e) => e.confidence === 'high' },
        { name: 'confidence low or medium', query: { confidence: ['low', 'medium'] }, keep: (e) => e.confidence === 'low' || e.confidence === 'medium' },
        { name: 'grounding flagged', query: { grounding: ['flagged'] }, keep: (e) => e.grounding === 'flagged' },
        { name: 'grounding clean or unchecked', query: { grounding: ['clean', 'unchecked'] }, keep: (e) => e.grounding === 'clean' || e.grounding === 'unchecked' },
        { name: 'grounding flagged in one tier', query: { grounding: ['flagged', 'clean'], tiers: ['COLD'] }, keep: (e) => e.tier === 'COLD' && (e.grounding === 'flagged' || e.grounding === 'clean') },
        { name: 'search a name, any case', query: { search: 'ADA LOVE' }, keep: (e) => e.name?.toLowerCase().includes('ada love') ?? false },
        { name: 'search a company', query: { search: 'globex' }, keep: (e) => e.company?.toLowerCase().includes('globex') ?? false },
        { name: 'search an email', query: { search: '.17@' }, keep: (e) => e.email?.includes('.17@') ?? false },
        {
          name: 'search across name, company and email',
          query: { search: 'acme' },
          keep: (e) => [e.name, e.company, e.email].some((v) => v?.toLowerCase().includes('acme')),
        },
        { name: 'search an id, any case', query: { search: 'LEAD-01' }, keep: (e) => e.id.toLowerCase().includes('lead-01') },
        { name: 'search a text attribute', query: { search: 'pro ann' }, keep: (e) => e.texts.some((t) => t.toLowerCase().includes('pro ann')) },
        { name: 'search another text attribute, not a number one', query: { search: 'zone 1' }, keep: (e) => e.texts.some((t) => t.toLowerCase().includes('zone 1')) },
        {
          name: 'filters combined',
          query: { tiers: ['WARM', 'COLD'], enrichment: ['none', 'claude'], search: 'a' },
          keep: (e) => e.tier !== 'HOT' && (e.status === 'none' || e.status === 'claude') && [e.name, e.company, e.email, e.id, ...e.texts].some((v) => v?.toLowerCase().includes('a')),
        },
      ];
      for (const filter of filters) {
        it(`filters: ${filter.name}`, async () => {
          const want = expectedOrder(expected.filter(filter.keep), 'score', 'desc');
          expect(want.length).toBeGreaterThan(0);
          expect(want.length).toBeLessThan(FIXTURE_SIZE);
          const page = await store.listLeads({ ...ALL, sort: 'score', direction: 'desc', ...filter.query });
          expect(ids(page.rows)).toEqual(want);
          expect(page.total).toBe(want.length);
        });
      }

      it('gives each row the values of the attributes asked for, where the lead has them', async () => {
        const page = await store.listLeads({ ...ALL, sort: 'score', direction: 'desc', attributes: ['plan', 'seats', 'no_such'] });
        const lead = (id: string) => scored.find((s) => s.lead.id === id)!.lead;
        for (const row of page.rows) {
          const attributes = lead(row.id).attributes;
          expect(row.attributes).toEqual(attributes ? { plan: attributes.plan, seats: attributes.seats } : {});
        }
        expect(page.rows.filter((r) => Object.keys(r.attributes).length > 0)).toHaveLength(8);
      });

      it('answers a search with no match with an empty page and a total of 0', async () => {
        const page = await store.listLeads({ sort: 'name', direction: 'asc', search: 'zzz-no-such-lead', page: 1, pageSize: 25 });
        expect(page).toEqual({ rows: [], total: 0, page: 1, pageSize: 25 });
      });

      it('paginates: every lead exactly once across pages, in order, with the full total', async () => {
        const want = expectedOrder(expected, 'company', 'desc');
        const seen: string[] = [];
        for (let page = 1; ; page++) {
          const result = await store.listLeads({ sort: 'company', direction: 'desc', page, pageSize: 7 });
          expect(result.total).toBe(FIXTURE_SIZE);
          expect([result.page, result.pageSize]).toEqual([page, 7]);
          if (result.rows.length === 0) break;
          seen.push(...ids(result.rows));
        }
        expect(seen).toEqual(want);
        const beyond = await store.listLeads({ sort: 'score', direction: 'desc', page: 99, pageSize: 10 });
        expect(beyond).toEqual({ rows: [], total: FIXTURE_SIZE, page: 99, pageSize: 10 });
      });

      it('paginates a filtered list with the filtered total', async () => {
        const want = expectedOrder(expected.filter((e) => e.tier === 'COLD'), 'name', 'asc');
        const first = await store.listLeads({ sort: 'name', direction: 'asc', tiers: ['COLD'], page: 1, pageSize: 5 });
        const second = await store.listLeads({ sort: 'name', direction: 'asc', tiers: ['COLD'], page: 2, pageSize: 5 });
        expect([...ids(first.rows), ...ids(second.rows)]).toEqual(want.slice(0, 10));
        expect([first.total, second.total]).toEqual([want.length, want.length]);
      });

      it('summarises tiers, enrichment coverage, rules version and industries', async () => {
        const summary = await store.summary();
        const count = (keep: (e: Expected) => boolean) => expected.filter(keep).length;
        expect(summary).toMatchObject({
          total: FIXTURE_SIZE,
          byTier: { HOT: count((e) => e.tier === 'HOT'), WARM: count((e) => e.tier === 'WARM'), COLD: count((e) => e.tier === 'COLD') },
          enriched: count((e) => e.status === 'claude' || e.status === 'mock'),
          mock: count((e) => e.status === 'mock'),
          stale: count((e) => e.status === 'stale'),
          rulesVersion: rulesVersion(CONTRACT_RULES),
        });
        const industries = new Set(expected.flatMap((e) => (e.industry === null ? [] : [e.industry])));
        expect(new Set(summary.industries)).toEqual(industries);
        expect(summary.industries).toHaveLength(industries.size);
        const folded = summary.industries.map((i) => i.toLowerCase());
        expect(folded).toEqual([...folded].sort(byCodePoint));
      });

      it('counts the leads that have each field and custom attribute, never the outcome', async () => {
        const coverage = await store.fieldCoverage();
        expect(coverage).toEqual(fieldCoverage(leads.map(toScorable)));
        expect(coverage.total).toBe(FIXTURE_SIZE);
        expect(Object.keys(coverage.present)).not.toContain('converted');
        expect(Object.keys(coverage.present).some((f) => f.startsWith('attributes.'))).toBe(true);
        expect(coverage.present.industry).toBe(leads.filter((l) => l.industry !== undefined).length);
      });

      it('reports outcomes only for leads whose outcome is known', async () => {
        const outcomes = await store.outcomes();
        const want = scored
          .filter((s) => s.lead.converted !== undefined)
          .map((s) => {
            const e = expected.find((x) => x.id === s.lead.id)!;
            return { id: s.lead.id, score: s.score, tier: s.tier, converted: s.lead.converted, enrichmentStatus: e.status, confidence: e.confidence, grounding: e.grounding };
          });
        expect([...outcomes].sort(byId)).toEqual(want.sort(byId));
        expect(new Set(outcomes.map((o) => o.grounding))).toEqual(new Set(['flagged', 'clean', 'unchecked', null]));
        expect(outcomes.length).toBeLessThan(FIXTURE_SIZE);
      });

      it('hands back the whole records of the leads with a known outcome, in id order', async () => {
        const records = await store.leadsWithOutcome();
        const want = leads.filter((l) => l.converted !== undefined).sort(byId);
        expect(records).toEqual(want);
        expect(records.some((l) => l.attributes !== undefined)).toBe(true);
      });
    });

    describe('score history', () => {
      const RULES_B = contractRulesB();
      const AT_B = new Date('2026-12-01T00:00:00.000Z');
      const AT_A = new Date('2026-12-15T12:00:00.000Z');
      const entryOf = (s: StoredScore, until: Date) => ({ leadId: s.lead.id, score: s.score, tier: s.tier, rulesVersion: s.rulesVersion, breakdown: s.breakdown, until: until.toISOString() });

      // Each starts from the dashboard shown under CONTRACT_RULES (the file store scores, and records its rules, at load).
      beforeEach(async () => {
        await store.summary();
      });

      it('keeps the previous score, tier, rules and breakdown of each lead a rules change changed, until the change; none for the others', async () => {
        const after = await sut.changeRules(RULES_B, AT_B);
        const next = leads.map((lead) => scoreForStore(lead, { rules: RULES_B, now: NOW }));
        const changed = scored.filter((s, i) => s.score !== next[i]!.score || s.tier !== next[i]!.tier);
        expect(changed.length).toBeGreaterThan(0);
        expect(changed.length).toBeLessThan(scored.length);
        for (const [i, s] of scored.entries()) {
          const got = await after.getLead(s.lead.id);
          expect(got).toMatchObject({ score: next[i]!.score, tier: next[i]!.tier, rulesVersion: rulesVersion(RULES_B), breakdown: next[i]!.breakdown });
          expect(await after.scoreHistory(s.lead.id)).toEqual(changed.includes(s) ? [entryOf(s, AT_B)] : []);
        }
        expect(await after.summary()).toMatchObject({ rulesVersion: rulesVersion(RULES_B), configuredRulesVersion: rulesVersion(RULES_B), outdatedScores: 0 });
        expect(await after.scoreHistory('no-such-lead')).toEqual([]);
        await after.close?.();
      });

      it('adds nothing when the same rules are applied again, and the newest entry first when they change back', async () => {
        const afterB = await sut.changeRules(RULES_B, AT_B);
        await afterB.close?.();
        const again = await sut.changeRules(RULES_B, new Date('2026-12-05T00:00:00.000Z'));
        await again.close?.();
        const backToA = await sut.changeRules(CONTRACT_RULES, AT_A);
        const software = scored.find((s) => s.lead.industry?.toLowerCase() === 'software')!;
        const underB = scoreForStore(software.lead, { rules: RULES_B, now: NOW });
        expect(await backToA.scoreHistory(software.lead.id)).toEqual([entryOf(underB, AT_A), entryOf(software, AT_B)]);
        expect((await backToA.getLead(software.lead.id))?.score).toBe(software.score);
        await backToA.close?.();
      });

      it('makes the narratives of rescored leads stale, as any score change does', async () => {
        await store.saveEnrichments(scored.map((s) => enrichmentFor(s)));
        const after = await sut.changeRules(RULES_B, AT_B);
        for (const s of scored.slice(0, 10)) expect((await after.getLead(s.lead.id))?.enrichmentStatus).toBe('stale');
        expect((await after.summary()).stale).toBe(scored.length);
        await after.close?.();
      });
    });

    it('stores, finds and enriches leads by ids of any text, each exactly, also as another process reads them (property)', async () => {
      const other = await sut.reopen();
      let run = 0;
      const check = async (oddIds: string[]) => {
        run++;
        const odd = oddIds.map((id) => score(parseLead({ id, first_name: 'Odd', company_name: `Run ${run}` })));
        await store.upsertLeads(odd);
        const written = odd.map((s) => enrichmentFor(s, { fit_narrative: `For ${JSON.stringify(s.lead.id)}.`, enriched_at: new Date(AS_OF_MS + run * 1000).toISOString() }));
        await store.saveEnrichments(written);
        for (const reader of [store, other]) {
          const all = await reader.enrichments();
          for (const [i, e] of written.entries()) {
            expect(all.get(e.lead_id), JSON.stringify(e.lead_id)).toEqual(e);
            expect(await reader.getLead(e.lead_id), JSON.stringify(e.lead_id)).toEqual({ ...odd[i]!, enrichment: e, enrichmentStatus: 'mock' });
          }
        }
      };
      try {
        await check(NOTORIOUS_IDS);
        await fc.assert(
          fc.asyncProperty(fc.uniqueArray(leadIdArbitrary({ withNul: store.kind === 'file' }), { minLength: 1, maxLength: 6 }), check),
          { numRuns: 15 },
        );
      } finally {
        await other.close?.();
      }
      // An id and its percent-encoding are two leads, never confused.
      const pair = ['a b', 'a%20b'].map((id) => score(parseLead({ id })));
      await store.upsertLeads(pair);
      await store.saveEnrichments(pair.map((p) => enrichmentFor(p, { fit_narrative: `For ${JSON.stringify(p.lead.id)}.`, enriched_at: '2030-01-01T00:00:00.000Z' })));
      expect((await store.getLead('a b'))?.enrichment?.fit_narrative).toBe('For "a b".');
      expect((await store.getLead('a%20b'))?.enrichment?.fit_narrative).toBe('For "a%20b".');
    });

    it('keeps every write when two store instances save enrichments at the same time', async () => {
      const other = await sut.reopen();
      try {
        const mine = scored.slice(0, 40).map((s) => enrichmentFor(s, { confidence: 'medium' }));
        const theirs = scored.slice(40, 80).map((s) => enrichmentFor(s, { source: 'claude', model: 'claude-sonnet-5-5' }));
        await Promise.all([...mine.map((e) => store.saveEnrichments([e])), ...theirs.map((e) => other.saveEnrichments([e]))]);

        const want = new Map([...mine, ...theirs].map((e) => [e.lead_id, e]));
        expect(await store.enrichments()).toEqual(want);
        expect(await other.enrichments()).toEqual(want);
        const summary = await store.summary();
        expect([summary.total, summary.enriched, summary.mock]).toEqual([FIXTURE_SIZE, 80, 40]);
      } finally {
        await other.close?.();
      }
    });
  });
}
