import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Lead } from '@/lib/lead';
import { DEFAULT_RULES } from '@/lib/scoring';
import { createFileStore } from '@/lib/store/file';
import { writeBigFileStore } from '../support/big-file-store';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic';
import { liveCallsUnderBatch } from '../support/live-under-batch';

/**
 * Finding 6: on a 40 MB store with the batch job running, 9 of 40 live calls made their paid call and then
 * failed with a 500, the result lost, waiting for whole-file rewrites. Here: 60,000 leads with an enrichment
 * each, `npm run enrich` re-enriching 4,000 of them (so its journal is folded into the 55 MB file midway),
 * and 40 live calls meanwhile, spread over the batch's progress so they span that fold: every one answers 200
 * and is saved, and so is every batch result.
 */

let dir: string;
let fake: FakeAnthropic;
let leads: Lead[];
let leadsPath: string;
let enrichmentsPath: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-under-batch-'));
  ({ leads, leadsPath, enrichmentsPath } = await writeBigFileStore(dir));
  fake = await startFakeAnthropic(() => ({ kind: 'ok', latencyMs: 20 }));
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

it('answers and saves all 40 live calls made during a batch run on a 60,000-enrichment file store', async () => {
  for (const [name, value] of Object.entries({
    LEAD_STORE: 'file',
    LEADS_PATH: leadsPath,
    ENRICHMENTS_PATH: enrichmentsPath,
    ANTHROPIC_API_KEY: 'sk-ant-test-dummy',
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_MODEL: 'claude-sonnet-5-5',
    ENRICH_RATE_LIMIT: '1000',
    ENRICH_LIVE_DAILY_LIMIT: '1000',
    ENRICH_LIVE_DAILY_USD: '100',
    SCORING_AS_OF: '',
    SCORING_RULES: '',
  })) {
    vi.stubEnv(name, value);
  }
  const { POST } = await import('@/app/api/enrich/route');
  const { getStore } = await import('@/lib/store');
  await (await getStore()).getLead(leads[0]!.id); // the server's first load of the two files, before the race

  const liveIds = leads.slice(-40).map((l) => l.id);
  const { calls, batch, folds, foldTimes } = await liveCallsUnderBatch({ leadsPath, enrichmentsPath, anthropicUrl: fake.url, liveLeadIds: liveIds, fakeCalls: () => fake.messageRequests().length, batchLimit: 4_000, post: POST });

  expect(batch.code, batch.stderr.slice(-2_000)).toBe(0);
  expect(batch.stdout).toMatch(/enriched: 4000\b/);
  expect(calls.filter((c) => c.status !== 200 || !c.saved)).toEqual([]);
  // The claim is about writes meeting a whole-file rewrite: the journal was folded while the calls ran.
  expect(folds).toBeGreaterThanOrEqual(1);
  // The live calls span a fold: some saved before it began, some after it ended (whether one also falls inside
  // the fold's short window depends on the machine's load; the bench counts those).
  const [fold] = foldTimes;
  expect(calls.some((c) => c.startedMs < fold!.from)).toBe(true);
  expect(calls.some((c) => c.startedMs + c.ms > fold!.to)).toBe(true);
  const stored = await createFileStore({ leadsPath, enrichmentsPath, rules: DEFAULT_RULES }).enrichments();
  expect(stored.size).toBe(60_000);
  // Every lead Claude was asked about, by the batch or live, has its answer stored; no other lead changed.
  const answered = new Set(fake.messageRequests().map((r) => /\(ref ([^)]+)\)/.exec(String(r.body.messages?.[0]?.content))?.[1]));
  for (const id of liveIds) expect(answered.has(id)).toBe(true);
  expect(answered.size).toBeGreaterThanOrEqual(4_000);
  const fromClaude = [...stored.values()].filter((e) => e.source === 'claude').map((e) => e.lead_id);
  expect(new Set(fromClaude)).toEqual(answered);
}, 240_000);
