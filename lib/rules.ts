import { z } from 'zod';
import { LEAD_FIELDS, WHOLE_NUMBER_FIELDS } from './lead';
import { patternProblem } from './pattern';
import { splitSchema } from './split';
import type { FieldIssue } from './errors';

/**
 * Scoring rules are data: a rule set is plain JSON (so teams can review it like code and load their own
 * with `--rules` / `SCORING_RULES`), validated by `ruleSetSchema`, and interpreted by `lib/scoring.ts`.
 *
 * A rule reads one field — a lead contract field such as `industry`, or a custom column kept by the CSV
 * import as `attributes.<name>` — and awards points by its kind. Points are whole numbers. Rules add up
 * within their category, which is capped; categories' caps add up to 100, so a score is 0–100.
 */

const points = z.number().int('points must be whole numbers').min(0).max(100);
const fieldRef = z
  .string()
  .refine((f) => /^attributes\.[^.\s]+$/.test(f) || (LEAD_FIELDS as string[]).includes(f), {
    message: 'must be a lead field (e.g. "industry") or a custom attribute ("attributes.<name>")',
  })
  .refine((f) => f !== 'converted', { message: 'the outcome "converted" can never be scored' });

/**
 * Patterns run on RE2, a linear-time engine, so no pattern and no text can make matching hang the server
 * (a backtracking engine takes minutes on `(\w+\s?)+` and one crafted job title). RE2 has no lookaround
 * and no backreferences; such a pattern is refused here, at load, with the reason.
 */
