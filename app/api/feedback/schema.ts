import { z } from 'zod';
import { FEEDBACK_VERDICTS, MAX_FEEDBACK_REASON } from '@/lib/enrichment/feedback';

/**
 * Body of `POST /api/feedback`. `enrichedAt` names the narrative the SDR read (its `enriched_at`), so a
 * verdict never lands on a narrative that replaced it in the meantime. Strict: an unexpected field is a
 * client bug worth reporting. A blank reason is no reason.
 */
export const feedbackRequestSchema = z
  .object({
    leadId: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    enrichedAt: z.iso.datetime({ message: 'must be the narrative’s enriched_at (an ISO date-time)' }),
    verdict: z.enum(FEEDBACK_VERDICTS, { message: `must be ${FEEDBACK_VERDICTS.map((v) => `"${v}"`).join(' or ')}` }),
    reason: z
      .string()
      .trim()
      .max(MAX_FEEDBACK_REASON, `must be at most ${MAX_FEEDBACK_REASON} characters`)
      .nullish()
      .transform((r) => (r ? r : null)),
  })
  .strict();

export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;

/** A body is one small JSON object; anything bigger is refused before parsing. */
export const MAX_BODY_BYTES = 4_096;
