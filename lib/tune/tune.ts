import type { Lead } from '../lead';
import { fieldName, pts } from '../rules-doc';
import { ruleFields, safeParseRuleSet, type Condition, type Rule, type RuleSet, type Tuning } from '../rules';
import { splitter, type SplitSpec } from '../split';
import { bonferroniZ, combinationRule, fieldCandidates, type Candidate, type FieldDecision } from './candidates';
import { DEFAULT_LAMBDA, DesignBuilder, fitLogistic, logit, type Design, type LogisticFit } from './logistic';
import { scaleToPoints, tierCuts } from './points';
import { bucketLabels, bucketPoints, compilePlacer, tunedTermRule } from './rule-buckets';
import { designStats, wordShareFor, type HalfCounts } from './stats';

/**
 * `npm run tune`'s core: from leads with a known outcome to a suggested rule set with integer points.
 * Pure (no I/O, no clock): leads come from `source`, which may be called more than once (each call walks
 * the leads again — an array, or a file streamed anew), so memory stays bounded by the statistics and one
 * compact row of feature numbers per lead, never by the leads themselves.
 *
 * 1. Statistics of every field on the design half (lib/tune/stats.ts), in two folds.
 * 2. Candidate rules: the base set's rules (`--rules`), or rules built from the fields (lib/tune/candidates.ts).
 * 3. Every lead placed in each candidate's buckets; the L2 logistic model fitted on the design half's.
 * 4. Interactions: pairs of strong buckets whose leads convert more often together than the additive model
 *    expects (observed vs expected conversions, z past a Bonferroni bound over the pairs tried, at least
 *    `minLeads` leads), proposed as `combination` rules and refitted; at most `MAX_COMBINATIONS`.
 * 5. Points: lib/tune/points.ts; tiers from the design half's score distribution.
 */

export type LeadSource = () => Iterable<Lead>;

export interface TuneOptions {
  split: SplitSpec;
  asOf: Date;
  /** Keep these rules (ids, kinds, fields) and re-weight their buckets; other fields become proposed additions. */
  base?: RuleSet;
  /** Write the proposed additions into the suggested set too (base mode). */
  addProposed?: boolean;
  /** HOT ≈ this share of leads (default 0.05). */
  hotShare?: number;
  /** WARM ≈ this share of leads below HOT (default 0.20). */
  warmShare?: number;
  exclude?: readonly string[];
  name?: string;
  lambda?: number;
}

export const MAX_COMBINATIONS = 5;
export const DEFAULT_HOT_SHARE = 0.05;
export const DEFAULT_WARM_SHARE = 0.2;
/** Combination rules need their leads to convert at least this much more than the additive model expects. */
const MIN_INTERACTION_RATIO = 1.2;

export interface BucketEvidence {
  label: string;
  leads: number;
  conversions: number;
  points: number;
}

export interface SuggestedRule {
  rule: Rule;
  /** Added by tune (not in the base set). */
  added: boolean;
  /** Design-half leads and conversions per bucket (`bucketLabels` order), with the points written. */
  buckets: BucketEvidence[];
}

export interface TuneResult {
  rules: RuleSet;
  /** Per rule of `rules`, with its evidence. */
  suggested: SuggestedRule[];
  /** Base mode without `addProposed`: rules tune would add, with the points they would get (not in `rules`). */
  proposed: SuggestedRule[];
  decisions: FieldDecision[];
  counts: HalfCounts;
  /** Each lead's score under `rules`, for the leads with an outcome in `source` order (what the engine gives: caps never bind). */
  scores: Uint8Array;
  /** The fitted model behind `rules`: unrounded log-odds per lead, for comparing with the rounded points. */
  model: { fit: LogisticFit; designLogits: Float64Array; designOutcomes: Uint8Array; testLogits: Float64Array; testOutcomes: Uint8Array };
}

interface Compiled {
  candidate: Candidate;
  /** Per bucket: feature index or −1 (reference or no design lead). */
  featureOf: Int32Array;
}

/** Minimum leads for a bin, a keyword's feature, a combination: 1% of the design half, at least 30. */
export const minLeadsFor = (designLeads: number) => Math.max(30, Math.ceil(0.01 * designLeads));

