/**
 * The SIMD128 kernels against the scalar artefact and a naive f64 product, through `bp_gemm`: every
 * transposition the network uses, sizes that hit every remainder (0, 1, 3, 5, 17, 33, 129) and W4's
 * shapes, output buffers pre-filled with NaN. Targets: f32 ≤ 1e-5, f64 ≤ 1e-12 relative.
 */
import { describe, expect, it } from 'vitest';
import { STATUS } from '../ts/wasm/exports.js';
import { loadWasm, type WasmInstance } from '../ts/wasm/loader.js';
import { Network } from '../ts/network.js';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { oneHotRows, randomMatrix, relErr } from './engines.js';

const SIZES = [0, 1, 3, 5, 17, 33, 129];

/** C = A·B on one instance; A is m×k (transposed storage when ta), B is k×n (when tb). */
function gemmOn(inst: WasmInstance, bits: 32 | 64, m: number, n: number, k: number, a: Float64Array, b: Float64Array, ta: boolean, tb: boolean): Float64Array {
  const x = inst.exports;
  const Arr = bits === 32 ? Float32Array : Float64Array;
  const put = (src: Float64Array) => {
    const p = x.bp_alloc(Math.max(1, src.length) * (bits / 8));
    new Arr(x.memory.buffer, p, src.length).set(src);
    return p;
  };
  const [pa, pb] = [put(a), put(b)];
  const pc = put(new Float64Array(m * n).fill(NaN));
  try {
    const [rsa, csa] = ta ? [1, m] : [k, 1];
    const [rsb, csb] = tb ? [1, k] : [n, 1];
    expect(x.bp_gemm(bits, m, n, k, 1, pa, rsa, csa, pb, rsb, csb, 0, pc, n, 1)).toBe(STATUS.OK);
    return Float64Array.from(new Arr(x.memory.buffer, pc, m * n));
  } finally {
    [pa, pb, pc].forEach((p) => x.bp_free(p));
  }
}

