import { sampleCorrelation } from 'simple-statistics';
import { compareAucs, aucWithInterval, midranks, type AucEstimate, type BacktestRow, type PairedAucComparison } from './backtest';
import { unitInterval } from './hash';
import { toScorable } from './lead';
import { SMALL_PROFILE } from './profile';
import { ruleFields, type RuleSet } from './rules';
import { TIERS, type Tier } from './scoring';
import { describeSplit, splitter, type SplitSpec } from './split';
import type { ScoredRecord } from './store/types';
import { modelScorer } from './tune/model';
import { tuneRules } from './tune/tune';

/**
 * The drift check: is the live rule set still the right one for today's leads? Pure (leads come from
 * `source`, which may be walked more than once; no clock; the sample is a hash of lead ids). Two signals:
 *
 * 1. Score distribution shift (needs no outcome): the population stability index of today's scores against
 *    the design half's score histogram that `npm run tune` stored in the rule set, and the share of leads
 *    per tier then and now.
 * 2. A fitted model beside the rules (needs outcomes): tune's own maths — bins of every field, keywords,
 *    interactions, the L2 logistic regression — refitted on the design half of the leads at hand and graded
 *    on their test half, with the rules graded on the same leads: both AUCs, DeLong's paired test of the
 *    difference, Spearman's rank correlation of the two, and the leads they disagree on most. When the rule
 *    set stores the model it was tuned with, that model is graded beside them too. A model that reads
 *    fields the rules ignore and ranks better says the funnel moved past the rules.
 *
 * The alarm fires when PSI > 0.25 (with at least 100 leads), or when a model's AUC beats the rules' by
 * more than 0.05 and the paired 95% interval of the difference is above 0 (so noise on a small file does
 * not fire it).
 */

export const DRIFT_THRESHOLDS = {
  /** A model beating the rules' AUC by more than this (and the paired 95% interval above 0) fires the alarm. */
  aucGap: 0.05,
  /** PSI above this fires the alarm ("significant shift"). */
  psi: 0.25,
  /** PSI from here to `psi` is reported as a moderate shift, below it as stable. */
  psiModerate: 0.1,
  /** With fewer leads today than this, PSI is shown but does not fire the alarm. */
  psiMinLeads: 100,
} as const;

/** The model check reads at most this many leads with an outcome (a hash sample of ids past that): refitting tune on more adds seconds, not information. */
export const DRIFT_SAMPLE_LEADS = 40_000;

/** Share floor of a PSI bin, so an empty bin on one side gives a large but finite term. */
const PSI_FLOOR = 1e-4;
const PSI_BINS = 10;

export type RecordSource = () => Iterable<ScoredRecord>;

export interface PsiBin {
  /** Scores from…to, inclusive. */
  from: number;
  to: number;
  /** Share of the design half's leads in the bin, and of today's. */
  expected: number;
  actual: number;
}

export interface TierShares {
  hot: number;
  warm: number;
  cold: number;
}

export interface ScoreShift {
  psi: number;
  band: 'stable' | 'moderate' | 'significant';
  bins: PsiBin[];
  designLeads: number;
  leads: number;
  tierShares: { then: TierShares; now: TierShares };
}

export interface Disagreement {
  id: string;
  score: number;
  tier: Tier;
  /** Share of the graded leads the model ranks below this one, ties counting half (0–1). */
  modelPercentile: number;
  converted: boolean;
}

