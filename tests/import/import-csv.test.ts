import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '@/lib/backtest';
import { isAppError } from '@/lib/errors';
import { parseLeads, toScorable } from '@/lib/lead';
import { safeParseRuleSet } from '@/lib/rules';
import { scoreLead } from '@/lib/scoring';
import { LeadMerger } from '@/lib/import/dedupe';
import {
  canonicalSpellings,
  defaultRejectsPath,
  importCsv,
  importCsvFile,
  writeImportOutputs,
  type ImportResult,
} from '@/lib/import/import-csv';
import { loadMapping, parseMapping } from '@/lib/import/mapping';
import manifest from '../fixtures/fixtures_manifest.json';

const FIXTURES = path.join(__dirname, '../fixtures');
const EXAMPLES = path.join(__dirname, '../../examples');
const cases = [
  { flavor: 'hubspot', mapping: path.join(EXAMPLES, 'mapping.example.json'), expected: manifest.hubspot },
  { flavor: 'salesforce', mapping: 'salesforce', expected: manifest.salesforce },
] as const;

describe.each(cases)('the $flavor fixture', ({ mapping, expected }) => {
  let result: ImportResult;
  beforeAll(async () => {
    result = await importCsvFile(path.join(FIXTURES, expected.file), { mapping: await loadMapping(mapping) });
  });

  it('reads every row and detects the delimiter', () => {
    expect(result.report.delimiter).toBe(expected.delimiter);
    expect(result.report.rowsRead).toBe(expected.rows);
    expect(result.report.blankRows).toBe(expected.blankRows);
  });

  it('merges exactly the planted duplicates', () => {
    expect(result.report.dedupe).toEqual(expected.dedupe);
    expect(result.report.leads).toBe(expected.leads);
    expect(result.report.merged).toBe(result.report.rowsAccepted - result.report.leads);
  });

  it('rejects exactly the planted broken rows, by line, column and reason', () => {
    expect(result.report.rowsRejected).toBe(expected.rowsRejected);
    expect(result.rejects.map(({ line, column, value }) => ({ line, column, value }))).toEqual(
      expected.rejects.map(({ line, column, value }) => ({ line, column, value })),
    );
    result.rejects.forEach((reject, i) => expect(reject.reason).toContain(expected.rejects[i]!.reason));
  });

  it('imports the hand-written rows exactly as documented', () => {
    for (const { lead } of expected.golden) expect(result.leads.find((l) => l.id === lead.id)).toEqual(lead);
  });

  it('produces leads that pass the lead contract, with unique ids', () => {
    const parsed = parseLeads(JSON.parse(JSON.stringify(result.leads)));
    expect(parsed.issues).toEqual([]);
    // The import keeps its own records (not zod's copies), so they must already be in normal form.
    expect(parsed.leads).toEqual(result.leads);
    expect(parsed.leads).toHaveLength(expected.leads);
    expect(result.report.generatedIds).toBe(expected.generatedIds);
  });

  it('spells each category one way across the file', () => {
    const industries = result.leads.flatMap((l) => (l.industry ? [l.industry] : []));
    const byKey = new Map<string, Set<string>>();
    for (const i of industries) {
      const key = i.toLowerCase().replace(/\s+/g, ' ').trim();
      byKey.set(key, (byKey.get(key) ?? new Set()).add(i));
    }
    for (const spellings of byKey.values()) expect(spellings.size).toBe(1);
    expect(industries.every((i) => i === i.trim() && !/\s\s/.test(i))).toBe(true);
  });
});

