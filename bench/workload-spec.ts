/**
 * What the benchmark's workloads are, as every runtime sees them: their description (sent to each
 * runner as JSON), their numbers, the guard's row sequence and the loss. No Node module here: the
 * browser runner (bench/browser/) imports it as the Node runner does; building the workloads and
 * writing their files is bench/workloads.ts.
 */

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

/** Little-endian f32 bytes (a workload file) as f64 values. */
export function float32Values(bytes: Uint8Array): Float64Array {
  const f = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(f.buffer).set(bytes);
  return Float64Array.from(f);
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
