import { DASH, pct, table, times, wilsonInterval, type Interval } from './backtest';
import { CONFIDENCES, type Confidence, type EnrichmentSource } from './enrichment/schema';
import type { NarrativeFeedback } from './enrichment/feedback';
import { TIERS, type Tier } from './scoring';
import type { OutcomeRow } from './store/types';

/**
 * Does a narrative's confidence label mean anything? The maths behind the Narratives section of
 * /validate and `npm run validate` (pure: rows in, tables out).
 *
 * - Which narratives: leads with a known outcome and a current narrative (not stale) written by Claude;
 *   when there is none, the mock's, labelled as such (the mock's confidence is a rule of thumb on unknown
 *   fields, so its table grades that rule, not Claude).
 * - Conversion by confidence label within each tier: leads, conversions, rate with a 95% Wilson interval,
 *   and lift over the tier's own rate among those leads. Within a tier the score is already known, so a
 *   lift away from 1.00× is what the label adds beyond the score. Overall by label: lift over the base rate.
 * - Grounding: how many of those narratives the checks flagged, and how flagged and clean ones convert.
 * - Feedback: of the verdicts SDRs gave (any narrative, current or replaced), the share "helpful"
 *   (agreement) with its interval, by the narrative's confidence label, by its grounding flag, and by
 *   model and prompt version.
 */

export interface RateCell {
  leads: number;
  conversions: number;
  rate: number | null;
  ci: Interval;
  /** Rate over the comparison rate (the tier's, or the base rate); null when either is missing or 0. */
  lift: number | null;
}

export interface ConfidenceRow extends RateCell {
  confidence: Confidence;
}

export interface TierNarratives extends Omit<RateCell, 'lift'> {
  tier: Tier;
  byConfidence: ConfidenceRow[];
}

export interface AgreementCell {
  verdicts: number;
  helpful: number;
  /** helpful / verdicts. */
  agreement: number | null;
  ci: Interval;
}

