import { fieldReader, type FieldValue, type ScorableLead } from '../lead';
import { compilePattern } from '../pattern';
import { ruleBucketLabels as bucketLabels, type Rule } from '../rules';
import { compileCondition, normalizeKey, normalizeTitle } from '../scoring';
import { termOf, textTerms } from './text';

/**
 * The buckets of a rule: every distinct outcome it can award points for (a listed value, "any other
 * value", a band, a tier, yes / no, unknown, …), in a fixed order per kind. Tune fits one weight per bucket
 * and writes the points back into the same places; the stored model (`tuning.model`) is a weight per bucket
 * in this order, so anything that can place a lead in a bucket can run the model beside the rules.
 *
 * Bucket order per kind (unknown is last for every single-field kind):
 * - category_map: each key of `points` in file order, any other value, unknown
 * - numeric_bands: each band in file order, outside every band, unknown
 * - keyword_tiers: each tier, otherwise, unknown
 * - counter: awarded 0 … cap (one bucket per point level), unknown
 * - boolean_flag: yes, no, unknown (a value that is not a boolean counts as unknown, as the engine reads it)
 * - recency: bands by `withinDays` ascending (as the engine orders them), older, unknown
 * - combination: holds, does not hold
 *
 * `compileBucket` mirrors lib/scoring.ts case for case, with the engine's own helpers; a test holds the
 * two to the same points on every rule kind.
 */

const DAY_MS = 86_400_000;
const FLOAT_SLACK = 1e-9;

export { bucketLabels };

/** The points a rule awards per bucket (before its category cap). */
export function bucketPoints(rule: Rule): number[] {
  const unknown = 'unknownPoints' in rule ? (rule.unknownPoints ?? 0) : 0;
  switch (rule.kind) {
    case 'category_map':
      return [...Object.values(rule.points), rule.otherwise, unknown];
    case 'numeric_bands':
      return [...rule.bands.map((b) => b.points), rule.otherwise ?? 0, unknown];
    case 'keyword_tiers':
      return [...rule.tiers.map((t) => t.points), rule.otherwise.points, unknown];
    case 'counter':
      return [...Array.from({ length: rule.cap + 1 }, (_, k) => k), unknown];
    case 'boolean_flag':
      return [rule.points, rule.noPoints ?? 0, unknown];
    case 'recency':
      return [...[...rule.bands].sort((a, b) => a.withinDays - b.withinDays).map((b) => b.points), rule.otherwise ?? 0, unknown];
    case 'combination':
      return [rule.points, 0];
  }
}

/** A function placing a lead in one of the rule's buckets (an index into `bucketLabels`). */
export function compileBucket(rule: Rule, now: Date | undefined): (lead: ScorableLead) => number {
  if (rule.kind === 'combination') {
    const tests = rule.conditions.map((c) => ({ read: fieldReader(c.field), holds: compileCondition(c) }));
    return (lead) => (tests.every((t) => t.holds(t.read(lead))) ? 0 : 1);
  }
  const read = fieldReader(rule.field);
  const unknown = bucketLabels(rule).length - 1;
  const place = compileValue(rule, now?.getTime());
  return (lead) => {
    const value = read(lead);
    if (value === undefined) return unknown;
    const bucket = place(value);
    return bucket < 0 ? unknown : bucket;
  };
}

type Present = Exclude<FieldValue, undefined>;

/** −1: the engine cannot read the value (text in a number field): unknown. */
function compileValue(rule: Exclude<Rule, { kind: 'combination' }>, nowMs: number | undefined): (value: Present) => number {
  switch (rule.kind) {
    case 'category_map': {
      const keys = Object.keys(rule.points);
      const index = new Map<string, number>();
      keys.forEach((k, i) => {
        const key = normalizeKey(k);
        if (!index.has(key)) index.set(key, i);
      });
      return (value) => index.get(normalizeKey(String(value))) ?? keys.length;
    }
    case 'numeric_bands':
      return (value) => {
        if (typeof value !== 'number') return -1;
        const band = rule.bands.findIndex((b) => (b.min === undefined || value >= b.min) && (b.max === undefined || value <= b.max));
        return band < 0 ? rule.bands.length : band;
      };
    case 'keyword_tiers': {
      const tiers = rule.tiers.map((t) => ({ regexes: t.patterns.map(compilePattern), excludes: (t.exclude ?? []).map(compilePattern) }));
      return (value) => {
        const text = normalizeTitle(String(value));
        const tier = tiers.findIndex((t) => t.regexes.some((r) => r.test(text)) && !t.excludes.some((r) => r.test(text)));
        return tier < 0 ? tiers.length : tier;
      };
    }
    case 'counter':
      return (value) => (typeof value !== 'number' ? -1 : Math.min(rule.cap, Math.floor(value * rule.pointsPer + FLOAT_SLACK)));
    case 'boolean_flag':
      return (value) => (value === true ? 0 : value === false ? 1 : -1);
    case 'recency': {
      const bands = [...rule.bands].sort((a, b) => a.withinDays - b.withinDays);
      return (value) => {
        const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
        // Without a reference date the engine reads recency as unknown.
        if (Number.isNaN(at) || nowMs === undefined) return -1;
        const days = Math.max(0, Math.floor((nowMs - at) / DAY_MS));
        const band = bands.findIndex((b) => days <= b.withinDays);
        return band < 0 ? bands.length : band;
      };
    }
  }
}

/** A rule to place, with the word or phrase of a keyword rule tune wrote (placed by terms, not by running its pattern). */
export interface PlacedRule {
  rule: Rule;
  term?: string;
}

/** A rule with its term when it is a keyword rule of tune's own shape: one tier, one `termPattern`, no exclusions. */
export function tunedTermRule(rule: Rule): PlacedRule {
  const term = rule.kind === 'keyword_tiers' && rule.tiers.length === 1 && !rule.tiers[0]!.exclude?.length ? termOf(rule.tiers[0]!.patterns) : undefined;
  return term === undefined ? { rule } : { rule, term };
}

/**
 * Places a lead in the buckets of several rules at once (`out[r]` for rule r). A keyword rule given its term
 * is placed by the text's terms (`textTerms`, which finds a term exactly where its `termPattern` matches),
 * computed once per lead and field however many keyword rules read it: no pattern runs.
 */
export function compilePlacer(rules: readonly PlacedRule[], now: Date | undefined): (lead: ScorableLead, out: { [r: number]: number }) => void {
  const terms = new Map<string, Set<string>>();
  const places = rules.map(({ rule, term }): ((lead: ScorableLead) => number) => {
    if (term === undefined || rule.kind !== 'keyword_tiers') return compileBucket(rule, now);
    const field = rule.field;
    const read = fieldReader(field);
    return (lead) => {
      const value = read(lead);
      if (value === undefined) return 2;
      let set = terms.get(field);
      if (!set) terms.set(field, (set = new Set(textTerms(String(value)))));
      return set.has(term) ? 0 : 1;
    };
  });
  return (lead, out) => {
    terms.clear();
    for (let r = 0; r < places.length; r++) out[r] = places[r]!(lead);
  };
}
