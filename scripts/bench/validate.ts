import { execFile } from 'node:child_process';
import { open, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_RULES } from '../../lib/default-rules';
import { parseLeads, type Lead } from '../../lib/lead';
import type { RuleSet } from '../../lib/rules';
import { ruleSetToJson } from '../../lib/rules-file';
import { AS_OF, generateLeads, type RawLead } from '../../lib/synthetic';
import { tuneRules } from '../../lib/tune/tune';
import { buildNext, hasBuild, startNext, type NextServer } from '../next-server';
import { fmt, percentile, type BenchModule, type BenchRow } from './types';

/**
 * Compare and drift at scale.
 *
 * - `/validate` under `next start` with SCORING_RULES_CANDIDATE set, on 100,000 generated leads (file
 *   store): the backtest, the candidate beside it and the drift section; p95 of full responses after a
 *   warm-up, also with `?k=` and `?capacity=`, and a lead page showing the candidate's breakdown.
 * - `npm run validate -- --compare --drift --json` as a user runs it, on a generated 1,000,000-lead file
 *   (ten batches of 100,000 generated leads under new ids, about 850 MB): wall time, CPU and peak RSS of
 *   the command's process (GNU time). A failed command is a FAIL row with its last line of stderr.
 */

const BASE = 100_000;
const BATCHES = 10;
const SAMPLES = 30;
const WARMUP = 5;
const PAGE_TARGET_MS = 1_000;
const COMMAND_TARGET_S = 30;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const execFileAsync = promisify(execFile);

