import type { BreakdownItem } from './scoring';

/** One rule line whose points differ between two breakdowns of a lead; null points: the rule was not in that rule set. */
export interface BreakdownChange {
  ruleId: string;
  label: string;
  before: number | null;
  after: number | null;
}

/**
 * Which rule lines changed between an earlier breakdown and a later one (a lead's score before and after
 * a rules change), matched by rule id: lines whose points differ, rules only one side has (with points
 * either side, or none), in the later breakdown's order, then the rules the later one dropped. Pure.
 */
export function diffBreakdowns(before: readonly BreakdownItem[], after: readonly BreakdownItem[]): BreakdownChange[] {
  const earlier = new Map(before.map((item) => [item.ruleId, item]));
  const later = new Set(after.map((item) => item.ruleId));
  const changes: BreakdownChange[] = [];
  for (const item of after) {
    const old = earlier.get(item.ruleId);
    if (old === undefined) changes.push({ ruleId: item.ruleId, label: item.label, before: null, after: item.points });
    else if (old.points !== item.points) changes.push({ ruleId: item.ruleId, label: item.label, before: old.points, after: item.points });
  }
  for (const item of before) if (!later.has(item.ruleId)) changes.push({ ruleId: item.ruleId, label: item.label, before: item.points, after: null });
  return changes;
}
