/**
 * PostgreSQL store benchmark: seeds 100,000 generated, scored leads into a fresh throwaway database
 * (created next to DATABASE_URL, dropped afterwards), then times the dashboard's queries through the
 * store and prints their EXPLAIN (ANALYZE) plans, so the index use is visible; last, a rules change: the
 * dashboard's count of outdated scores and `npm run rescore` over every lead.
 */
import { resolveAsOf } from '../../lib/as-of';
import { createScratchDatabase } from '../../lib/db/scratch';
import { DEFAULT_RULES } from '../../lib/default-rules';
import type { Enrichment } from '../../lib/enrichment/schema';
import { env } from '../../lib/env';
import { parseLeads } from '../../lib/lead';
import { rulesVersion } from '../../lib/scoring';
import { createPostgresStore } from '../../lib/store/postgres';
import { rescoreStore } from '../../lib/store/rescore';
import { scoreForStore } from '../../lib/store/scored-lead';
import { seedStore } from '../../lib/store/seed';
import type { LeadQuery, LeadStore } from '../../lib/store/types';
import { generateLeads } from '../../lib/synthetic';
import { fmt, percentile, type BenchModule, type BenchRow } from './types';

const AREA = 'postgres';
const LEADS = 100_000;
const ENRICHED = 10_000;
const RUNS = 50;
const SEED_TARGET_S = 30;
const QUERY_TARGET_MS = 50;


const FIRST_PAGE: LeadQuery = { sort: 'score', direction: 'desc', page: 1, pageSize: 50 };
const FILTERED_SEARCHED: LeadQuery = { sort: 'score', direction: 'desc', tiers: ['HOT', 'WARM'], enrichment: ['none', 'stale'], search: 'son', page: 1, pageSize: 50 };
const SORTED_BY_NAME: LeadQuery = { sort: 'name', direction: 'asc', page: 1, pageSize: 50 };

async function timeQuery(store: LeadStore, query: LeadQuery): Promise<{ p50: number; p95: number; total: number }> {
  let total = (await store.listLeads(query)).total; // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    total = (await store.listLeads(query)).total;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), total };
}

