/**
 * Seeded synthetic CRM leads with a hidden conversion outcome.
 *
 * The outcome comes from this module's own latent model, written independently of the scoring
 * rules (this file must never import lib/scoring.ts or lib/rules.ts): a backtest is only honest
 * if the data was not shaped to flatter the rules. `LATENT_MODEL_DESCRIPTION` (generated from the
 * same constants the generator uses, so it cannot drift) documents the model for the README.
 *
 * Determinism: no Math.random and no clock. Names and company words come from a Faker instance
 * seeded with `seed`; every other draw comes from a separate sfc32 stream derived from `seed`, so a
 * Faker upgrade that changes how many draws a name consumes cannot reshuffle outcomes.
 */
import { Faker, base, en, generateMersenne53Randomizer } from '@faker-js/faker';

/** Fixed reference date: all generated dates lie before it, so output never depends on the clock. */
export const AS_OF = '2026-11-01T00:00:00.000Z';

/** Flat snake_case record as a CRM export would hold it. Only `id` is guaranteed present. */
export interface RawLead {
  id: string;
  created_at?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  job_title?: string;
  company_name?: string;
  company_domain?: string;
  industry?: string;
  employee_count?: number;
  annual_revenue?: number;
  country?: string;
  company_description?: string;
  lead_source?: string;
  email_opens_30d?: number;
  email_clicks_30d?: number;
  page_views_30d?: number;
  pricing_page_views_30d?: number;
  content_downloads_30d?: number;
  webinar_attended?: boolean;
  demo_requested?: boolean;
  last_activity_at?: string;
  /** Hidden outcome: what the backtest scores against. */
  converted?: boolean;
}

export interface GenerateOptions {
  count: number;
  seed: number;
  /** Called with the number of leads made so far, after each one (a progress line); never changes the output. */
  onProgress?: (done: number) => void;
}

const AS_OF_MS = Date.parse(AS_OF);
const DAY_MS = 86_400_000;
const CREATED_WINDOW_DAYS = 180;
const ACTIVITY_WINDOW_DAYS = 120;

// ---------------------------------------------------------------------------------------------
// Latent model constants (single source of truth for both the generator and its documentation)
// ---------------------------------------------------------------------------------------------

/** Calibrated by simulation (200,000 leads) so the expected base conversion rate is ~12%. */
const INTERCEPT = -3.24;
/** Direct effect of latent intent u ~ N(0,1); u also drives engagement, so it is partly observable. */
const INTENT_COEF = 0.5;
/** Sd of the idiosyncratic gaussian noise added to the logit. */
const NOISE_SD = 0.7;
const DEMO_COEF = 0.9;
/** Applied to ln(1 + pricing page views in the last 30 days). */
const PRICING_COEF = 0.35;

interface IndustryGroup {
  key: string;
  weight: number;
  fit: number;
  /** How descriptions name the business, so a description can reveal a missing industry. */
  noun: string;
  spellings: readonly string[];
}

