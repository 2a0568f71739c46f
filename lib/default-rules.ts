import type { RuleSet } from './rules';

/**
 * The built-in B2B rule set: industry fit 15, company size 15, seniority 10, engagement signals 60.
 * Engagement gets most of the weight because intent predicts a meeting better than firmographics do;
 * within it, rules are listed from strongest intent to weakest, so when the 60-point cap bites, the
 * weakest signals are the ones trimmed. `npm run rules:print` writes this set as JSON, the starting
 * point for a team's own file.
 */
export const DEFAULT_RULES: RuleSet = {
  name: 'LeadSignal default B2B',
  description: 'Mid-market B2B SaaS buyers: firmographic fit plus buying intent.',
  tiers: { hot: 75, warm: 45 },
  categories: [
    { id: 'industry', label: 'Industry fit', cap: 15 },
    { id: 'company_size', label: 'Company size', cap: 15 },
    { id: 'seniority', label: 'Seniority', cap: 10 },
    { id: 'engagement', label: 'Engagement signals', cap: 60 },
  ],
  rules: [
    /** Software and fintech teams run outbound SDR motions and buy RevOps tooling; public sector rarely does. */
    {
      id: 'industry_fit',
      label: 'Industry fit',
      category: 'industry',
      kind: 'category_map',
      field: 'industry',
      why: 'Software and fintech companies buy sales tooling most often; the public sector and non-profits rarely do.',
      // Values are matched case- and space-insensitively; the aliases cover LinkedIn's and common CRM
      // picklist names for the same industry.
      points: {
        software: 15,
        saas: 15,
        'b2b saas': 15,
        'computer software': 15,
        'internet software': 15,
        'software development': 15,
        fintech: 13,
        'financial technology': 13,
        'it services': 10,
        'it services and it consulting': 10,
        'information technology': 10,
        'information technology & services': 10,
        'information technology and services': 10,
        'financial services': 10,
        banking: 10,
        'marketing & advertising': 8,
        'marketing and advertising': 8,
        marketing: 8,
        advertising: 8,
        healthcare: 7,
        'health care': 7,
        'hospital & health care': 7,
        'e-commerce': 7,
        ecommerce: 7,
        retail: 6,
        'consumer goods': 6,
        consulting: 6,
        'management consulting': 6,
        manufacturing: 6,
        'industrial automation': 6,
        'real estate': 5,
        'commercial real estate': 5,
        education: 3,
        'higher education': 3,
        'e-learning': 3,
        'non-profit': 2,
        nonprofit: 2,
        'non-profit organization management': 2,
        ngo: 2,
        government: 2,
        'government administration': 2,
        'public sector': 2,
      },
      otherwise: 4,
    },
    /** The product is priced for 50–1,000 employees: big enough for an SDR team, small enough to buy without procurement. */
    {
      id: 'company_size',
      label: 'Company size',
      category: 'company_size',
      kind: 'numeric_bands',
      field: 'employee_count',
      why: 'Companies of 50–1,000 people have an SDR team and buy without a long procurement cycle.',
      bands: [
        { label: '1–10 employees', max: 10, points: 2 },
        { label: '11–50 employees', min: 11, max: 50, points: 7 },
        { label: '51–200 employees', min: 51, max: 200, points: 13 },
        { label: '201–1,000 employees', min: 201, max: 1000, points: 15 },
        { label: '1,001–5,000 employees', min: 1001, max: 5000, points: 11 },
        { label: '5,001+ employees', min: 5001, points: 7 },
      ],
    },
    /** Budget sits with VPs and C-level; directors and managers champion; "Chief of Staff" is not C-level. */
    {
      id: 'seniority',
      label: 'Seniority',
      category: 'seniority',
      kind: 'keyword_tiers',
      field: 'job_title',
      why: 'Senior buyers sign; managers champion; individual contributors rarely decide.',
      tiers: [
        {
          label: 'C-level',
          points: 10,
          patterns: ['\\bchief\\b', '\\bc[a-z]?[eotmfrpdsx]o\\b', '\\bfounder\\b', '\\bpresident\\b', '\\bmanaging director\\b', '\\bowner\\b'],
          // Titles are matched with punctuation folded to spaces, so "Vice-President" arrives as "vice president".
          exclude: ['\\bchief of staff\\b', '\\bassistant\\b', '\\bintern\\b', '\\bvice president\\b', '\\bproduct owner\\b'],
        },
        { label: 'VP', points: 9, patterns: ['\\b[sea]?vp\\b', '\\bvice[ -]president\\b', '\\bhead of\\b', '\\bhead,'] },
        { label: 'Director', points: 7, patterns: ['\\bdirector\\b', '\\bdir\\b', '\\bgeneral manager\\b'] },
        { label: 'Manager', points: 5, patterns: ['\\bmanager\\b', '\\bmgr\\b', '\\blead\\b', '\\bsupervisor\\b'] },
        { label: 'Student or intern', points: 0, patterns: ['\\bintern(ship)?\\b', '\\bstudent\\b', '\\btrainee\\b'] },
      ],
      otherwise: { label: 'Individual contributor', points: 2 },
    },
    /** Asking for a demo is the clearest buying signal there is, so it alone is worth a quarter of the score. */
    {
      id: 'demo_requested',
      label: 'Demo requested',
      category: 'engagement',
      kind: 'boolean_flag',
      field: 'demo_requested',
      why: 'A demo request is the strongest buying signal.',
      points: 25,
    },
    /** Pricing-page visits mean budget is being discussed; three visits reach the cap. */
    {
      id: 'pricing_page_views',
      label: 'Pricing page views (30 days)',
      category: 'engagement',
      kind: 'counter',
      field: 'pricing_page_views_30d',
      unit: 'view',
      why: 'Looking at pricing means budget is being discussed.',
      pointsPer: 5,
      cap: 15,
    },
    /** Intent decays fast: a lead active this week is worth calling today, one silent for a month is not. */
    {
      id: 'recent_activity',
      label: 'Recent activity',
      category: 'engagement',
      kind: 'recency',
      field: 'last_activity_at',
      why: 'Interest fades: activity in the last week counts most, the last month some.',
      bands: [
        { withinDays: 7, points: 10 },
        { withinDays: 30, points: 5 },
      ],
    },
    /** Attending a live webinar costs an hour, a real signal of interest. */
    {
      id: 'webinar_attended',
      label: 'Webinar attended',
      category: 'engagement',
      kind: 'boolean_flag',
      field: 'webinar_attended',
      why: 'Giving up an hour for a webinar shows real interest.',
      points: 4,
    },
    /** Clicks show more intent than opens but are still cheap; capped low. */
    {
      id: 'email_clicks',
      label: 'Email clicks (30 days)',
      category: 'engagement',
      kind: 'counter',
      field: 'email_clicks_30d',
      unit: 'click',
      why: 'Clicking through an email shows interest, but it is cheap.',
      pointsPer: 1,
      cap: 4,
    },
    /** Downloading content is research, not yet buying. */
    {
      id: 'content_downloads',
      label: 'Content downloads (30 days)',
      category: 'engagement',
      kind: 'counter',
      field: 'content_downloads_30d',
      unit: 'download',
      why: 'Downloading content is research, not yet buying.',
      pointsPer: 2,
      cap: 4,
    },
    /** General site browsing: a point per five pages, capped, so a curious student cannot browse into HOT. */
    {
      id: 'page_views',
      label: 'Page views (30 days)',
      category: 'engagement',
      kind: 'counter',
      field: 'page_views_30d',
      unit: 'page view',
      why: 'Browsing the site is weak intent; capped so volume cannot stand in for a demo request.',
      pointsPer: 0.2,
      cap: 3,
    },
    /** Opens are mostly noise (mail clients pre-fetch images), so 500 opens earn 2 points, never a demo's 25. */
    {
      id: 'email_opens',
      label: 'Email opens (30 days)',
      category: 'engagement',
      kind: 'counter',
      field: 'email_opens_30d',
      unit: 'open',
      why: 'Opens are mostly noise (mail clients pre-load images), so they are worth little.',
      pointsPer: 0.1,
      cap: 2,
    },
  ],
};
