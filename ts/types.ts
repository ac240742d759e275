/** Public types of the API. */

export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh', 'linear', 'leaky-relu', 'softmax'] as const;
export const LOSSES = ['mse', 'cross-entropy'] as const;
export const ENGINES = ['wasm', 'js', 'educational'] as const;
export const PRECISIONS = ['f32', 'f64'] as const;
export const INITS = ['auto', 'xavier', 'he', 'uniform'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
/** Where an engine's arithmetic runs: WebAssembly with or without SIMD128, or JavaScript. */
export const BACKENDS = ['simd128', 'scalar', 'js'] as const;

export type ActivationName = (typeof ACTIVATIONS)[number];
export type LossName = (typeof LOSSES)[number];
export type EngineName = (typeof ENGINES)[number];
export type Precision = (typeof PRECISIONS)[number];
export type InitName = (typeof INITS)[number];
export type InputLayer = 'identity' | 'activated';
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type Backend = (typeof BACKENDS)[number];
/** The backends of the WebAssembly artefacts, one artefact each. */
export const WASM_BACKENDS = ['simd128', 'scalar'] as const satisfies readonly Backend[];
export type WasmBackend = (typeof WASM_BACKENDS)[number];

/** An optimizer: by name with its defaults, or with its settings. */
export type OptimizerOption =
  OptimizerName | { type: 'sgd' } | { type: 'momentum'; momentum?: number } | { type: 'adam'; beta1?: number; beta2?: number; epsilon?: number };

/** An optimizer with every setting filled in. */
export type OptimizerSettings = { type: 'sgd' } | { type: 'momentum'; momentum: number } | { type: 'adam'; beta1: number; beta2: number; epsilon: number };

/** A row-major matrix in a typed array, with its shape. */
export interface MatrixInput {
  data: Float32Array | Float64Array | number[];
  rows: number;
  cols: number;
}

/** Rows of numbers, or a row-major typed matrix with its shape. */
export type Rows = readonly (readonly number[])[] | MatrixInput;

/**
 * Parameters in the paper's layout: per connection l, `weights[l]` is an n_{l+1} × n_l matrix
 * (row = destination neuron k, column = source neuron j: the paper's w_jk is `weights[l][k][j]`)
 * and `biases[l]` has n_{l+1} entries. `inputBiases` (n_0) exists with `inputLayer: 'activated'`.
 */
export interface Parameters {
  weights: number[][][];
  biases: number[][];
  inputBiases?: number[];
}

/** Learning-rate and optimizer settings of one update (`trainBatch`) or of `fit`. */
export interface StepOptions {
  /** η, for the weights. Default: the network's `learningRate`. */
  learningRate?: number;
  /** η_b, for the biases. Default: η. */
  biasLearningRate?: number;
  /** Default: the network's optimizer. */
  optimizer?: OptimizerOption;
}

export interface FitOptions extends StepOptions {
  /** Passes over the data. Default 50. */
  epochs?: number;
  /** Rows per minibatch (1 = the paper's per-sample training). Default 16. */
  batchSize?: number;
  /** Visit the rows in a new seeded random order each epoch. Default true. */
  shuffle?: boolean;
  /** Data evaluated after each epoch (its loss and accuracy go to the history). */
  validation?: { x: Rows; y: Rows };
  /** Called after each epoch; return `false` to stop early. */
  onEpoch?: (epoch: EpochRecord) => void | boolean;
  /** Stops training between epochs when aborted. */
  signal?: AbortSignal;
}

export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Mean per-sample training loss of the epoch, each minibatch's before its update. */
  loss: number;
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface History {
  /** One record per epoch trained. */
  readonly epochs: EpochRecord[];
  /** The training loss of every epoch (the `loss` of each record). */
  readonly losses: readonly number[];
  /** Whether training stopped before the last epoch (onEpoch returned false, or the signal aborted). */
  stopped: boolean;
}

export interface Evaluation {
  /** Mean per-sample loss. */
  loss: number;
  /** Fraction of rows whose largest output is the target's largest (one output: same side of ½). */
  accuracy: number;
}

export interface Gradients {
  /** The mean loss of the rows the gradients were taken on. */
  loss: number;
  weights: number[][][];
  biases: number[][];
  inputBiases?: number[];
}
