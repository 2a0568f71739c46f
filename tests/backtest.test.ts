import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aucWithInterval,
  baseRate,
  compareAucs,
  decileTable,
  formatBacktestTables,
  kListSchema,
  midranks,
  precisionAtK,
  rocAuc,
  runBacktest,
  tierMoveMatrix,
  tierTable,
  wilsonInterval,
  type BacktestRow,
} from '@/lib/backtest';
import type { Tier } from '@/lib/scoring';

function row(id: string, score: number, converted: boolean, tier: Tier = 'WARM'): BacktestRow {
  return { id, score, tier, converted };
}

/** Rows from (score, converted) pairs, ids r01, r02, … in the given order. */
function rowsOf(pairs: readonly (readonly [number, boolean])[]): BacktestRow[] {
  return pairs.map(([score, converted], i) => row(`r${String(i + 1).padStart(2, '0')}`, score, converted));
}

describe('wilsonInterval', () => {
  it('matches hand-computed bounds for 5/10', () => {
    // p = 0.5, z² = 3.8415, 1 + z²/n = 1.38415; centre = (0.5 + 0.19208) / 1.38415 = 0.5
    // half = 1.96 · sqrt(0.025 + 0.0096040) / 1.38415 = 1.96 · 0.186022 / 1.38415 = 0.26341
    const { low, high } = wilsonInterval(5, 10);
    expect(low).toBeCloseTo(0.2366, 4);
    expect(high).toBeCloseTo(0.7634, 4);
  });

  it('gives a non-degenerate upper bound for 0/10 and mirrors it for 10/10', () => {
    // p = 0: centre = half = 0.19208 / 1.38415 = 0.13877, so [0, 0.27753]; 10/10 mirrors to [0.72247, 1].
    expect(wilsonInterval(0, 10)).toEqual({ low: 0, high: expect.closeTo(0.2775, 4) });
    const full = wilsonInterval(10, 10);
    expect(full.low).toBeCloseTo(0.7225, 4);
    expect(full.high).toBeCloseTo(1, 12);
    expect(full.high).toBeLessThanOrEqual(1);
  });

  it('narrows with z and with n', () => {
    const z95 = wilsonInterval(5, 10);
    const z90 = wilsonInterval(5, 10, 1.644854);
    expect(z90.high - z90.low).toBeLessThan(z95.high - z95.low);
    const big = wilsonInterval(500, 1000);
    expect(big.high - big.low).toBeLessThan(z95.high - z95.low);
  });

  it('returns the whole range, not NaN, for n = 0', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(RangeError);
  });
});

describe('baseRate', () => {
  it('is conversions / leads, and null without leads', () => {
    expect(baseRate(rowsOf([[1, true], [2, false], [3, false], [4, false]]))).toBe(0.25);
    expect(baseRate([])).toBeNull();
  });
});