const log = (line: string) => process.stderr.write(`  [validate] ${line}\n`);
const seconds = (s: number) => `${s.toFixed(1)} s`;
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20)} MiB`;

/** The live rules: the default rules re-weighted by tune on 20,000 leads (so they carry a histogram and a model); the candidate: rules tune builds from the fields of 20,000 others. */
function benchRuleSets(leads: readonly Lead[]): { live: RuleSet; candidate: RuleSet } {
  const split = { by: 'hash' as const, holdout: 0.3, seed: 1 };
  const asOf = new Date(AS_OF);
  return {
    live: tuneRules(() => leads.slice(0, 20_000), { split, asOf, base: DEFAULT_RULES, name: 'Live (default, re-weighted)' }).rules,
    candidate: tuneRules(() => leads.slice(20_000, 40_000), { split, asOf, name: 'Candidate (tuned from the fields)' }).rules,
  };
}

/** Batch `b` of the million: the base leads under ids of their own (the split hashes ids, so each batch splits anew). */
const inBatch = <T extends { id: string }>(lead: T, b: number): T => ({ ...lead, id: `${lead.id}_b${b}` });

async function timedGet(url: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
}

/** A measured page must carry what it is measured for, not an error or an empty state. */
function expectTestIds(body: string, ids: readonly string[]): void {
  for (const id of ids) if (!body.includes(`data-testid="${id}"`)) throw new Error(`the page lacks data-testid="${id}"`);
}

async function p95(server: NextServer, paths: string[], check: (body: string) => void): Promise<number> {
  const at = (i: number) => `${server.url}${paths[i % paths.length]}`;
  for (let i = 0; i < WARMUP; i++) await timedGet(at(i));
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const { ms, status, body } = await timedGet(at(i));
    if (status !== 200) throw new Error(`GET ${at(i)} answered ${status}`);
    check(body);
    samples.push(ms);
  }
  return percentile([...samples].sort((a, b) => a - b), 95);
}

async function pageRows(dir: string, raw: readonly RawLead[]): Promise<BenchRow[]> {
  if (!hasBuild()) {
    log('no production build in .next: running next build …');
    await buildNext();
  }
  const leadsPath = path.join(dir, 'leads-100k.json');
  await writeFile(leadsPath, `${JSON.stringify(raw)}\n`);
  const server = await startNext({
    LEADS_PATH: leadsPath,
    ENRICHMENTS_PATH: path.join(dir, 'enrichments.json'),
    FEEDBACK_PATH: path.join(dir, 'feedback.json'),
    SCORING_RULES: path.join(dir, 'live.json'),
    SCORING_RULES_CANDIDATE: path.join(dir, 'candidate.json'),
  });
  try {
    log(`next start on ${server.url}; the first /validate loads, scores and analyses ${fmt(BASE)} leads …`);
    const cold = await timedGet(`${server.url}/validate`);
    if (cold.status !== 200) throw new Error(`GET /validate answered ${cold.status}:\n${server.output().slice(-2_000)}`);
    const hasSections = (body: string) => expectTestIds(body, ['compare-table', 'tier-move-matrix', 'moved-leads', 'drift']);
    hasSections(cold.body);
    const views = ['/validate?k=25,50,100,5%25&capacity=300', '/validate?k=10,1%25', '/validate?capacity=2000'];
    const ids = Array.from({ length: SAMPLES }, (_, i) => raw[Math.floor(((i + 0.5) * BASE) / SAMPLES)]!.id);
    const rows: BenchRow[] = [{ area: 'validate', metric: `cold first \`/validate\` with a candidate and drift (load, score, analyse ${fmt(BASE)} leads)`, value: `${fmt(cold.ms)} ms`, target: '', pass: null }];
    const measured: { metric: string; paths: string[]; check: (body: string) => void }[] = [
      { metric: '`/validate` with a candidate and the drift section', paths: ['/validate'], check: hasSections },
      { metric: '`/validate?k=…&capacity=…` (three views in turn)', paths: views, check: hasSections },
      { metric: '`/leads/[id]?rules=candidate` (the candidate\'s breakdown)', paths: ids.map((id) => `/leads/${encodeURIComponent(id)}?rules=candidate`), check: (body) => expectTestIds(body, ['candidate-score']) },
    ];
    for (const m of measured) {
      log(`measuring ${m.metric} …`);
      const ms = await p95(server, m.paths, m.check);
      rows.push({ area: 'validate', metric: `${m.metric}, p95 of ${SAMPLES} warm, ${fmt(BASE)} leads`, value: `${fmt(ms, 1)} ms`, target: `< ${fmt(PAGE_TARGET_MS)} ms`, pass: ms < PAGE_TARGET_MS });
    }
    return rows;
  } finally {
    await server.stop();
  }
}

/** The million-lead file, written a batch at a time: one JSON text that size is past V8's string limit. */
async function writeMillion(file: string, raw: readonly RawLead[]): Promise<number> {
  const handle = await open(file, 'w');
  try {
    await handle.write('[\n');
    for (let b = 0; b < BATCHES; b++) {
      const body = raw.map((lead) => JSON.stringify(inBatch(lead, b))).join(',\n');
      await handle.write(`${b > 0 ? ',\n' : ''}${body}`);
    }
    await handle.write('\n]\n');
  } finally {
    await handle.close();
  }
  return (await stat(file)).size;
}

interface CommandRun {
  ok: boolean;
  wall: number;
  cpu: number | null;
  peakRss: number | null;
  exit: number;
  stderrTail: string;
  json?: { n: number; compare?: { auc?: { difference: number } | null }; drift?: { alarm: boolean; scoreShift: { psi: number } | null } };
}

