import { z } from 'zod';
import type { Viewer } from '../auth/viewer';
import { CONFIDENCES, ENRICHMENT_SOURCES } from './schema';

/**
 * An SDR's verdict on one narrative: helpful or wrong, with an optional reason. Stored apart from the
 * narrative and the score (its own file or table), never read by scoring. Each record keeps what the
 * verdict was about (the narrative's model, prompt version, time, confidence and grounding flag), so
 * /validate can count agreement per model, prompt and confidence after the narrative itself is replaced.
 * One verdict per lead, narrative and author: giving another replaces it.
 */

export const FEEDBACK_VERDICTS = ['helpful', 'wrong'] as const;
export type FeedbackVerdict = (typeof FEEDBACK_VERDICTS)[number];

export const MAX_FEEDBACK_REASON = 500;

/** Who gave it: the signed-in user, or the one local user under open access (`key` "local"). */
export const feedbackAuthorSchema = z
  .object({
    key: z.string().min(1).max(200),
    email: z.string().max(320).nullable(),
    name: z.string().max(200).nullable(),
  })
  .strict();
export type FeedbackAuthor = z.infer<typeof feedbackAuthorSchema>;

/** Open access (no sign-in configured) has one user. */
export const LOCAL_AUTHOR: FeedbackAuthor = { key: 'local', email: null, name: null };

/** Who a verdict is recorded under: the signed-in user by id, email and name, or the local user. */
export function feedbackAuthor(viewer: Viewer): FeedbackAuthor {
  return viewer.kind === 'user' ? { key: viewer.id, email: viewer.email, name: viewer.name } : LOCAL_AUTHOR;
}

export const feedbackNarrativeSchema = z
  .object({
    source: z.enum(ENRICHMENT_SOURCES),
    model: z.string().min(1),
    prompt_version: z.string().min(1),
    /** Identifies the narrative: a lead's next narrative has a later time. */
    enriched_at: z.iso.datetime(),
    confidence: z.enum(CONFIDENCES),
    /** Whether the grounding checks had flagged it. */
    flagged: z.boolean(),
  })
  .strict();

export const narrativeFeedbackSchema = z
  .object({
    lead_id: z.string().min(1),
    verdict: z.enum(FEEDBACK_VERDICTS),
    reason: z.string().trim().min(1).max(MAX_FEEDBACK_REASON).nullable(),
    author: feedbackAuthorSchema,
    narrative: feedbackNarrativeSchema,
    given_at: z.iso.datetime(),
  })
  .strict();
export type NarrativeFeedback = z.infer<typeof narrativeFeedbackSchema>;

/** The key a verdict replaces another under. */
export function feedbackKey(f: Pick<NarrativeFeedback, 'lead_id' | 'author'> & { narrative: Pick<NarrativeFeedback['narrative'], 'enriched_at'> }): string {
  return `${f.lead_id}\0${Date.parse(f.narrative.enriched_at)}\0${f.author.key}`;
}

/** What the lead page shows about the feedback on a lead: counts for the narrative on screen, and yours. */
export interface FeedbackTally {
  helpful: number;
  wrong: number;
  /** This author's verdict on this narrative. */
  mine: { verdict: FeedbackVerdict; reason: string | null } | null;
  /** Verdicts on the lead's earlier narratives. */
  earlier: number;
}

export function feedbackTally(feedback: readonly NarrativeFeedback[], enrichedAt: string, authorKey: string | null): FeedbackTally {
  const at = Date.parse(enrichedAt);
  const tally: FeedbackTally = { helpful: 0, wrong: 0, mine: null, earlier: 0 };
  for (const f of feedback) {
    if (Date.parse(f.narrative.enriched_at) !== at) {
      tally.earlier++;
      continue;
    }
    tally[f.verdict]++;
    if (f.author.key === authorKey) tally.mine = { verdict: f.verdict, reason: f.reason };
  }
  return tally;
}
