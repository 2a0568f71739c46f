import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Enrichment } from '@/lib/enrichment/schema';
import { parseLeads, type Lead } from '@/lib/lead';
import { createFileStore } from '@/lib/store/file';
import { createPostgresStore } from '@/lib/store/postgres';
import { rescoreStore } from '@/lib/store/rescore';
import { scoreForStore, type StoredScore } from '@/lib/store/scored-lead';
import type { LeadQuery, LeadStore } from '@/lib/store/types';
import { generateLeads } from '@/lib/synthetic';
import { describePostgres } from '../support/pg';
import { CONTRACT_AS_OF, CONTRACT_RULES, describeStoreContract } from './contract';

const NOW = new Date(CONTRACT_AS_OF);
const score = (lead: Lead): StoredScore => scoreForStore(lead, { rules: CONTRACT_RULES, now: NOW });

function enrichmentFor(scored: StoredScore, overrides: Partial<Enrichment> = {}): Enrichment {
  return {
    lead_id: scored.lead.id,
    fit_narrative: `${scored.lead.company_name ?? 'This company'} fits.`,
    recommended_action: 'Call this week.',
    confidence: 'medium',
    source: 'mock',
    model: 'mock-enricher',
    prompt_version: 'pg-test-v1',
    input_hash: scored.inputHash,
    rules_version: scored.rulesVersion,
    score: scored.score,
    usage: { input_tokens: 812, output_tokens: 64, cache_read_input_tokens: 700, cache_creation_input_tokens: 0 },
    cost_usd: 0.001234,
    latency_ms: 842.5,
    enriched_at: '2026-11-01T09:00:00.000Z',
    ...overrides,
  };
}

