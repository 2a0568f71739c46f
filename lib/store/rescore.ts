import type { RuleSet } from '../rules';
import { rulesVersion } from '../scoring';
import { scoreForStore } from './scored-lead';
import { RESCORE_BATCH_SIZE } from './score-history';
import type { RescorableStore } from './types';

/**
 * `npm run rescore`: scores every stored lead whose rules version is not the configured one again, in
 * batches in id order. Each batch is one `saveRescores` call, one transaction that writes the new scores
 * and the history entries of the scores that changed, so a killed run has written whole batches only, and
 * the next run, which only reads leads still on another version, goes on where it stopped. A lead another
 * process changed between read and write is left to the next run (see RescorableStore.saveRescores).
 */

export interface RescoreProgress {
  /** Outdated leads handled so far, of `total` counted at the start. */
  done: number;
  total: number;
  rescored: number;
  history: number;
}

export interface RescoreResult {
  rulesVersion: string;
  /** Outdated leads when the run started. */
  outdated: number;
  rescored: number;
  /** Leads whose score or tier changed: each has a new history entry. */
  history: number;
  /** Stopped by the signal before every batch was done. */
  interrupted: boolean;
}

export async function rescoreStore(
  store: RescorableStore,
  {
    rules,
    now,
    until,
    batchSize = RESCORE_BATCH_SIZE,
    signal,
    onProgress,
  }: {
    rules: RuleSet;
    /** Reference time of recency rules, as db:seed resolves it (lib/as-of.ts). */
    now: Date;
    /** When the new rules take effect: the end of each history entry this run writes (ISO). */
    until: string;
    batchSize?: number;
    /** Aborted: no new batch is started; the one in flight is finished. */
    signal?: AbortSignal;
    onProgress?: (p: RescoreProgress) => void;
  },
): Promise<RescoreResult> {
  const version = rulesVersion(rules);
  const total = await store.countOutdated(version);
  const progress: RescoreProgress = { done: 0, total, rescored: 0, history: 0 };
  let after: string | null = null;
  for (;;) {
    if (signal?.aborted) return { rulesVersion: version, outdated: total, rescored: progress.rescored, history: progress.history, interrupted: true };
    const batch = await store.outdatedLeads(version, { after, limit: batchSize });
    if (batch.length === 0) break;
    const written = await store.saveRescores(
      batch.map((previous) => ({ previous, next: scoreForStore(previous.lead, { rules, now }) })),
      until,
    );
    // Keyset paging: a lead left alone (changed by another writer) is not read again in this run.
    after = batch[batch.length - 1]!.lead.id;
    progress.done += batch.length;
    progress.rescored += written.rescored;
    progress.history += written.history;
    onProgress?.({ ...progress });
  }
  return { rulesVersion: version, outdated: total, rescored: progress.rescored, history: progress.history, interrupted: false };
}