export function tuneRules(source: LeadSource, options: TuneOptions): TuneResult {
  const half = splitter(options.split);

  // 1. Statistics of the design half.
  let leads = 0;
  for (const _ of source()) leads++;
  const { stats, counts } = designStats(source(), options.split, options.asOf, { termShare: wordShareFor(leads) });
  if (counts.design === 0) throw new Error('the design half holds no lead with a known outcome');
  if (counts.designConversions === 0 || counts.designConversions === counts.design) {
    throw new Error(`the design half's ${counts.design} leads all have the same outcome: there is nothing to tell converters from`);
  }
  const minLeads = minLeadsFor(counts.design);

  // 2. Candidates.
  const exclude = new Set(options.exclude ?? []);
  const { candidates: fromFields, decisions } = fieldCandidates(stats, { minLeads, exclude });
  const baseCandidates: Candidate[] = (options.base?.rules ?? []).map(baseCandidate);
  const baseFields = new Set((options.base?.rules ?? []).flatMap(ruleFields));
  const additions = options.base ? fromFields.filter((c) => !ruleFields(c.rule).some((f) => baseFields.has(f))) : fromFields;
  if (options.base) for (const d of decisions) if (baseFields.has(d.field)) d.reason = `read by the base rules (re-weighted); ${d.reason}`;

  uniqueIds(additions, new Set(baseCandidates.map((c) => c.rule.id)));

  // 3. Buckets → features, and the fit.
  const encoded = encode(source, half, [...baseCandidates, ...additions], options.asOf);
  let model = withCombinations(encoded, minLeads, options.lambda ?? DEFAULT_LAMBDA);
  let modelRules = model.compiled;
  const baseOnly = options.base && !options.addProposed;
  let proposed: SuggestedRule[] = [];
  if (baseOnly) {
    // The proposals are priced with the full model; the written set is refitted on the base rules alone.
    const full = buildRules(model.compiled, model.fit, model.design, false);
    proposed = full.filter((s) => s.added);
    const alone = encode(source, half, baseCandidates, options.asOf);
    const fit = fitLogistic(alone.design, { lambda: options.lambda ?? DEFAULT_LAMBDA });
    model = { ...alone, fit };
    modelRules = alone.compiled;
  }
  const suggested = buildRules(modelRules, model.fit, model.design, !options.base);

  if (suggested.every((s) => s.buckets.every((b) => b.points === 0))) {
    throw new Error(
      `nothing on the design half (${counts.design.toLocaleString('en-US')} leads, ${counts.designConversions.toLocaleString('en-US')} converted) separates converters ${options.base ? 'in the buckets of these rules' : 'well enough to earn a point'}: see the field decisions with npm run profile, or tune on a larger export`,
    );
  }

  // 5. Tiers from the design half's scores, then the rule set (validated like any other).
  const draft = assemble(suggested, options, { hot: 75, warm: 45 });
  const histogram = new Array<number>(101).fill(0);
  // Tiers only change which thresholds apply, so these scores are the final set's: kept for the report.
  let scores = scoresFromBuckets(model, suggested);
  if (scores === null) {
    const score = bucketScorer(draft, options.asOf);
    scores = new Uint8Array(counts.design + counts.test);
    let row = 0;
    for (const lead of source()) if (lead.converted !== undefined) scores[row++] = score(lead);
  }
  scores.forEach((s, i) => {
    if (model.buckets.designFirst[i] === 1) histogram[s]!++;
  });
  const tiers = tierCuts(histogram, options.hotShare ?? DEFAULT_HOT_SHARE, options.warmShare ?? DEFAULT_WARM_SHARE);
  const shareAtOrAbove = (t: number) => histogram.slice(t).reduce((a, b) => a + b, 0) / counts.design;
  const tuning: Tuning = {
    method: 'scorecard',
    split: options.split,
    asOf: options.asOf.toISOString(),
    design: { leads: counts.design, conversions: counts.designConversions },
    scoreHistogram: histogram,
    tierShares: { hot: round4(shareAtOrAbove(tiers.hot)), warm: round4(shareAtOrAbove(tiers.warm) - shareAtOrAbove(tiers.hot)), cold: round4(1 - shareAtOrAbove(tiers.warm)) },
    model: { intercept: round4(model.fit.intercept), lambda: model.fit.lambda, weights: modelWeights(modelRules, model.fit, suggested, model.design) },
  };
  const rules = { ...assemble(suggested, options, tiers), tuning };
  const parsed = safeParseRuleSet(rules);
  if (!parsed.ok) throw new Error(`tune built an invalid rule set (a bug): ${parsed.issues.map((i) => `${i.record} ${i.field}: ${i.message}`).join('; ')}`);

  return {
    rules: parsed.rules,
    suggested,
    proposed,
    decisions,
    counts,
    scores,
    model: { fit: model.fit, designLogits: logits(model.design, model.fit), designOutcomes: model.design.y, testLogits: logits(model.test, model.fit), testOutcomes: model.test.y },
  };
}

