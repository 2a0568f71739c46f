import { errorResponse } from '@/lib/api-error';
import { assertMayReEnrich, viewerForRequest } from '@/lib/auth/viewer';
import { rateLimitKey } from '@/lib/client-ip';
import { createClaudeClient } from '@/lib/enrichment/claude';
import { enrichLead, worstCaseCostUsd } from '@/lib/enrichment/enrich';
import { buildLeadPrompt } from '@/lib/enrichment/prompt';
import { enrichmentStatus } from '@/lib/enrichment/schema';
import { env } from '@/lib/env';
import { AppError, isAppError } from '@/lib/errors';
import { assertJsonContentType, assertSameOrigin, parseJsonBody, readBodyText } from '@/lib/http-request';
import { toScorable } from '@/lib/lead';
import type { LiveBudgetStatus } from '@/lib/live-budget/budget';
import { getLiveBudget } from '@/lib/live-budget';
import { getRateLimiter } from '@/lib/rate-limit';
import { getRules, getStore } from '@/lib/store';
import { enrichRequestSchema, MAX_BODY_BYTES } from './schema';

/**
 * POST /api/enrich `{ leadId }`: a fresh narrative for one lead, with the same code as the batch job
 * (Claude with an API key, the labelled mock without), saved through the store.
 *
 * Order of checks: signed in (401) and allowed to re-enrich (403), when sign-in is configured → kill
 * switch (503) → same origin (403) → JSON content type (415) → body size (413) → body (400) → rate limit
 * per user, or per client IP with open access (429) → lead exists (404) → the day's global budget (429,
 * reserved before the call and settled after it) → Claude (502) → save.
 *
 * Only an oversized body counts against the client's quota among the refusals: no honest client sends one,
 * and it cost the server the reading. A malformed small body is a client bug that costs nothing, and a
 * cross-site request is counted against nobody, since it would be the victim's quota an attacker used up.
 *
 * A paid answer is never thrown away: when saving it fails, the response still carries it, with
 * `saved: false` and the reason, and the failure is logged.
 */

/** The live route fails fast rather than queueing retries behind a user who is watching a spinner. */
const LIVE_CLIENT_OPTIONS = { maxRetries: 2, timeoutMs: 30_000 };

function budgetHeaders(status: LiveBudgetStatus): Record<string, string> {
  return {
    'Live-Budget-Calls-Remaining': String(status.callsRemaining),
    'Live-Budget-USD-Remaining': status.usdRemaining.toFixed(4),
    'Live-Budget-Reset': status.resetsAt.toISOString(),
  };
}

export async function POST(request: Request): Promise<Response> {
  let headers: Record<string, string> = {};
  try {
    const config = env();
    const viewer = await viewerForRequest(request, config);
    assertMayReEnrich(viewer);
    if (!config.ENRICH_LIVE_ENABLED) {
      throw new AppError('LIVE_ENRICH_DISABLED', 'Live re-enrichment is turned off on this server (ENRICH_LIVE_ENABLED=false).');
    }
    assertSameOrigin(request, { trustProxyHops: config.TRUST_PROXY_HOPS });
    assertJsonContentType(request);

    const clientKey = rateLimitKey(request.headers, { trustProxyHops: config.TRUST_PROXY_HOPS, userId: viewer.kind === 'user' ? viewer.id : null });
    const limiter = await getRateLimiter();
    const countRequest = async () => {
      const decision = await limiter.check(`enrich:${clientKey}`);
      headers = { 'RateLimit-Limit': String(decision.limit), 'RateLimit-Remaining': String(decision.remaining) };
      return decision;
    };

    let text: string;
    try {
      text = await readBodyText(request, MAX_BODY_BYTES);
    } catch (error) {
      if (isAppError(error) && error.code === 'PAYLOAD_TOO_LARGE') await countRequest();
      throw error;
    }
    const { leadId } = parseJsonBody(text, enrichRequestSchema, '{ "leadId": "..." }');

    const decision = await countRequest();
    if (!decision.allowed) {
      const wait = decision.retryAfterSeconds;
      const error = new AppError('RATE_LIMITED', `Rate limit reached: ${decision.limit} re-enrichments per ${config.ENRICH_RATE_WINDOW} s. Try again in ${wait} s.`);
      return errorResponse(error, { ...headers, 'Retry-After': String(wait) });
    }

    const [store, rules] = await Promise.all([getStore(), getRules()]);
    const scored = await store.getLead(leadId);
    if (!scored) throw new AppError('NOT_FOUND', `No lead with id "${leadId}".`);

    const lead = toScorable(scored.lead);
    const result = { score: scored.score, tier: scored.tier, breakdown: scored.breakdown, rulesVersion: scored.rulesVersion };
    const client = createClaudeClient(config, LIVE_CLIENT_OPTIONS);
    const worstCaseUsd = client ? worstCaseCostUsd(config.ANTHROPIC_MODEL, buildLeadPrompt(lead, result, rules)) : 0;
    if (worstCaseUsd === null) {
      throw new AppError('CONFIG_ERROR', `ANTHROPIC_MODEL "${config.ANTHROPIC_MODEL}" has no price in lib/enrichment/pricing.ts, so ENRICH_LIVE_DAILY_USD cannot be enforced; add its price there.`, {
        safeMessage: 'The server is misconfigured.',
      });
    }
    const budget = await getLiveBudget();
    const admitted = await budget.reserve(worstCaseUsd);
    headers = { ...headers, ...budgetHeaders(admitted.status) };
    if (!admitted.allowed) {
      const wait = Math.max(1, Math.ceil((admitted.status.resetsAt.getTime() - Date.now()) / 1000));
      const what = admitted.exhausted === 'calls' ? `${config.ENRICH_LIVE_DAILY_LIMIT} calls (ENRICH_LIVE_DAILY_LIMIT)` : `$${config.ENRICH_LIVE_DAILY_USD} (ENRICH_LIVE_DAILY_USD)`;
      const error = new AppError('DAILY_BUDGET_EXHAUSTED', `Today's live enrichment budget of ${what} is used up for everyone; it resets at midnight UTC.`);
      return errorResponse(error, { ...headers, 'Retry-After': String(wait) });
    }

    let costUsd: number | null = 0;
    let enrichment;
    try {
      enrichment = await enrichLead({
        lead,
        result,
        rules,
        client,
        model: config.ANTHROPIC_MODEL,
        signal: request.signal,
        onUsage: (_usage, cost) => {
          costUsd = costUsd === null || cost === null ? null : costUsd + cost;
        },
      });
    } finally {
      // Settled whether the call succeeded or not: a failed attempt may still have been billed.
      try {
        headers = { ...headers, ...budgetHeaders(await budget.settle(admitted.reservation, costUsd)) };
      } catch (error) {
        console.error('[STORE_ERROR] Live budget: settling a call failed; its worst case stays reserved.', error);
      }
    }

    let saved = true;
    let notSavedReason: string | undefined;
    try {
      await store.saveEnrichments([enrichment]);
    } catch (error) {
      saved = false;
      notSavedReason = isAppError(error) ? error.safeMessage : 'The store could not save it.';
      console.error(`[STORE_ERROR] Live enrichment of lead "${leadId}" was written but not saved; it is returned to the client only.`, error);
    }

    const status = enrichmentStatus(enrichment, { inputHash: scored.inputHash, rulesVersion: scored.rulesVersion });
    return Response.json({ leadId, status, enrichment, saved, ...(notSavedReason ? { notSavedReason } : {}) }, { headers });
  } catch (error) {
    return errorResponse(error, headers);
  }
}
