/**
 * The messages between a `Trainer` (./trainer.ts, the caller's thread) and its worker (./serve.ts):
 * requests carry an id and are answered once, by a reply or an error; `fit` sends progress under its
 * id before its reply. Data crosses as typed arrays in the transfer list, never as `number[][]`.
 * Errors cross as their name, message and (for a divergence) the fields to build the same error
 * again, so the caller sees the error `Network` would have thrown on its own thread.
 */
import type { LoadNetworkOptions, Model, ModelExtra } from '../model.js';
import type { NetworkConfig, NetworkOptions } from '../options.js';
import type { ThreadsInfo } from '../threads/settings.js';
import type { Backend, BatchProgress, Divergence, EpochRecord, FitOptions, MatrixInput, Rows } from '../types.js';

/** `fit`'s options that cross to the worker: all but the callbacks and the signal; validation data as rows. */
export type WorkerFitOptions = Omit<FitOptions, 'onEpoch' | 'onBatch' | 'signal' | 'validation'> & {
  validation?: { x: Rows; y: Rows };
  /**
   * After each epoch, the accuracy over the training data (x, y) as the network stands then, in
   * each record's `trainingAccuracy` (`Network.evaluate` on them; NaN unless the network classifies).
   */
  trainingAccuracy?: boolean;
};

/** An epoch's record from a `Trainer`: `Network.fit`'s, and the training accuracy where asked for. */
export interface TrainerEpochRecord extends EpochRecord {
  /** The accuracy over the training data after the epoch (fit option `trainingAccuracy`). */
  trainingAccuracy?: number;
}

/** What the worker needs to create its network: the options (without `wasm`) and the compiled kernels. */
export interface CreateRequest {
  op: 'create';
  options: Omit<NetworkOptions, 'wasm'>;
  /** The kernels, compiled once on the caller's thread (wasm engine only). */
  module: WebAssembly.Module | null;
}

/** A network made in the worker from a model document (`loadNetwork`), on the kernels the caller compiled. */
export interface LoadRequest {
  op: 'load';
  model: Model;
  options: Omit<LoadNetworkOptions, 'wasm'>;
  module: WebAssembly.Module | null;
}

/** What the worker says about the network it made (`create`, `load`). */
export interface NetworkInfo {
  backend: Backend;
  engine: NetworkConfig['engine'];
  precision: NetworkConfig['precision'];
  layers: number[];
  /** `Network.threads`: at creation, then after every `fit` (its reply carries it). */
  threads: ThreadsInfo;
}

export type Request = { id: number } & (
  | CreateRequest
  | LoadRequest
  | {
      op: 'fit';
      x: Rows;
      y: Rows;
      options: WorkerFitOptions;
      /** Report progress inside long epochs (`onBatch`). */
      batches: boolean;
      /** Its signal was aborted when it was sent: checked, then stopped before any epoch. */
      aborted?: boolean;
    }
  | { op: 'predict'; x: Rows }
  | { op: 'evaluate'; x: Rows; y: Rows }
  | { op: 'getParameters' | 'getFlatParameters' | 'getTrainingState' }
  | { op: 'toModel'; extra: ModelExtra | undefined }
  | { op: 'pause' | 'resume' }
  /** `fit`: the id of the fit a cancel is for (its signal, its callbacks' errors); without, the running one. */
  | { op: 'cancel'; fit?: number }
  /** Asks for the hello again (a worker started before its trainer listened: its first was not heard). */
  | { op: 'hello' }
);

/** Requests answered at once, even while `fit` runs. */
export const CONTROL_OPS: ReadonlySet<string> = new Set(['pause', 'resume', 'cancel', 'hello']);

/**
 * Requests that read the network without changing it: while `fit` runs they are answered at its
 * next safe point (between two spans, after a time slice of a long epoch, after an epoch where the
 * training accuracy is measured, or at once while paused), not after it.
 */
export const READ_OPS: ReadonlySet<string> = new Set(['predict', 'evaluate', 'getParameters', 'getFlatParameters', 'getTrainingState', 'toModel']);

