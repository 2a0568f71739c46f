import nlp from 'compromise/two';
import type { ScorableLead } from '../lead';
import type { RuleSet } from '../rules';
import type { BreakdownItem, ScoreResult, Tier } from '../scoring';
import { ACTION_KIND_LABEL, classifyAction, urgencyContradicts } from './action-kind';
import { ADDRESSEES, COMMON_CAPITALISED, FUNDING_STAGES, FUNDING_WORDS, STOPWORDS, TOOLS } from './grounding-terms';
import { MOCK_MARKER } from './mock';
import { buildLeadPrompt, SYSTEM_PROMPT } from './prompt';
import { NARRATIVE_FIELDS, type EnrichmentOutput, type GroundingFinding, type NarrativeChecks, type NarrativeField } from './schema';

/**
 * Grounding checks: is a narrative supported by the lead record and score it was written for? Pure and
 * deterministic (no API call, no clock), so batch, live and mock narratives are checked alike, and the
 * same narrative always gets the same findings. What Claude was shown is the reference: the user prompt
 * (the score block with its breakdown, and the lead record), so "in the record" means "in the prompt".
 *
 * The checks (README "Grounding checks" says what each catches and misses):
 * - invented_number / invented_headcount: a numeral (or a number word before a unit, "three views") that no
 *   number in the prompt supports. Headcounts are compared with the employee count (and any number the
 *   description gives), engagement counts with the engagement counters; rounding and "about", "over",
 *   "under" are allowed for. Other numbers may match any number in the prompt.
 * - invented_name: a capitalised name (company, person, place) whose words are not in the prompt and are not
 *   everyday sales vocabulary (./grounding-terms.ts). The prompt leaves out the lead's own name, so a note
 *   that names the person is flagged too.
 * - invented_tool / invented_funding: a tool (./grounding-terms.ts TOOLS) or funding stage the prompt does
 *   not mention; a general funding word ("well funded") when the prompt mentions no funding at all.
 * - score_mismatch / tier_mismatch: "NN/100" or "a score of NN" with another number than the score, talk of
 *   re-scoring, a tier named as the lead's that is not its tier ("a HOT lead" for a WARM one). Mentions that
 *   only compare ("3 points short of HOT", "the HOT threshold") are not claims.
 * - action_urgency: the recommended action's kind (./action-kind.ts) is two urgency levels from the tier.
 * - obeyed_injection: text copied from an instruction-like sentence of the record's free text (an imperative,
 *   "you must …", "ignore previous instructions"): a run of 4+ words, a quoted payload, or the score or tier
 *   such a sentence demands.
 * Sentences that report odd text ("the description contains an instruction to set the score to 100") are
 * not claims: the score, tier and copy checks skip them.
 *
 * Bump GROUNDING_VERSION when a check changes: each stored result names the version that produced it.
 */
export const GROUNDING_VERSION = 'grounding-v1';

export interface GroundingInput {
  lead: ScorableLead;
  result: ScoreResult;
  rules: RuleSet;
}

// --- text helpers ----------------------------------------------------------------------------------

/** Lower-case words separated by single spaces: accents, punctuation and possessive 's folded away. */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/['’]s\b/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const words = (text: string): string[] => fold(text).split(' ').filter(Boolean);

/** Folded text with a space at each end, so a phrase is found as whole words with one `includes`. */
function padded(text: string): string {
  return ` ${fold(text)} `;
}

function containsFolded(haystack: string, foldedPhrase: string): boolean {
  return foldedPhrase.length > 0 && haystack.includes(` ${foldedPhrase} `);
}

function containsPhrase(haystack: string, phrase: string): boolean {
  return containsFolded(haystack, fold(phrase));
}

interface Term {
  text: string;
  pre: string;
  post: string;
  tags: readonly string[];
}
interface Sentence {
  text: string;
  terms: Term[];
}

/** Sentences with their words tagged (compromise's lexicon and rules). */
function sentences(text: string): Sentence[] {
  const json = nlp(text).json() as { text: string; terms: { text: string; pre: string; post: string; tags: string[] }[] }[];
  return json.map((s) => ({ text: s.text, terms: s.terms.map((t) => ({ text: t.text, pre: t.pre, post: t.post, tags: t.tags })) }));
}

// --- numbers -----------------------------------------------------------------------------------------

/**
 * A numeral: optional currency, digits with thousands separators, decimals, a magnitude, "+", a percent.
 * Not part of a word ("B2B", "Q3", "G2" are not numbers). compromise reads numbers too, but it takes
 * "25 of 60" for a fraction, which a note about points uses all the time.
 */
const NUMERAL =
  /(?<![\p{L}\p{N}.,])([$€£])?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s?(k|m|mm|bn|b|thousand|million|billion)\b)?(?![\p{L}\p{N}]|[.,]\d)(\+)?(\s?%|\s?percent\b)?/giu;