describe('tierTable', () => {
  it('always lists HOT, WARM, COLD in order with per-tier rate, CI and lift', () => {
    // HOT 2/4, COLD 1/6, WARM empty; base = 3/10 = 0.3.
    const rows = [
      row('c1', 10, false, 'COLD'),
      row('h1', 90, true, 'HOT'),
      row('c2', 10, false, 'COLD'),
      row('h2', 90, false, 'HOT'),
      row('c3', 10, true, 'COLD'),
      row('h3', 80, true, 'HOT'),
      row('c4', 10, false, 'COLD'),
      row('h4', 80, false, 'HOT'),
      row('c5', 10, false, 'COLD'),
      row('c6', 10, false, 'COLD'),
    ];
    const [hot, warm, cold] = tierTable(rows);
    expect([hot?.tier, warm?.tier, cold?.tier]).toEqual(['HOT', 'WARM', 'COLD']);
    // HOT: 2/4 = 0.5, lift 0.5 / 0.3 = 1.6667; Wilson(2, 4) = 0.5 ± 1.96·sqrt(0.0625 + 0.060023)/1.96037 = [0.1500, 0.8500]
    expect(hot).toMatchObject({ leads: 4, conversions: 2, rate: 0.5 });
    expect(hot?.lift).toBeCloseTo(1.6667, 4);
    expect(hot?.ci.low).toBeCloseTo(0.15, 4);
    expect(hot?.ci.high).toBeCloseTo(0.85, 4);
    // COLD: 1/6 = 0.16667, lift 0.16667 / 0.3 = 0.5556; Wilson(1, 6) = [0.0301, 0.5635]
    expect(cold).toMatchObject({ leads: 6, conversions: 1 });
    expect(cold?.rate).toBeCloseTo(0.16667, 5);
    expect(cold?.lift).toBeCloseTo(0.5556, 4);
    expect(cold?.ci.low).toBeCloseTo(0.0301, 4);
    expect(cold?.ci.high).toBeCloseTo(0.5635, 4);
    // An empty tier has no rate and no lift, and a maximally wide interval.
    expect(warm).toEqual({ tier: 'WARM', leads: 0, conversions: 0, rate: null, ci: { low: 0, high: 1 }, lift: null });
  });

  it('reports null lift when nothing converted', () => {
    const [hot] = tierTable([row('a', 90, false, 'HOT'), row('b', 10, false, 'COLD')]);
    expect(hot).toMatchObject({ rate: 0, lift: null });
  });

  it('rejects an unknown tier instead of silently dropping the row', () => {
    const bad = { id: 'x', score: 1, tier: 'LUKEWARM', converted: true } as unknown as BacktestRow;
    expect(() => tierTable([bad])).toThrow(/unknown tier/);
  });
});

describe('precisionAtK', () => {
  // Scores 10..1 (ids r01..r10); converters at scores 10, 8 and 3, so base = 3/10 = 0.3.
  const rows = rowsOf([[10, true], [9, false], [8, true], [7, false], [6, false], [5, false], [4, false], [3, true], [2, false], [1, false]]);

  it('counts conversions in the top k', () => {
    const [at2, at5] = precisionAtK(rows, [2, 5]);
    // top 2 = {10, 9}: 1 conversion → 0.5, lift 0.5 / 0.3 = 1.6667
    expect(at2).toMatchObject({ k: 2, effectiveK: 2, conversions: 1, precision: 0.5 });
    expect(at2?.lift).toBeCloseTo(1.6667, 4);
    // top 5 = {10, 9, 8, 7, 6}: 2 conversions → 0.4, lift 1.3333
    expect(at5).toMatchObject({ k: 5, effectiveK: 5, conversions: 2, precision: 0.4 });
    expect(at5?.lift).toBeCloseTo(1.3333, 4);
  });

  it('caps k at n when k exceeds the number of leads', () => {
    // All 10 leads: 3/10 = base rate, so lift is exactly 1.
    expect(precisionAtK(rows, [25])).toEqual([{ k: 25, effectiveK: 10, conversions: 3, precision: 0.3, lift: 1 }]);
  });

  it('sorts by score, not input order', () => {
    const reversed = [...rows].reverse();
    expect(precisionAtK(reversed, [2, 5])).toEqual(precisionAtK(rows, [2, 5]));
  });

  it('is null rather than NaN without leads', () => {
    expect(precisionAtK([], [25])).toEqual([{ k: 25, effectiveK: 0, conversions: 0, precision: null, lift: null }]);
  });

  it('rejects k that is not a positive integer', () => {
    expect(() => precisionAtK(rows, [0])).toThrow(RangeError);
    expect(() => precisionAtK(rows, [2.5])).toThrow(RangeError);
  });
});

