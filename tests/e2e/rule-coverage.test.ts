import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startNext, type NextServer } from '@/scripts/next-server';
import { browserPerFile, DESKTOP, screenshot } from './browser';

/**
 * A rule set whose attribute name is misspelled reads nothing: the dashboard must say so next to the rules
 * version and on /validate, with the field it probably meant. Its own server (the same build) with that rule set.
 */

const baseUrl = inject('baseUrl');
const session = browserPerFile();
let server: NextServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-coverage-'));
  const leadsPath = path.join(dataDir, 'leads.json');
  await copyFile(path.resolve('data/synthetic_leads.json'), leadsPath);
  const rules = {
    name: 'Typo in a field name',
    tiers: { hot: 75, warm: 45 },
    categories: [{ id: 'fit', label: 'Fit', cap: 100 }],
    rules: [
      { id: 'source', label: 'Lead source', category: 'fit', why: 'w', kind: 'category_map', field: 'attributes.lead_sorce', points: { web: 50 }, otherwise: 0 },
      { id: 'demo', label: 'Demo requested', category: 'fit', why: 'w', kind: 'boolean_flag', field: 'demo_requested', points: 50 },
    ],
  };
  // The bundled leads have no custom attributes: add lead_source as one, so "did you mean" has a target.
  const leads = JSON.parse(await readFile(leadsPath, 'utf8')) as Record<string, unknown>[];
  await writeFile(leadsPath, JSON.stringify(leads.map((l) => ({ ...l, attributes: { lead_source: 'web' } }))));
  await writeFile(path.join(dataDir, 'rules.json'), JSON.stringify(rules));
  server = await startNext({ LEADS_PATH: leadsPath, ENRICHMENTS_PATH: path.join(dataDir, 'enrichments.json'), SCORING_RULES: path.join(dataDir, 'rules.json') });
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('rules that read nothing', () => {
  it('are flagged next to the rules version and listed on /validate with "did you mean"', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(server.url);
    const badge = page.getByTestId('summary-coverage-warning');
    await expect(badge.textContent()).resolves.toContain('1 rule reads almost nothing');
    await screenshot(page, 'rule-coverage-leads');
    await badge.click();
    await page.waitForURL(/\/validate#rule-coverage$/);
    const row = page.getByTestId('rule-coverage-row');
    await row.first().waitFor();
    await expect(row.count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toMatch(/attributes\.lead_sorce.*0 of 500 leads.*did you mean attributes\.lead_source\?/);
    await screenshot(page, 'rule-coverage-validate');
    await page.close();
  });

  it('stay quiet when every rule reads its field (the default rules on the bundled data)', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(baseUrl);
    await page.getByTestId('summary-rules').waitFor();
    await expect(page.getByTestId('summary-coverage-warning').count()).resolves.toBe(0);
    await page.goto(`${baseUrl}/validate`);
    await expect(page.getByTestId('rule-coverage').count()).resolves.toBe(0);
    await page.close();
  });
});
