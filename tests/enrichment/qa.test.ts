import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usageCostUsd } from '@/lib/enrichment/pricing';
import { runNarrativeQa, type QaOptions, type QaReport } from '@/lib/enrichment/qa';
import { toScorable, type Lead } from '@/lib/lead';
import { DEFAULT_RULES, scoreLead } from '@/lib/scoring';
import { startFakeAnthropic, type FakeAnthropic, type RecordedBody, type Reply } from '../support/fake-anthropic';
import { fakeClient, MODEL, NOW, sampleLeads } from './fixtures';

/**
 * enrich:qa against the loopback API fake, which answers each lead differently from run to run. The
 * expected figures are worked out by hand in the comments; the fake answers in run order because the
 * calls go one at a time (concurrency 1) or in one batch, whose results come in request order.
 */

/** One HOT and one COLD lead, each description tagged with its id so the fake knows whom it answers. */
function twoLeads(): { hot: Lead; cold: Lead } {
  const pool = sampleLeads(300, 5).map((l) => ({ l, tier: scoreLead(toScorable(l), { rules: DEFAULT_RULES, now: NOW }).tier }));
  const tag = (l: Lead) => ({ ...l, company_description: `A company. (ref ${l.id})` });
  return { hot: tag(pool.find((p) => p.tier === 'HOT')!.l), cold: tag(pool.find((p) => p.tier === 'COLD')!.l) };
}

const answer = (fit_narrative: string, recommended_action: string, confidence: 'high' | 'medium' | 'low'): Reply => ({ kind: 'ok', answer: { fit_narrative, recommended_action, confidence } });

/**
 * HOT lead, 4 runs: confidence high, high, medium, high → agreement 3/4; actions call now ×3, follow up ×1
 * → 3/4. Word sets: runs 1, 2, 4 {strong, fit, call, today}, run 3 {strong, fit, send, a, follow, up}:
 * three pairs at 1, three at 2/8 → similarity (3 + 0.75) / 6 = 0.625.
 * COLD lead: runs 1–3 answer, run 4 is refused (HTTP 400, not retried): confidence low, medium, low → 2/3;
 * actions nurture ×3 → 1; word sets {thin, record, add, to, nurture} ×2 and {uses, salesforce, add, to,
 * nurture}: pairs 1, 3/7, 3/7 → (1 + 6/7) / 3 = 13/21. Run 3 names a tool the record lacks: flagged.
 */
const SCRIPT: Record<'hot' | 'cold', Reply[]> = {
  hot: [
    answer('Strong fit.', 'Call today.', 'high'),
    answer('Strong fit.', 'Call today.', 'high'),
    answer('Strong fit.', 'Send a follow-up.', 'medium'),
    answer('Strong fit.', 'Call today.', 'high'),
  ],
  cold: [answer('Thin record.', 'Add to nurture.', 'low'), answer('Thin record.', 'Add to nurture.', 'medium'), answer('Uses Salesforce.', 'Add to nurture.', 'low'), { kind: 'error', status: 400 }],
};

let fake: FakeAnthropic;
let dir: string;
let leads: { hot: Lead; cold: Lead };

