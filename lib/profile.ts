import { probit } from 'simple-statistics';
import { wilsonInterval, type Interval } from './backtest';
import { fieldName } from './rules-doc';
import { bandLabel, cutsAt, equalFrequencyEnds } from './tune/bands';
import { conversionsOf, dominantKind, leadsOf, zeroCounts, addCounts, type FieldStats, type FoldCounts, type LeadStats } from './tune/stats';

/**
 * The field profile: for every field of the leads, how conversion varies with its value — the pivot an
 * analyst would otherwise build by hand. Pure: it reads `LeadStats` (lib/tune/stats.ts), computed on the
 * design half only. Every field's type is inferred from its values, so it works on columns it has never
 * seen: boolean, number, date (as days before the as-of date), category (few distinct values) or text
 * (many: also its words and two-word phrases).
 *
 * Weight of evidence of a bucket: ln(share of all converters in it / share of all non-converters in it),
 * > 0 when the bucket converts better than average. An empty cell would make it infinite, so 0.5 is added
 * to both counts of every bucket (the Haldane–Anscombe correction). Information value: Σ (converter share −
 * non-converter share) · WoE over the field's buckets, unknown included — a field's strength in one
 * number (< 0.02 none, 0.02–0.1 weak, 0.1–0.3 medium, 0.3–0.5 strong; above 0.5 too good to be true:
 * check that the field is not written after the outcome).
 */

export type FieldType = 'boolean' | 'number' | 'date' | 'category' | 'text';
export type Strength = 'none' | 'weak' | 'medium' | 'strong' | 'suspicious';

export interface BucketStats {
  label: string;
  kind: 'value' | 'other' | 'band' | 'unknown' | 'yes' | 'no';
  /** The value (normalised as category rules match it) of a `value` bucket; how many values `other` holds. */
  value?: string;
  otherValues?: number;
  leads: number;
  conversions: number;
  /** Share of the field's leads (unknown included). */
  share: number;
  rate: number | null;
  ci: Interval;
  lift: number | null;
  woe: number;
}

export interface KeywordStats {
  term: string;
  /** Leads whose text holds the term, and their conversions. */
  leads: number;
  conversions: number;
  rate: number;
  ci: Interval;
  /** Conversion of the field's other leads (text without the term, or no text). */
  rateWithout: number;
  lift: number | null;
  /** Two-proportion z statistic, with vs without. */
  z: number;
}

export interface FieldProfile {
  field: string;
  /** As people read it: `attributes.plan` → "plan". */
  name: string;
  /** null: no lead has the field. */
  type: FieldType | null;
  leads: number;
  known: number;
  coverage: number;
  /** Values of another kind than the field's (text in a number field): unknown to the rules, counted there. */
  unreadable: number;
  buckets: BucketStats[];
  iv: number;
  strength: Strength;
  /** Text fields: words and phrases whose presence lifts or lowers conversion (significant after counting every term tried). */
  keywords?: { lifting: KeywordStats[]; lowering: KeywordStats[]; tested: number; minLeads: number };
  /** Where a figure is approximate or a choice was made (rounding past a cap, values dropped). */
  notes: string[];
}

export interface Profile {
  half: 'design';
  leads: number;
  conversions: number;
  baseRate: number | null;
  baseCi: Interval;
  asOf: string;
  /** Ranked by information value, strongest first; fields no lead has come last. */
  fields: FieldProfile[];
}

export interface ProfileOptions {
  /** Target number of data-chosen bands for numbers and dates. */
  bands?: number;
  /** A band holds at least this share of the field's known leads; a listed category value half of it. */
  minShare?: number;
  /** Category values listed before the rest become "other" (text fields list half as many). */
  topValues?: number;
  /** A word or phrase is tested when at least this share of the field's texts hold it (and at least 10). */
  minTermShare?: number;
  /** Words listed per direction. */
  topTerms?: number;
}

const DEFAULTS: Required<ProfileOptions> = { bands: 10, minShare: 0.02, topValues: 20, minTermShare: 0.01, topTerms: 15 };

