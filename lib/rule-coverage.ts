import type { ScorableLead } from './lead';
import { SCORABLE_FIELDS } from './lead-fields';
import { ruleFields, type RuleSet } from './rules';

/**
 * Which fields a rule set reads that the data does not have. A rule whose field no lead has scores every
 * lead "unknown" and silently adds nothing: a typo in an attribute name cost a real team 0.08 AUC, and the
 * default B2B rules on a bank's export scored every lead COLD. Pure: counts in, report out.
 */

/** Leads with a value per field: contract fields by name, custom columns as `attributes.<name>`. */
export interface FieldCoverage {
  total: number;
  present: Record<string, number>;
}

/** Below this share of leads, a rule's field is reported as (nearly) missing. */
export const LOW_COVERAGE_SHARE = 0.05;

/** Counts, per field, the leads that have a value (the outcome is not a field a rule may read). */
export function fieldCoverage(leads: Iterable<ScorableLead>): FieldCoverage {
  // Contract fields are counted by position, not in the map: a map update per field of each lead was most of the time here.
  const counts = SCORABLE_FIELDS.map(() => 0);
  const present = new Map<string, number>();
  let total = 0;
  for (const lead of leads) {
    total++;
    const record = lead as unknown as Record<string, unknown>;
    for (let i = 0; i < SCORABLE_FIELDS.length; i++) if (record[SCORABLE_FIELDS[i]!] !== undefined) counts[i]!++;
    if (lead.attributes) for (const name of Object.keys(lead.attributes)) present.set(`attributes.${name}`, (present.get(`attributes.${name}`) ?? 0) + 1);
  }
  SCORABLE_FIELDS.forEach((field, i) => {
    if (counts[i]! > 0) present.set(field, counts[i]!);
  });
  return { total, present: Object.fromEntries([...present].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

export interface FieldReading {
  field: string;
  leads: number;
  /** Share of all leads with a value; null with no leads. */
  share: number | null;
  /** A field the data does have, when this one looks like a misspelling of it. */
  didYouMean: string | null;
}

export interface RuleReading {
  ruleId: string;
  label: string;
  fields: FieldReading[];
  /** Some field of the rule is on fewer than LOW_COVERAGE_SHARE of the leads. */
  low: boolean;
}

export interface RuleCoverageReport {
  total: number;
  rules: RuleReading[];
  /** The rules that read (nearly) nothing, in rule-set order. */
  lowRules: RuleReading[];
  /** No field the rule set reads is on LOW_COVERAGE_SHARE of the leads: every score is (nearly) the same. */
  readsNothing: boolean;
}

export function ruleCoverage(rules: RuleSet, coverage: FieldCoverage): RuleCoverageReport {
  const known = Object.entries(coverage.present).filter(([, n]) => isCovered(n, coverage.total));
  const reading = (field: string): FieldReading => {
    const leads = coverage.present[field] ?? 0;
    const share = coverage.total === 0 ? null : leads / coverage.total;
    return { field, leads, share, didYouMean: isCovered(leads, coverage.total) ? null : nearestField(field, known.map(([f]) => f)) };
  };
  const readings = rules.rules.map((rule): RuleReading => {
    const fields = ruleFields(rule).map(reading);
    return { ruleId: rule.id, label: rule.label, fields, low: fields.some((f) => !isCovered(f.leads, coverage.total)) };
  });
  const readsNothing = coverage.total > 0 && readings.every((r) => r.fields.every((f) => !isCovered(f.leads, coverage.total)));
  return { total: coverage.total, rules: readings, lowRules: readings.filter((r) => r.low), readsNothing };
}

const isCovered = (leads: number, total: number) => total > 0 && leads / total >= LOW_COVERAGE_SHARE;

/** Field names compared without case, separators or the `attributes.` prefix: "Lead_Source" ≈ "leadsource". */
const squash = (field: string) => field.replace(/^attributes\./, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/**
 * The present field closest to a missing one, if it is close enough to be a slip: the same name up to case
 * and separators, or within a few edits (one per four characters, at least one, at most three).
 */
export function nearestField(missing: string, candidates: readonly string[]): string | null {
  const target = squash(missing);
  if (target === '') return null;
  const allowed = Math.min(3, Math.max(1, Math.floor(target.length / 4)));
  let best: { field: string; distance: number } | null = null;
  for (const field of [...candidates].sort()) {
    if (field === missing) continue;
    const distance = editDistance(target, squash(field), allowed);
    if (distance <= allowed && (!best || distance < best.distance)) best = { field, distance };
  }
  return best?.field ?? null;
}

/** Levenshtein distance, stopping early once every path exceeds `limit` (returns limit + 1 then). */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

const pct = (share: number | null) => (share === null ? '—' : `${(100 * share).toFixed(share > 0 && share < 0.01 ? 2 : 1)}%`);

/** One line per rule that reads (nearly) nothing, for terminals; empty when every rule reads its fields. */
export function formatCoverageWarnings(report: RuleCoverageReport): string[] {
  const lines = report.lowRules.map((rule) => {
    const fields = rule.fields
      .filter((f) => !isCovered(f.leads, report.total))
      .map((f) => `${f.field} is on ${f.leads.toLocaleString('en-US')} of ${report.total.toLocaleString('en-US')} leads (${pct(f.share)})${f.didYouMean ? ` — did you mean ${f.didYouMean}?` : ''}`);
    return `rule "${rule.ruleId}" (${rule.label}) reads almost nothing: ${fields.join('; ')}`;
  });
  if (report.readsNothing) {
    lines.push('no field this rule set reads is on 5% of the leads, so every lead gets (nearly) the same score: fit rules to this data with `npm run tune`');
  }
  return lines;
}
