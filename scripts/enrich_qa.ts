/**
 * `npm run enrich:qa -- --sample 50 --runs 5`: enriches a seeded sample of leads several times and reports
 * how consistent the narratives are. A thin CLI over `runNarrativeQa` (lib/enrichment/qa.ts); it never
 * writes to the store: the report goes to its own file.
 */
import path from 'node:path';
import { z } from 'zod';
import { resolveAsOf } from '../lib/as-of';
import { pct, table } from '../lib/backtest';
import { ACTION_KIND_LABEL } from '../lib/enrichment/action-kind';
import { createClaudeClient, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from '../lib/enrichment/claude';
import { DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_MS } from '../lib/enrichment/job';
import { formatUsd } from '../lib/enrichment/pricing';
import { DEFAULT_RUNS, DEFAULT_SAMPLE, DEFAULT_SEED, runNarrativeQa, type QaProgress, type QaReport } from '../lib/enrichment/qa';
import { GROUNDING_CHECK_LABEL, type GroundingCheck } from '../lib/enrichment/schema';
import { env } from '../lib/env';
import { formatIssues } from '../lib/errors';
import { writeFileAtomic } from '../lib/fs-atomic';
import { loadLeadsFile } from '../lib/leads-file';
import { loadRuleSet } from '../lib/rules-file';
import { TIERS, type Tier } from '../lib/scoring';
import { booleanFlag, commaList, createProgress, defineCommand, EXIT, interruptSignals, positiveNumber, sharedFlags, wholeNumber, type FlagValues, type Progress } from './cli';

/** Where reports go by default: one file per run, `<run id>.json`, and the pending batch's state. */
const QA_DIR = 'data/narrative-qa';

const flags = {
  leads: sharedFlags.leads,
  'skip-invalid': sharedFlags['skip-invalid'],
  rules: sharedFlags.rules,
  out: { ...sharedFlags.out, help: `the report file to write (default: ${QA_DIR}/<run id>.json)` },
  json: { ...sharedFlags.json, help: 'print the report as JSON instead of the tables' },
  sample: { value: 'N', help: 'leads to sample, spread over the tiers', schema: wholeNumber({ min: 1, max: 10_000 }).default(DEFAULT_SAMPLE) },
  runs: { value: 'N', help: 'runs per lead', schema: wholeNumber({ min: 2, max: 20 }).default(DEFAULT_RUNS) },
  seed: { value: 'N', help: 'sample seed: the same seed picks the same leads', schema: wholeNumber({ min: 0 }).default(DEFAULT_SEED) },
  tier: {
    value: 'LIST',
    help: 'sample only these tiers, e.g. HOT,WARM',
    schema: commaList()
      .transform((tiers) => tiers.map((t) => t.toUpperCase()))
      .pipe(z.array(z.enum(TIERS as [Tier, ...Tier[]], { error: `takes ${TIERS.join(', ')}` })))
      .optional(),
  },
  model: { value: 'ID', help: 'Claude model (default: ANTHROPIC_MODEL, claude-sonnet-5-5)', schema: z.string().trim().min(1, 'needs a model id').optional() },
  concurrency: { value: 'N', help: 'calls in flight at once', schema: wholeNumber({ min: 1, max: 64 }).default(DEFAULT_CONCURRENCY) },
  'max-cost': { value: 'USD', help: 'send only the leads whose runs all fit this budget at worst-case cost', schema: positiveNumber().optional() },
  'dry-run': booleanFlag('show the sample, the requests and their estimated cost; send nothing'),
  batch: booleanFlag('one Message Batches request for every run (half price, results within 24 h; resumable)'),
  'poll-interval': { value: 'SECONDS', help: 'batch status poll interval', schema: positiveNumber().default(DEFAULT_POLL_INTERVAL_MS / 1000) },
  'max-retries': { value: 'N', help: 'SDK retries per call on 429/5xx/529/connection errors', schema: wholeNumber({ min: 0, max: 10 }).default(DEFAULT_MAX_RETRIES) },
  timeout: { value: 'SECONDS', help: 'per-request timeout', schema: positiveNumber().default(DEFAULT_TIMEOUT_MS / 1000) },
};
type Flags = FlagValues<typeof flags>;

const checks = (byCheck: Partial<Record<GroundingCheck, number>>) =>
  Object.entries(byCheck)
    .map(([c, n]) => `${GROUNDING_CHECK_LABEL[c as GroundingCheck].toLowerCase()} ${n}`)
    .join(', ') || 'none';

/** The run's progress as the shared progress line; created at the first report, which knows the total. */
function progressPrinter(): { onProgress: (p: QaProgress) => void; end: () => void } {
  let progress: Progress | undefined;
  return {
    onProgress: (p) => {
      progress ??= createProgress({ label: 'enrich:qa', total: p.total });
      const spend = p.spentUsd === null ? '' : ` · ${formatUsd(p.spentUsd)} spent`;
      progress.update(p.done, `${p.batch ? `batch ${p.batch.id} ${p.batch.status} · ` : ''}${p.failed} failed${spend}`);
    },
    end: () => progress?.end(),
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
    out.push(`  would send ${r.estimate.requests} request(s): ${formatUsd(r.estimate.expected_cost_usd)} expected, ${formatUsd(r.estimate.worst_case_cost_usd)} worst case`);
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
    out.push(`  tokens: ${r.usage.input_tokens.toLocaleString('en-US')} input, ${r.usage.output_tokens.toLocaleString('en-US')} output; cost ${formatUsd(r.cost_usd)}${r.max_cost_usd !== null ? ` (budget $${r.max_cost_usd})` : ''}`);
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

export default defineCommand(import.meta.url, {
  name: 'enrich:qa',
  summary: 'Enriches a seeded sample of leads several times and reports how consistent the narratives are.',
  details: [
    'Per lead and overall: how often the confidence label and the kind of recommended action (call now / follow up /',
    'nurture / disqualify) agree across runs, how similar the wording is (mean pairwise Jaccard of word sets), and how',
    `many runs the grounding checks flagged. Nothing is saved to the store: live narratives are never read or replaced;`,
    `the report goes to ${QA_DIR}/<run id>.json (or --out). Without ANTHROPIC_API_KEY every run writes the same labelled`,
    'mock narrative, which measures nothing about Claude.',
    '',
    'Ctrl-C stops starting new calls and writes the report with what arrived; with --batch the batch keeps running',
    `(its id in ${QA_DIR}/pending-batch.json, or <--out>.batch.json) and a rerun with --batch collects it.`,
  ].join('\n'),
  flags,
  exitCodes: {
    [EXIT.FAILED]: 'an error, or no run succeeded (runs that failed are listed in the report; the budget stopping it is not a failure)',
    [EXIT.INTERRUPTED]: 'interrupted (Ctrl-C): the report holds what arrived',
  },
  exitWhenDone: true,
  run: ({ flags }) => qa(flags),
});

async function qa(flags: Flags): Promise<number> {
  const config = env();
  const leadsPath = flags.leads ?? config.LEADS_PATH;
  const { leads, issues, rejected } = await loadLeadsFile(leadsPath, { skipInvalid: flags['skip-invalid'], origin: flags.leads ? '--leads' : 'LEADS_PATH' });
  if (rejected) console.warn(`Skipped ${rejected} invalid record(s) in ${leadsPath}:\n${formatIssues(issues)}`);
  const rules = await loadRuleSet(flags.rules ?? config.SCORING_RULES, { origin: flags.rules ? '--rules' : 'SCORING_RULES' });
  const client = createClaudeClient(config, { maxRetries: flags['max-retries'], timeoutMs: flags.timeout * 1000 });
  if (!client && !flags.json) console.warn(MOCK_BANNER);

  const { stop, abortInFlight } = interruptSignals({
    stop: 'starting no new calls; waiting for the calls in flight (again to abort them).',
    abort: 'aborting the calls in flight; the report keeps what arrived.',
  });

  const progress = progressPrinter();
  let report: QaReport;
  try {
    report = await runNarrativeQa(
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
      { client, onProgress: flags.json ? undefined : progress.onProgress, signal: stop, abortInFlight },
    );
  } finally {
    progress.end();
  }

  // A batch stopped mid-poll has nothing to report yet: its results are collected by the next run.
  let where: string | null = null;
  if (!report.dry_run && !(report.stop_reason === 'interrupted' && report.batch && report.overall.runs === 0)) {
    where = flags.out ?? path.join(QA_DIR, `${report.run_id}.json`);
    await writeFileAtomic(where, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (flags.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report, where);
  if (stop.aborted || report.stop_reason === 'interrupted') return EXIT.INTERRUPTED;
  return report.dry_run || report.overall.runs > 0 || report.sent === 0 ? EXIT.OK : EXIT.FAILED;
}
