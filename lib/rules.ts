import { z } from 'zod';
import { LEAD_FIELDS } from './lead';
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
const regexSource = z.string().min(1).refine(
  (source) => {
    try {
      new RegExp(source, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const ruleBase = {
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case (a–z, 0–9, _)'),
  label: z.string().min(1),
  category: z.string().min(1),
  /** Why the rule earns its points, in words an SDR understands. Shown on the lead page. */
  why: z.string().min(1),
  field: fieldRef,
};

export const ruleSchema = z.discriminatedUnion('kind', [
  /** Exact values (case- and whitespace-insensitive) → points; `otherwise` for a known value not listed. */
  z.object({ ...ruleBase, kind: z.literal('category_map'), points: z.record(z.string().min(1), points), otherwise: points }).strict(),
  /** First band whose inclusive [min, max] holds the number wins; no band → 0 points. */
  z
    .object({
      ...ruleBase,
      kind: z.literal('numeric_bands'),
      bands: z
        .array(
          z
            .object({ label: z.string().min(1), min: z.number().optional(), max: z.number().optional(), points })
            .strict()
            .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, { message: 'min must be ≤ max' }),
        )
        .min(1),
    })
    .strict(),
  /** Text matched against tiers of case-insensitive regexes; the first tier that matches (and is not excluded) wins. */
  z
    .object({
      ...ruleBase,
      kind: z.literal('keyword_tiers'),
      tiers: z
        .array(z.object({ label: z.string().min(1), points, patterns: z.array(regexSource).min(1), exclude: z.array(regexSource).optional() }).strict())
        .min(1),
      otherwise: z.object({ label: z.string().min(1), points }).strict(),
    })
    .strict(),
  /** A count worth `pointsPer` each (rounded down), capped so volume alone cannot dominate. */
  z.object({ ...ruleBase, kind: z.literal('counter'), unit: z.string().min(1), pointsPer: z.number().positive(), cap: points }).strict(),
  /** Yes → points, no → 0. */
  z.object({ ...ruleBase, kind: z.literal('boolean_flag'), points }).strict(),
  /** Age of a date relative to `now`: the first band with age ≤ `withinDays` wins; older → 0. */
  z
    .object({
      ...ruleBase,
      kind: z.literal('recency'),
      bands: z.array(z.object({ withinDays: z.number().positive(), points }).strict()).min(1),
    })
    .strict(),
]);

export const ruleSetSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    tiers: z.object({ hot: z.number().int().min(1).max(100), warm: z.number().int().min(0).max(100) }).strict(),
    categories: z
      .array(z.object({ id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'), label: z.string().min(1), cap: points }).strict())
      .min(1),
    rules: z.array(ruleSchema).min(1),
  })
  .strict()
  .superRefine((set, ctx) => {
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
  switch (rule.kind) {
    case 'category_map':
      return Math.max(rule.otherwise, ...Object.values(rule.points));
    case 'numeric_bands':
      return Math.max(...rule.bands.map((b) => b.points));
    case 'keyword_tiers':
      return Math.max(rule.otherwise.points, ...rule.tiers.map((t) => t.points));
    case 'counter':
      return rule.cap;
    case 'boolean_flag':
      return rule.points;
    case 'recency':
      return Math.max(...rule.bands.map((b) => b.points));
  }
}
