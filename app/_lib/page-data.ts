import 'server-only';
import { connection } from 'next/server';
import { reEnrichRefusal, type Viewer } from '@/lib/auth/viewer';
import { tuneCommandFor } from '@/lib/drift';
import { env } from '@/lib/env';
import { isAppError } from '@/lib/errors';
import type { RuleSet } from '@/lib/rules';
import { getCandidateRules, getRules, getShownAttributes, getStore } from '@/lib/store';
import type { LeadStore } from '@/lib/store/types';
import { requireViewer } from './viewer';

/**
 * What pages read. The store is only reached at request time (`connection()`), never while `next build`
 * prerenders, so the dashboard always shows the data as it is now, not as it was at build time; and
 * only for a signed-in viewer when sign-in is configured (whatever proxy.ts let through).
 */
export async function loadStore(): Promise<LeadStore> {
  await connection();
  await requireViewer();
  return getStore();
}

export async function loadRules() {
  await connection();
  await requireViewer();
  return getRules();
}

/** The attributes LEAD_MAPPING marks `show`, for the lead table's columns. */
export async function loadShownAttributes(): Promise<string[]> {
  await connection();
  await requireViewer();
  return getShownAttributes();
}

/**
 * The candidate rule set (SCORING_RULES_CANDIDATE), or null when unset. A file that does not load (missing,
 * invalid) is a `problem` to show, not an error page: the live figures still stand. Logged too.
 */
export async function loadCandidateRules(): Promise<{ candidate: RuleSet | null; problem: string | null }> {
  await connection();
  await requireViewer();
  try {
    return { candidate: await getCandidateRules(), problem: null };
  } catch (error) {
    // Every AppError here is about the candidate's file (not found, not JSON, invalid rules).
    if (!isAppError(error)) throw error;
    console.error('[leadsignal] SCORING_RULES_CANDIDATE:', error.message);
    return { candidate: null, problem: error.message };
  }
}

/** The `SCORING_AS_OF` setting, for pages that measure dates themselves (the field profile). */
export function scoringAsOf(): string | undefined {
  return env().SCORING_AS_OF;
}

/** The command that re-tunes the live rules, for the drift alarm: the leads file of the file store, the rules file in force. */
export function tuneCommandHint(): string {
  const config = env();
  return tuneCommandFor(config.LEAD_STORE === 'file' ? config.LEADS_PATH : 'your-export.json', config.SCORING_RULES);
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

/** `viewer`: when given, a viewer who may not re-enrich sees the button off, with the reason. */
export function liveEnrichInfo(viewer?: Viewer): LiveEnrichInfo {
  const config = env();
  const disabledReason = !config.ENRICH_LIVE_ENABLED
    ? 'Live re-enrichment is turned off on this server (ENRICH_LIVE_ENABLED=false).'
    : viewer && !viewer.canReEnrich
      ? reEnrichRefusal(viewer)
      : null;
  return {
    enabled: disabledReason === null,
    mode: config.ANTHROPIC_API_KEY ? 'claude' : 'mock',
    model: config.ANTHROPIC_MODEL,
    limit: config.ENRICH_RATE_LIMIT,
    windowSeconds: config.ENRICH_RATE_WINDOW,
    disabledReason,
  };
}
