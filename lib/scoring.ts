import { DEFAULT_RULES } from './default-rules';
import { fieldReader, leadDateMs, type FieldValue, type ScorableLead } from './lead';
import { stableHash } from './hash';
import { compilePattern } from './pattern';
import { conditionText, counterRate, fieldName, pts } from './rules-doc';
import { ruleMaxPoints, type Condition, type Rule, type RuleSet } from './rules';

/**
 * The deterministic scoring engine. Pure: no I/O, no clock (`now` is passed in), no randomness.
 * It interprets the rule kinds of `lib/rules.ts`; every point in a score comes from one rule and is
 * listed in the breakdown, whose points add up exactly to the score.
 */

export { DEFAULT_RULES };

export type Tier = 'HOT' | 'WARM' | 'COLD';
export const TIERS: readonly Tier[] = ['HOT', 'WARM', 'COLD'];

export interface BreakdownItem {
  readonly ruleId: string;
  readonly label: string;
  readonly category: string;
  readonly points: number;
  /** The most this rule can contribute: its own maximum, limited by its category's cap. */
  readonly maxPoints: number;
  /** What the lead had, for display; `null` when the field is missing (unknown). */
  readonly value: string | null;
  /** True when the field was missing: unknown, which is not the same as zero. */
  readonly unknown: boolean;
  /** How the points were worked out, in words. */
  readonly detail: string;
}

export interface ScoreResult {
  score: number;
  tier: Tier;
  breakdown: BreakdownItem[];
  rulesVersion: string;
}

export interface ScoreOptions {
  rules?: RuleSet;
  /** Reference time for recency rules. Without it, recency is reported as unknown and earns nothing. */
  now?: Date;
}

const DAY_MS = 86_400_000;
const FLOAT_SLACK = 1e-9;

type PresentValue = Exclude<FieldValue, undefined>;
type Evaluation = { points: number; value: string | null; detail: string };
type Evaluator = (value: PresentValue, nowMs: number | undefined) => Evaluation | typeof UNREADABLE;

interface CompiledRule {
  categoryIndex: number;
  /** The rule's breakdown line for a lead, before the category cap. */
  itemOf: (lead: ScorableLead, nowMs: number | undefined) => BreakdownItem;
  /** The line for one present field value (single-field rules only; seniority display reads it). */
  itemFor?: (value: PresentValue, nowMs: number | undefined) => BreakdownItem;
  /** Drops the remembered lines (they depend on `now`). */
  forget: () => void;
}

type SingleFieldRule = Exclude<Rule, { kind: 'combination' }>;

interface CompiledRuleSet {
  rules: CompiledRule[];
  caps: number[];
  /** Per-call scratch for what is left of each category cap; scoring is synchronous, so one buffer serves. */
  remaining: Int32Array;
  /** The `now` the rules' remembered lines were built for. */
  memoNow: number | undefined;
  tiers: RuleSet['tiers'];
  version: string;
}

const UNKNOWN_TEXT = 'unknown (not provided)';
const MEMO_LIMIT = 10_000;
const MEMO_MAX_TEXT = 80;

/** Recency depends on the age in whole days, not the exact timestamp, so that is what its lines are cached by. */
function recencyKey(value: PresentValue, nowMs: number | undefined): PresentValue {
  if (typeof value !== 'string' || nowMs === undefined) return value;
  const at = leadDateMs(value);
  return at === undefined ? value : Math.max(0, Math.floor((nowMs - at) / DAY_MS));
}

/**
 * Field values repeat heavily in CRM data (titles, industries, counts), so each rule keeps the breakdown
 * line it built for a value and hands out that same frozen object again. Bounded, reset when `now`
 * changes, and invisible to callers (same input, same output), so the engine stays pure.
 */
