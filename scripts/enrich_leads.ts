/**
 * `npm run enrich -- [flags]`: writes a Claude fit narrative for every lead that lacks a current one.
 * A thin CLI over `runEnrichmentJob` (lib/enrichment/job.ts); `--help` lists the flags.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { resolveAsOf } from '../lib/as-of';
import { createClaudeClient, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from '../lib/enrichment/claude';
import { formatUsd } from '../lib/enrichment/pricing';
import { DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_MS, formatGroundingTally, runEnrichmentJob, type JobProgress, type JobSummary } from '../lib/enrichment/job';
import { env, parseEnv } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { loadLeadsFile } from '../lib/leads-file';
import { loadRuleSet } from '../lib/rules-file';
import { TIERS, type Tier } from '../lib/scoring';
import { createFileStore } from '../lib/store/file';
import { createStore } from '../lib/store/index';
import type { LeadStore } from '../lib/store/types';
import { booleanFlag, commaList, createProgress, defineCommand, EXIT, interruptSignals, positiveNumber, sharedFlags, wholeNumber, type FlagValues, type Progress } from './cli';

const flags = {
  leads: sharedFlags.leads,
  'skip-invalid': sharedFlags['skip-invalid'],
  rules: sharedFlags.rules,
  store: sharedFlags.store,
  out: { ...sharedFlags.out, help: 'file store: the enrichments file to write (default: ENRICHMENTS_PATH)' },
  model: { value: 'ID', help: 'Claude model (default: ANTHROPIC_MODEL, claude-sonnet-5-5)', schema: z.string().trim().min(1, 'needs a model id').optional() },
  force: booleanFlag('re-enrich leads whose narrative is current'),
  limit: { value: 'N', help: 'enrich at most N leads (highest scores first)', schema: wholeNumber({ min: 1 }).optional() },
  tier: {
    value: 'LIST',
    help: 'only these tiers, e.g. HOT,WARM',
    schema: commaList()
      .transform((tiers) => tiers.map((t) => t.toUpperCase()))
      .pipe(z.array(z.enum(TIERS as [Tier, ...Tier[]], { error: `takes ${TIERS.join(', ')}` })))
      .optional(),
  },
  ids: { value: 'LIST', help: 'only these lead ids, e.g. L-001,L-002', schema: commaList().optional() },
  concurrency: { value: 'N', help: 'calls in flight at once', schema: wholeNumber({ min: 1, max: 64 }).default(DEFAULT_CONCURRENCY) },
  'max-cost': { value: 'USD', help: 'start no call that could take the spend past this budget', schema: positiveNumber().optional() },
  'dry-run': booleanFlag('show how many leads would be sent, estimated tokens and cost; send nothing'),
  batch: booleanFlag('use the Message Batches API (half price, results within 24 h; resumable)'),
  'poll-interval': { value: 'SECONDS', help: 'batch status poll interval', schema: positiveNumber().default(DEFAULT_POLL_INTERVAL_MS / 1000) },
  'max-retries': { value: 'N', help: 'SDK retries per call on 429/5xx/529/connection errors', schema: wholeNumber({ min: 0, max: 10 }).default(DEFAULT_MAX_RETRIES) },
  timeout: { value: 'SECONDS', help: 'per-request timeout', schema: positiveNumber().default(DEFAULT_TIMEOUT_MS / 1000) },
};
type Flags = FlagValues<typeof flags>;

async function openStore(flags: Flags, config: ReturnType<typeof env>, leadsPath: string, rules: Awaited<ReturnType<typeof loadRuleSet>>): Promise<{ store: LeadStore; where: string }> {
  const kind = flags.store ?? config.LEAD_STORE;
  if (kind === 'file') {
    const enrichmentsPath = flags.out ?? config.ENRICHMENTS_PATH;
    const store = createFileStore({ leadsPath, enrichmentsPath, rules, asOf: config.SCORING_AS_OF, skipInvalid: flags['skip-invalid'], leadsOrigin: flags.leads ? '--leads' : 'LEADS_PATH' });
    return { store, where: enrichmentsPath };
  }
  // Validating the environment as if LEAD_STORE were `kind` names any connection variable it lacks.
  return { store: await createStore(parseEnv({ ...process.env, LEAD_STORE: kind })), where: `${kind} store` };
}


/** The job's progress as the shared progress line; created at the first report, which knows the total. */
function progressPrinter(): { onProgress: (p: JobProgress) => void; end: () => void } {
  let progress: Progress | undefined;
  return {
    onProgress: (p) => {
      progress ??= createProgress({ label: 'enrich', total: p.total });
      const spend = p.spentUsd === null ? '' : ` · ${formatUsd(p.spentUsd)} spent`;
      const counts = `${p.enriched} enriched · ${p.failed} failed`;
      const detail = p.phase === 'batch' ? `batch ${p.batch?.id} ${p.batch?.status} · ${counts} · ${p.batch?.processing ?? 0} processing${spend}` : `${counts} · ${p.inFlight} in flight${spend}`;
      progress.update(p.done, detail);
    },
    end: () => progress?.end(),
  };
}

