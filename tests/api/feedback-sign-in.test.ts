import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setPasswordAccount } from '@/lib/auth/accounts';
import { openAuth } from '@/lib/auth/server';
import { parseEnv } from '@/lib/env';
import { sessionCookie } from '../support/sign-in';
import { DEFAULT_RULES } from '@/lib/scoring';
import { createFileStore } from '@/lib/store/file';

/**
 * POST /api/feedback with sign-in configured (AUTH_MODE=password, users in a SQLite file), sessions
 * made by the app's own sign-in route: feedback needs a signed-in user, any one on the sign-in list
 * (not only those who may re-enrich), and records who gave it.
 */

const AUTH_URL = 'http://127.0.0.1:3998';
const PASSWORD = 'correct horse battery';
const ENV = {
  AUTH_MODE: 'password',
  AUTH_SECRET: 'feedback-test-secret-'.repeat(3),
  AUTH_URL,
  AUTH_ALLOWED_EMAILS: '@acme.test',
  AUTH_RE_ENRICH_EMAILS: 'ops@acme.test',
};

let dir: string;
let leadId: string;
let enrichedAt: string;
const files = () => ({ leadsPath: path.join(dir, 'leads.json'), enrichmentsPath: path.join(dir, 'enrichments.json'), feedbackPath: path.join(dir, 'feedback.json') });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-feedback-auth-'));
  const leads = (JSON.parse(await readFile(path.resolve('data/synthetic_leads.json'), 'utf8')) as { id: string }[]).slice(0, 3);
  leadId = leads[0]!.id;
  await writeFile(files().leadsPath, JSON.stringify(leads));
  const store = createFileStore({ ...files(), rules: DEFAULT_RULES });
  const scored = (await store.getLead(leadId))!;
  enrichedAt = '2026-11-01T09:00:00.000Z';
  await store.saveEnrichments([
    {
      lead_id: leadId,
      fit_narrative: 'Light engagement so far.',
      recommended_action: 'Send a tailored follow-up.',
      confidence: 'medium',
      source: 'mock',
      model: 'mock',
      prompt_version: 'lead-fit-v1',
      input_hash: scored.inputHash,
      rules_version: scored.rulesVersion,
      score: scored.score,
      usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      cost_usd: 0,
      latency_ms: 1,
      enriched_at: enrichedAt,
      checks: { version: 'grounding-v1', findings: [] },
    },
  ]);
  const config = parseEnv({ ...ENV, AUTH_DB_PATH: path.join(dir, 'auth.sqlite') });
  const opened = await openAuth(config);
  await setPasswordAccount(opened.auth, config, { email: 'sdr@acme.test', password: PASSWORD });
  await opened.close();
  // An account made while the list was wider: its session is refused now.
  const wider = parseEnv({ ...ENV, AUTH_ALLOWED_EMAILS: '*', AUTH_DB_PATH: config.AUTH_DB_PATH });
  const before = await openAuth(wider);
  await setPasswordAccount(before.auth, wider, { email: 'eve@elsewhere.test', password: PASSWORD });
  await before.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  vi.resetModules();
  vi.stubEnv('LEAD_STORE', 'file');
  vi.stubEnv('LEADS_PATH', files().leadsPath);
  vi.stubEnv('ENRICHMENTS_PATH', files().enrichmentsPath);
  vi.stubEnv('FEEDBACK_PATH', files().feedbackPath);
  vi.stubEnv('AUTH_DB_PATH', path.join(dir, 'auth.sqlite'));
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const signIn = (email: string) => sessionCookie(AUTH_URL, email, PASSWORD);

async function give(cookie: string | null) {
  const { POST } = await import('@/app/api/feedback/route');
  return POST(
    new Request(`${AUTH_URL}/api/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ leadId, enrichedAt, verdict: 'helpful' }),
    }),
  );
}

describe('POST /api/feedback with sign-in', () => {
  it('answers 401 without a session, saving nothing', async () => {
    const response = await give(null);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect(await createFileStore({ ...files(), rules: DEFAULT_RULES }).feedback()).toEqual([]);
  });

  it('answers 403 for a session whose email is no longer on the sign-in list', async () => {
    vi.stubEnv('AUTH_ALLOWED_EMAILS', '*');
    const cookie = await signIn('eve@elsewhere.test');
    vi.stubEnv('AUTH_ALLOWED_EMAILS', '@acme.test');
    vi.resetModules();
    const response = await give(cookie);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('eve@elsewhere.test is not on the list');
  });

  it('records a signed-in SDR (not on the re-enrich list) by id, email and name', async () => {
    const response = await give(await signIn('sdr@acme.test'));
    expect(response.status).toBe(200);
    const [saved] = await createFileStore({ ...files(), rules: DEFAULT_RULES }).feedback();
    expect(saved!.author).toEqual({ key: expect.any(String), email: 'sdr@acme.test', name: expect.any(String) });
    expect(saved!.author.key).not.toBe('local');
  });
});