function compileRule(rule: Rule, categoryIndex: number, cap: number): CompiledRule {
  const base = { ruleId: rule.id, label: rule.label, category: rule.category };
  const maxPoints = Math.min(ruleMaxPoints(rule), cap);
  if (rule.kind === 'combination') return compileCombination(rule, base, maxPoints, categoryIndex);
  const evaluate = compileEvaluator(rule);
  const byAge = rule.kind === 'recency';
  const read = fieldReader(rule.field);
  const unknownPoints = rule.unknownPoints ?? 0;
  const unknownItem = Object.freeze(line(base, unknownPoints, maxPoints, null, true, unknownPoints > 0 ? `${UNKNOWN_TEXT} → ${pts(unknownPoints)}` : UNKNOWN_TEXT));
  const memo = new Map<PresentValue, BreakdownItem>();
  const itemFor = (value: PresentValue, nowMs: number | undefined): BreakdownItem => {
    const key = byAge ? recencyKey(value, nowMs) : value;
    let item = memo.get(key);
    if (item === undefined) {
      const evaluation = evaluate(value, nowMs);
      item =
        evaluation === UNREADABLE
          ? line(base, unknownPoints, maxPoints, String(value), true, `"${String(value)}" ${unreadableText(rule)}: treated as unknown → ${pts(unknownPoints)}`)
          : line(base, evaluation.points, maxPoints, evaluation.value, false, evaluation.detail);
      // Long text (a description) rarely repeats: remembering it would only keep garbage alive.
      if (typeof key !== 'string' || key.length <= MEMO_MAX_TEXT) {
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(key, Object.freeze(item));
      }
    }
    return item;
  };
  return {
    categoryIndex,
    itemFor,
    itemOf: (lead, nowMs) => {
      const raw = read(lead);
      return raw === undefined ? unknownItem : itemFor(raw, nowMs);
    },
    forget: () => memo.clear(),
  };
}

function unreadableText(rule: SingleFieldRule): string {
  return rule.kind === 'recency' ? 'is not a date' : 'is not a number';
}

type BaseItem = Pick<BreakdownItem, 'ruleId' | 'label' | 'category'>;

/**
 * A breakdown line, always built as one literal of one shape. Spreading the rule's and the evaluation's
 * objects into it instead took V8's generic clone, about 4 µs a line: two thirds of the scoring time of a
 * tuned rule set with nine keyword rules on a description, whose lines are built anew for every lead.
 */
function line(base: BaseItem, points: number, maxPoints: number, value: string | null, unknown: boolean, detail: string): BreakdownItem {
  return { ruleId: base.ruleId, label: base.label, category: base.category, points, maxPoints, value, unknown, detail };
}

/** A combination's line names each condition and whether it held, so a reviewer sees why it paid or not. */
function compileCombination(rule: Extract<Rule, { kind: 'combination' }>, base: BaseItem, maxPoints: number, categoryIndex: number): CompiledRule {
  const conditions = rule.conditions.map((condition) => ({ condition, read: fieldReader(condition.field), holds: compileCondition(condition), text: conditionText(condition) }));
  return {
    categoryIndex,
    forget: () => {},
    itemOf(lead) {
      const checks = conditions.map(({ read, holds, text, condition }) => {
        const value = read(lead);
        return { ok: holds(value), text, shown: `${fieldName(condition.field)}: ${value === undefined ? 'unknown' : showValue(value)}`, missing: value === undefined };
      });
      const all = checks.every((c) => c.ok);
      const points = all ? rule.points : 0;
      const detail = all
        ? `${checks.map((c) => c.text).join(' and ')} → ${pts(points)}`
        : `not all hold: ${checks.map((c) => `${c.text} ${c.ok ? '✓' : c.missing ? '✗ (unknown)' : '✗'}`).join(', ')} → 0 pts`;
      return line(base, points, maxPoints, checks.map((c) => c.shown).join('; '), checks.every((c) => c.missing), detail);
    },
  };
}

/** One condition of a combination rule as a test of a field value (a missing field fails all but `is: unknown`). */
export function compileCondition(condition: Condition): (value: FieldValue) => boolean {
  if (condition.is !== undefined) {
    const is = condition.is;
    return (value) => (is === 'unknown' ? value === undefined : is === 'known' ? value !== undefined : value === (is === 'yes'));
  }
  if (condition.in !== undefined) {
    const listed = new Set(condition.in.map(normalizeKey));
    return (value) => value !== undefined && listed.has(normalizeKey(String(value)));
  }
  if (condition.matches !== undefined) {
    const patterns = condition.matches.map(compilePattern);
    return (value) => {
      if (value === undefined) return false;
      const text = normalizeTitle(String(value));
      return patterns.some((p) => p.test(text));
    };
  }
  const { op, value: bound } = condition as { op: NonNullable<Condition['op']>; value: number };
  const compare = { '>': (x: number) => x > bound, '>=': (x: number) => x >= bound, '<': (x: number) => x < bound, '<=': (x: number) => x <= bound }[op];
  return (value) => typeof value === 'number' && compare(value);
}

const showValue = (value: PresentValue) => (typeof value === 'boolean' ? (value ? 'yes' : 'no') : typeof value === 'number' ? formatNumber(value) : value);