describe('tie ordering', () => {
  it('breaks score ties by id ascending, never by the outcome', () => {
    // All tied at 50. Converters first would give precision@1 = 1; id order puts the
    // non-converter "a" first, so precision@1 = 0 and precision@2 = 1/2.
    const tied = [row('c', 50, true), row('b', 50, true), row('a', 50, false)];
    expect(precisionAtK(tied, [1, 2]).map((p) => p.precision)).toEqual([0, 0.5]);
    // Same answer whatever the input order.
    expect(precisionAtK([...tied].reverse(), [1, 2]).map((p) => p.precision)).toEqual([0, 0.5]);
  });

  it('compares ids as plain strings (code units), not numerically or by locale', () => {
    // "lead_10" < "lead_9" because '1' < '9'; "Z" < "a" because uppercase code units come first.
    expect(precisionAtK([row('lead_9', 1, false), row('lead_10', 1, true)], [1])[0]?.conversions).toBe(1);
    expect(precisionAtK([row('a', 1, false), row('Z', 1, true)], [1])[0]?.conversions).toBe(1);
  });

  it('puts a higher score ahead of a smaller id', () => {
    expect(precisionAtK([row('a', 1, false), row('b', 2, true)], [1])[0]?.conversions).toBe(1);
  });

  it('agrees with a full (score desc, id asc) sort and a pairwise AUC on arbitrary data', () => {
    // Reference implementation: sort everything, then read prefixes.
    const reference = (rows: readonly BacktestRow[], ks: readonly number[]) => {
      const sorted = [...rows].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const prefix = (k: number) => sorted.slice(0, k).filter((r) => r.converted).length;
      const n = sorted.length;
      const ends: number[] = [];
      for (let d = 0, end = 0; d < 10; d++) ends.push((end += Math.floor(n / 10) + (d < n % 10 ? 1 : 0)));
      // AUC by definition: over all (converter, non-converter) pairs, 1 for a win and 1/2 for a tie.
      const positives = rows.filter((r) => r.converted);
      const negatives = rows.filter((r) => !r.converted);
      let wins = 0;
      for (const p of positives) for (const q of negatives) wins += p.score > q.score ? 1 : p.score === q.score ? 0.5 : 0;
      const auc = positives.length === 0 || negatives.length === 0 ? null : wins / (positives.length * negatives.length);
      return { atK: ks.map((k) => prefix(Math.min(k, n))), deciles: ends.map(prefix), auc };
    };
    const ks = [1, 7, 25, 50, 100, 400];
    const rowArb = fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 3 }),
        // Mostly a few small integers (heavy ties), plus any finite double: negatives, -0, fractions, extremes.
        score: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3 }), weight: 4 }, { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 }),
        converted: fc.boolean(),
      }),
      // Large enough that tie groups exceed the small-slice insertion sort and hit the partition path.
      { selector: (r) => r.id, minLength: 20, maxLength: 400, size: 'max' },
    );
    fc.assert(
      fc.property(rowArb, (raw) => {
        const rows = raw.map((r) => row(r.id, r.score, r.converted));
        const result = runBacktest(rows, { ks });
        const expected = reference(rows, ks);
        expect(result.precisionAtK.map((p) => p.conversions)).toEqual(expected.atK);
        expect(result.deciles.map((d) => d.cumulativeConversions)).toEqual(expected.deciles);
        if (expected.auc === null) expect(result.auc).toBeNull();
        else expect(result.auc).toBeCloseTo(expected.auc, 12);
      }),
      { numRuns: 200, seed: 20261127 },
    );
  });
});

