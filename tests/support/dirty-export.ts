import { generateLeads, type RawLead } from '../../lib/synthetic';

/**
 * Messy CRM exports for the import's fixtures and benchmarks: synthetic leads (lib/synthetic.ts) rendered
 * the way HubSpot and Salesforce exports look in the wild — employee bands, currency-formatted revenue,
 * mixed date formats, placeholders, mixed-case emails, multi-line quoted descriptions, and duplicate
 * records of one person. Deterministic for a seed. Test and bench data (tests/fixtures/make_fixtures.ts,
 * tests/import, scripts/bench/import.ts, scripts/bench_import_200mb.ts), not import code.
 */

export type ExportFlavor = 'hubspot' | 'salesforce';

/** HubSpot contacts export with a team's custom properties (see examples/mapping.example.json). */
export const HUBSPOT_COLUMNS = [
  'Record ID',
  'First Name',
  'Last Name',
  'Email',
  'Job Title',
  'Company Name',
  'Company Domain Name',
  'Website URL',
  'Industry',
  'Number of Employees',
  'Annual Revenue',
  'Country/Region',
  'About Us',
  'Original Source',
  'Create Date',
  'Last Activity Date',
  'Marketing emails opened',
  'Marketing emails clicked',
  'Number of Pageviews',
  'Pricing page views (last 30 days)',
  'Content downloads (last 30 days)',
  'Attended webinar?',
  'Requested a demo?',
  'Plan Tier',
  'Seats',
  'Partner?',
  'Trial Start Date',
  'Phone Number',
  'Lifecycle Stage',
] as const;

export const SALESFORCE_COLUMNS = [
  'Lead ID',
  'First Name',
  'Last Name',
  'Title',
  'Company',
  'Email',
  'Website',
  'Industry',
  'No. of Employees',
  'Annual Revenue',
  'Country',
  'Description',
  'Lead Source',
  'Created Date',
  'Last Activity',
  'Lead Owner',
  'Lead Status',
  'Converted',
] as const;

export const COLUMNS: Record<ExportFlavor, readonly string[]> = { hubspot: HUBSPOT_COLUMNS, salesforce: SALESFORCE_COLUMNS };

export type Rng = () => number;

/** mulberry32: small, fast, good enough to shuffle fixture dirt. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const PLACEHOLDER_SAMPLES = ['', 'N/A', '-', 'Select', '--None--', 'unknown', 'n/a', '--', 'null'] as const;
const pad = (n: number) => String(n).padStart(2, '0');

/** One value of the export's free-form dirt: usually the value, sometimes a placeholder. */
function orPlaceholder(rng: Rng, value: string | undefined, rate = 0.04): string {
  if (value === undefined) return rng() < 0.5 ? '' : pick(rng, PLACEHOLDER_SAMPLES);
  return rng() < rate ? pick(rng, PLACEHOLDER_SAMPLES) : value;
}

