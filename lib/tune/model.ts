import type { ScorableLead } from '../lead';
import type { RuleSet, Tuning } from '../rules';
import { compilePlacer, tunedTermRule } from './rule-buckets';

/**
 * The fitted model a tuned rule set stores (`tuning.model`), run on any lead: its intercept plus, for each
 * rule it has weights for, the weight of the bucket the lead falls in — the unrounded log-odds the rule's
 * integer points were made from. Rules without weights (added by hand after tuning) add nothing. Pure.
 */
export function modelScorer(rules: RuleSet, model: Tuning['model'], now: Date | undefined): (lead: ScorableLead) => number {
  const weighted = rules.rules.filter((rule) => model.weights[rule.id] !== undefined);
  const weights = weighted.map((rule) => model.weights[rule.id]!);
  const place = compilePlacer(weighted.map(tunedTermRule), now);
  const buckets = new Uint16Array(weighted.length);
  return (lead) => {
    place(lead, buckets);
    let logit = model.intercept;
    for (let r = 0; r < weights.length; r++) logit += weights[r]![buckets[r]!]!;
    return logit;
  };
}
