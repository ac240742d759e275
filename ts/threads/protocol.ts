/** The messages between a network's thread pool (./pool.ts) and its workers (./worker.ts). */
import type { OptimizerState, StepSettings } from '../engine.js';
import type { Architecture } from '../parameters.js';
import type { Precision } from '../types.js';
import type { SharedData } from './replica.js';

export type ToWorker =
  /** Instantiate the module and create the replica; replies `ready`. */
  | { op: 'init'; module: WebAssembly.Module; arch: Architecture; precision: Precision; part: number; parts: number; control: SharedArrayBuffer }
  /** The exchange buffer for minibatches of up to `capacity` rows. */
  | { op: 'exchange'; buffer: SharedArrayBuffer; capacity: number }
  | { op: 'data'; data: SharedData }
  /** The training state of the caller's network, to continue from. */
  | { op: 'state'; params: Float64Array; step: StepSettings; optimizer: OptimizerState }
  /** Train `order` in minibatches of `batch` with the other threads. */
  | { op: 'span'; order: Uint32Array; batch: number };

export type FromWorker = { op: 'ready' } | { op: 'failed'; message: string };
