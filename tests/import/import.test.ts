import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '@/lib/backtest';
import { isAppError } from '@/lib/errors';
import { hashString } from '@/lib/hash';
import { LEAD_FIELDS, parseLeads, toScorable, type Lead } from '@/lib/lead';
import { largeExport } from '@/tests/support/dirty-export';
import { cleanText } from '@/lib/import/clean';
import { importLeads, runImport, writeLeadsFile, type ImportOptions, type ImportRun } from '@/lib/import/import';
import { loadMapping, parseMapping, type Mapping } from '@/lib/import/mapping';
import { safeParseRuleSet } from '@/lib/rules';
import { scoreLead } from '@/lib/scoring';
import manifest from '../fixtures/fixtures_manifest.json';
import snapshots from '../fixtures/leads_snapshots.json';

const FIXTURES = path.join(__dirname, '../fixtures');
const EXAMPLES = path.join(__dirname, '../../examples');
const cases = [
  { flavor: 'hubspot', mapping: path.join(EXAMPLES, 'mapping.example.json'), expected: manifest.hubspot },
  { flavor: 'salesforce', mapping: 'salesforce', expected: manifest.salesforce },
] as const;

const importText = (csv: string, options: ImportOptions) => importLeads({ text: csv }, { maxRejectRate: 1, ...options });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A file of `text` in the OS temp directory. */
async function writeTemp(name: string, text: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'import-src-'));
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
}