describe('decileTable', () => {
  it('splits 25 leads into sizes 3,3,3,3,3,2,2,2,2,2 with hand-computed stats', () => {
    // Scores 25..1; converters at multiples of 5 (25, 20, 15, 10, 5) → 5 conversions, base 0.2.
    const rows = rowsOf(Array.from({ length: 25 }, (_, i) => [25 - i, (25 - i) % 5 === 0] as const));
    const deciles = decileTable(rows);
    expect(deciles.map((d) => d.leads)).toEqual([3, 3, 3, 3, 3, 2, 2, 2, 2, 2]);
    // D1 {25,24,23}: 1, D2 {22,21,20}: 1, D3 {19,18,17}: 0, D4 {16,15,14}: 1, D5 {13,12,11}: 0,
    // D6 {10,9}: 1, D7 {8,7}: 0, D8 {6,5}: 1, D9 {4,3}: 0, D10 {2,1}: 0.
    expect(deciles.map((d) => d.conversions)).toEqual([1, 1, 0, 1, 0, 1, 0, 1, 0, 0]);
    expect(deciles.map((d) => d.cumulativeConversions)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 5]);
    expect(deciles.map((d) => d.cumulativeShare)).toEqual([0.2, 0.4, 0.4, 0.6, 0.6, 0.8, 0.8, 1, 1, 1]);
    const [d1, , , , d5, d6, , , , d10] = deciles;
    // D1: rate 1/3, lift (1/3) / 0.2 = 1.6667, 3/25 = 12% of leads.
    expect(d1).toMatchObject({ decile: 1, minScore: 23, maxScore: 25, cumulativeLeadShare: 0.12 });
    expect(d1?.rate).toBeCloseTo(0.3333, 4);
    expect(d1?.lift).toBeCloseTo(1.6667, 4);
    expect(d5?.cumulativeLeadShare).toBe(0.6); // 15 / 25
    expect(d6).toMatchObject({ rate: 0.5, lift: 2.5, minScore: 9, maxScore: 10 }); // 1/2 over 0.2
    expect(d10).toMatchObject({ decile: 10, rate: 0, lift: 0, minScore: 1, maxScore: 2, cumulativeLeadShare: 1 });
  });

  it('leaves trailing deciles empty (null stats) when n < 10', () => {
    const deciles = decileTable(rowsOf([[7, true], [6, false], [5, false], [4, false], [3, false], [2, false], [1, false]]));
    expect(deciles.map((d) => d.leads)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(deciles[7]).toMatchObject({ leads: 0, conversions: 0, rate: null, lift: null, minScore: null, maxScore: null, cumulativeConversions: 1, cumulativeShare: 1, cumulativeLeadShare: 1 });
  });

  it('has null shares without conversions or leads', () => {
    expect(decileTable(rowsOf([[1, false], [2, false]]))[0]).toMatchObject({ cumulativeShare: null, lift: null });
    expect(decileTable([]).every((d) => d.leads === 0 && d.cumulativeLeadShare === null)).toBe(true);
  });
});

describe('rocAuc', () => {
  it('counts ties as half on a small hand-computed example', () => {
    // Positives {3, 2, 1}, negatives {2, 1, 0}. Pairs won by the positive:
    // 3 beats 2, 1, 0 → 3; 2 ties 2, beats 1, 0 → 2.5; 1 ties 1, beats 0 → 1.5. U = 7, AUC = 7/9.
    const rows = rowsOf([[3, true], [2, true], [1, true], [2, false], [1, false], [0, false]]);
    expect(rocAuc(rows)).toBeCloseTo(7 / 9, 12);
  });

  it('is 1 for perfect separation and 0 for perfect inversion', () => {
    expect(rocAuc(rowsOf([[9, true], [8, true], [2, false], [1, false]]))).toBe(1);
    expect(rocAuc(rowsOf([[9, false], [8, false], [2, true], [1, true]]))).toBe(0);
  });

  it('is exactly 0.5 when every score ties', () => {
    expect(rocAuc(rowsOf([[5, true], [5, false], [5, false], [5, true], [5, false]]))).toBe(0.5);
  });

  it('is null when only one class is present', () => {
    expect(rocAuc(rowsOf([[1, true], [2, true]]))).toBeNull();
    expect(rocAuc(rowsOf([[1, false]]))).toBeNull();
    expect(rocAuc([])).toBeNull();
  });

  it('rejects non-finite scores', () => {
    expect(() => rocAuc(rowsOf([[Number.NaN, true], [1, false]]))).toThrow(RangeError);
  });
});

