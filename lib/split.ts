import { z } from 'zod';
import { AppError } from './errors';
import { unitInterval } from './hash';
import { fieldReader, leadDateMs, type ScorableLead } from './lead';

/**
 * The honest split of leads into a design half (where profiles are read and points are fitted) and a test
 * half (where the fitted rules are graded). Pure and deterministic: the same lead always lands in the same
 * half, whatever else is in the file and in whatever order.
 *
 * - `hash`: a well-mixed hash of (seed, lead id) below `holdout` puts the lead in the test half.
 * - `time`: the newest `holdout` share by a date field (e.g. `created_at`) is the test half, which is how a
 *   funnel that shifts should be judged. The cut-off is an instant: a lead dated on or after it is test.
 *   Leads without a readable date are split by the hash instead, with the same share, so none is lost.
 */

export const splitSchema = z.discriminatedUnion('by', [
  z.object({ by: z.literal('hash'), holdout: z.number().gt(0).lt(1), seed: z.number().int() }).strict(),
  z
    .object({
      by: z.literal('time'),
      field: z.string().min(1),
      holdout: z.number().gt(0).lt(1),
      seed: z.number().int(),
      /** ISO instant: leads dated on or after it are the test half. */
      cutoff: z.iso.datetime(),
    })
    .strict(),
]);

export type SplitSpec = z.infer<typeof splitSchema>;
export type Half = 'design' | 'test';

export const DEFAULT_HOLDOUT = 0.3;
export const DEFAULT_SPLIT_SEED = 1;

/** A reusable half-of function for one split (parses the cut-off once). */
export function splitter(split: SplitSpec): (lead: ScorableLead) => Half {
  if (split.by === 'hash') return (lead) => (unitInterval(`${split.seed}:${lead.id}`) < split.holdout ? 'test' : 'design');
  const read = fieldReader(split.field);
  const cutoff = Date.parse(split.cutoff);
  return (lead) => {
    const at = leadDateMs(read(lead));
    if (at === undefined) return unitInterval(`${split.seed}:${lead.id}`) < split.holdout ? 'test' : 'design';
    return at >= cutoff ? 'test' : 'design';
  };
}

/** Which half one lead belongs to (for many leads, make one `splitter`). */
export function halfOf(lead: ScorableLead, split: SplitSpec): Half {
  return splitter(split)(lead);
}

/**
 * A time split from the leads' dates: the cut-off is the date at the (1 − holdout) quantile, so about the
 * newest `holdout` share is test (leads sharing the cut-off instant all go to test). Fails, naming the
 * field, when too few leads carry the date or one instant holds so many that no design half is left.
 */
export function planTimeSplit(dates: Iterable<unknown>, { field, holdout, seed }: { field: string; holdout: number; seed: number }): SplitSpec {
  const times: number[] = [];
  for (const value of dates) {
    const ms = leadDateMs(value);
    if (ms !== undefined) times.push(ms);
  }
  if (times.length < 2) {
    throw new AppError('INVALID_INPUT', `cannot split by ${field}: ${times.length === 0 ? 'no lead has' : 'only one lead has'} a date in it`);
  }
  const sorted = Float64Array.from(times).sort();
  const cutoff = sorted[Math.min(sorted.length - 1, Math.floor((1 - holdout) * sorted.length))]!;
  if (cutoff <= sorted[0]!) {
    throw new AppError('INVALID_INPUT', `cannot split by ${field}: the oldest date is also the cut-off (${new Date(cutoff).toISOString()}), so no lead would be left to fit on`);
  }
  return { by: 'time', field, holdout, seed, cutoff: new Date(cutoff).toISOString() };
}

/** The split in words, for every printed header: "test half = 30% by hash of lead id (seed 1)". */
export function describeSplit(split: SplitSpec): string {
  const share = `${Math.round(split.holdout * 100)}%`;
  if (split.by === 'hash') return `by hash of lead id (seed ${split.seed}): ${share} test, the rest design`;
  return `by ${split.field}: leads dated on or after ${split.cutoff} are the test half (about ${share}); leads without ${split.field} by hash of id (seed ${split.seed})`;
}

/**
 * The split a command's flags ask for: `by` "id" (or unset) hashes lead ids; any other value names a date
 * field (`created_at`, `attributes.signup_date`) whose newest `holdout` share is the test half.
 */
export function resolveSplit(leads: readonly ScorableLead[], { by, holdout, seed }: { by?: string; holdout?: number; seed?: number }): SplitSpec {
  const share = holdout ?? DEFAULT_HOLDOUT;
  const splitSeed = seed ?? DEFAULT_SPLIT_SEED;
  if (by === undefined || by === 'id') return { by: 'hash', holdout: share, seed: splitSeed };
  const read = fieldReader(by);
  return planTimeSplit(
    leads.map((lead) => read(lead)),
    { field: by, holdout: share, seed: splitSeed },
  );
}
