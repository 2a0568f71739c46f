import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Enrichment } from '@/lib/enrichment/schema';
import { parseLead } from '@/lib/lead';
import { createFileStore } from '@/lib/store/file';
import { parseEnrichmentsFile, serializeEnrichments } from '@/lib/store/file-enrichments';
import { scoreForStore } from '@/lib/store/scored-lead';
import { testEnrichment } from '../support/test-enrichment';
import { CONTRACT_AS_OF, CONTRACT_RULES } from './contract';

/**
 * The file store's journal: saves visible at once to every reader, folds that lose nothing, lines cut short
 * by a crash, and a writer SIGKILLed at random moments (also mid-fold) losing nothing it had saved.
 */

const NOW = new Date(CONTRACT_AS_OF);
const WORKER = path.resolve('tests/support/journal-writer-worker.ts');

let dir: string;
let leadsPath: string;
let enrichmentsPath: string;
let journalPath: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-journal-'));
  leadsPath = path.join(dir, 'leads.json');
  enrichmentsPath = path.join(dir, 'enrichments.json');
  journalPath = `${enrichmentsPath}.journal.jsonl`;
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fs.rm(dir, { recursive: true, force: true });
});

const leads = Array.from({ length: 12 }, (_, i) => parseLead({ id: `l${i}`, first_name: `P${i}`, last_activity_at: '2026-10-30T00:00:00Z' }));
const writeLeads = () => fs.writeFile(leadsPath, JSON.stringify(leads));
const open = (foldAtBytes?: number) => createFileStore({ leadsPath, enrichmentsPath, rules: CONTRACT_RULES, asOf: CONTRACT_AS_OF, foldAtBytes });

function enrichment(id: string, overrides: Partial<Enrichment> = {}): Enrichment {
  const written = scoreForStore(leads.find((l) => l.id === id) ?? parseLead({ id }), { rules: CONTRACT_RULES, now: NOW });
  return testEnrichment(id, { written, fit_narrative: `Narrative for ${id}.`, ...overrides });
}

const journalFiles = async () => (await fs.readdir(dir)).filter((f) => f.includes('.journal')).sort();

