import { describe, expect, inject, it } from 'vitest';
import { browserPerFile, DESKTOP, PHONE, screenshot } from './browser';

const baseUrl = inject('baseUrl');
const session = browserPerFile();

describe('field profile page', () => {
  it('is linked from the backtest and shows every field with a bar per value, design half only', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${baseUrl}/validate`);
    await page.getByTestId('profile-link').click();
    await page.waitForURL(/\/validate\/profile$/);
    await page.getByRole('heading', { level: 1, name: 'Field profile' }).waitFor();
    await expect(page.getByTestId('profile-half').textContent()).resolves.toMatch(/Design half only: [\d,]+ of 500 leads/);

    const fields = await page.getByTestId('profile-field').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.field));
    expect(fields).toEqual(expect.arrayContaining(['demo_requested', 'industry', 'employee_count', 'last_activity_at']));
    // Strongest first: the ranking lists fields by information value, descending.
    const ivs = await page.getByTestId('profile-iv').evaluateAll((els) => els.map((e) => Number(/IV ([\d.]+)/.exec(e.textContent ?? '')?.[1])));
    expect(ivs).toEqual([...ivs].sort((a, b) => b - a));

    const demo = page.locator('[data-testid="profile-field"][data-field="demo_requested"]');
    const kinds = await demo.getByTestId('profile-bucket').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.kind));
    expect(kinds).toEqual(expect.arrayContaining(['yes', 'no']));
    await expect(demo.getByRole('img').first().getAttribute('aria-label')).resolves.toMatch(/yes: \d+\.\d% converted \(95% interval/);
    expect(await page.getByTestId('profile-bar').count()).toBeGreaterThan(20);
    await expect(page.getByTestId('profile-small').textContent()).resolves.toMatch(/Small sample/);
    await screenshot(page, 'profile-desktop', true);
    await demo.scrollIntoViewIfNeeded();
    await screenshot(page, 'profile-desktop-field');
    await page.close();
  });

  it('fits a phone', async () => {
    const page = await session.newPage(PHONE);
    await page.goto(`${baseUrl}/validate/profile`);
    await page.getByTestId('profile-ranking').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'profile-phone');
    await page.close();
  });
});