function naive(m: number, n: number, k: number, a: Float64Array, b: Float64Array, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

const shapes: [number, number, number][] = [];
for (const m of SIZES) for (const n of SIZES) for (const k of [0, 1, 5, 17, 129]) shapes.push([m, n, k]);

describe('SIMD128 and scalar GEMM agree', async () => {
  const simd = await loadWasm({ simd: true });
  const scalar = await loadWasm({ simd: false });

  it('loads one artefact of each kind', () => {
    expect(simd.backend).toBe('simd128');
    expect(scalar.backend).toBe('scalar');
  });

  for (const bits of [32, 64] as const) {
    const tol = bits === 32 ? 1e-5 : 1e-12;
    it(`f${bits} on remainder sizes, every transposition`, () => {
      for (const [m, n, k] of shapes) {
        const a = randomMatrix(m, k, 3 + m + k).data;
        const b = randomMatrix(k, n, 5 + n + k).data;
        for (const [ta, tb] of [
          [false, false],
          [false, true],
          [true, false],
        ] as const) {
          const s = gemmOn(simd, bits, m, n, k, a, b, ta, tb);
          const r = gemmOn(scalar, bits, m, n, k, a, b, ta, tb);
          const want = naive(m, n, k, a, b, ta, tb);
          expect(s.every(Number.isFinite)).toBe(true); // every cell written
          expect(relErr(s, r)).toBeLessThanOrEqual(tol);
          expect(relErr(s, want)).toBeLessThanOrEqual(bits === 32 ? 1e-5 * Math.max(1, Math.sqrt(k)) : 1e-12);
        }
      }
    });

    it(`f${bits} on W4's shapes (784-512-512-10, batch 128)`, () => {
      // forward X·Wᵀ, deltas Δ·W, gradients Δᵀ·X of the first layer
      for (const [m, n, k, ta, tb] of [
        [128, 512, 784, false, true],
        [128, 784, 512, false, false],
        [512, 784, 128, true, false],
      ] as const) {
        const a = randomMatrix(m, k, 7).data;
        const b = randomMatrix(k, n, 9).data;
        const s = gemmOn(simd, bits, m, n, k, a, b, ta, tb);
        expect(relErr(s, gemmOn(scalar, bits, m, n, k, a, b, ta, tb))).toBeLessThanOrEqual(tol);
        expect(s.every(Number.isFinite)).toBe(true);
      }
    });
  }
});

describe('the two artefacts train to the same bits', () => {
  // Same operations in the same order (no fused multiply-add, the polynomial exp in both):
  // networks trained on the SIMD and the scalar artefact must agree exactly, on sizes that leave
  // remainders in every vector loop, with every activation and both losses.
  const configs = [
    { layers: [5, 17, 3], activation: 'sigmoid' as const },
    { layers: [7, 9, 33, 2], activation: 'tanh' as const },
    { layers: [3, 129, 4], activation: 'relu' as const },
    { layers: [6, 5, 4], activation: 'leaky-relu' as const, loss: 'cross-entropy' as const },
    { layers: [4, 11, 3], activation: 'linear' as const, inputLayer: 'activated' as const },
  ];
  for (const precision of ['f32', 'f64'] as const) {
    it.each(configs)(`${precision}: $layers $activation`, async (c) => {
      const nets = await Promise.all([true, false].map((simd) => Network.create({ ...c, precision, seed: 5, learningRate: 0.05, wasm: { simd } })));
      try {
        const nOut = c.layers.at(-1)!;
        for (const batch of [1, 7, 16]) {
          const x = randomMatrix(batch, c.layers[0], batch, -1, 1);
          const y = c.loss === 'cross-entropy' ? oneHotRows(batch, nOut, batch) : randomMatrix(batch, nOut, batch + 1, 0, 1);
          for (let s = 0; s < 3; s++) nets.forEach((n) => n.trainBatch(x, y));
        }
        const [simd, scalar] = nets.map((n) => n.getFlatParameters());
        expect(Array.from(simd)).toEqual(Array.from(scalar));
        const x = randomMatrix(40, c.layers[0], 99, -3, 3);
        expect(Array.from(nets[0].predictMatrix(x).data)).toEqual(Array.from(nets[1].predictMatrix(x).data));
      } finally {
        nets.forEach((n) => n.dispose());
      }
    });

    it(`${precision}: the sigmoid at and beyond the ends of exp's range, and around 0`, async () => {
      // One weight of 1 and no bias: the outputs are σ(x), four lanes at a time on SIMD128 (exp's
      // argument clamped lane by lane) and one at a time on the scalar artefact.
      const zs = [-1e30, -1e4, -745, -709.5, -100, -88.5, -87.4, -87.3, -20, -1, -1e-30, -0, 0, 1e-30, 1, 20, 87.3, 88, 88.5, 100, 709.5, 1e4, 1e30, 0.5];
      const nets = await Promise.all([true, false].map((simd) => Network.create({ layers: [1, 1], output: 'sigmoid', precision, wasm: { simd } })));
      try {
        for (const n of nets) n.setFlatParameters(Float64Array.of(1, 0));
        const x = { data: Float64Array.from(zs), rows: zs.length, cols: 1 };
        const [simd, scalar] = nets.map((n) => Array.from(n.predictMatrix(x).data));
        expect(simd).toEqual(scalar);
        const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
        simd.forEach((a, i) => expect(a).toBeCloseTo(sigmoid(precision === 'f32' ? Math.fround(zs[i]) : zs[i]), 6));
      } finally {
        nets.forEach((n) => n.dispose());
      }
    });
  }
});

describe('per-sample fit is the per-sample trainBatch, to the bit', () => {
  // fit with batchSize 1 and SGD runs its own per-sample loops in the kernels (narrow layers one
  // neuron at a time; one for a single hidden layer of narrow layers); they must compute exactly
  // what trainBatch does one row at a time.
  const configs = [
    { layers: [2, 4, 1], activation: 'sigmoid' as const },
    { layers: [3, 9, 2], activation: 'tanh' as const },
    { layers: [10, 4, 12, 1], activation: 'relu' as const },
    { layers: [5, 3, 17], activation: 'leaky-relu' as const, output: 'linear' as const },
    { layers: [6, 7, 3], activation: 'sigmoid' as const, loss: 'cross-entropy' as const },
    // One hidden layer, every layer under 8 neurons: the loop that takes each layer's slices once.
    { layers: [3, 5, 2], activation: 'tanh' as const },
    { layers: [4, 4, 3], activation: 'relu' as const, output: 'softmax' as const, loss: 'cross-entropy' as const },
    { layers: [7, 2, 4], activation: 'leaky-relu' as const, output: 'sigmoid' as const },
    { layers: [1, 7, 7], activation: 'sigmoid' as const, output: 'linear' as const },
    { layers: [3, 4, 4], activation: 'tanh' as const, output: 'softmax' as const, loss: 'cross-entropy' as const },
    // A layer of 8: the general loop, where whole vectors take over.
    { layers: [2, 8, 1], activation: 'sigmoid' as const },
    { layers: [8, 3, 2], activation: 'sigmoid' as const },
  ];
  for (const config of CONFIGURATIONS.filter((k) => k.engine === 'wasm')) {
    it.each(configs)(`${config.name}: $layers $activation`, async (c) => {
      const make = () => Network.create({ ...c, ...config.options, seed: 9, learningRate: 0.1, biasLearningRate: 0.05 });
      const [fitted, stepped] = await Promise.all([make(), make()]);
      try {
        const rows = 13;
        const nOut = c.layers.at(-1)!;
        const x = randomMatrix(rows, c.layers[0], 21, -1, 1);
        const y = c.loss === 'cross-entropy' ? oneHotRows(rows, nOut, 22) : randomMatrix(rows, nOut, 23, 0, 1);
        const history = await fitted.fit(x, y, { epochs: 3, batchSize: 1, shuffle: false });
        const losses: number[] = [];
        for (let e = 0; e < 3; e++) {
          let sum = 0;
          for (let r = 0; r < rows; r++) {
            const row = (m: { data: Float64Array; cols: number }) => ({ data: m.data.slice(r * m.cols, (r + 1) * m.cols), rows: 1, cols: m.cols });
            sum += stepped.trainBatch(row(x), row(y));
          }
          losses.push(sum / rows);
        }
        expect(Array.from(fitted.getFlatParameters())).toEqual(Array.from(stepped.getFlatParameters()));
        expect(history.losses).toEqual(losses);
      } finally {
        fitted.dispose();
        stepped.dispose();
      }
    });
  }
});