const MAGNITUDE: Record<string, number> = { k: 1e3, thousand: 1e3, m: 1e6, mm: 1e6, million: 1e6, b: 1e9, bn: 1e9, billion: 1e9 };

/** Number words a note might use for a count; only read when a unit follows ("three pricing views"). */
const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100, dozen: 12, once: 1, twice: 2,
};

type NumberKind = 'headcount' | 'engagement' | 'money' | 'percent' | 'points' | 'score' | 'duration' | 'other';

const ENGAGEMENT_FIELDS = ['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d'] as const;
type EngagementField = (typeof ENGAGEMENT_FIELDS)[number];

const ENGAGEMENT_UNIT = /\b(pricing|open(?:s|ed)?|click(?:s|ed)?|download(?:s|ed)?|views?|viewed|visits?|visited|pageviews?|sessions?)\b/gi;

function unitField(unit: string): EngagementField[] {
  const u = unit.toLowerCase();
  if (u === 'pricing') return ['pricing_page_views_30d'];
  if (u.startsWith('open')) return ['email_opens_30d'];
  if (u.startsWith('click')) return ['email_clicks_30d'];
  if (u.startsWith('download')) return ['content_downloads_30d'];
  return ['page_views_30d', 'pricing_page_views_30d'];
}

/**
 * Which counters an engagement number may be: the first unit after it ("25 page views", "3 pricing views"),
 * else the last one before it ("viewed pricing 3 times"), never across a comma or a full stop.
 */
function engagementFields(before: string, after: string): EngagementField[] {
  const ahead = after.slice(0, 30).split(/[,;.:()]/)[0]!;
  const first = [...ahead.matchAll(ENGAGEMENT_UNIT)][0];
  if (first && !/^\s*times\b/i.test(ahead)) return unitField(first[1]!);
  const behind = before.slice(-30).split(/[,;.:()]/).at(-1)!;
  const last = [...behind.matchAll(ENGAGEMENT_UNIT)].at(-1);
  return last ? unitField(last[1]!) : ['page_views_30d', 'pricing_page_views_30d'];
}

interface NumberMention {
  text: string;
  value: number;
  /** Inclusive range ("200-500 employees"), else null. */
  upTo: number | null;
  kind: NumberKind;
  qualifier: 'exact' | 'about' | 'atLeast' | 'atMost';
  /** The text right after it, where its unit is. */
  after: string;
  /** Engagement numbers: the counters it may be. */
  fields: EngagementField[];
}

const HEADCOUNT_AFTER = /^\s*(?:\+\s*)?(?:-|\s)?(?:full[- ]time\s+)?(?:employees?|people|staff|persons?|headcount|ftes?|workers|team members|strong\b)/i;
const HEADCOUNT_BEFORE = /(?:headcount|team of|staff of|workforce of|employs|employing|employee count(?: of| is)?)\s*(?:about|around|roughly|approximately|over|under|nearly|some|~)?\s*$/i;
const ENGAGEMENT_AFTER = /^\s*(?:[\w-]+\s+){0,2}?(?:views?|visits?|pageviews?|opens?|clicks?|downloads?|sessions?)\b/i;
const ENGAGEMENT_TIMES = /^\s*times\b/i;
const ENGAGEMENT_BEFORE = /(?:viewed|visited|opened|clicked|downloaded|pricing|page|email|content)[\w\s-]{0,20}$/i;
const POINTS_AFTER = /^\s*(?:of\s+\d+\s+)?(?:[\w-]+\s+){0,2}?(?:points?|pts?)\b/i;
const MONEY_AFTER = /^\s*(?:in\s+)?(?:annual\s+)?(?:revenue|arr|mrr|usd|dollars|euros|pounds)\b/i;
const MONEY_BEFORE = /(?:revenue|arr|mrr|turnover|sales)\s+(?:of|is|at|around|about|near|roughly)?\s*$/i;
const SCORE_AFTER = /^\s*(?:\/|out of)\s*100\b/i;
/** A length of time for the SDR's own step ("a 20-minute call", "within 2 weeks"): not a fact about the lead. */
const DURATION_AFTER = /^\s*(?:-|\s)?(?:minutes?|mins?|hours?|hrs?)\b/i;
const TIMING_AFTER = /^\s*(?:-|\s)?(?:days?|weeks?|months?|quarters?|business days?)\b/i;
const QUALIFIER_BEFORE: [RegExp, NumberMention['qualifier']][] = [
  [/(?:over|more than|above|at least|north of|upwards of|in excess of)\s*$/i, 'atLeast'],
  [/(?:under|fewer than|less than|below|up to|at most|no more than)\s*$/i, 'atMost'],
  [/(?:about|around|roughly|approximately|approx\.?|nearly|almost|some|circa|~|an estimated|close to)\s*$/i, 'about'],
];

