import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { parseLeads } from '@/lib/lead';
import { rulesVersion } from '@/lib/scoring';
import { createPostgresStore } from '@/lib/store/postgres';
import { rescoreStore } from '@/lib/store/rescore';
import { scoreForStore } from '@/lib/store/scored-lead';
import type { RescorableStore } from '@/lib/store/types';
import { generateLeads } from '@/lib/synthetic';
import { describePostgres } from '../support/pg';
import { CONTRACT_AS_OF, CONTRACT_RULES, contractRulesB } from './contract';

/**
 * `npm run rescore`'s data-safety claims on real PostgreSQL: a run that dies midway leaves whole batches
 * only and the next run finishes the job; a rerun and two runs at once write every history entry once.
 */

const NOW = new Date(CONTRACT_AS_OF);
const RULES_B = contractRulesB();
const B = rulesVersion(RULES_B);
const leads = parseLeads(generateLeads({ count: 300, seed: 7 })).leads;
const underA = leads.map((lead) => scoreForStore(lead, { rules: CONTRACT_RULES, now: NOW }));
const underB = leads.map((lead) => scoreForStore(lead, { rules: RULES_B, now: NOW }));
const changed = underA.filter((s, i) => s.score !== underB[i]!.score || s.tier !== underB[i]!.tier).length;

describePostgres('rescore (postgres)', (db) => {
  const stores: RescorableStore[] = [];
  let rulesB: string;
  /** A store as the server sees it once SCORING_RULES names rules B. */
  const open = () => {
    const store = createPostgresStore({ DATABASE_URL: db().url, SCORING_RULES: rulesB });
    stores.push(store);
    return store;
  };
  const historyRows = async () => (await db().sql<{ n: number; leads: number }[]>`select count(*)::int as n, count(distinct lead_id)::int as leads from public.score_history`)[0]!;
  const run = (store: RescorableStore, until = '2026-12-01T00:00:00.000Z', batchSize = 40) => rescoreStore(store, { rules: RULES_B, now: NOW, until, batchSize });

  beforeEach(async () => {
    rulesB ??= path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-rescore-')), 'rules-b.json');
    await fs.writeFile(rulesB, JSON.stringify(RULES_B));
    await db().sql`truncate public.leads cascade`;
    await open().upsertLeads(underA);
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close?.()));
  });

  it('the summary counts the leads on other rules until the rescore, then none', async () => {
    expect(changed).toBeGreaterThan(5);
    expect(changed).toBeLessThan(leads.length);
    const store = open();
    expect(await store.summary()).toMatchObject({ total: leads.length, configuredRulesVersion: B, outdatedScores: leads.length, rulesVersion: rulesVersion(CONTRACT_RULES) });
    const result = await run(store);
    expect(result).toEqual({ rulesVersion: B, outdated: leads.length, rescored: leads.length, history: changed, interrupted: false });
    expect(await store.summary()).toMatchObject({ configuredRulesVersion: B, outdatedScores: 0, rulesVersion: B });
    expect(await historyRows()).toEqual({ n: changed, leads: changed });
  });

  it('a run that dies midway keeps whole batches only, and the next run finishes the job with no entry twice', async () => {
    const store = open();
    let calls = 0;
    const dying: RescorableStore = {
      ...store,
      async saveRescores(items, until) {
        if (++calls === 4) throw new Error('connection lost');
        return store.saveRescores(items, until);
      },
    };
    await expect(run(dying)).rejects.toThrow('connection lost');
    // Three batches of 40 landed whole, the fourth not at all.
    expect(await store.countOutdated(B)).toBe(leads.length - 120);
    const partial = await historyRows();
    expect(partial.n).toBe(partial.leads);

    const rest = await run(store, '2026-12-01T00:05:00.000Z');
    expect(rest).toMatchObject({ outdated: leads.length - 120, rescored: leads.length - 120, interrupted: false });
    expect(partial.n + rest.history).toBe(changed);
    expect(await historyRows()).toEqual({ n: changed, leads: changed });
    for (const [i, s] of underA.entries()) expect((await store.getLead(s.lead.id))?.score).toBe(underB[i]!.score);
  });

  it('a second run, and two runs at once, rescore each lead once and write each entry once', async () => {
    const [first, second] = await Promise.all([run(open(), '2026-12-01T00:00:00.000Z', 25), run(open(), '2026-12-01T00:00:00.001Z', 25)]);
    expect(first.rescored + second.rescored).toBe(leads.length);
    expect(first.history + second.history).toBe(changed);
    expect(await historyRows()).toEqual({ n: changed, leads: changed });
    expect(await run(open())).toMatchObject({ outdated: 0, rescored: 0, history: 0 });
    expect(await historyRows()).toEqual({ n: changed, leads: changed });
  });

  it('leaves alone a lead another writer changed after the rescore read it', async () => {
    const store = open();
    const [previous] = await store.outdatedLeads(B, { after: null, limit: 1 });
    // db:seed writes the lead again (new record, so a new input hash) between the read and the write.
    const edited = { ...previous!.lead, job_title: 'Chief Revenue Officer' };
    await store.upsertLeads([scoreForStore(edited, { rules: CONTRACT_RULES, now: NOW })]);
    const next = scoreForStore(previous!.lead, { rules: RULES_B, now: NOW });
    expect(await store.saveRescores([{ previous: previous!, next }], '2026-12-01T00:00:00.000Z')).toEqual({ rescored: 0, history: 0 });
    expect((await store.getLead(previous!.lead.id))?.lead.job_title).toBe('Chief Revenue Officer');
    // The next run picks it up with its new record.
    await run(store);
    expect((await store.getLead(previous!.lead.id))?.score).toBe(scoreForStore(edited, { rules: RULES_B, now: NOW }).score);
  });
});
