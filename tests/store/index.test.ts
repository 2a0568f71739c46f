import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { ruleSetToJson } from '@/lib/rules-file';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-store-index-'));
  await fs.writeFile(path.join(dir, 'leads.json'), JSON.stringify([{ id: 'a', first_name: 'Ada', last_activity_at: '2026-10-01T00:00:00Z' }]));
  vi.stubEnv('LEAD_STORE', 'file');
  vi.stubEnv('LEADS_PATH', path.join(dir, 'leads.json'));
  vi.stubEnv('ENRICHMENTS_PATH', path.join(dir, 'enrichments.json'));
  vi.stubEnv('SCORING_RULES', path.join(dir, 'rules.json'));
  vi.stubEnv('SCORING_AS_OF', '');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('getStore / getRules', () => {
  it('fails clearly while SCORING_RULES points nowhere, then loads once the file exists, and memoises both', async () => {
    const { getRules, getStore } = await import('@/lib/store');
    await expect(getStore()).rejects.toMatchObject({ code: 'CONFIG_ERROR', message: expect.stringContaining('(set by SCORING_RULES)') });

    await fs.writeFile(path.join(dir, 'rules.json'), ruleSetToJson(DEFAULT_RULES));
    const store = await getStore();
    expect(store.kind).toBe('file');
    expect(await getStore()).toBe(store);
    expect(await getRules()).toBe(await getRules());
    expect(await getRules()).toEqual(DEFAULT_RULES);
    expect((await store.getLead('a'))?.lead.first_name).toBe('Ada');
  });
});