/** Fewest leads in a listed value or a band, however small the data: fewer would show noise as signal. */
const MIN_BUCKET_LEADS = 5;
/** Below this many design leads, rates and IV move by chance and the profile says so. */
export const SMALL_PROFILE = 2_000;

/** Category when its distinct values are few, or the most common ones cover nearly all leads; text otherwise. */
const CATEGORY_MAX_VALUES = 30;
const CATEGORY_COVERAGE = 0.9;

/** Smoothed weight of evidence per bucket and the information value they add up to (see the module comment). */
export function weightOfEvidence(buckets: readonly { leads: number; conversions: number }[]): { woe: number[]; iv: number } {
  const k = buckets.length;
  const converters = buckets.reduce((s, b) => s + b.conversions, 0);
  const others = buckets.reduce((s, b) => s + b.leads - b.conversions, 0);
  let iv = 0;
  const woe = buckets.map((b) => {
    const good = (b.conversions + 0.5) / (converters + 0.5 * k);
    const bad = (b.leads - b.conversions + 0.5) / (others + 0.5 * k);
    const w = Math.log(good / bad);
    iv += (good - bad) * w;
    return w;
  });
  return { woe, iv };
}

export function strengthOf(iv: number): Strength {
  return iv < 0.02 ? 'none' : iv < 0.1 ? 'weak' : iv < 0.3 ? 'medium' : iv <= 0.5 ? 'strong' : 'suspicious';
}

/** A field's type from its values: the dominant kind, text split into category and free text. */
export function fieldType(stats: FieldStats, total: FoldCounts): FieldType | null {
  const { kind } = dominantKind(stats, total);
  if (kind !== 'text') return kind;
  const counts = [...stats.values.map.values()].map(leadsOf).sort((a, b) => b - a);
  if (counts.length <= CATEGORY_MAX_VALUES) return 'category';
  const known = leadsOf(stats.kinds.text);
  const top = counts.slice(0, CATEGORY_MAX_VALUES).reduce((a, b) => a + b, 0);
  return top >= CATEGORY_COVERAGE * known ? 'category' : 'text';
}

/** Rate, interval, lift and WoE for raw buckets (fold counts); the unknown bucket is among them. */
export function describeBuckets(raw: readonly { label: string; kind: BucketStats['kind']; counts: FoldCounts; value?: string; otherValues?: number }[], baseRate: number | null): BucketStats[] {
  const rows = raw.map((b) => ({ leads: leadsOf(b.counts), conversions: conversionsOf(b.counts) }));
  const { woe } = weightOfEvidence(rows);
  const total = rows.reduce((s, r) => s + r.leads, 0);
  return raw.map((b, i) => {
    const { leads, conversions } = rows[i]!;
    const rate = leads === 0 ? null : conversions / leads;
    return {
      label: b.label,
      kind: b.kind,
      ...(b.value !== undefined ? { value: b.value } : {}),
      ...(b.otherValues !== undefined ? { otherValues: b.otherValues } : {}),
      leads,
      conversions,
      share: total === 0 ? 0 : leads / total,
      rate,
      ci: wilsonInterval(conversions, leads),
      lift: rate === null || !baseRate ? null : rate / baseRate,
      woe: woe[i]!,
    };
  });
}

/** Sorted distinct numbers with their counts, from a count table. */
export function sortedValues(table: Map<number, FoldCounts>): { values: number[]; counts: FoldCounts[] } {
  const entries = [...table.entries()].sort((a, b) => a[0] - b[0]);
  return { values: entries.map((e) => e[0]), counts: entries.map((e) => e[1]) };
}

export function profileLeads(stats: LeadStats, options: ProfileOptions = {}): Profile {
  const o = { ...DEFAULTS, ...options };
  const n = leadsOf(stats.total);
  const conversions = conversionsOf(stats.total);
  const baseRate = n === 0 ? null : conversions / n;
  const fields = [...stats.fields.values()].map((f) => profileField(f, stats, baseRate, o));
  fields.sort((a, b) => Number(a.type === null) - Number(b.type === null) || b.iv - a.iv || a.field.localeCompare(b.field));
  return { half: 'design', leads: n, conversions, baseRate, baseCi: wilsonInterval(conversions, n), asOf: stats.asOf.toISOString(), fields };
}

