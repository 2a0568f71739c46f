import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Enrichment } from '@/lib/enrichment/schema';
import { writeFileAtomic } from '@/lib/fs-atomic';
import { parseLead, type Lead } from '@/lib/lead';
import { createFileStore, fileNarratives, type FileStoreOptions } from '@/lib/store/file';
import { parseEnrichmentsFile } from '@/lib/store/file-enrichments';
import { scoreForStore } from '@/lib/store/scored-lead';
import type { LeadStore } from '@/lib/store/types';
import { testEnrichment } from '../support/test-enrichment';
import { CONTRACT_AS_OF, CONTRACT_RULES, describeStoreContract } from './contract';

const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-file-store-'));
  tempDirs.push(dir);
  return dir;
}

function paths(dir: string) {
  return { leadsPath: path.join(dir, 'leads.json'), enrichmentsPath: path.join(dir, 'enrichments.json') };
}

function openStore(dir: string, options: Partial<FileStoreOptions> = {}): LeadStore {
  return createFileStore({ ...paths(dir), rules: CONTRACT_RULES, asOf: CONTRACT_AS_OF, recordScoreHistory: true, ...options });
}

describeStoreContract('file', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-file-contract-'));
  await fs.writeFile(paths(dir).leadsPath, '[]\n');
  return {
    store: openStore(dir),
    reopen: async () => openStore(dir),
    // It scores at load: a server started under the new rules has loaded once.
    changeRules: async (rules, at) => {
      const store = openStore(dir, { rules, clock: () => at });
      await store.summary();
      return store;
    },
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
});

const NOW = new Date(CONTRACT_AS_OF);

function makeLeads(count: number, extra: (i: number) => Record<string, unknown> = () => ({})): Lead[] {
  return Array.from({ length: count }, (_, i) =>
    parseLead({ id: `l${i}`, first_name: `Person${i}`, company_name: `Company ${i}`, last_activity_at: '2026-10-30T00:00:00Z', ...extra(i) }),
  );
}

