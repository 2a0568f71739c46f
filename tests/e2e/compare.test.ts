import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsOf } from '@/lib/as-of';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { parseLeads } from '@/lib/lead';
import { ruleSetToJson } from '@/lib/rules-file';
import { rulesVersion } from '@/lib/scoring';
import { tuneRules } from '@/lib/tune/tune';
import { startNext, type NextServer } from '@/scripts/next-server';
import { browserPerFile, DESKTOP, PHONE, screenshot } from './browser';

/**
 * /validate with a candidate rule set (SCORING_RULES_CANDIDATE): its own server on the same build, with the
 * default rules as npm run tune re-weights them on the bundled leads as the candidate. The chart, the tier-move matrix, a
 * moved lead's link to its page, and that page's breakdown under the candidate.
 */

const session = browserPerFile();
let server: NextServer;
let dataDir: string;
let candidateVersion: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-compare-'));
  const leadsPath = path.join(dataDir, 'leads.json');
  await copyFile(path.resolve('data/synthetic_leads.json'), leadsPath);
  const leads = parseLeads(JSON.parse(await readFile(leadsPath, 'utf8'))).leads;
  // The default rules re-weighted on these leads: "what does the new version do that the live one did not?"
  const candidate = tuneRules(() => leads, { split: { by: 'hash', holdout: 0.3, seed: 1 }, asOf: resolveAsOf(leads, undefined), base: DEFAULT_RULES, name: 'Default rules, re-weighted' }).rules;
  candidateVersion = rulesVersion(candidate);
  await writeFile(path.join(dataDir, 'candidate.rules.json'), ruleSetToJson(candidate));
  server = await startNext({ LEADS_PATH: leadsPath, ENRICHMENTS_PATH: path.join(dataDir, 'enrichments.json'), SCORING_RULES_CANDIDATE: path.join(dataDir, 'candidate.rules.json') });
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('/validate with a candidate rule set', () => {
  it('shows both gains curves, both decile lifts, the tier-move matrix and the moved leads, and a moved lead opens with the candidate breakdown', async () => {
    const page = await session.newPage(DESKTOP);
    const response = await page.goto(`${server.url}/validate`);
    expect(response?.status()).toBe(200);
    await expect(page.getByTestId('candidate-note').textContent()).resolves.toContain(candidateVersion);

    const compare = page.getByTestId('compare');
    await expect(compare.getByRole('heading').first().textContent()).resolves.toBe('Candidate rules: Default rules, re-weighted');
    await expect(page.getByTestId('compare-verdict').textContent()).resolves.toMatch(/candidate − live.*[+-]0\.\d{3} \(95% CI -?0\.\d{3} to -?0\.\d{3}/s);
    const rows = await page.getByTestId('compare-row').allTextContents();
    expect(rows[0]).toMatch(/^ROC AUC \(95% CI\)0\.\d{3} \(95% CI/);
    expect(rows.some((r) => r.startsWith('Top-decile lift'))).toBe(true);

    // Charts render on the client: live, candidate and random lines; two bars per decile.
    await page.locator('[data-testid="compare-gains-chart"] svg.recharts-surface').first().waitFor();
    await expect.poll(() => page.locator('[data-testid="compare-gains-chart"] .recharts-line').count()).toBe(3);
    // Two bar series, one bar per decile each (a decile with lift 0 draws no rectangle).
    await expect.poll(() => page.locator('[data-testid="compare-decile-chart"] .recharts-bar').count()).toBe(2);
    await expect.poll(() => page.locator('[data-testid="compare-decile-chart"] .recharts-bar-rectangle').count()).toBeGreaterThan(10);

    // The matrix adds up to the graded leads the header names.
    const cells = await page.getByTestId('tier-move-cell').allTextContents();
    expect(cells).toHaveLength(9);
    const graded = Number(/(\d+) leads, \d+ converted/.exec((await compare.locator('p').first().textContent()) ?? '')?.[1]);
    expect(cells.reduce((sum, c) => sum + Number(c.replace(/,/g, '')), 0)).toBe(graded);
    await expect(page.getByTestId('tier-move-summary').textContent()).resolves.toMatch(new RegExp(`^\\d+ of ${graded} leads change tier`));

    // The drift section is there too (the live rules are the built-in ones: no histogram, a refitted model).
    await expect(page.getByTestId('drift-alarm').getAttribute('data-alarm')).resolves.toMatch(/^(true|false)$/);
    await expect(page.getByTestId('drift-model').count()).resolves.toBe(1);
    await screenshot(page, 'validate-compare-desktop', true);

    const moved = page.getByTestId('moved-lead').first();
    const id = await moved.getAttribute('data-lead');
    const cellsOf = await moved.locator('td').allTextContents();
    const candidateScore = Number(/^(\d+)/.exec(cellsOf[2]!.trim())?.[1]);
    await moved.getByRole('link').click();
    await page.waitForURL((url) => url.pathname === `/leads/${encodeURIComponent(id!)}` && url.searchParams.get('rules') === 'candidate');
    await page.getByTestId('candidate-score').waitFor();
    await expect(page.getByTestId('candidate-score').textContent()).resolves.toContain(`${candidateScore}`);
    await expect(page.getByTestId('breakdown-rules-version').textContent()).resolves.toBe(`rules ${candidateVersion}`);
    await expect(page.getByTestId('breakdown-card').getByRole('heading').textContent()).resolves.toBe('Score breakdown under the candidate rules: Default rules, re-weighted');
    await expect(page.getByTestId('breakdown-total').textContent()).resolves.toBe(`${candidateScore} / 100`);
    await expect(page.getByTestId('breakdown-check').getAttribute('data-adds-up')).resolves.toBe('true');
    await expect(page.getByTestId('breakdown-rules-candidate').getAttribute('aria-current')).resolves.toBe('page');
    await screenshot(page, 'lead-candidate-breakdown', true);

    // And back to the live rules' breakdown.
    await page.getByTestId('breakdown-rules-live').click();
    await page.waitForURL((url) => !url.searchParams.has('rules'));
    await expect(page.getByTestId('candidate-score').count()).resolves.toBe(0);
    await expect(page.getByTestId('breakdown-rules-version').textContent()).resolves.not.toContain(candidateVersion);
    await page.close();
  });

  it('takes ?k= with shares and ?capacity=, and names a bad value instead of failing', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${server.url}/validate?k=10,5%25&capacity=40`);
    const ks = await page.getByTestId('precision-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.k));
    expect(ks).toEqual(['10', '25']);
    await expect(page.getByTestId('precision-table').textContent()).resolves.toContain('5% (25)');
    await expect(page.getByTestId('capacity').textContent()).resolves.toMatch(/At a capacity of 40: top 40 leads \(score ≥ \d+/);
    await expect(page.getByTestId('compare-capacity').textContent()).resolves.toMatch(/Live: top \d+ leads/);
    await page.goto(`${server.url}/validate?k=ten&capacity=-3`);
    await expect(page.getByTestId('query-problems').textContent()).resolves.toMatch(/k "ten": each k is a whole number.*capacity "-3": capacity is a whole number/);
    const defaults = await page.getByTestId('precision-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.k));
    expect(defaults).toEqual(['25', '50', '100']);
    await page.close();
  });

  it('fits a phone', async () => {
    const page = await session.newPage(PHONE);
    await page.goto(`${server.url}/validate`);
    await page.locator('[data-testid="compare-gains-chart"] svg.recharts-surface').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'validate-compare-phone', true);
    await page.close();
  });
});
