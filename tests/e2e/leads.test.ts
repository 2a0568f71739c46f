import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { browserPerFile, DESKTOP, PHONE, screenshot } from './browser';

const baseUrl = inject('baseUrl');
const session = browserPerFile();

const rowData = (page: Page) =>
  page.getByTestId('lead-row').evaluateAll((rows) => {
    // The company cell by its column's heading, wherever the table puts it.
    const headings = [...document.querySelectorAll('[data-testid="lead-table"] thead th')].map((th) => th.textContent ?? '');
    const company = headings.findIndex((h) => h.startsWith('Company'));
    return rows.map((r) => {
      const el = r as HTMLElement;
      const cell = el.children[company];
      return { id: el.dataset.leadId!, score: Number(el.dataset.score), tier: el.dataset.tier!, company: cell?.getAttribute('title') ?? null, text: el.textContent ?? '' };
    });
  });

/** Total in "1–50 of 123 leads". */
async function resultTotal(page: Page): Promise<number> {
  const text = await page.getByTestId('result-count').textContent();
  const match = /([\d,]+) leads/.exec(text ?? '');
  return Number(match?.[1]?.replace(/,/g, ''));
}

function isSorted<T>(values: T[], compare: (a: T, b: T) => number): boolean {
  return values.every((v, i) => i === 0 || compare(values[i - 1]!, v) <= 0);
}

