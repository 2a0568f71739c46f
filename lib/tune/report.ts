import { describeAsOf } from '../as-of';
import { rocAuc, runBacktest, tierMoveMatrix, type BacktestResult, type PrecisionAtK } from '../backtest';
import { toScorable, type Lead } from '../lead';
import { describeRule, pts } from '../rules-doc';
import { ruleMaxPoints, type Rule, type RuleSet } from '../rules';
import { rulesVersion, scoreLead, tierFor, TIERS, type Tier } from '../scoring';
import { describeSplit, splitter, type Half, type SplitSpec } from '../split';
import type { LeadSource, SuggestedRule, TuneResult } from './tune';

/**
 * The review report of a tune: the suggested rules against the base on both halves, the tier moves, the
 * rules diff and example leads. The data is built here (pure: leads come from `source`); `reportMarkdown`
 * and `reportSummary` only format it. Every figure names the half it was computed on.
 */

export interface HalfMetrics {
  half: Half;
  leads: number;
  conversions: number;
  base: BacktestResult;
  suggested: BacktestResult;
  /** The fitted model before rounding and scaling, on the same buckets. */
  unroundedAuc: number | null;
  /** Precision at capacity: the top k leads by score, k = the capacity's share of this half. */
  capacity: { k: number; base: PrecisionAtK; suggested: PrecisionAtK };
}

export interface ExampleLead {
  id: string;
  converted: boolean;
  from: { score: number; tier: Tier };
  to: { score: number; tier: Tier };
  /** The suggested rules that paid most for this lead. */
  reasons: string[];
}

export interface RuleChange {
  id: string;
  label: string;
  change: 'changed' | 'added' | 'dropped' | 'unchanged';
  before?: string;
  after?: string;
  maxBefore?: number;
  maxAfter?: number;
  why?: string;
}

export interface TuneReport {
  name: string;
  baseName: string;
  /** The base is the built-in default rules when no `--rules` was given. */
  baseIsDefault: boolean;
  split: string;
  asOf: string;
  counts: TuneResult['counts'];
  halves: HalfMetrics[];
  /** Test half: rows base tier, columns suggested tier (HOT, WARM, COLD). */
  moves: number[][];
  examples: ExampleLead[];
  changes: RuleChange[];
  proposed: SuggestedRule[];
  decisions: TuneResult['decisions'];
  tiers: RuleSet['tiers'];
  versions: { base: string; suggested: string };
  /** Share of leads the capacity stands for. */
  capacityShare: number;
}

export interface CompareOptions {
  split: SplitSpec;
  asOf: Date;
  base: RuleSet;
  baseIsDefault: boolean;
  /** Share of leads the team can work (precision at capacity); tune's HOT share by default. */
  capacityShare: number;
  examples?: number;
}

interface Row {
  id: string;
  score: number;
  tier: Tier;
  converted: boolean;
}

