import type { Tier } from '../scoring';

/**
 * What kind of step a recommended action asks of the SDR, read from its words by fixed rules, so the
 * same sentence always gets the same kind. Used by the grounding checks (an action whose urgency
 * contradicts the tier) and by `npm run enrich:qa` (do repeated runs recommend the same kind of step?).
 *
 * The rules, in order:
 * 1. The action is cut into steps at `;`, `.`, `:`, `—`, ", then", ", otherwise" and ", else": the first
 *    step that names a kind decides ("Verify the title first; disqualify if it is a student" is a
 *    disqualification, "Call today, otherwise add to nurture" a same-day call).
 * 2. Within a step the strongest kind wins: disqualify, then nurture, then call now, then follow up.
 *    - disqualify: disqualify, not a fit, no fit, do not pursue / contact / engage, close out, mark as lost/unqualified,
 *      remove from the pipeline ("do not call yet" is not one: it is a negated call).
 *    - nurture: nurture, no SDR time, drip, newsletter, add to a sequence/campaign/list, revisit, check back,
 *      hold off, wait for, park, monitor, not (yet) ready.
 *    - call now: a contact verb (call, phone, ring, reach out, contact, email, message, book, schedule, follow up)
 *      together with a same-day word (today, now, immediately, right away, asap, same-day, this morning / afternoon,
 *      within the hour, within N hours).
 *    - follow up: a contact verb without a same-day word, or follow up, send, share, offer, invite.
 * 3. A contact verb right after a negation ("do not call", "before any outreach", "no outreach") does not count.
 * 4. No rule matches: `unclassified` (counted as its own kind, never guessed).
 */

export const ACTION_KINDS = ['call_now', 'follow_up', 'nurture', 'disqualify', 'unclassified'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const ACTION_KIND_LABEL: Record<ActionKind, string> = {
  call_now: 'call now',
  follow_up: 'follow up',
  nurture: 'nurture',
  disqualify: 'disqualify',
  unclassified: 'unclassified',
};

const STEP_BREAK = /[;:.!?—–]+\s|[;:.!?—–]+$|,\s*(?:then|otherwise|else|or else|and then)\b/i;

const DISQUALIFY = /\b(?:disqualif\w*|not an? (?:good |real |likely )?(?:fit|buyer|prospect)|no fit|poor fit|do not (?:pursue|contact|engage)|don'?t (?:pursue|contact|engage)|close (?:it |this |the lead )?out|mark (?:it |this |the lead )?(?:as )?(?:lost|unqualified|disqualified|junk)|remove (?:it |them )?from (?:the )?(?:pipeline|queue|sdr queue)|drop (?:it|this lead|the lead)\b)/i;
const NURTURE = /\b(?:nurtur\w*|no sdr time|drip|newsletter|add (?:it |them |the lead )?to (?:an? |the )?[\w -]{0,30}(?:sequence|campaign|list|cadence|track)|revisit|check back|hold off|wait (?:for|until)|park (?:it|the lead|this lead)|monitor|keep (?:an eye|warm|in touch)|not (?:yet )?ready)\b/i;
const CONTACT = /\b(?:call(?:ing)?|phone|ring|reach(?:ing)? out|contact|e-?mail|message|dm|book(?:ing)?|schedule|follow(?:ing)?[- ]?up|send|share|offer|invite|connect|outreach|touch base|ping)\b/gi;
const SAME_DAY = /\b(?:today|now|immediately|right away|asap|same[- ]day|this (?:morning|afternoon|evening)|within (?:the|an|one) hour|within \d+ hours?|tonight)\b/i;
const NEGATION = /\b(?:not|no|don'?t|never|without|before any|avoid|skip)\s+(?:\w+\s+){0,2}$/i;

function contactVerbs(step: string): number {
  let count = 0;
  for (const match of step.matchAll(CONTACT)) {
    if (!NEGATION.test(step.slice(0, match.index))) count++;
  }
  return count;
}

function stepKind(step: string): ActionKind | null {
  if (DISQUALIFY.test(step)) return 'disqualify';
  if (NURTURE.test(step)) return 'nurture';
  if (contactVerbs(step) === 0) return null;
  return SAME_DAY.test(step) ? 'call_now' : 'follow_up';
}

export function classifyAction(action: string): ActionKind {
  for (const step of action.split(STEP_BREAK)) {
    const kind = stepKind(step);
    if (kind) return kind;
  }
  return 'unclassified';
}

/** Urgency levels for the tier check: a same-day call is the top, nurture and disqualification the bottom. */
const KIND_URGENCY: Record<Exclude<ActionKind, 'unclassified'>, number> = { call_now: 3, follow_up: 2, nurture: 1, disqualify: 1 };
const TIER_URGENCY: Record<Tier, number> = { HOT: 3, WARM: 2, COLD: 1 };

/**
 * True when the action is two urgency levels away from the tier: a same-day call for a COLD lead, or
 * nurture / disqualification for a HOT one. One level (a HOT lead followed up this week, a COLD lead
 * followed up because the description shows a trigger) is a judgement, not a contradiction.
 */
export function urgencyContradicts(kind: ActionKind, tier: Tier): boolean {
  if (kind === 'unclassified') return false;
  return Math.abs(KIND_URGENCY[kind] - TIER_URGENCY[tier]) >= 2;
}