describe('file store journal', () => {
  it('appends each save to the journal before it resolves; another instance reads it before any fold', async () => {
    await writeLeads();
    const writer = open();
    const reader = open();
    await writer.saveEnrichments([enrichment('l1')]);
    const lines = (await fs.readFile(journalPath, 'utf8')).split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual(enrichment('l1'));
    await expect(fs.stat(enrichmentsPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await reader.getLead('l1'))?.enrichment).toEqual(enrichment('l1'));

    await writer.saveEnrichments([enrichment('l2'), enrichment('l1', { fit_narrative: 'Newer.', enriched_at: '2026-11-02T00:00:00.000Z' })]);
    expect((await reader.getLead('l1'))?.enrichment?.fit_narrative).toBe('Newer.');
    expect([...(await reader.enrichments()).keys()].sort()).toEqual(['l1', 'l2']);
  });

  it('folds the journal into enrichments.json past foldAtBytes; readers see the same before and after', async () => {
    await writeLeads();
    const writer = open(3_000);
    const reader = open();
    const saved = new Map<string, Enrichment>();
    for (let round = 0; round < 4; round++) {
      for (const lead of leads) {
        const e = enrichment(lead.id, { fit_narrative: `Round ${round} for ${lead.id}.`, enriched_at: new Date(Date.parse('2026-11-01T00:00:00Z') + round * 1000).toISOString() });
        await writer.saveEnrichments([e]);
        saved.set(lead.id, e);
        expect((await reader.getLead(lead.id))?.enrichment).toEqual(e);
      }
    }
    expect(await reader.enrichments()).toEqual(saved);
    // Folds happened along the way: the snapshot exists and the journal is shorter than all the saves.
    const folded = parseEnrichmentsFile(JSON.parse(await fs.readFile(enrichmentsPath, 'utf8')), enrichmentsPath);
    expect(folded.size).toBe(leads.length);
    const journalLines = (await fs.readFile(journalPath, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    expect(journalLines).toBeLessThan(4 * leads.length);

    await writer.close!();
    expect(await journalFiles()).toEqual([]);
    expect(parseEnrichmentsFile(JSON.parse(await fs.readFile(enrichmentsPath, 'utf8')), enrichmentsPath)).toEqual(saved);
    expect(await open().enrichments()).toEqual(saved);
  });

  it('skips a line a crash cut short, with a warning naming it, and starts the next append on a fresh line', async () => {
    await writeLeads();
    const whole = JSON.stringify(enrichment('l1'));
    await fs.writeFile(journalPath, `${whole}\n${JSON.stringify(enrichment('l2')).slice(0, 40)}`);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const store = open();
      expect([...(await store.enrichments()).keys()]).toEqual(['l1']);
      await store.saveEnrichments([enrichment('l3')]);
      expect([...(await store.enrichments()).keys()].sort()).toEqual(['l1', 'l3']);
      expect((await fs.readFile(journalPath, 'utf8')).split('\n')).toHaveLength(4);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/journal\.jsonl: line 2 is not JSON \(cut short by a crash\); skipped/));
      await store.close!();
      expect([...(await open().enrichments()).keys()].sort()).toEqual(['l1', 'l3']);
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a journal line that is JSON but not an enrichment, naming the line, lead and field', async () => {
    await writeLeads();
    await fs.writeFile(journalPath, `${JSON.stringify(enrichment('l1'))}\n${JSON.stringify({ ...enrichment('l2'), confidence: 'certain' })}\n`);
    await expect(open().enrichments()).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('record line 2 (lead "l2"), field confidence') });
  });

  it('saves and reads back lead ids that are Object.prototype keys, in the journal and after a fold', async () => {
    const odd = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    await fs.writeFile(leadsPath, JSON.stringify(odd.map((id) => ({ id }))));
    const store = open();
    for (const id of odd) await store.saveEnrichments([enrichment(id)]);
    expect([...(await store.enrichments()).keys()].sort()).toEqual([...odd].sort());
    await store.close!();
    const written = (JSON.parse(await fs.readFile(enrichmentsPath, 'utf8')) as { enrichments: object }).enrichments;
    expect(Object.getOwnPropertyNames(written).sort()).toEqual([...odd].sort());
    expect((Object.getOwnPropertyDescriptor(written, '__proto__')?.value as Enrichment).lead_id).toBe('__proto__');
    const reopened = open();
    for (const id of odd) expect((await reopened.getLead(id))?.enrichment?.lead_id).toBe(id);
  });

  it('never shows a reader fewer results than before while another process folds after every save', async () => {
    const many = Array.from({ length: 300 }, (_, i) => parseLead({ id: `m${i}` }));
    await fs.writeFile(leadsPath, JSON.stringify(many));
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', WORKER, leadsPath, enrichmentsPath, '1', many.map((l) => l.id).join(','), '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let saves = 0;
    child.stdout!.on('data', (d: Buffer) => (saves += (d.toString().match(/^saved /gm) ?? []).length));
    const reader = open();
    let seen = 0;
    let reads = 0;
    while (saves < 300) {
      const size = (await reader.enrichments()).size;
      expect(size, `read ${reads}`).toBeGreaterThanOrEqual(seen);
      seen = size;
      reads++;
    }
    child.kill('SIGKILL');
    expect(reads).toBeGreaterThan(50);
    expect((await open().enrichments()).size).toBe(300);
  }, 60_000);

  it('loses nothing a writer had saved when it is SIGKILLed at random moments, mid-fold too; the next writer starts at once', async () => {
    // 3,000 more leads with a narrative each, so every fold (one per ~3 saves) rewrites a 2 MB file and a
    // kill often lands in the middle of one.
    const filler = Array.from({ length: 3_000 }, (_, i) => parseLead({ id: `f${i}` }));
    await fs.writeFile(leadsPath, JSON.stringify([...leads, ...filler]));
    await fs.writeFile(enrichmentsPath, serializeEnrichments(new Map(filler.map((l) => [l.id, enrichment(l.id)]))));
    const ids = leads.map((l) => l.id);
    /** The latest save number each lead's narrative must show, from what the killed writers reported. */
    const latest = new Map<string, number>();
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', WORKER, leadsPath, enrichmentsPath, '1500', ids.join(','), String(round * 1_000_000)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      // Killed after a random number of saves, so at a random point of an append or a fold.
      const killAfter = 20 + Math.floor(Math.random() * 60);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if ((out.match(/^saved /gm) ?? []).length >= killAfter) resolve();
        });
        child.on('exit', (code) => reject(new Error(`writer exited (${code}) before it was killed: ${err}`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      for (const [, id, n] of out.matchAll(/^saved (\S+) (\d+)$/gm)) latest.set(id!, Math.max(latest.get(id!) ?? -1, Number(n)));

      const stored = await open().enrichments();
      expect(stored.size).toBe(filler.length + latest.size);
      for (const [id, n] of latest) {
        const shown = Number(/^Save number (\d+)/.exec(stored.get(id)?.fit_narrative ?? '')?.[1] ?? -1);
        expect(shown, `lead ${id} after kill ${round + 1}`).toBeGreaterThanOrEqual(n);
      }
    }
    // Whatever locks the last writer died holding, a new writer saves and folds at once.
    const last = open();
    await last.saveEnrichments([enrichment('l0', { fit_narrative: 'After the crashes.', enriched_at: '2027-01-01T00:00:00.000Z' })]);
    await last.close!();
    expect((await journalFiles()).filter((f) => !f.includes('.lock'))).toEqual([]);
    const folded = parseEnrichmentsFile(JSON.parse(await fs.readFile(enrichmentsPath, 'utf8')), enrichmentsPath);
    expect(folded.get('l0')?.fit_narrative).toBe('After the crashes.');
    expect(folded.size).toBe(ids.length + filler.length);
  }, 120_000);
});
