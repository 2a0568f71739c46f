import type Anthropic from '@anthropic-ai/sdk';
import { promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { z } from 'zod';
import { AppError, isAppError } from '../errors';
import { readOptionalJsonFile } from '../json-file';
import { writeFileAtomic } from '../fs-atomic';
import { leadInputHash, toScorable, type Lead, type ScorableLead } from '../lead';
import type { RuleSet } from '../rules';
import { scoreLead, type ScoreResult, type Tier } from '../scoring';
import type { LeadStore } from '../store/types';
import { addUsage, buildEnrichment, enrichLead, enrichmentRequest, readAnswer, tokenUsage, worstCaseCostUsd, ZERO_USAGE } from './enrich';
import { checkNarrative } from './grounding';
import { estimateTokens, modelPrice, usageCostUsd } from './pricing';
import { SYSTEM_PROMPT } from './prompt';
import { enrichmentStatus, GROUNDING_CHECK_LABEL, type Enrichment, type EnrichmentOutput, type GroundingCheck, type NarrativeChecks, type TokenUsage } from './schema';

/**
 * The batch enrichment job as a library function: the CLI (scripts/enrich_leads.ts), the tests and the
 * benchmark all call `runEnrichmentJob`. It picks the leads that need a narrative, calls Claude with a
 * bounded pool (or the Message Batches API), and checkpoints results into the store as they arrive, so
 * a crash loses at most the calls in flight and a rerun never pays twice for a lead already done.
 */

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_POLL_INTERVAL_MS = 10_000;
/** A typical answer: two short lines in JSON. Only used for the dry run's expected cost. */
export const EXPECTED_OUTPUT_TOKENS = 150;

export interface EnrichmentJobOptions {
  leads: readonly Lead[];
  rules: RuleSet;
  /** Reference time for recency rules (`resolveAsOf`). */
  now: Date;
  model: string;
  /** Re-enrich leads whose narrative is current. */
  force?: boolean;
  limit?: number;
  tiers?: readonly Tier[];
  ids?: readonly string[];
  concurrency?: number;
  /** Estimate and report; send nothing, write nothing. */
  dryRun?: boolean;
  /** Start no call that could take the spend past this many USD. */
  maxCostUsd?: number;
  /** Use the Message Batches API; the state file keeps the batch id so a stopped run resumes it. */
  batch?: { statePath: string; pollIntervalMs?: number };
}

export type JobPhase = 'calls' | 'batch';

export interface JobProgress {
  phase: JobPhase;
  total: number;
  done: number;
  enriched: number;
  failed: number;
  inFlight: number;
  /** null when the model has no known price. */
  spentUsd: number | null;
  elapsedMs: number;
  batch?: { id: string; status: string; processing: number };
}

export interface JobContext {
  store: LeadStore;
  /** null: mock mode. */
  client: Anthropic | null;
  onProgress?: (progress: JobProgress) => void;
  /** Aborted: start no new call; calls in flight finish and are saved (Ctrl-C). */
  signal?: AbortSignal;
  /** Aborted: abort the calls in flight as well (a second Ctrl-C). */
  abortInFlight?: AbortSignal;
}

export type StopReason = 'budget' | 'interrupted' | 'fatal' | 'store';

export interface JobSummary {
  mode: 'claude' | 'mock';
  dryRun: boolean;
  batch: boolean;
  batchId: string | null;
  /** True when this run picked up a batch created by an earlier run. */
  resumedBatch: boolean;
  model: string;
  /** Leads left after --ids / --tier. */
  considered: number;
  /** Leads chosen to enrich (after --limit). */
  selected: number;
  enriched: number;
  skipped: { current: number; keptClaude: number; overLimit: number };
  failed: { leadId: string; reason: string }[];
  /** Chosen but never sent: the budget or an interruption stopped the job first. */
  notStarted: number;
  stopReason: StopReason | null;
  stopDetail: string | null;
  unknownIds: string[];
  usage: TokenUsage;
  /** null: the model has no price on file. */
  costUsd: number | null;
  maxCostUsd: number | null;
  /** Dry run only. */
  estimate: { inputTokens: number; outputTokens: number; expectedCostUsd: number | null; worstCaseCostUsd: number | null } | null;
  wallMs: number;
  /** Per call, successful ones; null in batch mode (per-request latency is not observable there). */
  latencyMs: { p50: number | null; p95: number | null };
  /**
   * Store writes; the longest a result waited for its write to start (the flush cadence, plus any
   * write still running), and the longest one write took.
   */
  checkpoint: { writes: number; maxWaitMs: number; maxWriteMs: number };
  /**
   * Grounding checks on the narratives this run wrote (./grounding.ts): how many were checked and flagged,
   * findings per check, and how many could not be checked (a resumed batch whose lead changed since).
   */
  grounding: GroundingTally;
  warnings: string[];
}

export interface GroundingTally {
  checked: number;
  flagged: number;
  unchecked: number;
  byCheck: Partial<Record<GroundingCheck, number>>;
}

/** "2 of 40 flagged (number not in the record 1, different tier 1)", for summaries. */
export function formatGroundingTally(tally: GroundingTally): string {
  const parts = Object.entries(tally.byCheck).map(([check, n]) => `${GROUNDING_CHECK_LABEL[check as GroundingCheck].toLowerCase()} ${n}`);
  const unchecked = tally.unchecked ? `; ${tally.unchecked} not checked (the lead changed since the request)` : '';
  return `${tally.flagged} of ${tally.checked} flagged${parts.length ? ` (${parts.join(', ')})` : ''}${unchecked}`;
}

/** Adds one narrative's checks to a tally. */
export function tallyGrounding(tally: GroundingTally, checks: NarrativeChecks | undefined): void {
  if (!checks) {
    tally.unchecked++;
    return;
  }
  tally.checked++;
  if (checks.findings.length > 0) tally.flagged++;
  for (const check of new Set(checks.findings.map((f) => f.check))) tally.byCheck[check] = (tally.byCheck[check] ?? 0) + 1;
}

interface Candidate {
  lead: ScorableLead;
  result: ScoreResult;
  inputHash: string;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Saves each result as soon as it arrives. While one write is running, results that arrive meanwhile wait
 * for it and then go together in the next write (a store's write costs about the same for one result or
 * twenty), so nothing waits for a timer or a batch to fill. Writes are serialised; a failed write keeps its
 * results for the next attempt, and `close` makes that last attempt.
 */
class Checkpointer {
  private pending: { enrichment: Enrichment; at: number; settled: () => void }[] = [];
  private writing: Promise<void> | null = null;
  writes = 0;
  /** Longest a result waited for its write to start, and longest a write took. */
  maxWaitMs = 0;
  maxWriteMs = 0;
  error: unknown = null;

  constructor(private readonly store: LeadStore) {}

  /**
   * Resolves once the result is in the store, or once a write including it failed (`error` says so): then it
   * stays pending, for the next write or `close`.
   */
  save(enrichment: Enrichment): Promise<void> {
    return new Promise((settled) => {
      this.pending.push({ enrichment, at: performance.now(), settled });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const taken = this.pending.splice(0);
        const start = performance.now();
        try {
          await this.store.saveEnrichments(taken.map((p) => p.enrichment));
        } catch (error) {
          this.pending.unshift(...taken);
          this.error = error;
          for (const p of taken) p.settled();
          return;
        }
        this.error = null;
        this.writes++;
        this.maxWaitMs = Math.max(this.maxWaitMs, start - taken[0]!.at);
        this.maxWriteMs = Math.max(this.maxWriteMs, performance.now() - start);
        for (const p of taken) p.settled();
      }
    } finally {
      this.writing = null;
    }
  }

  async close(): Promise<void> {
    await this.writing;
    if (this.pending.length) await (this.writing ??= this.drain());
    if (this.pending.length) {
      throw new AppError('STORE_ERROR', `Could not save ${this.pending.length} enrichment(s): ${this.error instanceof Error ? this.error.message : String(this.error)}`, {
        safeMessage: 'Could not save enrichments.',
        cause: this.error,
      });
    }
  }
}

const batchStateSchema = z.object({
  version: z.literal(1),
  batch_id: z.string().min(1),
  model: z.string().min(1),
  created_at: z.iso.datetime(),
  requests: z.array(
    z.object({
      custom_id: z.string().min(1),
      lead_id: z.string().min(1),
      input_hash: z.string().min(1),
      rules_version: z.string().min(1),
      score: z.number().int().min(0).max(100),
    }),
  ),
});
type BatchState = z.infer<typeof batchStateSchema>;

async function readBatchState(path: string): Promise<BatchState | null> {
  const raw = await readOptionalJsonFile(path, { label: 'Batch state file' });
  if (raw === undefined) return null;
  const parsed = batchStateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new AppError('INVALID_INPUT', `Batch state file ${path} is not valid (${parsed.error.issues[0]?.message}); delete it to start a new batch.`);
}

export async function runEnrichmentJob(options: EnrichmentJobOptions, context: JobContext): Promise<JobSummary> {
  const started = performance.now();
  const { store, client, onProgress, signal, abortInFlight } = context;
  const live = client !== null;
  const summary: JobSummary = {
    mode: live ? 'claude' : 'mock',
    dryRun: options.dryRun ?? false,
    batch: live && options.batch !== undefined,
    batchId: null,
    resumedBatch: false,
    model: live ? options.model : 'mock',
    considered: 0,
    selected: 0,
    enriched: 0,
    skipped: { current: 0, keptClaude: 0, overLimit: 0 },
    failed: [],
    notStarted: 0,
    stopReason: null,
    stopDetail: null,
    unknownIds: [],
    usage: ZERO_USAGE,
    costUsd: 0,
    maxCostUsd: options.maxCostUsd ?? null,
    estimate: null,
    wallMs: 0,
    latencyMs: { p50: null, p95: null },
    checkpoint: { writes: 0, maxWaitMs: 0, maxWriteMs: 0 },
    grounding: { checked: 0, flagged: 0, unchecked: 0, byCheck: {} },
    warnings: [],
  };
  if (!live && options.batch) summary.warnings.push('--batch needs an API key: mock narratives are written directly.');
  if (live && !modelPrice(options.model)) {
    summary.costUsd = null;
    summary.warnings.push(`No price on file for model "${options.model}" (lib/enrichment/pricing.ts): cost is reported as unknown.`);
    if (options.maxCostUsd !== undefined) {
      throw new AppError('CONFIG_ERROR', `--max-cost needs a known price, and model "${options.model}" has none in lib/enrichment/pricing.ts.`);
    }
  }

  const checkpoint = new Checkpointer(store);
  const finish = async (): Promise<JobSummary> => {
    await checkpoint.close();
    summary.checkpoint = { writes: checkpoint.writes, maxWaitMs: Math.round(checkpoint.maxWaitMs), maxWriteMs: Math.round(checkpoint.maxWriteMs) };
    summary.wallMs = Math.round(performance.now() - started);
    return summary;
  };

  const state = summary.batch && !summary.dryRun ? await readBatchState(options.batch!.statePath) : null;
  if (state) {
    await resumeBatch(state);
    return finish();
  }

  const candidates = await selectLeads(options, store, live, summary);
  if (summary.dryRun) {
    summary.estimate = estimate(candidates);
    return finish();
  }
  if (summary.batch) {
    await runBatch(candidates);
    return finish();
  }
  await runCalls(candidates);
  return finish();

  // --- live or mock calls through a bounded pool -------------------------------------------------
  async function runCalls(candidates: Candidate[]): Promise<void> {
    const limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY));
    const latencies: number[] = [];
    let spent = 0;
    let reserved = 0;
    let inFlight = 0;
    let done = 0;
    /** Tasks waiting for a reservation to be released. */
    const settled: (() => void)[] = [];
    const report = () =>
      onProgress?.({
        phase: 'calls',
        total: candidates.length,
        done,
        enriched: summary.enriched,
        failed: summary.failed.length,
        inFlight,
        spentUsd: summary.costUsd === null ? null : spent,
        elapsedMs: performance.now() - started,
      });

    const stopBeforeStart = (): boolean => {
      if (signal?.aborted) summary.stopReason ??= 'interrupted';
      if (checkpoint.error && !summary.stopReason) {
        summary.stopReason = 'store';
        summary.stopDetail = `saving results failed: ${checkpoint.error instanceof Error ? checkpoint.error.message : String(checkpoint.error)}`;
      }
      return summary.stopReason !== null;
    };

    await Promise.all(
      candidates.map((candidate) =>
        limit(async () => {
          if (stopBeforeStart()) {
            summary.notStarted++;
            return;
          }
          let reservation = 0;
          if (live && options.maxCostUsd !== undefined) {
            reservation = worstCaseCostUsd(options.model, enrichmentUserPrompt(candidate))!;
            // Calls in flight hold reservations: wait for them to settle before concluding the budget is spent.
            while (spent + reserved + reservation > options.maxCostUsd) {
              if (reserved === 0 || stopBeforeStart()) {
                if (!summary.stopReason) {
                  summary.stopReason = 'budget';
                  summary.stopDetail = `spent $${spent.toFixed(4)} of $${options.maxCostUsd}; the next call could cost up to $${reservation.toFixed(4)}`;
                }
                summary.notStarted++;
                return;
              }
              await new Promise<void>((resolve) => settled.push(resolve));
            }
            reserved += reservation;
          }
          inFlight++;
          try {
            const enrichment = await enrichLead({
              lead: candidate.lead,
              result: candidate.result,
              rules: options.rules,
              client,
              model: options.model,
              signal: abortInFlight,
              onUsage: (usage, cost) => {
                summary.usage = addUsage(summary.usage, usage);
                spent += cost ?? 0;
                if (summary.costUsd !== null) summary.costUsd = spent;
              },
            });
            latencies.push(enrichment.latency_ms);
            summary.enriched++;
            tallyGrounding(summary.grounding, enrichment.checks);
            // The call counts as in flight, holding its slot in the pool, until its result is in the store:
            // a SIGKILL at any moment loses at most `concurrency` answers.
            await checkpoint.save(enrichment);
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            summary.failed.push({ leadId: candidate.lead.id, reason });
            if (isAppError(error) && error.code === 'CONFIG_ERROR' && !summary.stopReason) {
              summary.stopReason = 'fatal';
              summary.stopDetail = reason;
            }
          } finally {
            inFlight--;
            reserved -= reservation;
            done++;
            for (const wake of settled.splice(0)) wake();
            report();
          }
        }),
      ),
    );
    latencies.sort((a, b) => a - b);
    summary.latencyMs = { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
  }

  // --- Message Batches API ---------------------------------------------------------------------------
  async function runBatch(candidates: Candidate[]): Promise<void> {
    const batchClient = client!;
    const { statePath } = options.batch!;
    let chosen = candidates;
    if (options.maxCostUsd !== undefined) {
      let total = 0;
      const firstOver = candidates.findIndex((c) => (total += worstCaseCostUsd(options.model, enrichmentUserPrompt(c), { batch: true })!) > options.maxCostUsd!);
      if (firstOver !== -1) {
        chosen = candidates.slice(0, firstOver);
        summary.notStarted = candidates.length - firstOver;
        summary.stopReason = 'budget';
        summary.stopDetail = `only ${firstOver} of ${candidates.length} requests fit the $${options.maxCostUsd} budget at worst-case cost`;
      }
    }
    if (!chosen.length) return;
    if (signal?.aborted) {
      summary.notStarted += chosen.length;
      summary.stopReason = 'interrupted';
      return;
    }
    const requests = chosen.map((c, i) => ({ customId: `lead_${i}`, candidate: c }));
    const batch = await batchClient.messages.batches
      .create({ requests: requests.map((r) => ({ custom_id: r.customId, params: enrichmentRequest(r.candidate.lead, r.candidate.result, options.rules, options.model) })) })
      .catch((error: unknown) => {
        throw new AppError('UPSTREAM_ERROR', `Creating the message batch failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      });
    const state: BatchState = {
      version: 1,
      batch_id: batch.id,
      model: options.model,
      created_at: new Date().toISOString(),
      requests: requests.map((r) => ({
        custom_id: r.customId,
        lead_id: r.candidate.lead.id,
        input_hash: r.candidate.inputHash,
        rules_version: r.candidate.result.rulesVersion,
        score: r.candidate.result.score,
      })),
    };
    await writeFileAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
    await collectBatch(state);
  }

  async function resumeBatch(state: BatchState): Promise<void> {
    summary.resumedBatch = true;
    summary.model = state.model;
    summary.selected = state.requests.length;
    if (state.model !== options.model) summary.warnings.push(`Resuming batch ${state.batch_id}, created with model "${state.model}" (not "${options.model}").`);
    await collectBatch(state);
  }

  /** Polls the batch until it ends, then streams its results into the store. Ctrl-C leaves it running. */
  async function collectBatch(state: BatchState): Promise<void> {
    const batchClient = client!;
    const statePath = options.batch!.statePath;
    const pollMs = options.batch!.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    summary.batchId = state.batch_id;
    const total = state.requests.length;
    const progress = (status: string, processing: number, done: number) =>
      onProgress?.({
        phase: 'batch',
        total,
        done,
        enriched: summary.enriched,
        failed: summary.failed.length,
        inFlight: processing,
        spentUsd: summary.costUsd,
        elapsedMs: performance.now() - started,
        batch: { id: state.batch_id, status, processing },
      });

    let batch = await batchClient.messages.batches.retrieve(state.batch_id);
    while (batch.processing_status !== 'ended') {
      const c = batch.request_counts;
      progress(batch.processing_status, c.processing, c.succeeded + c.errored + c.canceled + c.expired);
      try {
        await sleep(pollMs, undefined, { signal });
      } catch {
        summary.stopReason = 'interrupted';
        summary.stopDetail = `batch ${state.batch_id} is still ${batch.processing_status}; its id is kept in ${statePath}: run again to collect the results`;
        return;
      }
      batch = await batchClient.messages.batches.retrieve(state.batch_id);
    }

    const byCustomId = new Map(state.requests.map((r) => [r.custom_id, r]));
    const leadsById = new Map(options.leads.map((l) => [l.id, l]));
    const turnaroundMs = Math.max(0, Date.parse(batch.ended_at ?? batch.created_at) - Date.parse(batch.created_at));
    let done = 0;
    for await (const item of await batchClient.messages.batches.results(state.batch_id)) {
      const request = byCustomId.get(item.custom_id);
      done++;
      if (!request) {
        summary.warnings.push(`Batch ${state.batch_id} returned an unknown custom_id "${item.custom_id}"; ignored.`);
        continue;
      }
      const fail = (reason: string) => summary.failed.push({ leadId: request.lead_id, reason });
      const result = item.result;
      if (result.type !== 'succeeded') {
        fail(result.type === 'errored' ? `batch request errored: ${result.error.error.type}: ${result.error.error.message}` : `batch request ${result.type}`);
        continue;
      }
      const usage = tokenUsage(result.message.usage);
      const cost = usageCostUsd(state.model, usage, { batch: true });
      summary.usage = addUsage(summary.usage, usage);
      if (summary.costUsd !== null) summary.costUsd = cost === null ? null : summary.costUsd + cost;
      const answer = readAnswer(result.message);
      if (!answer.ok) {
        fail(`invalid answer (not retried in batch mode; a rerun sends it again): ${answer.reason}`);
      } else if (!leadsById.has(request.lead_id)) {
        fail('the lead is no longer in the leads file; answer dropped');
      } else {
        summary.enriched++;
        const checks = batchGrounding(request, leadsById.get(request.lead_id)!, answer.output);
        tallyGrounding(summary.grounding, checks);
        // Not awaited one by one: until the state file goes (after `close`), a rerun collects the batch again.
        void checkpoint.save(
          buildEnrichment({
            leadId: request.lead_id,
            inputHash: request.input_hash,
            rulesVersion: request.rules_version,
            score: request.score,
            output: answer.output,
            source: 'claude',
            model: state.model,
            usage,
            costUsd: cost,
            latencyMs: turnaroundMs,
            enrichedAt: new Date(),
            checks,
          }),
        );
      }
      progress('ended', 0, done);
    }
    await checkpoint.close();
    await fs.rm(statePath, { force: true });
  }

  /**
   * A batch answer is checked against the lead it was written for: the lead as it is now, when its input
   * hash and rules version still match the request's (a resumed batch may find the lead changed since).
   */
  function batchGrounding(request: BatchState['requests'][number], full: Lead, output: EnrichmentOutput): NarrativeChecks | undefined {
    const lead = toScorable(full);
    const result = scoreLead(lead, { rules: options.rules, now: options.now });
    if (leadInputHash(lead) !== request.input_hash || result.rulesVersion !== request.rules_version) return undefined;
    return checkNarrative({ lead, result, rules: options.rules }, output);
  }

  function enrichmentUserPrompt(candidate: Candidate): string {
    const content = enrichmentRequest(candidate.lead, candidate.result, options.rules, options.model).messages[0]!.content;
    return typeof content === 'string' ? content : JSON.stringify(content);
  }

  /** Dry run: the system prompt written to the cache once and read back by every later call. */
  function estimate(candidates: Candidate[]): JobSummary['estimate'] {
    const { model } = options;
    const batch = summary.batch;
    const systemTokens = estimateTokens(SYSTEM_PROMPT);
    let userTokens = 0;
    let worst = 0;
    for (const c of candidates) {
      const prompt = enrichmentUserPrompt(c);
      userTokens += estimateTokens(prompt);
      worst += worstCaseCostUsd(model, prompt, { batch }) ?? 0;
    }
    const n = candidates.length;
    const usage: TokenUsage = {
      input_tokens: userTokens,
      output_tokens: n * EXPECTED_OUTPUT_TOKENS,
      cache_creation_input_tokens: n ? systemTokens : 0,
      cache_read_input_tokens: Math.max(0, n - 1) * systemTokens,
    };
    if (!live) return { inputTokens: 0, outputTokens: 0, expectedCostUsd: 0, worstCaseCostUsd: 0 };
    const priced = modelPrice(model) !== null;
    return {
      inputTokens: userTokens + n * systemTokens,
      outputTokens: usage.output_tokens,
      expectedCostUsd: priced ? usageCostUsd(model, usage, { batch }) : null,
      worstCaseCostUsd: priced ? worst : null,
    };
  }
}

/** Scores every lead and picks the ones whose narrative is missing or stale (or all, with --force). */
async function selectLeads(options: EnrichmentJobOptions, store: LeadStore, live: boolean, summary: JobSummary): Promise<Candidate[]> {
  const ids = options.ids ? new Set(options.ids) : null;
  if (ids) {
    const present = new Set(options.leads.map((l) => l.id));
    summary.unknownIds = [...ids].filter((id) => !present.has(id));
    if (summary.unknownIds.length) summary.warnings.push(`--ids not in the leads file: ${summary.unknownIds.join(', ')}`);
  }
  const tiers = options.tiers ? new Set(options.tiers) : null;
  const existing = await store.enrichments();
  const candidates: Candidate[] = [];
  for (const full of options.leads) {
    if (ids && !ids.has(full.id)) continue;
    const lead = toScorable(full);
    const result = scoreLead(lead, { rules: options.rules, now: options.now });
    if (tiers && !tiers.has(result.tier)) continue;
    summary.considered++;
    const inputHash = leadInputHash(lead);
    const current = existing.get(lead.id);
    // Mock mode never overwrites a narrative Claude wrote, current or stale: only Claude replaces it.
    if (!live && current?.source === 'claude') {
      summary.skipped.keptClaude++;
      continue;
    }
    const status = enrichmentStatus(current, { inputHash, rulesVersion: result.rulesVersion });
    const needed = options.force || status === 'none' || status === 'stale' || (live && status === 'mock');
    if (!needed) {
      summary.skipped.current++;
      continue;
    }
    candidates.push({ lead, result, inputHash });
  }
  // Best leads first, so a budget or a --limit spends on the leads SDRs call first.
  candidates.sort((a, b) => b.result.score - a.result.score || (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0));
  const limited = options.limit !== undefined ? candidates.slice(0, options.limit) : candidates;
  summary.skipped.overLimit = candidates.length - limited.length;
  summary.selected = limited.length;
  return limited;
}