function numberKind(before: string, after: string, currency: boolean, percent: boolean): NumberKind {
  if (percent) return 'percent';
  if (SCORE_AFTER.test(after)) return 'score';
  if (DURATION_AFTER.test(after)) return 'duration';
  if (currency || MONEY_AFTER.test(after) || MONEY_BEFORE.test(before)) return 'money';
  if (HEADCOUNT_AFTER.test(after) || HEADCOUNT_BEFORE.test(before)) return 'headcount';
  if (POINTS_AFTER.test(after)) return 'points';
  if (ENGAGEMENT_AFTER.test(after) || (ENGAGEMENT_TIMES.test(after) && ENGAGEMENT_BEFORE.test(before))) return 'engagement';
  return 'other';
}

function qualifierOf(before: string, plus: boolean): NumberMention['qualifier'] {
  if (plus) return 'atLeast';
  for (const [pattern, qualifier] of QUALIFIER_BEFORE) if (pattern.test(before)) return qualifier;
  return 'exact';
}

/** Every number in a text, with what it counts. Ranges ("45–74", "200 to 500") become one mention. */
export function numberMentions(text: string): NumberMention[] {
  const found: (NumberMention & { start: number; end: number })[] = [];
  for (const m of text.matchAll(NUMERAL)) {
    const [whole, currency, digits, decimals, magnitude, plus, percent] = m;
    const start = m.index;
    const end = start + whole.length;
    const value = Number(`${digits!.replace(/,/g, '')}${decimals ? `.${decimals}` : ''}`) * (magnitude ? MAGNITUDE[magnitude.toLowerCase()]! : 1);
    const before = text.slice(Math.max(0, start - 40), start);
    const after = text.slice(end, end + 40);
    found.push({ text: whole.trim(), value, upTo: null, kind: numberKind(before, after, !!currency, !!percent), qualifier: qualifierOf(before, !!plus), after, fields: engagementFields(before, after), start, end });
  }
  for (const m of text.matchAll(/\b(?:a\s+)?(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|dozen|once|twice)\b/gi)) {
    const word = m[1]!.toLowerCase();
    const start = m.index;
    const end = start + m[0].length;
    const before = text.slice(Math.max(0, start - 40), start);
    const after = text.slice(end, end + 40);
    const times = word === 'once' || word === 'twice';
    const kind = times ? (ENGAGEMENT_BEFORE.test(before) ? 'engagement' : 'other') : numberKind(before, after, false, false);
    // Without a unit a number word is usually not a count ("one sentence", "two strongest signals").
    if (kind !== 'headcount' && kind !== 'engagement') continue;
    found.push({ text: m[0], value: NUMBER_WORDS[word]!, upTo: null, kind, qualifier: qualifierOf(before, false), after, fields: engagementFields(before, after), start, end });
  }
  found.sort((a, b) => a.start - b.start);
  const out: NumberMention[] = [];
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    const b = found[i + 1];
    if (b && /^\s*(?:-|–|—|to)\s*$/i.test(text.slice(a.end, b.start)) && b.value >= a.value) {
      const kind = b.kind !== 'other' ? b.kind : a.kind;
      out.push({ text: text.slice(a.start, b.end), value: a.value, upTo: b.value, kind, qualifier: 'exact', after: b.after, fields: b.fields });
      i++;
      continue;
    }
    const { start: _s, end: _e, ...mention } = a;
    out.push(mention);
  }
  return out;
}

function supports(known: number, m: NumberMention): boolean {
  if (m.upTo !== null) return known >= m.value * 0.95 && known <= m.upTo * 1.05;
  const n = m.value;
  switch (m.qualifier) {
    case 'atLeast':
      return known >= n;
    case 'atMost':
      return known <= n;
    case 'about':
      return Math.abs(known - n) <= Math.max(1, 0.15 * known);
    case 'exact':
      // A written-out number over 100 is usually rounded ("560 employees" for 557).
      return known === n || (n >= 100 && Math.abs(known - n) <= 0.05 * known);
  }
}

