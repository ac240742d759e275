/**
 * The `js` engine: the paper's section 3 matrix formulation in plain TypeScript on Float64Array or
 * Float32Array (values are stored at the engine's precision; arithmetic is JavaScript's double).
 * The pure-JS baseline, and a reference that needs no WebAssembly. Same loops as the wasm engine's
 * crates/kernels/src/mlp/ (step.rs), without SIMD or packing:
 *
 *     Z_{l+1} = A_l·W_lᵀ + b_l,  A_{l+1} = f(Z_{l+1})
 *     Δ_L = f′(Z_L) ⊙ (A_L − Y)   (softmax + cross-entropy: A_L − Y)
 *     Δ_l = (Δ_{l+1}·W_l) ⊙ f′(Z_l)
 *     ∇W_l = (1/r)·Δ_{l+1}ᵀ·A_l,  ∇b_l = mean over rows of Δ_{l+1}
 */
import type { Engine, StepValues } from '../engine.js';
import { Layout, type Architecture } from '../parameters.js';
import { HeldDataEngine } from './held.js';
import { allFinite, arrayType, copyInto, type FloatArray, type Matrix } from '../matrix.js';
import type { Precision } from '../types.js';
import { activate, derivative, isCorrect, sampleLoss, softmaxRow, updateParameters } from './math.js';

export class JsEngine extends HeldDataEngine implements Engine {
  readonly name = 'js' as const;
  readonly backend = 'js' as const;
  readonly layout: Layout;
  private readonly Arr: Float32ArrayConstructor | Float64ArrayConstructor;
  private params: FloatArray;
  private grads: FloatArray;
  private z: FloatArray[] = [];
  private a: FloatArray[] = [];
  private d: FloatArray[] = [];
  private capacity = 0;

  constructor(
    readonly arch: Architecture,
    readonly precision: Precision,
  ) {
    super(new Layout(arch).length, arrayType(precision));
    this.layout = new Layout(arch);
    this.Arr = arrayType(precision);
    const n = this.layout.length;
    [this.params, this.grads] = [new this.Arr(n), new this.Arr(n)];
  }

  readParameters(into?: Float64Array): Float64Array {
    return copyInto(this.params, into);
  }

  writeParameters(flat: Float64Array): void {
    this.params.set(flat);
  }

