import { describe, expect, it } from 'vitest';
import { DesignBuilder, fitLogistic, logit } from '@/lib/tune/logistic';

const logOdds = (p: number) => Math.log(p / (1 - p));

describe('L2 logistic regression (Newton)', () => {
  // Feature 0 on: 40 of 100 convert; off: 10 of 100.
  const builder = new DesignBuilder(1);
  for (let i = 0; i < 100; i++) builder.push([0], i < 40);
  for (let i = 0; i < 100; i++) builder.push([], i < 10);
  const design = builder.build();

  it('reaches the closed-form maximum likelihood when the penalty is tiny', () => {
    const fit = fitLogistic(design, { lambda: 1e-9 });
    expect(fit.intercept).toBeCloseTo(logOdds(0.1), 6);
    expect(fit.weights[0]).toBeCloseTo(logOdds(0.4) - logOdds(0.1), 6);
    expect(logit(fit, [0])).toBeCloseTo(logOdds(0.4), 6);
    expect(fit.iterations).toBeLessThan(15);
  });

  it('shrinks effects toward zero as λ grows, and is deterministic', () => {
    const small = fitLogistic(design, { lambda: 1 }).weights[0]!;
    const large = fitLogistic(design, { lambda: 100 }).weights[0]!;
    expect(small).toBeLessThan(logOdds(0.4) - logOdds(0.1));
    expect(large).toBeLessThan(small);
    expect(large).toBeGreaterThan(0);
    expect(fitLogistic(design)).toEqual(fitLogistic(design));
  });

  it('reaches the same optimum from a warm start, in fewer steps', () => {
    const cold = fitLogistic(design);
    const warm = fitLogistic(design, { start: { intercept: cold.intercept + 0.1, weights: cold.weights.map((w) => w - 0.1) } });
    expect(warm.weights[0]).toBeCloseTo(cold.weights[0]!, 6);
    expect(warm.iterations).toBeLessThanOrEqual(cold.iterations);
  });

  it('fits one-hot bins of several fields with no reference level (the penalty identifies them)', () => {
    const b = new DesignBuilder(4);
    for (let i = 0; i < 400; i++) b.push([i % 2, 2 + (i % 4 < 2 ? 0 : 1)], (i % 2 === 0 && i % 7 < 4) || i % 11 === 0);
    const fit = fitLogistic(b.build());
    expect(Array.from(fit.weights).every(Number.isFinite)).toBe(true);
    expect(fit.weights[0]!).toBeGreaterThan(fit.weights[1]!);
  });
});