/** The store's text order: lower-cased, by code point, missing values last. */
const textOrder = (a: string | null, b: string | null) => {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

describe('lead table', () => {
  it('loads 50 leads sorted by score, highest first, with the data source and summary', async () => {
    const page = await session.newPage(DESKTOP);
    const response = await page.goto(`${baseUrl}/`);
    expect(response?.status()).toBe(200);
    const rows = await rowData(page);
    expect(rows).toHaveLength(50);
    expect(isSorted(rows.map((r) => r.score), (a, b) => b - a)).toBe(true);
    expect(await resultTotal(page)).toBe(500);
    expect(await page.getByRole('columnheader', { name: /Score/ }).getAttribute('aria-sort')).toBe('descending');
    const source = await page.getByTestId('data-source').textContent();
    expect(source).toContain('File store');
    expect(source).toContain('500 leads');
    expect(source).toContain('mock');
    await expect(page.getByTestId('summary-rules').textContent()).resolves.toMatch(/r_[0-9a-f]{12}/);
    await screenshot(page, 'leads-desktop');
    await page.close();
  });

  it('filters to HOT: every row shown is HOT, and the count matches the summary', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${baseUrl}/`);
    const hotInSummary = Number((await page.getByTestId('summary-HOT').locator('dd a').textContent())?.replace(/,/g, ''));
    await page.getByTestId('tier-filter-HOT').click();
    await page.locator('[data-testid="tier-filter-HOT"][aria-current="true"]').waitFor();
    expect(new URL(page.url()).searchParams.getAll('tier')).toEqual(['HOT']);
    const rows = await rowData(page);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.tier === 'HOT')).toBe(true);
    const badges = await page.getByTestId('lead-row').getByTestId('tier-badge').allTextContents();
    expect(badges.every((b) => b.trim() === 'HOT')).toBe(true);
    expect(await resultTotal(page)).toBe(hotInSummary);
    await screenshot(page, 'leads-hot-desktop');
    await page.close();
  });

  it('sorts by a column both ways when its header is clicked', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('sort-company').click();
    await page.locator('th[aria-sort="ascending"] [data-testid="sort-company"]').waitFor();
    expect(new URL(page.url()).searchParams.get('sort')).toBe('company');
    const ascending = (await rowData(page)).map((r) => r.company);
    expect(ascending.filter((c) => c !== null).length).toBeGreaterThan(10);
    expect(isSorted(ascending, textOrder)).toBe(true);

    await page.getByTestId('sort-company').click();
    await page.locator('th[aria-sort="descending"] [data-testid="sort-company"]').waitFor();
    const descending = (await rowData(page)).map((r) => r.company).filter((c): c is string => c !== null);
    expect(isSorted(descending, (a, b) => textOrder(b, a))).toBe(true);
    expect(descending[0]).not.toBe(ascending[0]);
    await page.close();
  });

  it('keeps its state in the URL, and back/forward restore it', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${baseUrl}/?tier=WARM&sort=name`);
    await page.locator('th[aria-sort="ascending"] [data-testid="sort-name"]').waitFor();
    const warmByName = await rowData(page);
    expect(warmByName.every((r) => r.tier === 'WARM')).toBe(true);

    await page.getByTestId('sort-score').click();
    await page.locator('th[aria-sort="descending"] [data-testid="sort-score"]').waitFor();
    expect(new URL(page.url()).searchParams.get('sort')).toBeNull();
    expect(new URL(page.url()).searchParams.get('tier')).toBe('WARM');
    const warmByScore = await rowData(page);
    expect(isSorted(warmByScore.map((r) => r.score), (a, b) => b - a)).toBe(true);

    await page.getByRole('link', { name: 'Next page' }).click();
    await page.getByTestId('page-indicator').filter({ hasText: /Page 2 of/ }).waitFor();
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');

    await page.goBack();
    await page.getByTestId('page-indicator').filter({ hasText: /Page 1 of/ }).waitFor();
    expect((await rowData(page)).map((r) => r.id)).toEqual(warmByScore.map((r) => r.id));

    await page.goBack();
    await page.locator('th[aria-sort="ascending"] [data-testid="sort-name"]').waitFor();
    expect(new URL(page.url()).searchParams.get('sort')).toBe('name');
    expect((await rowData(page)).map((r) => r.id)).toEqual(warmByName.map((r) => r.id));

    await page.goForward();
    await page.locator('th[aria-sort="descending"] [data-testid="sort-score"]').waitFor();
    expect((await rowData(page)).map((r) => r.id)).toEqual(warmByScore.map((r) => r.id));
    await page.close();
  });

  it('searches by company as you type, and the search box follows back/forward', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${baseUrl}/?sort=company`);
    const company = (await rowData(page)).find((r) => r.company)!.company!;
    const term = company.split(/[\s,]+/)[0]!;
    await page.getByTestId('lead-search').fill(term);
    await page.waitForURL((url) => url.searchParams.get('q') === term);
    await page.getByTestId('result-count').filter({ hasNotText: /of 500 leads/ }).waitFor();
    const rows = await rowData(page);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.text.toLowerCase().includes(term.toLowerCase()))).toBe(true);

    // The search was one history entry: back returns to the list as it was before it.
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('sort') === 'company' && !url.searchParams.has('q'));
    await expect.poll(() => page.getByTestId('lead-search').inputValue()).toBe('');
    await page.getByTestId('result-count').filter({ hasText: /of 500 leads/ }).waitFor();
    await page.close();
  });

  it('ignores bad URL values instead of failing', async () => {
    const page = await session.newPage(DESKTOP);
    const response = await page.goto(`${baseUrl}/?sort=bogus&dir=sideways&page=-3&tier=LUKEWARM&confidence=very`);
    expect(response?.status()).toBe(200);
    const rows = await rowData(page);
    expect(rows).toHaveLength(50);
    expect(isSorted(rows.map((r) => r.score), (a, b) => b - a)).toBe(true);
    expect(await resultTotal(page)).toBe(500);
    await page.close();
  });

  it('fits a phone: the page does not scroll sideways, the table scrolls inside its frame', async () => {
    const page = await session.newPage(PHONE);
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('lead-table').waitFor();
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      table: document.querySelector('[data-testid="lead-table"]')!.scrollWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.table).toBeGreaterThan(widths.viewport);
    // Name, score and tier come first: all three in view before any sideways scrolling.
    const first = page.getByTestId('lead-row').first();
    await first.scrollIntoViewIfNeeded();
    const inView = (box: { x: number; width: number } | null) => box !== null && box.x >= 0 && box.x + box.width <= PHONE.width;
    expect(inView(await first.getByTestId('lead-link').boundingBox())).toBe(true);
    expect(inView(await first.getByTestId('lead-score').boundingBox())).toBe(true);
    expect(inView(await first.getByTestId('tier-badge').boundingBox())).toBe(true);
    expect(await page.getByRole('columnheader').nth(1).textContent()).toMatch(/^Score/);
    expect(await page.getByRole('columnheader').nth(2).textContent()).toMatch(/^Tier/);
    await screenshot(page, 'leads-phone');
    await screenshot(page, 'leads-phone-full', true);
    // Scrolled sideways, the name column stays in view next to the score and tier.
    await page.getByTestId('lead-table').evaluate((table) => {
      table.parentElement!.scrollLeft = 600;
      table.scrollIntoView();
    });
    const nameCell = await page.getByTestId('lead-row').first().locator('th').boundingBox();
    expect(nameCell?.x).toBeLessThan(40);
    await screenshot(page, 'leads-phone-scrolled');
    await page.close();
  });
});
