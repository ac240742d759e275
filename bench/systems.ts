/**
 * The systems raced by the benchmark: our engines on both of their training paths, and the
 * libraries people would otherwise use. Metadata only; the implementations live in bench/cases/
 * (loaded by the runner of each system) and bench/numpy_bench.py.
 */

import { configuration, type ConfigurationName } from '../ts/configurations.js';
import type { WorkloadId } from './workloads.js';

/** Our engine configurations raced (names from ts/configurations.ts; wasm-scalar-f64 adds nothing the others do not show). */
export type OurEngine = Exclude<ConfigurationName, 'wasm-scalar-f64'>;

export interface SystemInfo {
  /** Unique id, e.g. 'wasm-simd-f32/fit' or 'tfjs-wasm'. */
  id: string;
  /** Name in tables. */
  name: string;
  /** How it trains, in tables. */
  path: string;
  family: 'ours' | 'peer';
  /** Our engine configuration (ours only). */
  engine?: OurEngine;
  /** Our training path (ours only): `trainBatch` per minibatch, or `fit` (one call per epoch or run of epochs). */
  api?: 'batch' | 'fit';
  /** Trains in WebAssembly SIMD128 (or our scalar artefact): its GFLOP/s is also shown as a share of the ceiling. */
  wasm: boolean;
  /** Which runner hosts it. */
  runner: 'node' | 'python';
  /** Extra flags of its Node runner. */
  nodeFlags?: string[];
  /** Precision of its parameters (sets the guard's tolerance). */
  precision: 'f32' | 'f64';
  /** The workloads `bench:quick` measures it on (none: full runs only). */
  quick: readonly WorkloadId[];
}

const ALL: readonly WorkloadId[] = ['W1', 'W2', 'W3', 'W4'];

const OURS: readonly OurEngine[] = ['educational', 'js-f64', 'js-f32', 'wasm-scalar-f32', 'wasm-simd-f32', 'wasm-relaxed-f32', 'wasm-simd-f64'];

/**
 * Node flags a configuration needs: relaxed SIMD is on by default from Node 22 (V8 12.4) and behind
 * a flag in Node 20.
 */
function nodeFlags(engine: OurEngine): string[] {
  // No `process` in a browser (bench/browser/ imports this table too): no flags there.
  const node = globalThis.process?.versions?.node;
  if (node === undefined) return [];
  const major = Number(node.split('.')[0]);
  return configuration(engine).backend === 'relaxed-simd' && major < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
}

function ours(engine: OurEngine, api: 'batch' | 'fit'): SystemInfo {
  return {
    id: `${engine}/${api}`,
    name: engine,
    path: api === 'fit' ? 'fit (epoch)' : 'trainBatch',
    family: 'ours',
    engine,
    api,
    wasm: configuration(engine).engine === 'wasm',
    runner: 'node',
    nodeFlags: nodeFlags(engine),
    precision: configuration(engine).precision,
    // Quick: every engine on its epoch path, and wasm-simd-f32 on both; the JavaScript engines
    // only where they take well under a second per update.
    quick:
      api === 'fit' || engine === 'wasm-simd-f32'
        ? engine === 'educational'
          ? ['W1', 'W2']
          : configuration(engine).engine === 'js'
            ? ['W1', 'W2', 'W3']
            : ALL
        : [],
  };
}

/** Every system, in table order. */
export const SYSTEMS: readonly SystemInfo[] = [
  ...OURS.flatMap((e) => [ours(e, 'fit'), ours(e, 'batch')]),
  { id: 'tfjs-cpu', name: 'TensorFlow.js cpu', path: 'minimize per batch', family: 'peer', wasm: false, runner: 'node', precision: 'f32', quick: [] },
  { id: 'tfjs-wasm', name: 'TensorFlow.js wasm', path: 'minimize per batch', family: 'peer', wasm: true, runner: 'node', precision: 'f32', quick: ALL },
  // brain.js keeps its weights in Float32Array.
  { id: 'brain', name: 'brain.js', path: 'train() per sample', family: 'peer', wasm: false, runner: 'node', precision: 'f32', quick: [] },
  { id: 'synaptic', name: 'synaptic', path: 'propagate per sample', family: 'peer', wasm: false, runner: 'node', precision: 'f64', quick: ['W1', 'W2'] },
  { id: 'numpy', name: 'NumPy f32', path: 'per batch, 1 thread', family: 'peer', wasm: false, runner: 'python', precision: 'f32', quick: ALL },
];

/**
 * The systems `--browser` runs, in Chromium and in Node side by side: every engine of ours on its
 * epoch path and wasm-simd-f32 on both (each system runs twice, so the run stays within minutes),
 * and the JavaScript peers (NumPy has no browser).
 */
export const BROWSER_SYSTEMS: readonly SystemInfo[] = SYSTEMS.filter((s) =>
  s.family === 'ours' ? s.api === 'fit' || s.engine === 'wasm-simd-f32' : s.runner === 'node',
);

/** The system every other one is compared with: wasm-simd-f32 on its epoch path. */
export const REFERENCE_SYSTEM = 'wasm-simd-f32/fit';

export function systemById(id: string): SystemInfo {
  const s = SYSTEMS.find((x) => x.id === id);
  if (!s) throw new Error(`unknown system '${id}' (known: ${SYSTEMS.map((x) => x.id).join(', ')})`);
  return s;
}