const INDUSTRIES: readonly IndustryGroup[] = [
  { key: 'software', weight: 20, fit: 0.6, noun: 'software', spellings: ['Software', 'SaaS', 'Computer Software', 'software ', 'B2B SaaS', 'saas', 'Software Development'] },
  { key: 'financial', weight: 9, fit: 0.4, noun: 'financial services', spellings: ['Financial Services', 'Fintech', 'FinTech', 'financial services', 'Banking'] },
  { key: 'it_services', weight: 9, fit: 0.3, noun: 'IT services', spellings: ['IT Services', 'Information Technology & Services', 'IT services and IT consulting', 'Information Technology'] },
  { key: 'marketing', weight: 8, fit: 0.2, noun: 'marketing', spellings: ['Marketing & Advertising', 'Marketing and Advertising', 'Advertising', 'marketing'] },
  { key: 'consulting', weight: 7, fit: 0.0, noun: 'consulting', spellings: ['Consulting', 'Management Consulting', 'consulting '] },
  { key: 'healthcare', weight: 8, fit: -0.1, noun: 'healthcare', spellings: ['Healthcare', 'Health Care', 'Hospital & Health Care', 'healthcare'] },
  { key: 'manufacturing', weight: 8, fit: -0.3, noun: 'manufacturing', spellings: ['Manufacturing', 'manufacturing', 'Industrial Automation', 'MANUFACTURING'] },
  { key: 'retail', weight: 6, fit: -0.2, noun: 'retail', spellings: ['Retail', 'E-commerce', 'Ecommerce', 'eCommerce', 'Consumer Goods'] },
  { key: 'real_estate', weight: 4, fit: -0.4, noun: 'real estate', spellings: ['Real Estate', 'Commercial Real Estate', 'real estate'] },
  { key: 'education', weight: 6, fit: -0.7, noun: 'education', spellings: ['Education', 'Higher Education', 'E-Learning', 'education'] },
  { key: 'nonprofit', weight: 4, fit: -0.9, noun: 'non-profit', spellings: ['Non-profit', 'Nonprofit', 'Non-Profit Organization Management', 'NGO'] },
  { key: 'government', weight: 3, fit: -0.8, noun: 'public sector', spellings: ['Government', 'Government Administration', 'Public Sector'] },
  { key: 'other', weight: 8, fit: -0.3, noun: 'services', spellings: ['Logistics', 'Hospitality', 'Media', 'Telecommunications', 'Legal Services', 'Construction', 'Other'] },
];

interface SeniorityLevel {
  key: string;
  weight: number;
  coef: number;
  titles: readonly string[];
}

const SENIORITY: readonly SeniorityLevel[] = [
  { key: 'executive', weight: 10, coef: 0.5, titles: ['CEO', 'Co-Founder & CEO', 'Founder', 'co-founder', 'Founder/CEO', 'CRO', 'Chief Revenue Officer', 'COO', 'CMO', 'Chief Marketing Officer', 'President'] },
  { key: 'vp', weight: 10, coef: 0.7, titles: ['VP Sales', 'VP of Sales', 'vp, revenue operations', 'VP Marketing', 'Vice President, Sales', 'SVP Revenue', 'VP Growth', 'VP Customer Success'] },
  { key: 'director', weight: 14, coef: 0.5, titles: ['Sr. Dir. RevOps', 'Director of Demand Gen', 'Director of Sales', 'Head of Growth', 'Head of Sales', 'Director, Revenue Operations', 'Head of RevOps', 'Sales Director', 'Dir. Marketing Ops'] },
  // "Chief of Staff" sits here on purpose: it contains "Chief" but is not a buying executive.
  { key: 'manager', weight: 22, coef: 0.1, titles: ['Marketing Manager', 'Sales Manager', 'RevOps Manager', 'Demand Generation Manager', 'Sales Ops Manager', 'Growth Manager', 'Chief of Staff'] },
  { key: 'individual', weight: 28, coef: -0.1, titles: ['SDR', 'BDR', 'Account Executive', 'Revenue Operations Analyst', 'Marketing Specialist', 'Sales Ops Analyst', 'Sales Development Representative', 'Marketing Coordinator', 'Growth Marketer', 'Software Engineer', 'Data Analyst'] },
  { key: 'junior', weight: 8, coef: -1.3, titles: ['intern', 'Student', 'student', 'Marketing Intern', 'MBA Candidate', 'Research Assistant'] },
  { key: 'other', weight: 8, coef: -0.4, titles: ['Consultant', 'Owner', 'Freelancer', 'Recruiter', 'Teacher', 'Office Manager'] },
];

interface Band {
  label: string;
  /** Inclusive upper bound of the band. */
  max: number;
  coef: number;
}

/** Mid-market sweet spot: big enough to have a sales team, small enough to buy quickly. */
const SIZE_BANDS: readonly Band[] = [
  { label: '1–10', max: 10, coef: -0.7 },
  { label: '11–49', max: 49, coef: -0.1 },
  { label: '50–1,000', max: 1000, coef: 0.5 },
  { label: '1,001–5,000', max: 5000, coef: 0.1 },
  { label: '5,001+', max: Number.POSITIVE_INFINITY, coef: -0.4 },
];