const formatNumber = (n: number) => (Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(n));
/** How category values are matched: case- and whitespace-insensitive. */
export const normalizeKey = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** Title-style text is matched with punctuation folded to spaces, so "Sr. Dir." and "Co-Founder & CEO" parse. */
export function normalizeTitle(text: string): string {
  // Several keyword rules often read the same field one after another: the last result is kept.
  if (text === lastTitle.text) return lastTitle.normalized;
  const normalized = ` ${text.toLowerCase().replace(/&/g, ' and ').replace(/[^\p{L}\p{N},]+/gu, ' ').replace(/\s+/g, ' ').trim()} `;
  lastTitle = { text, normalized };
  return normalized;
}

let lastTitle = { text: '', normalized: '  ' };

/** Marks a present value the rule cannot read (text where a number or date belongs): scored as unknown. */
const UNREADABLE = Symbol('unreadable');

function compileEvaluator(rule: SingleFieldRule): Evaluator {
  switch (rule.kind) {
    case 'category_map': {
      const table = new Map(Object.entries(rule.points).map(([k, v]) => [normalizeKey(k), v]));
      return (value) => {
        const raw = String(value);
        const listed = table.get(normalizeKey(raw));
        return listed === undefined
          ? { points: rule.otherwise, value: raw, detail: `"${raw}" is not on the list: ${pts(rule.otherwise)} for any other known value` }
          : { points: listed, value: raw, detail: `"${raw}" → ${pts(listed)}` };
      };
    }
    case 'numeric_bands': {
      const otherwise = rule.otherwise ?? 0;
      return (value) => {
        if (typeof value !== 'number') return UNREADABLE;
        const band = rule.bands.find((b) => (b.min === undefined || value >= b.min) && (b.max === undefined || value <= b.max));
        return band
          ? { points: band.points, value: formatNumber(value), detail: `${band.label} → ${pts(band.points)}` }
          : { points: otherwise, value: formatNumber(value), detail: `outside every band → ${pts(otherwise)}` };
      };
    }
    case 'keyword_tiers': {
      const tiers = rule.tiers.map((t) => ({ ...t, regexes: t.patterns.map(compilePattern), excludes: (t.exclude ?? []).map(compilePattern) }));
      return (value) => {
        const raw = String(value);
        const text = normalizeTitle(raw);
        const tier = tiers.find((t) => t.regexes.some((r) => r.test(text)) && !t.excludes.some((r) => r.test(text)));
        return tier
          ? { points: tier.points, value: tier.label, detail: `"${raw}" reads as ${tier.label} → ${pts(tier.points)}` }
          : { points: rule.otherwise.points, value: rule.otherwise.label, detail: `"${raw}" reads as ${rule.otherwise.label} → ${pts(rule.otherwise.points)}` };
      };
    }
    case 'counter':
      return (value) => {
        if (typeof value !== 'number') return UNREADABLE;
        const raw = Math.floor(value * rule.pointsPer + FLOAT_SLACK);
        const awarded = Math.min(rule.cap, raw);
        const rate = counterRate(rule);
        return { points: awarded, value: plural(value, rule.unit), detail: `${rate}${raw > rule.cap ? `, capped at ${rule.cap}` : ''} → ${pts(awarded)}` };
      };
    case 'boolean_flag': {
      const noPoints = rule.noPoints ?? 0;
      return (value) =>
        value === true
          ? { points: rule.points, value: 'yes', detail: `yes → ${pts(rule.points)}` }
          : value === false
            ? { points: noPoints, value: 'no', detail: `no → ${pts(noPoints)}` }
            : UNREADABLE;
    }
    case 'recency': {
      const bands = [...rule.bands].sort((a, b) => a.withinDays - b.withinDays);
      const otherwise = rule.otherwise ?? 0;
      return (value, nowMs) => {
        const at = leadDateMs(value);
        if (at === undefined) return UNREADABLE;
        if (nowMs === undefined) return { points: 0, value: String(value).slice(0, 10), detail: 'unknown: no reference date (now) given' };
        const days = Math.max(0, Math.floor((nowMs - at) / DAY_MS));
        const band = bands.find((b) => days <= b.withinDays);
        const ago = `${plural(days, 'day')} ago`;
        return band
          ? { points: band.points, value: ago, detail: `within ${band.withinDays} days → ${pts(band.points)}` }
          : { points: otherwise, value: ago, detail: `older than ${bands.at(-1)!.withinDays} days → ${pts(otherwise)}` };
      };
    }
  }
}

