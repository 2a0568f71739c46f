import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, writeLeadsFile } from '@/lib/import/import';
import { parseMapping } from '@/lib/import/mapping';
import { safeParseRuleSet } from '@/lib/rules';
import { startNext, type NextServer } from '../../scripts/next-server';
import { browserPerFile, DESKTOP, screenshot } from './browser';

/**
 * The dashboard on imported data that is not B2B: a gym's membership export (no names, titles,
 * companies or industries; plans, visits, regions and coach notes), imported with `runImport` into a temp
 * data dir and served by a second `next start` with a rule set that scores the custom attributes.
 */

const MEMBERS = Array.from({ length: 40 }, (_, i) => ({
  id: `M-${String(i + 1).padStart(4, '0')}`,
  plan: ['Premium', 'Basic', 'Family', 'Student'][i % 4]!,
  region: ['North', 'South', 'East'][i % 3]!,
  visits: (i * 7) % 23,
  joined: `2026-0${1 + (i % 9)}-1${i % 10}`,
  notes: i % 5 === 0 ? `Prefers morning classes, referred by member ${i}` : '',
  renewed: i % 3 === 0 ? 'yes' : 'no',
}));

const CSV = [
  'Member No,Plan,Region,Visits (30 days),Joined,Coach Notes,Renewed',
  ...MEMBERS.map((m) => [m.id, m.plan, m.region, m.visits, m.joined, m.notes ? `"${m.notes}"` : '', m.renewed].join(',')),
].join('\n');

/** The mapping file; it marks `region`, which no rule reads, as a column of the lead table. */
const MAPPING_FILE = {
  name: 'Gym members',
  fields: { id: 'Member No', created_at: 'Joined' },
  attributes: {
    plan: { column: 'Plan', type: 'text' },
    visits: { column: 'Visits (30 days)', type: 'number' },
    region: { column: 'Region', type: 'text', show: true },
    coach_notes: { column: 'Coach Notes', type: 'text' },
  },
  outcome: { column: 'Renewed' },
};
const MAPPING = parseMapping(MAPPING_FILE);

const RULES = {
  name: 'Gym renewals (e2e)',
  description: 'Scores the members of the e2e gym export on their plan and visits.',
  tiers: { hot: 60, warm: 30 },
  categories: [
    { id: 'plan', label: 'Plan', cap: 40 },
    { id: 'usage', label: 'Usage', cap: 60 },
  ],
  rules: [
    { id: 'plan', label: 'Plan', category: 'plan', kind: 'category_map', field: 'attributes.plan', why: 'Premium and family members renew most.', points: { premium: 40, family: 30, basic: 10 }, otherwise: 0 },
    {
      id: 'visits',
      label: 'Visits in 30 days',
      category: 'usage',
      kind: 'numeric_bands',
      field: 'attributes.visits',
      why: 'Members who come often renew.',
      wholeNumbers: true,
      bands: [
        { label: '0–4 visits', max: 4, points: 0 },
        { label: '5–11 visits', min: 5, max: 11, points: 30 },
        { label: '12+ visits', min: 12, points: 60 },
      ],
    },
  ],
};

const session = browserPerFile();
let dir: string;
let server: NextServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-imported-'));
  const leadsPath = path.join(dir, 'leads.json');
  const run = await runImport({ text: CSV }, { mapping: MAPPING }, (leads) => writeLeadsFile(leads, leadsPath));
  expect(run.failure).toBeNull();
  expect(run.report.leads).toBe(MEMBERS.length);
  const rulesPath = path.join(dir, 'rules.json');
  // Checked here: a rule set the server cannot load shows only its error page.
  expect(safeParseRuleSet(RULES)).toMatchObject({ ok: true });
  await writeFile(rulesPath, JSON.stringify(RULES));
  const mappingPath = path.join(dir, 'mapping.json');
  await writeFile(mappingPath, JSON.stringify(MAPPING_FILE));
  server = await startNext({
    LEADS_PATH: leadsPath,
    ENRICHMENTS_PATH: path.join(dir, 'enrichments.json'),
    SCORING_RULES: rulesPath,
    LEAD_MAPPING: mappingPath,
    SCORING_AS_OF: '2026-11-01T00:00:00Z',
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the dashboard on an imported export that is not B2B', () => {
  it('shows the attribute the mapping marks "show" and the ones the rules read instead of empty name, title, company and industry columns', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${server.url}/`);
    // Visible: the streamed page has replaced the loading skeleton.
    await page.getByTestId('lead-table').waitFor({ state: 'visible' });
    const headers = (await page.getByTestId('lead-table').locator('thead th').allTextContents()).map((h) => h.replace(/,( sorted \w+,)? click to sort$/, '').trim());
    expect(headers).toEqual(['Lead', 'Score', 'Tier', 'Region', 'Plan', 'Visits', 'Top reason', 'Enrichment']);
    const first = page.getByTestId('lead-row').first();
    const id = await first.getAttribute('data-lead-id');
    const member = MEMBERS.find((m) => m.id === id)!;
    await expect(first.getByTestId('lead-link').textContent()).resolves.toBe(member.id);
    await expect(first.getByTestId('attribute-plan').textContent()).resolves.toBe(member.plan);
    await expect(first.getByTestId('attribute-visits').textContent()).resolves.toBe(String(member.visits));
    await expect(first.getByTestId('attribute-region').textContent()).resolves.toBe(member.region);
    // No lead has an industry: there is nothing to filter by.
    await expect(page.getByTestId('filter-industry').count()).resolves.toBe(0);
    await screenshot(page, 'imported-leads');
  });

  it('finds a lead by its id and by a text attribute, also one no rule reads', async () => {
    const page = await session.newPage(DESKTOP);
    const search = async (q: string) => {
      await page.goto(`${server.url}/?q=${encodeURIComponent(q)}`);
      return page.getByTestId('lead-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.leadId!));
    };
    expect(await search('m-0017')).toEqual(['M-0017']);
    const north = await search('north');
    expect(north.sort()).toEqual(MEMBERS.filter((m) => m.region === 'North').map((m) => m.id).sort());
    expect(await search('referred by member 25')).toEqual(['M-0026']);
    const box = page.getByRole('searchbox');
    await expect(box.getAttribute('placeholder')).resolves.toMatch(/id or attribute/);
  });

  it('lists every custom attribute on the lead page, marking the ones a rule scores, in place of the empty contact card', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${server.url}/leads/M-0006`);
    const card = page.getByTestId('attributes-card');
    await card.waitFor({ state: 'visible' });
    // No name, title, company or any other contact field: the id is the heading, and no card of dashes.
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('M-0006');
    await expect(page.getByTestId('who-card').count()).resolves.toBe(0);
    await expect(page.getByTestId('description-card').count()).resolves.toBe(0);
    await expect(card.getByTestId('attribute-plan').textContent()).resolves.toBe('Basic');
    await expect(card.getByTestId('attribute-region').textContent()).resolves.toBe('East');
    await expect(card.getByTestId('attribute-coach_notes').textContent()).resolves.toBe('Prefers morning classes, referred by member 5');
    await expect(card.getByText('scored').count()).resolves.toBe(2);
    await screenshot(page, 'imported-lead', true);
  });
});
