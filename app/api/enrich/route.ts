import { errorResponse } from '@/lib/api-error';
import { assertMayReEnrich, viewerForRequest } from '@/lib/auth/viewer';
import { clientIp } from '@/lib/client-ip';
import { createClaudeClient } from '@/lib/enrichment/claude';
import { enrichLead } from '@/lib/enrichment/enrich';
import { enrichmentStatus } from '@/lib/enrichment/schema';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { toScorable } from '@/lib/lead';
import { getRateLimiter } from '@/lib/rate-limit';
import { getRules, getStore } from '@/lib/store';
import { enrichRequestSchema, MAX_BODY_BYTES, type EnrichRequest } from './schema';

/**
 * POST /api/enrich `{ leadId }`: a fresh narrative for one lead, with the same code as the batch job
 * (Claude with an API key, the labelled mock without), saved through the store.
 *
 * Order of checks: signed in (401) and allowed to re-enrich (403), when sign-in is configured → kill
 * switch (503) → body (400) → rate limit per user, or per client IP with open access (429) → lead
 * exists (404). Malformed requests are refused without using up the client's quota.
 */

/** The live route fails fast rather than queueing retries behind a user who is watching a spinner. */
const LIVE_CLIENT_OPTIONS = { maxRetries: 2, timeoutMs: 30_000 };

async function readBody(request: Request): Promise<EnrichRequest> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new AppError('INVALID_INPUT', `Request body is ${text.length} bytes (max ${MAX_BODY_BYTES})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError('INVALID_INPUT', 'Request body must be JSON: { "leadId": "..." }');
  }
  const parsed = enrichRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const message =
      issue.code === 'unrecognized_keys'
        ? `Unexpected field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: the body is { "leadId": "..." }`
        : `${issue.path.length ? `Field "${issue.path.join('.')}"` : 'Body'}: ${issue.message}`;
    throw new AppError('INVALID_INPUT', message);
  }
  return parsed.data;
}

export async function POST(request: Request): Promise<Response> {
  try {
    const config = env();
    const viewer = await viewerForRequest(request, config);
    assertMayReEnrich(viewer);
    if (!config.ENRICH_LIVE_ENABLED) {
      throw new AppError('LIVE_ENRICH_DISABLED', 'Live re-enrichment is turned off on this server (ENRICH_LIVE_ENABLED=false).');
    }
    const { leadId } = await readBody(request);

    const limiter = await getRateLimiter();
    const subject = viewer.kind === 'user' ? `user:${viewer.id}` : clientIp(request.headers, config.ENRICH_CLIENT_IP_HEADER);
    const decision = await limiter.check(`enrich:${subject}`);
    const limitHeaders = { 'RateLimit-Limit': String(decision.limit), 'RateLimit-Remaining': String(decision.remaining) };
    if (!decision.allowed) {
      const wait = decision.retryAfterSeconds;
      const error = new AppError('RATE_LIMITED', `Rate limit reached: ${decision.limit} re-enrichments per ${config.ENRICH_RATE_WINDOW} s. Try again in ${wait} s.`);
      return errorResponse(error, { ...limitHeaders, 'Retry-After': String(wait) });
    }

    const [store, rules] = await Promise.all([getStore(), getRules()]);
    const scored = await store.getLead(leadId);
    if (!scored) throw new AppError('NOT_FOUND', `No lead with id "${leadId}".`);

    const enrichment = await enrichLead({
      lead: toScorable(scored.lead),
      result: { score: scored.score, tier: scored.tier, breakdown: scored.breakdown, rulesVersion: scored.rulesVersion },
      rules,
      client: createClaudeClient(config, LIVE_CLIENT_OPTIONS),
      model: config.ANTHROPIC_MODEL,
      signal: request.signal,
    });
    await store.saveEnrichments([enrichment]);

    const status = enrichmentStatus(enrichment, { inputHash: scored.inputHash, rulesVersion: scored.rulesVersion });
    return Response.json({ leadId, status, enrichment }, { headers: limitHeaders });
  } catch (error) {
    return errorResponse(error);
  }
}