export interface ModelCheck {
  source: 'refit' | 'stored';
  /** The leads the model was fitted on: the design half of the sample (refit), or the one tune recorded (stored). */
  fittedOn: { leads: number; conversions: number };
  /** The leads both are graded on: the test half of the sample. */
  graded: { leads: number; conversions: number };
  model: AucEstimate | null;
  rules: AucEstimate | null;
  /** Model AUC minus rules AUC on the same leads (DeLong, paired). */
  difference: PairedAucComparison | null;
  /** Spearman's rank correlation of the rules' scores and the model's log-odds on the graded leads (1 = the same order). */
  rankAgreement: number | null;
  /** Of the model's top 10% of the graded leads, the share the rules call COLD. */
  modelTopDecileCold: number | null;
  /**
   * Where they disagree most: COLD leads in the model's top 10% (highest first), and HOT leads in its bottom
   * half (lowest first), in the model's rank order with ties by id (as the backtest cuts them; a tied lead's
   * `modelPercentile` shows where its tie group sits). Empty when the two agree that far.
   */
  modelTopRulesCold: Disagreement[];
  rulesHotModelLow: Disagreement[];
  /** Fields the refitted model uses that no live rule reads, strongest first (information value on the design half). */
  unreadFields: { field: string; iv: number | null }[];
}

export interface DriftReport {
  alarm: boolean;
  /** The one line to read: the alarm and what to do, or that there is none and why. */
  line: string;
  /** What fired the alarm, each with its figures. */
  reasons: string[];
  thresholds: typeof DRIFT_THRESHOLDS;
  leads: number;
  withOutcome: number;
  scoreShift: ScoreShift | null;
  /** Why there is no score shift (the rules were not written by tune), when there is none. */
  scoreShiftNote: string | null;
  models: ModelCheck[];
  /** Why a model check is missing or incomplete (no outcomes yet, one class, nothing to fit). */
  modelNotes: string[];
  /** The split and sample the model check used, in words. */
  sample: string | null;
  /** What to run when the alarm fires. */
  next: string;
}

export interface DriftOptions {
  rules: RuleSet;
  asOf: Date;
  /** Design half fits, test half grades. */
  split: SplitSpec;
  /** The command that re-tunes the live rules, for the alarm line (default `npm run tune -- --rules LIVE.json`). */
  tuneCommand?: string;
  /** At most this many leads with an outcome are read for the model check (default DRIFT_SAMPLE_LEADS). */
  sampleLeads?: number;
  /** Leads listed per disagreement list (default 10). */
  disagreements?: number;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * PSI = Σ (actual − expected) · ln(actual / expected) over score bins, shares floored at 0.0001. The bins
 * are cut from the expected histogram (leads per score 0…100) at its 1/`bins` quantiles: neighbouring scores
 * grouped into about `bins` bins of about equal design share, a tied score never split (a big tie makes one
 * big bin); the bins cover every score, so no lead today is left out.
 */
export function populationStability(expected: readonly number[], actual: readonly number[], bins = PSI_BINS): { psi: number; bins: PsiBin[] } {
  const totalExpected = expected.reduce((a, b) => a + b, 0);
  const totalActual = actual.reduce((a, b) => a + b, 0);
  if (totalExpected === 0 || totalActual === 0) throw new RangeError('PSI needs leads on both sides');
  const last = Math.max(expected.length, actual.length) - 1;
  const ranges: { from: number; to: number }[] = [];
  let from = 0;
  let cumulative = 0;
  let target = totalExpected / bins;
  for (let s = 0; s <= last; s++) {
    const here = expected[s] ?? 0;
    cumulative += here;
    if (here > 0 && cumulative >= target - 1e-9) {
      ranges.push({ from, to: s });
      from = s + 1;
      // A tie past several targets makes one bin; the next bin aims at the next target above it.
      target = ((Math.floor((cumulative * bins) / totalExpected + 1e-9) + 1) * totalExpected) / bins;
    }
  }
  // Scores above the last design lead belong to the last bin.
  ranges[ranges.length - 1]!.to = last;
  const share = (h: readonly number[], total: number, r: { from: number; to: number }) => {
    let sum = 0;
    for (let s = r.from; s <= r.to; s++) sum += h[s] ?? 0;
    return sum / total;
  };
  const out = ranges.map((r) => ({ ...r, expected: share(expected, totalExpected, r), actual: share(actual, totalActual, r) }));
  let psi = 0;
  for (const b of out) {
    const e = Math.max(b.expected, PSI_FLOOR);
    const a = Math.max(b.actual, PSI_FLOOR);
    psi += (a - e) * Math.log(a / e);
  }
  return { psi, bins: out };
}

export function psiBand(psi: number): ScoreShift['band'] {
  return psi > DRIFT_THRESHOLDS.psi ? 'significant' : psi >= DRIFT_THRESHOLDS.psiModerate ? 'moderate' : 'stable';
}

/** Spearman's ρ: Pearson's correlation of the mid-ranks; null when either side has no spread. */
export function rankCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new RangeError(`rank correlation needs pairs: ${a.length} vs ${b.length}`);
  if (a.length < 2) return null;
  const r = sampleCorrelation(Array.from(midranks(a)), Array.from(midranks(b)));
  return Number.isFinite(r) ? r : null;
}