/** The leads file an import writes, as text. */
async function leadsFileOf(source: string, options: ImportOptions): Promise<{ text: string; run: ImportRun }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'import-file-'));
  try {
    const out = path.join(dir, 'leads.json');
    const run = await runImport(source, options, (leads) => writeLeadsFile(leads, out));
    return { text: await fs.readFile(out, 'utf8'), run };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe.each(cases)('the $flavor fixture', ({ flavor, mapping, expected }) => {
  let loaded: Mapping;
  let result: ImportRun & { leads: Lead[] };
  let strict: ImportRun & { leads: Lead[] };
  beforeAll(async () => {
    loaded = await loadMapping(mapping);
    const file = path.join(FIXTURES, expected.file);
    [result, strict] = await Promise.all([importLeads(file, { mapping: loaded }), importLeads(file, { mapping: loaded, strict: true })]);
  });

  it('reads every row, detects the delimiter, and accounts for every physical line', async () => {
    expect(result.report.delimiter).toBe(expected.delimiter);
    expect(result.report.rowsRead).toBe(expected.rows);
    expect(result.report.blankRows).toBe(expected.blankRows);
    const lines = (await fs.readFile(path.join(FIXTURES, expected.file), 'utf8')).split(/\r?\n/);
    const physical = lines.at(-1) === '' ? lines.length - 1 : lines.length;
    const l = result.report.lines!;
    expect(l.lines).toBe(physical);
    expect(l.headerLines + l.rowLines + l.blankLines).toBe(physical);
    expect(l.rowsRead).toBe(expected.rows);
  });

  it('merges exactly the planted duplicates', () => {
    for (const run of [result, strict]) expect(run.report.dedupe).toEqual(expected.dedupe);
    expect(result.report.leads).toBe(expected.leads);
    expect(strict.report.leads).toBe(expected.leadsStrict);
    expect(result.report.merged).toBe(result.report.rowsAccepted - result.report.leads);
  });

  it('lists exactly the planted problems, by line, column and reason; only unreadable rows are rejected whole', () => {
    expect(result.report.rowsRejected).toBe(expected.rowsRejected);
    expect(strict.report.rowsRejected).toBe(expected.rowsRejectedStrict);
    for (const run of [result, strict]) {
      expect(run.rejects.map(({ line, column, value }) => ({ line, column, value }))).toEqual(expected.rejects.map(({ line, column, value }) => ({ line, column, value })));
      run.rejects.forEach((reject, i) => expect(reject.reason).toContain(expected.rejects[i]!.reason));
    }
    // A bad cell leaves its lead in, without that value.
    const kept = expected.rejects.filter((r) => r.column !== '(row)');
    expect(Object.values(result.report.invalidCells).reduce((a, b) => a + b, 0)).toBe(kept.length);
  });

  it('imports the hand-written rows exactly as documented', () => {
    for (const { lead } of expected.golden) expect(result.leads.find((l) => l.id === lead.id)).toEqual(lead);
  });

  it('produces leads that pass the lead contract unchanged, with unique ids', () => {
    for (const run of [result, strict]) {
      const parsed = parseLeads(JSON.parse(JSON.stringify(run.leads)));
      expect(parsed.issues).toEqual([]);
      expect(parsed.leads).toEqual(run.leads);
      expect(new Set(run.leads.map((l) => l.id)).size).toBe(run.leads.length);
    }
    expect(result.report.generatedIds.email + result.report.generatedIds.nameAndDomain + result.report.generatedIds.nameAndCompany).toBe(expected.generatedIds);
  });

  it('writes the leads file byte for byte as the previous engine did under --strict, and as recorded without it', async () => {
    const file = path.join(FIXTURES, expected.file);
    const strictFile = await leadsFileOf(file, { mapping: loaded, strict: true });
    const defaultFile = await leadsFileOf(file, { mapping: loaded });
    const recorded = snapshots[flavor];
    expect(sha256(strictFile.text)).toBe(recorded.strictSha256);
    expect(sha256(defaultFile.text)).toBe(recorded.sha256);
    // One lead per line, keys in the contract's order and attributes in the mapping's.
    const lines = defaultFile.text.split('\n').slice(1, -2);
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
  });

  it('spells each category one way across the file', () => {
    const byKey = new Map<string, Set<string>>();
    for (const industry of result.leads.flatMap((l) => (l.industry ? [l.industry] : []))) {
      const key = industry.toLowerCase().replace(/\s+/g, ' ').trim();
      byKey.set(key, (byKey.get(key) ?? new Set()).add(industry));
    }
    for (const spellings of byKey.values()) expect(spellings.size).toBe(1);
  });
});

describe('round trip: import → custom rules → scoreLead → runBacktest', () => {
  it('scores imported custom attributes and backtests against the imported outcome', async () => {
    const { leads } = await importLeads(path.join(FIXTURES, 'hubspot_export.csv'), { mapping: await loadMapping(path.join(EXAMPLES, 'mapping.example.json')) });
    const parsed = safeParseRuleSet(JSON.parse(await fs.readFile(path.join(EXAMPLES, 'rules.custom.json'), 'utf8')));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const now = new Date('2026-11-01T00:00:00Z');
    const rows = leads.map((lead) => {
      const { score, tier, breakdown } = scoreLead(toScorable(lead), { rules: parsed.rules, now });
      expect(breakdown.reduce((s, b) => s + b.points, 0)).toBe(score);
      return { id: lead.id, score, tier, converted: lead.converted === true, breakdown };
    });
    for (const ruleId of ['plan_tier', 'seats', 'partner', 'trial_recency', 'description_signals']) {
      expect(rows.filter((r) => r.breakdown.find((b) => b.ruleId === ruleId)!.points > 0).length).toBeGreaterThan(10);
    }
    const backtest = runBacktest(rows.map(({ id, score, tier, converted }) => ({ id, score, tier, converted })));
    expect(backtest.n).toBe(leads.length);
    expect(backtest.conversions).toBe(leads.filter((l) => l.converted).length);
    expect(backtest.auc).toBeGreaterThan(0.6);
  });
});

describe('cells', () => {
  const mapping = parseMapping({
    name: 'test',
    dateFormat: 'DMY',
    fields: { id: 'ID', email: 'E-mail', first_name: 'First', last_name: 'Last', company_domain: 'Domain', last_activity_at: 'Seen', email_opens_30d: 'Opens', demo_requested: 'Demo', job_title: 'Title' },
    attributes: { tier: { column: 'Tier', type: 'text' } },
    outcome: { column: 'Stage', positive: ['Closed Won'], negative: ['Closed Lost', 'Open'] },
  });
  const header = 'ID,E-mail,First,Last,Domain,Seen,Opens,Demo,Title,Tier,Stage\n';

  it('reads day-first dates and listed outcome values; an unlisted outcome is an invalid cell, the lead kept', async () => {
    const csv = `${header}1,a@x.io,A,B,x.io,05/03/2024,1,no,CEO,Pro,closed won\n2,b@x.io,C,D,x.io,06/03/2024,1,no,CEO,Pro,Pending\n`;
    const { leads, rejects } = await importText(csv, { mapping });
    expect(leads[0]).toEqual({ id: '1', first_name: 'A', last_name: 'B', email: 'a@x.io', job_title: 'CEO', company_domain: 'x.io', email_opens_30d: 1, demo_requested: false, last_activity_at: '2024-03-05T00:00:00.000Z', converted: true, attributes: { tier: 'Pro' } });
    expect(leads[1]).toEqual({ id: '2', first_name: 'C', last_name: 'D', email: 'b@x.io', job_title: 'CEO', company_domain: 'x.io', email_opens_30d: 1, demo_requested: false, last_activity_at: '2024-03-06T00:00:00.000Z', attributes: { tier: 'Pro' } });
    expect(rejects).toEqual([{ line: 3, column: 'Stage', value: 'Pending', reason: expect.stringContaining('not one of the outcome values') }]);
  });

  it('a fractional value in a counter column blanks that cell only, listed and counted; --strict rejects the row instead', async () => {
    const csv = `${header}1,a@x.io,A,B,x.io,05/03/2024,2.5,no,CEO,Pro,Open\n2,b@x.io,C,D,x.io,05/03/2024,3,yes,CTO,Pro,Closed Won\n`;
    const { leads, rejects, report } = await importText(csv, { mapping });
    expect(leads).toHaveLength(2);
    expect(leads[0]!.email_opens_30d).toBeUndefined();
    expect(leads[0]!.job_title).toBe('CEO');
    expect(rejects).toEqual([{ line: 2, column: 'Opens', value: '2.5', reason: '"2.5" is not a whole number' }]);
    expect(report.invalidCells).toEqual({ Opens: 1 });
    expect(report.rowsRejected).toBe(0);
    const strict = await importText(csv, { mapping, strict: true });
    expect(strict.leads.map((l) => l.id)).toEqual(['2']);
    expect(strict.report.rowsRejected).toBe(1);
    expect(strict.report.rejectedBy).toEqual({ Opens: 1 });
  });

  it('a repeated cell reads the same way every time, each invalid one listed on its own line', async () => {
    const row = (n: number) => `${n},p${n}@x.io,P,Q${n},x.io,05/03/2024,"1,000",No,Select,Pro,Pending\n`;
    const csv = header + [1, 2, 3].map(row).join('') + '4,d@x.io,D,E,x.io,05/03/2024,2,No,N/A,Pro,Closed Won\n';
    const { leads, rejects, report } = await importText(csv, { mapping });
    expect(rejects.map((r) => [r.line, r.column, r.value])).toEqual([2, 3, 4].map((line) => [line, 'Stage', 'Pending']));
    expect(leads.map((l) => l.email_opens_30d)).toEqual([1000, 1000, 1000, 2]);
    expect(report.placeholders).toEqual({ Title: 4 });
  });

  it('refuses a mapping none of whose columns is in the file, listing the file’s columns', async () => {
    await expect(importText('Foo,Bar\n1,2\n', { mapping })).rejects.toThrow(/None of the columns.*"Foo", "Bar"/);
  });

  it('refuses a mapping that would let scoring see the outcome, and names unknown presets', async () => {
    expect(() => parseMapping({ fields: { lead_source: 'Stage' }, outcome: { column: 'stage' } })).toThrow(/reads the outcome column/);
    expect(() => parseMapping({ attributes: { Bad: { column: 'x', type: 'text' } } })).toThrow(/snake_case/);
    await expect(loadMapping('pipedrive')).rejects.toSatisfy((e: unknown) => isAppError(e) && /Unknown mapping "pipedrive"/.test(e.message));
  });
});

describe('identity and generated ids', () => {
  const mapping = parseMapping({ fields: { id: 'ID', email: 'Email', first_name: 'First', last_name: 'Last', company_name: 'Company', company_domain: 'Domain', job_title: 'Title' } });
  const header = 'ID,Email,First,Last,Company,Domain,Title\n';

  it('rejects rows that identify nobody (no id, no email, no name with a company), keeps the rest', async () => {
    const csv = `${header},,Ann,,,,CEO\n,,,,Acme,acme.io,CTO\n,,Bo,,Acme,,VP\n,c@x.io,,,,,\n7,,,,,,Intern\n`;
    const { leads, rejects, report } = await importText(csv, { mapping });
    expect(leads.map((l) => l.job_title ?? l.email)).toEqual(['VP', 'c@x.io', 'Intern']);
    expect(rejects.map((r) => [r.line, r.column])).toEqual([
      [2, '(identity)'],
      [3, '(identity)'],
    ]);
    expect(report.rejectedBy).toEqual({ '(identity)': 2 });
  });

  it('an invalid id rejects its row, whatever the mode', async () => {
    const { leads, rejects, report } = await importText(`${header}${'x'.repeat(201)},a@x.io,,,,,\n2,b@x.io,,,,,\n`, { mapping });
    expect(leads.map((l) => l.id)).toEqual(['2']);
    expect(rejects[0]).toMatchObject({ line: 2, column: 'ID', reason: expect.stringContaining('too long for an id') });
    expect(report.rejectedBy).toEqual({ ID: 1 });
  });

  it('derives ids from the email, else name + company domain, else name + company, and counts each rule', async () => {
    const csv = `${header},a@x.io,,,,,\n,,Ann,Lee,,lee.io,\n,,Bo,,Acme,,\n`;
    const { leads, report } = await importText(csv, { mapping });
    expect(leads.map((l) => l.id)).toEqual([`lead_${hashString('email:a@x.io')}`, `lead_${hashString('name:ann\u0000lee\u0000lee.io')}`, `lead_${hashString('person:bo\u0000\u0000acme')}`]);
    expect(report.generatedIds).toEqual({ email: 1, nameAndDomain: 1, nameAndCompany: 1 });
  });

  it('keeps every generated id when a re-export changes one cell of each row', async () => {
    const rows = [',a@x.io,A,B,Acme,acme.io,CEO', ',,Ann,Lee,Lee Co,lee.io,CTO', ',,Bo,,Bo Inc,,VP'];
    const before = await importText(header + rows.join('\n'), { mapping });
    const after = await importText(header + rows.map((r) => r.replace(/,[A-Z]+$/, ',Head of Sales')).join('\n'), { mapping });
    expect(after.leads.map((l) => l.job_title)).toEqual(['Head of Sales', 'Head of Sales', 'Head of Sales']);
    expect(after.leads.map((l) => l.id)).toEqual(before.leads.map((l) => l.id));
  });

  it('steps around an explicit id shaped like a generated one', async () => {
    const taken = `lead_${hashString('email:a@x.io')}`;
    const { leads } = await importText(`${header}${taken},b@x.io,,,,,CEO\n,a@x.io,,,,,CTO\n`, { mapping });
    expect(leads.map((l) => l.id)).toEqual([taken, `${taken}_2`]);
  });
});

describe('merging', () => {
  const mapping = parseMapping({
    fields: { id: 'ID', email: 'Email', first_name: 'First', last_name: 'Last', company_domain: 'Domain', created_at: 'Created', last_activity_at: 'Seen', job_title: 'Title', email_opens_30d: 'Opens', demo_requested: 'Demo' },
    attributes: { seats: { column: 'Seats', type: 'number' }, partner: { column: 'Partner', type: 'boolean' } },
  });
  const header = 'ID,Email,First,Last,Domain,Created,Seen,Title,Opens,Demo,Seats,Partner\n';

  it('merges transitively: counters add, booleans OR, earliest created, latest activity, newest value wins', async () => {
    const csv =
      header +
      '1,ann@x.io,Ann,Lee,x.io,2024-02-01,2024-01-01,Analyst,1,no,5,no\n' +
      '2,bob@y.io,Bob,Ray,y.io,2024-01-01,2024-01-01,Engineer,2,no,,\n' +
      '3,ANN@x.io,Bob,Ray,y.io,,2024-03-01,VP Sales,4,yes,,yes\n';
    const { leads, report } = await importText(csv, { mapping });
    expect(report.dedupe).toEqual({ byEmail: 1, byName: 0, byId: 0, linked: 1 });
    expect(leads).toEqual([
      {
        id: '1',
        created_at: '2024-01-01T00:00:00.000Z',
        first_name: 'Bob',
        last_name: 'Ray',
        email: 'ann@x.io',
        job_title: 'VP Sales',
        company_domain: 'y.io',
        email_opens_30d: 7,
        demo_requested: true,
        last_activity_at: '2024-03-01T00:00:00.000Z',
        attributes: { seats: 5, partner: true },
      },
    ]);
  });

  it('writes each lead once its last row has been read; a tie of dates goes to the later row', async () => {
    const csv = `${header}1,a@x.io,,,,,2024-01-01,First,,,,\n2,b@x.io,,,,,,,,,,\n3,a@x.io,,,,,2024-01-01,Second,,,,\n4,c@x.io,,,,,,,,,,\n`;
    const { leads } = await importText(csv, { mapping });
    expect(leads.map((l) => l.id)).toEqual(['2', '1', '4']);
    expect(leads[1]!.job_title).toBe('Second');
  });

  /**
   * The documented merge rules on objects, rows folded in in file order: what the SQL merge must agree
   * with. A group keeps the id it first got; when groups join, the one started first keeps its own.
   */
  function reference(drafts: Record<string, string>[]): Record<string, unknown>[] {
    const groups: number[][] = [];
    const ids: (string | undefined)[] = [];
    const groupOf: number[] = [];
    drafts.forEach((d, i) => {
      const matches = new Set<number>();
      drafts.slice(0, i).forEach((o, j) => {
        if ((d.ID && d.ID === o.ID) || (d.Email && d.Email === o.Email)) matches.add(groupOf[j]!);
      });
      const joined = [...matches].sort((a, b) => a - b);
      const keep = joined[0] ?? groups.length;
      if (keep === groups.length) groups.push([]);
      for (const g of joined.slice(1)) {
        groups[keep]!.push(...groups[g]!);
        groups[g] = [];
        ids[keep] ??= ids[g];
        groupOf.forEach((x, k) => (x === g ? (groupOf[k] = keep) : 0));
      }
      groups[keep]!.push(i);
      groupOf[i] = keep;
      if (d.ID) ids[keep] ??= d.ID;
    });
    const idOf = new Map(groups.map((g, k) => [g, ids[k]] as const));
    return groups
      .filter((g) => g.length)
      .sort((a, b) => Math.max(...a) - Math.max(...b))
      .map((g) => {
        const rows = [...g].sort((a, b) => a - b).map((i) => drafts[i]!);
        const time = (r: Record<string, string>) => (r.Seen ? Date.parse(r.Seen) : -Infinity);
        const newest = (key: string) => rows.reduce<Record<string, string> | null>((best, r) => (r[key] && (!best || time(r) >= time(best)) ? r : best), null)?.[key];
        const lead: Record<string, unknown> = { id: idOf.get(g) };
        const email = newest('Email');
        if (email) lead.email = email;
        const title = newest('Title');
        if (title) lead.job_title = title;
        const opens = rows.filter((r) => r.Opens);
        if (opens.length) lead.email_opens_30d = opens.reduce((s, r) => s + Number(r.Opens), 0);
        const seen = rows.map((r) => r.Seen).filter(Boolean).sort();
        if (seen.length) lead.last_activity_at = `${seen.at(-1)}T00:00:00.000Z`;
        return lead;
      });
  }

  it('property: merges any rows as the documented rules do', async () => {
    const small = (values: string[]) => fc.constantFrom('', ...values);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ID: small(['1', '2', '3']), Email: small(['a@x.io', 'b@x.io']), Title: small(['CEO', 'VP', 'Analyst']), Opens: small(['0', '3', '12']), Seen: small(['2024-01-01', '2024-02-01', '2024-03-01']) }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (drafts) => {
          const usable = drafts.filter((d) => d.ID || d.Email);
          if (usable.length === 0) return;
          const csv = `${header}${usable.map((d) => `${d.ID},${d.Email},,,,,${d.Seen},${d.Title},${d.Opens},,,`).join('\n')}\n`;
          const { leads } = await importText(csv, { mapping });
          const expected = reference(usable).map((lead) => (lead.id ? lead : { ...lead, id: `lead_${hashString(`email:${lead.email as string}`)}` }));
          expect(leads).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  }, 600_000);
});

describe('placeholders per column', () => {
  it('turns the built-in placeholders off for a column, adds its own, recodes, and counts per column', async () => {
    const mapping = parseMapping({
      fields: {
        id: 'ID',
        lead_source: { column: 'Source', builtInPlaceholders: false, recode: { unknown: 'untracked', Web: 'Website' } },
        country: { column: 'Country', placeholders: ['tbd', 'n.v.'] },
        employee_count: { column: 'Employees', builtInPlaceholders: false },
      },
    });
    const csv = 'ID,Source,Country,Employees\n1,unknown,TBD,N/A\n2,N/A,n.v.,10\n3, web ,-,20\n4,Referral,Spain,\n';
    const { leads, rejects, report } = await importText(csv, { mapping });
    expect(leads).toEqual([
      { id: '1', lead_source: 'untracked' },
      { id: '2', employee_count: 10, lead_source: 'N/A' },
      { id: '3', employee_count: 20, lead_source: 'Website' },
      { id: '4', country: 'Spain', lead_source: 'Referral' },
    ]);
    expect(rejects).toEqual([{ line: 2, column: 'Employees', value: 'N/A', reason: expect.stringContaining('placeholders are values in this column') }]);
    expect(report.placeholders).toEqual({ Country: 3 });
  });
});

describe('lines with bytes outside printable ASCII', () => {
  // The spool flags such lines (source.ts) and only their cells are checked for them before a SQL fast
  // path takes a cell; a line flagged wrongly would keep a non-breaking space or a control character.
  it('cleans their cells as clean.ts does, wherever they are among plain lines', async () => {
    const odd = ['Acme\u00a0\u00a0Inc', 'Acme\u000bInc', '\u3000Zoë  Müller ', 'Tab\u0001Co', 'Café  Noir'];
    const rows = Array.from({ length: 40 }, (_, i) => (i % 8 === 3 ? odd[(i >> 3) % odd.length]! : `Plain  Co ${i}`));
    const csv = `ID,Company\n${rows.map((company, i) => `${i + 1},${company}`).join('\n')}\n`;
    const { leads, rejects } = await importText(csv, { mapping: parseMapping({ fields: { id: 'ID', company_name: 'Company' } }) });
    expect(rejects).toEqual([]);
    expect(leads.map((lead) => lead.company_name)).toEqual(rows.map((company) => cleanText(company)));
    expect(leads.map((lead) => lead.company_name).filter((name) => !name!.startsWith('Plain'))).toEqual(['Acme Inc', 'Acme Inc', 'Zoë Müller', cleanText('Tab\u0001Co'), 'Café Noir']);
  });
});

describe('refusals: nothing written, reasons given', () => {
  it('fails when more rows would be rejected than --max-reject-rate allows, with the reasons grouped by column', async () => {
    const mapping = parseMapping({ fields: { id: 'ID', email: 'Email' } });
    const run = await importLeads({ text: 'ID,Email\n,nobody\n,x\n3,c@x.io\n' }, { mapping });
    expect(run.failure).toMatch(/2 of 3 rows \(67%\) would be rejected, more than --max-reject-rate 0\.1 allows\. Rejected rows by cause: \(identity\): 2/);
    expect(run.leads).toEqual([]);
  });

  it('fails when the outcome column holds no value the mapping counts as converted, listing the values it saw', async () => {
    const mapping = parseMapping({ fields: { id: 'ID' }, outcome: { column: 'Stage', positive: ['Customer'] } });
    const run = await importLeads({ text: 'ID,Stage\n1,Lead\n2,Lead\n3,Subscriber\n' }, { mapping });
    expect(run.failure).toMatch(/No value of the outcome column "Stage" is one the mapping counts as converted \("Customer"\); it holds "Lead" \(2\), "Subscriber" \(1\)/);
    expect(run.report.outcome!.values).toEqual([
      { value: 'Lead', rows: 2, reads: 'not converted' },
      { value: 'Subscriber', rows: 1, reads: 'not converted' },
    ]);
  });

  it('fails when the mapped outcome column is not in the file, and imports with "outcome": null', async () => {
    const base = { fields: { id: 'ID' }, outcome: { column: 'Converted' } };
    const missing = await importLeads({ text: 'ID\n1\n' }, { mapping: parseMapping(base) });
    expect(missing.failure).toMatch(/outcome column "Converted" is not in this file/);
    const without = await importLeads({ text: 'ID\n1\n' }, { mapping: parseMapping({ ...base, outcome: null }) });
    expect(without.failure).toBeNull();
    expect(without.leads).toEqual([{ id: '1' }]);
  });

  it('fails on a file with a header and no data rows', async () => {
    const run = await importLeads({ text: 'ID,Email\n' }, { mapping: parseMapping({ fields: { id: 'ID' } }) });
    expect(run.failure).toMatch(/no data rows/);
  });
});

describe('temp files', () => {
  const tempDirs = async () => (await fs.readdir(os.tmpdir())).filter((name) => name.startsWith('leadsignal-import-'));

  it('removes its temp directory after an import that fails, and a stale one left by a killed import', async () => {
    const stale = path.join(os.tmpdir(), 'leadsignal-import-stale-test');
    await fs.mkdir(stale, { recursive: true });
    await fs.writeFile(path.join(stale, 'pid'), '999999');
    await fs.writeFile(path.join(stale, 'source.csv'), 'x'.repeat(1000));
    const before = (await tempDirs()).filter((d) => d !== 'leadsignal-import-stale-test');
    await expect(importLeads({ text: 'Foo\n1\n' }, { mapping: parseMapping({ fields: { id: 'ID' } }) })).rejects.toThrow(/None of the columns/);
    const after = await tempDirs();
    expect(after).not.toContain('leadsignal-import-stale-test');
    expect(after.filter((d) => !before.includes(d))).toEqual([]);
  });
});

describe('large dirty exports', () => {
  it.each(['hubspot', 'salesforce'] as const)('leads from a generated dirty %s export pass parseLeads unchanged', async (flavor) => {
    const csv = [...largeExport({ flavor, rows: 3_000, seed: 3, duplicateRate: 0.2, delimiter: flavor === 'salesforce' ? ';' : ',' })].join('');
    const mapping = flavor === 'hubspot' ? await loadMapping(path.join(EXAMPLES, 'mapping.example.json')) : await loadMapping('salesforce');
    const { leads, report, failure } = await importLeads({ text: csv }, { mapping });
    expect(failure).toBeNull();
    expect(report.rowsRejected).toBe(0);
    expect(report.merged).toBeGreaterThan(300);
    const parsed = parseLeads(JSON.parse(JSON.stringify(leads)));
    expect(parsed.issues).toEqual([]);
    expect(parsed.leads).toEqual(leads);
  });
});

describe('output order', () => {
  it('writes leads in the order of their last row, also past one DuckDB row group (122,880 rows)', async () => {
    const rows = 130_000;
    const csv = `ID,Email\n${Array.from({ length: rows }, (_, i) => `${i},${i === rows - 1 ? 'dup@x.io' : i === 5 ? 'dup@x.io' : `p${i}@x.io`}`).join('\n')}\n`;
    const mapping = parseMapping({ fields: { id: 'ID', email: 'Email' } });
    const { text } = await leadsFileOf((await writeTemp('order.csv', csv)), { mapping });
    const ids = text.split('\n').slice(1, -2).map((line) => (JSON.parse(line.replace(/,$/, '')) as Lead).id);
    // Row 5 merges into the lead of its last row, the file's last: written there, with row 5's id.
    expect(ids).toEqual([...Array.from({ length: rows - 1 }, (_, i) => String(i)).filter((id) => id !== '5'), '5']);
  }, 120_000);
});

describe('writeLeadsFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'import-out-'));
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  it('replaces the leads file atomically, leaving no temp file, and leaves it as it was when writing fails', async () => {
    const out = path.join(dir, 'leads.json');
    await fs.writeFile(out, '[]\n');
    const mapping = await loadMapping('salesforce');
    await runImport(path.join(FIXTURES, 'salesforce_export.csv'), { mapping }, (leads) => writeLeadsFile(leads, out));
    expect(parseLeads(JSON.parse(await fs.readFile(out, 'utf8'))).leads).toHaveLength(manifest.salesforce.leads);
    await expect(
      runImport(path.join(FIXTURES, 'salesforce_export.csv'), { mapping }, (leads) => writeLeadsFile({ ...leads, writeFile: () => Promise.reject(new Error('disk full')) }, out)),
    ).rejects.toThrow('disk full');
    expect(parseLeads(JSON.parse(await fs.readFile(out, 'utf8'))).leads).toHaveLength(manifest.salesforce.leads);
    expect((await fs.readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
