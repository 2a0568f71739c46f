import { z } from 'zod';

/** Body of `POST /api/enrich`. Strict: an unexpected field is a client bug worth reporting. */
export const enrichRequestSchema = z
  .object({
    leadId: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  })
  .strict();

export type EnrichRequest = z.infer<typeof enrichRequestSchema>;

/** A body is one small JSON object; anything bigger is refused before parsing. */
export const MAX_BODY_BYTES = 4_096;
