import { describe, expect, it } from 'vitest';
import { diffBreakdowns } from '@/lib/breakdown-diff';
import type { BreakdownItem } from '@/lib/scoring';

const item = (ruleId: string, points: number, label = ruleId): BreakdownItem => ({
  ruleId,
  label,
  category: 'engagement',
  points,
  maxPoints: 20,
  value: 'x',
  unknown: false,
  detail: '',
});

describe('diffBreakdowns', () => {
  it('lists the rule lines whose points changed, before → after, in the later order', () => {
    const before = [item('industry', 15, 'Industry fit'), item('size', 10), item('demo', 20)];
    const after = [item('demo', 12), item('industry', 5, 'Industry fit (new label)'), item('size', 10)];
    expect(diffBreakdowns(before, after)).toEqual([
      { ruleId: 'demo', label: 'demo', before: 20, after: 12 },
      { ruleId: 'industry', label: 'Industry fit (new label)', before: 15, after: 5 },
    ]);
  });

  it('names rules only one side has: added ones first (in order), then the dropped ones', () => {
    const before = [item('a', 5), item('gone', 3), item('zero', 0)];
    const after = [item('new', 4), item('a', 5), item('new-zero', 0)];
    expect(diffBreakdowns(before, after)).toEqual([
      { ruleId: 'new', label: 'new', before: null, after: 4 },
      { ruleId: 'new-zero', label: 'new-zero', before: null, after: 0 },
      { ruleId: 'gone', label: 'gone', before: 3, after: null },
      { ruleId: 'zero', label: 'zero', before: 0, after: null },
    ]);
  });

  it('is empty for equal points, whatever else changed', () => {
    expect(diffBreakdowns([item('a', 5, 'A')], [{ ...item('a', 5, 'A renamed'), detail: 'other words' }])).toEqual([]);
    expect(diffBreakdowns([], [])).toEqual([]);
  });
});
