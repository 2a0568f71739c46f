import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@/lib/default-rules';
import { loadRuleSet, ruleSetToJson } from '@/lib/rules-file';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-rules-file-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('loadRuleSet', () => {
  it('returns the built-in rules themselves when no file is given', async () => {
    expect(await loadRuleSet()).toBe(DEFAULT_RULES);
    expect(await loadRuleSet(undefined)).toBe(DEFAULT_RULES);
  });

  it('round-trips the printed default rules through a file', async () => {
    const text = ruleSetToJson(DEFAULT_RULES);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "tiers": {\n    "hot": 75,');
    const target = path.join(dir, 'rules.json');
    await fs.writeFile(target, text);
    expect(await loadRuleSet(target)).toEqual(DEFAULT_RULES);
  });

  it('lists every issue by rule id and field, naming the file', async () => {
    const broken = structuredClone(DEFAULT_RULES) as unknown as { rules: Record<string, unknown>[] };
    const pricing = broken.rules.find((r) => r.id === 'pricing_page_views')!;
    pricing.cap = 2.5;
    const demo = broken.rules.find((r) => r.id === 'demo_requested')!;
    demo.field = 'converted';
    const target = path.join(dir, 'broken-rules.json');
    await fs.writeFile(target, JSON.stringify(broken));

    const error = (await loadRuleSet(target).catch((e: unknown) => e)) as { code: string; message: string; issues: unknown[] };
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(target);
    expect(error.message).toContain('rule "pricing_page_views", field cap: points must be whole numbers');
    expect(error.message).toContain('rule "demo_requested", field field: the outcome "converted" can never be scored');
    expect(error.issues).toHaveLength(2);
  });

  it('names the setting when the file is missing, and the position when the JSON is broken', async () => {
    const missing = path.join(dir, 'none.json');
    await expect(loadRuleSet(missing, { origin: 'SCORING_RULES' })).rejects.toMatchObject({
      code: 'CONFIG_ERROR',
      message: `Rule set file not found: ${missing} (set by SCORING_RULES)`,
    });
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(bad, '{"name": "x",\n "tiers": {"hot": 1,}}');
    await expect(loadRuleSet(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/bad\.json is not valid JSON: .*\(line 2, column 21\)$/) });
  });
});
