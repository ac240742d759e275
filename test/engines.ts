/** The engines × precisions every shared suite runs against, each exclusion with its reason. */
import { CONFIGURATIONS } from '../ts/configurations.js';
import { Network, type NetworkOptions } from '../ts/network.js';
import type { Gradients, Rows } from '../ts/types.js';
import { relativeError } from '../ts/verify.js';

export interface EngineCase {
  name: string;
  precision: 'f32' | 'f64';
  create(options: NetworkOptions): Promise<Network>;
}

/** Every configuration of the library (ts/configurations.ts): none is excluded. */
export const ENGINE_CASES: EngineCase[] = CONFIGURATIONS.map((c) => ({
  name: c.name,
  precision: c.precision,
  create: (o: NetworkOptions) => Network.create({ ...o, ...c.options }),
}));

/** Finite differences need f64: the f32 engines are checked against the f64 ones instead. */
export const F64_CASES = ENGINE_CASES.filter((c) => c.precision === 'f64');

/** Relative error as docs/ARCHITECTURE.md defines it: max|a − b| / max(1, max|b|) (the library's own metric). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  return relativeError(a, b);
}

/** A seeded matrix of uniform values in [lo, hi). */
export function randomMatrix(rows: number, cols: number, seed: number, lo = -1, hi = 1): { data: Float64Array; rows: number; cols: number } {
  let s = seed >>> 0 || 1;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return { data, rows, cols };
}

/** Rows of one-hot targets (cross-entropy) from a seed. */
export function oneHotRows(rows: number, classes: number, seed: number): { data: Float64Array; rows: number; cols: number } {
  const r = randomMatrix(rows, 1, seed, 0, classes);
  const data = new Float64Array(rows * classes);
  for (let i = 0; i < rows; i++) data[i * classes + Math.min(classes - 1, Math.floor(r.data[i]))] = 1;
  return { data, rows, cols: classes };
}

/** Central finite differences of the mean loss (`evaluate`) with respect to every flat parameter. */
export function finiteDifferences(net: Network, x: Rows, y: Rows, h = 1e-6): Float64Array {
  const p = net.getFlatParameters();
  const fd = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const q = Float64Array.from(p);
    q[i] = p[i] + h;
    net.setFlatParameters(q);
    const up = net.evaluate(x, y).loss;
    q[i] = p[i] - h;
    net.setFlatParameters(q);
    const down = net.evaluate(x, y).loss;
    fd[i] = (up - down) / (2 * h);
  }
  net.setFlatParameters(p);
  return fd;
}

/** The gradients of `Network.gradients` in the flat layout [W_0 | b_0 | … | b_in]. */
export function flatGradients(g: Gradients): Float64Array {
  return Float64Array.from([...g.weights.flatMap((w, l) => [...w.flat(), ...g.biases[l]]), ...(g.inputBiases ?? [])]);
}