const MOCK_BANNER = [
  '='.repeat(78),
  '  MOCK MODE: ANTHROPIC_API_KEY is not set. NO narrative below was written by Claude.',
  '  Mock narratives are built from the score breakdown, start with "[mock]", and are stored',
  '  with source "mock", model "mock", cost $0. Set ANTHROPIC_API_KEY to get real ones.',
  '='.repeat(78),
].join('\n');

function printSummary(s: JobSummary, where: string): void {
  const out: string[] = [];
  if (s.mode === 'mock') out.push(MOCK_BANNER);
  out.push(`Enrichment ${s.dryRun ? 'dry run (nothing sent, nothing written)' : 'summary'}: ${s.mode === 'mock' ? 'MOCK' : `Claude ${s.model}`}${s.batch ? `, Message Batches API${s.batchId ? ` (batch ${s.batchId}${s.resumedBatch ? ', resumed' : ''})` : ''}` : ''}`);
  out.push(`  leads considered: ${s.considered}${s.resumedBatch ? ' (resumed batch: not re-selected)' : ''}; selected: ${s.selected}`);
  if (s.dryRun && s.mode === 'mock') {
    out.push(`  would write ${s.selected} mock narrative(s): no API key, so nothing would be sent and nothing would be spent`);
  } else if (s.dryRun && s.estimate) {
    out.push(`  would send ${s.selected} request(s): ~${s.estimate.inputTokens.toLocaleString('en-US')} input tokens (characters / 3.5), ~${s.estimate.outputTokens.toLocaleString('en-US')} output tokens`);
    out.push(`  estimated cost: ${formatUsd(s.estimate.expectedCostUsd)} expected, ${formatUsd(s.estimate.worstCaseCostUsd)} worst case (full max_tokens${s.batch ? '' : ', one retry each'})`);
  } else {
    out.push(`  enriched: ${s.enriched}`);
    out.push(`  failed: ${s.failed.length}`);
    for (const f of s.failed.slice(0, 20)) out.push(`    - ${f.leadId}: ${f.reason}`);
    if (s.failed.length > 20) out.push(`    … and ${s.failed.length - 20} more`);
    if (s.notStarted) out.push(`  not started: ${s.notStarted} (a rerun picks them up)`);
    if (s.enriched) out.push(`  grounding checks: ${formatGroundingTally(s.grounding)}`);
  }
  out.push(`  skipped: ${s.skipped.current} already current${s.skipped.keptClaude ? `, ${s.skipped.keptClaude} with a Claude narrative (mock mode never replaces one)` : ''}${s.skipped.overLimit ? `, ${s.skipped.overLimit} over --limit` : ''}`);
  if (!s.dryRun) {
    const u = s.usage;
    out.push(`  tokens: ${u.input_tokens.toLocaleString('en-US')} input, ${u.output_tokens.toLocaleString('en-US')} output, ${u.cache_creation_input_tokens.toLocaleString('en-US')} cache write, ${u.cache_read_input_tokens.toLocaleString('en-US')} cache read`);
    out.push(`  cost: ${formatUsd(s.costUsd)}${s.maxCostUsd !== null ? ` (budget $${s.maxCostUsd})` : ''}${s.batch ? ' at batch prices' : ''}`);
    out.push(`  wall time: ${(s.wallMs / 1000).toFixed(1)} s; latency per call: ${s.latencyMs.p50 === null ? 'n/a' : `p50 ${s.latencyMs.p50} ms, p95 ${s.latencyMs.p95} ms`}`);
    out.push(`  saved to ${where}: ${s.checkpoint.writes} write(s); a result waited at most ${s.checkpoint.maxWaitMs} ms for its write, the longest write took ${s.checkpoint.maxWriteMs} ms`);
  }
  if (s.stopReason === 'budget') out.push(`  STOPPED AT THE BUDGET: ${s.stopDetail}. Everything that finished is saved.`);
  if (s.stopReason === 'interrupted') out.push(`  INTERRUPTED: ${s.stopDetail ?? 'no new calls were started; everything that finished is saved'}.`);
  if (s.stopReason === 'fatal') out.push(`  STOPPED: ${s.stopDetail}`);
  if (s.stopReason === 'store') out.push(`  STOPPED: ${s.stopDetail}`);
  for (const w of s.warnings) out.push(`  warning: ${w}`);
  if (s.mode === 'mock') out.push(MOCK_BANNER);
  console.log(out.join('\n'));
}