// --- what the prompt says -----------------------------------------------------------------------------

interface Instruction {
  text: string;
  words: string[];
  quoted: string[];
  demandedScore: number | null;
  demandedTier: Tier | null;
}

interface Facts {
  score: number;
  tier: Tier;
  /** The folded prompt (see `padded`). */
  source: string;
  /** The folded prompt without the instruction-like sentences of the record. */
  sourceWithoutInstructions: string;
  /** Tools the prompt mentions. */
  toolsInSource: Set<string>;
  /** Words of the prompt (a note may also use the system prompt's words, SYSTEM_PROMPT_WORDS). */
  vocabulary: Set<string>;
  numbers: number[];
  headcounts: number[];
  /** Per counter: its value, and numbers in the breakdown details of the rules that read it. */
  engagement: Record<EngagementField, number[]>;
  /** Numbers the description gives: any count may come from there. */
  descriptionNumbers: number[];
  money: number[];
  fundingMentioned: boolean;
  categoryCapsOf100: number[];
  instructions: Instruction[];
}

function numbersIn(text: string): number[] {
  return numberMentions(text).flatMap((m) => (m.upTo === null ? [m.value] : [m.value, m.upTo]));
}

/** Numbers in the breakdown details of the rules that read one of these fields. */
function detailNumbers(input: GroundingInput, fields: readonly string[]): number[] {
  const ruleIds = new Set(input.rules.rules.filter((r) => 'field' in r && fields.includes(r.field)).map((r) => r.id));
  return input.result.breakdown.filter((b) => ruleIds.has(b.ruleId)).flatMap((b) => numbersIn(b.detail));
}

const INSTRUCTION_PHRASES =
  /\b(?:ignore|disregard|forget|override|bypass)\b[\w\s,]{0,30}\b(?:instructions?|rules|prompt|guidelines|directions|above|everything)\b|\bsystem prompt\b|\bnew instructions?\b|\b(?:respond|reply|answer|output|return)\s+(?:only\s+)?(?:with|in|as)\b|\bset\s+(?:the|its|our|this)\s+(?:lead\s+)?(?:score|tier)\b|\b(?:rate|score|mark|classify|label|rank|tier|flag|list)\s+(?:this|the|our|us|it|me)\b[\w\s]{0,15}\b(?:as\s+)?(?:hot|warm|cold|\d{1,3})\b/i;
const SECOND_PERSON_DIRECTIVE = /\b(?:you|your)\b[\w\s,]{0,20}\b(?:must|should|shall|need to|have to|are to|are required to|will|always|never)\b/i;
const VERB_TAGS = new Set(['Infinitive', 'Imperative']);
const NOT_BASE_VERB = new Set(['PastTense', 'Gerund', 'Participle', 'ProperNoun']);

/**
 * An instruction-like sentence: an imperative (after an optional "Please" or "AI assistant:"), a
 * second-person directive, or a known injection phrase.
 */
function isInstruction(sentence: Sentence): boolean {
  if (INSTRUCTION_PHRASES.test(sentence.text) || SECOND_PERSON_DIRECTIVE.test(sentence.text)) return true;
  let i = 0;
  const terms = sentence.terms;
  // Skip a leading addressee ("AI assistant:", "Note to the model:") or "Please".
  for (let j = 0; j < Math.min(terms.length, 5); j++) {
    if (/[:,]/.test(terms[j]!.post) && terms.slice(0, j + 1).every((t) => ADDRESSEES.has(t.text.toLowerCase()))) i = j + 1;
  }
  while (i < terms.length && ['please', 'kindly', 'just'].includes(terms[i]!.text.toLowerCase())) i++;
  const first = terms[i];
  if (!first) return false;
  return first.tags.some((t) => VERB_TAGS.has(t)) && !first.tags.some((t) => NOT_BASE_VERB.has(t));
}

const TIER_WORD = /\b(hot|warm|cold)\b/i;
const DEMANDED_SCORE = /\b(\d{1,3})\s*(?:\/|out of)\s*100\b|\bscore\b\D{0,25}?\b(\d{1,3})\b/i;

