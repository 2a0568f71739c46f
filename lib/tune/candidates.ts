import { probit } from 'simple-statistics';
import { testTerms, type FieldType, fieldType } from '../profile';
import type { Condition, Rule } from '../rules';
import { conditionText, fieldName } from '../rules-doc';
import { binField, binningIv, crossCheck, type FieldBinning } from './binning';
import type { FoldCounts, LeadStats } from './stats';
import { termPattern } from './text';

/**
 * Which fields, words and pairs may become rules, decided on the design half only:
 *
 * - A field becomes a rule when its bins (lib/tune/binning.ts) separate converters at all (two bins or
 *   more), its information value is at least 0.02 (the usual floor below which a field predicts
 *   nothing), and its signal holds out of sample inside the design half: bins chosen on one fold rank the
 *   other fold's leads better than chance at 1% (one-sided Mann–Whitney z ≥ 2.33, averaged both ways). A
 *   pure-noise field fails the last test even when chance gave it a respectable IV on a small sample.
 * - A word or phrase of a text field becomes a keyword rule when at least 1% of the field's texts hold it,
 *   its with-vs-without z passes a Bonferroni bound for every term tried (two-sided 5%), and it points the
 *   same way in both folds; at most `MAX_KEYWORDS` per field, strongest first.
 * - `created_at` is profiled but not scored: an older lead has simply had longer to convert.
 *
 * Candidate rules carry 0 points; tune fits their buckets and writes the points.
 */

export const MAX_KEYWORDS = 10;
export const IV_FLOOR = 0.02;
export const CROSS_CHECK_Z = 2.326;
export const SUSPICIOUS_IV = 0.5;
/** Fields never turned into rules, with the reason. */
export const UNSCORED_FIELDS: Readonly<Record<string, string>> = {
  created_at: 'the lead’s age: older leads had longer to convert, so it would reward age, not fit',
};

export interface FieldDecision {
  field: string;
  type: FieldType | null;
  used: boolean;
  /** Why it was used or not, in words. */
  reason: string;
  iv?: number;
  crossCheckZ?: number;
  /** Used, with an IV so high the field may leak the outcome. */
  suspicious?: boolean;
}

export interface Candidate {
  rule: Rule;
  /** A rule tune adds (not one of the base set's). */
  added?: boolean;
  /** A keyword rule's word or phrase: leads are placed by `textTerms`, which matches where its pattern does, without running it. */
  term?: string;
  /** Field rules: the bins the rule's buckets were made from. */
  binning?: FieldBinning;
  /** Buckets that share one model feature (a bin's category values), by bucket index; others get their own. */
  groups?: number[][];
  /** Buckets that are the model's reference (weight 0), not a feature: a keyword's "no mention", a combination that does not hold. */
  reference?: number[];
  /** For interactions: per bucket, the combination conditions that express it (undefined: not expressible). */
  conditions?: (Condition[] | undefined)[];
}

export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(s) ? s.slice(0, 48) : `f_${s}`.slice(0, 48);
}

const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Candidate rules from the fields of the design half (the whole rule set when there is no base). */
export function fieldCandidates(stats: LeadStats, { minLeads, exclude }: { minLeads: number; exclude: ReadonlySet<string> }): { candidates: Candidate[]; decisions: FieldDecision[] } {
  const candidates: Candidate[] = [];
  const decisions: FieldDecision[] = [];
  const fields = [...stats.fields.values()].sort((a, b) => (a.field < b.field ? -1 : 1));
  for (const fs of fields) {
    const type = fieldType(fs, stats.total);
    const decide = (used: boolean, reason: string, extra: Partial<FieldDecision> = {}) => decisions.push({ field: fs.field, type, used, reason, ...extra });
    if (type === null) {
      decide(false, 'no lead has it');
      continue;
    }
    if (exclude.has(fs.field)) {
      decide(false, 'excluded (--exclude)');
      continue;
    }
    if (UNSCORED_FIELDS[fs.field]) {
      decide(false, `profiled, not scored: ${UNSCORED_FIELDS[fs.field]}`);
      continue;
    }
    if (type === 'text') {
      const keywords = keywordCandidates(fs.field, stats);
      decide(keywords.length > 0, keywords.length > 0 ? `free text: ${keywords.length} keyword rule(s)` : 'free text: no word or phrase passed the significance test');
      candidates.push(...keywords);
      continue;
    }
    const binning = binField(fs, stats.total, { minLeads });
    if (!binning || binning.bins.length < 2) {
      decide(false, 'no signal: the data cannot tell any of its values apart');
      continue;
    }
    const iv = binningIv(binning);
    if (iv < IV_FLOOR) {
      decide(false, `too weak: information value ${iv.toFixed(3)} < ${IV_FLOOR}`, { iv });
      continue;
    }
    const z = crossCheck(fs, stats.total, { minLeads: Math.max(10, Math.round(minLeads / 2)) });
    if (z < CROSS_CHECK_Z) {
      decide(false, `did not hold out of sample: bins chosen on one half of the design leads rank the other half at z = ${z.toFixed(2)} (< ${CROSS_CHECK_Z})`, { iv, crossCheckZ: z });
      continue;
    }
    const suspicious = iv > SUSPICIOUS_IV ? `; IV above ${SUSPICIOUS_IV} is too good to be true unless the field is written after the outcome: check it, and --exclude it if so` : '';
    decide(true, `${binning.bins.length} bins, information value ${iv.toFixed(3)}, out-of-sample z = ${z.toFixed(2)}${suspicious}`, { iv, crossCheckZ: z, suspicious: suspicious !== '' });
    candidates.push(ruleFromBinning(binning));
  }
  return { candidates, decisions };
}

