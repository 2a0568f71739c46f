import 'server-only';
import { z } from 'zod';
import { resolveAsOf } from '@/lib/as-of';
import { formatK, kListSchema, runBacktest, type BacktestResult, type KSpec } from '@/lib/backtest';
import { compareRuleSets, type RuleSetComparison } from '@/lib/compare';
import { driftReport, type DriftReport } from '@/lib/drift';
import type { RuleSet } from '@/lib/rules';
import { rulesVersion } from '@/lib/scoring';
import { DEFAULT_HOLDOUT, DEFAULT_SPLIT_SEED, describeSplit, splitter, type SplitSpec } from '@/lib/split';
import type { ScoredRecord } from '@/lib/store/types';

/**
 * The figures /validate and the lead page work out from the store's scored records: the live backtest, the
 * candidate beside it, the drift check. Each is computed once per records array — the store hands back the
 * same array while its data is unchanged — and kept with it (a WeakMap: a reloaded file drops the old
 * results with the old array), so a warm page only renders. The maths is the pure core's.
 */

const cache = new WeakMap<readonly ScoredRecord[], Map<string, unknown>>();
/** Distinct `?k=` / `?capacity=` views kept per records array; the oldest goes first. */
const VIEWS_KEPT = 24;

function memo<T>(records: readonly ScoredRecord[], key: string, compute: () => T): T {
  let entries = cache.get(records);
  if (!entries) cache.set(records, (entries = new Map()));
  if (entries.has(key)) return entries.get(key) as T;
  const value = compute();
  if (entries.size >= VIEWS_KEPT) entries.delete(entries.keys().next().value!);
  entries.set(key, value);
  return value;
}

export const DEFAULT_PAGE_KS: readonly KSpec[] = [25, 50, 100];

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const capacitySchema = z
  .string()
  .trim()
  .regex(/^\d+$/, 'capacity is a whole number of leads')
  .transform(Number)
  .pipe(z.number().int().min(1, 'capacity is at least 1 lead').max(100_000_000, 'capacity is at most 100,000,000 leads'));

export interface ValidateQuery {
  ks: readonly KSpec[];
  capacity: number | undefined;
  /** What was wrong with the address's values, which the page then ignores. */
  problems: string[];
  /** As typed, for the form. */
  raw: { k: string; capacity: string };
}

/** `/validate?k=25,50,5%&capacity=300`, validated; a bad value is reported and the default used. */
export function parseValidateQuery(searchParams: Record<string, string | string[] | undefined>): ValidateQuery {
  const problems: string[] = [];
  const rawK = first(searchParams.k)?.trim() ?? '';
  const rawCapacity = first(searchParams.capacity)?.trim() ?? '';
  let ks = DEFAULT_PAGE_KS;
  if (rawK !== '') {
    const parsed = kListSchema.safeParse(rawK);
    if (parsed.success) ks = parsed.data;
    else problems.push(`k "${rawK}": ${parsed.error.issues[0]!.message}; showing ${DEFAULT_PAGE_KS.map(formatK).join(', ')}`);
  }
  let capacity: number | undefined;
  if (rawCapacity !== '') {
    const parsed = capacitySchema.safeParse(rawCapacity);
    if (parsed.success) capacity = parsed.data;
    else problems.push(`capacity "${rawCapacity}": ${parsed.error.issues[0]!.message}`);
  }
  return { ks, capacity, problems, raw: { k: rawK, capacity: rawCapacity } };
}

const viewKey = (ks: readonly KSpec[], capacity: number | undefined) => `${ks.map(formatK).join(',')}|${capacity ?? ''}`;

/**
 * The reference date the stored scores were computed with, as the store works it out (the latest activity
 * in the data, or SCORING_AS_OF): candidates and models score against the same one. With "now" it is the
 * moment these records were first analysed, so a cached result does not move by the minute.
 */
export function recordsAsOf(records: readonly ScoredRecord[], setting: string | undefined): Date {
  return memo(records, `asOf|${setting ?? ''}`, () =>
    resolveAsOf(
      records.map((r) => r.lead),
      setting,
    ),
  );
}

/** The live backtest of every lead with an outcome (what /validate has always shown). */
export function liveBacktest(records: readonly ScoredRecord[], ks: readonly KSpec[], capacity: number | undefined): BacktestResult {
  return memo(records, `live|${viewKey(ks, capacity)}`, () =>
    runBacktest(
      records.flatMap((r) => (r.lead.converted === undefined ? [] : [{ id: r.lead.id, score: r.score, tier: r.tier, converted: r.lead.converted }])),
      { ks, capacity },
    ),
  );
}

export interface CandidateView {
  comparison: RuleSetComparison;
  /** Which leads both are graded on, in words. */
  graded: string;
  /** The capacity among the graded leads (scaled to the test half when there is one). */
  capacity: number | undefined;
}

/** The candidate beside the live scores: on the test half of the candidate's (or the live set's) stored split, else every lead with an outcome. */
export function candidateView(records: readonly ScoredRecord[], live: RuleSet, candidate: RuleSet, asOf: Date, ks: readonly KSpec[], capacity: number | undefined): CandidateView {
  return memo(records, `candidate|${rulesVersion(candidate)}|${rulesVersion(live)}|${asOf.toISOString()}|${viewKey(ks, capacity)}`, () => {
    const split = candidate.tuning?.split ?? live.tuning?.split;
    const withOutcome = records.filter((r) => r.lead.converted !== undefined);
    const half = split ? splitter(split) : undefined;
    const graded = half ? withOutcome.filter((r) => half(r.lead) === 'test') : withOutcome;
    const scaled = capacity === undefined || !half ? capacity : Math.max(1, Math.round((capacity * graded.length) / Math.max(1, withOutcome.length)));
    return {
      comparison: compareRuleSets(graded, { candidate, now: asOf, ks, capacity: scaled, movers: 50 }),
      graded: split
        ? `the test half of the ${candidate.tuning ? "candidate's" : "live rules'"} stored split (${describeSplit(split)}), which the fit never saw`
        : 'every lead with an outcome (neither rule set stores a split)',
      capacity: scaled,
    };
  });
}

/** The drift check of the live rules on the stored scores; the split is the live rules' own, or tune's default. */
export function driftView(records: readonly ScoredRecord[], live: RuleSet, asOf: Date, tuneCommand: string): DriftReport {
  const split: SplitSpec = live.tuning?.split ?? { by: 'hash', holdout: DEFAULT_HOLDOUT, seed: DEFAULT_SPLIT_SEED };
  return memo(records, `drift|${rulesVersion(live)}|${asOf.toISOString()}|${tuneCommand}`, () => driftReport(() => records, { rules: live, asOf, split, tuneCommand }));
}
