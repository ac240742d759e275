/** The messages between a network's thread pool (./pool.ts) and its workers (./worker.ts). */
import type { OptimizerState, StepSettings } from '../engine.js';
import type { Architecture } from '../parameters.js';
import type { Precision } from '../types.js';
import type { SharedData } from './replica.js';

export type ToWorker =
  /** Instantiate the module and create the replica; replies `ready`. */
  | {
      op: 'init';
      module: WebAssembly.Module;
      arch: Architecture;
      precision: Precision;
      part: number;
      parts: number;
      /** The barrier's control block, and how long to spin at it before sleeping (ms). */
      control: SharedArrayBuffer;
      spin: number;
      /** The handoff's control words and its buffer of a span's rows (./handoff.ts), and how long to listen for a span (ms). */
      handoff: SharedArrayBuffer;
      rows: SharedArrayBuffer;
      listen: number;
    }
  /** The exchange buffer for minibatches of up to `capacity` rows. */
  | { op: 'exchange'; buffer: SharedArrayBuffer; capacity: number }
  | { op: 'data'; data: SharedData }
  /** The handoff's new buffer of a span's rows. */
  | { op: 'rows'; buffer: SharedArrayBuffer }
  /** The training state of the caller's network, to continue from. */
  | { op: 'state'; params: Float64Array; step: StepSettings; optimizer: OptimizerState }
  /** Train `order` in minibatches of `batch` with the other threads. */
  | { op: 'span'; order: Uint32Array; batch: number };

export type FromWorker = { op: 'ready' } | { op: 'failed'; message: string };