const RECENCY_BANDS: readonly Band[] = [
  { label: '0–7 days', max: 7, coef: 0.4 },
  { label: '8–30 days', max: 30, coef: 0.1 },
  { label: '31–60 days', max: 60, coef: -0.2 },
  { label: '61+ days', max: Number.POSITIVE_INFINITY, coef: -0.5 },
];

export interface DescriptionSignal {
  key: string;
  /** Verbatim substring present in every description carrying this signal. */
  phrase: string;
  coef: number;
  /** Sentence templates; each receives the company name. */
  sentences: readonly ((company: string) => string)[];
}

/** Buying triggers: only the description carries them (independent of every other field). */
export const TRIGGERS: readonly DescriptionSignal[] = [
  { key: 'series_b', phrase: 'recently raised a Series B', coef: 1.2, sentences: [(s) => `${s} recently raised a Series B.`, (s) => `${s} recently raised a Series B and is scaling go-to-market.`] },
  { key: 'first_sdr_team', phrase: 'is hiring its first SDR team', coef: 1.0, sentences: [(s) => `${s} is hiring its first SDR team.`, () => 'The company is hiring its first SDR team this year.'] },
  { key: 'spreadsheets', phrase: 'is migrating off spreadsheets', coef: 0.9, sentences: [(s) => `${s} is migrating off spreadsheets.`, () => 'The sales team is migrating off spreadsheets for pipeline tracking.'] },
  { key: 'new_vp_sales', phrase: 'just appointed a new VP of Sales', coef: 1.0, sentences: [(s) => `${s} just appointed a new VP of Sales.`, () => 'The company just appointed a new VP of Sales.'] },
  { key: 'emea', phrase: 'is expanding into EMEA', coef: 0.7, sentences: [(s) => `${s} is expanding into EMEA.`, (s) => `${s} is expanding into EMEA next quarter.`] },
];

/** Red flags: carried by the description; junior titles draw the student-type flags. */
export const RED_FLAGS: readonly DescriptionSignal[] = [
  { key: 'student_project', phrase: 'a student project', coef: -2.2, sentences: [() => 'This is a student project.', () => 'Honestly just a student project for now.'] },
  { key: 'class_assignment', phrase: 'evaluating tools for a class assignment', coef: -2.2, sentences: [() => 'Currently evaluating tools for a class assignment.', () => 'We are evaluating tools for a class assignment.'] },
  { key: 'agency_reseller', phrase: 'an agency reselling tools to clients', coef: -1.2, sentences: [() => 'We are an agency reselling tools to clients.', (s) => `${s} is an agency reselling tools to clients.`] },
  { key: 'hiring_freeze', phrase: 'under a hiring freeze', coef: -1.0, sentences: [(s) => `${s} is currently under a hiring freeze.`, () => 'The team is under a hiring freeze until next year.'] },
  { key: 'layoffs', phrase: 'recently laid off 30% of staff', coef: -1.3, sentences: [(s) => `${s} recently laid off 30% of staff.`, () => 'The company recently laid off 30% of staff.'] },
];

const TRIGGER_RATE = 0.22;
const RED_FLAG_RATE = 0.08;
/** Junior titles (students, interns) draw red flags far more often, and only the student-type ones. */
const JUNIOR_RED_FLAG_RATE = 0.45;
const STUDENT_FLAGS = RED_FLAGS.filter((f) => f.key === 'student_project' || f.key === 'class_assignment');
const COMPANY_FLAGS = RED_FLAGS.filter((f) => f.key !== 'student_project' && f.key !== 'class_assignment');

