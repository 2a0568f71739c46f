import { unitInterval } from '../hash';
import { SCORABLE_FIELDS } from '../lead-fields';
import { fieldReader, type FieldValue, type Lead, type ScorableLead } from '../lead';
import { splitter, type SplitSpec } from '../split';
import { normalizeKey } from '../scoring';
import { textTerms } from './text';

/**
 * Streamed sufficient statistics of every field of a set of leads against their outcome: per value (or
 * date age, or word) the leads and conversions, kept per fold (two halves of the design set, by hash) so a
 * binning chosen on one fold can be checked on the other. Memory is bounded whatever the number of leads:
 * each table keeps at most a fixed number of keys (see the caps), so a million leads cost no more than the
 * distinct values they hold. Past a cap a table is thinned, and the figures say they are approximate.
 * Pure: leads go in, counts come out.
 */

/** [leads in fold A, conversions in A, leads in fold B, conversions in B]. */
export type FoldCounts = [number, number, number, number];
export const zeroCounts = (): FoldCounts => [0, 0, 0, 0];
export const leadsOf = (c: FoldCounts) => c[0] + c[2];
export const conversionsOf = (c: FoldCounts) => c[1] + c[3];

export function addCounts(into: FoldCounts, from: FoldCounts): FoldCounts {
  for (let i = 0; i < 4; i++) into[i]! += from[i]!;
  return into;
}

/** Distinct numbers kept exactly per field; past it, numbers are rounded up to 3 significant digits. */
export const NUMBER_CAP = 20_000;
/** Distinct text values kept per field; past it, the rarest are dropped (they count as "other"). */
export const VALUE_CAP = 50_000;
/** Distinct words and phrases kept per field; past it, the rarest are dropped. */
export const TERM_CAP = 50_000;

const DAY_MS = 86_400_000;
const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}(?:$|[T ])/;

/** The kinds of value a field can hold; a field's type is the kind most of its values have. */
export type ValueKind = 'boolean' | 'number' | 'date' | 'text';

/** A table of keys with fold counts that thins itself past its cap (drops keys with few leads). */
export class CountTable<K> {
  readonly map = new Map<K, FoldCounts>();
  /** The most leads a dropped key can have had: counts of kept keys may be short by up to this. */
  undercount = 0;

  constructor(private readonly cap: number) {}

  get(key: K): FoldCounts {
    let counts = this.map.get(key);
    if (counts === undefined) {
      if (this.map.size >= this.cap) this.thin();
      counts = zeroCounts();
      this.map.set(key, counts);
    }
    return counts;
  }

  /** Drops the keys with the fewest leads until the table is at most half full. */
  private thin(): void {
    const byLeads = [...this.map.values()].map(leadsOf).sort((a, b) => a - b);
    const threshold = byLeads[Math.floor(byLeads.length / 2) - 1]!;
    for (const [key, counts] of this.map) if (leadsOf(counts) <= threshold) this.map.delete(key);
    this.undercount += threshold;
  }
}

export interface FieldStats {
  field: string;
  /** Present values by kind. */
  kinds: Record<ValueKind, FoldCounts>;
  /** true / false counts. */
  yes: FoldCounts;
  no: FoldCounts;
  numbers: CountTable<number>;
  /** All numbers seen were whole. */
  wholeNumbers: boolean;
  /** Numbers were rounded up to 3 significant digits (more than NUMBER_CAP distinct values). */
  numbersRounded: boolean;
  /** Whole days before the as-of date (never negative) → counts. */
  ages: CountTable<number>;
  /** Normalised text value (as category rules match it) → counts; `spellings` keeps how it was first written. */
  values: CountTable<string>;
  spellings: Map<string, string>;
  /** Word or two-word phrase → leads whose text holds it (among the leads whose text was split). */
  terms: CountTable<string>;
  /** Leads whose text was split into words. */
  termTexts: number;
}

export interface LeadStats {
  /** Leads and conversions per fold. */
  total: FoldCounts;
  /** The design leads whose text was split into words (all of them, or a hash sample: `termShare`). */
  termTotal: FoldCounts;
  termShare: number;
  fields: Map<string, FieldStats>;
  asOf: Date;
}