/** What `Trainer.fit` reports as training goes on. */
export interface TrainerProgress {
  /** Epochs trained so far in this `fit` call. */
  epoch: number;
  /** Epochs this `fit` call trains in all. */
  epochs: number;
  /** The latest epoch's training loss. */
  loss: number;
  /** The records of the epochs trained since the last report (validation loss and accuracy, and the training accuracy where asked for, included). */
  records: TrainerEpochRecord[];
}

/**
 * The reply to `fit`: how many epochs it trained and whether it stopped early. The epochs' records
 * came as progress (`TrainerProgress.records`), every one of them, before this reply.
 */
export interface FitEnd {
  trained: number;
  stopped: boolean;
  threads: ThreadsInfo;
}

/** An error as it crosses: enough to throw one of the same kind with the same message. */
export interface ErrorData {
  name: string;
  message: string;
  /** A `TrainingDivergedError`'s fields and history (its message is made from them). */
  divergence?: Divergence;
  history?: { losses: number[]; epochs: EpochRecord[]; stopped: boolean };
}

/** What the worker posts first, as soon as it listens, and to every `hello` request: that it runs this package's worker (./serve.ts). */
export const HELLO = 'wasm-backprop trainer worker';

export type Reply =
  | { hello: typeof HELLO }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ErrorData }
  | { id: number; progress: Omit<TrainerProgress, 'records'> & { records: PackedRecords } }
  | { id: number; batch: BatchProgress };

/**
 * A span's epoch records as they cross: a column of numbers per field, one value per epoch (`first`,
 * `first` + 1, …), in buffers that are transferred. Cloned as objects, the tens of thousands of
 * records of a span of small epochs took tens of milliseconds to read on the page's thread; the
 * page makes them from the columns in a few.
 */
export interface PackedRecords {
  first: number;
  loss: Float64Array;
  /** Where the records have a validation loss (every one, or none). */
  validationLoss: Float64Array | null;
  /** NaN where a record has no validation accuracy (the network does not classify). */
  validationAccuracy: Float64Array | null;
  /** Where the records have a training accuracy (every one, or none: NaN is a value here). */
  trainingAccuracy: Float64Array | null;
}

/**
 * Consecutive epochs' records (at least one) as columns, their epochs counted on by `offset`; the
 * training accuracies from `trainingAccuracy` where given (one per record), else from the records.
 */
export function packRecords(records: readonly TrainerEpochRecord[], offset = 0, trainingAccuracy?: readonly number[]): PackedRecords {
  const column = (has: boolean, value: (r: TrainerEpochRecord) => number | undefined) => (has ? Float64Array.from(records, (r) => value(r) ?? NaN) : null);
  const some = (key: keyof TrainerEpochRecord) => records.some((r) => r[key] !== undefined);
  return {
    first: records[0].epoch + offset,
    loss: Float64Array.from(records, (r) => r.loss),
    validationLoss: column(some('validationLoss'), (r) => r.validationLoss),
    validationAccuracy: column(some('validationAccuracy'), (r) => r.validationAccuracy),
    trainingAccuracy: trainingAccuracy
      ? Float64Array.from(records, (_, i) => trainingAccuracy[i])
      : column(some('trainingAccuracy'), (r) => r.trainingAccuracy),
  };
}

/** The records `packRecords` packed, as `Network.fit` makes them (no validation accuracy where NaN). */
export function unpackRecords(p: PackedRecords): TrainerEpochRecord[] {
  const { first, loss, validationLoss: vl, validationAccuracy: va, trainingAccuracy: ta } = p;
  const out = new Array<TrainerEpochRecord>(loss.length);
  for (let i = 0; i < loss.length; i++) {
    const r: TrainerEpochRecord = { epoch: first + i, loss: loss[i] };
    if (vl) r.validationLoss = vl[i];
    if (va && va[i] === va[i]) r.validationAccuracy = va[i];
    if (ta) r.trainingAccuracy = ta[i];
    out[i] = r;
  }
  return out;
}

/** The buffers of typed arrays in `values` (each once), to transfer rather than copy. */
export function buffersOf(...values: unknown[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of values) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
    else if (typeof v === 'object' && v !== null && 'data' in v && ArrayBuffer.isView((v as MatrixInput).data)) {
      const b = (v as { data: ArrayBufferView }).data.buffer;
      if (b instanceof ArrayBuffer) out.add(b);
    }
  }
  return [...out];
}