const regexSource = z
  .string()
  .min(1)
  .max(500)
  .superRefine((source, ctx) => {
    const problem = patternProblem(source);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Custom columns hold whatever the CRM exported; lead contract counters hold whole numbers only. */
function holdsWholeNumbers(field: string): boolean {
  return (WHOLE_NUMBER_FIELDS as readonly string[]).includes(field);
}

const ruleBase = {
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case (a–z, 0–9, _)'),
  label: z.string().min(1),
  category: z.string().min(1),
  /** Why the rule earns its points, in words an SDR understands. Shown on the lead page. */
  why: z.string().min(1),
};

/** Rules that read one field; each may award points when that field is missing (unknown is a bucket too). */
const singleField = {
  ...ruleBase,
  field: fieldRef,
  /** Points when the field is missing. Unknown is not zero: on real funnels "unanswered" can convert best. */
  unknownPoints: points.optional(),
};

const numericBand = z
  .object({ label: z.string().min(1), min: z.number().optional(), max: z.number().optional(), points })
  .strict()
  .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, { message: 'min must be ≤ max' });

/**
 * One test of a combination rule, on one field: `in` (listed values, matched like category_map), `op` +
 * `value` (a number comparison), `is` (yes / no for booleans, known / unknown for any field), or `matches`
 * (text patterns). A missing field fails every test but `is: "unknown"`.
 */
export const conditionSchema = z
  .object({
    field: fieldRef,
    in: z.array(z.string().min(1)).min(1).optional(),
    op: z.enum(['>', '>=', '<', '<=']).optional(),
    value: z.number().optional(),
    is: z.enum(['yes', 'no', 'known', 'unknown']).optional(),
    matches: z.array(regexSource).min(1).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const tests = [c.in !== undefined, c.op !== undefined || c.value !== undefined, c.is !== undefined, c.matches !== undefined].filter(Boolean).length;
    if (tests !== 1) ctx.addIssue({ code: 'custom', message: 'a condition needs exactly one test: "in", "op" with "value", "is", or "matches"' });
    else if ((c.op === undefined) !== (c.value === undefined)) ctx.addIssue({ code: 'custom', message: '"op" and "value" go together' });
  });
export type Condition = z.infer<typeof conditionSchema>;

export const ruleSchema = z.discriminatedUnion('kind', [
  /** Exact values (case- and whitespace-insensitive) → points; `otherwise` for a known value not listed. */
  z.object({ ...singleField, kind: z.literal('category_map'), points: z.record(z.string().min(1), points), otherwise: points }).strict(),
  /**
   * The first band (in the order listed) whose inclusive [min, max] holds the number wins; a value outside
   * every band earns `otherwise` (default 0). Bands must leave no gap between them (see `bandGap`).
   */
  z
    .object({
      ...singleField,
      kind: z.literal('numeric_bands'),
      bands: z.array(numericBand).min(1),
      otherwise: points.optional(),
      /** The field holds whole numbers, so bands may step from max 10 to min 11 (lead contract counters always do). */
      wholeNumbers: z.boolean().optional(),
    })
    .strict()
    .superRefine((rule, ctx) => {
      const gap = bandGap(rule.bands, rule.wholeNumbers === true || holdsWholeNumbers(rule.field));
      if (gap) ctx.addIssue({ code: 'custom', path: ['bands', gap.index, 'min'], message: gap.message });
    }),
  /** Text matched against tiers of case-insensitive patterns (RE2); the first tier that matches (and is not excluded) wins. */
  z
    .object({
      ...singleField,
      kind: z.literal('keyword_tiers'),
      tiers: z
        .array(z.object({ label: z.string().min(1), points, patterns: z.array(regexSource).min(1), exclude: z.array(regexSource).optional() }).strict())
        .min(1),
      otherwise: z.object({ label: z.string().min(1), points }).strict(),
    })
    .strict(),
  /** A count worth `pointsPer` each (rounded down), capped so volume alone cannot dominate. */
  z.object({ ...singleField, kind: z.literal('counter'), unit: z.string().min(1), pointsPer: z.number().positive(), cap: points }).strict(),
  /** Yes → `points`, no → `noPoints` (default 0): "Accepts email: no" can be the signal. */
  z.object({ ...singleField, kind: z.literal('boolean_flag'), points, noPoints: points.optional() }).strict(),
  /** Age of a date relative to `now`: the first band with age ≤ `withinDays` wins; older → `otherwise` (default 0). */
  z
    .object({
      ...singleField,
      kind: z.literal('recency'),
      bands: z.array(z.object({ withinDays: z.number().positive(), points }).strict()).min(1),
      otherwise: points.optional(),
    })
    .strict(),
  /** Points when every condition holds at once (two to four fields): interactions a single-field rule cannot express. */
  z.object({ ...ruleBase, kind: z.literal('combination'), conditions: z.array(conditionSchema).min(2).max(4), points }).strict(),
]);

/**
 * The first gap between numeric bands, if any: a value there would silently earn nothing. Bands may
 * overlap or touch (the first listed wins); with whole numbers, max 10 followed by min 11 leaves no gap.
 */
export function bandGap(bands: readonly { label: string; min?: number; max?: number }[], wholeNumbers: boolean): { index: number; message: string } | null {
  const order = bands.map((band, index) => ({ band, index })).sort((a, b) => (a.band.min ?? -Infinity) - (b.band.min ?? -Infinity));
  let reach = order[0]!.band.max ?? Infinity;
  let reachLabel = order[0]!.band.label;
  for (const { band, index } of order.slice(1)) {
    const min = band.min ?? -Infinity;
    const joined = wholeNumbers ? min <= Math.floor(reach) + 1 : min <= reach;
    if (!joined) {
      const hint = wholeNumbers ? '' : ' (for whole-number fields set "wholeNumbers": true; otherwise let the next band start where this one ends — the first band listed wins)';
      return { index, message: `gap between band "${reachLabel}" (up to ${reach}) and band "${band.label}" (from ${min}): values in between would earn nothing${hint}` };
    }
    if ((band.max ?? Infinity) > reach) {
      reach = band.max ?? Infinity;
      reachLabel = band.label;
    }
  }
  return null;
}

const share = z.number().min(0).max(1);

/**
 * What `npm run tune` knew when it wrote the rule set, for checking it later (issue: drift). Optional,
 * ignored by scoring (the rules version hashes it like any other content). `model` is the fitted logistic
 * model behind the points: its intercept and, per rule id, one log-odds weight per bucket of that rule
 * (`ruleBucketLabels` order), so the model can be run beside the rules on new leads.
 */
export const tuningSchema = z
  .object({
    method: z.literal('scorecard'),
    split: splitSchema,
    /** The reference date recency was measured against (from the data unless given). */
    asOf: z.iso.datetime(),
    design: z.object({ leads: z.number().int().min(1), conversions: z.number().int().min(0) }).strict(),
    /** Design-half leads per score 0…100 under these rules. */
    scoreHistogram: z.array(z.number().int().min(0)).length(101),
    tierShares: z.object({ hot: share, warm: share, cold: share }).strict(),
    model: z
      .object({
        intercept: z.number(),
        lambda: z.number().positive(),
        weights: z.record(z.string(), z.array(z.number())),
      })
      .strict(),
  })
  .strict();
export type Tuning = z.infer<typeof tuningSchema>;

export const ruleSetSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    tiers: z.object({ hot: z.number().int().min(1).max(100), warm: z.number().int().min(0).max(100) }).strict(),
    categories: z
      .array(z.object({ id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'), label: z.string().min(1), cap: points }).strict())
      .min(1),
    rules: z.array(ruleSchema).min(1),
    tuning: tuningSchema.optional(),
  })
  .strict()
  .superRefine((set, ctx) => {
    if (set.tuning) {
      for (const [id, weights] of Object.entries(set.tuning.model.weights)) {
        const rule = set.rules.find((r) => r.id === id);
        if (!rule) ctx.addIssue({ code: 'custom', path: ['tuning', 'model', 'weights', id], message: `no rule "${id}" in the rule set` });
        else if (weights.length !== ruleBucketLabels(rule).length) {
          ctx.addIssue({ code: 'custom', path: ['tuning', 'model', 'weights', id], message: `needs ${ruleBucketLabels(rule).length} weights, one per bucket of the rule (has ${weights.length})` });
        }
      }
      const histogramLeads = set.tuning.scoreHistogram.reduce((a, b) => a + b, 0);
      if (histogramLeads !== set.tuning.design.leads) {
        ctx.addIssue({ code: 'custom', path: ['tuning', 'scoreHistogram'], message: `holds ${histogramLeads} leads, the design half ${set.tuning.design.leads}` });
      }
    }
    const capTotal = set.categories.reduce((sum, c) => sum + c.cap, 0);
    if (capTotal !== 100) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: `category caps must add up to 100 (they add up to ${capTotal})` });
    }
    if (set.tiers.warm >= set.tiers.hot) {
      ctx.addIssue({ code: 'custom', path: ['tiers', 'warm'], message: 'the WARM threshold must be below the HOT threshold' });
    }
    const categoryIds = new Set<string>();
    set.categories.forEach((c, i) => {
      if (categoryIds.has(c.id)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'id'], message: `duplicate category "${c.id}"` });
      categoryIds.add(c.id);
    });
    const ruleIds = new Set<string>();
    set.rules.forEach((rule, i) => {
      if (ruleIds.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      ruleIds.add(rule.id);
      if (!categoryIds.has(rule.category)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'category'], message: `unknown category "${rule.category}" (declare it in "categories")` });
      }
    });
  });