function emptyFieldStats(field: string): FieldStats {
  return {
    field,
    kinds: { boolean: zeroCounts(), number: zeroCounts(), date: zeroCounts(), text: zeroCounts() },
    yes: zeroCounts(),
    no: zeroCounts(),
    numbers: new CountTable(Number.POSITIVE_INFINITY),
    wholeNumbers: true,
    numbersRounded: false,
    ages: new CountTable(Number.POSITIVE_INFINITY),
    values: new CountTable(VALUE_CAP),
    spellings: new Map(),
    terms: new CountTable(TERM_CAP),
    termTexts: 0,
  };
}

/** The lead fields a profile reads: every contract field but the id and the outcome (attributes are found in the data). */
export const PROFILED_FIELDS: readonly string[] = SCORABLE_FIELDS;

/** Rounds up to 3 significant digits (1,234.5 → 1,240), so a value and its rounding fall in the same bands. */
function roundUp3(n: number): number {
  if (n === 0) return 0;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(n))) - 2);
  return Number((Math.ceil(n / step) * step).toPrecision(12));
}

/** Accumulates `LeadStats` one lead at a time. */
export class StatsBuilder {
  private readonly stats: LeadStats;
  private readonly asOfMs: number;
  private readonly readers = new Map<string, (lead: ScorableLead) => FieldValue>();

  constructor(asOf: Date, termShare = 1) {
    this.asOfMs = asOf.getTime();
    this.stats = { total: zeroCounts(), termTotal: zeroCounts(), termShare, fields: new Map(), asOf };
    for (const field of PROFILED_FIELDS) this.fieldStats(field);
  }

  private fieldStats(field: string): FieldStats {
    let stats = this.stats.fields.get(field);
    if (!stats) {
      stats = emptyFieldStats(field);
      this.stats.fields.set(field, stats);
      this.readers.set(field, fieldReader(field));
    }
    return stats;
  }

  /** Adds one lead; `fold` (0 or 1) is which half of the design set it is in; `words`: split its text into words too. */
  add(lead: ScorableLead, converted: boolean, fold: 0 | 1, words = true): void {
    const n = fold * 2;
    const c = converted ? 1 : 0;
    this.stats.total[n]! += 1;
    this.stats.total[n + 1]! += c;
    if (words) {
      this.stats.termTotal[n]! += 1;
      this.stats.termTotal[n + 1]! += c;
    }
    for (const field of PROFILED_FIELDS) this.addValue(this.stats.fields.get(field)!, this.readers.get(field)!(lead), n, c, words);
    if (lead.attributes) for (const name in lead.attributes) this.addValue(this.fieldStats(`attributes.${name}`), lead.attributes[name], n, c, words);
  }

  private addValue(stats: FieldStats, value: FieldValue, n: number, c: number, words: boolean): void {
    if (value === undefined) return;
    let counts: FoldCounts;
    let kind: FoldCounts;
    if (typeof value === 'boolean') {
      kind = stats.kinds.boolean;
      counts = value ? stats.yes : stats.no;
    } else if (typeof value === 'number') {
      kind = stats.kinds.number;
      if (!Number.isInteger(value)) stats.wholeNumbers = false;
      if (!stats.numbersRounded && stats.numbers.map.size >= NUMBER_CAP && !stats.numbers.map.has(value)) roundNumbers(stats);
      counts = stats.numbers.get(stats.numbersRounded ? roundUp3(value) : value);
    } else {
      const at = ISO_DATE_START.test(value) ? Date.parse(value) : Number.NaN;
      if (!Number.isNaN(at)) {
        kind = stats.kinds.date;
        counts = stats.ages.get(Math.max(0, Math.floor((this.asOfMs - at) / DAY_MS)));
      } else {
        kind = stats.kinds.text;
        const key = normalizeKey(value);
        counts = stats.values.get(key);
        if (!stats.spellings.has(key)) stats.spellings.set(key, value.trim());
        if (!words) {
          counts[n]! += 1;
          counts[n + 1]! += c;
          kind[n]! += 1;
          kind[n + 1]! += c;
          return;
        }
        stats.termTexts++;
        // Each word or phrase counts once per lead.
        for (const term of new Set(textTerms(value))) {
          const t = stats.terms.get(term);
          t[n]! += 1;
          t[n + 1]! += c;
        }
      }
    }
    counts[n]! += 1;
    counts[n + 1]! += c;
    kind[n]! += 1;
    kind[n + 1]! += c;
  }

