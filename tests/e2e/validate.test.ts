import { describe, expect, inject, it } from 'vitest';
import { browserPerFile, DESKTOP, PHONE, screenshot } from './browser';

const baseUrl = inject('baseUrl');
const session = browserPerFile();

describe('backtest page', () => {
  it('shows the base rate, tier and precision tables, AUC and both charts', async () => {
    const page = await session.newPage(DESKTOP);
    const response = await page.goto(`${baseUrl}/validate`);
    expect(response?.status()).toBe(200);

    await expect(page.getByTestId('stat-n').textContent()).resolves.toContain('500');
    await expect(page.getByTestId('stat-base-rate').textContent()).resolves.toMatch(/\d+\.\d%/);
    const auc = Number((await page.getByTestId('stat-auc').locator('dd').first().textContent())?.trim());
    expect(auc).toBeGreaterThan(0.5);
    expect(auc).toBeLessThanOrEqual(1);
    await expect(page.getByTestId('holdout-note').textContent()).resolves.toContain('never sees');

    const tiers = await page.getByTestId('tier-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.tier));
    expect(tiers).toEqual(['HOT', 'WARM', 'COLD']);
    await expect(page.getByTestId('tier-table').textContent()).resolves.toMatch(/\d+\.\d% – \d+\.\d%/);
    const ks = await page.getByTestId('precision-row').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.k)));
    expect(ks).toEqual([25, 50, 100]);

    // Charts render on the client (Recharts): wait for the SVGs and their marks.
    await page.locator('[data-testid="decile-chart"] svg.recharts-surface').first().waitFor();
    await page.locator('[data-testid="gains-chart"] svg.recharts-surface').first().waitFor();
    await expect.poll(() => page.locator('[data-testid="decile-chart"] .recharts-bar-rectangle').count()).toBe(10);
    await expect.poll(() => page.locator('[data-testid="gains-chart"] .recharts-line').count()).toBe(2);
    // AUC with its interval; no candidate configured, so no comparison; the drift check is there.
    await expect(page.getByTestId('stat-auc').textContent()).resolves.toMatch(/95% interval 0\.\d{3}–0\.\d{3} \(DeLong\)/);
    await expect(page.getByTestId('compare').count()).resolves.toBe(0);
    await expect(page.getByTestId('candidate-note').count()).resolves.toBe(0);
    await expect(page.getByTestId('drift-alarm').textContent()).resolves.toMatch(/drift alarm/i);
    await screenshot(page, 'validate-desktop', true);
    await page.close();
  });

  it('fits a phone', async () => {
    const page = await session.newPage(PHONE);
    await page.goto(`${baseUrl}/validate`);
    await page.locator('[data-testid="gains-chart"] svg.recharts-surface').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'validate-phone', true);
    await page.close();
  });
});
