/**
 * The four benchmark workloads of docs/ARCHITECTURE.md ("10 Workloads"), their data, their initial parameters and
 * the row sequences of the correctness guard.
 *
 * The orchestrator builds each workload once (`buildWorkload`) and writes its data and initial
 * parameters to binary files that every runner (Node or Python) reads (`loadWorkloadData`), so every
 * system trains on the same numbers. Inputs, targets and initial parameters are stored in f32, so
 * f32 and f64 systems start from exactly the same values.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetFromTable, parseCsv, split } from '../ts/data.js';
import { Network } from '../ts/network.js';
import { Random } from '../ts/random.js';

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4';
export const WORKLOAD_IDS: readonly WorkloadId[] = ['W1', 'W2', 'W3', 'W4'];

/** Everything a runner needs to know about a workload (sent to it as JSON). */
export interface WorkloadSpec {
  id: WorkloadId;
  /** Short name ('xor', 'digits', …). */
  name: string;
  /** n_0 … n_L. */
  layers: number[];
  /** Activation of every hidden layer. */
  hidden: 'sigmoid' | 'relu';
  /** Activation of the output layer. */
  output: 'sigmoid';
  /** Rows per minibatch update. */
  batch: number;
  /** Rows of training data. */
  rows: number;
  /** Where the rows come from, in words. */
  data: string;
  /** η (and η_b): the same for every system. */
  learningRate: number;
  /** Updates of the correctness guard (minibatch systems: of `batch` rows; per-sample systems: of one row). */
  guardSteps: number;
  /** The guard's loss is the mean per-sample ½Σ(a−y)² over the first `evalRows` rows. */
  evalRows: number;
  /** Number of weights (biases excluded): FLOPs per trained sample = 6 × weights. */
  weights: number;
  /** Binary files of little-endian f32 (every value is f32-exact): x (rows × n_0), y (rows × n_L), p0 (the flat parameters). */
  files: { x: string; y: string; p0: string };
}

/** A workload's numbers, as read by a runner. */
export interface WorkloadData {
  x: Float64Array;
  y: Float64Array;
  /** Initial parameters in the flat layout of ts/engine.ts: [W_0 | b_0 | W_1 | b_1 | …], W_l row-major n_{l+1} × n_l. */
  p0: Float64Array;
}

/** One learning rate for every workload and system. */
export const LEARNING_RATE = 0.1;
/** Seed of the synthetic data and of the initial parameters. */
export const SEED = 1;
/** Rows of the synthetic workloads. */
const SYNTHETIC_ROWS = 8192;

interface Shape {
  name: string;
  layers: number[];
  hidden: 'sigmoid' | 'relu';
  batch: number;
  guardSteps: number;
  evalRows: number;
}

const SHAPES: Record<WorkloadId, Shape> = {
  W1: { name: 'xor', layers: [2, 4, 1], hidden: 'sigmoid', batch: 1, guardSteps: 100, evalRows: 4 },
  W2: { name: 'digits', layers: [64, 32, 10], hidden: 'sigmoid', batch: 16, guardSteps: 100, evalRows: 256 },
  // Fewer guard steps and rows on the large networks: the slowest systems (educational, TensorFlow.js
  // cpu) need a second per update there, and a handful of updates already exercises every kernel.
  W3: { name: 'mnist-size', layers: [784, 128, 10], hidden: 'sigmoid', batch: 64, guardSteps: 20, evalRows: 256 },
  W4: { name: 'wide', layers: [784, 512, 512, 10], hidden: 'relu', batch: 128, guardSteps: 5, evalRows: 128 },
};

/** Number of weights of a layer list: Σ n_l·n_{l+1}. */
export function weightCount(layers: readonly number[]): number {
  let w = 0;
  for (let l = 0; l + 1 < layers.length; l++) w += layers[l] * layers[l + 1];
  return w;
}

/** The activations f_1 … f_L of a workload (hidden ones, then the output). */
export function activationsOf(spec: Pick<WorkloadSpec, 'layers' | 'hidden' | 'output'>): ('sigmoid' | 'relu')[] {
  return [...Array<'sigmoid' | 'relu'>(spec.layers.length - 2).fill(spec.hidden), spec.output];
}

/** XOR: the four rows, targets 0 1 1 0. */
function xorData(): { x: Float64Array; y: Float64Array; rows: number; data: string } {
  return { x: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1), y: Float64Array.of(0, 1, 1, 0), rows: 4, data: 'the 4 XOR rows' };
}

/** digits.csv, pixels / 16, one-hot targets: the training part of the seeded 80/20 split. */
function digitsData(root: string): { x: Float64Array; y: Float64Array; rows: number; data: string } {
  const text = readFileSync(join(root, 'data', 'digits.csv'), 'utf8');
  const ds = datasetFromTable(parseCsv(text, 'digits.csv'), { name: 'digits', scale: 16 });
  const { train } = split(ds, 0.8, SEED);
  return { x: train.x.data, y: train.y.data, rows: train.x.rows, data: `data/digits.csv / 16, one-hot, 80 % split (seed ${SEED}): ${train.x.rows} rows` };
}