/** Probability that a field is absent from the record (omitted, never null). */
const MISSING_RATES = {
  created_at: 0.01,
  first_name: 0.02,
  last_name: 0.03,
  email: 0.02,
  job_title: 0.08,
  company_name: 0.02,
  company_domain: 0.1,
  industry: 0.1,
  employee_count: 0.15,
  annual_revenue: 0.3,
  country: 0.05,
  company_description: 0.1,
  lead_source: 0.04,
  /** Opens and clicks vanish together: email tracking not set up for the lead. */
  email_counters: 0.05,
  /** Page views, pricing views and downloads vanish together: no web tracking cookie. */
  web_counters: 0.05,
  webinar_attended: 0.03,
  demo_requested: 0.02,
  last_activity_at: 0.05,
} as const;

/** Email security scanners "open" and "click" everything; their volume says nothing about intent. */
const SCANNER_RATE = 0.02;

// Engagement model: count ~ Poisson(exp(a + b·u + s·z)), z ~ N(0,1), zeroed when the lead has been
// inactive for more than 30 days (a 30-day counter cannot be non-zero after 30 quiet days).
const OPENS = { a: 1.7, b: 0.5, s: 1.1 };
const PAGE_VIEWS = { a: 1.0, b: 0.6, s: 1.0 };
const PRICING_VIEWS = { a: -1.3, b: 0.9, s: 0.7 };
const DOWNLOADS = { a: -1.2, b: 0.4, s: 0.7 };
/** Click-through per open: sigmoid(a + b·u). */
const CLICK_RATE = { a: -2.0, b: 0.5 };
const WEBINAR = { a: -1.7, b: 0.6 };
const DEMO = { a: -2.7, b: 1.2 };
/** Days since last activity ~ Exponential(mean = base · exp(b·u)), truncated: buyers are active more recently. */
const RECENCY = { base: 20, b: -0.6 };

const EMPLOYEES_LOG_MEDIAN = Math.log(60);
const EMPLOYEES_LOG_SD = 1.9;
const MAX_EMPLOYEES = 50_000;
const REVENUE_PER_EMPLOYEE_LOG_MEDIAN = Math.log(150_000);
const REVENUE_PER_EMPLOYEE_LOG_SD = 0.6;

const COUNTRIES = weighted([
  ['United States', 32], ['USA', 10], ['US', 5], ['United States of America', 3],
  ['United Kingdom', 6], ['UK', 3], ['Canada', 7], ['Germany', 6], ['India', 6], ['France', 4],
  ['Australia', 4], ['Netherlands', 3], ['Brazil', 3], ['Spain', 2], ['Singapore', 2], ['Ireland', 2],
  ['Mexico', 1], ['Sweden', 1],
]);

const LEAD_SOURCES = weighted([
  ['Organic Search', 14], ['organic', 3], ['Paid Search', 9], ['Google Ads', 3], ['LinkedIn Ads', 8],
  ['Webinar', 8], ['Content Download', 10], ['Referral', 7], ['Outbound', 12], ['Event', 6],
  ['Partner', 5], ['Product Signup', 8], ['Website', 4], ['Other', 3],
]);

const TLDS = weighted([['com', 70], ['io', 14], ['co', 6], ['ai', 5], ['net', 5]]);
const PERSONAL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com'] as const;
const PERSONAL_EMAIL_RATE = 0.12;
const AUDIENCES = [
  'mid-market B2B teams', 'enterprise retailers', 'regional banks', 'independent clinics',
  'SMB accountants', 'logistics operators', 'public school districts', 'global manufacturers',
  'fast-growing startups', 'field sales teams',
] as const;

const INDUSTRY_PICK = weighted(INDUSTRIES.map((g) => [g, g.weight] as const));
const SENIORITY_PICK = weighted(SENIORITY.map((s) => [s, s.weight] as const));

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

type Rng = () => number;

/** sfc32 (fast, 128-bit state) seeded through splitmix32 so nearby seeds give unrelated streams. */
function createRng(seed: number): Rng {
  let state = ((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x85ebca6b) ^ 0x5eed1ead) | 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let t = state ^ (state >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) | 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // sfc32 needs a few rounds to mix a weak initial state.
  for (let i = 0; i < 12; i++) next();
  return next;
}