/** Scores every lead with both rule sets (the engine, not the model) and gathers the report's figures. */
export function buildReport(source: LeadSource, result: TuneResult, options: CompareOptions): TuneReport {
  const half = splitter(options.split);
  const rows: Record<Half, { base: Row[]; suggested: Row[] }> = { design: { base: [], suggested: [] }, test: { base: [], suggested: [] } };
  const movers: { lead: Lead; from: Row; to: Row }[] = [];
  const suggestedRules = result.rules;
  // The suggested scores tune computed from its rules' bucket points (caps never bind; tests hold them equal
  // to the engine's), in the same order: `source` must be the one tune read.
  let row = 0;
  for (const lead of source()) {
    if (lead.converted === undefined) continue;
    const h = half(lead);
    const a = scoreLead(toScorable(lead), { rules: options.base, now: options.asOf });
    const score = result.scores[row++]!;
    const from = { id: lead.id, score: a.score, tier: a.tier, converted: lead.converted };
    const to = { id: lead.id, score, tier: tierFor(score, suggestedRules), converted: lead.converted };
    rows[h].base.push(from);
    rows[h].suggested.push(to);
    if (h === 'test' && from.tier !== to.tier) keepMover(movers, { lead, from, to }, options.examples ?? 6);
  }
  const unrounded = { design: aucOf(result.model.designLogits, result.model.designOutcomes), test: aucOf(result.model.testLogits, result.model.testOutcomes) };
  const halves = (['design', 'test'] as const).map((h): HalfMetrics => {
    const { base, suggested } = rows[h];
    const k = Math.max(1, Math.round(options.capacityShare * base.length));
    const b = runBacktest(base, { ks: [k] });
    const s = runBacktest(suggested, { ks: [k] });
    return { half: h, leads: b.n, conversions: b.conversions, base: b, suggested: s, unroundedAuc: unrounded[h], capacity: { k, base: b.precisionAtK[0]!, suggested: s.precisionAtK[0]! } };
  });
  const testBase = rows.test.base;
  const testSuggested = rows.test.suggested;
  return {
    name: suggestedRules.name,
    baseName: options.base.name,
    baseIsDefault: options.baseIsDefault,
    split: describeSplit(options.split),
    asOf: options.asOf.toISOString(),
    counts: result.counts,
    halves,
    moves: tierMoveMatrix(testBase.map((r, i) => [r.tier, testSuggested[i]!.tier] as const)),
    examples: movers.map(({ lead, from, to }) => ({
      id: lead.id,
      converted: lead.converted === true,
      from: { score: from.score, tier: from.tier },
      to: { score: to.score, tier: to.tier },
      reasons: scoreLead(toScorable(lead), { rules: suggestedRules, now: options.asOf })
        .breakdown.filter((item) => item.points > 0)
        .sort((x, y) => y.points - x.points || (x.ruleId < y.ruleId ? -1 : 1))
        .slice(0, 3)
        .map((item) => `${item.label}: ${item.unknown ? 'unknown' : (item.value ?? '')} (${pts(item.points)})`),
    })),
    changes: ruleChanges(options.base, suggestedRules, options.baseIsDefault),
    proposed: result.proposed,
    decisions: result.decisions,
    tiers: suggestedRules.tiers,
    versions: { base: rulesVersion(options.base), suggested: rulesVersion(suggestedRules) },
    capacityShare: options.capacityShare,
  };
}

const tierDistance = (a: Tier, b: Tier) => Math.abs(TIERS.indexOf(a) - TIERS.indexOf(b));

/** Keeps the biggest movers (tier distance, then score change, then id), half of them up and half down. */
function keepMover(movers: { lead: Lead; from: Row; to: Row }[], mover: { lead: Lead; from: Row; to: Row }, limit: number): void {
  const up = (m: { from: Row; to: Row }) => TIERS.indexOf(m.to.tier) < TIERS.indexOf(m.from.tier);
  const rank = (m: { from: Row; to: Row; lead: Lead }) => [tierDistance(m.from.tier, m.to.tier), Math.abs(m.to.score - m.from.score)] as const;
  const better = (x: (typeof movers)[number], y: (typeof movers)[number]) => {
    const [dx, sx] = rank(x);
    const [dy, sy] = rank(y);
    return dx !== dy ? dx > dy : sx !== sy ? sx > sy : x.lead.id < y.lead.id;
  };
  const side = movers.filter((m) => up(m) === up(mover));
  const cap = Math.ceil(limit / 2);
  if (side.length < cap) {
    movers.push(mover);
  } else {
    const worst = side.reduce((w, m) => (better(w, m) ? m : w));
    if (better(mover, worst)) movers.splice(movers.indexOf(worst), 1, mover);
  }
  movers.sort((x, y) => Number(up(y)) - Number(up(x)) || (better(x, y) ? -1 : 1));
}

function aucOf(scores: Float64Array, outcomes: Uint8Array): number | null {
  return rocAuc(Array.from(scores, (score, i) => ({ id: String(i).padStart(10, '0'), score, tier: 'COLD' as const, converted: outcomes[i] === 1 })));
}