export type RuleSet = z.infer<typeof ruleSetSchema>;
export type Rule = RuleSet['rules'][number];
export type RuleKind = Rule['kind'];
export type Category = RuleSet['categories'][number];

/** Parses a rule set (e.g. a team's JSON file); issues name the rule by id and the field inside it. */
export function safeParseRuleSet(raw: unknown): { ok: true; rules: RuleSet } | { ok: false; issues: FieldIssue[] } {
  const result = ruleSetSchema.safeParse(raw);
  if (result.success) return { ok: true, rules: result.data };
  const issues = result.error.issues.map((issue): FieldIssue => {
    const [head, index, ...rest] = issue.path;
    if (head === 'rules' && typeof index === 'number') {
      const rule = (raw as { rules?: { id?: unknown }[] })?.rules?.[index];
      const id = typeof rule?.id === 'string' ? `"${rule.id}"` : `#${index}`;
      return { record: `rule ${id}`, field: rest.length ? rest.join('.') : '(rule)', message: issue.message };
    }
    return { record: 'rule set', field: issue.path.length ? issue.path.join('.') : '(root)', message: issue.message };
  });
  return { ok: false, issues };
}

/** The most a rule can award on its own, before its category cap. */
export function ruleMaxPoints(rule: Rule): number {
  const unknown = 'unknownPoints' in rule ? (rule.unknownPoints ?? 0) : 0;
  return Math.max(unknown, knownMaxPoints(rule));
}