function normal(rng: Rng): number {
  // 1 - u keeps the log argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function poisson(rng: Rng, lambda: number): number {
  if (lambda < 30) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng();
    while (p > limit) {
      k++;
      p *= rng();
    }
    return k;
  }
  // Normal approximation: exact sampling is O(lambda) and the tails here reach the thousands.
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rng)));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from empty list');
  return item;
}

function weighted<T>(entries: readonly (readonly [T, number])[]): (rng: Rng) => T {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let running = 0;
  const cumulative = entries.map(([item, w]) => ({ item, upTo: (running += w) / total }));
  return (rng) => {
    const u = rng();
    for (const c of cumulative) if (u < c.upTo) return c.item;
    const last = cumulative[cumulative.length - 1];
    if (last === undefined) throw new Error('weighted pick from empty list');
    return last.item;
  };
}

function bandCoef(bands: readonly Band[], value: number): number {
  for (const band of bands) if (value <= band.max) return band.coef;
  throw new Error(`no band for ${value}`);
}

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '');
}

function countFrom(rng: Rng, params: { a: number; b: number; s: number }, intent: number): number {
  return poisson(rng, Math.exp(params.a + params.b * intent + params.s * normal(rng)));
}

/** CRM users type titles in whatever case they like. */
function messyCase(rng: Rng, text: string): string {
  const u = rng();
  if (u < 0.04) return text.toLowerCase();
  if (u < 0.06) return text.toUpperCase();
  if (u < 0.08) return `${text} `;
  return text;
}

function isoDaysBefore(days: number): string {
  return new Date(AS_OF_MS - Math.round(days * DAY_MS)).toISOString();
}