/**
 * A lead's score under a rule set whose category caps never bind (tune's own: each cap is its rules'
 * maxima summed): the sum of each rule's points for the lead's bucket, which is what the engine adds up
 * (a test holds the two equal), without building a breakdown. Keyword rules tune made are placed by
 * their text's terms.
 */
function bucketScorer(rules: RuleSet, asOf: Date): (lead: Lead) => number {
  const place = compilePlacer(rules.rules.map(tunedTermRule), asOf);
  const points = rules.rules.map(bucketPoints);
  const buckets = new Uint16Array(rules.rules.length);
  return (lead) => {
    place(lead, buckets);
    let total = 0;
    for (let r = 0; r < points.length; r++) total += points[r]![buckets[r]!]!;
    return total;
  };
}

/** Makes the new rules' ids unique (a keyword rule's id could repeat another field's). */
function uniqueIds(candidates: Candidate[], taken: Set<string>): void {
  for (const c of candidates) {
    let id = c.rule.id;
    for (let n = 2; taken.has(id); n++) id = `${c.rule.id}_${n}`;
    taken.add(id);
    c.rule = { ...c.rule, id };
  }
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** A base rule as a candidate: each bucket its own feature, but a category map's values that share points stay together. */
function baseCandidate(rule: Rule): Candidate {
  if (rule.kind === 'combination') return { rule, reference: [1] };
  if (rule.kind !== 'category_map') return { rule };
  const byPoints = new Map<number, number[]>();
  Object.values(rule.points).forEach((p, i) => byPoints.set(p, [...(byPoints.get(p) ?? []), i]));
  return { rule, groups: [...byPoints.values()] };
}

/** Bucket numbers of every lead and candidate, two bytes each (a rule has far fewer than 65,536 buckets). */
class GrowingUint16 {
  values = new Uint16Array(1 << 16);
  private length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Uint16Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}

interface Encoded {
  compiled: Compiled[];
  design: Design;
  test: Design;
  /** Each lead's bucket per candidate (rows of `width`), per half, and which half each lead with an outcome was in, in order. */
  buckets: { design: Uint16Array; test: Uint16Array; width: number; designFirst: Uint8Array };
}

/** Places every lead in each candidate's buckets, then numbers the features (buckets with design leads). */
function encode(source: LeadSource, half: (lead: Lead) => 'design' | 'test', candidates: Candidate[], asOf: Date): Encoded {
  // Keyword candidates are placed by their text's terms, computed once per lead and field.
  const place = compilePlacer(
    candidates.map((c) => ({ rule: c.rule, term: c.term })),
    asOf,
  );
  const sizes = candidates.map((c) => bucketLabels(c.rule).length);
  const huge = candidates.find((_, r) => sizes[r]! > 0xffff);
  if (huge) throw new Error(`rule "${huge.rule.id}" has ${sizes[candidates.indexOf(huge)]} buckets; tune re-weights rules of up to 65,535`);
  const designBuckets = new GrowingUint16();
  const testBuckets = new GrowingUint16();
  const designY: number[] = [];
  const testY: number[] = [];
  const halves: number[] = [];
  const seen = candidates.map((_, r) => new Uint32Array(sizes[r]!));
  const row = new Uint16Array(candidates.length);
  for (const lead of source()) {
    if (lead.converted === undefined) continue;
    const isDesign = half(lead) === 'design';
    halves.push(isDesign ? 1 : 0);
    const into = isDesign ? designBuckets : testBuckets;
    (isDesign ? designY : testY).push(lead.converted ? 1 : 0);
    place(lead, row);
    for (let r = 0; r < candidates.length; r++) {
      const b = row[r]!;
      into.push(b);
      if (isDesign) seen[r]![b]!++;
    }
  }
  let features = 0;
  const compiled: Compiled[] = candidates.map((candidate, r) => {
    const featureOf = new Int32Array(sizes[r]!).fill(-1);
    const reference = new Set(candidate.reference ?? []);
    const grouped = new Set((candidate.groups ?? []).flat());
    for (const group of candidate.groups ?? []) {
      if (group.some((b) => seen[r]![b]! > 0)) {
        const f = features++;
        for (const b of group) featureOf[b] = f;
      }
    }
    for (let b = 0; b < sizes[r]!; b++) if (!grouped.has(b) && !reference.has(b) && seen[r]![b]! > 0) featureOf[b] = features++;
    return { candidate, featureOf };
  });
  const toDesign = (growing: GrowingUint16, y: number[]) => {
    const buckets = growing.values;
    const b = new DesignBuilder(features);
    const active: number[] = [];
    for (let row = 0; row < y.length; row++) {
      active.length = 0;
      for (let r = 0; r < compiled.length; r++) {
        const f = compiled[r]!.featureOf[buckets[row * compiled.length + r]!]!;
        if (f >= 0) active.push(f);
      }
      b.push(active, y[row] === 1);
    }
    return b.build();
  };
  return {
    compiled,
    design: toDesign(designBuckets, designY),
    test: toDesign(testBuckets, testY),
    buckets: { design: designBuckets.values, test: testBuckets.values, width: candidates.length, designFirst: Uint8Array.from(halves) },
  };
}

/**
 * Every lead's score under the suggested rules from the buckets `encode` placed it in (the rules tune
 * built keep their candidates' buckets; a combination holds where both its features are on): the
 * tokenising and placing is not done twice. Null when a rule's buckets changed (a re-weighted counter).
 */
function scoresFromBuckets(model: Encoded, suggested: readonly SuggestedRule[]): Uint8Array | null {
  const { buckets } = model;
  const fieldRules: { index: number; points: number[] }[] = [];
  const combos: { feature: number; points: number }[] = [];
  for (const s of suggested) {
    const index = model.compiled.findIndex((c) => c.candidate.rule.id === s.rule.id);
    if (index < 0) return null;
    if (index >= buckets.width) {
      if (s.rule.kind !== 'combination') return null;
      combos.push({ feature: model.compiled[index]!.featureOf[0]!, points: s.rule.points });
      continue;
    }
    const points = bucketPoints(s.rule);
    if (points.length !== model.compiled[index]!.featureOf.length) return null;
    fieldRules.push({ index, points });
  }
  const scores = new Uint8Array(buckets.designFirst.length);
  const at = { design: 0, test: 0 };
  buckets.designFirst.forEach((isDesign, i) => {
    const h = isDesign ? 'design' : 'test';
    const row = at[h]++;
    const matrix = buckets[h];
    let total = 0;
    for (const rule of fieldRules) total += rule.points[matrix[row * buckets.width + rule.index]!]!;
    if (combos.length > 0) {
      const d = model[h];
      const active = d.indices.subarray(d.offsets[row]!, d.offsets[row + 1]!);
      for (const combo of combos) if (active.includes(combo.feature)) total += combo.points;
    }
    scores[i] = total;
  });
  return scores;
}

function logits(design: Design, fit: LogisticFit): Float64Array {
  const out = new Float64Array(design.rows);
  for (let r = 0; r < design.rows; r++) out[r] = logit(fit, design.indices.subarray(design.offsets[r]!, design.offsets[r + 1]!));
  return out;
}

/** Fits the additive model, looks for interactions it misses, and refits with them. */
function withCombinations(encoded: Encoded, minLeads: number, lambda: number): Encoded & { fit: LogisticFit } {
  const fit = fitLogistic(encoded.design, { lambda });
  // Expressible features: feature → conditions and the rule (field) it belongs to.
  const expressible = new Map<number, { conditions: Condition[]; rule: number }>();
  encoded.compiled.forEach((c, r) => {
    c.featureOf.forEach((f, b) => {
      const conditions = c.candidate.conditions?.[b];
      if (f >= 0 && conditions && !expressible.has(f)) expressible.set(f, { conditions, rule: r });
    });
  });
  const ids = [...expressible.keys()].sort((a, b) => a - b);
  const slot = new Map(ids.map((f, i) => [f, i]));
  const k = ids.length;
  if (k < 2) return { ...encoded, fit };
  const observed = new Float64Array(k * k);
  const expected = new Float64Array(k * k);
  const variance = new Float64Array(k * k);
  const leads = new Uint32Array(k * k);
  const { design } = encoded;
  const active: number[] = [];
  for (let r = 0; r < design.rows; r++) {
    const row = design.indices.subarray(design.offsets[r]!, design.offsets[r + 1]!);
    const p = 1 / (1 + Math.exp(-logit(fit, row)));
    active.length = 0;
    for (const f of row) {
      const s = slot.get(f);
      if (s !== undefined) active.push(s);
    }
    active.sort((a, b) => a - b);
    for (let i = 0; i < active.length; i++) {
      for (let j = i + 1; j < active.length; j++) {
        const cell = active[i]! * k + active[j]!;
        observed[cell]! += design.y[r]!;
        expected[cell]! += p;
        variance[cell]! += p * (1 - p);
        leads[cell]!++;
      }
    }
  }
  const pairs: { a: number; b: number; z: number; ratio: number }[] = [];
  let tried = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const cell = i * k + j;
      if (leads[cell]! < minLeads || expressible.get(ids[i]!)!.rule === expressible.get(ids[j]!)!.rule) continue;
      tried++;
      if (variance[cell]! <= 0) continue;
      const z = (observed[cell]! - expected[cell]!) / Math.sqrt(variance[cell]!);
      pairs.push({ a: ids[i]!, b: ids[j]!, z, ratio: observed[cell]! / Math.max(expected[cell]!, 1e-9) });
    }
  }
  const bound = bonferroniZ(tried);
  const chosen = pairs
    .filter((p) => p.z >= bound && p.ratio >= MIN_INTERACTION_RATIO)
    .sort((x, y) => y.z - x.z || x.a - y.a || x.b - y.b)
    .slice(0, MAX_COMBINATIONS);
  if (chosen.length === 0) return { ...encoded, fit };

  const combos: Compiled[] = [];
  const pairFeatures: [number, number][] = [];
  for (const pair of chosen) {
    const a = expressible.get(pair.a)!;
    const b = expressible.get(pair.b)!;
    const rule = combinationRule(`combination_${combos.length + 1}`, a.conditions, b.conditions, 'combinations');
    if (!rule) continue;
    const f = design.features + combos.length;
    combos.push({ candidate: { rule, reference: [1], added: true }, featureOf: Int32Array.from([f, -1]) });
    pairFeatures.push([pair.a, pair.b]);
  }
  const extend = (d: Design) => {
    const b = new DesignBuilder(design.features + combos.length);
    for (let r = 0; r < d.rows; r++) {
      const row = Array.from(d.indices.subarray(d.offsets[r]!, d.offsets[r + 1]!));
      const has = new Set(row);
      pairFeatures.forEach(([x, y], c) => {
        if (has.has(x) && has.has(y)) row.push(design.features + c);
      });
      b.push(row, d.y[r] === 1);
    }
    return b.build();
  };
  const extended = { compiled: [...encoded.compiled, ...combos], design: extend(encoded.design), test: extend(encoded.test), buckets: encoded.buckets };
  // Warm start: the additive fit is close, so Newton needs a step or two.
  return { ...extended, fit: fitLogistic(extended.design, { lambda, start: { intercept: fit.intercept, weights: Float64Array.from([...fit.weights, ...combos.map(() => 0)]) } }) };
}