describe('runBacktest and formatBacktestTables', () => {
  const rows = [
    row('a', 90, true, 'HOT'),
    row('b', 85, false, 'HOT'),
    row('c', 60, true, 'WARM'),
    row('d', 55, false, 'WARM'),
    row('e', 20, false, 'COLD'),
    row('f', 10, false, 'COLD'),
  ];

  it('combines the metrics over one ranking', () => {
    const result = runBacktest(rows, { ks: [1, 3] });
    expect(result).toMatchObject({ n: 6, conversions: 2 });
    expect(result.baseRate).toBeCloseTo(1 / 3, 12);
    expect(result.tiers).toEqual(tierTable(rows));
    expect(result.precisionAtK).toEqual(precisionAtK(rows, [1, 3]));
    expect(result.deciles).toEqual(decileTable(rows));
    // Positives {90, 60} vs negatives {85, 55, 20, 10}: 90 beats 4, 60 beats 3 → 7/8.
    expect(result.auc).toBe(7 / 8);
  });

  it('defaults to k = 25, 50, 100', () => {
    expect(runBacktest(rows).precisionAtK.map((p) => p.k)).toEqual([25, 50, 100]);
  });

  it('prints aligned tables with the run metadata', () => {
    const text = formatBacktestTables(runBacktest(rows, { ks: [1, 3] }), { rulesVersion: 'v7', source: 'data/synthetic_leads.json' });
    expect(text).toContain('rules v7 on data/synthetic_leads.json');
    expect(text).toContain('base rate 33.3%');
    expect(text).toContain('ROC AUC: 0.875');
    const lines = text.split('\n');
    const hot = lines.find((l) => l.startsWith('HOT'));
    expect(hot).toMatch(/^HOT\s+2\s+1\s+50\.0%\s+\S+–\S+\s+1\.50x$/);
    // Every table's header, rule and body share one width: columns are aligned.
    const tierBlock = lines.slice(lines.indexOf('Conversion by tier') + 1, lines.indexOf('Conversion by tier') + 6);
    expect(new Set(tierBlock.map((l) => l.length)).size).toBe(1);
    const decileStart = lines.findIndex((l) => l.startsWith('Deciles'));
    const decileBlock = lines.slice(decileStart + 1, decileStart + 13);
    expect(new Set(decileBlock.map((l) => l.length)).size).toBe(1);
  });

  it('says why AUC is missing', () => {
    const text = formatBacktestTables(runBacktest([row('a', 1, false, 'COLD')]), { rulesVersion: 'v1', source: 'x' });
    expect(text).toMatch(/ROC AUC: — \(needs both converted and non-converted leads\)/);
  });
});

describe('AUC with DeLong\'s 95% interval', () => {
  it('matches a hand-computed case with a tie', () => {
    // Converters {5, 4, 2}, non-converters {3, 2, 1, 4}.
    // V10 (share of non-converters each converter beats, ties ½): 5 → 4/4 = 1; 4 → 3.5/4 = 0.875; 2 → 1.5/4 = 0.375.
    // AUC = 2.25 / 3 = 0.75. V01 (share of converters above each non-converter): 3 → 2/3; 2 → 2.5/3; 1 → 1; 4 → 1.5/3.
    // S10 = (0.25² + 0.125² + 0.375²) / 2 = 0.109375; S01 = (0.0833² + 0.0833² + 0.25² + 0.25²) / 3 = 0.0462963.
    // Var = 0.109375 / 3 + 0.0462963 / 4 = 0.0480324, SE = 0.219163; 0.75 ± 1.96 · 0.219163 = 0.3204 … 1.1796 → clamped to 1.
    const rows = rowsOf([[5, true], [4, true], [2, true], [3, false], [2, false], [1, false], [4, false]]);
    const estimate = aucWithInterval(rows)!;
    expect(estimate.auc).toBeCloseTo(0.75, 12);
    expect(estimate.se).toBeCloseTo(0.219163, 6);
    expect(estimate.ci!.low).toBeCloseTo(0.320448, 5);
    expect(estimate.ci!.high).toBe(1);
    expect(runBacktest(rows).aucCi).toEqual(estimate.ci);
  });

  it('agrees with the pairwise definition of the placements on arbitrary data', () => {
    const reference = (rows: BacktestRow[]) => {
      const pos = rows.filter((r) => r.converted).map((r) => r.score);
      const neg = rows.filter((r) => !r.converted).map((r) => r.score);
      const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
      const v10 = pos.map((x) => neg.reduce((s, y) => s + psi(x, y), 0) / neg.length);
      const v01 = neg.map((y) => pos.reduce((s, x) => s + psi(x, y), 0) / pos.length);
      const auc = v10.reduce((a, b) => a + b, 0) / pos.length;
      const variance = (v: number[]) => v.reduce((s, x) => s + (x - auc) ** 2, 0) / (v.length - 1);
      return { auc, se: Math.sqrt(variance(v10) / pos.length + variance(v01) / neg.length) };
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { minLength: 4, maxLength: 120 }), (pairs) => {
        const rows = rowsOf(pairs);
        const positives = rows.filter((r) => r.converted).length;
        fc.pre(positives >= 2 && rows.length - positives >= 2);
        const got = aucWithInterval(rows)!;
        const want = reference(rows);
        expect(got.auc).toBeCloseTo(want.auc, 12);
        expect(got.se).toBeCloseTo(want.se, 12);
      }),
      { numRuns: 200, seed: 19 },
    );
  });

  it('has no interval with fewer than two of a class, and no AUC with one class', () => {
    expect(aucWithInterval(rowsOf([[3, true], [2, false], [1, false]]))).toEqual({ auc: 1, se: null, ci: null });
    expect(aucWithInterval(rowsOf([[3, true], [2, true]]))).toBeNull();
    expect(runBacktest(rowsOf([[3, true], [2, true]])).aucCi).toBeNull();
  });

  it('narrows as leads are added', () => {
    const make = (n: number) => rowsOf(Array.from({ length: n }, (_, i) => [i % 7, i % 3 === 0 && i % 7 > 2] as const));
    const small = aucWithInterval(make(60))!;
    const large = aucWithInterval(make(6_000))!;
    expect(large.ci!.high - large.ci!.low).toBeLessThan((small.ci!.high - small.ci!.low) / 5);
  });
});

