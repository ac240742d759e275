/**
 * A trace (docs/trace-format.md): the configuration of a seeded training run (`trace.json`) and the
 * tensors it computed, each a `.npy` file named by its path in the folder. This file is the format:
 * the configuration's type and its check, and the names of the tensors in the order a step computes
 * them. No Node imports.
 */
import { fail, show } from '../errors.js';
import { Layout } from '../parameters.js';
import { ACTIVATIONS, LOSSES, type ActivationName, type LossName, type OptimizerSettings, type Precision } from '../types.js';
import type { NpyArray } from './npy.js';

export const TRACE_FORMAT = 'wasm-backprop trace';
export const TRACE_VERSION = 1;

/** `trace.json`. */
export interface TraceConfig {
  format: typeof TRACE_FORMAT;
  version: number;
  /** Who computed the tensors, e.g. 'wasm-backprop 0.1.0 wasm-simd-f32' or 'numpy 2.4.6'. */
  producer: string;
  /** The precision the tensors were computed in ('f32' or 'f64'). */
  precision: Precision;
  network: {
    /** n_0 … n_L. */
    layers: number[];
    /** f_1 … f_L. */
    activations: ActivationName[];
    inputLayer: 'identity' | 'activated';
    /** f_0, with an activated input layer only; null otherwise. */
    inputActivation: ActivationName | null;
    loss: LossName;
  };
  optimizer: OptimizerSettings;
  learningRate: number;
  biasLearningRate: number;
  batchSize: number;
  steps: number;
  seed: number;
  /** Where x.npy and y.npy come from, and their number of rows. */
  data: { source: string; rows: number };
  /** The rows of each step's minibatch, in order (0-based indices into x and y). */
  batches: number[][];
}

/** A trace in memory: its configuration and its tensors by name ('x', 'initial/W0', 'step-0001/z1', …). */
export interface Trace {
  config: TraceConfig;
  tensors: Map<string, NpyArray>;
}

/** What a tensor is, for its tolerance (./tolerance.ts). */
export type TensorKind = 'x' | 'y' | 'W' | 'b' | 'b_in' | 'z' | 'a' | 'delta' | 'loss' | 'dW' | 'db' | 'db_in';

export interface TensorName {
  /** The path without `.npy`, e.g. 'step-0003/dW1'. */
  name: string;
  kind: TensorKind;
  /** 0 for the data and the initial parameters. */
  step: number;
  /** The layer l (W_l, b_l, dW_l, db_l: the connection from layer l; z_l, a_l, δ_l: layer l); -1 for the rest. */
  layer: number;
  shape: number[];
}

/** The folder of step s: step-0001, step-0002, … */
export function stepFolder(step: number): string {
  return `step-${String(step).padStart(4, '0')}`;
}

/** Every tensor of a trace of `config`, in the order they are computed (and compared). */
export function tensorNames(config: TraceConfig): TensorName[] {
  const { layers: n, inputLayer } = config.network;
  const L = n.length - 1;
  const activated = inputLayer === 'activated';
  const out: TensorName[] = [];
  const add = (folder: string, step: number, kind: TensorKind, layer: number, shape: number[], suffix = layer >= 0 ? String(layer) : '') =>
    out.push({ name: `${folder}${kind}${suffix}`, kind, step, layer, shape });
  const parameters = (folder: string, step: number, prefix: '' | 'd') => {
    for (let l = 0; l < L; l++) {
      add(folder, step, `${prefix}W` as TensorKind, l, [n[l + 1], n[l]]);
      add(folder, step, `${prefix}b` as TensorKind, l, [n[l + 1]]);
    }
    if (activated) add(folder, step, `${prefix}b_in` as TensorKind, -1, [n[0]]);
  };
  add('', 0, 'x', -1, [config.data.rows, n[0]]);
  add('', 0, 'y', -1, [config.data.rows, n[L]]);
  parameters('initial/', 0, '');
  config.batches.forEach((rows, i) => {
    const s = i + 1;
    const f = `${stepFolder(s)}/`;
    const r = rows.length;
    for (let l = 0; l <= L; l++) {
      if (l > 0 || activated) add(f, s, 'z', l, [r, n[l]]);
      add(f, s, 'a', l, [r, n[l]]);
    }
    add(f, s, 'loss', -1, []);
    for (let l = L; l >= (activated ? 0 : 1); l--) add(f, s, 'delta', l, [r, n[l]]);
    parameters(f, s, 'd');
    parameters(f, s, '');
  });
  return out;
}

/** The flat layout of the configuration's parameters (ts/parameters.ts). */
export function traceLayout(config: TraceConfig): Layout {
  const { layers, activations, inputLayer, inputActivation, loss } = config.network;
  return new Layout({ sizes: layers, activations: [inputActivation ?? activations[0], ...activations], inputActivated: inputLayer === 'activated', loss });
}

/**
 * The tensors of a flat parameter vector (or of a flat gradient, with `prefix` 'd') of a trace of
 * `config`: `${folder}${prefix}W${l}`, `…b${l}` and `…b_in`, in `precision` (values held in f64 that
 * were computed in f32 go back exactly).
 */