interface Graded {
  records: ScoredRecord[];
  logits: Float64Array;
}

function modelCheck(source: ModelCheck['source'], graded: Graded, fittedOn: ModelCheck['fittedOn'], unreadFields: ModelCheck['unreadFields'], listed: number): ModelCheck {
  const { records, logits } = graded;
  const n = records.length;
  const rulesRows: BacktestRow[] = records.map((r) => ({ id: r.lead.id, score: r.score, tier: r.tier, converted: r.lead.converted === true }));
  const modelRows: BacktestRow[] = records.map((r, i) => ({ id: r.lead.id, score: logits[i]!, tier: r.tier, converted: r.lead.converted === true }));
  const ranks = midranks(logits);
  // Mid-rank based: a lead in a tie group sits at the group's middle, so ties never count as "top" by accident.
  const percentile = (i: number) => 1 - (ranks[i]! - 0.5) / n;
  const disagreement = (i: number): Disagreement => ({ id: records[i]!.lead.id, score: records[i]!.score, tier: records[i]!.tier, modelPercentile: round(percentile(i)), converted: records[i]!.lead.converted === true });
  const byModel = (x: number, y: number) => logits[y]! - logits[x]! || (records[x]!.lead.id < records[y]!.lead.id ? -1 : 1);
  const indices = records.map((_, i) => i);
  // The model's rank order, ties by id as the backtest cuts them: its top 10% and its bottom half.
  const ordered = [...indices].sort(byModel);
  const top = ordered.slice(0, Math.ceil(n / 10));
  const bottom = ordered.slice(Math.ceil(n / 2)).reverse();
  return {
    source,
    fittedOn,
    graded: { leads: n, conversions: rulesRows.filter((r) => r.converted).length },
    model: aucWithInterval(modelRows),
    rules: aucWithInterval(rulesRows),
    difference: compareAucs(rulesRows, modelRows),
    rankAgreement: rankCorrelation(
      records.map((r) => r.score),
      logits,
    ),
    modelTopDecileCold: top.length === 0 ? null : round(top.filter((i) => records[i]!.tier === 'COLD').length / top.length),
    modelTopRulesCold: top
      .filter((i) => records[i]!.tier === 'COLD')
      .slice(0, listed)
      .map(disagreement),
    rulesHotModelLow: bottom
      .filter((i) => records[i]!.tier === 'HOT')
      .slice(0, listed)
      .map(disagreement),
    unreadFields,
  };
}

const fmt3 = (x: number) => x.toFixed(3);
const count = (n: number) => n.toLocaleString('en-US');

/** Beats the rules by more than the threshold, and the data can tell (paired interval above 0). */
export function modelFires(m: ModelCheck): boolean {
  return m.difference !== null && m.difference.difference > DRIFT_THRESHOLDS.aucGap && m.difference.ci.low > 0;
}

function modelName(m: ModelCheck): string {
  return m.source === 'refit' ? 'the model refitted on today’s leads' : 'the model stored when the rules were tuned';
}

/** What to run when the alarm fires: re-weight the live rules file (its proposed additions listed), or, for the built-in rules, build rules from the fields. */
export function tuneCommandFor(leadsPath: string, rulesPath: string | undefined): string {
  return `npm run tune -- --leads ${leadsPath}${rulesPath ? ` --rules ${rulesPath}` : ''} --out suggested.rules.json --report suggested.md`;
}