function ruleFromBinning(binning: FieldBinning): Candidate {
  const { field, type, bins } = binning;
  const id = slug(fieldName(field));
  const base = { id, label: titleCase(fieldName(field)), category: id, why: '' };
  const known = bins.filter((b) => b.kind !== 'unknown');
  const hasUnknown = bins.length > known.length;
  if (type === 'boolean') {
    const conditions: (Condition[] | undefined)[] = [[{ field, is: 'yes' }], [{ field, is: 'no' }], [{ field, is: 'unknown' }]];
    return { rule: { ...base, kind: 'boolean_flag', field, points: 0, noPoints: 0 }, binning, conditions, added: true };
  }
  if (type === 'number' || type === 'date') {
    const cuts = binning.cuts!;
    const whole = binning.whole!;
    if (type === 'date') {
      const bands = cuts.map((c) => ({ withinDays: Math.max(c, 0.5), points: 0 }));
      // Recency needs at least one band; a single known bin is "within its range" (the max age seen).
      if (bands.length === 0) bands.push({ withinDays: Math.max(binning.range!.max, 1), points: 0 });
      return { rule: { ...base, kind: 'recency', field, bands, otherwise: 0 }, binning, conditions: [], added: true };
    }
    const bands = known.map((b, j) => {
      const lo = j === 0 ? undefined : cuts[j - 1]!;
      const hi = j === known.length - 1 ? undefined : cuts[j]!;
      return { label: b.label, ...(lo === undefined ? {} : { min: whole ? lo + 1 : lo }), ...(hi === undefined ? {} : { max: hi }), points: 0 };
    });
    const conditions = known.map((_, j): Condition[] => {
      const lo = j === 0 ? undefined : cuts[j - 1]!;
      const hi = j === known.length - 1 ? undefined : cuts[j]!;
      return [...(lo === undefined ? [] : [{ field, op: '>' as const, value: lo }]), ...(hi === undefined ? [] : [{ field, op: '<=' as const, value: hi }])];
    });
    if (hasUnknown) conditions.push([{ field, is: 'unknown' }]);
    return {
      rule: { ...base, kind: 'numeric_bands', field, bands, ...(whole ? { wholeNumbers: true } : {}) },
      binning,
      conditions: [...conditions.slice(0, known.length), undefined, ...conditions.slice(known.length)],
      added: true,
    };
  }
  // category
  const points: Record<string, number> = {};
  const groups: number[][] = [];
  const conditions: (Condition[] | undefined)[] = [];
  let next = 0;
  for (const bin of known) {
    if (bin.kind !== 'values') continue;
    const group: number[] = [];
    for (const value of bin.values!) {
      points[value] = 0;
      group.push(next++);
      conditions.push([{ field, in: bin.values! }]);
    }
    groups.push(group);
  }
  conditions.push(undefined, hasUnknown ? [{ field, is: 'unknown' }] : undefined);
  return { rule: { ...base, kind: 'category_map', field, points, otherwise: 0 }, binning, groups, conditions, added: true };
}

function keywordCandidates(field: string, stats: LeadStats): Candidate[] {
  const fs = stats.fields.get(field)!;
  const { tested, bound } = testTerms(fs, stats.termTotal, 0.01);
  const total = stats.termTotal;
  const foldSign = (counts: FoldCounts, fold: 0 | 1) => {
    const n = counts[fold * 2]!;
    const c = counts[fold * 2 + 1]!;
    const rest = total[fold * 2]! - n;
    if (n === 0 || rest === 0) return 0;
    return Math.sign(c / n - (total[fold * 2 + 1]! - c) / rest);
  };
  const fieldId = slug(fieldName(field));
  return tested
    .filter((t) => Math.abs(t.z) >= bound)
    .filter((t) => {
      const counts = fs.terms.map.get(t.term)!;
      const sign = Math.sign(t.z);
      return foldSign(counts, 0) === sign && foldSign(counts, 1) === sign;
    })
    .slice(0, MAX_KEYWORDS)
    .map((t): Candidate => {
      const pattern = termPattern(t.term);
      return {
        rule: {
          id: `${fieldId}_${slug(t.term)}`,
          label: `${titleCase(fieldName(field))} mentions "${t.term}"`,
          category: fieldId,
          why: '',
          kind: 'keyword_tiers',
          field,
          tiers: [{ label: `mentions "${t.term}"`, points: 0, patterns: [pattern] }],
          otherwise: { label: 'no mention', points: 0 },
        },
        reference: [1, 2],
        conditions: [[{ field, matches: [pattern] }], undefined, undefined],
        added: true,
        term: t.term,
      };
    });
}

/** Two buckets' conditions joined into a combination rule, if together they stay within four conditions. */
export function combinationRule(id: string, a: Condition[], b: Condition[], category: string): Rule | null {
  const conditions = [...a, ...b];
  if (conditions.length < 2 || conditions.length > 4) return null;
  return { id, label: titleCase(conditions.map(conditionText).join(' and ')), category, why: '', kind: 'combination', conditions, points: 0 };
}

/** One-sided Bonferroni bound for `tests` z tests at 5% overall. */
export const bonferroniZ = (tests: number) => probit(1 - 0.05 / Math.max(1, tests));
