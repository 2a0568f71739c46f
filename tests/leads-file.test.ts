import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/errors';
import { loadLeadsFile } from '@/lib/leads-file';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-leads-file-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const target = path.join(dir, name);
  await fs.writeFile(target, text);
  return target;
}

const MIXED = JSON.stringify([
  { id: 'a', first_name: 'Ada', email: 'ADA@Example.com' },
  { id: 'b', employee_count: -3, email: 'not-an-email' },
  { id: 'c', created_at: null, industry: '' },
  { first_name: 'No id' },
]);

describe('loadLeadsFile', () => {
  it('loads and normalises a valid file', async () => {
    const target = await file('ok.json', '\uFEFF[{"id": 1, "email": "A@B.co", "industry": null}]');
    expect(await loadLeadsFile(target)).toEqual({ leads: [{ id: '1', email: 'a@b.co' }], issues: [], rejected: 0 });
  });

  it('fails on bad records by default, listing every bad record and field', async () => {
    const target = await file('mixed.json', MIXED);
    const error = await loadLeadsFile(target).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('INVALID_INPUT');
    const { message, issues } = error as { message: string; issues: { record: string; field: string }[] };
    expect(message).toContain(target);
    expect(message).toContain('2 of 4 records are invalid');
    expect(message).toContain('record "b" (#1), field employee_count');
    expect(message).toContain('record "b" (#1), field email');
    expect(message).toContain('record #3, field id');
    expect(issues.map((i) => `${i.record}:${i.field}`).sort()).toEqual(['"b" (#1):email', '"b" (#1):employee_count', '#3:id']);
  });

  it('returns the good records and every issue when told to skip invalid ones', async () => {
    const target = await file('mixed2.json', MIXED);
    const result = await loadLeadsFile(target, { skipInvalid: true });
    expect(result.leads.map((l) => l.id)).toEqual(['a', 'c']);
    expect(result.rejected).toBe(2);
    expect(result.issues).toHaveLength(3);
  });

  it('names the file and the line and column of broken JSON', async () => {
    const target = await file('broken.json', '[\n  {"id": "a"},\n  {"id": "b",}\n]');
    await expect(loadLeadsFile(target)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(new RegExp(`broken\\.json is not valid JSON: .*\\(line 3, column 14\\)`)),
    });
  });

  it('refuses a file that is not an array', async () => {
    const target = await file('object.json', '{"leads": []}');
    await expect(loadLeadsFile(target, { skipInvalid: true })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('found an object') });
  });

  it('reports a missing file as a configuration error naming the path and the setting that chose it', async () => {
    const target = path.join(dir, 'missing.json');
    await expect(loadLeadsFile(target, { origin: 'LEADS_PATH' })).rejects.toMatchObject({
      code: 'CONFIG_ERROR',
      message: `Leads file not found: ${target} (set by LEADS_PATH)`,
    });
    await expect(loadLeadsFile(target)).rejects.toMatchObject({ message: `Leads file not found: ${target}` });
  });
});

// The same files read element by element, as files past WHOLE_READ_LIMIT are: the same leads, the same issues.
describe('loadLeadsFile past the whole-read limit', () => {
  const large = { wholeReadLimit: 0 };

  it('loads what the whole read loads, byte-order mark and all', async () => {
    const target = await file('ok-large.json', '\uFEFF[{"id": 1, "email": "A@B.co", "industry": null}]');
    expect(await loadLeadsFile(target, large)).toEqual(await loadLeadsFile(target));
    expect(await loadLeadsFile(target, large)).toEqual({ leads: [{ id: '1', email: 'a@b.co' }], issues: [], rejected: 0 });
  });

  it('reports the same bad records and fields, and skips them when told to', async () => {
    const target = await file('mixed-large.json', MIXED);
    const whole = await loadLeadsFile(target).catch((e: unknown) => e);
    const streamed = await loadLeadsFile(target, large).catch((e: unknown) => e);
    expect(isAppError(streamed) && streamed.code).toBe('INVALID_INPUT');
    expect((streamed as Error).message).toBe((whole as Error).message);
    expect(await loadLeadsFile(target, { ...large, skipInvalid: true })).toEqual(await loadLeadsFile(target, { skipInvalid: true }));
  });

  it('rejects a duplicate id, as the whole read does', async () => {
    const target = await file('dupe-large.json', '[{"id": "a"}, {"id": "a"}]');
    await expect(loadLeadsFile(target, large)).rejects.toMatchObject({ message: expect.stringContaining('record "a" (#1), field id: duplicate id') });
  });

  it('names the file and the element where the JSON broke', async () => {
    const target = await file('broken-large.json', '[\n  {"id": "a"},\n  {"id": "b",}\n]');
    await expect(loadLeadsFile(target, large)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(new RegExp(`broken-large\\.json is not valid JSON at element #1: `)),
    });
    const cut = await file('cut-large.json', '[{"id": "a"}, {"id": "b"}, {"id": "c", "first_');
    const error = await loadLeadsFile(cut, large).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('INVALID_INPUT');
    // DuckDB's words, naming the user's path rather than the link it read through.
    expect((error as Error).message).toMatch(/is not valid JSON: Malformed JSON in file ".*unexpected end of data/);
    expect((error as Error).message).toContain(`${cut} is not valid JSON: Malformed JSON in file "${cut}"`);
  });

  it('refuses a file that is not an array', async () => {
    const target = await file('object-large.json', '{"leads": []}');
    await expect(loadLeadsFile(target, { ...large, skipInvalid: true })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('must hold a JSON array') });
  });

  it('reads a file whose name looks like a glob pattern as that file', async () => {
    await file('leads [2026].json', '[{"id": "other"}]');
    const target = await file('leads [2026]*.json', '[{"id": "this"}]');
    expect((await loadLeadsFile(target, large)).leads.map((l) => l.id)).toEqual(['this']);
  });

  it('reads an empty array as no leads', async () => {
    const target = await file('empty-large.json', '[]');
    expect(await loadLeadsFile(target, large)).toEqual({ leads: [], issues: [], rejected: 0 });
  });
});