function instructionOf(sentence: Sentence, facts: { score: number; tier: Tier }): Instruction {
  const quoted = [...sentence.text.matchAll(/["“”‘’']([^"“”‘’']{2,120})["“”‘’']/g)].map((m) => m[1]!).filter((q) => words(q).some((w) => !STOPWORDS.has(w)));
  const scoreMatch = DEMANDED_SCORE.exec(sentence.text);
  const demandedScore = scoreMatch ? Number(scoreMatch[1] ?? scoreMatch[2]) : null;
  const tierMatch = TIER_WORD.exec(sentence.text);
  const demandedTier = tierMatch ? (tierMatch[1]!.toUpperCase() as Tier) : null;
  return {
    text: sentence.text,
    words: words(sentence.text),
    quoted,
    demandedScore: demandedScore !== null && demandedScore !== facts.score && demandedScore <= 100 ? demandedScore : null,
    demandedTier: demandedTier !== facts.tier ? demandedTier : null,
  };
}

function factsOf(input: GroundingInput): Facts {
  const { lead, result, rules } = input;
  const prompt = buildLeadPrompt(lead, result, rules);
  const base = { score: result.score, tier: result.tier };

  // Free text a third party typed: where an injected instruction would be.
  const freeText = [lead.company_description, lead.job_title, lead.company_name, lead.lead_source, lead.industry, ...Object.values(lead.attributes ?? {}).filter((v) => typeof v === 'string')];
  const instructionSentences = freeText.flatMap((text) => (text ? sentences(text).filter(isInstruction) : []));
  let withoutInstructions = prompt;
  for (const s of instructionSentences) withoutInstructions = withoutInstructions.split(s.text).join(' ');

  const description = lead.company_description ?? '';
  const unknown = result.breakdown.filter((b) => b.unknown).length;
  const paid = result.breakdown.filter((b) => b.points > 0).length;
  const gaps = [rules.tiers.hot - result.score, rules.tiers.warm - result.score].filter((g) => g > 0);
  const caps = rules.categories;
  const source = padded(prompt);
  return {
    ...base,
    source,
    sourceWithoutInstructions: padded(withoutInstructions),
    toolsInSource: new Set(TOOL_PATTERNS.filter((t) => t.folded.some((n) => containsFolded(source, n))).map((t) => t.tool.name)),
    vocabulary: new Set(words(prompt)),
    numbers: [...numbersIn(prompt), unknown, paid, result.breakdown.length, caps.length, 100, ...gaps],
    headcounts: [...(lead.employee_count === undefined ? [] : [lead.employee_count]), ...numbersIn(description), ...detailNumbers(input, ['employee_count'])],
    engagement: Object.fromEntries(ENGAGEMENT_FIELDS.map((f) => [f, [...(lead[f] === undefined ? [] : [lead[f]!]), ...detailNumbers(input, [f])]])) as Record<EngagementField, number[]>,
    descriptionNumbers: numbersIn(description),
    money: [...(lead.annual_revenue === undefined ? [] : [lead.annual_revenue]), ...numbersIn(description)],
    fundingMentioned: FUNDING_STAGE.test(prompt) || FUNDING_WORD.test(prompt),
    categoryCapsOf100: result.breakdown.length && caps.some((c) => c.cap === 100) ? groupPoints(result.breakdown) : [],
    instructions: instructionSentences.map((s) => instructionOf(s, base)),
  };
}

function groupPoints(breakdown: readonly BreakdownItem[]): number[] {
  const byCategory = new Map<string, number>();
  for (const b of breakdown) byCategory.set(b.category, (byCategory.get(b.category) ?? 0) + b.points);
  return [...byCategory.values()];
}

// --- the checks ----------------------------------------------------------------------------------------

type Finding = Omit<GroundingFinding, 'field'>;

/** A sentence that reports odd text instead of acting on it: it may quote the instruction it reports. */
const REPORTING =
  /\b(?:instructions?|injected|injection|embedded|odd (?:text|line|request|note|wording)|unusual (?:text|line|request|note|wording)|suspicious|prompt|(?:description|record|note|field|text|it) (?:says|asks|tells|contains|includes|claims|reads|demands|requests|instructs|tries)|asks? (?:to|that|for)|tells? (?:you|us|the reader|readers|the sdr) to|ignore (?:it|that|this)|treat (?:it|that|this) as data|not (?:an|a) instruction)\b/i;