describe('compareAucs (DeLong\'s paired test)', () => {
  it('matches a hand-computed case', () => {
    // Converters P1, P2; non-converters N1, N2. A: P1 4, P2 2, N1 3, N2 1 → AUC 0.75. B ranks them perfectly → AUC 1.
    // Placements A: P1 1, P2 0.5, N1 0.5, N2 1; B: all 1. d = B − A: converters (0, 0.5), non-converters (0.5, 0).
    // Var = [(0.25² + 0.25²) / 1] / 2 + the same = 0.125; SE 0.353553; z = 0.25 / 0.353553 = 0.7071; p = 0.4795.
    const a = [row('P1', 4, true), row('P2', 2, true), row('N1', 3, false), row('N2', 1, false)];
    const b = [row('P1', 4, true), row('P2', 3, true), row('N1', 2, false), row('N2', 1, false)];
    const result = compareAucs(a, b)!;
    expect(result.difference).toBeCloseTo(0.25, 12);
    expect(result.se).toBeCloseTo(0.353553, 6);
    expect(result.z).toBeCloseTo(0.707107, 6);
    expect(result.p).toBeCloseTo(0.4795, 3);
    expect(result.ci.low).toBeCloseTo(0.25 - 1.959964 * 0.353553, 5);
  });

  it('finds no difference between a ranking and itself, and a real one between a good and a random ranking', () => {
    const n = 2_000;
    const outcome = (i: number) => (i * 7919) % 10 < 3;
    const good = Array.from({ length: n }, (_, i) => row(`l${i}`, outcome(i) ? 60 + (i % 40) : 30 + (i % 50), outcome(i)));
    const noise = good.map((r, i) => ({ ...r, score: (i * 104729) % 101 }));
    expect(compareAucs(good, good)).toMatchObject({ difference: 0, se: 0, p: 1 });
    const result = compareAucs(noise, good)!;
    expect(result.difference).toBeCloseTo(rocAuc(good)! - rocAuc(noise)!, 12);
    expect(result.ci.low).toBeGreaterThan(0);
    expect(result.p).toBeLessThan(1e-6);
  });

  it('refuses rows that are not the same leads in the same order', () => {
    const a = rowsOf([[1, true], [2, false]]);
    expect(() => compareAucs(a, [...a].reverse())).toThrow(RangeError);
    expect(() => compareAucs(a, a.slice(1))).toThrow(RangeError);
  });
});

