/**
 * `wasm-backprop bench`: how fast this library's engines train on this machine, on the four
 * benchmark workloads (docs/ARCHITECTURE.md, "Workloads"). In a clone of the repository it runs
 * the full suite (bench/run.ts: every engine against TensorFlow.js, brain.js, synaptic and NumPy);
 * from an installed package, which ships no peers, it times this library's configurations alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configuration, type ConfigurationName } from '../configurations.js';
import { loadBuiltin } from '../datasets.js';
import { Network } from '../network.js';
import { Random } from '../random.js';
import type { ActivationName } from '../types.js';

interface Workload {
  id: string;
  layers: number[];
  activations: ActivationName[];
  batch: number;
  /** Rows of (synthetic) data, or the embedded set. */
  data: 'xor' | 'digits' | number;
  systems: ConfigurationName[];
}

const FAST: ConfigurationName[] = ['wasm-simd-f32', 'wasm-simd-f64', 'wasm-scalar-f32'];
const WORKLOADS: Workload[] = [
  { id: 'W1 xor', layers: [2, 4, 1], activations: ['sigmoid', 'sigmoid'], batch: 1, data: 'xor', systems: [...FAST, 'js-f64', 'educational'] },
  { id: 'W2 digits', layers: [64, 32, 10], activations: ['sigmoid', 'sigmoid'], batch: 16, data: 'digits', systems: [...FAST, 'js-f64', 'educational'] },
  { id: 'W3 mnist-size', layers: [784, 128, 10], activations: ['sigmoid', 'sigmoid'], batch: 64, data: 2048, systems: [...FAST, 'js-f32'] },
  { id: 'W4 wide', layers: [784, 512, 512, 10], activations: ['relu', 'relu', 'sigmoid'], batch: 128, data: 1024, systems: FAST },
];

async function dataOf(w: Workload): Promise<{ x: Float64Array; y: Float64Array; rows: number }> {
  if (w.data === 'xor') return { x: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1), y: Float64Array.of(0, 1, 1, 0), rows: 4 };
  if (w.data === 'digits') {
    const d = await loadBuiltin('digits');
    return { x: d.x.data, y: d.y.data, rows: d.x.rows };
  }
  const rng = new Random(7);
  const [n0, nL] = [w.layers[0], w.layers.at(-1)!];
  const x = Float64Array.from({ length: w.data * n0 }, () => rng.next());
  const y = new Float64Array(w.data * nL);
  for (let r = 0; r < w.data; r++) y[r * nL + rng.below(nL)] = 1;
  return { x, y, rows: w.data };
}

/** Median samples/s of `fit` over a few timed runs of about `ms` each. */
async function measure(w: Workload, name: ConfigurationName, data: { x: Float64Array; y: Float64Array; rows: number }, ms: number): Promise<number> {
  const net = await Network.create({ layers: w.layers, activations: w.activations, learningRate: 0.1, seed: 1, ...configuration(name).options });
  try {
    const x = { data: data.x, rows: data.rows, cols: w.layers[0] };
    const y = { data: data.y, rows: data.rows, cols: w.layers.at(-1)! };
    // Calibrate: epochs per run so that a run takes about `ms`.
    let epochs = 1;
    for (;;) {
      const t = performance.now();
      await net.fit(x, y, { epochs, batchSize: w.batch });
      const took = performance.now() - t;
      if (took > ms / 4 || epochs > 1e6) {
        epochs = Math.max(1, Math.round((epochs * ms) / Math.max(took, 1e-3)));
        break;
      }
      epochs *= 4;
    }
    const rates: number[] = [];
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      await net.fit(x, y, { epochs, batchSize: w.batch });
      rates.push((epochs * data.rows) / ((performance.now() - t) / 1000));
    }
    return rates.sort((a, b) => a - b)[2];
  } finally {
    net.dispose();
  }
}

function human(v: number): string {
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0);
}

export async function bench(o: { quick?: boolean }): Promise<void> {
  const suite = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
  if (existsSync(suite) && existsSync(tsx)) {
    const r = spawnSync(process.execPath, ['--import', tsx, suite, ...(o.quick ? ['--quick'] : [])], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
    return;
  }
  await engines(o.quick ? 60 : 250);
}

/** This library's configurations alone, each run about `ms` long. */
export async function engines(ms: number): Promise<void> {
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}: fit, samples/s (median of 5 runs of ~${ms} ms; FLOPs per sample = 6 × weights)`);
  for (const w of WORKLOADS) {
    const data = await dataOf(w);
    const weights = w.layers.slice(1).reduce((s, n, l) => s + n * w.layers[l], 0);
    const cells: string[] = [];
    for (const name of w.systems) {
      const rate = await measure(w, name, data, ms);
      cells.push(`${name} ${human(rate)} (${((rate * 6 * weights) / 1e9).toFixed(2)} GFLOP/s)`);
    }
    console.log(`${w.id.padEnd(14)} ${w.layers.join('-')}, batch ${w.batch}: ${cells.join(', ')}`);
  }
}