export function generateLeads({ count, seed, onProgress }: GenerateOptions): RawLead[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  // Same stream as faker.seed(seed), but the default randomizer would first draw a throwaway
  // seed from Math.random, which the no-hidden-randomness test forbids.
  const faker = new Faker({ locale: [en, base], randomizer: generateMersenne53Randomizer(seed) });
  const rng = createRng(seed);
  const missing = (field: keyof typeof MISSING_RATES): boolean => rng() < MISSING_RATES[field];
  const idWidth = Math.max(6, String(count).length);
  const leads: RawLead[] = new Array(count);

  for (let i = 0; i < count; i++) {
    const intent = normal(rng);

    const industry = INDUSTRY_PICK(rng);
    const level = SENIORITY_PICK(rng);
    const title = messyCase(rng, pick(rng, level.titles));
    const employees = Math.min(MAX_EMPLOYEES, Math.max(1, Math.round(Math.exp(EMPLOYEES_LOG_MEDIAN + EMPLOYEES_LOG_SD * normal(rng)))));
    const revenue = Math.round((employees * Math.exp(REVENUE_PER_EMPLOYEE_LOG_MEDIAN + REVENUE_PER_EMPLOYEE_LOG_SD * normal(rng))) / 1000) * 1000;

    const createdDaysAgo = rng() * CREATED_WINDOW_DAYS;
    // Exponential truncated (by inverse CDF) to [0, cap]: activity cannot predate the lead nor fall
    // outside the tracked window, and truncating avoids a pile of leads at exactly the cap.
    const recencyMean = RECENCY.base * Math.exp(RECENCY.b * intent);
    const recencyCap = Math.min(createdDaysAgo, ACTIVITY_WINDOW_DAYS);
    const daysSinceActivity = -recencyMean * Math.log(1 - rng() * (1 - Math.exp(-recencyCap / recencyMean)));
    const activeLast30d = daysSinceActivity <= 30;

    let opens: number;
    let clicks: number;
    if (rng() < SCANNER_RATE) {
      opens = Math.round(Math.exp(Math.log(300) + 0.5 * normal(rng)));
      clicks = Math.round(opens * (0.3 + 0.6 * rng()));
    } else {
      opens = countFrom(rng, OPENS, intent);
      clicks = Math.min(opens, poisson(rng, opens * sigmoid(CLICK_RATE.a + CLICK_RATE.b * intent)));
    }
    let pageViews = countFrom(rng, PAGE_VIEWS, intent);
    let pricingViews = countFrom(rng, PRICING_VIEWS, intent);
    let downloads = countFrom(rng, DOWNLOADS, intent);
    if (!activeLast30d) {
      opens = 0;
      clicks = 0;
      pageViews = 0;
      pricingViews = 0;
      downloads = 0;
    }
    const webinar = rng() < sigmoid(WEBINAR.a + WEBINAR.b * intent);
    const demo = rng() < sigmoid(DEMO.a + DEMO.b * intent);

    const trigger = rng() < TRIGGER_RATE ? pick(rng, TRIGGERS) : undefined;
    const junior = level.key === 'junior';
    const redFlag = rng() < (junior ? JUNIOR_RED_FLAG_RATE : RED_FLAG_RATE) ? pick(rng, junior ? STUDENT_FLAGS : COMPANY_FLAGS) : undefined;

    const logit =
      INTERCEPT +
      industry.fit +
      bandCoef(SIZE_BANDS, employees) +
      level.coef +
      (demo ? DEMO_COEF : 0) +
      PRICING_COEF * Math.log1p(pricingViews) +
      bandCoef(RECENCY_BANDS, daysSinceActivity) +
      (trigger?.coef ?? 0) +
      (redFlag?.coef ?? 0) +
      INTENT_COEF * intent +
      NOISE_SD * normal(rng);
    const converted = rng() < sigmoid(logit);

    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const companyName = faker.company.name();
    const domain = `${slug(companyName) || 'company'}.${TLDS(rng)}`;
    const first = slug(firstName) || 'contact';
    const last = slug(lastName);
    const local = pick(rng, [`${first}.${last}`, `${first[0] ?? ''}${last}`, first, `${first}${last[0] ?? ''}`]);
    const emailDomain = rng() < PERSONAL_EMAIL_RATE ? pick(rng, PERSONAL_DOMAINS) : domain;
    // A few addresses were typed with a capital first letter; emails are case-insensitive in practice.
    const email = rng() < 0.03 ? `${local}@${emailDomain}`.replace(/^./, (c) => c.toUpperCase()) : `${local}@${emailDomain}`;

    const sentences = [describeCompany(faker, rng, companyName, industry)];
    if (trigger) sentences.push(pick(rng, trigger.sentences)(companyName));
    if (redFlag) sentences.push(pick(rng, redFlag.sentences)(companyName));
    if (sentences.length < 3 && rng() < 0.35) sentences.push(neutralSentence(faker, rng));

    // Field order mirrors the documented schema so the JSON file reads naturally.
    const lead: RawLead = { id: `lead_${String(i + 1).padStart(idWidth, '0')}` };
    if (!missing('created_at')) lead.created_at = isoDaysBefore(createdDaysAgo);
    if (!missing('first_name')) lead.first_name = firstName;
    if (!missing('last_name')) lead.last_name = lastName;
    if (!missing('email')) lead.email = email;
    if (!missing('job_title')) lead.job_title = title;
    if (!missing('company_name')) lead.company_name = companyName;
    if (!missing('company_domain')) lead.company_domain = domain;
    if (!missing('industry')) lead.industry = pick(rng, industry.spellings);
    if (!missing('employee_count')) lead.employee_count = employees;
    if (!missing('annual_revenue')) lead.annual_revenue = revenue;
    if (!missing('country')) lead.country = COUNTRIES(rng);
    if (!missing('company_description')) lead.company_description = sentences.join(' ');
    if (!missing('lead_source')) lead.lead_source = LEAD_SOURCES(rng);
    if (!missing('email_counters')) {
      lead.email_opens_30d = opens;
      lead.email_clicks_30d = clicks;
    }
    const webTracked = !missing('web_counters');
    if (webTracked) lead.page_views_30d = pageViews;
    if (webTracked) lead.pricing_page_views_30d = pricingViews;
    if (webTracked) lead.content_downloads_30d = downloads;
    if (!missing('webinar_attended')) lead.webinar_attended = webinar;
    if (!missing('demo_requested')) lead.demo_requested = demo;
    if (!missing('last_activity_at')) lead.last_activity_at = isoDaysBefore(daysSinceActivity);
    lead.converted = converted;
    leads[i] = lead;
    onProgress?.(i + 1);
  }
  return leads;
}

