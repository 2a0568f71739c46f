import 'server-only';
import { connection } from 'next/server';
import { env } from '@/lib/env';
import { getRules, getStore } from '@/lib/store';
import type { LeadStore } from '@/lib/store/types';

/**
 * What pages read. The store is only reached at request time (`connection()`), never while `next build`
 * prerenders, so the dashboard always shows the data as it is now, not as it was at build time.
 */
export async function loadStore(): Promise<LeadStore> {
  await connection();
  return getStore();
}

export async function loadRules() {
  await connection();
  return getRules();
}

/** The `SCORING_AS_OF` setting, for pages that measure dates themselves (the field profile). */
export function scoringAsOf(): string | undefined {
  return env().SCORING_AS_OF;
}

/** Whether the live re-enrich button can work, and why not. Only these plain values reach the browser. */
export interface LiveEnrichInfo {
  enabled: boolean;
  /** Claude with an API key, otherwise the labelled mock. */
  mode: 'claude' | 'mock';
  model: string;
  limit: number;
  windowSeconds: number;
  disabledReason: string | null;
}

export function liveEnrichInfo(): LiveEnrichInfo {
  const config = env();
  return {
    enabled: config.ENRICH_LIVE_ENABLED,
    mode: config.ANTHROPIC_API_KEY ? 'claude' : 'mock',
    model: config.ANTHROPIC_MODEL,
    limit: config.ENRICH_RATE_LIMIT,
    windowSeconds: config.ENRICH_RATE_WINDOW,
    disabledReason: config.ENRICH_LIVE_ENABLED ? null : 'Live re-enrichment is turned off on this server (ENRICH_LIVE_ENABLED=false).',
  };
}
