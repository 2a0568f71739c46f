/**
 * `npm run enrich:qa -- --sample 50 --runs 5`: enriches a seeded sample of leads several times and reports
 * how consistent the narratives are. A thin CLI over `runNarrativeQa` (lib/enrichment/qa.ts); it never
 * writes to the store: the report goes to its own file.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveAsOf } from '../lib/as-of';
import { pct, table } from '../lib/backtest';
import { ACTION_KIND_LABEL } from '../lib/enrichment/action-kind';
import { createClaudeClient, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from '../lib/enrichment/claude';
import { DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_MS } from '../lib/enrichment/job';
import { DEFAULT_RUNS, DEFAULT_SAMPLE, DEFAULT_SEED, runNarrativeQa, type QaProgress, type QaReport } from '../lib/enrichment/qa';
import { GROUNDING_CHECK_LABEL, type GroundingCheck } from '../lib/enrichment/schema';
import { env } from '../lib/env';
import { AppError, formatIssues } from '../lib/errors';
import { writeFileAtomic } from '../lib/fs-atomic';
import { loadLeadsFile } from '../lib/leads-file';
import { loadRuleSet } from '../lib/rules-file';
import { TIERS, type Tier } from '../lib/scoring';
import { runMain } from './cli';

/** Where reports go by default: one file per run, `<run id>.json`, and the pending batch's state. */
const QA_DIR = 'data/narrative-qa';

const HELP = `Usage: npm run enrich:qa -- [flags]

Enriches a seeded sample of leads several times with the same prompt and reports, per lead and overall,
how often the confidence label and the kind of recommended action (call now / follow up / nurture /
disqualify) agree across runs, how similar the narratives' wording is (mean pairwise Jaccard of word
sets), and how many runs the grounding checks flagged. Nothing is saved to the store: live narratives
are never read or replaced. The report is written to ${QA_DIR}/<run id>.json (or --out).
Without ANTHROPIC_API_KEY every run writes the same labelled mock narrative, which measures nothing
about Claude.

  --leads PATH            leads JSON file (default: LEADS_PATH, data/synthetic_leads.json)
  --skip-invalid          load the valid records of a leads file with bad ones (warns) instead of failing
  --rules PATH            rule set JSON file (default: SCORING_RULES, or the built-in rules)
  --out PATH              the report file to write (default: ${QA_DIR}/<run id>.json)
  --json                  print the report as JSON instead of the tables
  --sample N              leads to sample, spread over the tiers (default ${DEFAULT_SAMPLE})
  --runs N                runs per lead, at least 2 (default ${DEFAULT_RUNS})
  --seed N                sample seed: the same seed picks the same leads (default ${DEFAULT_SEED})
  --tier LIST             sample only these tiers, e.g. HOT,WARM
  --model ID              Claude model (default: ANTHROPIC_MODEL, claude-sonnet-5-5)
  --concurrency N         calls in flight at once (default ${DEFAULT_CONCURRENCY})
  --max-cost USD          send only the leads whose runs all fit this budget at worst-case cost
  --dry-run               show the sample, the requests and their estimated cost; send nothing
  --batch                 one Message Batches request for every run (half price; resumable)
  --poll-interval SECONDS batch status poll interval (default ${DEFAULT_POLL_INTERVAL_MS / 1000})
  --max-retries N         SDK retries per call on 429/5xx/529/connection errors (default ${DEFAULT_MAX_RETRIES})
  --timeout SECONDS       per-request timeout (default ${DEFAULT_TIMEOUT_MS / 1000})
  --help                  this text

Exit codes: 0 report written (failed runs are listed in it; also when the budget stopped it), 1 an error
or no run succeeded, 130 interrupted (Ctrl-C: the report holds what arrived; with --batch the batch keeps
running and a rerun with --batch collects it).`;

const list = (s: string) =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const wholeNumber = (flag: string, min: number) => z.coerce.number({ error: `${flag} must be a number` }).int(`${flag} must be a whole number`).min(min, `${flag} must be at least ${min}`);
const positiveNumber = (flag: string) => z.coerce.number({ error: `${flag} must be a number` }).positive(`${flag} must be more than 0`);