describe('round trip: import → custom rules → scoreLead → runBacktest', () => {
  it('scores imported custom attributes and backtests against the imported outcome', async () => {
    const { leads } = await importCsvFile(path.join(FIXTURES, 'hubspot_export.csv'), { mapping: await loadMapping(path.join(EXAMPLES, 'mapping.example.json')) });
    const parsed = safeParseRuleSet(JSON.parse(await fs.readFile(path.join(EXAMPLES, 'rules.custom.json'), 'utf8')));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const rules = parsed.rules;
    const now = new Date('2026-11-01T00:00:00Z');
    const rows = leads.map((lead) => {
      const { score, tier, breakdown } = scoreLead(toScorable(lead), { rules, now });
      expect(breakdown.reduce((s, b) => s + b.points, 0)).toBe(score);
      return { id: lead.id, score, tier, converted: lead.converted === true, breakdown };
    });
    // Every custom-attribute rule actually reads imported values.
    for (const ruleId of ['plan_tier', 'seats', 'partner', 'trial_recency', 'description_signals']) {
      expect(rows.filter((r) => r.breakdown.find((b) => b.ruleId === ruleId)!.points > 0).length).toBeGreaterThan(10);
    }
    const result = runBacktest(rows.map(({ id, score, tier, converted }) => ({ id, score, tier, converted })));
    expect(result.n).toBe(leads.length);
    expect(result.conversions).toBe(leads.filter((l) => l.converted).length);
    expect(result.tiers.reduce((s, t) => s + t.leads, 0)).toBe(leads.length);
    expect(result.deciles.reduce((s, d) => s + d.leads, 0)).toBe(leads.length);
    expect(result.auc).toBeGreaterThan(0.6);
  });
});

describe('importCsv', () => {
  const mapping = parseMapping({
    name: 'test',
    dateFormat: 'DMY',
    fields: { id: 'ID', email: 'E-mail', first_name: 'First', last_name: 'Last', company_domain: 'Domain', last_activity_at: 'Seen', email_opens_30d: 'Opens', demo_requested: 'Demo', job_title: 'Title' },
    attributes: { tier: { column: 'Tier', type: 'text' } },
    outcome: { column: 'Stage', positive: ['Closed Won'], negative: ['Closed Lost', 'Open'] },
  });
  const header = 'ID,E-mail,First,Last,Domain,Seen,Opens,Demo,Title,Tier,Stage\n';

  it('reads day-first dates and listed outcome values, and rejects unlisted ones', async () => {
    const csv = `${header}1,a@x.io,A,B,x.io,05/03/2024,1,no,CEO,Pro,closed won\n2,b@x.io,C,D,x.io,06/03/2024,1,no,CEO,Pro,Pending\n`;
    const { leads, rejects } = await importCsv(csv, { mapping });
    expect(leads).toEqual([{ id: '1', first_name: 'A', last_name: 'B', email: 'a@x.io', job_title: 'CEO', company_domain: 'x.io', email_opens_30d: 1, demo_requested: false, last_activity_at: '2024-03-05T00:00:00.000Z', converted: true, attributes: { tier: 'Pro' } }]);
    expect(rejects).toEqual([{ line: 3, column: 'Stage', value: 'Pending', reason: expect.stringContaining('not one of the outcome values') }]);
  });

  it('merges transitively: A~B by email, B~C by name + domain, newest value wins, counters add, booleans OR', async () => {
    const csv =
      header +
      '1,ann@x.io,Ann,Lee,x.io,01/01/2024,1,no,Analyst,Free,Open\n' +
      '2,bob@y.io,Bob,Ray,y.io,01/01/2024,2,no,Engineer,Free,Open\n' +
      '3,ANN@x.io,Bob,Ray,y.io,01/03/2024,4,yes,VP Sales,Pro,Closed Lost\n';
    const { leads, report } = await importCsv(csv, { mapping });
    expect(report.dedupe).toEqual({ byEmail: 1, byName: 0, byId: 0, linked: 1 });
    expect(leads).toEqual([
      { id: '1', first_name: 'Bob', last_name: 'Ray', email: 'ann@x.io', job_title: 'VP Sales', company_domain: 'y.io', email_opens_30d: 7, demo_requested: true, last_activity_at: '2024-03-01T00:00:00.000Z', converted: false, attributes: { tier: 'Pro' } },
    ]);
  });

  it('refuses a mapping none of whose columns is in the file, listing the file’s columns', async () => {
    await expect(importCsv('Foo,Bar\n1,2\n', { mapping })).rejects.toThrow(/None of the columns.*"Foo", "Bar"/);
  });

  it('refuses a mapping that would let scoring see the outcome', () => {
    expect(() => parseMapping({ fields: { lead_source: 'Stage' }, outcome: { column: 'stage' } })).toThrow(/reads the outcome column/);
    expect(() => parseMapping({ attributes: { Bad: { column: 'x', type: 'text' } } })).toThrow(/snake_case/);
    expect(() => parseMapping({ fields: { converted: 'x' } })).toThrow(/invalid/);
  });

  it('names unknown presets', async () => {
    await expect(loadMapping('pipedrive')).rejects.toSatisfy((e: unknown) => isAppError(e) && /Unknown mapping "pipedrive"/.test(e.message));
  });
});

