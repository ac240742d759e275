/**
 * The messages between the page and the demo's training worker (./worker.ts), and the network
 * options the controls' settings make. The page only sends requests and draws what comes back;
 * every network that trains lives in a worker.
 */
import type { ActivationName, EngineName, LossName, NetworkOptions, OptimizerName, Precision } from '../../ts/index.js';
import type { DatasetName } from './datasets.js';

/** What the controls say: the data set, the network and how it trains. */
export interface TrainConfig {
  dataset: DatasetName;
  /** Hidden layer sizes, input and output come from the data set. */
  hidden: number[];
  activation: ActivationName;
  loss: LossName;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  engine: EngineName;
  precision: Precision;
  /** `false` when the page was told to do without SIMD128 (`?simd=0`). */
  simd: 'auto' | false;
  seed: number;
}

/** One epoch's numbers, as the charts draw them. */
export interface EpochPoint {
  epoch: number;
  /** Mean training loss of the epoch (each minibatch's before its update). */
  loss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
}

/** Class probabilities on a `size` × `size` grid over the data set's extent (2-D data sets only). */
export interface Boundary {
  size: number;
  classes: number;
  /** Row-major from the top-left: cell (row, col) holds `classes` probabilities at `probs[(row·size + col)·classes]`. */
  probs: Float32Array;
}

/** What the worker reports about the network it holds, after a reset or a load. */
export interface NetInfo {
  config: TrainConfig;
  layers: number[];
  backend: string;
  /** Whether this browser validates WebAssembly SIMD128 at all. */
  simdSupported: boolean;
  trainRows: number;
  testRows: number;
  classNames: string[];
  /** The epochs a loaded model was trained for (empty for a new network). */
  history: EpochPoint[];
}

export type Request =
  | { type: 'reset'; config: TrainConfig }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'configure'; learningRate: number; batchSize: number }
  | { type: 'predict'; id: number; x: number[] }
  | { type: 'save'; id: number }
  | { type: 'load'; id: number; text: string; dataset: DatasetName; simd: 'auto' | false };

export type Reply =
  | { type: 'ready'; info: NetInfo; id?: number }
  | { type: 'progress'; points: EpochPoint[]; samplesPerSecond: number; boundary?: Boundary }
  | { type: 'state'; running: boolean }
  | { type: 'prediction'; id: number; y: number[] }
  | { type: 'model'; id: number; text: string }
  | { type: 'error'; message: string; id?: number };

/** The network options for the controls' settings: softmax with cross-entropy, else sigmoid outputs. */
export function networkOptions(
  c: Pick<TrainConfig, 'hidden' | 'activation' | 'loss' | 'optimizer' | 'learningRate' | 'engine' | 'precision' | 'simd' | 'seed'>,
  inputs: number,
  classes: number,
): NetworkOptions {
  return {
    layers: [inputs, ...c.hidden, classes],
    activation: c.activation,
    output: c.loss === 'cross-entropy' ? 'softmax' : 'sigmoid',
    loss: c.loss,
    optimizer: c.optimizer,
    learningRate: c.learningRate,
    engine: c.engine,
    precision: c.engine === 'educational' ? 'f64' : c.precision,
    seed: c.seed,
    ...(c.engine === 'wasm' ? { wasm: { simd: c.simd } } : {}),
  };
}