const flagsSchema = z.object({
  leads: z.string().min(1).optional(),
  'skip-invalid': z.boolean().default(false),
  rules: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  json: z.boolean().default(false),
  sample: wholeNumber('--sample', 1).max(10_000, '--sample must be at most 10000').default(DEFAULT_SAMPLE),
  runs: wholeNumber('--runs', 2).max(20, '--runs must be at most 20').default(DEFAULT_RUNS),
  seed: wholeNumber('--seed', 0).default(DEFAULT_SEED),
  tier: z
    .string()
    .transform((s) => list(s).map((t) => t.toUpperCase()))
    .pipe(z.array(z.enum(TIERS as [Tier, ...Tier[]], { error: `--tier takes ${TIERS.join(', ')}` })).min(1, '--tier needs at least one tier'))
    .optional(),
  model: z.string().trim().min(1).optional(),
  concurrency: wholeNumber('--concurrency', 1).max(64, '--concurrency must be at most 64').default(DEFAULT_CONCURRENCY),
  'max-cost': positiveNumber('--max-cost').optional(),
  'dry-run': z.boolean().default(false),
  batch: z.boolean().default(false),
  'poll-interval': positiveNumber('--poll-interval').default(DEFAULT_POLL_INTERVAL_MS / 1000),
  'max-retries': wholeNumber('--max-retries', 0).max(10, '--max-retries must be at most 10').default(DEFAULT_MAX_RETRIES),
  timeout: positiveNumber('--timeout').default(DEFAULT_TIMEOUT_MS / 1000),
});
type Flags = z.infer<typeof flagsSchema>;

function parseFlags(argv: string[]): Flags | null {
  const str = { type: 'string' } as const;
  const bool = { type: 'boolean' } as const;
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        leads: str, 'skip-invalid': bool, rules: str, out: str, json: bool, sample: str, runs: str, seed: str, tier: str, model: str,
        concurrency: str, 'max-cost': str, 'dry-run': bool, batch: bool, 'poll-interval': str, 'max-retries': str, timeout: str, help: bool,
      },
    }));
  } catch (error) {
    throw new AppError('INVALID_INPUT', `${(error as Error).message} (see --help)`);
  }
  if (values.help) return null;
  const parsed = flagsSchema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ record: 'flags', field: `--${String(i.path[0] ?? '?')}`, message: i.message }));
  throw new AppError('INVALID_INPUT', `Invalid flags:\n${formatIssues(issues)}`, { issues });
}

const usd = (n: number | null) => (n === null ? 'unknown (no price on file for this model)' : `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`);
const checks = (byCheck: Partial<Record<GroundingCheck, number>>) =>
  Object.entries(byCheck)
    .map(([c, n]) => `${GROUNDING_CHECK_LABEL[c as GroundingCheck].toLowerCase()} ${n}`)
    .join(', ') || 'none';

/** Plain progress lines on stderr, at most one every 2 s and one per 10% of the work. */
function progressPrinter(): (p: QaProgress) => void {
  let lastAt = 0;
  let lastDone = -1;
  return (p) => {
    const now = performance.now();
    if (p.done < p.total && now - lastAt < 2_000 && p.done - lastDone < Math.max(1, Math.ceil(p.total / 10))) return;
    lastAt = now;
    lastDone = p.done;
    const spend = p.spentUsd === null ? '' : ` · ${usd(p.spentUsd)} spent`;
    const where = p.batch ? `batch ${p.batch.id} ${p.batch.status}: ` : '';
    process.stderr.write(`[enrich:qa] ${where}${p.done}/${p.total} runs · ${p.failed} failed${spend}\n`);
  };
}

const MOCK_BANNER = [
  '='.repeat(78),
  '  MOCK MODE: ANTHROPIC_API_KEY is not set. NO narrative below was written by Claude.',
  '  Every run writes the same deterministic mock narrative, so agreement is 100% by',
  '  construction: this checks the pipeline, not Claude. Set ANTHROPIC_API_KEY to measure.',
  '='.repeat(78),
].join('\n');