function profileField(stats: FieldStats, all: LeadStats, baseRate: number | null, o: Required<ProfileOptions>): FieldProfile {
  const { total } = all;
  const type = fieldType(stats, total);
  const { unknown, unreadable } = dominantKind(stats, total);
  const leads = leadsOf(total);
  const known = leads - leadsOf(unknown);
  const notes: string[] = [];
  const raw = type === null ? [] : knownBuckets(stats, type, known, o, notes);
  if (leadsOf(unknown) > 0) raw.push({ label: 'unknown', kind: 'unknown', counts: unknown });
  const buckets = describeBuckets(raw, baseRate);
  const { iv } = weightOfEvidence(buckets);
  const profile: FieldProfile = {
    field: stats.field,
    name: fieldName(stats.field),
    type,
    leads,
    known,
    coverage: leads === 0 ? 0 : known / leads,
    unreadable,
    buckets,
    iv: buckets.length > 1 ? iv : 0,
    strength: strengthOf(buckets.length > 1 ? iv : 0),
    notes,
  };
  if (type === 'text') {
    profile.keywords = keywordProfile(stats, all.termTotal, o);
    if (stats.terms.undercount > 0) {
      notes.push(`more distinct words than can be kept: the rarest were dropped as they came, so a kept word's count may be short by up to ${stats.terms.undercount.toLocaleString('en-US')} leads`);
    }
    if (all.termShare < 1) notes.push(`words counted on a hash sample of ${leadsOf(all.termTotal).toLocaleString('en-US')} design leads (every other figure uses all of them)`);
    // A text field's values are mostly unique, so its strength is that of its strongest word or phrase.
    const sampled = leadsOf(all.termTotal);
    const sampledConversions = conversionsOf(all.termTotal);
    const strongest = [...profile.keywords.lifting, ...profile.keywords.lowering]
      .map((k) => ({ k, iv: weightOfEvidence([{ leads: k.leads, conversions: k.conversions }, { leads: sampled - k.leads, conversions: sampledConversions - k.conversions }]).iv }))
      .sort((a, b) => b.iv - a.iv)[0];
    if (strongest && strongest.iv > profile.iv) {
      profile.iv = strongest.iv;
      profile.strength = strengthOf(strongest.iv);
      notes.push(`information value of its strongest word or phrase, "${strongest.k.term}" (with vs without)`);
    }
  }
  if (unreadable > 0) notes.push(`${unreadable.toLocaleString('en-US')} value(s) of another kind count as unknown, as the rules read them`);
  return profile;
}

type RawBucket = Parameters<typeof describeBuckets>[0][number];

function knownBuckets(stats: FieldStats, type: FieldType, known: number, o: Required<ProfileOptions>, notes: string[]): RawBucket[] {
  if (type === 'boolean') return [{ label: 'yes', kind: 'yes', counts: stats.yes }, { label: 'no', kind: 'no', counts: stats.no }];
  if (type === 'number' || type === 'date') {
    const table = type === 'number' ? stats.numbers.map : stats.ages.map;
    const whole = type === 'date' || stats.wholeNumbers;
    if (type === 'number' && stats.numbersRounded) notes.push('more distinct numbers than can be kept: values were rounded up to 3 significant digits');
    return bands(table, whole, known, o, type === 'date' ? 'days' : '');
  }
  const values = [...stats.values.map.entries()].sort((a, b) => leadsOf(b[1]) - leadsOf(a[1]) || (a[0] < b[0] ? -1 : 1));
  const limit = type === 'text' ? o.topValues / 2 : o.topValues;
  const listed = values.filter(([, c], i) => i < limit && leadsOf(c) >= Math.max(MIN_BUCKET_LEADS, (o.minShare * known) / 2));
  const other = zeroCounts();
  for (const [, counts] of values.slice(listed.length)) addCounts(other, counts);
  // Values a full table dropped are still known leads: they are "other" too.
  const dropped = subtract(stats.kinds.text, values.reduce((acc, [, c]) => addCounts(acc, c), zeroCounts()));
  if (leadsOf(dropped) > 0) {
    notes.push(`more distinct values than can be kept: the rarest (${leadsOf(dropped).toLocaleString('en-US')} leads) count as other`);
    addCounts(other, dropped);
  }
  const buckets: RawBucket[] = listed.map(([key, counts]) => ({ label: stats.spellings.get(key) ?? key, kind: 'value', value: key, counts }));
  if (leadsOf(other) > 0) buckets.push({ label: 'other', kind: 'other', counts: other, otherValues: values.length - listed.length });
  return buckets;
}

