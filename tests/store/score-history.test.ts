import { describe, expect, it } from 'vitest';
import { parseLead } from '@/lib/lead';
import { scoreForStore } from '@/lib/store/scored-lead';
import { compareHistory, fromHistoryRow, historyEntry, toRescoreRows } from '@/lib/store/score-history';
import { CONTRACT_AS_OF, CONTRACT_RULES, contractRulesB } from './contract';

const NOW = new Date(CONTRACT_AS_OF);
const software = parseLead({ id: 'L-1', industry: 'Software', employee_count: 200, job_title: 'VP Sales', demo_requested: true });
const fintech = parseLead({ id: 'L-2', industry: 'Fintech', employee_count: 200 });
const underA = (lead = software) => scoreForStore(lead, { rules: CONTRACT_RULES, now: NOW });
const underB = (lead = software) => scoreForStore(lead, { rules: contractRulesB(), now: NOW });

describe('historyEntry', () => {
  it('keeps the previous score, tier, rules version and breakdown until the given time when the score changed', () => {
    const before = underA();
    const after = underB();
    expect(after.score).toBe(before.score - 10);
    expect(historyEntry(before, after, '2026-12-01T00:00:00.000Z')).toEqual({
      leadId: 'L-1',
      score: before.score,
      tier: before.tier,
      rulesVersion: before.rulesVersion,
      breakdown: before.breakdown,
      until: '2026-12-01T00:00:00.000Z',
    });
  });

  it('keeps nothing when the new rules give the same score and tier, or the rules are the same', () => {
    expect(underA(fintech).score).toBe(underB(fintech).score);
    expect(historyEntry(underA(fintech), underB(fintech), '2026-12-01T00:00:00.000Z')).toBeNull();
    expect(historyEntry(underA(), { ...underA(), score: 1 }, '2026-12-01T00:00:00.000Z')).toBeNull();
  });

  it('keeps a tier change with an unchanged score', () => {
    const before = underA();
    expect(historyEntry(before, { score: before.score, tier: before.tier === 'HOT' ? 'WARM' : 'HOT', rulesVersion: 'r_other' }, '2026-12-01T00:00:00.000Z')).not.toBeNull();
  });
});

describe('score history rows', () => {
  it('reads a score_history row, with its timestamp as a Date or as text with an offset', () => {
    const before = underA();
    const row = { lead_id: 'L-1', until: '2026-12-01T01:00:00+01:00', rules_version: before.rulesVersion, score: before.score, tier: before.tier, breakdown: before.breakdown };
    const want = { leadId: 'L-1', until: '2026-12-01T00:00:00.000Z', rulesVersion: before.rulesVersion, score: before.score, tier: before.tier, breakdown: before.breakdown };
    expect(fromHistoryRow(row)).toEqual(want);
    expect(fromHistoryRow({ ...row, until: new Date('2026-12-01T00:00:00Z') })).toEqual(want);
  });

  it('rejects a row that does not look like the table, naming the lead and field', () => {
    expect(() => fromHistoryRow({ lead_id: 'L-1', until: '2026-12-01T00:00:00Z', rules_version: 'r', score: 101, tier: 'HOT', breakdown: [] })).toThrow(/lead "L-1"[\s\S]*score/);
  });

  it('orders entries newest first', () => {
    const entry = (until: string, rulesVersion: string) => ({ leadId: 'x', score: 1, tier: 'COLD' as const, rulesVersion, breakdown: [], until });
    const list = [entry('2026-01-01T00:00:00.000Z', 'r_a'), entry('2026-03-01T00:00:00.000Z', 'r_c'), entry('2026-03-01T00:00:00.000Z', 'r_b')];
    expect(list.sort(compareHistory).map((e) => e.rulesVersion)).toEqual(['r_b', 'r_c', 'r_a']);
  });

  it('builds rescore_leads rows: what was read, and the new score with its top reason', () => {
    const before = underA();
    const after = underB();
    const [row] = toRescoreRows([{ previous: before, next: after }]);
    expect(row).toMatchObject({ id: 'L-1', read_rules_version: before.rulesVersion, read_input_hash: before.inputHash, score: after.score, tier: after.tier, rules_version: after.rulesVersion });
    expect(row!.top_reason_label).toBeTypeOf('string');
  });
});