  override parametersFinite(): boolean {
    return allFinite(this.params);
  }

  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const s = this.arch.sizes;
    this.z = s.map((n) => new this.Arr(n * rows));
    this.a = s.map((n) => new this.Arr(n * rows));
    this.d = s.map((n) => new this.Arr(n * rows));
    this.capacity = rows;
  }

  /** The forward pass; fills z and a of every layer for the rows of x. */
  private forward(x: Matrix): void {
    const { sizes, activations, inputActivated } = this.arch;
    const rows = x.rows;
    this.reserve(rows);
    const p = this.params;
    const n0 = sizes[0];
    if (inputActivated) {
      const z0 = this.z[0];
      const a0 = this.a[0];
      const bin = this.layout.inputBiasOffset;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < n0; j++) {
          z0[r * n0 + j] = x.data[r * n0 + j] + p[bin + j];
          a0[r * n0 + j] = activate(activations[0], z0[r * n0 + j]);
        }
      }
    } else {
      this.a[0].set(x.data.subarray(0, rows * n0));
    }
    for (let l = 0; l < this.layout.depth; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const wOff = this.layout.weightOffsets[l];
      const bOff = this.layout.biasOffsets[l];
      const aIn = this.a[l];
      const z = this.z[l + 1];
      const a = this.a[l + 1];
      const f = activations[l + 1];
      for (let r = 0; r < rows; r++) {
        const xr = r * nIn;
        for (let o = 0; o < nOut; o++) {
          // Four partial sums: one running sum would wait on each addition before the next.
          const wr = wOff + o * nIn;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          let i = 0;
          for (; i + 3 < nIn; i += 4) {
            s0 += aIn[xr + i] * p[wr + i];
            s1 += aIn[xr + i + 1] * p[wr + i + 1];
            s2 += aIn[xr + i + 2] * p[wr + i + 2];
            s3 += aIn[xr + i + 3] * p[wr + i + 3];
          }
          for (; i < nIn; i++) s0 += aIn[xr + i] * p[wr + i];
          z[r * nOut + o] = p[bOff + o] + (s0 + s1 + (s2 + s3));
        }
        if (f === 'softmax') softmaxRow(z, a, r * nOut, nOut);
        else for (let o = 0; o < nOut; o++) a[r * nOut + o] = activate(f, z[r * nOut + o]);
      }
    }
  }

  /** Every δ, then the mean gradients into `grads`. Returns the sum of per-sample losses. */
  private backward(y: Matrix): number {
    const { sizes, activations, loss, inputActivated } = this.arch;
    const rows = y.rows;
    const L = this.layout.depth;
    const nL = sizes[L];
    const zL = this.z[L];
    const aL = this.a[L];
    const dL = this.d[L];
    let total = 0;
    for (let r = 0; r < rows; r++) {
      total += sampleLoss(loss, zL, aL, y.data, r * nL, r * nL, nL);
      for (let k = 0; k < nL; k++) {
        const i = r * nL + k;
        const e = aL[i] - y.data[i];
        dL[i] = loss === 'mse' ? e * derivative(activations[L], zL[i], aL[i]) : e;
      }
    }
    const p = this.params;
    // Hidden deltas from the weights of the forward pass.
    for (let l = L - 1; l >= (inputActivated ? 0 : 1); l--) {
      const n = sizes[l];
      const nNext = sizes[l + 1];
      const wOff = this.layout.weightOffsets[l];
      const dn = this.d[l + 1];
      const dh = this.d[l];
      const z = this.z[l];
      const a = this.a[l];
      for (let r = 0; r < rows; r++) {
        const row = r * n;
        for (let j = 0; j < n; j++) dh[row + j] = 0;
        for (let k = 0; k < nNext; k++) {
          const dk = dn[r * nNext + k];
          const wr = wOff + k * n;
          for (let j = 0; j < n; j++) dh[row + j] += dk * p[wr + j];
        }
        for (let j = 0; j < n; j++) dh[row + j] *= derivative(activations[l], z[row + j], a[row + j]);
      }
    }
    // Gradients, averaged over the rows.
    const g = this.grads;
    const inv = 1 / rows;
    for (let l = 0; l < L; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const wOff = this.layout.weightOffsets[l];
      const bOff = this.layout.biasOffsets[l];
      columnMean(this.d[l + 1], rows, nOut, inv, g, bOff);
      g.fill(0, wOff, wOff + nOut * nIn);
      const dn = this.d[l + 1];
      const a = this.a[l];
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < nOut; k++) {
          const dk = dn[r * nOut + k];
          const gr = wOff + k * nIn;
          for (let j = 0; j < nIn; j++) g[gr + j] += dk * a[r * nIn + j];
        }
      }
      for (let i = wOff; i < wOff + nOut * nIn; i++) g[i] *= inv;
    }
    if (inputActivated) columnMean(this.d[0], rows, sizes[0], inv, g, this.layout.inputBiasOffset);
    return total;
  }

  private update(): void {
    const t = ++this.updates;
    const { optimizer, learningRate, biasLearningRate } = this.step;
    const { sizes } = this.arch;
    const lay = this.layout;
    const [p, g, m, v] = [this.params, this.grads, this.optM, this.optV];
    for (let l = 0; l < lay.depth; l++) {
      updateParameters(optimizer, learningRate, t, p, g, m, v, lay.weightOffsets[l], sizes[l + 1] * sizes[l]);
      updateParameters(optimizer, biasLearningRate, t, p, g, m, v, lay.biasOffsets[l], sizes[l + 1]);
    }
    if (this.arch.inputActivated) updateParameters(optimizer, biasLearningRate, t, p, g, m, v, lay.inputBiasOffset, sizes[0]);
  }

  trainBatch(x: Matrix, y: Matrix): number {
    this.forward(x);
    const total = this.backward(y);
    this.update();
    return total / x.rows;
  }

  gradients(x: Matrix, y: Matrix): { loss: number; grads: Float64Array } {
    this.forward(x);
    const total = this.backward(y);
    return { loss: total / x.rows, grads: Float64Array.from(this.grads) };
  }

  /** z, a and δ of every layer as `forward` and `backward` left them, with the gradient and loss. */
  values(x: Matrix, y: Matrix): StepValues {
    const { loss, grads } = this.gradients(x, y);
    const { sizes, inputActivated } = this.arch;
    const rows = (buffers: FloatArray[], l: number) => buffers[l].slice(0, x.rows * sizes[l]);
    return {
      loss,
      grads,
      z: sizes.map((_, l) => (l > 0 || inputActivated ? rows(this.z, l) : null)),
      a: sizes.map((_, l) => rows(this.a, l)),
      delta: sizes.map((_, l) => (l > 0 || inputActivated ? rows(this.d, l) : null)),
    };
  }

  predict(x: Matrix): FloatArray {
    this.forward(x);
    const nL = this.arch.sizes[this.layout.depth];
    return this.a[this.layout.depth].slice(0, x.rows * nL);
  }

  evaluate(x: Matrix, y: Matrix): { loss: number; correct: number } {
    this.forward(x);
    const L = this.layout.depth;
    const nL = this.arch.sizes[L];
    let total = 0;
    let correct = 0;
    for (let r = 0; r < x.rows; r++) {
      total += sampleLoss(this.arch.loss, this.z[L], this.a[L], y.data, r * nL, r * nL, nL);
      if (isCorrect(this.a[L], y.data, r * nL, r * nL, nL)) correct++;
    }
    return { loss: total / x.rows, correct };
  }

  dispose(): void {
    this.z = this.a = this.d = [];
    this.capacity = 0;
  }
}

/** out[off + j] = inv · Σ_r d[r·n + j]. */
function columnMean(d: FloatArray, rows: number, n: number, inv: number, out: FloatArray, off: number): void {
  out.fill(0, off, off + n);
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) out[off + j] += d[r * n + j];
  for (let j = 0; j < n; j++) out[off + j] *= inv;
}
