import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupRows, type CandidateRow } from '@/lib/import/dedupe';

const row = (line: number, keys: Partial<Omit<CandidateRow, 'line' | 'hasId'>> & { hasId?: boolean }): CandidateRow => ({
  line,
  hasId: keys.hasId ?? keys.id != null,
  id: keys.id ?? null,
  email: keys.email ?? null,
  name: keys.name ?? null,
});

describe('groupRows', () => {
  it('groups transitively: A~B by email and B~C by name make one lead, named after its first row', () => {
    const { rows, stats } = groupRows([row(2, { email: 'a', id: 'A' }), row(3, { name: 'n', id: 'B' }), row(5, { email: 'a', name: 'n', id: 'C' })]);
    expect(rows.map((r) => r.group)).toEqual([2, 2, 2]);
    expect(rows.map((r) => r.idLine)).toEqual([2, 2, 2]);
    expect(stats).toEqual({ byEmail: 1, byName: 0, byId: 0, linked: 1 });
  });

  it('counts each merged row by the first key that matched: id, then email, then name', () => {
    const { stats } = groupRows([row(2, { id: 'x', email: 'e', name: 'n' }), row(3, { id: 'x', email: 'e' }), row(4, { email: 'e', name: 'n' }), row(5, { name: 'n' })]);
    expect(stats).toEqual({ byId: 1, byEmail: 1, byName: 1, linked: 0 });
  });

  it('keeps the id of the group started first when two groups join, and lends a later id to a group without one', () => {
    // Row 2 has no id; row 4 lends its id to row 2's group before row 5 joins it with row 3's group.
    const { rows } = groupRows([row(2, { email: 'e' }), row(3, { id: 'X', name: 'n' }), row(4, { id: 'Y', email: 'e' }), row(5, { id: 'Z', email: 'e', name: 'n' })]);
    expect(new Set(rows.map((r) => r.group))).toEqual(new Set([2]));
    expect(rows.map((r) => r.idLine)).toEqual([4, 4, 4, 4]);
  });

  it('leaves a group without any id to a generated one', () => {
    const { rows } = groupRows([row(2, { email: 'e' }), row(9, { email: 'e' })]);
    expect(rows).toEqual([
      { line: 2, group: 2, idLine: null },
      { line: 9, group: 2, idLine: null },
    ]);
  });

  it('property: the groups are the connected components of rows sharing a key', () => {
    const keys = fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.record({ id: keys, email: keys, name: keys }), { minLength: 1, maxLength: 25 }), (drafts) => {
        const candidates = drafts.map((d, i) => row(i + 2, d));
        const { rows } = groupRows(candidates);
        // Reference: flood fill over "shares a key of the same kind".
        const component = new Array<number>(candidates.length).fill(-1);
        for (let start = 0; start < candidates.length; start++) {
          if (component[start] !== -1) continue;
          const stack = [start];
          component[start] = start;
          while (stack.length) {
            const at = stack.pop()!;
            candidates.forEach((other, j) => {
              if (component[j] !== -1) return;
              const a = candidates[at]!;
              if ((a.id !== null && a.id === other.id) || (a.email !== null && a.email === other.email) || (a.name !== null && a.name === other.name)) {
                component[j] = start;
                stack.push(j);
              }
            });
          }
        }
        const expected = component.map((c) => candidates[c]!.line);
        expect(rows.map((r) => r.group)).toEqual(expected);
        for (const r of rows) {
          if (r.idLine !== null) expect(rows.find((other) => other.line === r.idLine)!.group).toBe(r.group);
          else expect(candidates.filter((c, i) => rows[i]!.group === r.group).every((c) => !c.hasId)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