function subtract(a: FoldCounts, b: FoldCounts): FoldCounts {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]];
}

function bands(table: Map<number, FoldCounts>, whole: boolean, known: number, o: Required<ProfileOptions>, unit: string): RawBucket[] {
  const { values, counts } = sortedValues(table);
  if (values.length === 0) return [];
  const ends = equalFrequencyEnds({ values, leads: counts.map(leadsOf) }, o.bands, Math.max(MIN_BUCKET_LEADS, o.minShare * known));
  const cuts = cutsAt(ends, values, whole);
  const range = { min: values[0]!, max: values.at(-1)! };
  const buckets: RawBucket[] = [];
  let start = 0;
  [...ends, values.length - 1].forEach((end, b) => {
    const sum = zeroCounts();
    for (let i = start; i <= end; i++) addCounts(sum, counts[i]!);
    buckets.push({ label: bandLabel(cuts, b, whole, range, unit), kind: 'band', counts: sum });
    start = end + 1;
  });
  return buckets;
}

/** Two-proportion z statistic (pooled), with vs without. */
export function twoProportionZ(c1: number, n1: number, c2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 0;
  const p = (c1 + c2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  return se === 0 ? 0 : (c1 / n1 - c2 / n2) / se;
}

/**
 * Words and phrases with support, tested with vs without; significant when |z| passes a Bonferroni bound
 * for every term tried (two-sided 5%), so a long vocabulary does not throw up chance words. Terms that hold
 * exactly the same leads (the words of one set phrase) are listed once, by the simplest of them.
 */
export function testTerms(stats: FieldStats, total: FoldCounts, minTermShare: number): { tested: KeywordStats[]; minLeads: number; bound: number } {
  const texts = stats.termTexts;
  const minLeads = Math.max(10, Math.ceil(minTermShare * texts));
  const n = leadsOf(total);
  const c = conversionsOf(total);
  const candidates = [...stats.terms.map.entries()].filter(([, counts]) => leadsOf(counts) >= minLeads && n - leadsOf(counts) > 0);
  const byCounts = new Map<string, [string, FoldCounts]>();
  for (const entry of candidates) {
    const key = entry[1].join(',');
    const seen = byCounts.get(key);
    if (!seen || simpler(entry[0], seen[0])) byCounts.set(key, entry);
  }
  const bound = probit(1 - 0.025 / Math.max(1, candidates.length));
  const tested = [...byCounts.values()].map(([term, counts]): KeywordStats => {
    const leads = leadsOf(counts);
    const conversions = conversionsOf(counts);
    const rateWithout = (c - conversions) / (n - leads);
    return {
      term,
      leads,
      conversions,
      rate: conversions / leads,
      ci: wilsonInterval(conversions, leads),
      rateWithout,
      lift: c === 0 ? null : conversions / leads / (c / n),
      z: twoProportionZ(conversions, leads, c - conversions, n - leads),
    };
  });
  tested.sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || (a.term < b.term ? -1 : 1));
  return { tested, minLeads, bound };
}

/** Of terms holding the same leads, the one with fewer words, then the longer (a word, not "a"), then the first alphabetically. */
function simpler(a: string, b: string): boolean {
  const wa = a.split(' ').length;
  const wb = b.split(' ').length;
  if (wa !== wb) return wa < wb;
  return a.length !== b.length ? a.length > b.length : a < b;
}