/** Written against the lead as it is, so it reads as current. */
function enrichment(lead: Lead, overrides: Partial<Enrichment> = {}): Enrichment {
  return testEnrichment(lead.id, { written: scoreForStore(lead, { rules: CONTRACT_RULES, now: NOW }), ...overrides });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('file store', () => {
  let dir: string;
  let leadsPath: string;
  let enrichmentsPath: string;

  beforeEach(async () => {
    dir = await tempDir();
    ({ leadsPath, enrichmentsPath } = paths(dir));
  });

  afterEach(async () => {
    await Promise.all(tempDirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
  });

  it('picks up edits to the leads and enrichments files without a restart', async () => {
    const leads = makeLeads(3);
    await fs.writeFile(leadsPath, json(leads));
    const store = openStore(dir);
    expect((await store.summary()).total).toBe(3);

    // An in-place edit (same inode), as an editor might save it.
    await fs.writeFile(leadsPath, json([...leads, parseLead({ id: 'l3', first_name: 'Late' })]));
    expect((await store.summary()).total).toBe(4);
    expect((await store.getLead('l3'))?.lead.first_name).toBe('Late');

    // Another process (the batch job) writing enrichments.
    await writeFileAtomic(enrichmentsPath, json({ version: 1, enrichments: { l1: enrichment(leads[1]!) } }));
    expect((await store.getLead('l1'))?.enrichmentStatus).toBe('mock');
    expect((await store.listLeads({ sort: 'score', direction: 'desc', enrichment: ['mock'], page: 1, pageSize: 10 })).total).toBe(1);
  });

  it('reads a missing enrichments file as no enrichments, and a missing leads file as an error naming it and its setting', async () => {
    await fs.writeFile(leadsPath, json(makeLeads(2)));
    expect(await openStore(dir).enrichments()).toEqual(new Map());
    expect((await openStore(dir).getLead('l0'))?.enrichmentStatus).toBe('none');

    const missing = path.join(dir, 'nope.json');
    const store = openStore(dir, { leadsPath: missing, leadsOrigin: 'LEADS_PATH' });
    await expect(store.summary()).rejects.toMatchObject({ code: 'CONFIG_ERROR', message: expect.stringMatching(/nope\.json.*LEADS_PATH/) });
  });

  it('keeps the later enrichment of a lead when saves arrive out of order', async () => {
    const [lead] = makeLeads(1);
    await fs.writeFile(leadsPath, json([lead]));
    const store = openStore(dir);
    const newer = enrichment(lead!, { fit_narrative: 'Newer.', enriched_at: '2026-11-02T00:00:00.000Z' });
    const older = enrichment(lead!, { fit_narrative: 'Older.', enriched_at: '2026-11-01T00:00:00.000Z' });
    await store.saveEnrichments([newer]);
    await store.saveEnrichments([older]);
    expect((await store.getLead(lead!.id))?.enrichment?.fit_narrative).toBe('Newer.');
    const evenNewer = enrichment(lead!, { fit_narrative: 'Newest.', enriched_at: '2026-11-03T00:00:00.000Z' });
    await store.saveEnrichments([evenNewer]);
    expect((await store.enrichments()).get(lead!.id)?.fit_narrative).toBe('Newest.');
  });

  it('writes the enrichments file as version 1 with sorted keys, 2-space JSON and a trailing newline', async () => {
    const leads = makeLeads(3);
    await fs.writeFile(leadsPath, json(leads));
    const store = openStore(dir);
    await store.saveEnrichments([enrichment(leads[2]!), enrichment(leads[0]!)]);
    await store.saveEnrichments([enrichment(leads[1]!)]);
    await store.close!(); // folds the journal into the file
    await expect(fs.stat(`${enrichmentsPath}.journal.jsonl`)).rejects.toMatchObject({ code: 'ENOENT' });
    const text = await fs.readFile(enrichmentsPath, 'utf8');
    const parsed = JSON.parse(text) as { version: number; enrichments: Record<string, Enrichment> };
    expect(parsed.version).toBe(1);
    expect(Object.keys(parsed.enrichments)).toEqual(['l0', 'l1', 'l2']);
    expect(text).toBe(json(parsed));
  });

  it('rejects invalid enrichments naming the lead and field, before writing anything', async () => {
    const [lead] = makeLeads(1);
    await fs.writeFile(leadsPath, json([lead]));
    const store = openStore(dir);
    const bad = { ...enrichment(lead!), confidence: 'certain' } as unknown as Enrichment;
    await expect(store.saveEnrichments([bad])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('lead "l0", field confidence') });
    await expect(fs.stat(enrichmentsPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a bad enrichments file with an error naming the lead and field, and never overwrites it', async () => {
    const leads = makeLeads(2);
    await fs.writeFile(leadsPath, json(leads));
    const good = enrichment(leads[0]!);
    const badText = json({ version: 1, enrichments: { l0: good, l1: { ...enrichment(leads[1]!), usage: { input_tokens: -1 } } } });
    await fs.writeFile(enrichmentsPath, badText);
    const store = openStore(dir);

    // The store's own data is at fault, not the caller: a server error (5xx), naming the lead and field.
    await expect(store.listLeads({ sort: 'score', direction: 'desc', page: 1, pageSize: 10 })).rejects.toMatchObject({
      code: 'STORE_ERROR',
      message: expect.stringContaining('lead "l1", field usage.input_tokens'),
    });
    // A save only appends to the journal; folding it in refuses to touch the bad file.
    await store.saveEnrichments([enrichment(leads[0]!)]);
    await expect(store.close!()).rejects.toMatchObject({ code: 'STORE_ERROR' });
    expect(await fs.readFile(enrichmentsPath, 'utf8')).toBe(badText);
    // The fold sealed the journal before it met the bad file: the saved result waits there, still read.
    const journals = (await fs.readdir(dir)).filter((f) => f.includes('.journal'));
    expect(journals).toEqual([expect.stringMatching(/^enrichments\.json\.journal-\d+-\w+\.jsonl$/)]);
    await fs.rm(path.join(dir, journals[0]!));

    await fs.writeFile(enrichmentsPath, json({ version: 1, enrichments: { l1: good } }));
    await expect(store.enrichments()).rejects.toThrow(/lead "l1", field lead_id: is "l0"/);
    await fs.writeFile(enrichmentsPath, json({ enrichments: {} }));
    await expect(store.enrichments()).rejects.toThrow(/field version/);
  });

  it('never leaves a half-written enrichments file, and readers never miss a saved result while the journal is folded', async () => {
    const leads = makeLeads(50, (i) => ({ company_description: `A long description ${'x'.repeat(2000)} ${i}` }));
    await fs.writeFile(leadsPath, json(leads));
    // A crash between writing the temp file and renaming it leaves this behind.
    await fs.writeFile(`${enrichmentsPath}.tmp-99999-deadbeef`, '{"version": 1, "enrichm');
    // Folding every 2 KB: about every second save rewrites the file while the reader reads.
    const writer = openStore(dir, { foldAtBytes: 2_048 });
    const reader = openStore(dir);

    let saved = 0;
    let writing = true;
    let reads = 0;
    let rounds = 0;
    const readLoop = (async () => {
      while (writing) {
        const before = saved;
        const text = await fs.readFile(enrichmentsPath, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
        if (text !== null) {
          JSON.parse(text);
          reads++;
        }
        expect((await reader.enrichments()).size).toBeGreaterThanOrEqual(before);
        rounds++;
      }
    })();
    for (const lead of leads) {
      await writer.saveEnrichments([enrichment(lead, { fit_narrative: `Narrative ${'y'.repeat(400)}` })]);
      saved++;
      // Interleave for sure: the reader reads at least once after every save, however loaded the machine.
      const round = rounds;
      while (rounds === round) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    writing = false;
    await readLoop;
    await writer.close!();

    expect(reads).toBeGreaterThan(0);
    expect((await reader.enrichments()).size).toBe(50);
    expect(parseEnrichmentsFile(JSON.parse(await fs.readFile(enrichmentsPath, 'utf8')), enrichmentsPath).size).toBe(50);
    const left = (await fs.readdir(dir)).filter((f) => f.includes('.tmp-') || f.includes('.journal'));
    expect(left).toEqual(['enrichments.json.tmp-99999-deadbeef']);
  });

  it('keeps all writes of two processes saving enrichments at the same time', async () => {
    const leads = makeLeads(60);
    await fs.writeFile(leadsPath, json(leads));
    const worker = path.resolve('tests/support/save-enrichments-worker.ts');
    const ids = leads.map((l) => l.id);
    const start = (batch: string[]) => {
      const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', worker, leadsPath, enrichmentsPath, CONTRACT_AS_OF, batch.join(',')], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => stdout.includes('ready') && resolve());
        child.on('exit', () => reject(new Error(`worker exited before it was ready: ${stderr}`)));
      });
      const done = new Promise<string>((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`worker exited with ${code}: ${stderr}`)))),
      );
      return { child, ready, done };
    };
    const workers = [start(ids.slice(0, 30)), start(ids.slice(30))];
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.end('go\n');
    const outputs = await Promise.all(workers.map((w) => w.done));

    expect(outputs.map((o) => o.trim().split('\n').at(-1))).toEqual(['saved 30', 'saved 30']);
    const saved = await openStore(dir).enrichments();
    expect([...saved.keys()].sort()).toEqual([...ids].sort());
    const writers = new Set([...saved.values()].map((e) => e.fit_narrative));
    expect(writers.size).toBe(2);
  }, 60_000);

  it('upserts in place: file order kept, new leads appended, untouched records left exactly as written', async () => {
    const original = [
      { id: 'b', first_name: 'Bea', email: null, industry: '  ' },
      { id: 7, first_name: 'Seven' },
      { id: 'a', first_name: 'Al' },
    ];
    await fs.writeFile(leadsPath, json(original));
    const store = openStore(dir);
    const changed = scoreForStore(parseLead({ id: '7', first_name: 'Seven', last_name: 'Changed' }), { rules: CONTRACT_RULES, now: NOW });
    const added = scoreForStore(parseLead({ id: 'c', first_name: 'Cy' }), { rules: CONTRACT_RULES, now: NOW });
    await store.upsertLeads([added, changed]);

    const written = JSON.parse(await fs.readFile(leadsPath, 'utf8')) as unknown[];
    expect(written).toEqual([original[0], changed.lead, original[2], added.lead]);
    expect((await store.getLead('7'))?.lead.last_name).toBe('Changed');
    await expect(fs.stat(enrichmentsPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('creates the leads file on the first upsert, and rejects invalid or duplicate leads without writing', async () => {
    const store = openStore(dir);
    const lead = scoreForStore(parseLead({ id: 'x1' }), { rules: CONTRACT_RULES, now: NOW });
    await store.upsertLeads([lead]);
    expect((await store.summary()).total).toBe(1);

    const before = await fs.readFile(leadsPath, 'utf8');
    const invalid = { ...lead, lead: { ...lead.lead, id: 'x2', employee_count: -5 } };
    await expect(store.upsertLeads([invalid])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('employee_count') });
    await expect(store.upsertLeads([lead, lead])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('"x1"') });
    expect(await fs.readFile(leadsPath, 'utf8')).toBe(before);
  });

  it('fails on a leads file with bad records by default, and serves the valid ones when told to skip them', async () => {
    await fs.writeFile(leadsPath, json([{ id: 'ok', first_name: 'Fine' }, { id: 'bad', employee_count: 'many' }]));
    await expect(openStore(dir).summary()).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('record "bad" (#1), field employee_count') });
    const lenient = openStore(dir, { skipInvalid: true });
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      expect((await lenient.summary()).total).toBe(1);
    } finally {
      console.warn = warn;
    }
    expect(String(warnings[0])).toContain('Skipped 1 invalid record');
  });

  it('scores recency against the export date unless SCORING_AS_OF says otherwise', async () => {
    const leads = [parseLead({ id: 'recent', last_activity_at: '2026-06-10T00:00:00Z' }), parseLead({ id: 'old', last_activity_at: '2026-05-01T00:00:00Z' })];
    await fs.writeFile(leadsPath, json(leads));
    const recency = async (store: LeadStore) => (await store.getLead('recent'))?.breakdown.find((b) => b.ruleId === 'recent_activity')?.points;
    expect(await recency(openStore(dir, { asOf: undefined }))).toBe(10);
    expect(await recency(openStore(dir, { asOf: '2026-06-30T00:00:00Z' }))).toBe(5);
  });

  it('keeps feedback in its own file (FEEDBACK_PATH, default beside the enrichments); a bad file is reported and never overwritten', async () => {
    const leads = makeLeads(2);
    await fs.writeFile(leadsPath, json(leads));
    const e = enrichment(leads[0]!);
    const feedback = {
      lead_id: leads[0]!.id,
      verdict: 'helpful' as const,
      reason: null,
      author: { key: 'local', email: null, name: null },
      narrative: { source: e.source, model: e.model, prompt_version: e.prompt_version, enriched_at: e.enriched_at, confidence: e.confidence, flagged: false },
      given_at: '2026-11-02T08:00:00.000Z',
    };
    const store = openStore(dir);
    await store.saveEnrichments([e]);
    // The enrichments file and its journal, byte for byte: feedback never touches the narratives.
    const enrichmentFiles = async () => {
      const names = (await fs.readdir(dir)).filter((f) => f.startsWith(path.basename(paths(dir).enrichmentsPath))).sort();
      return Promise.all(names.map(async (f) => [f, await fs.readFile(path.join(dir, f), 'utf8')]));
    };
    const enrichmentsBefore = await enrichmentFiles();
    expect(enrichmentsBefore.length).toBeGreaterThan(0);
    await store.saveFeedback(feedback);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'feedback.json'), 'utf8'))).toEqual({ version: 1, feedback: [feedback] });
    expect(await enrichmentFiles()).toEqual(enrichmentsBefore);

    const elsewhere = path.join(dir, 'sdr', 'verdicts.json');
    await openStore(dir, { feedbackPath: elsewhere }).saveFeedback(feedback);
    expect(JSON.parse(await fs.readFile(elsewhere, 'utf8')).feedback).toHaveLength(1);

    const bad = json({ version: 1, feedback: [feedback, { ...feedback, verdict: 'meh' }] });
    await fs.writeFile(path.join(dir, 'feedback.json'), bad);
    const reopened = openStore(dir);
    // The store's own file, not the caller's input: STORE_ERROR (a logged 500), like a bad leads or enrichments file.
    await expect(reopened.feedback()).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining(`record #1 (lead "${leads[0]!.id}"), field verdict`) });
    await expect(reopened.saveFeedback({ ...feedback, lead_id: leads[1]!.id })).rejects.toMatchObject({ code: 'STORE_ERROR' });
    expect(await fs.readFile(path.join(dir, 'feedback.json'), 'utf8')).toBe(bad);
  });

  it('rejects malformed list queries', async () => {
    await fs.writeFile(leadsPath, json(makeLeads(1)));
    const store = openStore(dir);
    await expect(store.listLeads({ sort: 'score', direction: 'desc', page: 0, pageSize: 10 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.listLeads({ sort: 'nope' as never, direction: 'desc', page: 1, pageSize: 10 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('fileNarratives (what validate reads instead of building a second store)', () => {
  it("gives the file store's outcome rows and feedback for the same scores", async () => {
    const dir = await tempDir();
    const { leadsPath, enrichmentsPath } = paths(dir);
    // Outcomes on all but the last lead; l1's narrative was written before its record changed (stale).
    const leads = makeLeads(6, (i) => (i < 5 ? { converted: i % 2 === 0 } : {}));
    await fs.writeFile(leadsPath, json(leads));
    const e0 = enrichment(leads[0]!, { source: 'claude', model: 'claude-sonnet-5-5', confidence: 'high' });
    const stale = enrichment(makeLeads(2, () => ({ job_title: 'Intern' }))[1]!, { confidence: 'low' });
    const e2 = enrichment(leads[2]!, { source: 'mock', confidence: 'medium', checks: { version: 'grounding-v1', findings: [] } });
    const store = openStore(dir, { recordScoreHistory: false });
    await store.saveEnrichments([e0, stale, e2]);
    await store.saveFeedback({
      lead_id: leads[0]!.id,
      verdict: 'wrong',
      reason: 'Not a buyer.',
      author: { key: 'local', email: null, name: null },
      narrative: { source: e0.source, model: e0.model, prompt_version: e0.prompt_version, enriched_at: e0.enriched_at, confidence: e0.confidence, flagged: false },
      given_at: '2026-11-02T08:00:00.000Z',
    });

    const fromStore = await store.outcomes();
    expect(fromStore.map((r) => r.enrichmentStatus)).toEqual(['claude', 'stale', 'mock', 'none', 'none']);
    const read = await fileNarratives(await store.scoredRecords(), { enrichmentsPath, rulesVersion: (await store.summary()).rulesVersion });
    expect(read.outcomes).toEqual(fromStore);
    expect(read.feedback).toEqual(await store.feedback());
    expect(read.feedback).toHaveLength(1);
  });
});
