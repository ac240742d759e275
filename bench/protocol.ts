/**
 * What the orchestrator (bench/run.ts) and a runner (bench/runner.ts, a page of
 * bench/browser/page.ts, or bench/numpy_bench.py) say to each other, and the `Case` every system implements inside a runner.
 *
 * Each system runs in a process of its own: its heap, its garbage collector and its JIT state are
 * its own, so one system's garbage is never collected on another's clock, and a system that hangs or
 * exhausts memory can be stopped without losing the run. Runners time their own work; the
 * orchestrator only sequences them (one at a time, so they never compete for a core).
 */
import type { WorkloadSpec } from './workloads.js';

/** How a system's guard loss is checked. */
export type GuardReference =
  /** Minibatch SGD at the workload's batch: the js-f64 engine's loss after the same steps. */
  | 'batch'
  /** Per-sample SGD (batch 1): the js-f64 engine trained one row at a time. */
  | 'per-sample'
  /** Per-sample SGD with sigmoid in every layer (brain.js on W4). */
  | 'per-sample-sigmoid'
  /** Not the same gradient (synaptic): shown, compared loosely. */
  | 'other-gradient';

/** A request from the orchestrator. */
export type Request =
  | { op: 'setup'; spec: WorkloadSpec }
  | { op: 'guard' }
  | { op: 'calibrate'; chunkMs: number; warmupMs: number; maxWarmupMs: number }
  | { op: 'run' }
  | { op: 'teardown' }
  /** The WebAssembly ceiling of the runner's runtime (bench/ceiling.ts), about `ms` per microbenchmark. */
  | { op: 'ceiling'; ms: number }
  | { op: 'exit' };

/** What `setup` answers: the case is ready, or the system does not run this workload (and why). */
export type SetupReply =
  { ready: true; batch: number; reference: GuardReference; note?: string; info?: Record<string, string> } | { ready: false; reason: string };

/** The guard: loss over the evaluation rows from the initial parameters, and after the guard's steps. */
export interface GuardReply {
  initialLoss: number;
  loss: number;
  steps: number;
  batch: number;
}

export interface CalibrateReply {
  /** Units of work per timed chunk. */
  units: number;
  /** Samples per timed chunk. */
  samples: number;
}

export interface RunReply {
  ms: number;
  samples: number;
}

export interface TeardownReply {
  /** Set when the system left something behind (e.g. TensorFlow.js tensors). */
  leak?: string;
}

/** Every reply carries the request's id and either a value or an error message. */
export type Reply<T = unknown> = { id: number; ok: true; value: T } | { id: number; ok: false; error: string };

/**
 * One system on one workload, inside a runner. A unit of work is one update for minibatch systems
 * (`batch` rows) and one row for per-sample systems; `run` trains `units` of them.
 */
export interface Case {
  /** Rows per update (1 for per-sample systems). */
  readonly batch: number;
  /** Rows one unit of work trains. */
  readonly unit: number;
  readonly reference: GuardReference;
  readonly note?: string;
  readonly info?: Record<string, string>;
  /** Mean per-sample ½Σ(a−y)² over the workload's evaluation rows. */
  evalLoss(): number | Promise<number>;
  /** `steps` updates on the guard rows (see `guardRows`), in order, without shuffling. */
  trainGuard(steps: number): void | Promise<void>;
  /** Trains about `units` units of work and returns the number of rows trained. */
  run(units: number): number | Promise<number>;
  /** Frees what the case holds; returns a description of anything leaked. */
  dispose(): string | undefined;
}

/** Thrown by a case factory when a system cannot express or should not run a workload. */
export class NotRun extends Error {}
