import pLimit from 'p-limit';
import type { Lead } from '../lead';
import type { RuleSet } from '../rules';
import { TIERS, type Tier } from '../scoring';
import { scoreForStore } from './scored-lead';
import type { LeadStore } from './types';

/**
 * Scores leads and upserts them into a store in batches (`npm run db:seed`, the postgres benchmark).
 * Each batch is one `upsertLeads` call, so a rerun after a failure redoes little, and enrichments
 * already stored are kept (upserts never touch them). Two batches are written at once: PostgreSQL works
 * on each in its own backend, so the second core is not left idle while the first one writes.
 */

export interface SeedProgress {
  done: number;
  total: number;
}

export interface SeedResult {
  leads: number;
  byTier: Record<Tier, number>;
  rulesVersion: string;
  /** Time spent scoring, summed over batches. */
  scoreMs: number;
}

export const SEED_BATCH_SIZE = 5_000;
export const SEED_CONCURRENCY = 2;

export async function seedStore(
  store: LeadStore,
  leads: readonly Lead[],
  {
    rules,
    now,
    batchSize = SEED_BATCH_SIZE,
    concurrency = SEED_CONCURRENCY,
    onProgress,
  }: { rules: RuleSet; now: Date; batchSize?: number; concurrency?: number; onProgress?: (p: SeedProgress) => void },
): Promise<SeedResult> {
  const byTier = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>;
  let rulesVersion = '';
  let scoreMs = 0;
  let done = 0;
  const limit = pLimit(concurrency);
  const starts = Array.from({ length: Math.ceil(leads.length / batchSize) }, (_, i) => i * batchSize);
  try {
    await Promise.all(
      starts.map((start) =>
        limit(async () => {
          // Scored inside the limiter, so at most `concurrency` scored batches are in memory at once.
          const scoredAt = performance.now();
          const batch = leads.slice(start, start + batchSize).map((lead) => scoreForStore(lead, { rules, now }));
          scoreMs += performance.now() - scoredAt;
          await store.upsertLeads(batch);
          for (const s of batch) byTier[s.tier]++;
          rulesVersion ||= batch[0]?.rulesVersion ?? '';
          done += batch.length;
          onProgress?.({ done, total: leads.length });
        }),
      ),
    );
  } catch (error) {
    limit.clearQueue();
    throw error;
  }
  return { leads: leads.length, byTier, rulesVersion, scoreMs };
}