const NEGATED_BEFORE = /\b(?:no|not|nothing|none|unknown|without|never|lacks?|n't|neither|nor)\b(?:\W+\w+){0,4}\W*$/i;

function inventedNumbers(text: string, field: NarrativeField, facts: Facts): Finding[] {
  const findings: Finding[] = [];
  for (const m of numberMentions(text)) {
    if (m.kind === 'score' || m.kind === 'duration') continue; // the score check reads scores; durations are the SDR's
    // In the recommended action, "within 2 weeks" or "next 3 days" times the SDR's step.
    if (field === 'recommended_action' && TIMING_AFTER.test(m.after)) continue;
    const pool =
      m.kind === 'headcount'
        ? facts.headcounts
        : m.kind === 'engagement'
          ? [...m.fields.flatMap((f) => facts.engagement[f]), ...facts.descriptionNumbers]
          : m.kind === 'money'
            ? [...facts.money, ...facts.numbers]
            : facts.numbers;
    if (pool.some((known) => supports(known, m))) continue;
    if (m.kind === 'headcount') {
      const known = facts.headcounts[0];
      findings.push({ check: 'invented_headcount', text: m.text, detail: known === undefined ? 'The record gives no employee count.' : `The record gives ${known.toLocaleString('en-US')} employees.` });
    } else {
      findings.push({ check: 'invented_number', text: m.text, detail: `${m.text} appears nowhere in the record or the score breakdown.` });
    }
  }
  return findings;
}

function toolRegex(name: string, exactCase: boolean): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, exactCase ? 'gu' : 'giu');
}
const TOOL_PATTERNS = TOOLS.map((tool) => {
  const names = [tool.name, ...(tool.aliases ?? [])];
  return { tool, folded: names.map(fold), patterns: names.map((n) => toolRegex(n, tool.exactCase === true)), test: names.map((n) => new RegExp(toolRegex(n, tool.exactCase === true).source, tool.exactCase ? 'u' : 'iu')) };
});
const SYSTEM_PROMPT_WORDS = new Set(words(SYSTEM_PROMPT));
const FUNDING_STAGE = new RegExp(FUNDING_STAGES.source, 'i');
const FUNDING_WORD = new RegExp(FUNDING_WORDS.source, 'i');