const compiledSets = new WeakMap<RuleSet, CompiledRuleSet>();

/** Compiles a rule set once (regexes, lookup tables) and caches it by identity. */
let lastCompiled: { rules: RuleSet; compiled: CompiledRuleSet } | undefined;

function compile(rules: RuleSet): CompiledRuleSet {
  if (lastCompiled?.rules === rules) return lastCompiled.compiled;
  const cached = compiledSets.get(rules);
  if (cached) {
    lastCompiled = { rules, compiled: cached };
    return cached;
  }
  const categoryIndex = new Map(rules.categories.map((c, i) => [c.id, i]));
  const compiled: CompiledRuleSet = {
    caps: rules.categories.map((c) => c.cap),
    remaining: new Int32Array(rules.categories.length),
    memoNow: undefined,
    tiers: rules.tiers,
    version: rulesVersion(rules),
    rules: rules.rules.map((rule) => {
      const index = categoryIndex.get(rule.category);
      if (index === undefined) throw new Error(`Rule "${rule.id}" names unknown category "${rule.category}"`);
      return compileRule(rule, index, rules.categories[index]!.cap);
    }),
  };
  compiledSets.set(rules, compiled);
  lastCompiled = { rules, compiled };
  return compiled;
}

/** A stable hash of the rule set's content: every stored score names the rules that produced it. */
export function rulesVersion(rules: RuleSet): string {
  return `r_${stableHash(rules).slice(0, 12)}`;
}

export function tierFor(score: number, rules: RuleSet = DEFAULT_RULES): Tier {
  return tierOf(score, rules.tiers);
}

function tierOf(score: number, thresholds: RuleSet['tiers']): Tier {
  return score >= thresholds.hot ? 'HOT' : score >= thresholds.warm ? 'WARM' : 'COLD';
}

export function scoreLead(lead: ScorableLead, options: ScoreOptions = {}): ScoreResult {
  const set = compile(options.rules ?? DEFAULT_RULES);
  const nowMs = options.now?.getTime();
  if (nowMs !== set.memoNow) {
    for (const c of set.rules) c.forget();
    set.memoNow = nowMs;
  }
  const remaining = set.remaining;
  for (let i = 0; i < set.caps.length; i++) remaining[i] = set.caps[i]!;
  const breakdown: BreakdownItem[] = new Array(set.rules.length);
  let score = 0;
  for (let i = 0; i < set.rules.length; i++) {
    const c = set.rules[i]!;
    let item = c.itemOf(lead, nowMs);
    if (item.points === 0) {
      breakdown[i] = item;
      continue;
    }
    const left = remaining[c.categoryIndex]!;
    if (item.points > left) {
      item = line(item, left, item.maxPoints, item.value, item.unknown, `${item.detail}; category cap reached, ${left} of ${pts(item.points)} count`);
    }
    remaining[c.categoryIndex] = left - item.points;
    score += item.points;
    breakdown[i] = item;
  }
  return { score, tier: tierOf(score, set.tiers), breakdown, rulesVersion: set.version };
}

/** The seniority the default rules read from a job title (C-level, VP, Director, Manager, …). */
export function deriveSeniority(jobTitle: string | undefined, rules: RuleSet = DEFAULT_RULES): string | null {
  const index = rules.rules.findIndex((r) => r.category === 'seniority' && r.kind === 'keyword_tiers');
  const rule = compile(rules).rules[index];
  if (!rule?.itemFor || jobTitle === undefined) return null;
  return rule.itemFor(jobTitle, undefined).value;
}

export interface CategorySubtotal {
  id: string;
  label: string;
  cap: number;
  points: number;
  items: BreakdownItem[];
}

/** Groups a breakdown by the rule set's categories, in the rule set's order, with subtotals. */
export function groupBreakdown(breakdown: readonly BreakdownItem[], rules: RuleSet = DEFAULT_RULES): CategorySubtotal[] {
  return rules.categories.map((category) => {
    const items = breakdown.filter((b) => b.category === category.id);
    return { id: category.id, label: category.label, cap: category.cap, points: items.reduce((s, b) => s + b.points, 0), items };
  });
}

/** The rule that contributed most points (first in rule order on a tie): the lead table's "top reason". */
export function topReason(breakdown: readonly BreakdownItem[]): BreakdownItem | null {
  let best: BreakdownItem | null = null;
  for (const item of breakdown) if (item.points > 0 && (!best || item.points > best.points)) best = item;
  return best;
}
