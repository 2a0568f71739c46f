import { runBacktest, type BacktestRow } from '../../lib/backtest';
import { parseLeads, toScorable, type ScorableLead } from '../../lib/lead';
import { scoreLead } from '../../lib/scoring';
import { AS_OF, generateLeads } from '../../lib/synthetic';
import { fmt, type BenchModule, type BenchRow } from './types';

const SCORE_TARGET_PER_S = 1_000_000;
const BACKTEST_TARGET_MS = 2_000;

/** Scoring throughput on already-parsed leads (one core), and the backtest over a million scored leads. */
async function run(): Promise<BenchRow[]> {
  const parsed = parseLeads(generateLeads({ count: 100_000, seed: 7 }));
  const leads: ScorableLead[] = parsed.leads.map(toScorable);
  const now = new Date(AS_OF);
  const rounds = 10;

  let checksum = 0;
  for (const lead of leads) checksum += scoreLead(lead, { now }).score; // warm-up: JIT and rule memos
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const lead of leads) checksum += scoreLead(lead, { now }).score;
  const scoreMs = performance.now() - started;
  const perSecond = (leads.length * rounds) / (scoreMs / 1000);

  const outcomes = parsed.leads.map((l) => l.converted ?? false);
  const rows: BacktestRow[] = [];
  for (let r = 0; r < rounds; r++) {
    leads.forEach((lead, i) => {
      const { score, tier } = scoreLead(lead, { now });
      rows.push({ id: `${r}_${lead.id}`, score, tier, converted: outcomes[i]! });
    });
  }
  const btStarted = performance.now();
  const result = runBacktest(rows);
  const backtestMs = performance.now() - btStarted;

  return [
    {
      area: 'scoring',
      metric: `scoreLead, ${fmt(leads.length * rounds)} parsed leads, 1 core`,
      value: `${fmt(perSecond)} leads/s`,
      target: `≥ ${fmt(SCORE_TARGET_PER_S)} leads/s`,
      pass: perSecond >= SCORE_TARGET_PER_S && checksum > 0,
    },
    {
      area: 'scoring',
      metric: `runBacktest, ${fmt(result.n)} scored leads`,
      value: `${fmt(backtestMs)} ms`,
      target: `< ${fmt(BACKTEST_TARGET_MS)} ms`,
      pass: backtestMs < BACKTEST_TARGET_MS,
    },
  ];
}

export default { area: 'scoring', run } satisfies BenchModule;