function printReport(r: QaReport, where: string | null): void {
  const out: string[] = [];
  if (r.mode === 'mock') out.push(MOCK_BANNER);
  out.push(
    `Narrative QA ${r.dry_run ? 'dry run (nothing sent, nothing written)' : `run ${r.run_id}`}: ${r.mode === 'mock' ? 'MOCK' : `Claude ${r.model}`}${r.batch ? `, Message Batches API${r.batch_id ? ` (batch ${r.batch_id}${r.resumed_batch ? ', resumed' : ''})` : ''}` : ''}`,
  );
  out.push(`  sample: ${r.sampled} leads (seed ${r.seed}${r.tiers ? `, tiers ${r.tiers.join(',')}` : ''}), ${r.runs_per_lead} runs each; prompt ${r.prompt_version}, rules ${r.rules_version}`);
  if (r.dry_run && r.estimate) {
    out.push(`  would send ${r.estimate.requests} request(s): ${usd(r.estimate.expected_cost_usd)} expected, ${usd(r.estimate.worst_case_cost_usd)} worst case`);
  }
  if (r.stop_reason === 'budget') out.push(`  BUDGET: ${r.stop_detail}; ${r.not_started} request(s) not sent.`);
  if (r.stop_reason === 'interrupted') out.push(`  INTERRUPTED: ${r.stop_detail ?? `${r.not_started} request(s) not started`}.`);
  if (!r.dry_run) {
    const o = r.overall;
    out.push(`  runs: ${o.runs} succeeded, ${o.failedRuns} failed; ${o.compared} of ${o.leads} leads have two or more runs to compare`);
    out.push(`  confidence agreement: ${pct(o.confidenceAgreement)} (share of runs giving a lead's most common label; ${o.unanimousConfidence} leads unanimous)`);
    out.push(`  action-kind agreement: ${pct(o.actionAgreement)} (${o.unanimousAction} leads unanimous)`);
    out.push(`  wording similarity: ${o.similarity === null ? '—' : o.similarity.toFixed(2)} (mean pairwise Jaccard of word sets; 1 = same words)`);
    out.push(`  grounding checks: ${o.flaggedRuns} of ${o.runs} runs flagged, on ${o.flaggedLeads} leads (${checks(o.byCheck)})`);
    out.push(`  tokens: ${r.usage.input_tokens.toLocaleString('en-US')} input, ${r.usage.output_tokens.toLocaleString('en-US')} output; cost ${usd(r.cost_usd)}${r.max_cost_usd !== null ? ` (budget $${r.max_cost_usd})` : ''}`);
    out.push('', 'By tier');
    out.push(table(['Tier', 'Leads', 'Confidence', 'Action kind', 'Similarity'], o.byTier.map((t) => [t.tier, String(t.leads), pct(t.confidenceAgreement), pct(t.actionAgreement), t.similarity === null ? '—' : t.similarity.toFixed(2)])));
    out.push('', 'By lead (least consistent first)');
    const leads = [...r.leads].sort((a, b) => (a.consistency.similarity ?? 2) - (b.consistency.similarity ?? 2) || a.lead_id.localeCompare(b.lead_id));
    out.push(
      table(
        ['Lead', 'Tier', 'Runs', 'Confidence', 'Agree', 'Action', 'Agree', 'Similarity', 'Flagged'],
        leads.map(({ lead_id, consistency: c }) => [
          lead_id,
          c.tier,
          `${c.runs}${c.failed ? ` (+${c.failed} failed)` : ''}`,
          c.confidence.mode ?? '—',
          pct(c.confidence.agreement),
          c.action.mode ? ACTION_KIND_LABEL[c.action.mode] : '—',
          pct(c.action.agreement),
          c.similarity === null ? '—' : c.similarity.toFixed(2),
          `${c.flaggedRuns}/${c.runs}`,
        ]),
      ),
    );
    if (where) out.push('', `Report (every run's narrative and findings): ${where}`);
  }
  for (const w of r.warnings) out.push(`  warning: ${w}`);
  if (r.mode === 'mock') out.push(MOCK_BANNER);
  console.log(out.join('\n'));
}

/** Signals closer together than this are one keypress delivered twice (see scripts/enrich_leads.ts). */
const REPEAT_SIGNAL_MS = 500;

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
  const client = createClaudeClient(config, { maxRetries: flags['max-retries'], timeoutMs: flags.timeout * 1000 });
  if (!client && !flags.json) console.warn(MOCK_BANNER);

  const stop = new AbortController();
  const abortInFlight = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (name: string) => {
    if (!stop.signal.aborted) {
      firstSignalAt = performance.now();
      process.stderr.write(`\n${name}: starting no new calls; waiting for the calls in flight (again to abort them).\n`);
      stop.abort();
    } else if (!abortInFlight.signal.aborted && performance.now() - firstSignalAt > REPEAT_SIGNAL_MS) {
      abortInFlight.abort();
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const report = await runNarrativeQa(
    {
      leads,
      rules,
      now: resolveAsOf(leads, config.SCORING_AS_OF),
      model: flags.model ?? config.ANTHROPIC_MODEL,
      sample: flags.sample,
      runs: flags.runs,
      seed: flags.seed,
      tiers: flags.tier,
      concurrency: flags.concurrency,
      maxCostUsd: flags['max-cost'],
      dryRun: flags['dry-run'],
      batch: flags.batch ? { statePath: flags.out ? `${flags.out}.batch.json` : path.join(QA_DIR, 'pending-batch.json'), pollIntervalMs: flags['poll-interval'] * 1000 } : undefined,
    },
    { client, onProgress: flags.json ? undefined : progressPrinter(), signal: stop.signal, abortInFlight: abortInFlight.signal },
  );

  let where: string | null = null;
  if (!report.dry_run && !(report.stop_reason === 'interrupted' && report.batch && report.overall.runs === 0)) {
    where = flags.out ?? path.join(QA_DIR, `${report.run_id}.json`);
    await writeFileAtomic(where, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (flags.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report, where);
  if (stop.signal.aborted || report.stop_reason === 'interrupted') return 130;
  return report.dry_run || report.overall.runs > 0 || report.sent === 0 ? 0 : 1;
}

runMain('enrich:qa', main, { exitWhenDone: true });