function describeCompany(faker: Faker, rng: Rng, name: string, industry: IndustryGroup): string {
  const adjective = faker.company.buzzAdjective();
  const noun = faker.company.buzzNoun();
  const audience = pick(rng, AUDIENCES);
  switch (Math.floor(rng() * 3)) {
    case 0:
      return `${name} is a ${industry.noun} company that helps ${audience} ${faker.company.buzzVerb()} ${adjective} ${noun}.`;
    case 1:
      return `${name} provides ${adjective} ${noun} for ${audience} in the ${industry.noun} space.`;
    default:
      return `Founded in ${1990 + Math.floor(rng() * 36)}, ${name} builds ${adjective} ${industry.noun} ${noun} for ${audience}.`;
  }
}

function neutralSentence(faker: Faker, rng: Rng): string {
  switch (Math.floor(rng() * 3)) {
    case 0:
      return `The team is based in ${faker.location.city()}.`;
    case 1:
      return `Their tagline: "${faker.company.catchPhrase()}".`;
    default:
      return `Customers include ${faker.company.name()}.`;
  }
}

/** Pretty-printed, newline-terminated JSON: the exact bytes of data/synthetic_leads.json. */
export function serializeLeads(leads: readonly RawLead[]): string {
  return [...serializedLeadChunks(leads)].join('');
}

/**
 * `serializeLeads` in pieces of a thousand leads, for files larger than one JS string can hold (a million
 * leads is some 840 MB): the same bytes as `JSON.stringify(leads, null, 2)` plus a newline.
 */
export function* serializedLeadChunks(leads: readonly RawLead[], perChunk = 1000): Generator<string> {
  if (leads.length === 0) {
    yield '[]\n';
    return;
  }
  for (let start = 0; start < leads.length; start += perChunk) {
    const end = Math.min(start + perChunk, leads.length);
    let chunk = start === 0 ? '[\n' : '';
    for (let i = start; i < end; i++) {
      chunk += `  ${JSON.stringify(leads[i], null, 2).replaceAll('\n', '\n  ')}${i === leads.length - 1 ? '\n]\n' : ',\n'}`;
    }
    yield chunk;
  }
}

// ---------------------------------------------------------------------------------------------
// Documentation (rendered from the constants above)
// ---------------------------------------------------------------------------------------------

const signed = (x: number): string => (x >= 0 ? `+${x.toFixed(2)}` : x.toFixed(2));

