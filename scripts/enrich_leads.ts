/**
 * `npm run enrich -- [flags]`: writes a Claude fit narrative for every lead that lacks a current one.
 * A thin CLI over `runEnrichmentJob` (lib/enrichment/job.ts); `--help` lists the flags.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveAsOf } from '../lib/as-of';
import { createClaudeClient, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from '../lib/enrichment/claude';
import { DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_MS, formatGroundingTally, runEnrichmentJob, type JobProgress, type JobSummary } from '../lib/enrichment/job';
import { env, parseEnv } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { loadLeadsFile } from '../lib/leads-file';
import { loadRuleSet } from '../lib/rules-file';
import { TIERS, type Tier } from '../lib/scoring';
import { createFileStore } from '../lib/store/file';
import { createStore } from '../lib/store/index';
import type { LeadStore } from '../lib/store/types';
import { runMain } from './cli';

const HELP = `Usage: npm run enrich -- [flags]

Picks the leads without a current narrative (none yet, or the lead or the rules changed since), asks
Claude for one per lead, and saves each as it arrives. Without ANTHROPIC_API_KEY it writes labelled
mock narratives instead. Rerunning never pays twice for a lead already done.

  --leads PATH            leads JSON file (default: LEADS_PATH, data/synthetic_leads.json)
  --skip-invalid          load the valid records of a leads file with bad ones (warns) instead of failing
  --rules PATH            rule set JSON file (default: SCORING_RULES, or the built-in rules)
  --store KIND            file | postgres | supabase (default: LEAD_STORE)
  --out PATH              file store: the enrichments file to write (default: ENRICHMENTS_PATH)
  --model ID              Claude model (default: ANTHROPIC_MODEL, claude-sonnet-5-5)
  --force                 re-enrich leads whose narrative is current
  --limit N               enrich at most N leads (highest scores first)
  --tier LIST             only these tiers, e.g. HOT,WARM
  --ids LIST              only these lead ids, e.g. L-001,L-002
  --concurrency N         calls in flight at once (default ${DEFAULT_CONCURRENCY})
  --max-cost USD          start no call that could take the spend past this budget
  --dry-run               show how many leads would be sent, estimated tokens and cost; send nothing
  --batch                 use the Message Batches API (half price, results within 24 h; resumable)
  --poll-interval SECONDS batch status poll interval (default ${DEFAULT_POLL_INTERVAL_MS / 1000})
  --max-retries N         SDK retries per call on 429/5xx/529/connection errors (default ${DEFAULT_MAX_RETRIES})
  --timeout SECONDS       per-request timeout (default ${DEFAULT_TIMEOUT_MS / 1000})
  --help                  this text

Ctrl-C stops starting new calls, saves what arrived and exits with code 130; press it again to
abort the calls in flight. With --batch, Ctrl-C leaves the batch running: rerun to collect it.`;

/** Signals closer together than this are one keypress delivered twice (see onSignal). */
const REPEAT_SIGNAL_MS = 500;

const list = (s: string) =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const positiveInt = (flag: string) => z.coerce.number({ error: `${flag} must be a number` }).int(`${flag} must be a whole number`).positive(`${flag} must be at least 1`);
const positiveNumber = (flag: string) => z.coerce.number({ error: `${flag} must be a number` }).positive(`${flag} must be more than 0`);

const flagsSchema = z.object({
  leads: z.string().min(1).optional(),
  'skip-invalid': z.boolean().default(false),
  rules: z.string().min(1).optional(),
  store: z.enum(['file', 'postgres', 'supabase'], { error: '--store must be file, postgres or supabase' }).optional(),
  out: z.string().min(1).optional(),
  model: z.string().trim().min(1).optional(),
  force: z.boolean().default(false),
  limit: positiveInt('--limit').optional(),
  tier: z
    .string()
    .transform((s) => list(s).map((t) => t.toUpperCase()))
    .pipe(z.array(z.enum(TIERS as [Tier, ...Tier[]], { error: `--tier takes ${TIERS.join(', ')}` })).min(1, '--tier needs at least one tier'))
    .optional(),
  ids: z
    .string()
    .transform(list)
    .pipe(z.array(z.string()).min(1, '--ids needs at least one id'))
    .optional(),
  concurrency: positiveInt('--concurrency').max(64, '--concurrency must be at most 64').default(DEFAULT_CONCURRENCY),
  'max-cost': positiveNumber('--max-cost').optional(),
  'dry-run': z.boolean().default(false),
  batch: z.boolean().default(false),
  'poll-interval': positiveNumber('--poll-interval').default(DEFAULT_POLL_INTERVAL_MS / 1000),
  'max-retries': z.coerce.number({ error: '--max-retries must be a number' }).int().min(0, '--max-retries must be 0 or more').max(10).default(DEFAULT_MAX_RETRIES),
  timeout: positiveNumber('--timeout').default(DEFAULT_TIMEOUT_MS / 1000),
});
type Flags = z.infer<typeof flagsSchema>;

