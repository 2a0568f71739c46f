import { DEFAULT_RULES } from './default-rules';
import type { AttributeValue, ScorableLead } from './lead';
import { stableHash } from './hash';
import { ruleMaxPoints, type Rule, type RuleSet } from './rules';

/**
 * The deterministic scoring engine. Pure: no I/O, no clock (`now` is passed in), no randomness.
 * It interprets the rule kinds of `lib/rules.ts`; every point in a score comes from one rule and is
 * listed in the breakdown, whose points add up exactly to the score.
 */

export { DEFAULT_RULES };

export type Tier = 'HOT' | 'WARM' | 'COLD';
export const TIERS: readonly Tier[] = ['HOT', 'WARM', 'COLD'];

export interface BreakdownItem {
  ruleId: string;
  label: string;
  category: string;
  points: number;
  /** The most this rule can contribute: its own maximum, limited by its category's cap. */
  maxPoints: number;
  /** What the lead had, for display; `null` when the field is missing (unknown). */
  value: string | null;
  /** True when the field was missing: unknown, which is not the same as zero. */
  unknown: boolean;
  /** How the points were worked out, in words. */
  detail: string;
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

type FieldValue = string | number | boolean | AttributeValue | undefined;
type Evaluation = { points: number; value: string | null; detail: string };
type Evaluator = (value: FieldValue, nowMs: number | undefined) => Evaluation;

interface CompiledRule {
  rule: Rule;
  categoryIndex: number;
  maxPoints: number;
  read: (lead: ScorableLead) => FieldValue;
  evaluate: Evaluator;
}

interface CompiledRuleSet {
  rules: CompiledRule[];
  caps: number[];
  tiers: RuleSet['tiers'];
  version: string;
}

const UNKNOWN_TEXT = 'unknown (not provided)';

function fieldReader(field: string): (lead: ScorableLead) => FieldValue {
  if (field.startsWith('attributes.')) {
    const name = field.slice('attributes.'.length);
    return (lead) => lead.attributes?.[name];
  }
  return (lead) => (lead as unknown as Record<string, FieldValue>)[field];
}

const MEMO_LIMIT = 10_000;

/**
 * Field values repeat heavily in CRM data (titles, industries, counts), so each rule remembers what it
 * made of a value. Bounded, keyed by the value and `now`, and invisible to callers: the engine stays pure.
 */
function memoize(evaluate: Evaluator): Evaluator {
  const memo = new Map<FieldValue, Evaluation>();
  let memoNow: number | undefined;
  return (value, nowMs) => {
    if (nowMs !== memoNow) {
      memo.clear();
      memoNow = nowMs;
    }
    let result = memo.get(value);
    if (result === undefined) {
      result = evaluate(value, nowMs);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(value, result);
    }
    return result;
  };
}

const formatNumber = (n: number) => (Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(n));
const normalizeKey = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** Title-style text is matched with punctuation folded to spaces, so "Sr. Dir." and "Co-Founder & CEO" parse. */
export function normalizeTitle(text: string): string {
  return ` ${text.toLowerCase().replace(/&/g, ' and ').replace(/[^\p{L}\p{N},]+/gu, ' ').replace(/\s+/g, ' ').trim()} `;
}

function compileEvaluator(rule: Rule): Evaluator {
  switch (rule.kind) {
    case 'category_map': {
      const table = new Map(Object.entries(rule.points).map(([k, v]) => [normalizeKey(k), v]));
      return (value) => {
        const raw = String(value);
        const listed = table.get(normalizeKey(raw));
        return listed === undefined
          ? { points: rule.otherwise, value: raw, detail: `"${raw}" is not on the list: ${rule.otherwise} pts for any other known value` }
          : { points: listed, value: raw, detail: `"${raw}" → ${listed} pts` };
      };
    }
    case 'numeric_bands':
      return (value) => {
        if (typeof value !== 'number') return { points: 0, value: String(value), detail: 'not a number: treated as unknown' };
        const band = rule.bands.find((b) => (b.min === undefined || value >= b.min) && (b.max === undefined || value <= b.max));
        return band
          ? { points: band.points, value: formatNumber(value), detail: `${band.label} → ${band.points} pts` }
          : { points: 0, value: formatNumber(value), detail: 'outside every band → 0 pts' };
      };
    case 'keyword_tiers': {
      const tiers = rule.tiers.map((t) => ({
        ...t,
        regexes: t.patterns.map((p) => new RegExp(p, 'iu')),
        excludes: (t.exclude ?? []).map((p) => new RegExp(p, 'iu')),
      }));
      return (value) => {
        const raw = String(value);
        const text = normalizeTitle(raw);
        const tier = tiers.find((t) => t.regexes.some((r) => r.test(text)) && !t.excludes.some((r) => r.test(text)));
        return tier
          ? { points: tier.points, value: tier.label, detail: `"${raw}" reads as ${tier.label} → ${tier.points} pts` }
          : { points: rule.otherwise.points, value: rule.otherwise.label, detail: `"${raw}" reads as ${rule.otherwise.label} → ${rule.otherwise.points} pts` };
      };
    }
    case 'counter':
      return (value) => {
        if (typeof value !== 'number') return { points: 0, value: String(value), detail: 'not a number: treated as unknown' };
        const raw = Math.floor(value * rule.pointsPer + FLOAT_SLACK);
        const awarded = Math.min(rule.cap, raw);
        const rate = rule.pointsPer >= 1 ? `${rule.pointsPer} pts per ${rule.unit}` : `1 pt per ${+(1 / rule.pointsPer).toFixed(2)} ${rule.unit}s`;
        return { points: awarded, value: plural(value, rule.unit), detail: `${rate}${raw > rule.cap ? `, capped at ${rule.cap}` : ''} → ${awarded} pts` };
      };
    case 'boolean_flag':
      return (value) =>
        value === true
          ? { points: rule.points, value: 'yes', detail: `yes → ${rule.points} pts` }
          : { points: 0, value: value === false ? 'no' : String(value), detail: 'no → 0 pts' };
    case 'recency': {
      const bands = [...rule.bands].sort((a, b) => a.withinDays - b.withinDays);
      // Timestamps are nearly all distinct, so results are remembered by age in days instead.
      const byAge = new Map<number, Evaluation>();
      let byAgeNow: number | undefined;
      return (value, nowMs) => {
        const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
        if (Number.isNaN(at)) return { points: 0, value: String(value), detail: 'not a date: treated as unknown' };
        if (nowMs === undefined) return { points: 0, value: String(value).slice(0, 10), detail: 'unknown: no reference date (now) given' };
        if (nowMs !== byAgeNow) {
          byAge.clear();
          byAgeNow = nowMs;
        }
        const days = Math.max(0, Math.floor((nowMs - at) / DAY_MS));
        let result = byAge.get(days);
        if (result === undefined) {
          const band = bands.find((b) => days <= b.withinDays);
          const ago = `${plural(days, 'day')} ago`;
          result = band
            ? { points: band.points, value: ago, detail: `within ${band.withinDays} days → ${band.points} pts` }
            : { points: 0, value: ago, detail: `older than ${bands.at(-1)!.withinDays} days → 0 pts` };
          if (byAge.size >= MEMO_LIMIT) byAge.clear();
          byAge.set(days, result);
        }
        return result;
      };
    }
  }
}

const compiledSets = new WeakMap<RuleSet, CompiledRuleSet>();

/** Compiles a rule set once (regexes, lookup tables) and caches it by identity. */
function compile(rules: RuleSet): CompiledRuleSet {
  const cached = compiledSets.get(rules);
  if (cached) return cached;
  const categoryIndex = new Map(rules.categories.map((c, i) => [c.id, i]));
  const compiled: CompiledRuleSet = {
    caps: rules.categories.map((c) => c.cap),
    tiers: rules.tiers,
    version: rulesVersion(rules),
    rules: rules.rules.map((rule) => {
      const index = categoryIndex.get(rule.category);
      if (index === undefined) throw new Error(`Rule "${rule.id}" names unknown category "${rule.category}"`);
      return {
        rule,
        categoryIndex: index,
        maxPoints: Math.min(ruleMaxPoints(rule), rules.categories[index]!.cap),
        read: fieldReader(rule.field),
        evaluate: rule.kind === 'recency' ? compileEvaluator(rule) : memoize(compileEvaluator(rule)),
      };
    }),
  };
  compiledSets.set(rules, compiled);
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
  const remaining = set.caps.slice();
  const breakdown: BreakdownItem[] = new Array(set.rules.length);
  let score = 0;
  for (let i = 0; i < set.rules.length; i++) {
    const c = set.rules[i]!;
    const raw = c.read(lead);
    let item: BreakdownItem;
    if (raw === undefined) {
      item = { ruleId: c.rule.id, label: c.rule.label, category: c.rule.category, points: 0, maxPoints: c.maxPoints, value: null, unknown: true, detail: UNKNOWN_TEXT };
    } else {
      const result = c.evaluate(raw, nowMs);
      const left = remaining[c.categoryIndex]!;
      const points = Math.min(result.points, left);
      remaining[c.categoryIndex] = left - points;
      const detail = points < result.points ? `${result.detail}; category cap reached, ${points} of ${result.points} pts count` : result.detail;
      item = { ruleId: c.rule.id, label: c.rule.label, category: c.rule.category, points, maxPoints: c.maxPoints, value: result.value, unknown: false, detail };
      score += points;
    }
    breakdown[i] = item;
  }
  return { score, tier: tierOf(score, set.tiers), breakdown, rulesVersion: set.version };
}

/** The seniority the default rules read from a job title (C-level, VP, Director, Manager, …). */
export function deriveSeniority(jobTitle: string | undefined, rules: RuleSet = DEFAULT_RULES): string | null {
  const rule = compile(rules).rules.find((c) => c.rule.category === 'seniority' && c.rule.kind === 'keyword_tiers');
  if (!rule || jobTitle === undefined) return null;
  return rule.evaluate(jobTitle, undefined).value;
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