export function driftReport(source: RecordSource, options: DriftOptions): DriftReport {
  const { rules, asOf, split } = options;
  const cap = options.sampleLeads ?? DRIFT_SAMPLE_LEADS;
  const listed = options.disagreements ?? 10;
  const next = options.tuneCommand ?? 'npm run tune -- --rules LIVE.json';

  // One pass: today's score histogram and tiers, and how many leads have an outcome.
  const histogram = new Array<number>(101).fill(0);
  const tiers = { HOT: 0, WARM: 0, COLD: 0 } as Record<Tier, number>;
  let leads = 0;
  let withOutcome = 0;
  for (const record of source()) {
    leads++;
    histogram[Math.max(0, Math.min(100, Math.round(record.score)))]!++;
    tiers[record.tier]++;
    if (record.lead.converted !== undefined) withOutcome++;
  }

  let scoreShift: ScoreShift | null = null;
  let scoreShiftNote: string | null = null;
  if (!rules.tuning) scoreShiftNote = 'The live rules carry no design-half score histogram (they were not written by npm run tune), so there is nothing to measure a shift against.';
  else if (leads === 0) scoreShiftNote = 'There are no leads to compare with the design half.';
  else {
    const { psi, bins } = populationStability(rules.tuning.scoreHistogram, histogram);
    const now = { hot: round(tiers.HOT / leads), warm: round(tiers.WARM / leads), cold: round(tiers.COLD / leads) };
    scoreShift = { psi: round(psi), band: psiBand(psi), bins, designLeads: rules.tuning.design.leads, leads, tierShares: { then: rules.tuning.tierShares, now } };
  }

  const models: ModelCheck[] = [];
  const modelNotes: string[] = [];
  let sample: string | null = null;
  if (withOutcome === 0) {
    modelNotes.push(`The model comparison needs leads with a known outcome; none of the ${count(leads)} leads has one yet. The score shift above needs none.`);
  } else {
    // A hash sample of the leads with an outcome, split as the rules are graded: the model fits the design half.
    const keep = Math.min(1, cap / withOutcome);
    const chosen: ScoredRecord[] = [];
    for (const record of source()) {
      if (record.lead.converted === undefined) continue;
      if (keep === 1 || unitInterval(`drift:${record.lead.id}`) < keep) chosen.push(record);
    }
    const half = splitter(split);
    const test = chosen.filter((r) => half(r.lead) === 'test');
    const design = chosen.length - test.length;
    sample = `${keep === 1 ? `all ${count(chosen.length)} leads with an outcome` : `a sample of ${count(chosen.length)} of the ${count(withOutcome)} leads with an outcome (by a hash of the lead id)`}, split ${describeSplit(split)}: fitted on ${count(design)} design-half leads, graded on ${count(test.length)} test-half leads`;
    const conversions = test.filter((r) => r.lead.converted).length;
    if (test.length === 0 || conversions === 0 || conversions === test.length) {
      modelNotes.push(`The test half holds ${count(test.length)} leads with an outcome, ${count(conversions)} converted: the model comparison needs both converters and non-converters there.`);
    } else {
      try {
        const sampleLeads = chosen.map((r) => r.lead);
        const fit = tuneRules(() => sampleLeads, { split, asOf });
        const read = new Set(rules.rules.flatMap(ruleFields));
        const unread = fit.decisions
          .filter((d) => d.used && !read.has(d.field))
          .map((d) => ({ field: d.field, iv: d.iv === undefined ? null : round(d.iv) }))
          .sort((a, b) => (b.iv ?? 0) - (a.iv ?? 0) || (a.field < b.field ? -1 : 1));
        models.push(modelCheck('refit', { records: test, logits: fit.model.testLogits }, { leads: fit.counts.design, conversions: fit.counts.designConversions }, unread, listed));
        if (fit.counts.design < SMALL_PROFILE) {
          modelNotes.push(`The model was refitted on ${count(fit.counts.design)} design-half leads: below ${count(SMALL_PROFILE)} its bins are coarse and it may rank worse than rules written with judgement; trust the comparison on a larger export.`);
        }
      } catch (error) {
        // tune's core reports data it cannot fit (one class on the design half, nothing that separates) as plain errors.
        modelNotes.push(`No model could be refitted on the design half: ${error instanceof Error ? error.message : String(error)}.`);
      }
      if (rules.tuning) {
        const score = modelScorer(rules, rules.tuning.model, asOf);
        const logits = Float64Array.from(test, (r) => score(toScorable(r.lead)));
        models.push(modelCheck('stored', { records: test, logits }, rules.tuning.design, [], listed));
      }
    }
  }

  const reasons: string[] = [];
  if (scoreShift && scoreShift.psi > DRIFT_THRESHOLDS.psi) {
    if (scoreShift.leads >= DRIFT_THRESHOLDS.psiMinLeads) {
      reasons.push(`the score distribution has shifted since tuning: PSI ${scoreShift.psi.toFixed(2)} > ${DRIFT_THRESHOLDS.psi} (${count(scoreShift.designLeads)} design-half leads then, ${count(scoreShift.leads)} leads now)`);
    } else {
      scoreShiftNote = `PSI ${scoreShift.psi.toFixed(2)} is above ${DRIFT_THRESHOLDS.psi}, but on ${count(scoreShift.leads)} leads (fewer than ${DRIFT_THRESHOLDS.psiMinLeads}) that may be chance: it does not fire the alarm.`;
    }
  }
  for (const m of models.filter(modelFires)) {
    const d = m.difference!;
    const unread = m.unreadFields.length ? `; it reads ${m.unreadFields.slice(0, 3).map((f) => f.field).join(', ')}, which no rule reads` : '';
    reasons.push(`${modelName(m)} ranks the test-half leads better than the rules: AUC ${fmt3(m.model!.auc)} vs ${fmt3(m.rules!.auc)} (+${fmt3(d.difference)}, paired 95% CI ${fmt3(d.ci.low)} to ${fmt3(d.ci.high)}, ${count(m.graded.leads)} leads)${unread}`);
  }
  const alarm = reasons.length > 0;
  return {
    alarm,
    line: alarm ? `DRIFT ALARM: ${reasons.join('; and ')}. ${nextStep(next, withOutcome)}` : quietLine(scoreShift, models, modelNotes),
    reasons,
    thresholds: DRIFT_THRESHOLDS,
    leads,
    withOutcome,
    scoreShift,
    scoreShiftNote,
    models,
    modelNotes,
    sample,
    next,
  };
}

