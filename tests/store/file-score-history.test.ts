import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLeads } from '@/lib/lead';
import { rulesVersion } from '@/lib/scoring';
import { createFileStore, type FileStoreOptions } from '@/lib/store/file';
import { scoreHistoryPath } from '@/lib/store/file-score-history';
import { scoreForStore } from '@/lib/store/scored-lead';
import { generateLeads } from '@/lib/synthetic';
import { CONTRACT_AS_OF, CONTRACT_RULES, contractRulesB } from './contract';

/**
 * The file store's score history journal (lib/store/file-score-history.ts): restarts and two processes
 * loading at once never write an entry twice, a line cut short by a kill is written again, whole.
 */

const NOW = new Date(CONTRACT_AS_OF);
const RULES_B = contractRulesB();
const WORKER = path.resolve(__dirname, '../support/score-history-load-worker.ts');
const leads = parseLeads(generateLeads({ count: 300, seed: 11 })).leads;
const changedIds = leads
  .filter((lead) => {
    const [a, b] = [CONTRACT_RULES, RULES_B].map((rules) => scoreForStore(lead, { rules, now: NOW }));
    return a!.score !== b!.score || a!.tier !== b!.tier;
  })
  .map((lead) => lead.id);

describe('file store score history', () => {
  let dir: string;
  let leadsPath: string;
  let journal: string;
  const open = (options: Partial<FileStoreOptions> = {}) =>
    createFileStore({ leadsPath, enrichmentsPath: path.join(dir, 'enrichments.json'), rules: CONTRACT_RULES, asOf: CONTRACT_AS_OF, recordScoreHistory: true, ...options });
  /** The journal's lines that are JSON (a line a kill cut short is not). */
  const lines = async () =>
    (await fs.readFile(journal, 'utf8')).split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as { rules_version: string; entries: { leadId: string }[] }];
      } catch {
        return [];
      }
    });
  const entryIds = async () => (await lines()).flatMap((l) => l.entries.map((e) => e.leadId));

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-score-history-'));
    leadsPath = path.join(dir, 'leads.json');
    journal = scoreHistoryPath(leadsPath);
    await fs.writeFile(leadsPath, JSON.stringify(leads));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('records the first rules at the first load, and nothing more on restarts under the same rules', async () => {
    await open().summary();
    expect(await lines()).toMatchObject([{ rules_version: rulesVersion(CONTRACT_RULES), entries: [] }]);
    const size = (await fs.stat(journal)).size;
    for (let i = 0; i < 3; i++) await open().summary();
    expect((await fs.stat(journal)).size).toBe(size);
  });

  it('appends one line with an entry per changed lead when the rules change, once however often it restarts', async () => {
    expect(changedIds.length).toBeGreaterThan(3);
    await open().summary();
    for (let i = 0; i < 3; i++) await open({ rules: RULES_B, clock: () => new Date(`2026-12-0${i + 1}T00:00:00.000Z`) }).summary();
    expect((await lines()).map((l) => l.rules_version)).toEqual([rulesVersion(CONTRACT_RULES), rulesVersion(RULES_B)]);
    expect((await entryIds()).sort()).toEqual([...changedIds].sort());
    const [entry] = await open({ rules: RULES_B }).scoreHistory(changedIds[0]!);
    expect(entry).toMatchObject({ rulesVersion: rulesVersion(CONTRACT_RULES), until: '2026-12-01T00:00:00.000Z' });
  });

  it('writes a rules change again, whole, when a kill cut its line short, and says so in the log', async () => {
    await open().summary();
    await open({ rules: RULES_B, clock: () => new Date('2026-12-01T00:00:00.000Z') }).summary();
    // What a SIGKILL halfway through the append leaves: the line without its end.
    const text = await fs.readFile(journal, 'utf8');
    const [first, second] = text.split('\n');
    await fs.writeFile(journal, `${first}\n${second!.slice(0, Math.floor(second!.length / 2))}`);

    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      const store = open({ rules: RULES_B, clock: () => new Date('2026-12-02T00:00:00.000Z') });
      expect((await store.scoreHistory(changedIds[0]!)).map((e) => e.until)).toEqual(['2026-12-02T00:00:00.000Z']);
    } finally {
      console.warn = warn;
    }
    expect(warnings.join('\n')).toMatch(/cut short by a crash/);
    expect((await entryIds()).sort()).toEqual([...changedIds].sort());
  });

  it('two processes loading new rules at the same moment append one line between them', async () => {
    await open().summary();
    const rulesPath = path.join(dir, 'rules-b.json');
    await fs.writeFile(rulesPath, JSON.stringify(RULES_B));
    const workers = [0, 1, 2].map((i) =>
      spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', WORKER, leadsPath, path.join(dir, 'enrichments.json'), rulesPath, `2026-12-01T00:00:0${i}.000Z`], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const said = (child: (typeof workers)[number], word: string) =>
      new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(word)) resolve();
        });
        child.on('exit', (code) => (out.includes(word) ? resolve() : reject(new Error(`worker exited ${code} before "${word}"`))));
      });
    await Promise.all(workers.map((w) => said(w, 'ready')));
    for (const w of workers) w.stdin!.write('go\n');
    await Promise.all(workers.map((w) => said(w, 'loaded')));
    expect((await lines()).map((l) => l.rules_version)).toEqual([rulesVersion(CONTRACT_RULES), rulesVersion(RULES_B)]);
    expect((await entryIds()).sort()).toEqual([...changedIds].sort());
  }, 60_000);

  it('records nothing for a store opened with other rules than the configured ones (a command given --rules)', async () => {
    await open().summary();
    const size = (await fs.stat(journal)).size;
    await open({ rules: RULES_B, recordScoreHistory: false }).summary();
    expect((await fs.stat(journal)).size).toBe(size);
  });

  it('serves the scores when the history cannot be written, with a warning', async () => {
    await fs.mkdir(journal); // a directory where the journal should be: every append fails
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      expect((await open({ rules: RULES_B }).summary()).total).toBe(leads.length);
    } finally {
      console.warn = warn;
    }
    expect(warnings.join('\n')).toMatch(/Score history not recorded/);
  });
});