async function run(): Promise<BenchRow[]> {
  const { DATABASE_URL } = env();
  if (!DATABASE_URL) {
    return [{ area: AREA, metric: 'skipped', value: 'DATABASE_URL is not set (see "Use Supabase" in README.md)', target: '', pass: null }];
  }
  const db = await createScratchDatabase(DATABASE_URL, { prefix: 'ls_bench' });
  const store = createPostgresStore({ DATABASE_URL: db.url, SCORING_RULES: undefined }, { sql: db.sql });
  try {
    const { leads } = parseLeads(generateLeads({ count: LEADS, seed: 100_000 }));
    const now = resolveAsOf(leads, undefined);

    const seedStarted = performance.now();
    const seeded = await seedStore(store, leads, { rules: DEFAULT_RULES, now });
    const seedS = (performance.now() - seedStarted) / 1000;
    // What autovacuum does soon after a bulk load: statistics for the planner, and the visibility map
    // that lets counts use index-only scans.
    await db.sql`vacuum analyze public.leads`;

    const enrichments: Enrichment[] = leads.slice(0, ENRICHED).map((lead, i) => {
      const scored = scoreForStore(lead, { rules: DEFAULT_RULES, now });
      return {
        lead_id: lead.id,
        fit_narrative: 'Benchmark narrative.',
        recommended_action: 'Call this week.',
        confidence: 'medium',
        source: i % 2 ? 'mock' : 'claude',
        model: 'bench',
        prompt_version: 'bench',
        input_hash: i % 5 === 0 ? 'h_older' : scored.inputHash,
        rules_version: scored.rulesVersion,
        score: scored.score,
        usage: { input_tokens: 900, output_tokens: 80, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        cost_usd: 0,
        latency_ms: 1,
        enriched_at: '2026-11-01T00:00:00.000Z',
      };
    });
    const enrichStarted = performance.now();
    await store.saveEnrichments(enrichments);
    const enrichS = (performance.now() - enrichStarted) / 1000;
    await db.sql`vacuum analyze public.leads`;

    const firstPage = await timeQuery(store, FIRST_PAGE);
    const filtered = await timeQuery(store, FILTERED_SEARCHED);
    const byName = await timeQuery(store, SORTED_BY_NAME);

    // The SQL listLeads sends for the filtered + searched page (the page query; the count runs beside it).
    const plans: [string, string][] = [
      ['first page by score', `select id from public.leads order by score desc, id asc limit 50`],
      [
        'filtered + searched page',
        `select id from public.leads where tier in ('HOT','WARM') and enrichment_status in ('none','stale')
           and (name_key ~ 'son' or company_key ~ 'son' or email_key ~ 'son') order by score desc, id asc limit 50`,
      ],
      [
        'its count',
        `select count(*) from public.leads where tier in ('HOT','WARM') and enrichment_status in ('none','stale')
           and (name_key ~ 'son' or company_key ~ 'son' or email_key ~ 'son')`,
      ],
    ];
    for (const [label, query] of plans) {
      const lines = await db.sql.unsafe<{ 'QUERY PLAN': string }[]>(`explain (analyze, buffers off) ${query}`);
      console.log(`\n[bench postgres] EXPLAIN (ANALYZE) — ${label}:\n${lines.map((l) => `  ${l['QUERY PLAN']}`).join('\n')}`);
    }

    // A rules change (software worth 5 points, not 15): the dashboard's count of outdated scores, then `npm run rescore`.
    const rulesB = structuredClone(DEFAULT_RULES);
    const industry = rulesB.rules.find((r) => r.id === 'industry_fit');
    if (industry?.kind === 'category_map') industry.points = { ...industry.points, software: 5 };
    const countTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await store.countOutdated(rulesVersion(rulesB));
      countTimes.push(performance.now() - started);
    }
    countTimes.sort((a, b) => a - b);
    const rescoreStarted = performance.now();
    const rescored = await rescoreStore(store, { rules: rulesB, now, until: new Date().toISOString() });
    const rescoreS = (performance.now() - rescoreStarted) / 1000;

    const row = (metric: string, value: string, target: string, pass: boolean | null): BenchRow => ({ area: AREA, metric, value, target, pass });
    return [
      row(`seed ${fmt(LEADS)} scored leads (score + upsert)`, `${fmt(seedS, 1)} s (${fmt(LEADS / seedS)} leads/s; scoring ${fmt(seeded.scoreMs / 1000, 1)} s of it)`, `< ${SEED_TARGET_S} s`, seedS < SEED_TARGET_S),
      row(`save ${fmt(ENRICHED)} enrichments`, `${fmt(enrichS, 1)} s`, '', null),
      row('first page by score, p50 / p95', `${fmt(firstPage.p50, 1)} / ${fmt(firstPage.p95, 1)} ms`, `p95 < ${QUERY_TARGET_MS} ms`, firstPage.p95 < QUERY_TARGET_MS),
      row(
        `filtered + searched page (${fmt(filtered.total)} matches), p50 / p95`,
        `${fmt(filtered.p50, 1)} / ${fmt(filtered.p95, 1)} ms`,
        `p95 < ${QUERY_TARGET_MS} ms`,
        filtered.p95 < QUERY_TARGET_MS,
      ),
      row('first page by name (no index: top-N sort), p50 / p95', `${fmt(byName.p50, 1)} / ${fmt(byName.p95, 1)} ms`, '', null),
      row(`count of scores on other rules (${fmt(LEADS)} of them), p50`, `${fmt(percentile(countTimes, 50), 1)} ms`, `< ${QUERY_TARGET_MS} ms`, percentile(countTimes, 50) < QUERY_TARGET_MS),
      row(
        `rescore ${fmt(LEADS)} leads after a rules change`,
        `${fmt(rescoreS, 1)} s (${fmt(rescored.rescored / rescoreS)} leads/s; ${fmt(rescored.history)} history rows)`,
        `< ${SEED_TARGET_S} s`,
        rescoreS < SEED_TARGET_S && rescored.rescored === LEADS,
      ),
    ];
  } finally {
    await store.close?.();
    await db.drop();
  }
}

export default { area: AREA, run } satisfies BenchModule;