function knownMaxPoints(rule: Rule): number {
  switch (rule.kind) {
    case 'category_map':
      return Math.max(rule.otherwise, ...Object.values(rule.points));
    case 'numeric_bands':
    case 'recency':
      return Math.max(rule.otherwise ?? 0, ...rule.bands.map((b) => b.points));
    case 'keyword_tiers':
      return Math.max(rule.otherwise.points, ...rule.tiers.map((t) => t.points));
    case 'counter':
      return rule.cap;
    case 'boolean_flag':
      return Math.max(rule.points, rule.noPoints ?? 0);
    case 'combination':
      return rule.points;
  }
}

/** Every field a rule reads: one, or a combination's two to four. */
export function ruleFields(rule: Rule): string[] {
  return rule.kind === 'combination' ? [...new Set(rule.conditions.map((c) => c.field))] : [rule.field];
}

/**
 * The buckets of a rule: every distinct outcome it can pay for, in a fixed order per kind (see
 * lib/tune/rule-buckets.ts, which places leads in them). A tuned rule set stores one model weight per bucket.
 */
export function ruleBucketLabels(rule: Rule): string[] {
  switch (rule.kind) {
    case 'category_map':
      return [...Object.keys(rule.points), 'any other value', 'unknown'];
    case 'numeric_bands':
      return [...rule.bands.map((b) => b.label), 'outside every band', 'unknown'];
    case 'keyword_tiers':
      return [...rule.tiers.map((t) => t.label), rule.otherwise.label, 'unknown'];
    case 'counter':
      return [...Array.from({ length: rule.cap + 1 }, (_, k) => counterLevel(rule, k)), 'unknown'];
    case 'boolean_flag':
      return ['yes', 'no', 'unknown'];
    case 'recency': {
      const bands = [...rule.bands].sort((a, b) => a.withinDays - b.withinDays);
      return [...bands.map((b) => `within ${b.withinDays} days`), 'older', 'unknown'];
    }
    case 'combination':
      return ['all hold', 'not all hold'];
  }
}

/** The whole counts a counter's points level k pays for: "0 views", "2 views", "4–5 clicks", "3+ views" (the cap). */
function counterLevel(rule: Extract<Rule, { kind: 'counter' }>, k: number): string {
  // floor(v · pointsPer) = k for v in [k / pointsPer, (k + 1) / pointsPer): a small slack as the engine allows.
  const from = Math.ceil(k / rule.pointsPer - 1e-9);
  const to = Math.ceil((k + 1) / rule.pointsPer - 1e-9) - 1;
  const units = (n: number) => `${rule.unit}${n === 1 ? '' : 's'}`;
  if (k === rule.cap) return `${from}+ ${units(from)}`;
  if (to < from) return `${k} pts (no whole count)`;
  return from === to ? `${from} ${units(from)}` : `${from}–${to} ${units(to)}`;
}