/** Per rule, the fitted weight of each bucket (null: no feature and not a reference, i.e. no design lead). */
function bucketWeights(c: Compiled, fit: LogisticFit): (number | null)[] {
  const reference = new Set(c.candidate.reference ?? []);
  return Array.from(c.featureOf, (f, b) => (f >= 0 ? fit.weights[f]! : reference.has(b) ? 0 : null));
}

/** Scales the fitted weights into points and writes them into each rule. */
function buildRules(compiled: Compiled[], fit: LogisticFit, design: Design, fromScratch: boolean): SuggestedRule[] {
  // A combination's points can only be added, so one the refit made negative is dropped.
  const kept = compiled.filter((c) => c.candidate.rule.kind !== 'combination' || fit.weights[c.featureOf[0]!]! > 0);
  const featureCounts = countFeatures(design);
  const weights = kept.map((c) => linearised(c, bucketWeights(c, fit), featureCounts.leads));
  const { points } = scaleToPoints(weights);
  const out: SuggestedRule[] = [];
  kept.forEach((c, r) => {
    const rulePoints = points[r]!;
    const added = c.candidate.added === true;
    if (fromScratch && Math.max(...rulePoints) === 0) return;
    const buckets = bucketLabels(c.candidate.rule).map((label, b) => {
      const f = c.featureOf[b]!;
      const [leads, conversions] = f >= 0 ? [featureCounts.leads[f]!, featureCounts.conversions[f]!] : [0, 0];
      return { label, leads, conversions, points: rulePoints[b]! };
    });
    const rule = withPoints(c.candidate.rule, rulePoints);
    out.push({ rule, added, buckets });
  });
  // Reference buckets (a keyword's "no mention") hold everyone else: their counts are the rest of the design half.
  const total = design.rows;
  const conversions = design.y.reduce((s, v) => s + v, 0);
  for (const s of out) {
    const holds = s.buckets[0]!;
    if (s.rule.kind === 'keyword_tiers' || s.rule.kind === 'combination') {
      const rest = s.buckets[1]!;
      rest.leads = total - holds.leads;
      rest.conversions = conversions - holds.conversions;
    }
    s.rule = { ...s.rule, why: evidence(s, conversions / total) };
  }
  return out;
}

