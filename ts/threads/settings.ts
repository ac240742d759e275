/**
 * The `threads` option and what `Network` needs of the threads machinery. The machinery itself
 * (./pool.ts, its workers) is registered by the entry ./index.ts (`wasm-backprop/threads`, and
 * `wasm-backprop/node` imports it), so an app that does not train on threads does not bundle it.
 */
import type { StepSettings, PreparedData } from '../engine.js';
import type { WasmEngine } from '../engines/wasm.js';
import { checkInteger, fail, show } from '../errors.js';

/** Threads one network trains on at most. */
export const MAX_THREADS = 64;

/** `threads`: a number of threads (1: the caller's thread alone, the default), or `'auto'`. */
export type ThreadsOption = number | 'auto';

/** What a network's last `fit` trained on (`Network.threads`). */
export interface ThreadsInfo {
  /** What was asked for (`threads` of `fit`, else of `Network.create`). */
  requested: ThreadsOption;
  /** Threads the last `fit` trained on (1 before any). */
  used: number;
  /**
   * Why fewer threads than asked for (or than `'auto'` would use on this machine's cores) were
   * used; null otherwise. Before any `fit`: why this runtime cannot share a minibatch at all (a page
   * not cross-origin isolated), or null.
   */
  reason: string | null;
}

/** The threads of one network (./pool.ts). */
export interface NetworkThreads {
  /** Threads a `fit` of minibatches of `batch` rows trains on, and why fewer than `requested` where so. */
  plan(requested: ThreadsOption, batch: number): { threads: number; reason: string | null };
  /** Why this runtime cannot train on more than one thread (no shared memory, no workers), or null. */
  unavailable(): string | null;
  /**
   * Trains the rows `order` of `data` in minibatches of `batch` on `threads` threads, as
   * `Engine.fitSpan` does (the same bits), with the settings `step` in force.
   */
  fitSpan(data: PreparedData, order: Uint32Array, batch: number, total: number, threads: number, step: StepSettings): Promise<number>;
  /** Stops every worker. Idempotent. */
  dispose(): void;
}

let factory: ((engine: WasmEngine) => NetworkThreads) | null = null;

/** Registers the threads machinery (called by ./index.ts). */
export function provideThreads(make: (engine: WasmEngine) => NetworkThreads): void {
  factory = make;
}

/** The threads of a network of `engine`, or an error saying how to get them. */
export function threadsFor(engine: WasmEngine): NetworkThreads {
  if (!factory) fail("options.threads needs the threads module: import 'wasm-backprop/threads' once (in Node, 'wasm-backprop/node' imports it)");
  return factory(engine);
}

/** Checks a `threads` option: an integer from 1 to `MAX_THREADS`, or 'auto'. */
export function checkThreads(value: unknown, what: string): ThreadsOption {
  if (value === 'auto') return value;
  if (typeof value !== 'number') fail(`${what} must be a number of threads or 'auto', got ${show(value)}`);
  return checkInteger(value, what, 1, MAX_THREADS);
}
