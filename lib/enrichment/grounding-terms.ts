/**
 * Word lists the grounding checks (./grounding.ts) read. Data, not logic: extend a list when a real
 * narrative shows a gap, and add the case to tests/enrichment/grounding.test.ts.
 */

/**
 * Sales, marketing and data tools a note might name. A tool the record does not mention is a possible
 * invented fact. `exactCase` names are also everyday words ("outreach", "close", "slack"), so only their
 * capitalised, mid-sentence spelling counts as the tool.
 */
export const TOOLS: readonly { name: string; aliases?: readonly string[]; exactCase?: boolean }[] = [
  { name: 'Salesforce', aliases: ['SFDC', 'Sales Cloud'] },
  { name: 'HubSpot' },
  { name: 'Pipedrive' },
  { name: 'Zoho CRM', aliases: ['Zoho'] },
  { name: 'Microsoft Dynamics', aliases: ['Dynamics 365'] },
  { name: 'Marketo' },
  { name: 'Pardot', aliases: ['Account Engagement'] },
  { name: 'Eloqua' },
  { name: 'Mailchimp' },
  { name: 'Klaviyo' },
  { name: 'Braze' },
  { name: 'Iterable' },
  { name: 'Customer.io' },
  { name: 'Outreach', exactCase: true },
  { name: 'Salesloft' },
  { name: 'Apollo', aliases: ['Apollo.io'] },
  { name: 'Gong' },
  { name: 'Chorus', exactCase: true },
  { name: 'Clari' },
  { name: 'ZoomInfo' },
  { name: 'Clearbit' },
  { name: 'Lusha' },
  { name: 'Cognism' },
  { name: '6sense' },
  { name: 'Demandbase' },
  { name: 'Bombora' },
  { name: 'G2', aliases: ['G2 Crowd'] },
  { name: 'Clay', exactCase: true },
  { name: 'LinkedIn Sales Navigator', aliases: ['Sales Navigator'] },
  { name: 'Gainsight' },
  { name: 'Intercom' },
  { name: 'Drift', exactCase: true },
  { name: 'Zendesk' },
  { name: 'Freshworks', aliases: ['Freshsales', 'Freshdesk'] },
  { name: 'Close', exactCase: true },
  { name: 'Copper', exactCase: true },
  { name: 'Slack', exactCase: true },
  { name: 'Microsoft Teams', aliases: ['MS Teams'] },
  { name: 'Zoom', exactCase: true },
  { name: 'Notion', exactCase: true },
  { name: 'Airtable' },
  { name: 'Asana' },
  { name: 'Jira' },
  { name: 'Monday.com' },
  { name: 'Excel', exactCase: true },
  { name: 'Google Sheets' },
  { name: 'spreadsheets', aliases: ['spreadsheet'] },
  { name: 'Snowflake', exactCase: true },
  { name: 'BigQuery' },
  { name: 'Databricks' },
  { name: 'Redshift' },
  { name: 'Looker' },
  { name: 'Tableau' },
  { name: 'Power BI' },
  { name: 'Segment', exactCase: true },
  { name: 'Mixpanel' },
  { name: 'Amplitude' },
  { name: 'Google Analytics' },
  { name: 'Stripe' },
  { name: 'Chargebee' },
  { name: 'Shopify' },
  { name: 'Magento' },
  { name: 'WordPress' },
  { name: 'Webflow' },
  { name: 'SAP' },
  { name: 'Oracle' },
  { name: 'NetSuite' },
  { name: 'Workday' },
  { name: 'ServiceNow' },
  { name: 'AWS', aliases: ['Amazon Web Services'] },
  { name: 'Azure' },
  { name: 'Google Cloud', aliases: ['GCP'] },
  { name: 'Okta' },
  { name: 'DocuSign' },
  { name: 'Calendly' },
  { name: 'Gmail' },
  { name: 'Outlook', exactCase: true },
];

/** Funding stages and events. A stage the record does not name is a possible invented fact. */
export const FUNDING_STAGES = /\b(?:pre-seed|seed(?:-stage| stage| round| funding| money)|series [a-h]\b|ipo\b|went public|publicly traded|venture[- ]backed|vc[- ]backed|pe[- ]backed|private equity|bootstrapped|unicorn|acquired by)/gi;
/** Words that speak of funding in general; grounded by any funding mention in the record. */
export const FUNDING_WORDS = /\b(?:raised|raising|funding|funded|investors?|investment round|round of funding|fundrais\w*)\b/gi;

/**
 * Capitalised words a note may use without the record having them: roles and departments, sales
 * shorthand, tiers, places the prompt never names but every note may, calendar words, and LeadSignal's
 * own vocabulary. Lower-case; compared with a word's lower-cased form.
 */
export const COMMON_CAPITALISED = new Set(
  `
  ceo cto cfo coo cro cmo cio ciso cpo vp svp evp avp gm md director directors head heads manager managers founder founders
  co-founder cofounder owner president chief officer officers lead leader sales marketing revenue operations ops revops salesops
  growth engineering it finance hr procurement security product partnerships partner customer customers success business
  development demand generation gtm go-to-market sdr sdrs bdr bdrs ae aes am csm csms rep reps team teams account accounts
  executive executives enablement legal compliance data analytics
  icp roi crm saas b2b b2c smb smbs mid-market enterprise mql mqls sql sqls arr mrr api ai ml usd eur gbp emea apac latam amer
  na us usa uk eu gdpr soc sso q1 q2 q3 q4 kpi kpis poc rfp rfi nda sla faq pdf url
  hot warm cold tier score scores leadsignal claude mock
  monday tuesday wednesday thursday friday saturday sunday january february march april june july august september october
  november december today tomorrow
  north south east west europe european america american americas asia pacific
  i i'm i'd i'll
  `
    .split(/\s+/)
    .filter(Boolean),
);

/** Words that carry no content, left out when measuring copied text and word overlap. */
export const STOPWORDS = new Set(
  `
  a an the and or but if then so of to in on at by for with from as is are was were be been being it its this that these those
  there their they them he she his her we our us you your i me my not no nor do does did has have had will would can could should
  may might must shall than too very just also only any all some each per into onto about over under up down out off again
  `
    .split(/\s+/)
    .filter(Boolean),
);

/** Addressee words that may stand before an instruction: "AI assistant: …", "Note to the model: …". */
export const ADDRESSEES = new Set(
  `ai assistant model llm bot chatbot claude chatgpt gpt system note attention important reminder instructions instruction ps p.s
  to the dear hey hi hello please`
    .split(/\s+/)
    .filter(Boolean),
);
