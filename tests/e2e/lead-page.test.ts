import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { browserPerFile, DESKTOP, PHONE, screenshot } from './browser';

const baseUrl = inject('baseUrl');
const rateLimit = inject('rateLimit');
const session = browserPerFile();
let leads: { id: string; industry?: string; company_description?: string }[];

beforeAll(async () => {
  leads = JSON.parse(await readFile(path.resolve('data/synthetic_leads.json'), 'utf8')) as typeof leads;
});

describe('lead page', () => {
  it('opens from the table and shows a breakdown whose points add up to the score', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${baseUrl}/`);
    const firstRow = page.getByTestId('lead-row').first();
    const listedScore = Number(await firstRow.getAttribute('data-score'));
    await firstRow.getByTestId('lead-link').click();
    await page.getByTestId('breakdown-table').waitFor();
    expect(page.url()).toMatch(/\/leads\/[^/]+$/);

    const score = Number((await page.getByTestId('lead-score').textContent())?.match(/^\d+/)?.[0]);
    expect(score).toBe(listedScore);
    const points = await page.getByTestId('breakdown-row').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.points)));
    expect(points.length).toBeGreaterThanOrEqual(4);
    expect(points.reduce((a, b) => a + b, 0)).toBe(score);
    const subtotals = await page.getByTestId('breakdown-category').evaluateAll((groups) =>
      groups.map((g) => ({ points: Number((g as HTMLElement).dataset.points), cap: Number((g as HTMLElement).dataset.cap) })),
    );
    expect(subtotals.reduce((a, g) => a + g.points, 0)).toBe(score);
    expect(subtotals.reduce((a, g) => a + g.cap, 0)).toBe(100);
    expect(subtotals.every((g) => g.points <= g.cap)).toBe(true);
    expect(await page.getByTestId('breakdown-check').getAttribute('data-adds-up')).toBe('true');
    await expect(page.getByTestId('breakdown-check').textContent()).resolves.toContain(`matches the score of ${score}`);
    // A B2B lead: who it is, and what its company does.
    await expect(page.getByTestId('who-card').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('description-card').isVisible()).resolves.toBe(true);
    await screenshot(page, 'lead-desktop', true);
    await page.close();
  });

  it('shows a missing field as "unknown", distinct from zero, and the description as plain text', async () => {
    const lead = leads.find((l) => l.industry === undefined && l.company_description)!;
    const page = await session.newPage(DESKTOP);
    await page.goto(`${baseUrl}/leads/${encodeURIComponent(lead.id)}`);
    const unknownRow = page.locator('[data-testid="breakdown-row"][data-unknown="true"]').filter({ hasText: 'Industry fit' });
    await expect(unknownRow.textContent()).resolves.toContain('unknown');
    expect(await unknownRow.getAttribute('data-points')).toBe('0');
    expect(await page.getByTestId('company-description').textContent()).toBe(lead.company_description!.trim());
    await page.close();
  });

  it('re-enriches in mock mode with the mock label, then shows the rate limit', async () => {
    const lead = leads[7]!;
    const page = await session.newPage(DESKTOP);
    await page.goto(`${baseUrl}/leads/${encodeURIComponent(lead.id)}`);
    const button = page.getByTestId('re-enrich');
    const status = page.getByTestId('re-enrich-status');
    // Enabled once hydrated.
    await expect.poll(() => button.isEnabled()).toBe(true);

    const enrich = async () => {
      const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/enrich'), button.click()]);
      return response.status();
    };

    expect(await enrich()).toBe(200);
    await page.locator('[data-testid="re-enrich-status"][data-state="done"]').waitFor();
    await expect(status.textContent()).resolves.toContain('MOCK — not written by Claude');
    // router.refresh() brings the saved narrative into the server-rendered panel.
    await page.getByTestId('mock-label').waitFor();
    await expect(page.getByTestId('fit-narrative').textContent()).resolves.toMatch(/\S/);
    expect(await page.getByTestId('enrichment').getAttribute('data-status')).toBe('mock');
    await expect.poll(() => button.isEnabled()).toBe(true);
    await screenshot(page, 'lead-re-enriched-desktop');

    // The first click used one of `rateLimit` requests for this browser's address; use up the rest, then one more.
    for (let i = 1; i < rateLimit; i++) {
      expect(await enrich()).toBe(200);
      await expect.poll(() => button.isEnabled()).toBe(true);
    }
    expect(await enrich()).toBe(429);
    await page.locator('[data-testid="re-enrich-status"][data-state="error"]').waitFor();
    await expect(status.textContent()).resolves.toMatch(/Rate limit reached\. Try again in \d+ (s|min|h)/);
    expect(await status.locator('[data-error-code]').getAttribute('data-error-code')).toBe('RATE_LIMITED');
    await screenshot(page, 'lead-rate-limited-desktop');
    await page.close();
  });

  it('answers an unknown lead id with a 404 page', async () => {
    const page = await session.newPage(DESKTOP);
    const response = await page.goto(`${baseUrl}/leads/lead_does_not_exist`);
    expect(response?.status()).toBe(404);
    await expect(page.getByTestId('not-found').textContent()).resolves.toContain('Lead not found');
    const other = await page.goto(`${baseUrl}/no/such/page`);
    expect(other?.status()).toBe(404);
    await screenshot(page, 'not-found-desktop');
    await page.close();
  });

  it('fits a phone', async () => {
    const page = await session.newPage(PHONE);
    await page.goto(`${baseUrl}/leads/${encodeURIComponent(leads[0]!.id)}`);
    await page.getByTestId('breakdown-table').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'lead-phone', true);
    await page.close();
  });
});
