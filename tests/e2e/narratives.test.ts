import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsOf } from '@/lib/as-of';
import { buildEnrichment, ZERO_USAGE } from '@/lib/enrichment/enrich';
import { checkNarrative } from '@/lib/enrichment/grounding';
import type { Enrichment } from '@/lib/enrichment/schema';
import { leadInputHash, parseLeads, toScorable } from '@/lib/lead';
import { DEFAULT_RULES, scoreLead } from '@/lib/scoring';
import { startNext, type NextServer } from '@/scripts/next-server';
import { browserPerFile, DESKTOP, PHONE, screenshot } from './browser';

/**
 * Grounding flags and SDR feedback in the browser. Its own server (the same build) on a copy of the
 * bundled leads with two Claude narratives written here and checked by the real grounding checks: one
 * the checks flag (a HOT tier for a WARM lead, a tool the record never names), one they pass.
 */

const session = browserPerFile();
let server: NextServer;
let dataDir: string;
const FLAGGED_ID = 'lead_000041';
const CLEAN_ID = 'lead_000015';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-narratives-'));
  const leadsPath = path.join(dataDir, 'leads.json');
  await copyFile(path.resolve('data/synthetic_leads.json'), leadsPath);
  const { leads } = parseLeads(JSON.parse(await readFile(leadsPath, 'utf8')));
  const now = resolveAsOf(leads, undefined);
  const narrative = (id: string, fit_narrative: string, recommended_action: string): Enrichment => {
    const lead = toScorable(leads.find((l) => l.id === id)!);
    const result = scoreLead(lead, { rules: DEFAULT_RULES, now });
    const output = { fit_narrative, recommended_action, confidence: 'high' as const };
    return buildEnrichment({
      leadId: id,
      inputHash: leadInputHash(lead),
      rulesVersion: result.rulesVersion,
      score: result.score,
      output,
      source: 'claude',
      model: 'claude-sonnet-5-5',
      usage: ZERO_USAGE,
      costUsd: 0,
      latencyMs: 1200,
      enrichedAt: new Date('2026-11-01T09:00:00.000Z'),
      checks: checkNarrative({ lead, result, rules: DEFAULT_RULES }, output),
    });
  };
  const enrichments = [
    narrative(FLAGGED_ID, 'A HOT lead: Sales Ops Analyst at a 12-person software company that already runs Salesforce.', 'Send a tailored follow-up and offer the demo slot.'),
    narrative(CLEAN_ID, 'Sales ops manager at Conroy LLC (about 920 employees, B2B SaaS) who requested a demo and checked pricing 2 times.', 'Call today and reference the demo request.'),
  ];
  expect(enrichments.map((e) => e.checks!.findings.length > 0)).toEqual([true, false]);
  await writeFile(path.join(dataDir, 'enrichments.json'), JSON.stringify({ version: 1, enrichments: Object.fromEntries(enrichments.map((e) => [e.lead_id, e])) }));
  server = await startNext({ LEADS_PATH: leadsPath, ENRICHMENTS_PATH: path.join(dataDir, 'enrichments.json') });
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('grounding flags', () => {
  it('marks a flagged narrative on its lead page with what to verify, and a passed one as passed', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${server.url}/leads/${FLAGGED_ID}`);
    const notice = page.getByTestId('grounding');
    expect(await notice.getAttribute('data-grounding')).toBe('flagged');
    await expect(notice.textContent()).resolves.toContain('Check before acting');
    const checks = await page.getByTestId('grounding-finding').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.check).sort());
    expect(checks).toEqual(['invented_tool', 'tier_mismatch']);
    await expect(page.getByTestId('grounding-finding').first().textContent()).resolves.toMatch(/Salesforce|HOT/);
    await screenshot(page, 'narrative-flagged-desktop', true);

    await page.goto(`${server.url}/leads/${CLEAN_ID}`);
    expect(await page.getByTestId('grounding').getAttribute('data-grounding')).toBe('clean');
    await page.close();
  });

  it('counts flagged narratives with the Grounding filter, shared through the URL', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(server.url);
    const filter = page.getByTestId('filter-grounding');
    await filter.selectOption({ label: 'Flagged' });
    await page.waitForURL(/[?&]grounding=flagged\b/);
    await page.locator('[data-testid="lead-row"]').first().waitFor();
    const rows = page.getByTestId('lead-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-lead-id')).toBe(FLAGGED_ID);
    await expect(rows.first().getByTestId('grounding-flag').textContent()).resolves.toContain('flagged');
    await screenshot(page, 'leads-grounding-filter-desktop');

    await page.goto(`${server.url}/?grounding=clean`);
    await expect(page.getByTestId('lead-row').count()).resolves.toBe(1);
    expect(await page.getByTestId('lead-row').first().getAttribute('data-lead-id')).toBe(CLEAN_ID);
    await page.close();
  });
});

describe('SDR feedback', () => {
  it('records Wrong with a reason, shows it after a reload, never changes the score, and counts it on /validate', async () => {
    const page = await session.newPage(DESKTOP);
    await page.goto(`${server.url}/leads/${FLAGGED_ID}`);
    const score = await page.getByTestId('lead-score').textContent();
    const wrong = page.getByTestId('feedback-wrong');
    expect(await wrong.getAttribute('aria-pressed')).toBe('false');

    const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/feedback'), wrong.click()]);
    expect(response.status()).toBe(200);
    await page.locator('[data-testid="feedback"][data-mine="wrong"]').waitFor();
    expect(await wrong.getAttribute('aria-pressed')).toBe('true');
    await expect(page.getByTestId('feedback-counts').textContent()).resolves.toContain('0 helpful · 1 wrong');

    await page.getByTestId('feedback-reason-toggle').click();
    await page.getByTestId('feedback-reason').fill('They do not use Salesforce, and the tier is WARM.');
    const [saved] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/feedback'), page.getByTestId('feedback-save-reason').click()]);
    expect(saved.status()).toBe(200);
    await page.locator('[data-testid="feedback-status"][data-state="saved"]').waitFor();

    await page.reload();
    await expect(page.getByTestId('feedback-status').textContent()).resolves.toContain('You said wrong: “They do not use Salesforce, and the tier is WARM.”');
    await expect(page.getByTestId('feedback-counts').textContent()).resolves.toContain('0 helpful · 1 wrong');
    expect(await page.getByTestId('lead-score').textContent()).toBe(score);
    await screenshot(page, 'narrative-feedback-desktop', true);

    // A second verdict from the same person replaces the first, without the reason written for "wrong".
    await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/feedback'), page.getByTestId('feedback-helpful').click()]);
    await page.locator('[data-testid="feedback"][data-mine="helpful"]').waitFor();
    await expect(page.getByTestId('feedback-counts').textContent()).resolves.toContain('1 helpful · 0 wrong');
    await page.reload();
    await expect(page.getByTestId('feedback-status').textContent()).resolves.toBe('You said helpful.');

    await page.goto(`${server.url}/validate`);
    const section = page.getByTestId('narratives-section');
    expect(await section.getAttribute('data-source')).toBe('claude');
    await expect(page.getByTestId('narrative-agreement').textContent()).resolves.toBe('100.0%');
    await expect(page.getByTestId('narrative-flagged-rate').textContent()).resolves.toMatch(/^1 of 2 narratives flagged/);
    await screenshot(page, 'validate-narratives-desktop', true);
    await page.close();
  });

  it('fits a phone', async () => {
    const page = await session.newPage(PHONE);
    await page.goto(`${server.url}/leads/${FLAGGED_ID}`);
    await page.getByTestId('feedback').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'narrative-flagged-phone', true);
    await page.goto(`${server.url}/validate`);
    await page.getByTestId('narratives-section').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.close();
  });
});
