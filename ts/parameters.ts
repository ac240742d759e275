/**
 * The parameters of a network without the network: the flat layout every engine reads and writes,
 * its conversion to and from the paper's nested `Parameters`, and the seeded initial values. Pure
 * functions of the architecture, so the model file, a worker and the CLI use them without creating
 * a network.
 *
 * The flat layout (crates/kernels/src/mlp/mod.rs keeps its parameters in the same order):
 *
 *     [ W_0 | b_0 | W_1 | b_1 | … | W_{L−1} | b_{L−1} | b_in ]
 *
 * W_l is row-major n_{l+1} × n_l (row = destination neuron k, column = source neuron j: the paper's
 * w_jk is W_l[k][j]); b_l has n_{l+1} entries, right after W_l; b_in (n_0) exists only with an
 * activated input layer.
 */
import { fail, show } from './errors.js';
import { Random, initWeights } from './random.js';
import type { ActivationName, InitName, LossName, Parameters } from './types.js';

/** What every engine computes with: the shape of the network and its functions. */
export interface Architecture {
  /** n_0 … n_L. */
  sizes: readonly number[];
  /** f_0 … f_L: `activations[0]` acts on the input layer only when `inputActivated`. */
  activations: readonly ActivationName[];
  inputActivated: boolean;
  loss: LossName;
}

/** Offsets of each parameter block in the flat layout. */
export class Layout {
  readonly weightOffsets: number[] = [];
  readonly biasOffsets: number[] = [];
  readonly inputBiasOffset: number;
  readonly length: number;

  constructor(readonly arch: Architecture) {
    const n = arch.sizes;
    let off = 0;
    for (let l = 0; l + 1 < n.length; l++) {
      this.weightOffsets.push(off);
      off += n[l + 1] * n[l];
      this.biasOffsets.push(off);
      off += n[l + 1];
    }
    this.inputBiasOffset = off;
    this.length = off + (arch.inputActivated ? n[0] : 0);
  }

  /** Number of connections L. */
  get depth(): number {
    return this.arch.sizes.length - 1;
  }

  /** Where flat parameter `i` lies in the nested layout: `weights[l][k][j]`, `biases[l][k]` or `inputBiases[j]`. */
  name(i: number): string {
    const n = this.arch.sizes;
    for (let l = 0; l < this.depth; l++) {
      const w = i - this.weightOffsets[l];
      if (w >= 0 && w < n[l + 1] * n[l]) return `weights[${l}][${Math.floor(w / n[l])}][${w % n[l]}]`;
      const b = i - this.biasOffsets[l];
      if (b >= 0 && b < n[l + 1]) return `biases[${l}][${b}]`;
    }
    return `inputBiases[${i - this.inputBiasOffset}]`;
  }
}

/** The flat parameters in the paper's nested layout (see `Parameters`). */
export function unflattenParameters(flat: ArrayLike<number>, lay: Layout): Parameters {
  const s = lay.arch.sizes;
  const slice = (from: number, n: number) => Array.from({ length: n }, (_, i) => flat[from + i]);
  const weights: number[][][] = [];
  const biases: number[][] = [];
  for (let l = 0; l < lay.depth; l++) {
    weights.push(Array.from({ length: s[l + 1] }, (_, k) => slice(lay.weightOffsets[l] + k * s[l], s[l])));
    biases.push(slice(lay.biasOffsets[l], s[l + 1]));
  }
  const p: Parameters = { weights, biases };
  if (lay.arch.inputActivated) p.inputBiases = slice(lay.inputBiasOffset, s[0]);
  return p;
}

/**
 * The nested parameters in the flat layout, every shape and value checked: an error names the
 * first entry that is missing, of the wrong length or not a finite number.
 */