export default defineCommand(import.meta.url, {
  name: 'enrich',
  summary: 'Writes a Claude fit narrative for every lead that lacks a current one (none yet, or the lead or the rules changed since).',
  details: [
    'Asks Claude for one narrative per lead and saves each as it arrives. Without ANTHROPIC_API_KEY it writes labelled',
    'mock narratives instead. Rerunning never pays twice for a lead already done.',
    '',
    'Ctrl-C stops starting new calls, saves what arrived and exits with code 130; press it again to',
    'abort the calls in flight. With --batch, Ctrl-C leaves the batch running: rerun to collect it.',
  ].join('\n'),
  flags,
  exitCodes: { [EXIT.FAILED]: 'a lead failed, or an error (the budget stopping the run is not one)', [EXIT.INTERRUPTED]: 'interrupted (Ctrl-C): what arrived is saved; rerun to go on' },
  exitWhenDone: true,
  run: ({ flags }) => enrich(flags),
});

async function enrich(flags: Flags): Promise<number> {
  const config = env();
  const kind = flags.store ?? config.LEAD_STORE;
  if (flags.out && kind !== 'file') throw new AppError('USAGE', `--out applies to the file store only (this run uses --store ${kind})`);
  const leadsPath = flags.leads ?? config.LEADS_PATH;
  const { leads, issues, rejected } = await loadLeadsFile(leadsPath, { skipInvalid: flags['skip-invalid'], origin: flags.leads ? '--leads' : 'LEADS_PATH' });
  if (rejected) console.warn(`Skipped ${rejected} invalid record(s) in ${leadsPath}:\n${formatIssues(issues)}`);
  const rules = await loadRuleSet(flags.rules ?? config.SCORING_RULES, { origin: flags.rules ? '--rules' : 'SCORING_RULES' });
  const now = resolveAsOf(leads, config.SCORING_AS_OF);
  const client = createClaudeClient(config, { maxRetries: flags['max-retries'], timeoutMs: flags.timeout * 1000 });
  if (!client) console.warn(MOCK_BANNER);
  const { store, where } = await openStore(flags, config, leadsPath, rules);
  const batchStatePath = `${flags.out ?? config.ENRICHMENTS_PATH}.batch.json`;
  if (!flags.batch && !flags['dry-run'] && existsSync(batchStatePath)) {
    // Sending those leads again as live calls would pay for them twice.
    throw new AppError('CONFIG_ERROR', `A batch from an earlier run is still pending (${batchStatePath}). Rerun with --batch to collect it, or delete that file to discard it.`);
  }

  const { stop, abortInFlight } = interruptSignals({
    stop: 'starting no new calls; waiting for the calls in flight and saving (again to abort them).',
    abort: 'aborting the calls in flight; saving what arrived.',
  });

  const progress = progressPrinter();
  try {
    const summary = await runEnrichmentJob(
      {
        leads,
        rules,
        now,
        model: flags.model ?? config.ANTHROPIC_MODEL,
        force: flags.force,
        limit: flags.limit,
        tiers: flags.tier,
        ids: flags.ids,
        concurrency: flags.concurrency,
        dryRun: flags['dry-run'],
        maxCostUsd: flags['max-cost'],
        batch: flags.batch ? { statePath: batchStatePath, pollIntervalMs: flags['poll-interval'] * 1000 } : undefined,
      },
      { store, client, onProgress: progress.onProgress, signal: stop, abortInFlight },
    );
    progress.end();
    printSummary(summary, where);
    if (stop.aborted || summary.stopReason === 'interrupted') return EXIT.INTERRUPTED;
    return summary.failed.length > 0 || summary.stopReason === 'fatal' || summary.stopReason === 'store' ? EXIT.FAILED : EXIT.OK;
  } finally {
    progress.end();
    await store.close?.();
  }
}