describe('precision at shares of k, capacity and ties at cuts', () => {
  it('parses --k / ?k= lists of counts and shares', () => {
    expect(kListSchema.parse('25,50, 100,5%')).toEqual([25, 50, 100, { share: 0.05 }]);
    expect(kListSchema.parse('2.5%')).toEqual([{ share: 0.025 }]);
    for (const bad of ['0', 'abc', '150%', '2.5', '', '-3', '0%']) expect(kListSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('turns a share into k among the rows, rounded, at least one', () => {
    const rows = rowsOf(Array.from({ length: 40 }, (_, i) => [40 - i, i % 4 === 0] as const));
    // 5% of 40 = 2: the top two are r01 (converted) and r02 → 1/2.
    expect(runBacktest(rows, { ks: [{ share: 0.05 }, 3] }).precisionAtK).toEqual([
      { k: 2, share: 0.05, effectiveK: 2, conversions: 1, precision: 0.5, lift: 2 },
      { k: 3, effectiveK: 3, conversions: 1, precision: 1 / 3, lift: (1 / 3) / 0.25 },
    ]);
    expect(precisionAtK(rows.slice(0, 3), [{ share: 0.01 }])[0]).toMatchObject({ k: 1, effectiveK: 1 });
  });

  it('reports the score cut-off a capacity implies, and how a tie at it is split', () => {
    // Scores 9, 8, 8, 8, 7, 6 (ids r01…r06); capacity 3 ends inside the three 8s: 2 of them by id (r02, r03).
    const rows = rowsOf([[9, true], [8, false], [8, true], [8, true], [7, false], [6, false]]);
    const { capacity, ties } = runBacktest(rows, { ks: [1], capacity: 3 });
    expect(capacity).toEqual({ k: 3, effectiveK: 3, conversions: 2, precision: 2 / 3, lift: (2 / 3) / 0.5, cutoff: 8, above: 1, atCutoff: 3, takenAtCutoff: 2 });
    expect(ties).toContainEqual({ boundary: 'capacity', at: 3, score: 8, tied: 3, before: 2 });
    expect(runBacktest(rows, { capacity: 4 }).capacity).toMatchObject({ cutoff: 8, atCutoff: 3, takenAtCutoff: 3 });
    expect(runBacktest([], { capacity: 5 }).capacity).toMatchObject({ effectiveK: 0, cutoff: null });
  });

  it('warns when a decile boundary or the top k falls inside one tied score', () => {
    // 20 leads, deciles of 2: five leads tie at 90, so the cuts after 2 and 4 leads fall inside the tie; so does top 3.
    const rows = rowsOf(Array.from({ length: 20 }, (_, i) => [i < 5 ? 90 : 80 - i, i % 2 === 0] as const));
    const { ties } = runBacktest(rows, { ks: [3, 5, 10] });
    expect(ties).toEqual([
      { boundary: 'decile', at: 1, score: 90, tied: 5, before: 2 },
      { boundary: 'decile', at: 2, score: 90, tied: 5, before: 4 },
      { boundary: 'top', at: 3, score: 90, tied: 5, before: 3 },
    ]);
    const text = formatBacktestTables(runBacktest(rows, { ks: [3] }), { rulesVersion: 'v', source: 's' });
    expect(text).toContain('ordered by lead id');
    expect(text).toContain('5 leads tied at score 90: the boundary between deciles 1 and 2 (2 of them above it), the boundary between deciles 2 and 3 (4 of them above it) and the top-3 cut (3 of them above it) fall inside them');
    expect(runBacktest(rowsOf(Array.from({ length: 20 }, (_, i) => [100 - i, false] as const))).ties).toEqual([]);
  });
});

describe('midranks', () => {
  it('ranks from the highest, tied values sharing the mean of their ranks', () => {
    expect(Array.from(midranks([3, 1, 3, 2]))).toEqual([1.5, 4, 1.5, 3]);
    expect(Array.from(midranks([5, 5, 5]))).toEqual([2, 2, 2]);
    expect(() => midranks([1, Number.NaN])).toThrow(RangeError);
  });
});

describe('tierMoveMatrix', () => {
  it('counts every lead once: its cells add up to the leads moved and kept', () => {
    const moves = [['HOT', 'HOT'], ['HOT', 'WARM'], ['WARM', 'COLD'], ['COLD', 'HOT'], ['COLD', 'COLD'], ['COLD', 'COLD']] as const;
    const matrix = tierMoveMatrix(moves);
    expect(matrix).toEqual([[1, 1, 0], [0, 0, 1], [1, 0, 2]]);
    expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(moves.length);
  });
});