/**
 * Synthetic MNIST-sized data: pixels uniform in [0, 1), labels from a fixed random linear teacher
 * (argmax of (x − ½)·T), one-hot targets. Learnable, so the guard's loss moves.
 */
function syntheticData(nIn: number, nOut: number): { x: Float64Array; y: Float64Array; rows: number; data: string } {
  const rows = SYNTHETIC_ROWS;
  const rng = new Random(SEED * 7919 + nIn);
  const x = new Float64Array(rows * nIn);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const teacher = new Float64Array(nIn * nOut);
  for (let i = 0; i < teacher.length; i++) teacher[i] = rng.normal();
  const y = new Float64Array(rows * nOut);
  const score = new Float64Array(nOut);
  for (let r = 0; r < rows; r++) {
    score.fill(0);
    for (let j = 0; j < nIn; j++) {
      const v = x[r * nIn + j] - 0.5;
      for (let k = 0; k < nOut; k++) score[k] += v * teacher[j * nOut + k];
    }
    let best = 0;
    for (let k = 1; k < nOut; k++) if (score[k] > score[best]) best = k;
    y[r * nOut + best] = 1;
  }
  return { x, y, rows, data: `synthetic, N = ${rows}: x ~ U[0, 1), labels of a random linear teacher, one-hot` };
}

/**
 * Builds workload `id`: its data and initial parameters (the library's own seeded initialisation,
 * rounded to f32), written under `dir`.
 */
export function buildWorkload(id: WorkloadId, dir: string): WorkloadSpec {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const shape = SHAPES[id];
  const nIn = shape.layers[0];
  const nOut = shape.layers[shape.layers.length - 1];
  const d = id === 'W1' ? xorData() : id === 'W2' ? digitsData(root) : syntheticData(nIn, nOut);
  const spec: WorkloadSpec = {
    id,
    name: shape.name,
    layers: shape.layers,
    hidden: shape.hidden,
    output: 'sigmoid',
    batch: shape.batch,
    rows: d.rows,
    data: d.data,
    learningRate: LEARNING_RATE,
    guardSteps: shape.guardSteps,
    evalRows: Math.min(d.rows, shape.evalRows),
    weights: weightCount(shape.layers),
    files: { x: join(dir, `${id}.x.f32`), y: join(dir, `${id}.y.f32`), p0: join(dir, `${id}.p0.f32`) },
  };
  const init = Network.createSync({ layers: spec.layers, activations: activationsOf(spec), engine: 'js', precision: 'f64', seed: SEED });
  const p0 = init.getFlatParameters();
  init.dispose();
  mkdirSync(dir, { recursive: true });
  writeFloat32(spec.files.x, d.x);
  writeFloat32(spec.files.y, d.y);
  writeFloat32(spec.files.p0, p0);
  return spec;
}

/** Writes `a` rounded to f32 (little-endian, as typed arrays are on every platform Node runs on). */
function writeFloat32(file: string, a: Float64Array): void {
  const f = Float32Array.from(a);
  writeFileSync(file, new Uint8Array(f.buffer));
}

function readFloat32(file: string): Float64Array {
  const b = readFileSync(file);
  const f = new Float32Array(b.byteLength / 4);
  new Uint8Array(f.buffer).set(b);
  return Float64Array.from(f);
}

/** Reads a workload's data and initial parameters (as f64; every value is f32-exact). */
export function loadWorkloadData(spec: WorkloadSpec): WorkloadData {
  return { x: readFloat32(spec.files.x), y: readFloat32(spec.files.y), p0: readFloat32(spec.files.p0) };
}

/**
 * Row indices of the guard: `steps` updates of `batch` rows, taking rows 0, 1, 2, … in order and
 * wrapping around at the end of the data.
 */
export function guardRows(spec: WorkloadSpec, steps: number, batch: number): Uint32Array {
  const idx = new Uint32Array(steps * batch);
  for (let i = 0; i < idx.length; i++) idx[i] = i % spec.rows;
  return idx;
}

/** The rows `idx` of a row-major matrix with `cols` columns. */
export function gather<A extends Float32Array | Float64Array>(m: A, cols: number, idx: ArrayLike<number>, make: new (n: number) => A): A {
  const out = new make(idx.length * cols);
  for (let r = 0; r < idx.length; r++) out.set(m.subarray(idx[r] * cols, (idx[r] + 1) * cols), r * cols);
  return out;
}

/** Mean per-sample ½Σ(a−y)² of outputs `a` against targets `y` (both rows × cols). */
export function halfSquaredError(a: ArrayLike<number>, y: ArrayLike<number>, rows: number, cols: number): number {
  let s = 0;
  for (let i = 0; i < rows * cols; i++) {
    const d = a[i] - y[i];
    s += d * d;
  }
  return s / (2 * rows);
}