function countFeatures(design: Design): { leads: Uint32Array; conversions: Uint32Array } {
  const leads = new Uint32Array(design.features);
  const conversions = new Uint32Array(design.features);
  for (let r = 0; r < design.rows; r++) {
    for (let k = design.offsets[r]!; k < design.offsets[r + 1]!; k++) {
      leads[design.indices[k]!]!++;
      conversions[design.indices[k]!]! += design.y[r]!;
    }
  }
  return { leads, conversions };
}

/**
 * A counter stays a counter (points per unit, capped): its per-level weights are replaced by the straight
 * line through its zero level that fits them best (least squares weighted by each level's design leads),
 * so it can be written back as `pointsPer` and `cap`. A counter the data says lowers conversion gets 0.
 */
function linearised(c: Compiled, weights: (number | null)[], leadsOfFeature: Uint32Array): (number | null)[] {
  if (c.candidate.rule.kind !== 'counter') return weights;
  const levels = weights.slice(0, -1);
  const zero = levels[0] ?? 0;
  let num = 0;
  let den = 0;
  levels.forEach((w, k) => {
    const f = c.featureOf[k]!;
    if (w !== null && k > 0 && f >= 0) {
      const n = leadsOfFeature[f]!;
      num += n * (w - zero) * k;
      den += n * k * k;
    }
  });
  const slope = den === 0 ? 0 : Math.max(0, num / den);
  return [...levels.map((_, k) => zero + slope * k), weights.at(-1)!];
}

