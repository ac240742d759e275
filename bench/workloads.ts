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
import { Random } from '../ts/random.js';
import { createNetworkSync } from '../ts/sync.js';
import { LEARNING_RATE, SEED, activationsOf, float32Values, weightCount, type WorkloadData, type WorkloadId, type WorkloadSpec } from './workload-spec.js';

export * from './workload-spec.js';

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
  const init = createNetworkSync({ layers: spec.layers, activations: activationsOf(spec), engine: 'js', precision: 'f64', seed: SEED });
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
  return float32Values(readFileSync(file));
}

/** Reads a workload's data and initial parameters (as f64; every value is f32-exact). */
export function loadWorkloadData(spec: WorkloadSpec): WorkloadData {
  return { x: readFloat32(spec.files.x), y: readFloat32(spec.files.y), p0: readFloat32(spec.files.p0) };
}