describePostgres('postgres store', (db) => {
  const stores: LeadStore[] = [];
  const open = () => {
    const store = createPostgresStore({ DATABASE_URL: db().url, SCORING_RULES: undefined });
    stores.push(store);
    return store;
  };

  describeStoreContract('postgres', async () => {
    await db().sql`truncate public.leads cascade`;
    return {
      store: open(),
      reopen: async () => open(),
      // What `npm run rescore` does, with the rules the app is then configured with.
      changeRules: async (rules, at) => {
        const rulesPath = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-pg-rules-')), 'rules.json');
        await fs.writeFile(rulesPath, JSON.stringify(rules));
        const store = createPostgresStore({ DATABASE_URL: db().url, SCORING_RULES: rulesPath });
        stores.push(store);
        await rescoreStore(store, { rules, now: NOW, until: at.toISOString() });
        return store;
      },
      cleanup: async () => {},
    };
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close?.()));
  });

  describe('equals the file store on the same generated leads', () => {
    let dir: string;
    let fileStore: LeadStore;
    let pgStore: LeadStore;
    let scored: StoredScore[];

    beforeAll(async () => {
      await db().sql`truncate public.leads cascade`;
      const { leads, rejected } = parseLeads(generateLeads({ count: 300, seed: 20261127 }));
      expect(rejected).toBe(0);
      scored = leads.map(score);
      // Enrich a spread: current claude and mock, stale, and none, with every confidence.
      const enrichments = scored.flatMap((s, i) => {
        if (i % 4 === 3) return [];
        const confidence = (['high', 'medium', 'low'] as const)[i % 3]!;
        return [enrichmentFor(s, { source: i % 4 === 0 ? 'claude' : 'mock', confidence, ...(i % 4 === 2 ? { input_hash: 'h_before_edit' } : {}) })];
      });

      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-pg-vs-file-'));
      const leadsPath = path.join(dir, 'leads.json');
      await fs.writeFile(leadsPath, `${JSON.stringify(leads)}\n`);
      fileStore = createFileStore({ leadsPath, enrichmentsPath: path.join(dir, 'enrichments.json'), rules: CONTRACT_RULES, asOf: CONTRACT_AS_OF });
      pgStore = open();
      await pgStore.upsertLeads(scored);
      await Promise.all([fileStore.saveEnrichments(enrichments), pgStore.saveEnrichments(enrichments)]);
    });

    afterAll(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    const base = { page: 1, pageSize: 25 } as const;
    const queries: LeadQuery[] = [
      ...(['score', 'name', 'title', 'company', 'industry', 'tier', 'enrichment'] as const).flatMap((sort) =>
        (['asc', 'desc'] as const).map((direction) => ({ ...base, sort, direction, pageSize: 300 })),
      ),
      { ...base, sort: 'score', direction: 'desc', tiers: ['HOT', 'WARM'] },
      { ...base, sort: 'name', direction: 'asc', tiers: ['COLD'], page: 3 },
      { ...base, sort: 'company', direction: 'desc', industries: ['Software', 'software', 'SaaS', 'Fintech'] },
      { ...base, sort: 'score', direction: 'asc', enrichment: ['stale', 'none'] },
      { ...base, sort: 'enrichment', direction: 'desc', confidence: ['high'] },
      { ...base, sort: 'title', direction: 'asc', confidence: ['low', 'medium'], enrichment: ['claude', 'mock'] },
      { ...base, sort: 'score', direction: 'desc', search: 'an' },
      { ...base, sort: 'name', direction: 'desc', search: '  JOHN ' },
      { ...base, sort: 'score', direction: 'desc', search: ' and ' },
      { ...base, sort: 'score', direction: 'desc', search: '.com' },
      { ...base, sort: 'industry', direction: 'asc', search: '@' },
      // Characters that mean something to LIKE, regexes or PostgREST must match themselves.
      { ...base, sort: 'score', direction: 'desc', search: "o'" },
      { ...base, sort: 'score', direction: 'desc', search: '%' },
      { ...base, sort: 'score', direction: 'desc', search: 'a.b' },
      { ...base, sort: 'score', direction: 'desc', search: ', ' },
      { ...base, sort: 'name', direction: 'asc', search: '-' },
      { ...base, sort: 'score', direction: 'desc', search: '   ' },
      { ...base, sort: 'tier', direction: 'asc', tiers: ['WARM', 'COLD'], industries: ['Software', 'Healthcare'], search: 'e' },
      { ...base, sort: 'score', direction: 'desc', page: 2 },
      { ...base, sort: 'company', direction: 'asc', page: 12, pageSize: 25 },
      { ...base, sort: 'score', direction: 'desc', page: 40 },
      { ...base, sort: 'score', direction: 'desc', tiers: [], industries: [], enrichment: [], confidence: [], search: '' },
    ];

    it('runs at least 30 distinct queries', () => {
      expect(queries.length).toBeGreaterThanOrEqual(30);
    });

    for (const query of queries) {
      it(`lists the same page for ${JSON.stringify(query)}`, async () => {
        const [fromFile, fromPg] = await Promise.all([fileStore.listLeads(query), pgStore.listLeads(query)]);
        expect(fromPg).toEqual(fromFile);
      });
    }

    it('has filters that select something and not everything, so the comparisons mean something', async () => {
      for (const query of queries.filter((q) => q.tiers?.length || q.industries?.length || q.enrichment?.length || q.confidence?.length || q.search?.trim())) {
        const { total } = await fileStore.listLeads(query);
        if (query.search !== '%' && query.search !== 'a.b') expect(total, JSON.stringify(query)).toBeGreaterThan(0);
        expect(total, JSON.stringify(query)).toBeLessThan(300);
      }
    });

    it('has the same summary, outcomes, enrichments and leads', async () => {
      expect(await pgStore.summary()).toEqual(await fileStore.summary());
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      expect([...(await pgStore.outcomes())].sort(byId)).toEqual([...(await fileStore.outcomes())].sort(byId));
      expect(await pgStore.enrichments()).toEqual(await fileStore.enrichments());
      for (const { lead } of scored.filter((_, i) => i % 37 === 0)) {
        expect(await pgStore.getLead(lead.id)).toEqual(await fileStore.getLead(lead.id));
      }
    });
  });

  it('loses nothing when a batch job and 20 live re-enriches save at the same time', async () => {
    await db().sql`truncate public.leads cascade`;
    const { leads } = parseLeads(generateLeads({ count: 1200, seed: 5 }));
    const scored = leads.map(score);
    const batchStore = open();
    const liveStore = open();
    await batchStore.upsertLeads(scored);

    const batch = scored.map((s) => enrichmentFor(s, { fit_narrative: 'From the batch job.', enriched_at: '2026-11-01T09:00:00.000Z' }));
    const liveTargets = scored.filter((_, i) => i % 60 === 7);
    expect(liveTargets).toHaveLength(20);
    const live = liveTargets.map((s, i) =>
      enrichmentFor(s, { source: 'claude', model: 'claude-sonnet-5-5', fit_narrative: `Live ${i}.`, enriched_at: `2026-11-01T09:00:0${1 + (i % 9)}.000Z` }),
    );
    await Promise.all([batchStore.saveEnrichments(batch), ...live.map((e) => liveStore.saveEnrichments([e]))]);

    const saved = await batchStore.enrichments();
    expect(saved.size).toBe(1200);
    const want = new Map(batch.map((e) => [e.lead_id, e]));
    for (const e of live) want.set(e.lead_id, e);
    expect(saved).toEqual(want);
    const summary = await liveStore.summary();
    expect([summary.total, summary.enriched, summary.mock]).toEqual([1200, 1200, 1180]);
  });

  it('upserts leads without touching their enrichment columns, in chunks within one transaction', async () => {
    await db().sql`truncate public.leads cascade`;
    const { leads } = parseLeads(generateLeads({ count: 1100, seed: 9 }));
    const scored = leads.map(score);
    const store = open();
    await store.upsertLeads(scored);
    await store.saveEnrichments([enrichmentFor(scored[0]!)]);
    // A bad record anywhere rejects the whole call before anything is written.
    const renamed = scored.map((s) => score({ ...s.lead, company_name: 'Renamed Co' }));
    const broken = [...renamed.slice(0, 1050), { ...renamed[1050]!, score: 101 }];
    await expect(store.upsertLeads(broken)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(renamed[1050]!.lead.id) });
    expect((await store.listLeads({ sort: 'score', direction: 'desc', search: 'renamed co', page: 1, pageSize: 5 })).total).toBe(0);

    await store.upsertLeads(renamed);
    expect((await store.listLeads({ sort: 'score', direction: 'desc', search: 'renamed co', page: 1, pageSize: 5 })).total).toBe(1100);
    const first = await store.getLead(scored[0]!.lead.id);
    expect(first?.enrichment).toEqual(enrichmentFor(scored[0]!));
    expect(first?.enrichmentStatus).toBe('stale');
  });
});
