import type { ScorableLead } from './lead';
import type { Rule, RuleKind } from './rules';

/**
 * One documented example per rule kind (and per option a reviewer must recognise), scored against an
 * example lead in the README's generated "Rule kinds" section, so the docs show exactly what the engine
 * prints. tests/readme.test.ts fails when a kind has no example here.
 */
export interface RuleKindExample {
  kind: RuleKind;
  summary: string;
  rule: Rule;
  /** Leads whose breakdown lines the README shows for this rule. */
  leads: ScorableLead[];
}

const base = { category: 'fit', why: 'Example.' } as const;

export const RULE_KIND_EXAMPLES: RuleKindExample[] = [
  {
    kind: 'category_map',
    summary: 'Listed values (matched ignoring case and spacing) earn their points; any other known value earns `otherwise`. `unknownPoints` (every single-field kind has it) pays when the field is missing.',
    rule: { ...base, id: 'lead_source', label: 'Lead source', kind: 'category_map', field: 'lead_source', points: { 'demo form': 12, referral: 9 }, otherwise: 2, unknownPoints: 5 },
    leads: [{ id: 'a', lead_source: 'Referral' }, { id: 'b', lead_source: 'Trade show' }, { id: 'c' }],
  },
  {
    kind: 'numeric_bands',
    summary: 'The first listed band whose inclusive `min`–`max` holds the number wins; `otherwise` (default 0) pays outside every band. A gap between bands is a validation error; bands may touch (`max: 10`, then `min: 10`), and on whole-number fields (contract counters, or `"wholeNumbers": true`) step by one (`max: 10`, then `min: 11`).',
    rule: {
      ...base,
      id: 'time_on_site',
      label: 'Time on site (minutes)',
      kind: 'numeric_bands',
      field: 'attributes.time_on_site',
      bands: [
        { label: '0–2 min', min: 0, max: 2, points: 0 },
        { label: '2–10 min', min: 2, max: 10, points: 6 },
        { label: '10–60 min', min: 10, max: 60, points: 10 },
      ],
      otherwise: 3,
    },
    leads: [{ id: 'a', attributes: { time_on_site: 2 } }, { id: 'b', attributes: { time_on_site: 95 } }],
  },
  {
    kind: 'keyword_tiers',
    summary: 'Text is matched against each tier\'s patterns (case-insensitive RE2 syntax, punctuation folded to spaces); the first tier that matches and is not excluded wins, else `otherwise`. Patterns run in linear time: lookaround and backreferences are refused at load.',
    rule: {
      ...base,
      id: 'seniority',
      label: 'Seniority',
      kind: 'keyword_tiers',
      field: 'job_title',
      tiers: [
        { label: 'Executive', points: 10, patterns: ['\\bchief\\b', '\\bpresident\\b'], exclude: ['\\bvice president\\b'] },
        { label: 'VP', points: 8, patterns: ['\\bvice president\\b', '\\bvp\\b'] },
      ],
      otherwise: { label: 'Other', points: 2 },
    },
    leads: [{ id: 'a', job_title: 'Vice-President, Sales' }, { id: 'b', job_title: 'Analyst' }],
  },
  {
    kind: 'counter',
    summary: '`pointsPer` each (rounded down), capped at `cap`.',
    rule: { ...base, id: 'pricing_views', label: 'Pricing page views', kind: 'counter', field: 'pricing_page_views_30d', unit: 'view', pointsPer: 5, cap: 15 },
    leads: [{ id: 'a', pricing_page_views_30d: 2 }, { id: 'b', pricing_page_views_30d: 9 }],
  },
  {
    kind: 'boolean_flag',
    summary: 'Yes earns `points`; no earns `noPoints` (default 0), and the breakdown says "no" when that is what paid.',
    rule: { ...base, id: 'accepts_email', label: 'Accepts email', kind: 'boolean_flag', field: 'attributes.accepts_email', points: 0, noPoints: 6 },
    leads: [{ id: 'a', attributes: { accepts_email: false } }, { id: 'b', attributes: { accepts_email: true } }],
  },
  {
    kind: 'recency',
    summary: 'Age in whole days before the as-of date: the first band with age ≤ `withinDays` wins; older earns `otherwise` (default 0).',
    rule: { ...base, id: 'recent_activity', label: 'Recent activity', kind: 'recency', field: 'last_activity_at', bands: [{ withinDays: 7, points: 10 }, { withinDays: 30, points: 5 }] },
    leads: [{ id: 'a', last_activity_at: '2026-11-28T00:00:00.000Z' }],
  },
  {
    kind: 'combination',
    summary: 'Points when every condition (two to four) holds at once. A condition tests one field with `in` (listed values), `op` (`>`, `>=`, `<`, `<=`) and `value`, `is` (`yes`, `no`, `known`, `unknown`) or `matches` (patterns). A missing field fails every test but `is: "unknown"`.',
    rule: {
      ...base,
      id: 'engaged_form_lead',
      label: 'Form lead who stayed',
      kind: 'combination',
      conditions: [
        { field: 'lead_source', in: ['demo form'] },
        { field: 'attributes.time_on_site', op: '>', value: 0 },
      ],
      points: 8,
    },
    leads: [
      { id: 'a', lead_source: 'Demo form', attributes: { time_on_site: 4 } },
      { id: 'b', lead_source: 'Demo form' },
    ],
  },
];

/** The as-of date the examples are scored at. */
export const RULE_KIND_EXAMPLES_AS_OF = new Date('2026-12-01T00:00:00.000Z');