function ruleChanges(base: RuleSet, suggested: RuleSet, baseIsDefault: boolean): RuleChange[] {
  const after = new Map(suggested.rules.map((r) => [r.id, r]));
  const before = new Map(base.rules.map((r) => [r.id, r]));
  const describe = (r: Rule) => describeRule(r);
  const changes: RuleChange[] = [];
  for (const rule of base.rules) {
    const next = after.get(rule.id);
    if (!next || baseIsDefault) changes.push({ id: rule.id, label: rule.label, change: 'dropped', before: describe(rule), maxBefore: ruleMaxPoints(rule) });
    else {
      const same = describe(rule) === describe(next);
      changes.push({ id: rule.id, label: rule.label, change: same ? 'unchanged' : 'changed', before: describe(rule), after: describe(next), maxBefore: ruleMaxPoints(rule), maxAfter: ruleMaxPoints(next), why: next.why });
    }
  }
  for (const rule of suggested.rules) {
    if (!before.has(rule.id) || baseIsDefault) changes.push({ id: rule.id, label: rule.label, change: 'added', after: describe(rule), maxAfter: ruleMaxPoints(rule), why: rule.why });
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

const DASH = '—';
const pct = (x: number | null | undefined) => (x === null || x === undefined ? DASH : `${(100 * x).toFixed(1)}%`);
const times = (x: number | null | undefined) => (x === null || x === undefined ? DASH : `${x.toFixed(2)}×`);
const auc = (x: number | null) => (x === null ? DASH : x.toFixed(3));
const count = (n: number) => n.toLocaleString('en-US');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function tierCell(result: BacktestResult, tier: Tier): string {
  const t = result.tiers.find((x) => x.tier === tier)!;
  return t.leads === 0 ? `${DASH} (0 leads)` : `${pct(t.rate)} (${pct(t.ci.low)}–${pct(t.ci.high)}, ${count(t.leads)} leads)`;
}

/** The metrics as rows: [metric, design base, design suggested, test base, test suggested]. */
export function metricRows(report: TuneReport): string[][] {
  const [design, test] = report.halves as [HalfMetrics, HalfMetrics];
  const both = (f: (m: HalfMetrics, which: 'base' | 'suggested') => string) => [f(design, 'base'), f(design, 'suggested'), f(test, 'base'), f(test, 'suggested')];
  return [
    ['ROC AUC', ...both((m, w) => auc(m[w].auc))],
    ['Unrounded model AUC (same buckets)', DASH, auc(design.unroundedAuc), DASH, auc(test.unroundedAuc)],
    ['Top-decile lift', ...both((m, w) => times(m[w].deciles[0]?.lift))],
    [`Precision at capacity (top ${pct(report.capacityShare)})`, ...both((m, w) => `${pct(m.capacity[w].precision)} of ${count(m.capacity.k)}`)],
    ...TIERS.map((tier) => [`${tier} conversion (95% CI)`, ...both((m, w) => tierCell(m[w], tier))]),
  ];
}

/** A Markdown table; numbers right-aligned (`numeric`), text left. */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], numeric = true): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 || !numeric ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function moveTable(report: TuneReport): string {
  return markdownTable(
    [`Base tier ↓ / suggested tier →`, ...TIERS, 'Total'],
    TIERS.map((tier, i) => [tier, ...report.moves[i]!.map(count), count(report.moves[i]!.reduce((a, b) => a + b, 0))]),
  );
}