export interface NarrativeQuality {
  /** Whose narratives the tables grade; null: no lead with an outcome has a current narrative. */
  source: EnrichmentSource | null;
  /** Leads with an outcome and a current narrative of that source. */
  leads: number;
  conversions: number;
  baseRate: number | null;
  /** Leads with an outcome left out: stale narrative, none, or (when grading Claude's) a mock one. */
  leftOut: { stale: number; none: number; otherSource: number };
  overall: ConfidenceRow[];
  byTier: TierNarratives[];
  grounding: {
    checked: number;
    flagged: number;
    /** flagged / checked. */
    rate: number | null;
    ci: Interval;
    unchecked: number;
    /** How leads with a flagged narrative convert, against those with a clean one (lift over the base rate). */
    flaggedLeads: RateCell;
    cleanLeads: RateCell;
  };
  /** null until an SDR has given feedback. */
  feedback: {
    total: AgreementCell;
    byConfidence: (AgreementCell & { confidence: Confidence })[];
    flagged: AgreementCell;
    clean: AgreementCell;
    byModel: (AgreementCell & { source: EnrichmentSource; model: string; promptVersion: string })[];
  } | null;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const liftOf = (rate: number | null, base: number | null): number | null => (rate === null || base === null || base === 0 ? null : rate / base);

function rateCell(rows: readonly OutcomeRow[], base: number | null): RateCell {
  const conversions = rows.filter((r) => r.converted).length;
  const rate = ratio(conversions, rows.length);
  return { leads: rows.length, conversions, rate, ci: wilsonInterval(conversions, rows.length), lift: liftOf(rate, base) };
}

function byConfidence(rows: readonly OutcomeRow[], base: number | null): ConfidenceRow[] {
  return CONFIDENCES.map((confidence) => ({ confidence, ...rateCell(rows.filter((r) => r.confidence === confidence), base) }));
}

function agreement(list: readonly NarrativeFeedback[]): AgreementCell {
  const helpful = list.filter((f) => f.verdict === 'helpful').length;
  return { verdicts: list.length, helpful, agreement: ratio(helpful, list.length), ci: wilsonInterval(helpful, list.length) };
}

export function narrativeQuality(outcomes: readonly OutcomeRow[], feedback: readonly NarrativeFeedback[]): NarrativeQuality {
  const current = (source: EnrichmentSource) => outcomes.filter((r) => r.enrichmentStatus === source && r.confidence !== null);
  const source: EnrichmentSource | null = current('claude').length ? 'claude' : current('mock').length ? 'mock' : null;
  const graded = source ? current(source) : [];
  const cell = rateCell(graded, null);
  const base = cell.rate;

  const checked = graded.filter((r) => r.grounding === 'flagged' || r.grounding === 'clean');
  const flagged = graded.filter((r) => r.grounding === 'flagged');

  const byModel = new Map<string, NarrativeFeedback[]>();
  for (const f of feedback) {
    const key = `${f.narrative.source}\0${f.narrative.model}\0${f.narrative.prompt_version}`;
    byModel.set(key, [...(byModel.get(key) ?? []), f]);
  }

  return {
    source,
    leads: cell.leads,
    conversions: cell.conversions,
    baseRate: base,
    leftOut: {
      stale: outcomes.filter((r) => r.enrichmentStatus === 'stale').length,
      none: outcomes.filter((r) => r.enrichmentStatus === 'none').length,
      otherSource: source === 'claude' ? current('mock').length : 0,
    },
    overall: byConfidence(graded, base),
    byTier: TIERS.map((tier) => {
      const inTier = graded.filter((r) => r.tier === tier);
      const { lift: _lift, ...tierCell } = rateCell(inTier, null);
      return { tier, ...tierCell, byConfidence: byConfidence(inTier, tierCell.rate) };
    }),
    grounding: {
      checked: checked.length,
      flagged: flagged.length,
      rate: ratio(flagged.length, checked.length),
      ci: wilsonInterval(flagged.length, checked.length),
      unchecked: graded.length - checked.length,
      flaggedLeads: rateCell(flagged, base),
      cleanLeads: rateCell(checked.filter((r) => r.grounding === 'clean'), base),
    },
    feedback: feedback.length
      ? {
          total: agreement(feedback),
          byConfidence: CONFIDENCES.map((confidence) => ({ confidence, ...agreement(feedback.filter((f) => f.narrative.confidence === confidence)) })),
          flagged: agreement(feedback.filter((f) => f.narrative.flagged)),
          clean: agreement(feedback.filter((f) => !f.narrative.flagged)),
          byModel: [...byModel.values()].map((list) => ({
            source: list[0]!.narrative.source,
            model: list[0]!.narrative.model,
            promptVersion: list[0]!.narrative.prompt_version,
            ...agreement(list),
          })),
        }
      : null,
  };
}

const ci = (c: Interval, n: number) => (n === 0 ? DASH : `${pct(c.low)}–${pct(c.high)}`);

/** The Narratives section as plain text, for `npm run validate`. */
export function formatNarrativeTables(q: NarrativeQuality): string {
  const lines = ['Narratives: does the confidence label mean anything?'];
  if (!q.source) {
    lines.push('No lead with a known outcome has a current narrative yet (npm run enrich writes them).');
    return `${lines.join('\n')}\n`;
  }
  const who = q.source === 'claude' ? 'Claude' : 'MOCK (not written by Claude: this grades the mock’s rule of thumb, not Claude)';
  const left = [`${q.leftOut.stale} stale`, `${q.leftOut.none} without one`, ...(q.leftOut.otherSource ? [`${q.leftOut.otherSource} mock`] : [])].join(', ');
  lines.push(`Narratives by ${who}: ${q.leads} leads with an outcome, base rate ${pct(q.baseRate)}; left out: ${left}.`);
  lines.push('', 'Conversion by confidence within each tier (lift over the tier’s own rate: what the label adds to the score)');
  lines.push(
    table(
      ['Tier', 'Confidence', 'Leads', 'Conv', 'Rate', '95% CI', 'Lift'],
      q.byTier.flatMap((t) => [
        [t.tier, 'all', String(t.leads), String(t.conversions), pct(t.rate), ci(t.ci, t.leads), ''],
        ...t.byConfidence.map((c) => ['', c.confidence, String(c.leads), String(c.conversions), pct(c.rate), ci(c.ci, c.leads), times(c.lift)]),
      ]),
    ),
  );
  lines.push('', 'Conversion by confidence, all tiers (lift over the base rate)');
  lines.push(table(['Confidence', 'Leads', 'Conv', 'Rate', '95% CI', 'Lift'], q.overall.map((c) => [c.confidence, String(c.leads), String(c.conversions), pct(c.rate), ci(c.ci, c.leads), times(c.lift)])));
  const g = q.grounding;
  lines.push('', `Grounding checks: ${g.flagged} of ${g.checked} flagged (${pct(g.rate)}, 95% CI ${ci(g.ci, g.checked)})${g.unchecked ? `; ${g.unchecked} stored before the checks` : ''}`);
  lines.push(
    table(
      ['Narrative', 'Leads', 'Conv', 'Rate', '95% CI', 'Lift'],
      [
        ['flagged', String(g.flaggedLeads.leads), String(g.flaggedLeads.conversions), pct(g.flaggedLeads.rate), ci(g.flaggedLeads.ci, g.flaggedLeads.leads), times(g.flaggedLeads.lift)],
        ['clean', String(g.cleanLeads.leads), String(g.cleanLeads.conversions), pct(g.cleanLeads.rate), ci(g.cleanLeads.ci, g.cleanLeads.leads), times(g.cleanLeads.lift)],
      ],
    ),
  );
  lines.push('');
  const f = q.feedback;
  if (!f) {
    lines.push('SDR feedback: none yet (the Helpful / Wrong buttons on each lead page).');
  } else {
    const row = (label: string, a: AgreementCell) => [label, String(a.verdicts), String(a.helpful), pct(a.agreement), ci(a.ci, a.verdicts)];
    lines.push(`SDR feedback: ${f.total.verdicts} verdicts, ${pct(f.total.agreement)} helpful (95% CI ${ci(f.total.ci, f.total.verdicts)})`);
    lines.push(
      table(
        ['Narratives', 'Verdicts', 'Helpful', 'Agreement', '95% CI'],
        [
          ...f.byConfidence.map((c) => row(`${c.confidence} confidence`, c)),
          row('flagged', f.flagged),
          row('not flagged', f.clean),
          ...f.byModel.map((m) => row(`${m.source === 'mock' ? 'MOCK' : m.model} · ${m.promptVersion}`, m)),
        ],
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
