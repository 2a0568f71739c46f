import { errorResponse } from '@/lib/api-error';
import { viewerForRequest } from '@/lib/auth/viewer';
import { feedbackAuthor, feedbackTally, type NarrativeFeedback } from '@/lib/enrichment/feedback';
import { groundingStatus } from '@/lib/enrichment/schema';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { assertJsonContentType, assertSameOrigin, parseJsonBody, readBodyText } from '@/lib/http-request';
import { getStore } from '@/lib/store';
import { feedbackRequestSchema, MAX_BODY_BYTES } from './schema';

/**
 * POST /api/feedback `{ leadId, enrichedAt, verdict: "helpful" | "wrong", reason? }`: an SDR's verdict on
 * the narrative they are reading. Saved through the store's own feedback methods: it never touches the
 * score or the narrative. Answers `{ feedback, tally }`.
 *
 * Order of checks (the request checks are the live route's, lib/http-request.ts): same origin (403
 * CROSS_SITE_REQUEST) → JSON content type (415) → signed in, when sign-in is configured (401
 * UNAUTHENTICATED, or 403 FORBIDDEN for a user no longer on the sign-in list) → body size, by its
 * Content-Length and while it streams in (413) → body (400) → lead exists (404) → the narrative is still the
 * one the SDR read (409 CONFLICT). Any signed-in user may give feedback; it
 * is recorded under their id, email and name (under open access, the one local user).
 */

export async function POST(request: Request): Promise<Response> {
  try {
    const config = env();
    assertSameOrigin(request, { trustProxyHops: config.TRUST_PROXY_HOPS });
    assertJsonContentType(request);
    const author = feedbackAuthor(await viewerForRequest(request, config));
    const body = parseJsonBody(await readBodyText(request, MAX_BODY_BYTES), feedbackRequestSchema, '{ "leadId", "enrichedAt", "verdict", "reason"? }');

    const store = await getStore();
    const scored = await store.getLead(body.leadId);
    if (!scored) throw new AppError('NOT_FOUND', `No lead with id "${body.leadId}".`);
    const narrative = scored.enrichment;
    if (!narrative) throw new AppError('CONFLICT', `Lead "${body.leadId}" has no narrative to give feedback on.`);
    if (Date.parse(narrative.enriched_at) !== Date.parse(body.enrichedAt)) {
      throw new AppError('CONFLICT', 'This narrative was replaced since the page loaded. Reload to see the new one, then give your feedback.');
    }

    const feedback: NarrativeFeedback = {
      lead_id: scored.lead.id,
      verdict: body.verdict,
      reason: body.reason,
      author,
      narrative: {
        source: narrative.source,
        model: narrative.model,
        prompt_version: narrative.prompt_version,
        enriched_at: narrative.enriched_at,
        confidence: narrative.confidence,
        flagged: groundingStatus(narrative) === 'flagged',
      },
      given_at: new Date().toISOString(),
    };
    await store.saveFeedback(feedback);
    const tally = feedbackTally(await store.feedback(scored.lead.id), narrative.enriched_at, author.key);
    return Response.json({ feedback, tally });
  } catch (error) {
    return errorResponse(error);
  }
}