export function reportMarkdown(report: TuneReport): string {
  const [design, test] = report.halves as [HalfMetrics, HalfMetrics];
  const baseLabel = report.baseIsDefault ? `the built-in default rules (${report.versions.base})` : `${report.baseName} (${report.versions.base})`;
  const lines: string[] = [
    `# Suggested rules: ${report.name} (${report.versions.suggested})`,
    '',
    `Fitted by \`npm run tune\` on the **design half** and graded on the **test half**, which played no part in the fit.`,
    '',
    `- Split: ${report.split}`,
    `- Dates: ${describeAsOf(report.asOf)}${Date.parse(report.asOf) === 0 ? '' : ' (recency is measured against it)'}`,
    `- Design half: ${count(design.leads)} leads, ${count(design.conversions)} conversions (${pct(design.leads ? design.conversions / design.leads : null)})`,
    `- Test half: ${count(test.leads)} leads, ${count(test.conversions)} conversions (${pct(test.leads ? test.conversions / test.leads : null)})${report.counts.noOutcome ? `; ${count(report.counts.noOutcome)} leads without an outcome left out` : ''}`,
    `- Base: ${baseLabel}`,
    `- Tiers proposed from the design half: HOT ≥ ${report.tiers.hot}, WARM ${report.tiers.warm}–${report.tiers.hot - 1}, COLD < ${report.tiers.warm}`,
    '',
    '## Base vs suggested',
    '',
    markdownTable(['Metric', 'Design: base', 'Design: suggested', 'Test: base', 'Test: suggested'], metricRows(report)),
    '',
    `The unrounded model is the fitted logistic regression before its weights became integer points: the gap to it is what rounding and the 100-point scale cost. Tier rates are Wilson 95% intervals; each tier uses its own rule set's thresholds.`,
    '',
    '## Leads moving between tiers (test half)',
    '',
    moveTable(report),
    '',
    '## Rules',
    '',
  ];
  const changed = report.changes.filter((c) => c.change !== 'unchanged');
  if (changed.length === 0) lines.push('No rule changed.');
  else {
    lines.push(
      markdownTable(
        ['Rule', 'Change', 'Before', 'After', 'Why (design-half evidence)'],
        changed.map((c) => [`${c.label} (\`${c.id}\`)`, c.change, c.before ? `${c.before} (max ${c.maxBefore})` : DASH, c.after ? `${c.after} (max ${c.maxAfter})` : DASH, c.why ?? DASH]),
        false,
      ),
    );
  }
  if (report.proposed.length > 0) {
    lines.push(
      '',
      '## Proposed additions (not in the written file; `--add-proposed` writes them)',
      '',
      markdownTable(
        ['Rule', 'Points', 'Why (design-half evidence)'],
        report.proposed.map((p) => [`${p.rule.label} (\`${p.rule.id}\`)`, describeRule(p.rule), p.rule.why]),
        false,
      ),
    );
  }
  lines.push(
    '',
    '## Fields',
    '',
    markdownTable(
      ['Field', 'Type', 'Used', 'Why'],
      report.decisions.map((d) => [`\`${d.field}\``, d.type ?? DASH, d.used ? 'yes' : 'no', d.reason]),
      false,
    ),
  );
  if (report.examples.length > 0) {
    lines.push(
      '',
      '## Example leads that move (test half)',
      '',
      markdownTable(
        ['Lead', 'Converted', 'Base', 'Suggested', 'Top reasons (suggested)'],
        report.examples.map((e) => [e.id, e.converted ? 'yes' : 'no', `${e.from.tier} ${e.from.score}`, `${e.to.tier} ${e.to.score}`, e.reasons.join('; ') || DASH]),
        false,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The terminal summary: the metrics and what was written. */
export function reportSummary(report: TuneReport): string {
  const rows = metricRows(report);
  const header = ['', 'design: base', 'design: suggested', 'test: base', 'test: suggested'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const added = report.changes.filter((c) => c.change === 'added').length;
  const changed = report.changes.filter((c) => c.change === 'changed').length;
  const dropped = report.changes.filter((c) => c.change === 'dropped').length;
  const [design, test] = report.halves as [HalfMetrics, HalfMetrics];
  return [
    `Split: ${report.split}`,
    `Design half ${count(design.leads)} leads (${count(design.conversions)} converted), test half ${count(test.leads)} leads (${count(test.conversions)} converted); ${describeAsOf(report.asOf)}`,
    '',
    line(header),
    line(header.map((_, i) => '-'.repeat(widths[i]!))),
    ...rows.map(line),
    '',
    `Rules vs ${report.baseIsDefault ? 'the default rules' : report.baseName}: ${changed} changed, ${added} added, ${dropped} dropped${report.proposed.length ? `; ${report.proposed.length} proposed additions in the report` : ''}. Tiers: HOT ≥ ${report.tiers.hot}, WARM ≥ ${report.tiers.warm}.`,
  ].join('\n');
}