beforeEach(async () => {
  leads = twoLeads();
  const served = { hot: 0, cold: 0 };
  const which = (body: RecordedBody) => (JSON.stringify(body.messages).includes(`(ref ${leads.hot.id})`) ? 'hot' : 'cold');
  // Live calls count per lead as they arrive; batch results are asked for in request order, by index.
  fake = await startFakeAnthropic((request, index) => {
    const lead = which(request.body);
    if (request.path.includes('/batches/')) return SCRIPT[lead][index % 4]!;
    return SCRIPT[lead][served[lead]++]!;
  });
  dir = await mkdtemp(path.join(tmpdir(), 'enrich-qa-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function options(overrides: Partial<QaOptions> = {}): QaOptions {
  return { leads: [leads.hot, leads.cold], rules: DEFAULT_RULES, now: NOW, model: MODEL, sample: 2, runs: 4, seed: 3, concurrency: 1, ...overrides };
}

function expectHandWorkedFigures(report: QaReport) {
  const hot = report.leads.find((l) => l.lead_id === leads.hot.id)!;
  const cold = report.leads.find((l) => l.lead_id === leads.cold.id)!;
  expect(hot.consistency).toMatchObject({ tier: 'HOT', runs: 4, failed: 0, confidence: { mode: 'high', agreement: 0.75 }, action: { mode: 'call_now', agreement: 0.75 }, flaggedRuns: 0 });
  expect(hot.consistency.similarity).toBeCloseTo(0.625, 12);
  expect(cold.consistency).toMatchObject({ tier: 'COLD', runs: 3, failed: 1, confidence: { mode: 'low', agreement: 2 / 3 }, action: { mode: 'nurture', agreement: 1 }, flaggedRuns: 1, byCheck: { invented_tool: 1 } });
  expect(cold.consistency.similarity).toBeCloseTo(13 / 21, 12);
  expect(cold.failures).toEqual([{ run: 4, reason: expect.stringMatching(/HTTP 400|invalid_request_error/) }]);
  expect(cold.runs.map((r) => [r.run, r.confidence, r.action_kind, r.checks.findings.length])).toEqual([
    [1, 'low', 'nurture', 0],
    [2, 'medium', 'nurture', 0],
    [3, 'low', 'nurture', 1],
  ]);
  const o = report.overall;
  expect(o).toMatchObject({ leads: 2, compared: 2, runs: 7, failedRuns: 1, unanimousConfidence: 0, unanimousAction: 1, flaggedRuns: 1, flaggedLeads: 1, byCheck: { invented_tool: 1 } });
  expect(o.confidenceAgreement).toBeCloseTo((0.75 + 2 / 3) / 2, 12);
  expect(o.actionAgreement).toBeCloseTo((0.75 + 1) / 2, 12);
  expect(o.similarity).toBeCloseTo((0.625 + 13 / 21) / 2, 12);
}

describe('runNarrativeQa', () => {
  it('live calls: agreement, similarity and grounding per lead and overall, as worked out by hand', async () => {
    const report = await runNarrativeQa(options(), { client: fakeClient(fake.url, { maxRetries: 0 }) });
    expect(report).toMatchObject({ mode: 'claude', model: MODEL, sampled: 2, sent: 2, runs_per_lead: 4, batch: false, stop_reason: null, not_started: 0 });
    expect(fake.messageRequests()).toHaveLength(8);
    expectHandWorkedFigures(report);
    expect(report.cost_usd).toBeGreaterThan(0);
  });

  it('--batch: one batch of every run, the same figures, at batch prices, no state file left', async () => {
    const statePath = path.join(dir, 'pending-batch.json');
    const report = await runNarrativeQa(options({ batch: { statePath, pollIntervalMs: 10 } }), { client: fakeClient(fake.url) });
    expect(fake.batches.size).toBe(1);
    expect(fake.messageRequests()).toHaveLength(0);
    const created = fake.requests.find((r) => r.path === '/v1/messages/batches')!;
    expect(created.body.requests!.map((r) => r.custom_id)).toEqual(['qa_0_1', 'qa_0_2', 'qa_0_3', 'qa_0_4', 'qa_1_1', 'qa_1_2', 'qa_1_3', 'qa_1_4']);
    expect(report).toMatchObject({ batch: true, batch_id: [...fake.batches.keys()][0] });
    expectHandWorkedFigures(report);
    expect(report.cost_usd).toBeCloseTo(usageCostUsd(MODEL, report.usage, { batch: true })!, 12);
    await expect(stat(statePath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('--batch: a run stopped mid-poll keeps the batch id; the next run collects the same batch', async () => {
    fake.batchPollsToEnd = 1_000;
    const statePath = path.join(dir, 'pending-batch.json');
    const stop = new AbortController();
    const first = await runNarrativeQa(options({ batch: { statePath, pollIntervalMs: 10 } }), { client: fakeClient(fake.url), signal: stop.signal, onProgress: () => stop.abort() });
    expect(first.stop_reason).toBe('interrupted');
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toMatchObject({ batch_id: first.batch_id, run_id: first.run_id });

    fake.batchPollsToEnd = 1;
    const second = await runNarrativeQa(options({ batch: { statePath, pollIntervalMs: 10 }, seed: 99 }), { client: fakeClient(fake.url) });
    expect(second).toMatchObject({ resumed_batch: true, batch_id: first.batch_id, run_id: first.run_id, seed: 3 });
    expect(second.warnings.join(' ')).toMatch(/its model, seed, sample and runs apply/);
    expect(fake.batches.size).toBe(1);
    expectHandWorkedFigures(second);
  });

  it('--max-cost: sends only the leads whose every run fits the worst case, and never spends past it', async () => {
    const probe = await runNarrativeQa(options({ dryRun: true }), { client: fakeClient(fake.url) });
    const perLead = probe.estimate!.worst_case_cost_usd! / 2;
    const budget = perLead * 1.5;
    const report = await runNarrativeQa(options({ maxCostUsd: budget }), { client: fakeClient(fake.url, { maxRetries: 0 }) });
    expect(report).toMatchObject({ sampled: 2, sent: 1, not_started: 4, stop_reason: 'budget' });
    expect(fake.messageRequests()).toHaveLength(4);
    expect(report.leads).toHaveLength(1);
    expect(report.cost_usd).toBeLessThanOrEqual(budget);
  });

  it('--dry-run: the sample, the requests and their cost; nothing sent', async () => {
    const report = await runNarrativeQa(options({ dryRun: true }), { client: fakeClient(fake.url) });
    expect(report).toMatchObject({ dry_run: true, sampled: 2, sent: 0, estimate: { requests: 8 }, leads: [] });
    expect(report.estimate!.worst_case_cost_usd).toBeGreaterThan(report.estimate!.expected_cost_usd!);
    expect(fake.requests).toHaveLength(0);
  });

  it('mock mode: every run the same labelled narrative, agreement 100% by construction, nothing sent', async () => {
    const report = await runNarrativeQa(options(), { client: null });
    expect(report).toMatchObject({ mode: 'mock', model: 'mock', cost_usd: 0 });
    expect(report.overall).toMatchObject({ runs: 8, confidenceAgreement: 1, actionAgreement: 1, similarity: 1, flaggedRuns: 0 });
    expect(report.leads[0]!.runs[0]!.fit_narrative.startsWith('[mock]')).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });
});