/** The command as a user runs it, under GNU time for its CPU and peak RSS. Exit 3 (the alarm) is a result. */
async function runCommand(dir: string, leadsPath: string): Promise<CommandRun> {
  const timeFile = path.join(dir, 'time.txt');
  const outFile = path.join(dir, 'out.json');
  const script = [
    '/usr/bin/time',
    '-f',
    '%e %U %S %M',
    '-o',
    timeFile,
    // npm's own script, with the Node flags package.json gives it.
    'npm',
    'run',
    '-s',
    'validate',
    '--',
    '--leads',
    leadsPath,
    '--rules',
    path.join(dir, 'live.json'),
    '--compare',
    path.join(dir, 'candidate.json'),
    '--drift',
    '--json',
  ];
  const started = performance.now();
  let exit = 0;
  let stderr = '';
  try {
    const out = await execFileAsync('bash', ['-c', `"$@" > ${JSON.stringify(outFile)}`, 'bash', ...script], {
      cwd: ROOT,
      env: { ...process.env, LEAD_STORE: 'file', ENRICHMENTS_PATH: path.join(dir, 'enrichments.json'), FEEDBACK_PATH: path.join(dir, 'feedback.json') },
      maxBuffer: 64 * 1024 * 1024,
    });
    stderr = out.stderr;
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    exit = e.code ?? 1;
    stderr = e.stderr ?? String(error);
  }
  const wall = (performance.now() - started) / 1000;
  const timed = (await readFile(timeFile, 'utf8').catch(() => '')).trim().split('\n').at(-1)?.split(' ').map(Number);
  const ok = exit === 0 || exit === 3;
  const json = ok ? (JSON.parse(await readFile(outFile, 'utf8')) as CommandRun['json']) : undefined;
  return {
    ok,
    wall,
    cpu: timed && timed.length === 4 ? timed[1]! + timed[2]! : null,
    peakRss: timed && timed.length === 4 ? timed[3]! * 1024 : null,
    exit,
    stderrTail: stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '',
    json,
  };
}

function commandRows(run: CommandRun, leads: number, fileBytes: number): BenchRow[] {
  const label = `\`npm run validate -- --compare --drift --json\`, end to end on a ${fmt(leads)}-lead file (${mib(fileBytes)})`;
  if (!run.ok) {
    return [{ area: 'validate', metric: `${label}: the command failed (exit ${run.exit})`, value: run.stderrTail.slice(0, 160), target: `< ${COMMAND_TARGET_S} s`, pass: false }];
  }
  const j = run.json!;
  return [
    { area: 'validate', metric: `${label} (wall; CPU ${run.cpu === null ? '—' : seconds(run.cpu)})`, value: seconds(run.wall), target: `< ${COMMAND_TARGET_S} s`, pass: run.wall < COMMAND_TARGET_S },
    { area: 'validate', metric: `peak RSS of that command`, value: run.peakRss === null ? '—' : mib(run.peakRss), target: '', pass: null },
    {
      area: 'validate',
      metric: `${fmt(leads)} leads: graded, candidate − live AUC, drift alarm (exit ${run.exit})`,
      value: `${fmt(j.n)}; ${j.compare?.auc ? j.compare.auc.difference.toFixed(3) : '—'}; ${j.drift?.alarm ? 'alarm' : 'no alarm'} (PSI ${j.drift?.scoreShift?.psi.toFixed(3) ?? '—'})`,
      target: '',
      pass: null,
    },
  ];
}

async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-bench-validate-'));
  try {
    log(`generating ${fmt(BASE)} leads and tuning the live and candidate rule sets …`);
    const raw = generateLeads({ count: BASE, seed: 19 });
    const base = parseLeads(raw).leads;
    const { live, candidate } = benchRuleSets(base);
    await writeFile(path.join(dir, 'live.json'), ruleSetToJson(live));
    await writeFile(path.join(dir, 'candidate.json'), ruleSetToJson(candidate));

    const rows = await pageRows(dir, raw);

    const million = path.join(dir, 'leads-1m.json');
    log(`writing ${fmt(BASE * BATCHES)} leads to one file …`);
    const bytes = await writeMillion(million, raw);
    log(`npm run validate -- --compare --drift --json on ${mib(bytes)} …`);
    const command = await runCommand(dir, million);
    rows.push(...commandRows(command, BASE * BATCHES, bytes));
    await rm(million, { force: true });
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export default { area: 'validate', run } satisfies BenchModule;