function parseFlags(argv: string[]): Flags | null {
  const str = { type: 'string' } as const;
  const bool = { type: 'boolean' } as const;
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      leads: str, 'skip-invalid': bool, rules: str, store: str, out: str, model: str, force: bool, limit: str, tier: str, ids: str,
      concurrency: str, 'max-cost': str, 'dry-run': bool, batch: bool, 'poll-interval': str, 'max-retries': str, timeout: str, help: bool,
    },
  });
  if (values.help) return null;
  const parsed = flagsSchema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ record: 'flags', field: `--${String(i.path[0] ?? '?')}`, message: i.message }));
  throw new AppError('INVALID_INPUT', `Invalid flags:\n${formatIssues(issues)}`, { issues });
}

async function openStore(flags: Flags, config: ReturnType<typeof env>, leadsPath: string, rules: Awaited<ReturnType<typeof loadRuleSet>>): Promise<{ store: LeadStore; where: string }> {
  const kind = flags.store ?? config.LEAD_STORE;
  if (kind === 'file') {
    const enrichmentsPath = flags.out ?? config.ENRICHMENTS_PATH;
    const store = createFileStore({ leadsPath, enrichmentsPath, rules, asOf: config.SCORING_AS_OF, skipInvalid: flags['skip-invalid'], leadsOrigin: flags.leads ? '--leads' : 'LEADS_PATH' });
    return { store, where: enrichmentsPath };
  }
  if (flags.out) throw new AppError('INVALID_INPUT', `--out applies to the file store only (this run uses --store ${kind}).`);
  // Validating the environment as if LEAD_STORE were `kind` names any connection variable it lacks.
  return { store: await createStore(parseEnv({ ...process.env, LEAD_STORE: kind })), where: `${kind} store` };
}

const usd = (n: number | null) => (n === null ? 'unknown (no price on file for this model)' : `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`);
const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

function progressPrinter(tty: boolean): (p: JobProgress) => void {
  let lastAt = 0;
  let lastDone = -1;
  return (p) => {
    const now = performance.now();
    const finished = p.done >= p.total;
    if (tty ? now - lastAt < 100 && !finished : (now - lastAt < 5_000 && p.done - lastDone < Math.max(1, Math.ceil(p.total / 10))) && !finished) return;
    lastAt = now;
    lastDone = p.done;
    const rate = p.elapsedMs > 0 ? p.done / (p.elapsedMs / 1000) : 0;
    const eta = rate > 0 && !finished ? ` · ETA ${duration(((p.total - p.done) / rate) * 1000)}` : '';
    const spend = p.spentUsd === null ? '' : ` · ${usd(p.spentUsd)} spent`;
    const counts = `${p.done}/${p.total} · ${p.enriched} enriched · ${p.failed} failed`;
    const text =
      p.phase === 'batch'
        ? `batch ${p.batch?.id} ${p.batch?.status}: ${counts} · ${p.batch?.processing ?? 0} processing${spend}`
        : `${counts} · ${p.inFlight} in flight · ${rate.toFixed(1)}/s${eta}${spend}`;
    if (!tty) {
      process.stderr.write(`[enrich] ${text}\n`);
      return;
    }
    const width = 24;
    const filled = p.total ? Math.round((p.done / p.total) * width) : width;
    process.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`);
    if (finished) process.stderr.write('\n');
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
    out.push(`  estimated cost: ${usd(s.estimate.expectedCostUsd)} expected, ${usd(s.estimate.worstCaseCostUsd)} worst case (full max_tokens${s.batch ? '' : ', one retry each'})`);
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
    out.push(`  cost: ${usd(s.costUsd)}${s.maxCostUsd !== null ? ` (budget $${s.maxCostUsd})` : ''}${s.batch ? ' at batch prices' : ''}`);
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

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  if (!flags) {
    console.log(HELP);
    return 0;
  }
  const config = env();
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

  const stop = new AbortController();
  const abortInFlight = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (name: string) => {
    if (!stop.signal.aborted) {
      firstSignalAt = performance.now();
      process.stderr.write(`\n${name}: starting no new calls; waiting for the calls in flight and saving (again to abort them).\n`);
      stop.abort();
      // tsx relays a terminal's Ctrl-C to this process, which got it from the terminal already: one press
      // arrives twice within milliseconds, so only a signal well after the first counts as a second press.
    } else if (!abortInFlight.signal.aborted && performance.now() - firstSignalAt > REPEAT_SIGNAL_MS) {
      process.stderr.write(`\n${name}: aborting the calls in flight; saving what arrived.\n`);
      abortInFlight.abort();
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

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
      { store, client, onProgress: progressPrinter(process.stderr.isTTY === true), signal: stop.signal, abortInFlight: abortInFlight.signal },
    );
    printSummary(summary, where);
    if (stop.signal.aborted || summary.stopReason === 'interrupted') return 130;
    return summary.failed.length > 0 || summary.stopReason === 'fatal' || summary.stopReason === 'store' ? 1 : 0;
  } finally {
    await store.close?.();
  }
}

runMain('enrich', main, { exitWhenDone: true });