export function parameterTensors(config: TraceConfig, folder: string, prefix: '' | 'd', flat: Float64Array, precision: Precision): [string, NpyArray][] {
  const layout = traceLayout(config);
  const n = config.network.layers;
  const tensor = (shape: number[], values: Float64Array): NpyArray => ({
    shape,
    data: precision === 'f32' ? Float32Array.from(values) : Float64Array.from(values),
  });
  const out: [string, NpyArray][] = [];
  for (let l = 0; l < n.length - 1; l++) {
    const [w, b] = [layout.weightOffsets[l], layout.biasOffsets[l]];
    out.push([`${folder}${prefix}W${l}`, tensor([n[l + 1], n[l]], flat.subarray(w, w + n[l + 1] * n[l]))]);
    out.push([`${folder}${prefix}b${l}`, tensor([n[l + 1]], flat.subarray(b, b + n[l + 1]))]);
  }
  if (config.network.inputLayer === 'activated')
    out.push([`${folder}${prefix}b_in`, tensor([n[0]], flat.subarray(layout.inputBiasOffset, layout.inputBiasOffset + n[0]))]);
  return out;
}

/** Checks a parsed `trace.json`; `where` (the file) starts every error. Returns it typed. */
export function checkTraceConfig(value: unknown, where: string): TraceConfig {
  const bad = (field: string, why: string): never => fail(`${where}: ${field} ${why}`);
  const obj = (v: unknown, field: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(field, `must be an object, got ${show(v)}`);
  const int = (v: unknown, field: string, min: number): number =>
    Number.isInteger(v) && (v as number) >= min ? (v as number) : bad(field, `must be an integer ≥ ${min}, got ${show(v)}`);
  const num = (v: unknown, field: string): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : bad(field, `must be a finite number ≥ 0, got ${show(v)}`);
  const oneOf = <T extends string>(v: unknown, field: string, allowed: readonly T[]): T =>
    allowed.includes(v as T) ? (v as T) : bad(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
  const c = obj(value, 'the document');
  if (c.format !== TRACE_FORMAT) bad('format', `must be '${TRACE_FORMAT}', got ${show(c.format)}`);
  if (c.version !== TRACE_VERSION) bad('version', `${show(c.version)} is not one this library reads (${TRACE_VERSION})`);
  if (typeof c.producer !== 'string') bad('producer', `must be a string, got ${show(c.producer)}`);
  oneOf(c.precision, 'precision', ['f32', 'f64'] as const);
  const net = obj(c.network, 'network');
  const layers = Array.isArray(net.layers) ? net.layers : bad('network.layers', `must be an array of sizes, got ${show(net.layers)}`);
  if (layers.length < 2) bad('network.layers', `must hold at least two sizes, got ${layers.length}`);
  layers.forEach((v, i) => int(v, `network.layers[${i}]`, 1));
  const acts = Array.isArray(net.activations) ? net.activations : bad('network.activations', `must be an array of names, got ${show(net.activations)}`);
  if (acts.length !== layers.length - 1) bad('network.activations', `must name f_1 … f_L, ${layers.length - 1} of them, got ${acts.length}`);
  acts.forEach((v, i) => oneOf(v, `network.activations[${i}]`, ACTIVATIONS));
  const input = oneOf(net.inputLayer, 'network.inputLayer', ['identity', 'activated'] as const);
  if (input === 'activated') oneOf(net.inputActivation, 'network.inputActivation', ACTIVATIONS);
  else if (net.inputActivation != null) bad('network.inputActivation', 'must be null with an identity input layer');
  oneOf(net.loss, 'network.loss', LOSSES);
  const opt = obj(c.optimizer, 'optimizer');
  const type = oneOf(opt.type, 'optimizer.type', ['sgd', 'momentum', 'adam'] as const);
  if (type === 'momentum') num(opt.momentum, 'optimizer.momentum');
  if (type === 'adam') ['beta1', 'beta2', 'epsilon'].forEach((k) => num(opt[k], `optimizer.${k}`));
  num(c.learningRate, 'learningRate');
  num(c.biasLearningRate, 'biasLearningRate');
  int(c.batchSize, 'batchSize', 1);
  const steps = int(c.steps, 'steps', 1);
  int(c.seed, 'seed', 0);
  const data = obj(c.data, 'data');
  const rows = int(data.rows, 'data.rows', 1);
  const batches = Array.isArray(c.batches) ? c.batches : bad('batches', `must be an array of row lists, got ${show(c.batches)}`);
  if (batches.length !== steps) bad('batches', `must hold one row list per step (${steps}), got ${batches.length}`);
  batches.forEach((b, s) => {
    if (!Array.isArray(b) || b.length === 0) bad(`batches[${s}]`, `must be a non-empty array of row indices, got ${show(b)}`);
    (b as unknown[]).forEach((r, i) => {
      if (!Number.isInteger(r) || (r as number) < 0 || (r as number) >= rows) bad(`batches[${s}][${i}]`, `must be a row index 0 … ${rows - 1}, got ${show(r)}`);
    });
  });
  return value as TraceConfig;
}
