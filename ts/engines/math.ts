/**
 * Scalar mathematics shared by the JavaScript engines (js and educational): activations, their
 * derivatives, losses and the optimizer step. The Rust twins live in crates/kernels/src/kernels/.
 */
import type { ActivationName, LossName, OptimizerSettings } from '../types.js';

/** Slope of leaky-relu below zero. Must match `LEAKY_SLOPE` in crates/kernels/src/kernels/activation.rs. */
export const LEAKY_SLOPE = 0.01;

/** The logistic function without overflow: exp only ever sees a non-positive argument. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** f(z) for an elementwise activation (softmax acts on whole rows: `softmaxRow`). */
export function activate(f: ActivationName, z: number): number {
  switch (f) {
    case 'sigmoid':
      return sigmoid(z);
    case 'tanh':
      return Math.tanh(z);
    case 'relu':
      return z > 0 ? z : 0;
    case 'leaky-relu':
      return z > 0 ? z : LEAKY_SLOPE * z;
    case 'linear':
      return z;
    case 'softmax':
      throw new Error('softmax acts on a whole layer: use softmaxRow');
  }
}

/** f′(z), taken from a = f(z) where that is exact (sigmoid: a(1−a), tanh: 1−a²). */
export function derivative(f: ActivationName, z: number, a: number): number {
  switch (f) {
    case 'sigmoid':
      return a * (1 - a);
    case 'tanh':
      return 1 - a * a;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leaky-relu':
      return z > 0 ? 1 : LEAKY_SLOPE;
    case 'linear':
      return 1;
    case 'softmax':
      throw new Error('softmax is paired with cross-entropy, whose output delta is a − y');
  }
}

/** a[off … off+n) = softmax(z[off … off+n)), shifted by the maximum so exp cannot overflow. */
export function softmaxRow(z: ArrayLike<number>, a: { [i: number]: number }, off: number, n: number): void {
  let m = z[off];
  for (let i = 1; i < n; i++) if (z[off + i] > m) m = z[off + i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(z[off + i] - m);
    a[off + i] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let i = 0; i < n; i++) a[off + i] *= inv;
}

/**
 * The loss of one sample from its output row: ½Σ(a−y)² (mse), or −Σ y ln a with
 * ln a_k = z_k − logsumexp(z) (cross-entropy, exact where a_k underflows).
 */
export function sampleLoss(loss: LossName, z: ArrayLike<number>, a: ArrayLike<number>, y: ArrayLike<number>, off: number, yOff: number, n: number): number {
  let total = 0;
  if (loss === 'mse') {
    for (let k = 0; k < n; k++) {
      const e = a[off + k] - y[yOff + k];
      total += 0.5 * e * e;
    }
    return total;
  }
  let m = z[off];
  for (let k = 1; k < n; k++) m = Math.max(m, z[off + k]);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(z[off + k] - m);
  const lse = m + Math.log(s);
  for (let k = 0; k < n; k++) if (y[yOff + k] !== 0) total -= y[yOff + k] * (z[off + k] - lse);
  return total;
}

/** Whether one sample is classified rightly: argmax(a) = argmax(y), or for one output the same side of ½. */
export function isCorrect(a: ArrayLike<number>, y: ArrayLike<number>, off: number, yOff: number, n: number): boolean {
  if (n === 1) return a[off] >= 0.5 === y[yOff] >= 0.5;
  let ba = 0;
  let by = 0;
  for (let k = 1; k < n; k++) {
    if (a[off + k] > a[off + ba]) ba = k;
    if (y[yOff + k] > y[yOff + by]) by = k;
  }
  return ba === by;
}

type Arr = { [i: number]: number; length: number };

/**
 * `aᵗ` for a whole t ≥ 0 by repeated squaring, the steps of Rust's `powi` in the wasm kernels
 * (compiler-builtins' `__powidf2`, t at most 2³¹ − 1 as there): the same bits on every JavaScript
 * engine, where `Math.pow` may round otherwise (V8 13 gives 0.9⁴ = 0.6561, V8 11 0.6561000000000001).
 */
export function powi(a: number, t: number): number {
  let n = Math.min(t, 2 ** 31 - 1);
  let r = 1;
  for (;;) {
    if (n % 2 === 1) r *= a;
    n = Math.floor(n / 2);
    if (n === 0) return r;
    a *= a;
  }
}

/**
 * One optimizer update of p[off … off+len) from the mean gradient g (Eq. 5), with state m, v
 * (same layout) and update count t ≥ 1:
 * SGD p −= η g; momentum v = μv − ηg, p += v; Adam with bias-corrected moments.
 */
export function updateParameters(opt: OptimizerSettings, lr: number, t: number, p: Arr, g: Arr, m: Arr, v: Arr, off: number, len: number): void {
  const end = off + len;
  if (opt.type === 'sgd') {
    for (let i = off; i < end; i++) p[i] -= lr * g[i];
  } else if (opt.type === 'momentum') {
    const mu = opt.momentum;
    for (let i = off; i < end; i++) {
      m[i] = mu * m[i] - lr * g[i];
      p[i] += m[i];
    }
  } else {
    const { beta1, beta2, epsilon } = opt;
    const c1 = 1 / (1 - powi(beta1, t));
    const c2 = 1 / (1 - powi(beta2, t));
    for (let i = off; i < end; i++) {
      const gi = g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] -= (lr * (m[i] * c1)) / (Math.sqrt(v[i] * c2) + epsilon);
    }
  }
}