export const LATENT_MODEL_DESCRIPTION = [
  '### Synthetic data: latent conversion model',
  '',
  `Each lead draws a latent buying intent u ~ N(0, 1). Intent drives engagement (buyers open, click, visit pricing, attend webinars, request demos and act more recently), and the hidden outcome is`,
  '',
  '```',
  'converted ~ Bernoulli(sigmoid(η))',
  `η = ${INTERCEPT.toFixed(2)} + industry_fit + size_effect + seniority + ${DEMO_COEF.toFixed(2)}·demo_requested`,
  `    + ${PRICING_COEF.toFixed(2)}·ln(1 + pricing_page_views_30d) + recency_effect`,
  `    + trigger_effect + red_flag_effect + ${INTENT_COEF.toFixed(2)}·u + ε,   ε ~ N(0, ${NOISE_SD.toFixed(2)}²)`,
  '```',
  '',
  `The intercept (${INTERCEPT.toFixed(2)}) is calibrated so the base conversion rate is about 12%. The model is written independently of the scoring rules and was not tuned to make them look good. Effects use the TRUE values: when a CRM field is omitted (missing-at-random, see below), its effect on the outcome remains.`,
  '',
  '**Signals the rules can see** (when the field is present):',
  '',
  `- industry_fit (by canonical industry; recorded in varied spellings): ${INDUSTRIES.map((g) => `${g.key} ${signed(g.fit)}`).join(', ')}`,
  `- size_effect (employee_count ~ log-normal, median ${Math.round(Math.exp(EMPLOYEES_LOG_MEDIAN))}, σ_log ${EMPLOYEES_LOG_SD}, clamped to 1–${MAX_EMPLOYEES.toLocaleString('en-US')}): ${SIZE_BANDS.map((b) => `${b.label} ${signed(b.coef)}`).join(', ')}`,
  `- seniority (from the job title's level): ${SENIORITY.map((s) => `${s.key} ${signed(s.coef)}`).join(', ')} ("Chief of Staff" is a manager-level title)`,
  `- demo_requested ${signed(DEMO_COEF)}; pricing views ${signed(PRICING_COEF)} per unit of ln(1 + views)`,
  `- recency_effect (days since last activity): ${RECENCY_BANDS.map((b) => `${b.label} ${signed(b.coef)}`).join(', ')}`,
  '',
  '**Signals only the description carries** (at most one trigger and one red flag per lead):',
  '',
  `- triggers (${(TRIGGER_RATE * 100).toFixed(0)}% of leads, independent of all other fields): ${TRIGGERS.map((t) => `"${t.phrase}" ${signed(t.coef)}`).join(', ')}`,
  `- red flags (${(RED_FLAG_RATE * 100).toFixed(0)}% of non-junior leads, drawn from the company-type flags; ${(JUNIOR_RED_FLAG_RATE * 100).toFixed(0)}% of junior titles, drawn from the student-type flags): ${RED_FLAGS.map((t) => `"${t.phrase}" ${signed(t.coef)}`).join(', ')}`,
  '',
  '**Engagement** (coherent with intent, count ~ Poisson(exp(a + b·u + s·z)), z ~ N(0, 1); all 30-day counters are 0 when the last activity is older than 30 days):',
  '',
  `- email opens a=${OPENS.a}, b=${OPENS.b}, s=${OPENS.s}; clicks ~ Poisson(opens · sigmoid(${CLICK_RATE.a} + ${CLICK_RATE.b}·u)), capped at opens`,
  `- page views a=${PAGE_VIEWS.a}, b=${PAGE_VIEWS.b}, s=${PAGE_VIEWS.s}; pricing page views a=${PRICING_VIEWS.a}, b=${PRICING_VIEWS.b}, s=${PRICING_VIEWS.s}; content downloads a=${DOWNLOADS.a}, b=${DOWNLOADS.b}, s=${DOWNLOADS.s}`,
  `- webinar_attended ~ Bernoulli(sigmoid(${WEBINAR.a} + ${WEBINAR.b}·u)); demo_requested ~ Bernoulli(sigmoid(${DEMO.a} + ${DEMO.b}·u))`,
  `- days since last activity ~ Exponential(mean ${RECENCY.base}·exp(${RECENCY.b}·u)) truncated to [0, min(lead age, ${ACTIVITY_WINDOW_DAYS})]; created_at uniform over the ${CREATED_WINDOW_DAYS} days before ${AS_OF}`,
  `- ${(SCANNER_RATE * 100).toFixed(0)}% of leads sit behind an email security scanner: ~300 opens (log-normal) and 30–90% of them clicked, unrelated to intent`,
  '',
  `**Missing fields** (omitted, never null): ${Object.entries(MISSING_RATES).map(([k, r]) => `${k} ${(r * 100).toFixed(0)}%`).join(', ')}.`,
  '',
  'lead_source and country carry no signal. Email opens/clicks, page views, downloads and webinar attendance have no direct effect: they are informative only through their correlation with u.',
].join('\n');