function keywordProfile(stats: FieldStats, total: FoldCounts, o: Required<ProfileOptions>): NonNullable<FieldProfile['keywords']> {
  const { tested, minLeads, bound } = testTerms(stats, total, o.minTermShare);
  const significant = tested.filter((t) => Math.abs(t.z) >= bound);
  return {
    lifting: significant.filter((t) => t.z > 0).slice(0, o.topTerms),
    lowering: significant.filter((t) => t.z < 0).slice(0, o.topTerms),
    tested: tested.length,
    minLeads,
  };
}

// ---------------------------------------------------------------------------------------------
// Plain-text profile (npm run profile)
// ---------------------------------------------------------------------------------------------

const DASH = '—';
const pct = (x: number | null) => (x === null ? DASH : `${(100 * x).toFixed(1)}%`);
const count = (n: number) => n.toLocaleString('en-US');
const BAR = 20;

function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** The profile as terminal text: one block per field (strongest first), a bar per value scaled to the field's best rate. */
export function formatProfile(profile: Profile, meta: { source: string; split: string }): string {
  const out = [
    `Field profile of ${meta.source} — design half only (split ${meta.split})`,
    `Design half: ${count(profile.leads)} leads, ${count(profile.conversions)} conversions, base rate ${pct(profile.baseRate)} (95% CI ${pct(profile.baseCi.low)}–${pct(profile.baseCi.high)}); ${Date.parse(profile.asOf) === 0 ? 'no field holds a date' : `dates as days before ${profile.asOf.slice(0, 10)}`}`,
    'Fields ranked by information value (IV: < 0.02 none, 0.02–0.1 weak, 0.1–0.3 medium, 0.3–0.5 strong, > 0.5 suspicious — check it is not written after the outcome).',
  ];
  if (profile.leads < SMALL_PROFILE) out.push(`Small sample: with ${count(profile.leads)} design leads, rates move by chance and IV runs high; read the intervals.`);
  const empty = profile.fields.filter((f) => f.type === null);
  for (const field of profile.fields.filter((f) => f.type !== null)) {
    out.push('', `${field.field} — ${field.type}, coverage ${pct(field.coverage)}, IV ${field.iv.toFixed(3)} (${field.strength})`);
    const best = Math.max(...field.buckets.map((b) => b.rate ?? 0), 1e-9);
    out.push(
      ...textTable(
        ['Value', 'Leads', 'Conv', 'Rate', '95% CI', 'Lift', 'WoE', ''],
        field.buckets.map((b) => [
          b.kind === 'other' ? `other (${count(b.otherValues ?? 0)} values)` : b.label,
          count(b.leads),
          count(b.conversions),
          pct(b.rate),
          `${pct(b.ci.low)}–${pct(b.ci.high)}`,
          b.lift === null ? DASH : `${b.lift.toFixed(2)}×`,
          `${b.woe >= 0 ? '+' : ''}${b.woe.toFixed(2)}`,
          '█'.repeat(Math.round(((b.rate ?? 0) / best) * BAR)),
        ]),
      ).map((l) => `  ${l}`),
    );
    if (field.keywords) {
      const { lifting, lowering, tested, minLeads } = field.keywords;
      out.push(`  Words and phrases (${count(tested)} with ≥ ${count(minLeads)} leads tested; significant after counting every one tried):`);
      if (lifting.length + lowering.length === 0) out.push('    none');
      for (const [title, list] of [['lift', lifting], ['lower', lowering]] as const) {
        if (list.length === 0) continue;
        out.push(
          ...textTable(
            [`Presence ${title}s`, 'Leads', 'Conv', 'Rate', '95% CI', 'Without', 'Lift'],
            list.map((k) => [`"${k.term}"`, count(k.leads), count(k.conversions), pct(k.rate), `${pct(k.ci.low)}–${pct(k.ci.high)}`, pct(k.rateWithout), k.lift === null ? DASH : `${k.lift.toFixed(2)}×`]),
          ).map((l) => `    ${l}`),
        );
      }
    }
    for (const note of field.notes) out.push(`  Note: ${note}`);
  }
  if (empty.length > 0) out.push('', `No lead has: ${empty.map((f) => f.field).join(', ')}`);
  return `${out.join('\n')}\n`;
}
