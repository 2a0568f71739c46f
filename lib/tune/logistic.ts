import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/**
 * L2-regularised logistic regression on binary features (bins, keywords, combinations), fitted by
 * Newton's method (IRLS): deterministic — no random start, no stochastic steps, rows summed in order —
 * so the same leads always give the same coefficients.
 *
 * The penalty λ/2 · Σ w² (intercept unpenalised) is a normal prior with variance 1/λ on every feature's
 * effect on the log-odds. λ = 1 (a prior sd of 1 log-odds: effects beyond ±2, a 7× odds ratio, are rare on
 * lead data): it keeps a bin with a handful of leads, or a value that always converted, from running
 * away, and it is negligible for a bin with thousands of leads. It also makes one-hot bins of every field
 * (no reference level) identifiable.
 */

/** Rows of active binary features (compressed sparse rows) with their outcome. */
export interface Design {
  rows: number;
  features: number;
  offsets: Uint32Array;
  indices: Uint32Array;
  y: Uint8Array;
}

/** Builds a `Design` row by row without knowing the row count up front. */
export class DesignBuilder {
  private offsets: number[] = [0];
  private indices = new Uint32Array(1024);
  private length = 0;
  private y: number[] = [];

  constructor(readonly features: number) {}

  push(active: readonly number[], converted: boolean): void {
    if (this.length + active.length > this.indices.length) {
      const grown = new Uint32Array(Math.max(this.indices.length * 2, this.length + active.length));
      grown.set(this.indices.subarray(0, this.length));
      this.indices = grown;
    }
    for (const f of active) this.indices[this.length++] = f;
    this.offsets.push(this.length);
    this.y.push(converted ? 1 : 0);
  }

  build(): Design {
    return { rows: this.y.length, features: this.features, offsets: Uint32Array.from(this.offsets), indices: this.indices.slice(0, this.length), y: Uint8Array.from(this.y) };
  }
}

export interface LogisticFit {
  intercept: number;
  weights: Float64Array;
  lambda: number;
  iterations: number;
  /** Log-likelihood of the design rows (without the penalty). */
  logLikelihood: number;
}

export const DEFAULT_LAMBDA = 1;

export function logit(fit: Pick<LogisticFit, 'intercept' | 'weights'>, active: ArrayLike<number>): number {
  let eta = fit.intercept;
  for (let i = 0; i < active.length; i++) eta += fit.weights[active[i]!]!;
  return eta;
}

const sigmoid = (eta: number) => 1 / (1 + Math.exp(-eta));

function penalisedLogLikelihood(design: Design, intercept: number, weights: Float64Array, lambda: number): { ll: number; penalised: number } {
  let ll = 0;
  for (let r = 0; r < design.rows; r++) {
    let eta = intercept;
    for (let k = design.offsets[r]!; k < design.offsets[r + 1]!; k++) eta += weights[design.indices[k]!]!;
    // log(1 + e^η) computed stably.
    const softplus = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
    ll += design.y[r]! ? eta - softplus : -softplus;
  }
  let penalty = 0;
  for (const w of weights) penalty += w * w;
  return { ll, penalised: ll - (lambda / 2) * penalty };
}

export function fitLogistic(
  design: Design,
  { lambda = DEFAULT_LAMBDA, maxIterations = 50, tolerance = 1e-7, start }: { lambda?: number; maxIterations?: number; tolerance?: number; start?: Pick<LogisticFit, 'intercept' | 'weights'> } = {},
): LogisticFit {
  const m = design.features;
  const dim = m + 1;
  const positives = design.y.reduce((s, v) => s + v, 0);
  // Start at the base rate's log-odds (or where told); the problem is convex, so any start reaches the same optimum.
  let intercept = start?.intercept ?? Math.log((positives + 0.5) / (design.rows - positives + 0.5));
  let weights = start ? Float64Array.from(start.weights) : new Float64Array(m);
  let current = penalisedLogLikelihood(design, intercept, weights, lambda);
  const hessian = new Float64Array(dim * dim);
  const gradient = new Float64Array(dim);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    hessian.fill(0);
    gradient.fill(0);
    for (let r = 0; r < design.rows; r++) {
      const start = design.offsets[r]!;
      const end = design.offsets[r + 1]!;
      let eta = intercept;
      for (let k = start; k < end; k++) eta += weights[design.indices[k]!]!;
      const p = sigmoid(eta);
      const residual = design.y[r]! - p;
      const w = p * (1 - p);
      gradient[0]! += residual;
      hessian[0]! += w;
      for (let a = start; a < end; a++) {
        const i = design.indices[a]! + 1;
        gradient[i]! += residual;
        hessian[i]! += w;
        const row = i * dim;
        for (let b = a; b < end; b++) hessian[row + design.indices[b]! + 1]! += w;
      }
    }
    for (let j = 1; j < dim; j++) {
      gradient[j]! -= lambda * weights[j - 1]!;
      hessian[j * dim + j]! += lambda;
    }
    // Symmetrise: only one triangle was summed (an index pair may come in either order within a row).
    const full: number[][] = [];
    for (let i = 0; i < dim; i++) full.push(new Array<number>(dim));
    for (let i = 0; i < dim; i++) {
      for (let j = i; j < dim; j++) {
        const v = i === j ? hessian[i * dim + j]! : hessian[i * dim + j]! + hessian[j * dim + i]!;
        full[i]![j] = v;
        full[j]![i] = v;
      }
    }
    const step = new CholeskyDecomposition(new Matrix(full)).solve(Matrix.columnVector(Array.from(gradient))).to1DArray();
    // Newton's step, halved until the penalised likelihood does not fall (it rarely needs to be).
    let scale = 1;
    let next = current;
    let nextIntercept = intercept;
    let nextWeights = weights;
    for (let halving = 0; halving < 30; halving++) {
      nextIntercept = intercept + scale * step[0]!;
      nextWeights = weights.map((w, j) => w + scale * step[j + 1]!);
      next = penalisedLogLikelihood(design, nextIntercept, nextWeights, lambda);
      if (next.penalised >= current.penalised - 1e-12) break;
      scale /= 2;
    }
    intercept = nextIntercept;
    weights = nextWeights;
    current = next;
    if (Math.max(...step.map((s) => Math.abs(s * scale))) < tolerance) {
      iterations++;
      break;
    }
  }
  return { intercept, weights, lambda, iterations, logLikelihood: current.ll };
}
