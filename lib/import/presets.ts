import type { Mapping } from './mapping';

/**
 * Built-in mappings for the two exports RevOps teams bring most often. Column names are the labels the
 * CRMs put in their export headers (matched case- and whitespace-insensitively). A team with custom
 * properties writes a mapping file with `"extends": "hubspot"` and adds `attributes`.
 *
 * Deliberately left out: status columns that encode the outcome ("Lead Status" = "Closed - Converted",
 * HubSpot's "Lead Status"): kept as attributes they would let a rule, or the enrichment prompt, see the
 * answer the backtest checks against.
 */
export const PRESETS = {
  /**
   * HubSpot contacts export (Contacts → Export, "All properties" or a view). HubSpot's email and page
   * view counters are lifetime totals, not 30-day counts; the default rules cap these signals at 2–4
   * points, so the overstatement is bounded, but a team that exports 30-day properties should map those.
   */
  hubspot: {
    name: 'HubSpot contacts export',
    dateFormat: 'MDY',
    fields: {
      id: ['Record ID', 'Contact ID'],
      first_name: ['First Name'],
      last_name: ['Last Name'],
      email: ['Email'],
      job_title: ['Job Title'],
      company_name: ['Company Name'],
      company_domain: ['Company Domain Name', 'Website URL'],
      industry: ['Industry'],
      employee_count: ['Number of Employees'],
      annual_revenue: ['Annual Revenue'],
      country: ['Country/Region', 'Country'],
      company_description: ['Company Description', 'About Us'],
      lead_source: ['Original Source', 'Original Source Type'],
      created_at: ['Create Date'],
      last_activity_at: ['Last Activity Date'],
      email_opens_30d: ['Marketing emails opened'],
      email_clicks_30d: ['Marketing emails clicked'],
      page_views_30d: ['Number of Pageviews'],
    },
    attributes: {},
    outcome: { column: 'Lifecycle Stage', positive: ['customer'] },
  },
  /** Salesforce "Leads" report exported as CSV (Details Only). "Converted" is the lead's IsConverted flag. */
  salesforce: {
    name: 'Salesforce leads report',
    dateFormat: 'MDY',
    fields: {
      id: ['Lead ID'],
      first_name: ['First Name'],
      last_name: ['Last Name'],
      email: ['Email'],
      job_title: ['Title'],
      company_name: ['Company', 'Company / Account'],
      company_domain: ['Website'],
      industry: ['Industry'],
      employee_count: ['No. of Employees'],
      annual_revenue: ['Annual Revenue'],
      country: ['Country'],
      company_description: ['Description'],
      lead_source: ['Lead Source'],
      created_at: ['Created Date'],
      last_activity_at: ['Last Activity'],
    },
    attributes: {},
    outcome: { column: 'Converted' },
  },
} satisfies Record<string, Omit<Mapping, 'options'>>;

export type PresetName = keyof typeof PRESETS;
