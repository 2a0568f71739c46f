import { rocAuc, type BacktestRow } from '../../lib/backtest';
import { DEFAULT_RULES } from '../../lib/default-rules';
import { parseLeads, toScorable, type Lead } from '../../lib/lead';
import { profileLeads } from '../../lib/profile';
import { scoreLead } from '../../lib/scoring';
import { splitter, type SplitSpec } from '../../lib/split';
import { AS_OF, generateLeads } from '../../lib/synthetic';
import { buildReport } from '../../lib/tune/report';
import { designStats, wordShareFor } from '../../lib/tune/stats';
import { tuneRules, type LeadSource } from '../../lib/tune/tune';
import { fmt, type BenchModule, type BenchRow } from './types';

const SMALL_TARGET_S = 10;
const LARGE_TARGET_S = 120;
const MIN_SHARE_OF_UNROUNDED = 0.97;

const split: SplitSpec = { by: 'hash', holdout: 0.3, seed: 1 };
const asOf = new Date(AS_OF);

/** CPU time (this process, user + system) and wall time of `work`, in seconds. */
function timed<T>(work: () => T): { result: T; cpu: number; wall: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = work();
  const used = process.cpuUsage(cpu);
  return { result, cpu: (used.user + used.system) / 1e6, wall: (performance.now() - started) / 1000 };
}

/** profile + tune + its report, as `npm run profile` and `npm run tune` run them, on already-parsed leads. */
function profileAndTune(source: LeadSource) {
  let leads = 0;
  for (const _ of source()) leads++;
  const profile = profileLeads(designStats(source(), split, asOf, { termShare: wordShareFor(leads) }).stats);
  const result = tuneRules(source, { split, asOf });
  const report = buildReport(source, result, { split, asOf, base: DEFAULT_RULES, baseIsDefault: true, capacityShare: 0.05 });
  return { profile, result, report };
}

const seconds = (s: number) => `${s.toFixed(1)} s`;
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20)} MiB`;

/**
 * Speed and quality of tuning. Times are CPU seconds of this process (one thread does all the work), with
 * the wall clock beside them: the machine is shared, so wall time also counts other processes.
 * - 41,000 generated leads, 21 fields: profile + tune + report < 10 s.
 * - 1,000,000 leads, streamed: ten copies of 100,000 generated leads under new ids, made as they are read,
 *   so only the 100,000 are ever held; peak RSS and heap are sampled while the leads stream through.
 * - Quality on 50,000 generated leads (the generator is never tuned): the test half's AUC of the suggested
 *   rules vs the default rules vs the unrounded model on the same buckets.
 */
async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const small = parseLeads(generateLeads({ count: 41_000, seed: 41 })).leads;
  const fields = new Set(small.flatMap((l) => Object.keys(l).filter((k) => k !== 'id' && k !== 'converted' && (l as unknown as Record<string, unknown>)[k] !== undefined))).size;
  const smallRun = timed(() => profileAndTune(() => small));
  rows.push({
    area: 'tune',
    metric: `profile + tune + report, ${fmt(small.length)} leads × ${fields} fields (CPU; wall ${seconds(smallRun.wall)})`,
    value: seconds(smallRun.cpu),
    target: `< ${SMALL_TARGET_S} s`,
    pass: smallRun.cpu < SMALL_TARGET_S,
  });

  const quality = parseLeads(generateLeads({ count: 50_000, seed: 50 })).leads;
  const { result } = profileAndTune(() => quality);
  const half = splitter(split);
  const test = quality.filter((l) => half(l) === 'test');
  const aucOf = (rules: typeof DEFAULT_RULES) =>
    rocAuc(test.map((l): BacktestRow => { const s = scoreLead(toScorable(l), { rules, now: asOf }); return { id: l.id, score: s.score, tier: s.tier, converted: l.converted === true }; }))!;
  const suggested = aucOf(result.rules);
  const defaults = aucOf(DEFAULT_RULES);
  const unrounded = rocAuc(Array.from(result.model.testLogits, (score, i) => ({ id: String(i).padStart(8, '0'), score, tier: 'COLD' as const, converted: result.model.testOutcomes[i] === 1 })))!;
  rows.push(
    { area: 'tune', metric: `test-half AUC, 50,000 generated leads: default rules`, value: defaults.toFixed(3), target: '', pass: null },
    { area: 'tune', metric: `test-half AUC: unrounded logistic model on the same buckets`, value: unrounded.toFixed(3), target: '', pass: null },
    {
      area: 'tune',
      metric: `test-half AUC: suggested rules (${result.rules.rules.length} rules, integer points)`,
      value: `${suggested.toFixed(3)} (${((100 * suggested) / unrounded).toFixed(1)}% of unrounded)`,
      target: `> default, ≥ ${100 * MIN_SHARE_OF_UNROUNDED}% of unrounded`,
      pass: suggested > defaults && suggested >= MIN_SHARE_OF_UNROUNDED * unrounded,
    },
  );

  const base = parseLeads(generateLeads({ count: 100_000, seed: 100 })).leads;
  const copies = 10;
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const large: LeadSource = function* () {
    for (let c = 0; c < copies; c++) {
      for (let i = 0; i < base.length; i++) {
        if ((i & 16_383) === 0) sample();
        const lead = base[i]!;
        yield { ...lead, id: `${lead.id}_${c}` } as Lead;
      }
    }
    sample();
  };
  sample();
  const before = process.memoryUsage().heapUsed;
  const largeRun = timed(() => profileAndTune(large));
  rows.push(
    {
      area: 'tune',
      metric: `profile + tune + report, ${fmt(base.length * copies)} leads streamed (CPU; wall ${seconds(largeRun.wall)})`,
      value: seconds(largeRun.cpu),
      target: `< ${LARGE_TARGET_S} s`,
      pass: largeRun.cpu < LARGE_TARGET_S,
    },
    {
      area: 'tune',
      metric: `peak memory at ${fmt(base.length * copies)} leads (heap held before: ${mib(before)}, the 100,000 source leads)`,
      value: `RSS ${mib(peakRss)}, heap ${mib(peakHeap)}`,
      target: '',
      pass: null,
    },
  );
  return rows;
}

export default { area: 'tune', run } satisfies BenchModule;