/** tune fits on outcomes: without any, the shift is news about the funnel, and re-weighting waits for them. */
function nextStep(next: string, withOutcome: number): string {
  if (withOutcome === 0) return `The leads carry no outcome yet, so nothing can be re-weighted: find what changed in the funnel (which sources, industries and company sizes now come in), and once outcomes come in run ${next}, then review its report.`;
  return `Next: ${next} (re-weights the rules on today's outcomes and lists the fields worth adding), then review its report.`;
}

function quietLine(shift: ScoreShift | null, models: ModelCheck[], notes: string[]): string {
  const parts: string[] = [];
  if (shift) parts.push(`PSI ${shift.psi.toFixed(2)} (${shift.band}; alarm above ${DRIFT_THRESHOLDS.psi})`);
  for (const m of models) {
    if (!m.difference) continue;
    const d = m.difference;
    const signed = `${d.difference >= 0 ? '+' : ''}${fmt3(d.difference)} AUC`;
    parts.push(
      d.difference > DRIFT_THRESHOLDS.aucGap
        ? `${modelName(m)} ${signed} vs the rules, but the data cannot tell (paired 95% CI ${fmt3(d.ci.low)} to ${fmt3(d.ci.high)})`
        : `${modelName(m)} ${signed} vs the rules (alarm above +${DRIFT_THRESHOLDS.aucGap})`,
    );
  }
  if (parts.length === 0) return `No drift alarm, but nothing could be checked: ${notes[0] ?? 'no score histogram and no outcomes'}`;
  return `No drift alarm: ${parts.join('; ')}.${models.length === 0 && notes.length > 0 ? ` ${notes[0]}` : ''}`;
}