export function flattenParameters(p: Parameters, lay: Layout, what = 'parameters'): Float64Array {
  const s = lay.arch.sizes;
  if (typeof p !== 'object' || p === null) fail(`${what} must be { weights, biases }, got ${show(p)}`);
  const { weights, biases, inputBiases } = p;
  if (!Array.isArray(weights) || weights.length !== lay.depth) fail(`${what}.weights must have ${lay.depth} matrices, got ${show(weights)}`);
  if (!Array.isArray(biases) || biases.length !== lay.depth) fail(`${what}.biases must have ${lay.depth} vectors, got ${show(biases)}`);
  const flat = new Float64Array(lay.length);
  const put = (v: unknown, off: number, where: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where} must be a finite number, got ${show(v)}`);
    flat[off] = v;
  };
  for (let l = 0; l < lay.depth; l++) {
    const w = weights[l];
    if (!Array.isArray(w) || w.length !== s[l + 1]) fail(`${what}.weights[${l}] must have ${s[l + 1]} rows (one per neuron of layer ${l + 1}), got ${show(w)}`);
    // Index loops, not forEach: an empty slot ([1, , 2]) is refused as undefined, not skipped.
    for (let k = 0; k < w.length; k++) {
      const row: unknown = w[k];
      if (!Array.isArray(row) || row.length !== s[l])
        fail(`${what}.weights[${l}][${k}] must have ${s[l]} columns (one per neuron of layer ${l}), got ${show(row)}`);
      for (let j = 0; j < row.length; j++) put(row[j], lay.weightOffsets[l] + k * s[l] + j, `${what}.weights[${l}][${k}][${j}]`);
    }
    const b = biases[l];
    if (!Array.isArray(b) || b.length !== s[l + 1]) fail(`${what}.biases[${l}] must have ${s[l + 1]} entries, got ${show(b)}`);
    for (let k = 0; k < b.length; k++) put(b[k], lay.biasOffsets[l] + k, `${what}.biases[${l}][${k}]`);
  }
  if (lay.arch.inputActivated) {
    if (!Array.isArray(inputBiases) || inputBiases.length !== s[0])
      fail(`${what}.inputBiases must have ${s[0]} entries (inputLayer 'activated'), got ${show(inputBiases)}`);
    for (let j = 0; j < inputBiases.length; j++) put(inputBiases[j], lay.inputBiasOffset + j, `${what}.inputBiases[${j}]`);
  } else if (inputBiases !== undefined) {
    fail(`${what}.inputBiases only exists with inputLayer 'activated'`);
  }
  return flat;
}

/** A copy of `flat` as a Float64Array of `length` finite numbers, or an error naming the first bad entry. */
export function checkFlat(flat: ArrayLike<number>, length: number, what: string): Float64Array {
  if (flat === null || typeof flat !== 'object' || typeof flat.length !== 'number') fail(`${what} must be an array of numbers, got ${show(flat)}`);
  if (flat.length !== length) fail(`${what} must have ${length} numbers, got ${flat.length}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = flat[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what}[${i}] must be a finite number, got ${show(v)}`);
    out[i] = v;
  }
  return out;
}

/** How the initial parameters are drawn. */
export interface InitSettings {
  seed: number;
  init: InitName;
  biasInit: number;
}

/** The initial parameters, flat, from the seed: identical for every engine and precision. */
export function initialParameters(lay: Layout, { seed, init, biasInit }: InitSettings): Float64Array {
  const rng = new Random(seed);
  const flat = new Float64Array(lay.length);
  const { sizes, activations } = lay.arch;
  for (let l = 0; l < lay.depth; l++) {
    const w = flat.subarray(lay.weightOffsets[l], lay.weightOffsets[l] + sizes[l + 1] * sizes[l]);
    initWeights(w, sizes[l + 1], sizes[l], init, activations[l + 1], rng);
    flat.fill(biasInit, lay.biasOffsets[l], lay.biasOffsets[l] + sizes[l + 1]);
  }
  flat.fill(biasInit, lay.inputBiasOffset, lay.length);
  return flat;
}