describe('LeadMerger', () => {
  it('keeps the first row’s id and the earliest created_at even when a later row is newer', () => {
    const merger = new LeadMerger();
    merger.add({ id: 'a', email: 'x@y.io', created_at: '2024-02-01T00:00:00.000Z', job_title: 'Old' });
    merger.add({ id: 'b', email: 'x@y.io', created_at: '2024-01-01T00:00:00.000Z', last_activity_at: '2024-05-01T00:00:00.000Z', job_title: 'New' });
    merger.add({ id: 'c', email: 'x@y.io', job_title: 'Undated' });
    expect(merger.drafts()).toEqual([{ id: 'a', email: 'x@y.io', created_at: '2024-01-01T00:00:00.000Z', last_activity_at: '2024-05-01T00:00:00.000Z', job_title: 'New' }]);
  });
});

describe('canonicalSpellings', () => {
  it('picks the most common spelling, first seen on a tie', () => {
    const chosen = canonicalSpellings(['software', 'Software', 'Software', 'SOFTWARE', 'IT services', 'IT Services']);
    expect(chosen.get('software')).toBe('Software');
    expect(chosen.get('it services')).toBe('IT services');
  });
});

describe('writeImportOutputs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'import-out-'));
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('writes the leads file and the rejects report atomically, leaving no temp files', async () => {
    const result = await importCsvFile(path.join(FIXTURES, 'salesforce_export.csv'), { mapping: await loadMapping('salesforce') });
    const out = path.join(dir, 'leads.json');
    await fs.writeFile(out, 'old content');
    await writeImportOutputs(result, { out, rejects: defaultRejectsPath(out) });
    expect(defaultRejectsPath(out)).toBe(path.join(dir, 'leads.rejects.csv'));
    expect(parseLeads(JSON.parse(await fs.readFile(out, 'utf8'))).leads).toHaveLength(result.leads.length);
    const rejects = (await fs.readFile(path.join(dir, 'leads.rejects.csv'), 'utf8')).trim().split('\n');
    expect(rejects[0]).toBe('line,column,value,reason');
    expect(rejects).toHaveLength(result.rejects.length + 1);
    expect(rejects[1]).toMatch(/^75,Annual Revenue,lots,/);
    const json = path.join(dir, 'rejects.json');
    await writeImportOutputs(result, { out, rejects: json });
    expect(JSON.parse(await fs.readFile(json, 'utf8'))).toEqual(result.rejects);
    expect((await fs.readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('leaves the previous leads file untouched when the import fails', async () => {
    const out = path.join(dir, 'kept.json');
    await fs.writeFile(out, '[]\n');
    const bad = path.join(dir, 'latin1.csv');
    await fs.writeFile(bad, Buffer.from([...Buffer.from('Email\n'), 0x6d, 0xfc, 0x40, 0x78, 0x2e, 0x69, 0x6f, 0x0a]));
    await expect(importCsvFile(bad, { mapping: await loadMapping('salesforce') })).rejects.toThrow(/not valid UTF-8/);
    expect(await fs.readFile(out, 'utf8')).toBe('[]\n');
  });
});