/** The drift section of `npm run validate -- --drift`. */
export function formatDrift(report: DriftReport): string {
  const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
  const lines = ['Drift', report.line, ''];
  if (report.scoreShift) {
    const s = report.scoreShift;
    lines.push(`Score distribution: PSI ${s.psi.toFixed(3)} (${s.band}: < ${DRIFT_THRESHOLDS.psiModerate} stable, ${DRIFT_THRESHOLDS.psiModerate}–${DRIFT_THRESHOLDS.psi} moderate, > ${DRIFT_THRESHOLDS.psi} significant); design half ${count(s.designLeads)} leads, now ${count(s.leads)}`);
    lines.push(`  Scores   ${s.bins.map((b) => `${b.from}–${b.to}`.padStart(8)).join('')}`);
    lines.push(`  Then     ${s.bins.map((b) => pct(b.expected).padStart(8)).join('')}`);
    lines.push(`  Now      ${s.bins.map((b) => pct(b.actual).padStart(8)).join('')}`);
    lines.push(`Tier shares then → now: ${TIERS.map((t) => `${t} ${pct(s.tierShares.then[t.toLowerCase() as keyof TierShares])} → ${pct(s.tierShares.now[t.toLowerCase() as keyof TierShares])}`).join(', ')}`);
  }
  if (report.scoreShiftNote) lines.push(report.scoreShiftNote);
  if (report.sample) lines.push('', `Model beside the rules: ${report.sample}.`);
  for (const m of report.models) {
    lines.push(
      '',
      `${m.source === 'refit' ? 'Refitted model' : 'Stored model (from tuning)'} — fitted on ${count(m.fittedOn.leads)} leads (${count(m.fittedOn.conversions)} converted); graded on ${count(m.graded.leads)} (${count(m.graded.conversions)} converted)`,
      `  AUC: model ${m.model ? fmt3(m.model.auc) : '—'}${m.model?.ci ? ` (95% CI ${fmt3(m.model.ci.low)}–${fmt3(m.model.ci.high)})` : ''}, rules ${m.rules ? fmt3(m.rules.auc) : '—'}${m.rules?.ci ? ` (95% CI ${fmt3(m.rules.ci.low)}–${fmt3(m.rules.ci.high)})` : ''}`,
      `  Difference, model − rules (DeLong, paired): ${m.difference ? `${m.difference.difference >= 0 ? '+' : ''}${fmt3(m.difference.difference)} (95% CI ${fmt3(m.difference.ci.low)} to ${fmt3(m.difference.ci.high)})` : '—'}`,
      `  Rank agreement (Spearman): ${m.rankAgreement === null ? '—' : m.rankAgreement.toFixed(3)}; of the model's top 10%, ${pct(m.modelTopDecileCold)} are COLD under the rules`,
    );
    if (m.unreadFields.length) lines.push(`  Fields the model uses that no rule reads: ${m.unreadFields.map((f) => `${f.field}${f.iv === null ? '' : ` (IV ${f.iv.toFixed(2)})`}`).join(', ')}`);
    const list = (title: string, items: Disagreement[]) => {
      if (items.length === 0) return;
      lines.push(`  ${title}:`);
      for (const d of items) lines.push(`    ${d.id}  ${d.tier} ${d.score}  model percentile ${(100 * d.modelPercentile).toFixed(1)}  converted: ${d.converted ? 'yes' : 'no'}`);
    };
    list("COLD leads in the model's top 10%", m.modelTopRulesCold);
    list("HOT leads in the model's bottom half", m.rulesHotModelLow);
  }
  for (const note of report.modelNotes) lines.push('', note);
  return `${lines.join('\n')}\n`;
}
