/**
 * `Engine.values`, what a trace records: on every configuration, the z, a and δ of every layer of a
 * minibatch are those of the equations written out here in plain f64 loops, the gradient and loss are
 * those of `gradients`, and nothing is updated.
 */
import { describe, expect, it } from 'vitest';
import { Layout } from '../ts/parameters.js';
import type { ActivationName } from '../ts/types.js';
import { ENGINE_CASES, randomMatrix, relErr } from './engines.js';

const f = (name: ActivationName, z: number) => (name === 'tanh' ? Math.tanh(z) : name === 'relu' ? Math.max(0, z) : 1 / (1 + Math.exp(-z)));
const df = (name: ActivationName, z: number) => {
  const a = f(name, z);
  return name === 'tanh' ? 1 - a * a : name === 'relu' ? (z > 0 ? 1 : 0) : a * (1 - a);
};

/** z, a and δ of every layer, one row at a time, for ½MSE and an activated input layer. */
function reference(sizes: number[], acts: ActivationName[], p: Float64Array, x: Float64Array, y: Float64Array, rows: number) {
  const lay = new Layout({ sizes, activations: acts, inputActivated: true, loss: 'mse' });
  const out = { z: sizes.map(() => [] as number[]), a: sizes.map(() => [] as number[]), delta: sizes.map(() => [] as number[]) };
  for (let r = 0; r < rows; r++) {
    const z = [Array.from({ length: sizes[0] }, (_, j) => x[r * sizes[0] + j] + p[lay.inputBiasOffset + j])];
    const a = [z[0].map((v) => f(acts[0], v))];
    for (let l = 0; l + 1 < sizes.length; l++) {
      z.push(
        Array.from({ length: sizes[l + 1] }, (_, k) =>
          a[l].reduce((s, aj, j) => s + aj * p[lay.weightOffsets[l] + k * sizes[l] + j], p[lay.biasOffsets[l] + k]),
        ),
      );
      a.push(z[l + 1].map((v) => f(acts[l + 1], v)));
    }
    const L = sizes.length - 1;
    const d: number[][] = [];
    d[L] = a[L].map((v, k) => (v - y[r * sizes[L] + k]) * df(acts[L], z[L][k]));
    for (let l = L - 1; l >= 0; l--) {
      d[l] = z[l].map((zj, j) => d[l + 1].reduce((s, dk, k) => s + dk * p[lay.weightOffsets[l] + k * sizes[l] + j], 0) * df(acts[l], zj));
    }
    sizes.forEach((_, l) => {
      out.z[l].push(...z[l]);
      out.a[l].push(...a[l]);
      out.delta[l].push(...d[l]);
    });
  }
  return out;
}

describe.each(ENGINE_CASES)('$name: Engine.values', (c) => {
  it('z, a and δ of every layer are the equations', async () => {
    const sizes = [5, 7, 4, 3];
    const activations: ActivationName[] = ['tanh', 'sigmoid', 'relu', 'sigmoid'];
    const net = await c.create({
      layers: sizes,
      activations: activations.slice(1),
      inputLayer: 'activated',
      inputActivation: 'tanh',
      seed: 3,
      precision: c.precision,
    });
    try {
      const engine = net.engineInstance;
      const rows = 6;
      const x = randomMatrix(rows, 5, 1);
      const y = randomMatrix(rows, 3, 2, 0, 1);
      const p = net.getFlatParameters();
      const xm = { ...x, data: c.precision === 'f32' ? Float32Array.from(x.data) : x.data };
      const ym = { ...y, data: c.precision === 'f32' ? Float32Array.from(y.data) : y.data };
      const v = engine.values!(xm, ym);
      const want = reference(sizes, activations, p, Float64Array.from(xm.data), Float64Array.from(ym.data), rows);
      const target = c.precision === 'f64' ? 1e-13 : 1e-5;
      for (const kind of ['z', 'a', 'delta'] as const) {
        sizes.forEach((n, l) => {
          const got = v[kind][l];
          expect(got, `${kind}_${l}`).not.toBeNull();
          expect(got!.length).toBe(rows * n);
          expect(relErr(got!, want[kind][l]), `${kind}_${l}`).toBeLessThanOrEqual(target);
        });
      }
      const g = engine.gradients(xm, ym);
      expect(v.loss).toBe(g.loss);
      expect(Array.from(v.grads)).toEqual(Array.from(g.grads));
      expect(Array.from(net.getFlatParameters())).toEqual(Array.from(p));
    } finally {
      net.dispose();
    }
  });

  it('an identity input layer has a_0 = x and no z_0 or δ_0', async () => {
    const net = await c.create({ layers: [4, 3, 2], seed: 2, precision: c.precision });
    try {
      const x = randomMatrix(3, 4, 5);
      const data = c.precision === 'f32' ? Float32Array.from(x.data) : x.data;
      const v = net.engineInstance.values!({ ...x, data }, { rows: 3, cols: 2, data: data.slice(0, 6).fill(0.5) });
      expect(v.z[0]).toBeNull();
      expect(v.delta[0]).toBeNull();
      expect(Array.from(v.a[0])).toEqual(Array.from(data));
      expect(v.z[1]).not.toBeNull();
      expect(v.delta[2]).not.toBeNull();
    } finally {
      net.dispose();
    }
  });
});