/** The rule with `points` (per bucket, `bucketLabels` order) written into it. */
function withPoints(rule: Rule, points: number[]): Rule {
  const unknown = points.at(-1)!;
  const withUnknown = <R extends Rule>(r: R): R => {
    const { unknownPoints: _, ...rest } = r as R & { unknownPoints?: number };
    return (unknown > 0 ? { ...rest, unknownPoints: unknown } : rest) as R;
  };
  switch (rule.kind) {
    case 'category_map': {
      const keys = Object.keys(rule.points);
      return withUnknown({ ...rule, points: Object.fromEntries(keys.map((k, i) => [k, points[i]!])), otherwise: points[keys.length]! });
    }
    case 'numeric_bands': {
      const otherwise = points[rule.bands.length]!;
      const { otherwise: _o, ...rest } = rule;
      return withUnknown({ ...rest, bands: rule.bands.map((b, i) => ({ ...b, points: points[i]! })), ...(otherwise > 0 ? { otherwise } : {}) });
    }
    case 'keyword_tiers':
      return withUnknown({ ...rule, tiers: rule.tiers.map((t, i) => ({ ...t, points: points[i]! })), otherwise: { ...rule.otherwise, points: points[rule.tiers.length]! } });
    case 'counter': {
      const cap = Math.max(...points.slice(0, -1));
      // Rounded up at the fourth decimal, so whole counts still reach each level: 3 views × 3.3334 = 10.0002 → 10.
      return withUnknown({ ...rule, cap, pointsPer: cap === 0 ? rule.pointsPer : Math.ceil(((rule.pointsPer * cap) / rule.cap) * 10_000) / 10_000 });
    }
    case 'boolean_flag': {
      const { noPoints: _n, ...rest } = rule;
      return withUnknown({ ...rest, points: points[0]!, ...(points[1]! > 0 ? { noPoints: points[1]! } : {}) });
    }
    case 'recency': {
      const order = rule.bands.map((b, i) => ({ b, i })).sort((x, y) => x.b.withinDays - y.b.withinDays);
      const bands = [...rule.bands];
      order.forEach(({ i }, sorted) => (bands[i] = { ...rule.bands[i]!, points: points[sorted]! }));
      const otherwise = points[rule.bands.length]!;
      const { otherwise: _o, ...rest } = rule;
      return withUnknown({ ...rest, bands, ...(otherwise > 0 ? { otherwise } : {}) });
    }
    case 'combination':
      return { ...rule, points: points[0]! };
  }
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
const count = (n: number) => n.toLocaleString('en-US');

/** The rule's evidence in words: its best and worst buckets on the design half against the base rate. */
function evidence(s: SuggestedRule, baseRate: number): string {
  const name = fieldName(ruleFields(s.rule)[0]!);
  const withLeads = s.buckets.filter((b) => b.leads > 0);
  const best = [...withLeads].sort((a, b) => b.points - a.points || b.leads - a.leads)[0];
  const worst = [...withLeads].sort((a, b) => a.points - b.points || b.leads - a.leads)[0];
  const rate = (b: BucketEvidence) => pct(b.conversions / b.leads);
  const prefix = s.rule.why && !s.added ? `${s.rule.why} ` : '';
  if (!best || !worst || best === worst || best.points === worst.points) {
    return `${prefix}Design half: no difference worth a point (base rate ${pct(baseRate)}).`;
  }
  if (s.rule.kind === 'combination') {
    return `${prefix}Design half: leads meeting all of these convert ${rate(best)} vs ${pct(baseRate)} overall (${count(best.leads)} leads), more than the rules earn them apart.`;
  }
  const what = (b: BucketEvidence) => (s.rule.kind === 'keyword_tiers' ? b.label : `${name} ${b.label === 'unknown' ? 'unknown' : `"${b.label}"`}`);
  return `${prefix}Design half: ${what(best)} converts ${rate(best)} vs ${pct(baseRate)} overall (${count(best.leads)} leads, ${pts(best.points)}); ${what(worst)} ${rate(worst)} (${count(worst.leads)} leads, ${pts(worst.points)}).`;
}

const RETUNED = ' Re-weighted by npm run tune on the design half; review before use.';

/** The rule set around the suggested rules: one category per field (its value rule and keyword rules), combinations in one. */
function assemble(suggested: readonly SuggestedRule[], options: TuneOptions, tiers: { hot: number; warm: number }): RuleSet {
  const maxOf = (r: SuggestedRule) => Math.max(...r.buckets.map((b) => b.points));
  if (options.base) {
    const categories = options.base.categories.map((c) => ({ ...c, cap: suggested.filter((s) => s.rule.category === c.id).reduce((sum, s) => sum + maxOf(s), 0) }));
    const extra = suggested.filter((s) => !categories.some((c) => c.id === s.rule.category));
    const extraCategories = [...new Set(extra.map((s) => s.rule.category))].map((id) => ({ id, label: categoryLabel(id, extra), cap: extra.filter((s) => s.rule.category === id).reduce((sum, s) => sum + maxOf(s), 0) }));
    // A set tuned before keeps one suffix, not one per run.
    const name = options.base.name.replace(/ \(tuned\)$/, '');
    const given = options.base.description ?? name;
    const description = (given.endsWith(RETUNED) ? given.slice(0, -RETUNED.length) : given).replace(/\.$/, '');
    return {
      name: options.name ?? `${name} (tuned)`,
      description: `${description}.${RETUNED}`,
      tiers,
      categories: [...categories, ...extraCategories],
      rules: suggested.map((s) => s.rule),
    };
  }
  const byCategory = new Map<string, SuggestedRule[]>();
  for (const s of suggested) byCategory.set(s.rule.category, [...(byCategory.get(s.rule.category) ?? []), s]);
  const categories = [...byCategory.entries()]
    .map(([id, rules]) => ({ id, label: categoryLabel(id, rules), cap: rules.reduce((sum, s) => sum + maxOf(s), 0), rules: [...rules].sort((a, b) => maxOf(b) - maxOf(a) || (a.rule.id < b.rule.id ? -1 : 1)) }))
    .sort((a, b) => b.cap - a.cap || (a.id < b.id ? -1 : 1));
  return {
    name: options.name ?? 'Tuned rules',
    description: 'Suggested by npm run tune from the design half of the leads; review before use.',
    tiers,
    categories: categories.map(({ id, label, cap }) => ({ id, label, cap })),
    rules: categories.flatMap((c) => c.rules.map((s) => s.rule)),
  };
}

function categoryLabel(id: string, rules: readonly SuggestedRule[]): string {
  if (id === 'combinations') return 'Combinations';
  const field = ruleFields(rules[0]!.rule)[0]!;
  const name = fieldName(field);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * A re-weighted counter's stored weights, on its new point levels: level j of the new cap is old level
 * j · oldCap / newCap on the fitted line (see `linearised`).
 */
function counterWeights(c: Compiled, written: Rule, fit: LogisticFit, leadsOfFeature: Uint32Array): (number | null)[] | null {
  if (c.candidate.rule.kind !== 'counter' || written.kind !== 'counter') return null;
  const line = linearised(c, bucketWeights(c, fit), leadsOfFeature);
  const levels = line.slice(0, -1) as number[];
  const zero = levels[0] ?? 0;
  const slope = levels.length > 1 ? levels[1]! - zero : 0;
  const ratio = written.cap === 0 ? 0 : c.candidate.rule.cap / written.cap;
  return [...Array.from({ length: written.cap + 1 }, (_, j) => zero + slope * j * ratio), line.at(-1)!];
}

/** The stored model: per written rule, the weight of each bucket (no-evidence buckets at the rule's lowest, as their 0 points are). */
function modelWeights(compiled: Compiled[], fit: LogisticFit, suggested: readonly SuggestedRule[], design: Design): Record<string, number[]> {
  const { leads } = countFeatures(design);
  const out: Record<string, number[]> = {};
  for (const s of suggested) {
    const c = compiled.find((x) => x.candidate.rule.id === s.rule.id);
    if (!c) continue;
    const weights = counterWeights(c, s.rule, fit, leads) ?? bucketWeights(c, fit);
    const known = weights.filter((w): w is number => w !== null);
    const lowest = known.length ? Math.min(...known) : 0;
    out[s.rule.id] = weights.map((w) => round4(w ?? lowest));
  }
  return out;
}
