/**
 * What the Train panel's controls say, the network options they make, and what the panel draws:
 * epochs as chart points, the decision boundary, the network in use. Every network that trains lives
 * in the library's `Trainer` (./training.ts).
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

/** What the panel knows about the network its trainer holds, after a reset or a load. */
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
