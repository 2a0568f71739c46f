import type Anthropic from '@anthropic-ai/sdk';
import { promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { z } from 'zod';
import { AppError } from '../errors';
import { writeFileAtomic } from '../fs-atomic';
import { readOptionalJsonFile } from '../json-file';
import { leadInputHash, toScorable, type Lead, type ScorableLead } from '../lead';
import type { RuleSet } from '../rules';
import { scoreLead, type ScoreResult, type Tier } from '../scoring';
import { classifyAction, type ActionKind } from './action-kind';
import { leadConsistency, sampleLeads, summarizeConsistency, type ConsistencySummary, type LeadConsistency, type QaRun } from './consistency';
import { addUsage, enrichLead, enrichmentRequest, readAnswer, tokenUsage, worstCaseCostUsd, ZERO_USAGE } from './enrich';
import { checkNarrative, GROUNDING_VERSION } from './grounding';
import { DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_MS, EXPECTED_OUTPUT_TOKENS } from './job';
import { MOCK_MODEL } from './mock';
import { estimateTokens, modelPrice, usageCostUsd } from './pricing';
import { PROMPT_VERSION, SYSTEM_PROMPT } from './prompt';
import type { NarrativeChecks, TokenUsage } from './schema';

/**
 * `npm run enrich:qa`: the same leads enriched several times, to see how far the narratives can be
 * trusted to say the same thing twice (./consistency.ts says what is measured). It never touches the
 * store: no narrative is saved, replaced or read; the report is a file of its own (the CLI writes it to
 * data/narrative-qa/<run id>.json). Calls go out as the batch job's do (same request, same retries, same
 * grounding checks), live through a bounded pool or, with `batch`, as one Message Batches request per run.
 *
 * Budget: before anything is sent, leads are taken in sample order while the worst case of all their runs
 * (full output, a retry each live; none in batch) still fits `maxCostUsd`; the rest are not sent. So the
 * spend never passes the budget, and every lead measured has all its runs.
 */

export const DEFAULT_SAMPLE = 50;
export const DEFAULT_RUNS = 5;
export const DEFAULT_SEED = 1;

export interface QaOptions {
  leads: readonly Lead[];
  rules: RuleSet;
  now: Date;
  model: string;
  sample?: number;
  runs?: number;
  seed?: number;
  tiers?: readonly Tier[];
  concurrency?: number;
  maxCostUsd?: number;
  dryRun?: boolean;
  /** One Message Batches request for every run; the state file keeps its id so a stopped run resumes it. */
  batch?: { statePath: string; pollIntervalMs?: number };
  clock?: () => Date;
}

export interface QaProgress {
  phase: 'calls' | 'batch';
  total: number;
  done: number;
  failed: number;
  spentUsd: number | null;
  batch?: { id: string; status: string };
}

export interface QaContext {
  /** null: mock mode (no API key): every run writes the same mock narrative. */
  client: Anthropic | null;
  onProgress?: (progress: QaProgress) => void;
  /** Aborted: start no new call (Ctrl-C); a batch is left running, its id in the state file. */
  signal?: AbortSignal;
  /** Aborted: abort the calls in flight as well. */
  abortInFlight?: AbortSignal;
}

export interface QaRunRecord {
  run: number;
  fit_narrative: string;
  recommended_action: string;
  confidence: string;
  action_kind: ActionKind;
  checks: NarrativeChecks;
}

export interface QaLeadRecord {
  lead_id: string;
  tier: Tier;
  score: number;
  runs: QaRunRecord[];
  failures: { run: number; reason: string }[];
  consistency: LeadConsistency;
}

/** The stored report: what ran, on which leads, every run's answer and checks, and the figures. */
export interface QaReport {
  version: 1;
  run_id: string;
  created_at: string;
  mode: 'claude' | 'mock';
  model: string;
  prompt_version: string;
  rules_version: string;
  grounding_version: string;
  seed: number;
  runs_per_lead: number;
  sample_size: number;
  tiers: Tier[] | null;
  batch: boolean;
  batch_id: string | null;
  resumed_batch: boolean;
  dry_run: boolean;
  /** Leads the sample drew; `sent`: those within the budget. */
  sampled: number;
  sent: number;
  /** Requests planned but never sent (budget) or not started (interrupted). */
  not_started: number;
  stop_reason: 'budget' | 'interrupted' | null;
  stop_detail: string | null;
  usage: TokenUsage;
  /** null: no price on file for the model. */
  cost_usd: number | null;
  max_cost_usd: number | null;
  estimate: { requests: number; expected_cost_usd: number | null; worst_case_cost_usd: number | null } | null;
  leads: QaLeadRecord[];
  overall: ConsistencySummary;
  warnings: string[];
}

interface Candidate {
  lead: ScorableLead;
  result: ScoreResult;
}

const batchStateSchema = z.object({
  version: z.literal(1),
  run_id: z.string().min(1),
  batch_id: z.string().min(1),
  model: z.string().min(1),
  seed: z.number().int(),
  runs_per_lead: z.number().int().min(1),
  sample_size: z.number().int().min(1),
  created_at: z.iso.datetime(),
  requests: z.array(z.object({ custom_id: z.string().min(1), lead_id: z.string().min(1), run: z.number().int().min(1), input_hash: z.string().min(1), rules_version: z.string().min(1) })),
});
type BatchState = z.infer<typeof batchStateSchema>;

async function readBatchState(path: string): Promise<BatchState | null> {
  const raw = await readOptionalJsonFile(path, { label: 'Narrative QA batch state file' });
  if (raw === undefined) return null;
  const parsed = batchStateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new AppError('INVALID_INPUT', `Narrative QA batch state file ${path} is not valid (${parsed.error.issues[0]?.message}); delete it to start a new batch.`);
}

/** "2026-12-05T10-31-02Z": a run id that sorts by time and is safe in a file name. */
export function qaRunId(at: Date): string {
  return at.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
}

export async function runNarrativeQa(options: QaOptions, context: QaContext): Promise<QaReport> {
  const { client, onProgress, signal, abortInFlight } = context;
  const live = client !== null;
  const clock = options.clock ?? (() => new Date());
  const runsPerLead = Math.max(1, options.runs ?? DEFAULT_RUNS);
  const sampleSize = Math.max(1, options.sample ?? DEFAULT_SAMPLE);
  const seed = options.seed ?? DEFAULT_SEED;
  const createdAt = clock();
  const model = live ? options.model : MOCK_MODEL;
  const scored = options.leads.map((full) => {
    const lead = toScorable(full);
    return { id: lead.id, lead, result: scoreLead(lead, { rules: options.rules, now: options.now }) };
  });
  const byId = new Map(scored.map((s) => [s.id, s]));
  const report: QaReport = {
    version: 1,
    run_id: qaRunId(createdAt),
    created_at: createdAt.toISOString(),
    mode: live ? 'claude' : 'mock',
    model,
    prompt_version: PROMPT_VERSION,
    rules_version: scored[0]?.result.rulesVersion ?? '',
    grounding_version: GROUNDING_VERSION,
    seed,
    runs_per_lead: runsPerLead,
    sample_size: sampleSize,
    tiers: options.tiers ? [...options.tiers] : null,
    batch: live && options.batch !== undefined,
    batch_id: null,
    resumed_batch: false,
    dry_run: options.dryRun ?? false,
    sampled: 0,
    sent: 0,
    not_started: 0,
    stop_reason: null,
    stop_detail: null,
    usage: ZERO_USAGE,
    cost_usd: live && !modelPrice(options.model) ? null : 0,
    max_cost_usd: options.maxCostUsd ?? null,
    estimate: null,
    leads: [],
    overall: summarizeConsistency([]),
    warnings: [],
  };
  if (!live && options.batch) report.warnings.push('--batch needs an API key: mock narratives are written directly.');
  if (live && !modelPrice(options.model)) {
    report.warnings.push(`No price on file for model "${options.model}" (lib/enrichment/pricing.ts): cost is reported as unknown.`);
    if (options.maxCostUsd !== undefined) throw new AppError('CONFIG_ERROR', `--max-cost needs a known price, and model "${options.model}" has none in lib/enrichment/pricing.ts.`);
  }

  const runs = new Map<string, QaRun[]>();
  const failures = new Map<string, { run: number; reason: string }[]>();
  const addCost = (usage: TokenUsage, cost: number | null) => {
    report.usage = addUsage(report.usage, usage);
    report.cost_usd = report.cost_usd === null || cost === null ? null : report.cost_usd + cost;
  };
  const finish = (sent: Candidate[]): QaReport => {
    report.leads = sent.map(({ lead, result }) => {
      const leadRuns = (runs.get(lead.id) ?? []).sort((a, b) => a.run - b.run);
      const leadFailures = (failures.get(lead.id) ?? []).sort((a, b) => a.run - b.run);
      return {
        lead_id: lead.id,
        tier: result.tier,
        score: result.score,
        runs: leadRuns.map((r) => ({ run: r.run, ...r.output, action_kind: classifyAction(r.output.recommended_action), checks: r.checks })),
        failures: leadFailures,
        consistency: leadConsistency({ id: lead.id, tier: result.tier, score: result.score }, leadRuns, leadFailures.length),
      };
    });
    report.overall = summarizeConsistency(report.leads.map((l) => l.consistency));
    return report;
  };

  // A batch left by an earlier run is collected first: its leads and runs, not this run's options.
  const state = report.batch && !report.dry_run ? await readBatchState(options.batch!.statePath) : null;
  if (state) {
    report.resumed_batch = true;
    report.run_id = state.run_id;
    report.created_at = state.created_at;
    Object.assign(report, { model: state.model, seed: state.seed, runs_per_lead: state.runs_per_lead, sample_size: state.sample_size });
    if (state.model !== options.model || state.seed !== seed || state.runs_per_lead !== runsPerLead || state.sample_size !== sampleSize) {
      report.warnings.push(`Resumed batch ${state.batch_id} from run ${state.run_id}: its model, seed, sample and runs apply, not this run's flags.`);
    }
    const sent = [...new Set(state.requests.map((r) => r.lead_id))].flatMap((id) => {
      const s = byId.get(id);
      if (!s) report.warnings.push(`Lead "${id}" of the resumed batch is no longer in the leads file; its answers are dropped.`);
      return s ? [{ lead: s.lead, result: s.result }] : [];
    });
    report.sampled = report.sent = sent.length;
    await collectBatch(state);
    return finish(sent);
  }

  const pool = options.tiers ? scored.filter((s) => options.tiers!.includes(s.result.tier)) : scored;
  const sampled: Candidate[] = sampleLeads(pool.map((s) => ({ ...s, tier: s.result.tier })), sampleSize, seed).map((s) => ({ lead: s.lead, result: s.result }));
  report.sampled = sampled.length;
  const prompt = (c: Candidate) => {
    const content = enrichmentRequest(c.lead, c.result, options.rules, options.model).messages[0]!.content;
    return typeof content === 'string' ? content : JSON.stringify(content);
  };

  let sent = sampled;
  const batch = report.batch;
  if (live) {
    const worstPerLead = sampled.map((c) => (worstCaseCostUsd(options.model, prompt(c), { batch }) ?? 0) * runsPerLead);
    if (options.maxCostUsd !== undefined) {
      let total = 0;
      const firstOver = worstPerLead.findIndex((w) => (total += w) > options.maxCostUsd!);
      if (firstOver !== -1) {
        sent = sampled.slice(0, firstOver);
        report.not_started = (sampled.length - firstOver) * runsPerLead;
        report.stop_reason = 'budget';
        report.stop_detail = `${firstOver} of ${sampled.length} leads (all ${runsPerLead} runs each) fit the $${options.maxCostUsd} budget at worst-case cost`;
      }
    }
    if (report.dry_run) {
      const priced = modelPrice(options.model) !== null;
      const systemTokens = estimateTokens(SYSTEM_PROMPT);
      const expected = sent.reduce((sum, c) => {
        const usage = { input_tokens: estimateTokens(prompt(c)), output_tokens: EXPECTED_OUTPUT_TOKENS, cache_read_input_tokens: systemTokens, cache_creation_input_tokens: 0 };
        return sum + (usageCostUsd(options.model, usage, { batch }) ?? 0) * runsPerLead;
      }, 0);
      report.estimate = {
        requests: sent.length * runsPerLead,
        expected_cost_usd: priced ? expected : null,
        worst_case_cost_usd: priced ? worstPerLead.slice(0, sent.length).reduce((a, b) => a + b, 0) : null,
      };
    }
  } else if (report.dry_run) {
    report.estimate = { requests: sent.length * runsPerLead, expected_cost_usd: 0, worst_case_cost_usd: 0 };
  }
  report.sent = sent.length;
  if (report.dry_run) {
    report.sent = 0;
    return finish([]);
  }

  if (batch) await runBatch(sent);
  else await runCalls(sent);
  return finish(sent);

  // --- live (or mock) calls through a bounded pool ---------------------------------------------------
  async function runCalls(candidates: Candidate[]): Promise<void> {
    const limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY));
    const total = candidates.length * runsPerLead;
    let done = 0;
    let failed = 0;
    const reportProgress = () => onProgress?.({ phase: 'calls', total, done, failed, spentUsd: report.cost_usd });
    const jobs = candidates.flatMap((c) => Array.from({ length: runsPerLead }, (_, i) => ({ c, run: i + 1 })));
    await Promise.all(
      jobs.map(({ c, run }) =>
        limit(async () => {
          if (signal?.aborted) {
            report.stop_reason ??= 'interrupted';
            report.not_started++;
            return;
          }
          try {
            const e = await enrichLead({ lead: c.lead, result: c.result, rules: options.rules, client, model: options.model, signal: abortInFlight, onUsage: addCost });
            const output = { fit_narrative: e.fit_narrative, recommended_action: e.recommended_action, confidence: e.confidence };
            runs.set(c.lead.id, [...(runs.get(c.lead.id) ?? []), { run, output, checks: e.checks! }]);
          } catch (error) {
            failed++;
            failures.set(c.lead.id, [...(failures.get(c.lead.id) ?? []), { run, reason: error instanceof Error ? error.message : String(error) }]);
          } finally {
            done++;
            reportProgress();
          }
        }),
      ),
    );
  }

  // --- Message Batches API: every run of every lead in one batch -------------------------------------
  async function runBatch(candidates: Candidate[]): Promise<void> {
    if (!candidates.length) return;
    if (signal?.aborted) {
      report.stop_reason = 'interrupted';
      report.not_started += candidates.length * runsPerLead;
      return;
    }
    const requests = candidates.flatMap((c, i) =>
      Array.from({ length: runsPerLead }, (_, r) => ({ custom_id: `qa_${i}_${r + 1}`, c, run: r + 1 })),
    );
    const created = await client!.messages.batches
      .create({ requests: requests.map((r) => ({ custom_id: r.custom_id, params: enrichmentRequest(r.c.lead, r.c.result, options.rules, options.model) })) })
      .catch((error: unknown) => {
        throw new AppError('UPSTREAM_ERROR', `Creating the narrative QA batch failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      });
    const state: BatchState = {
      version: 1,
      run_id: report.run_id,
      batch_id: created.id,
      model: options.model,
      seed,
      runs_per_lead: runsPerLead,
      sample_size: sampleSize,
      created_at: report.created_at,
      requests: requests.map((r) => ({ custom_id: r.custom_id, lead_id: r.c.lead.id, run: r.run, input_hash: leadInputHash(r.c.lead), rules_version: r.c.result.rulesVersion })),
    };
    await writeFileAtomic(options.batch!.statePath, `${JSON.stringify(state, null, 2)}\n`);
    await collectBatch(state);
  }

  async function collectBatch(state: BatchState): Promise<void> {
    const statePath = options.batch!.statePath;
    const pollMs = options.batch!.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    report.batch_id = state.batch_id;
    const total = state.requests.length;
    const progress = (status: string, done: number) =>
      onProgress?.({ phase: 'batch', total, done, failed: [...failures.values()].reduce((n, f) => n + f.length, 0), spentUsd: report.cost_usd, batch: { id: state.batch_id, status } });

    let batchNow = await client!.messages.batches.retrieve(state.batch_id);
    while (batchNow.processing_status !== 'ended') {
      const c = batchNow.request_counts;
      progress(batchNow.processing_status, c.succeeded + c.errored + c.canceled + c.expired);
      try {
        await sleep(pollMs, undefined, { signal });
      } catch {
        report.stop_reason = 'interrupted';
        report.stop_detail = `batch ${state.batch_id} is still ${batchNow.processing_status}; its id is kept in ${statePath}: run again with --batch to collect it`;
        return;
      }
      batchNow = await client!.messages.batches.retrieve(state.batch_id);
    }

    const requests = new Map(state.requests.map((r) => [r.custom_id, r]));
    let done = 0;
    for await (const item of await client!.messages.batches.results(state.batch_id)) {
      done++;
      const request = requests.get(item.custom_id);
      if (!request) {
        report.warnings.push(`Batch ${state.batch_id} returned an unknown custom_id "${item.custom_id}"; ignored.`);
        continue;
      }
      const fail = (reason: string) => failures.set(request.lead_id, [...(failures.get(request.lead_id) ?? []), { run: request.run, reason }]);
      const result = item.result;
      if (result.type !== 'succeeded') {
        fail(result.type === 'errored' ? `batch request errored: ${result.error.error.type}: ${result.error.error.message}` : `batch request ${result.type}`);
        continue;
      }
      const usage = tokenUsage(result.message.usage);
      addCost(usage, usageCostUsd(state.model, usage, { batch: true }));
      const answer = readAnswer(result.message);
      const current = byId.get(request.lead_id);
      if (!answer.ok) {
        fail(`invalid answer: ${answer.reason}`);
      } else if (!current || leadInputHash(current.lead) !== request.input_hash || current.result.rulesVersion !== request.rules_version) {
        fail('the lead or the rules changed since the batch was sent; answer dropped');
      } else {
        const checks = checkNarrative({ lead: current.lead, result: current.result, rules: options.rules }, answer.output);
        runs.set(request.lead_id, [...(runs.get(request.lead_id) ?? []), { run: request.run, output: answer.output, checks }]);
      }
      progress('ended', done);
    }
    await fs.rm(statePath, { force: true });
  }
}