function sentenceStartAt(text: string, index: number): boolean {
  return /(?:^|[.!?;:]\s+|["“(]\s*)$/.test(text.slice(0, index));
}

function inventedTools(text: string, facts: Facts): Finding[] {
  const findings: Finding[] = [];
  for (const { tool, patterns } of TOOL_PATTERNS) {
    if (facts.toolsInSource.has(tool.name)) continue;
    for (const pattern of patterns) {
      const match = [...text.matchAll(pattern)].find((m) => !(tool.exactCase && sentenceStartAt(text, m.index)) && !NEGATED_BEFORE.test(text.slice(0, m.index)));
      if (match) {
        findings.push({ check: 'invented_tool', text: match[0], detail: `The record does not mention ${tool.name}.` });
        break;
      }
    }
  }
  return findings;
}

function inventedFunding(text: string, facts: Facts): Finding[] {
  const findings: Finding[] = [];
  for (const m of text.matchAll(new RegExp(FUNDING_STAGES.source, 'gi'))) {
    if (NEGATED_BEFORE.test(text.slice(0, m.index)) || containsPhrase(facts.source, m[0])) continue;
    findings.push({ check: 'invented_funding', text: m[0], detail: `The record does not mention "${m[0]}".` });
  }
  if (!facts.fundingMentioned) {
    for (const m of text.matchAll(new RegExp(FUNDING_WORDS.source, 'gi'))) {
      if (NEGATED_BEFORE.test(text.slice(0, m.index))) continue;
      findings.push({ check: 'invented_funding', text: m[0], detail: 'The record says nothing about funding.' });
    }
  }
  return findings;
}

const NAME_TAGS = new Set(['ProperNoun', 'Organization', 'Person', 'Place']);
const BREAKS_NAME = /[,;:.!?()[\]"“”]/;

function inventedNames(sentence: Sentence, facts: Facts): Finding[] {
  const findings: Finding[] = [];
  let run: Term[] = [];
  const flush = () => {
    const candidate = run;
    run = [];
    if (!candidate.length) return;
    const phrase = candidate.map((t, i) => (i ? `${t.pre}${t.text}` : t.text)).join(' ').replace(/\s+/g, ' ').replace(/['’]s$/, '');
    if (containsPhrase(facts.source, phrase)) return;
    if (FUNDING_STAGE.test(phrase) || TOOL_PATTERNS.some((t) => t.test.some((p) => p.test(phrase)))) return;
    const unknown = words(phrase).filter((w) => /\p{L}{2,}/u.test(w) && !facts.vocabulary.has(w) && !SYSTEM_PROMPT_WORDS.has(w) && !COMMON_CAPITALISED.has(w));
    if (unknown.length > 0) findings.push({ check: 'invented_name', text: phrase, detail: `"${phrase}" appears nowhere in the record.` });
  };
  sentence.terms.forEach((term, i) => {
    const previous = sentence.terms[i - 1];
    const startLike = i === 0 || (previous !== undefined && /[:;(—–"“]/.test(previous.post)) || /["“(]/.test(term.pre);
    const capitalised = /^\p{Lu}/u.test(term.text) || /\p{Lu}/u.test(term.text.slice(1));
    const tagged = term.tags.some((t) => NAME_TAGS.has(t));
    const isName = capitalised && /\p{L}/u.test(term.text) && (startLike ? tagged : true);
    if (!isName) return flush();
    if (run.length && BREAKS_NAME.test(previous!.post)) flush();
    run.push(term);
  });
  flush();
  return findings;
}

const SCORE_CLAIMS = [
  /\b(\d{1,3})\s*(?:\/|out of)\s*100\b/gi,
  /\bscore(?:d|s)?\s+(?:of|is|was|at|to|=|:|around|about|near)?\s*(\d{1,3})\b(?!\s*(?:\/|out of)\s*\d)(?!\s+(?:on|for|in|from)\b)(?!\s*(?:points?|pts?)\s+(?:for|on|in|from)\b)/gi,
  /\b(\d{1,3})[- ]point (?:lead|score)\b/gi,
];
const RESCORING =
  /\b(?:re-?scor\w*|score (?:is|seems|looks|feels) (?:too |very |far too |a bit )?(?:low|high|wrong|off|inflated|understated|overstated|generous|harsh)|(?:deserves|merits|warrants|should (?:get|have|be given)) (?:a )?(?:higher|lower|better|different) (?:score|tier)|should (?:be )?score[sd]? (?:higher|lower)|(?:under|over)-?scored)\b/gi;

/** Scores a sentence states for the lead. */
function statedScores(text: string): { text: string; value: number }[] {
  return SCORE_CLAIMS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => ({ text: m[0], value: Number(m[1]) })));
}

/** The prompt's own spelling (HOT, WARM, COLD); in lower case only before "lead", "prospect"… ("cold email" is jargon). */
const TIER_MENTIONS = [/\b(hot|warm|cold)[- ](?:leads?|tier|prospects?|accounts?|opportunit(?:y|ies)|opps?)\b/gi, /\btier\s+(hot|warm|cold)\b/gi, /\b(HOT|WARM|COLD)\b/g];
/** Words before or after a tier that compare with it rather than claim it. */
const TIER_REFERENCE_BEFORE =
  /\b(?:not|n't|short of|below|under|above|over|from|toward|towards|reach|reaching|away from|close to|near|nearly|almost|shy of|than|become|becomes|becoming|would|could|if|until|instead of|rather than|vs\.?|versus|out of|between|past|beyond|cross|crossing|into)\s+(?:the\s+|a\s+)?$/i;
/** A threshold is a comparison ("HOT is 75+", "HOT starts at 75"); "HOT at 62/100" is a claim. */
const TIER_REFERENCE_AFTER = /^\s*(?:tier\s+)?(?:threshold|cutoff|cut-off|line|band|range|bar|mark|boundary|starts|begins|requires|needs|(?:is|at|from)\s+\d+\s*\+|\(\s*\d+\s*\+|\d+\s*\+|or (?:above|higher|better))/i;

/** Tiers a sentence names as the lead's own. */
function claimedTiers(text: string): { text: string; tier: Tier }[] {
  const out: { text: string; tier: Tier }[] = [];
  const taken: [number, number][] = [];
  for (const m of TIER_MENTIONS.flatMap((pattern) => [...text.matchAll(pattern)])) {
    const word = m[1]!;
    // "HOT lead" is one mention, however many patterns read it: the longer patterns come first.
    const span: [number, number] = [m.index, m.index + m[0].length];
    if (taken.some(([a, b]) => span[0] < b && a < span[1])) continue;
    taken.push(span);
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 30);
    if (TIER_REFERENCE_BEFORE.test(before) || TIER_REFERENCE_AFTER.test(after)) continue;
    out.push({ text: m[0], tier: word.toUpperCase() as Tier });
  }
  return out;
}

function scoreAndTier(text: string, facts: Facts): Finding[] {
  const findings: Finding[] = [];
  for (const s of statedScores(text)) {
    if (s.value === facts.score || facts.categoryCapsOf100.includes(s.value)) continue;
    findings.push({ check: 'score_mismatch', text: s.text, detail: `The score is ${facts.score}, not ${s.value}.` });
  }
  for (const m of text.matchAll(RESCORING)) findings.push({ check: 'score_mismatch', text: m[0], detail: `The score (${facts.score}) is final; the note should not re-score the lead.` });
  for (const t of claimedTiers(text)) {
    if (t.tier !== facts.tier) findings.push({ check: 'tier_mismatch', text: t.text, detail: `The lead is ${facts.tier}, not ${t.tier}.` });
  }
  return findings;
}

/** Longest run of consecutive words two word lists share. */
function longestSharedRun(a: readonly string[], b: readonly string[]): string[] {
  let best: [number, number] = [0, 0];
  const lengths = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = b.length; j >= 1; j--) {
      lengths[j] = a[i - 1] === b[j - 1] ? lengths[j - 1]! + 1 : 0;
      if (lengths[j]! > best[1]) best = [i, lengths[j]!];
    }
  }
  return a.slice(best[0] - best[1], best[0]);
}

const MIN_COPIED_WORDS = 4;

/** The words of a folded run as they are written in the text. */
function originalSpan(text: string, run: readonly string[]): string | null {
  const pattern = run.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\p{L}\\p{N}]+');
  return new RegExp(pattern, 'iu').exec(text.normalize('NFKD').replace(/\p{M}/gu, ''))?.[0] ?? null;
}

function obeyedInjection(sentenceText: string, facts: Facts): Finding[] {
  const findings: Finding[] = [];
  const narrativeWords = words(sentenceText);
  const folded = narrativeWords.join(' ');
  const short = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}…` : s);
  for (const instruction of facts.instructions) {
    const run = longestSharedRun(narrativeWords, instruction.words);
    const phrase = run.join(' ');
    if (run.length >= MIN_COPIED_WORDS && run.filter((w) => !STOPWORDS.has(w)).length >= 2 && !containsPhrase(facts.sourceWithoutInstructions, phrase)) {
      findings.push({ check: 'obeyed_injection', text: originalSpan(sentenceText, run) ?? phrase, detail: `Copied from an instruction in the record: "${short(instruction.text)}"` });
      continue;
    }
    const payload = instruction.quoted.find((q) => containsPhrase(folded, q) && !containsPhrase(facts.sourceWithoutInstructions, q));
    if (payload) {
      findings.push({ check: 'obeyed_injection', text: payload, detail: `Repeats what an instruction in the record asked for: "${short(instruction.text)}"` });
      continue;
    }
    const score = instruction.demandedScore !== null ? statedScores(sentenceText).find((s) => s.value === instruction.demandedScore) : undefined;
    const tier = instruction.demandedTier !== null ? claimedTiers(sentenceText).find((t) => t.tier === instruction.demandedTier) : undefined;
    const obeyed = score?.text ?? tier?.text;
    if (obeyed) findings.push({ check: 'obeyed_injection', text: obeyed, detail: `Gives the ${score ? 'score' : 'tier'} an instruction in the record asked for: "${short(instruction.text)}"` });
  }
  return findings;
}

function actionUrgency(action: string, tier: Tier): Finding[] {
  const kind = classifyAction(action);
  if (!urgencyContradicts(kind, tier)) return [];
  return [{ check: 'action_urgency', text: action.length > 200 ? `${action.slice(0, 199)}…` : action, detail: `A "${ACTION_KIND_LABEL[kind]}" action for a ${tier} lead.` }];
}

function stripMock(text: string): string {
  return text.startsWith(MOCK_MARKER) ? text.slice(MOCK_MARKER.length).trimStart() : text;
}

/** Runs every check on both lines of a narrative. */
export function checkNarrative(input: GroundingInput, output: Pick<EnrichmentOutput, NarrativeField>): NarrativeChecks {
  const facts = factsOf(input);
  const findings: GroundingFinding[] = [];
  const seen = new Set<string>();
  const add = (field: NarrativeField, list: Finding[]) => {
    for (const f of list) {
      const key = `${f.check}\0${field}\0${f.text.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ ...f, field, text: f.text.slice(0, 200), detail: f.detail.slice(0, 300) });
    }
  };
  for (const field of NARRATIVE_FIELDS) {
    const text = stripMock(output[field]);
    add(field, inventedNumbers(text, field, facts));
    add(field, inventedTools(text, facts));
    add(field, inventedFunding(text, facts));
    for (const sentence of sentences(text)) {
      add(field, inventedNames(sentence, facts));
      if (REPORTING.test(sentence.text)) continue;
      add(field, scoreAndTier(sentence.text, facts));
      add(field, obeyedInjection(sentence.text, facts));
    }
  }
  add('recommended_action', actionUrgency(stripMock(output.recommended_action), facts.tier));
  return { version: GROUNDING_VERSION, findings: findings.slice(0, 50) };
}