export function formatEmployees(rng: Rng, n: number | undefined): string {
  if (n === undefined) return orPlaceholder(rng, undefined);
  const r = rng();
  if (r < 0.15) {
    const bands: [number, number | null][] = [[1, 10], [11, 50], [51, 200], [201, 500], [501, 1000], [1001, 5000], [5001, 10000], [10001, null]];
    const [lo, hi] = bands.find(([lo, hi]) => n >= lo && (hi === null || n <= hi)) ?? [1, 10];
    return hi === null ? `${lo.toLocaleString('en-US')}+` : `${lo.toLocaleString('en-US')}-${hi.toLocaleString('en-US')}`;
  }
  if (r < 0.2 && n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (r < 0.35) return n.toLocaleString('en-US');
  return String(n);
}

export function formatRevenue(rng: Rng, n: number | undefined): string {
  if (n === undefined) return orPlaceholder(rng, undefined);
  const r = rng();
  if (r < 0.15 && n >= 1e6) return `$${+(n / 1e6).toFixed(1)}M`;
  if (r < 0.2 && n >= 1e6) return `€${+(n / 1e6).toFixed(1)}m`;
  if (r < 0.25 && n >= 1e9) return `${+(n / 1e9).toFixed(1)}B`;
  if (r < 0.3 && n < 1e6) return `$${Math.round(n / 1000)}K`;
  if (r < 0.5) return n.toLocaleString('en-US');
  return String(n);
}

export function formatDate(rng: Rng, iso: string | undefined, flavor: ExportFlavor): string {
  if (iso === undefined) return orPlaceholder(rng, undefined);
  const d = new Date(iso);
  const [y, m, day, hh, mm] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  const r = rng();
  if (flavor === 'hubspot') {
    if (r < 0.7) return `${y}-${pad(m)}-${pad(day)} ${pad(hh)}:${pad(mm)}`;
    if (r < 0.8) return d.toISOString();
    if (r < 0.9) return `${pad(m)}/${pad(day)}/${y}`;
    return `${day} ${MONTHS[m - 1]} ${y}`;
  }
  const h12 = hh % 12 === 0 ? 12 : hh % 12;
  if (r < 0.6) return `${m}/${day}/${y}`;
  if (r < 0.85) return `${m}/${day}/${y}, ${h12}:${pad(mm)} ${hh < 12 ? 'AM' : 'PM'}`;
  return `${MONTHS[m - 1]} ${day}, ${y}`;
}

export function formatBoolean(rng: Rng, value: boolean | undefined): string {
  if (value === undefined) return '';
  return value ? pick(rng, ['Yes', 'true', '1', 'x', 'Checked', 'Y']) : pick(rng, ['No', 'false', '0', 'n', 'unchecked']);
}

function messyEmail(rng: Rng, email: string | undefined): string {
  if (email === undefined) return orPlaceholder(rng, undefined);
  const r = rng();
  if (r < 0.15) return email.replace(/(^|[.@])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
  if (r < 0.2) return ` ${email.toUpperCase()} `;
  return email;
}

function messyDescription(rng: Rng, text: string | undefined): string {
  if (text === undefined) return orPlaceholder(rng, undefined);
  // Multi-line descriptions are common (pasted "About" text); CRLF inside quotes must survive parsing.
  if (rng() < 0.2) return text.replace(/\. /, rng() < 0.5 ? '.\r\n' : '.\n\n');
  if (rng() < 0.05) return `${text} They call it "the ${pick(rng, ['best', 'only'])} way".`;
  return text;
}

/** Custom properties, drawn to carry some (noisy) signal about the outcome, as real plan data does. */
function customProperties(rng: Rng, lead: RawLead, createdIso: string | undefined) {
  const converted = lead.converted === true;
  const tiers = converted ? [['Free', 10], ['Starter', 25], ['Pro', 35], ['Enterprise', 30]] : [['Free', 40], ['Starter', 30], ['Pro', 20], ['Enterprise', 10]];
  let u = rng() * 100;
  const tier = (tiers.find(([, w]) => (u -= w as number) < 0) ?? tiers[0]!)[0] as string;
  const seats = { Free: 1, Starter: 5, Pro: 25, Enterprise: 150 }[tier]! * (1 + Math.floor(rng() * 4));
  const trialDaysBefore = converted ? rng() * 30 : rng() * 150;
  const trial = createdIso && rng() < 0.7 ? new Date(Date.parse(createdIso) + trialDaysBefore * 86_400_000 * 0.2).toISOString() : undefined;
  return {
    tier: rng() < 0.1 ? tier.toUpperCase() : rng() < 0.1 ? ` ${tier.toLowerCase()}` : tier,
    seats: rng() < 0.08 ? pick(rng, PLACEHOLDER_SAMPLES) : seats >= 1000 ? seats.toLocaleString('en-US') : String(seats),
    partner: rng() < (converted ? 0.3 : 0.1) ? pick(rng, ['Yes', 'x', 'true']) : pick(rng, ['No', '', 'false']),
    trial,
  };
}

/** Renders one lead as export cells, keyed by column name (columns not set are empty). */
export function renderLead(rng: Rng, lead: RawLead, flavor: ExportFlavor): Record<string, string> {
  const domain = lead.company_domain;
  const industry = lead.industry === undefined ? undefined : rng() < 0.1 ? `  ${lead.industry.replace(' ', '  ')} ` : lead.industry;
  if (flavor === 'hubspot') {
    const custom = customProperties(rng, lead, lead.created_at);
    const domainInWebsite = domain !== undefined && rng() < 0.3;
    return {
      'Record ID': lead.id,
      'First Name': lead.first_name ?? '',
      'Last Name': lead.last_name ?? '',
      Email: messyEmail(rng, lead.email),
      'Job Title': orPlaceholder(rng, lead.job_title),
      'Company Name': lead.company_name ?? '',
      'Company Domain Name': domainInWebsite ? '' : (domain ?? ''),
      'Website URL': domainInWebsite ? pick(rng, [`https://www.${domain}/`, `http://${domain}`, `www.${domain}`]) : '',
      Industry: orPlaceholder(rng, industry),
      'Number of Employees': formatEmployees(rng, lead.employee_count),
      'Annual Revenue': formatRevenue(rng, lead.annual_revenue),
      'Country/Region': orPlaceholder(rng, lead.country),
      'About Us': messyDescription(rng, lead.company_description),
      'Original Source': orPlaceholder(rng, lead.lead_source),
      'Create Date': formatDate(rng, lead.created_at, flavor),
      'Last Activity Date': formatDate(rng, lead.last_activity_at, flavor),
      'Marketing emails opened': lead.email_opens_30d === undefined ? '' : String(lead.email_opens_30d),
      'Marketing emails clicked': lead.email_clicks_30d === undefined ? '' : String(lead.email_clicks_30d),
      'Number of Pageviews': lead.page_views_30d === undefined ? '' : lead.page_views_30d.toLocaleString('en-US'),
      'Pricing page views (last 30 days)': lead.pricing_page_views_30d === undefined ? '' : String(lead.pricing_page_views_30d),
      'Content downloads (last 30 days)': lead.content_downloads_30d === undefined ? '' : String(lead.content_downloads_30d),
      'Attended webinar?': formatBoolean(rng, lead.webinar_attended),
      'Requested a demo?': formatBoolean(rng, lead.demo_requested),
      'Plan Tier': custom.tier,
      Seats: custom.seats,
      'Partner?': custom.partner,
      'Trial Start Date': formatDate(rng, custom.trial, flavor),
      'Phone Number': `+1 (555) ${String(Math.floor(rng() * 900) + 100)}-${String(Math.floor(rng() * 9000) + 1000)}`,
      'Lifecycle Stage': lead.converted
        ? pick(rng, ['Customer', 'customer', 'CUSTOMER'])
        : pick(rng, ['Lead', 'Subscriber', 'Marketing Qualified Lead', 'Sales Qualified Lead', 'Opportunity']),
    };
  }
  return {
    'Lead ID': lead.id,
    'First Name': lead.first_name ?? '',
    'Last Name': lead.last_name ?? '',
    Title: orPlaceholder(rng, lead.job_title),
    Company: lead.company_name ?? '',
    Email: messyEmail(rng, lead.email),
    Website: domain === undefined ? '' : pick(rng, [domain, `www.${domain}`, `https://${domain}`, `https://www.${domain}/`]),
    Industry: orPlaceholder(rng, industry, 0.06),
    'No. of Employees': formatEmployees(rng, lead.employee_count),
    'Annual Revenue': formatRevenue(rng, lead.annual_revenue),
    Country: orPlaceholder(rng, lead.country),
    Description: messyDescription(rng, lead.company_description),
    'Lead Source': orPlaceholder(rng, lead.lead_source, 0.08),
    'Created Date': formatDate(rng, lead.created_at, flavor),
    'Last Activity': formatDate(rng, lead.last_activity_at, flavor),
    'Lead Owner': pick(rng, ['Dana Whitfield', 'Luis Ortega', 'Priya Raman']),
    'Lead Status': lead.converted ? 'Closed - Converted' : pick(rng, ['Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted']),
    Converted: lead.converted ? pick(rng, ['1', '1', 'true']) : pick(rng, ['0', '0', 'false']),
  };
}

/** Cells in column order, quoted where needed (delimiter, quote, line break), joined into one record. */
export function csvRecord(cells: readonly string[], delimiter: string, lineEnding: string): string {
  const quoted = cells.map((cell) => (cell.includes(delimiter) || /["\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell));
  return `${quoted.join(delimiter)}${lineEnding}`;
}

export function recordFor(flavor: ExportFlavor, cells: Record<string, string>, delimiter: string, lineEnding: string): string {
  return csvRecord(COLUMNS[flavor].map((c) => cells[c] ?? ''), delimiter, lineEnding);
}

export type DuplicateKind = 'email' | 'name';

/**
 * A second CRM record of the same person: by email (same address, new id and title, later activity) or by
 * name (same first + last name at the same company domain, a personal email address). Counters differ.
 */
export function duplicateOf(rng: Rng, lead: RawLead, kind: DuplicateKind, id: string): RawLead {
  const later = (iso: string | undefined) => (iso === undefined ? undefined : new Date(Date.parse(iso) + Math.floor(1 + rng() * 20) * 86_400_000).toISOString());
  const copy: RawLead = { ...lead, id, last_activity_at: later(lead.last_activity_at ?? lead.created_at), email_opens_30d: Math.floor(rng() * 10) };
  if (kind === 'email') {
    copy.job_title = pick(rng, ['VP Sales', 'Head of Growth', 'Director of Sales', 'Sales Manager']);
  } else {
    const local = `${lead.first_name ?? 'x'}${lead.last_name ?? ''}${Math.floor(rng() * 1000)}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    copy.email = `${local}@${pick(rng, ['gmail.com', 'outlook.com'])}`;
    copy.first_name = rng() < 0.5 ? lead.first_name?.toUpperCase() : lead.first_name;
  }
  return copy;
}

export interface LargeExportOptions {
  flavor: ExportFlavor;
  rows: number;
  seed: number;
  delimiter?: ',' | ';';
  lineEnding?: '\r\n' | '\n';
  bom?: boolean;
  /** Share of rows that are a second record of an earlier lead (half by email, half by name). */
  duplicateRate?: number;
}

/** A large messy export as text chunks (header first), generated in batches so memory stays flat. */
export function* largeExport({ flavor, rows, seed, delimiter = ',', lineEnding = '\r\n', bom = false, duplicateRate = 0.05 }: LargeExportOptions): Generator<string> {
  const rng = createRng(seed);
  yield (bom ? '\uFEFF' : '') + csvRecord(COLUMNS[flavor], delimiter, lineEnding);
  const BATCH = 5_000;
  let written = 0;
  for (let batch = 0; written < rows; batch++) {
    const leads = generateLeads({ count: BATCH, seed: seed * 100_003 + batch });
    let text = '';
    for (let i = 0; i < leads.length && written < rows; i++) {
      const lead = { ...leads[i]!, id: `${flavor === 'hubspot' ? '' : '00Q'}${seed}${String(batch * BATCH + i).padStart(8, '0')}` };
      const dup = i > 0 && rng() < duplicateRate;
      const row = dup ? duplicateOf(rng, leads[Math.floor(rng() * i)]!, rng() < 0.5 ? 'email' : 'name', `${lead.id}d`) : lead;
      text += recordFor(flavor, renderLead(rng, row, flavor), delimiter, lineEnding);
      written++;
    }
    yield text;
  }
}
