/**
 * How far a candidate's tensor may be from the reference's (docs/trace-format.md, "Tolerances").
 * Differences are counted in ULPs of the coarser precision of the two traces, elementwise, with values
 * below 1 in magnitude counted in ULPs of 1: `|c − r| / ulp(max(1, |r|))`, so a tensor whose entries
 * cancel to near zero is held to the precision of the sums that made it, not to its own tiny scale.
 *
 * The budget of each tensor follows the WebNN conformance tests' table of operations (add, mul: 1 ULP;
 * a matrix product or a sum of K terms: 2·K; exp-based sigmoid: 34, tanh: 32; softmax over N:
 * 3·N + 3; a mean over R rows: R + 2), added along the chain of operations that computes it from
 * the data in one step (z_1 from x through W_0, δ_l from the loss back through every layer above,
 * ∇W_l from δ_{l+1} and a_l). Across steps the parameters carry the earlier steps' differences into
 * every later value, so the budget of step s is `s` times that of one step, and the updated
 * parameters add the optimizer's own: SGD and momentum scale the gradient's budget by the learning
 * rate (momentum by η / (1 − μ), its sum over steps), while Adam divides each gradient by its root
 * mean square, which magnifies the relative difference of a small gradient: its budget is the
 * gradient's times η·ADAM_FACTOR, enough for gradients down to 1/64 of their tensor's scale. All is
 * times SAFETY. On digits 64-32-10, 20 steps of Adam, every engine and precision measured against
 * NumPy stays below 1 % of these budgets (docs/trace-format.md lists the figures), and a wrong sign
 * of one Adam update is ~10¹⁰ budgets away in f64 and ~100 in f32.
 */
import type { ActivationName, Precision } from '../types.js';
import type { TensorName, TraceConfig } from './format.js';

/** ULP of 1 in each precision. */
export const EPSILON: Readonly<Record<Precision, number>> = { f32: 2 ** -23, f64: 2 ** -52 };

/** Safety factor over the chain of operations: rounding differences rarely all go one way. */
export const SAFETY = 4;
/** The multiple of the gradient's budget by which Adam may move a parameter (see above), per unit of η. */
export const ADAM_FACTOR = 64;

/** The ULP of max(1, |v|) in a precision. */
export function ulpOf(v: number, precision: Precision): number {
  const m = Math.max(1, Math.abs(v));
  return 2 ** Math.floor(Math.log2(m)) * EPSILON[precision];
}

/** ULPs of one activation of a layer of n neurons (WebNN's table). */
function activationUlps(f: ActivationName, n: number): number {
  switch (f) {
    case 'sigmoid':
      return 34;
    case 'tanh':
      return 32;
    case 'softmax':
      return 3 * n + 3;
    case 'relu':
    case 'leaky-relu':
      return 2;
    case 'linear':
      return 0;
  }
}

/** The tolerance in ULPs of every tensor of a trace of `config`. */
export function tolerances(config: TraceConfig): (t: TensorName) => number {
  const { layers: n, activations, inputLayer, inputActivation } = config.network;
  const L = n.length - 1;
  const f = [inputActivation ?? 'linear', ...activations] as ActivationName[];
  const r = config.batchSize;
  // One step's chain, layer by layer.
  const Z: number[] = [];
  const A: number[] = [];
  Z[0] = 2;
  A[0] = inputLayer === 'activated' ? Z[0] + activationUlps(f[0], n[0]) : 1;
  for (let l = 1; l <= L; l++) {
    Z[l] = A[l - 1] + 2 * n[l - 1] + 2;
    A[l] = Z[l] + activationUlps(f[l], n[l]);
  }
  const D: number[] = [];
  D[L] = A[L] + 4 + activationUlps(f[L], n[L]);
  for (let l = L - 1; l >= 0; l--) D[l] = D[l + 1] + 2 * n[l + 1] + 2 + activationUlps(f[l], n[l]);
  const dW = (l: number) => D[l + 1] + A[l] + 2 * r + 2;
  const db = (l: number) => D[l + 1] + r + 2;
  const dIn = D[0] + r + 2;
  const loss = A[L] + 2 * n[L] + r + 2;
  const gradient = Math.max(dIn, ...n.slice(0, L).map((_, l) => Math.max(dW(l), db(l))));
  const o = config.optimizer;
  const eta = Math.max(config.learningRate, config.biasLearningRate);
  const update = (o.type === 'adam' ? ADAM_FACTOR * eta : eta / (o.type === 'momentum' ? 1 - o.momentum : 1)) * gradient + 4;
  return (t) => {
    const s = Math.max(1, t.step);
    const one = (() => {
      switch (t.kind) {
        case 'x':
        case 'y':
          return 1;
        case 'z':
          return Z[t.layer];
        case 'a':
          return A[t.layer];
        case 'delta':
          return D[t.layer];
        case 'loss':
          return loss;
        case 'dW':
          return dW(t.layer);
        case 'db':
          return db(t.layer);
        case 'db_in':
          return dIn;
        default:
          // Parameters: rounded once at the start, then moved by every update.
          return t.step === 0 ? 1 : update;
      }
    })();
    return SAFETY * s * one;
  };
}
