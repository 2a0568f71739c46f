import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNext, type NextServer } from '../../scripts/next-server';
import { browserPerFile, DESKTOP, screenshot } from './browser';

/**
 * Lead ids that need encoding, in the browser against their own `next start` (so the shared server's data
 * stays as the other tests expect): each link opens its own lead, `a b` and `a%20b` included, both by a click
 * (client navigation) and typed in; `__proto__` enriches and saves (finding 5).
 */

const ODD = ['a b', 'a%20b', 'é', 'a/b', 'a+b', '100%', 'a?b#c', '__proto__', 'constructor', '..'];
const session = browserPerFile();
let server: NextServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-ids-'));
  const [template] = JSON.parse(await readFile(path.resolve('data/synthetic_leads.json'), 'utf8')) as Record<string, unknown>[];
  const leads = ODD.map((id, i) => ({ ...template, id, first_name: `Oddity${i}`, last_name: 'Test', email: `oddity${i}@example.com` }));
  await writeFile(path.join(dataDir, 'leads.json'), JSON.stringify(leads));
  server = await startNext({ LEADS_PATH: path.join(dataDir, 'leads.json'), ENRICHMENTS_PATH: path.join(dataDir, 'enrichments.json') });
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('lead ids that need URL encoding', () => {
  it('open their own lead from the table link and when the link is opened directly', async () => {
    const page = await session.newPage(DESKTOP);
    for (const [i, id] of ODD.entries()) {
      await page.goto(`${server.url}/?sort=name&dir=asc`);
      const row = page.locator(`[data-testid="lead-row"]`).filter({ hasText: `Oddity${i} Test` });
      await row.getByTestId('lead-link').click();
      await page.getByTestId('breakdown-table').waitFor();
      expect(await page.getByTestId('lead-name').textContent(), id).toBe(`Oddity${i} Test`);
      expect(await page.title(), id).toBe(`Oddity${i} Test · LeadSignal`);
      const href = page.url();
      await page.goto(href);
      expect(await page.getByTestId('lead-name').textContent(), `${id} opened directly`).toBe(`Oddity${i} Test`);
      expect(await page.title(), `${id} opened directly`).toBe(`Oddity${i} Test · LeadSignal`);
    }
    await page.close();
  });

  it('enriches and saves a lead whose id is __proto__', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${server.url}/leads/__proto__`);
    const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/enrich'), page.getByTestId('re-enrich').click()]);
    expect(response.status()).toBe(200);
    expect(((await response.json()) as { saved: boolean }).saved).toBe(true);
    await page.getByTestId('mock-label').waitFor();
    await page.reload();
    expect(await page.getByTestId('enrichment').getAttribute('data-source')).toBe('mock');
    await screenshot(page, 'lead-proto-enriched');
    await page.close();
  });

  it('shows a narrative the server wrote but could not save, and says so', async () => {
    // A directory where the journal's lock belongs: every save fails, reads still work.
    const lock = path.join(dataDir, 'enrichments.json.journal.jsonl.lock');
    await mkdir(lock);
    try {
      const page = await session.newPage(DESKTOP);
      await page.goto(`${server.url}/leads/constructor`);
      await page.getByTestId('re-enrich').click();
      const unsaved = page.getByTestId('re-enrich-unsaved');
      await unsaved.waitFor();
      await expect(unsaved.textContent()).resolves.toMatch(/Not saved:.*shown only here/);
      await expect(unsaved.textContent()).resolves.toContain('[mock]');
      expect(await page.getByTestId('enrichment-none').count()).toBe(1);
      await screenshot(page, 'lead-re-enrich-not-saved');
      await page.close();
    } finally {
      await rmdir(lock);
    }
  });
});