  finish(): LeadStats {
    for (const stats of this.stats.fields.values()) {
      // Spellings of dropped values are dropped too.
      if (stats.spellings.size > stats.values.map.size) for (const key of stats.spellings.keys()) if (!stats.values.map.has(key)) stats.spellings.delete(key);
    }
    return this.stats;
  }
}

function roundNumbers(stats: FieldStats): void {
  const rounded = new CountTable<number>(Number.POSITIVE_INFINITY);
  for (const [value, counts] of stats.numbers.map) addCounts(rounded.get(roundUp3(value)), counts);
  stats.numbers = rounded;
  stats.numbersRounded = true;
}

/**
 * The kind most of a field's values have, and the counts of the leads the rules engine reads as unknown:
 * missing, or holding a value of another kind (text in a number field is unreadable to a number rule).
 */
export function dominantKind(stats: FieldStats, total: FoldCounts): { kind: ValueKind | null; unknown: FoldCounts; unreadable: number } {
  const kinds = Object.entries(stats.kinds) as [ValueKind, FoldCounts][];
  let best: [ValueKind, FoldCounts] | null = null;
  for (const entry of kinds) if (leadsOf(entry[1]) > 0 && (!best || leadsOf(entry[1]) > leadsOf(best[1]))) best = entry;
  const unknown = [...total] as FoldCounts;
  let unreadable = 0;
  for (const [kind, counts] of kinds) {
    if (kind === best?.[0]) for (let i = 0; i < 4; i++) unknown[i]! -= counts[i]!;
    else unreadable += leadsOf(counts);
  }
  return { kind: best?.[0] ?? null, unknown, unreadable };
}

/**
 * Splitting text into words is most of the statistics' cost, and a quarter of a million leads pin down a
 * word's conversion rate as well as a million do: past that, words are counted on a hash sample of the
 * design leads (every other figure, and every rule tune builds from a word, still uses every lead).
 */
export const WORD_SAMPLE_LEADS = 250_000;
export const wordShareFor = (leads: number) => Math.min(1, WORD_SAMPLE_LEADS / Math.max(1, leads));

export interface HalfCounts {
  design: number;
  designConversions: number;
  test: number;
  testConversions: number;
  /** Leads without a known outcome: in neither half. */
  noOutcome: number;
}

/**
 * The statistics of the design half of `leads` (the test half is only counted). Each design lead is in
 * one of two folds by a hash of its id (salted apart from the split), for the out-of-sample checks.
 */
export function designStats(leads: Iterable<Lead>, split: SplitSpec, asOf: Date, { termShare = 1 }: { termShare?: number } = {}): { stats: LeadStats; counts: HalfCounts } {
  const half = splitter(split);
  const builder = new StatsBuilder(asOf, termShare);
  const counts: HalfCounts = { design: 0, designConversions: 0, test: 0, testConversions: 0, noOutcome: 0 };
  for (const lead of leads) {
    if (lead.converted === undefined) {
      counts.noOutcome++;
      continue;
    }
    if (half(lead) === 'test') {
      counts.test++;
      if (lead.converted) counts.testConversions++;
      continue;
    }
    counts.design++;
    if (lead.converted) counts.designConversions++;
    const words = termShare >= 1 || unitInterval(`words:${split.seed}:${lead.id}`) < termShare;
    builder.add(lead, lead.converted, unitInterval(`fold:${split.seed}:${lead.id}`) < 0.5 ? 0 : 1, words);
  }
  return { stats: builder.finish(), counts };
}
