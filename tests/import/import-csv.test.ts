import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '@/lib/backtest';
import { isAppError } from '@/lib/errors';
import { hashString } from '@/lib/hash';
import { LEAD_FIELDS, leadSchema, parseLeads, toScorable, type LeadField } from '@/lib/lead';
import {
  cleanDomain,
  cleanEmail,
  cleanId,
  cleanLongText,
  cleanText,
  parseBoolean,
  parseCount,
  parseDate,
  parseEmployeeCount,
  parseRevenue,
} from '@/lib/import/clean';
import { largeExport } from '@/lib/import/dirty-export';
import { safeParseRuleSet } from '@/lib/rules';
import { scoreLead } from '@/lib/scoring';
import {
  canonicalSpellings,
  defaultRejectsPath,
  fileChunks,
  importCsv,
  importCsvFile,
  importCsvToFiles,
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

  // Merged leads and leads with a generated id (the HubSpot fixture has 3) are written by other paths than one-row leads.
  it('writes each lead as one line, keys in the contract’s order and attributes in the mapping’s', async () => {
    expect(result.report.merged).toBeGreaterThan(0);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'import-lines-'));
    try {
      const out = path.join(dir, 'leads.json');
      const loaded = await loadMapping(mapping);
      await importCsvToFiles(path.join(FIXTURES, expected.file), { mapping: loaded }, { out, rejects: defaultRejectsPath(out) });
      const lines = (await fs.readFile(out, 'utf8')).split('\n').slice(1, -2);
      expect(lines).toHaveLength(result.leads.length);
      const attributeOrder = Object.keys(loaded.attributes);
      lines.forEach((text, i) => {
        const line = text.replace(/,$/, '');
        const lead = JSON.parse(line) as Record<string, unknown>;
        const ordered = Object.fromEntries(LEAD_FIELDS.filter((field) => lead[field] !== undefined).map((field) => [field, lead[field]]));
        const attributes = lead.attributes as Record<string, unknown> | undefined;
        if (attributes) ordered.attributes = Object.fromEntries(attributeOrder.filter((name) => name in attributes).map((name) => [name, attributes[name]]));
        expect(line).toBe(JSON.stringify(ordered));
        expect(lead).toEqual(result.leads[i]);
      });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
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

  it('reads a repeated cell the same way every time: values, placeholders and rejects, each reject on its own line', async () => {
    // From the second row on, the cells below come from the memo of the string cleaner's results.
    const row = (n: number) => `${n},p${n}@x.io,P,Q${n},x.io,05/03/2024,"1,000",No,Select,Pro,Pending\n`;
    const csv = header + [1, 2, 3].map(row).join('') + '4,d@x.io,D,E,x.io,05/03/2024,2,No,N/A,Pro,Closed Won\n';
    const { leads, rejects, report } = await importCsv(csv, { mapping });
    expect(rejects.map((r) => [r.line, r.column, r.value])).toEqual([2, 3, 4].map((line) => [line, 'Stage', 'Pending']));
    expect(new Set(rejects.map((r) => r.reason)).size).toBe(1);
    expect(leads).toEqual([{ id: '4', first_name: 'D', last_name: 'E', email: 'd@x.io', company_domain: 'x.io', email_opens_30d: 2, demo_requested: false, last_activity_at: '2024-03-05T00:00:00.000Z', converted: true, attributes: { tier: 'Pro' } }]);
    expect(report.placeholders).toBe(4);
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

describe('merging', () => {
  it('keeps the first row’s id and the earliest created_at even when a later row is newer', async () => {
    const m = parseMapping({ fields: { id: 'ID', email: 'Email', created_at: 'Created', last_activity_at: 'Seen', job_title: 'Title' } });
    const csv = 'ID,Email,Created,Seen,Title\na,x@y.io,2024-02-01,,Old\nb,x@y.io,2024-01-01,2024-05-01,New\nc,x@y.io,,,Undated\n';
    const { leads } = await importCsv(csv, { mapping: m });
    expect(leads).toEqual([{ id: 'a', email: 'x@y.io', created_at: '2024-01-01T00:00:00.000Z', last_activity_at: '2024-05-01T00:00:00.000Z', job_title: 'New' }]);
  });

  it('takes a joined group’s id from the group created first, as rows folding in one by one would', async () => {
    const m = parseMapping({ fields: { id: 'ID', email: 'Email', first_name: 'First', last_name: 'Last', company_domain: 'Domain' } });
    // Row 1 has no id; row 3 lends its id to row 1's group before row 4 joins it with row 2's group.
    const csv = 'ID,Email,First,Last,Domain\n,e@x.io,,,\nX,,Ann,Lee,x.io\nY,e@x.io,,,\nZ,e@x.io,Ann,Lee,x.io\n';
    const { leads, report } = await importCsv(csv, { mapping: m });
    expect(leads.map((l) => l.id)).toEqual(['Y']);
    expect(report.dedupe).toEqual({ byEmail: 2, byName: 0, byId: 0, linked: 1 });
  });
});

describe('generated ids', () => {
  it('step around an explicit id shaped like a generated one', async () => {
    const m = parseMapping({ fields: { id: 'ID', email: 'Email', job_title: 'Title' } });
    const taken = `lead_${hashString('email:a@x.io')}`;
    const csv = `ID,Email,Title\n${taken},b@x.io,CEO\n,a@x.io,CTO\n`;
    const { leads, report } = await importCsv(csv, { mapping: m });
    expect(leads.map((l) => l.id)).toEqual([taken, `${taken}_2`]);
    expect(report.generatedIds).toBe(1);
  });
});

describe('output order and the contract', () => {
  it('writes each lead once its last row has been read', async () => {
    const m = parseMapping({ fields: { id: 'ID', email: 'Email' } });
    const csv = 'ID,Email\n1,a@x.io\n2,b@x.io\n3,a@x.io\n4,c@x.io\n';
    expect((await importCsv(csv, { mapping: m })).leads.map((l) => l.id)).toEqual(['2', '1', '4']);
  });

  it.each(['hubspot', 'salesforce'] as const)('leads from a generated dirty %s export pass parseLeads unchanged', async (flavor) => {
    const csv = [...largeExport({ flavor, rows: 3_000, seed: 3, duplicateRate: 0.2, delimiter: flavor === 'salesforce' ? ';' : ',' })].join('');
    const mapping = flavor === 'hubspot' ? await loadMapping(path.join(EXAMPLES, 'mapping.example.json')) : await loadMapping('salesforce');
    const { leads, report } = await importCsv(csv, { mapping });
    expect(report.rowsRejected).toBe(0);
    expect(report.merged).toBeGreaterThan(300);
    const parsed = parseLeads(JSON.parse(JSON.stringify(leads)));
    expect(parsed.issues).toEqual([]);
    expect(parsed.leads).toEqual(leads);
  });

  const CLEANERS: [LeadField, (raw: string) => unknown][] = [
    ['id', cleanId],
    ['email', cleanEmail],
    ['company_domain', cleanDomain],
    ['employee_count', parseEmployeeCount],
    ['annual_revenue', parseRevenue],
    ['created_at', (raw) => parseDate(raw)],
    ['email_opens_30d', parseCount],
    ['demo_requested', parseBoolean],
    ['company_description', cleanLongText],
    ['job_title', cleanText],
  ];
  const SAMPLES = [' ACME.com ', 'https://www.x.io/a', '1,000+', '$5M', '-3', '2024-03-05 14:22', 'Mar 5, 2024', ' A@B.co ', 'yes', 'N/A', 'a\r\n\r\n\r\nb  c', `${'word '.repeat(2_500)}`];

  // The leads file is written without a zod pass per lead (only merged leads are re-checked), so every
  // value a cleaner can produce must already be what the contract would parse it to.
  it.each(CLEANERS)('property: whatever %s’s cleaner returns passes the lead contract unchanged', (field, clean) => {
    const schema = leadSchema.shape[field];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom(...SAMPLES)), (raw) => {
        let value: unknown;
        try {
          value = clean(raw);
        } catch {
          return;
        }
        if (value === undefined) return;
        const result = schema.safeParse(value);
        expect(result.success).toBe(true);
        expect(result.data).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonicalSpellings', () => {
  it('picks the spelling most leads have, first seen on a tie', () => {
    const chosen = canonicalSpellings([
      ['software', 1],
      ['Software', 2],
      ['SOFTWARE', 1],
      ['IT services', 1],
      ['IT Services ', 1],
    ]);
    expect(chosen.get('software')).toBe('Software');
    expect(chosen.get('it services')).toBe('IT services');
  });
});

describe('fileChunks', () => {
  it('reads the whole file, each chunk left intact while the next one is used', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'file-chunks-'));
    try {
      const file = path.join(dir, 'spill.bin');
      const bytes = randomBytes(10_123);
      await fs.writeFile(file, bytes);
      let previous: { chunk: Buffer; bytes: Buffer } | null = null;
      let offset = 0;
      for await (const chunk of fileChunks(file, 1_000)) {
        // Time for any read-ahead to land: it must not land in the chunk before this one.
        await sleep(5);
        if (previous) expect(previous.chunk.equals(previous.bytes)).toBe(true);
        const expected = bytes.subarray(offset, offset + chunk.length);
        expect(chunk.equals(expected)).toBe(true);
        offset += chunk.length;
        previous = { chunk, bytes: expected };
      }
      expect(offset).toBe(bytes.length);
      for await (const chunk of fileChunks(file, 1_000)) {
        expect(chunk.equals(bytes.subarray(0, 1_000))).toBe(true);
        break;
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
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

  it('importCsvToFiles streams the same leads and rejects to disk, leaving no temp files', async () => {
    const file = path.join(FIXTURES, 'hubspot_export.csv');
    const mapping = await loadMapping(path.join(EXAMPLES, 'mapping.example.json'));
    const inMemory = await importCsvFile(file, { mapping });
    const out = path.join(dir, 'streamed.json');
    const run = await importCsvToFiles(file, { mapping }, { out, rejects: defaultRejectsPath(out) });
    expect(run.report).toEqual(inMemory.report);
    const text = await fs.readFile(out, 'utf8');
    expect(text.split('\n').slice(1, -2)).toHaveLength(inMemory.leads.length);
    expect(JSON.parse(text)).toEqual(inMemory.leads);
    expect((await fs.readFile(defaultRejectsPath(out), 'utf8')).trim().split('\n')).toHaveLength(inMemory.rejects.length + 1);
    expect((await fs.readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('leaves the previous leads file untouched when the import fails', async () => {
    const out = path.join(dir, 'kept.json');
    await fs.writeFile(out, '[]\n');
    const bad = path.join(dir, 'latin1.csv');
    await fs.writeFile(bad, Buffer.from([...Buffer.from('Email\n'), 0x6d, 0xfc, 0x40, 0x78, 0x2e, 0x69, 0x6f, 0x0a]));
    await expect(importCsvToFiles(bad, { mapping: await loadMapping('salesforce') }, { out, rejects: defaultRejectsPath(out) })).rejects.toThrow(/not valid UTF-8/);
    expect(await fs.readFile(out, 'utf8')).toBe('[]\n');
    expect((await fs.readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
