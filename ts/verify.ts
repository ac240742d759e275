/**
 * `verify`: trains the same seeded network on every engine and precision (and on the NumPy reference,
 * tools/reference.py, where python3 with numpy is found) and reports the largest relative difference
 * of the parameters from the reference after 1 and after 100 minibatch steps, each beside its target
 * (docs/ARCHITECTURE.md, "Numerical agreement"). With `accuracy`, the f32 engines also train digits to the end
 * and their held-out accuracy must be within 0.5 percentage points of the f64 reference's.
 *
 * It is a user of the trace machinery (ts/trace/, docs/trace-format.md): each system's run is a trace
 * holding its parameters at the start, after step 1 and after the last step, and `compareTraces`
 * measures it against the reference's, tensor by tensor: the relative differences come from there,
 * and every parameter tensor must also hold its ULP tolerance (ts/trace/tolerance.ts).
 *
 * Node only (the NumPy run is a child process).
 */
import { split, subset, type Dataset } from './data.js';
import { loadBuiltin } from './datasets.js';
import { CONFIGURATIONS } from './configurations.js';
import { Network, type NetworkOptions } from './network.js';
import { createNetworkSync } from './sync.js';
import { compareTraces, describeMiss } from './trace/compare.js';
import { parameterTensors, stepFolder, TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceConfig } from './trace/format.js';
import type { Precision } from './types.js';

/** One system under test: how to make its network from the shared options. */
export interface VerifyCase {
  name: string;
  precision: Precision;
  create(options: NetworkOptions): Promise<Network>;
}

export interface VerifyRow {
  name: string;
  precision: Precision;
  /** max |p − p_ref| / max(1, max |p_ref|) after 1 step and after `steps` steps. */
  afterOne: number;
  afterAll: number;
  targetOne: number;
  targetAll: number;
  /** The largest difference of any parameter tensor as a share of its ULP tolerance (docs/trace-format.md); ≤ 1 holds. */
  allowance: number;
  /** Where the parameters first miss their tolerance (tensor, step, index, values), or null. */
  firstMiss: string | null;
  /** Held-out accuracy after full training (with `accuracy`), and the reference's. */
  accuracy?: number;
  referenceAccuracy?: number;
  ok: boolean;
}

export interface VerifyReport {
  reference: string;
  steps: number;
  rows: VerifyRow[];
  ok: boolean;
  notes: string[];
}

export interface VerifyOptions {
  /** Systems to compare (default: every engine × precision, wasm with and without SIMD). */
  cases?: VerifyCase[];
  /** Minibatch steps of the long comparison. Default 100. */
  steps?: number;
  /** Also train digits to the end and compare f32 accuracy with f64. Default false. */
  accuracy?: boolean;
  /** Python interpreter for the NumPy reference, or false to leave it out. Default: python3 if it has numpy. */
  python?: string | false;
}

/** The network every system trains: digits 64-32-10, sigmoid, ½MSE, batch 16, SGD η = 0.5, seed 1. */
export const VERIFY_NETWORK: NetworkOptions = { layers: [64, 32, 10], activation: 'sigmoid', loss: 'mse', seed: 1, learningRate: 0.5 };
const BATCH = 16;
const ROWS = 320;

/** Targets: f64 ≤ 1e-12 after one step and ≤ 1e-9 after 100; f32 ≤ 1e-5 after one step and ≤ 1e-4 after 100. */
export const TARGETS = { f64: [1e-12, 1e-9], f32: [1e-5, 1e-4] } as const;

/** Every configuration of the library (ts/configurations.ts). */
export const DEFAULT_CASES: VerifyCase[] = CONFIGURATIONS.map((c) => ({
  name: c.name,
  precision: c.precision,
  create: (o: NetworkOptions) => Network.create({ ...o, ...c.options }),
}));

/** max |a − b| / max(1, max |b|) (NaN counts as infinitely far): the measure compareTraces reports per tensor as max rel. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 1;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    num = Number.isNaN(d) ? Infinity : Math.max(num, d);
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

/**
 * The trace configuration of verify's training (docs/trace-format.md): step s (0-based) trains on the
 * rows (s·batch + i) mod rows, as the fixtures take them.
 */
export function verifyConfig(steps: number, precision: Precision, producer: string): TraceConfig {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    producer,
    precision,
    network: { layers: [...VERIFY_NETWORK.layers], activations: ['sigmoid', 'sigmoid'], inputLayer: 'identity', inputActivation: null, loss: 'mse' },
    optimizer: { type: 'sgd' },
    learningRate: VERIFY_NETWORK.learningRate!,
    biasLearningRate: VERIFY_NETWORK.learningRate!,
    batchSize: BATCH,
    steps,
    seed: VERIFY_NETWORK.seed!,
    data: { source: `digits (first ${ROWS} rows)`, rows: ROWS },
    batches: Array.from({ length: steps }, (_, s) => Array.from({ length: BATCH }, (_, i) => (s * BATCH + i) % ROWS)),
  };
}

/** A trace of `config` holding the parameters at the start, after step 1 and after the last step. */
function parameterTrace(config: TraceConfig, initial: Float64Array, one: Float64Array, last: Float64Array): Trace {
  const tensors: Trace['tensors'] = new Map();
  const at: [string, Float64Array][] = [
    ['initial/', initial],
    [`${stepFolder(1)}/`, one],
    [`${stepFolder(config.steps)}/`, last],
  ];
  for (const [folder, flat] of at) for (const [name, array] of parameterTensors(config, folder, '', flat, config.precision)) tensors.set(name, array);
  return { config, tensors };
}

/** One system's trace: its parameters as it holds them from p0, after step 1 and after every step. */
async function trainCase(c: VerifyCase, ds: Dataset, p0: Float64Array, steps: number): Promise<Trace> {
  const config = verifyConfig(steps, c.precision, c.name);
  const net = await c.create(VERIFY_NETWORK);
  try {
    net.setFlatParameters(p0);
    const initial = net.getFlatParameters();
    let first: Float64Array = new Float64Array();
    config.batches.forEach((rows, s) => {
      const b = subset(ds, rows);
      net.trainBatch(b.x, b.y);
      if (s === 0) first = net.getFlatParameters();
    });
    return parameterTrace(config, initial, first, net.getFlatParameters());
  } finally {
    net.dispose();
  }
}

async function numpyReplay(python: string, ds: Dataset, p0: Float64Array, steps: number): Promise<[Float64Array, Float64Array, string] | string> {
  const [{ spawnSync }, { existsSync }, { fileURLToPath }] = await Promise.all([
    nodeModule<typeof import('node:child_process')>('node:child_process'),
    nodeModule<typeof import('node:fs')>('node:fs'),
    nodeModule<typeof import('node:url')>('node:url'),
  ]);
  // Built from parts so that bundlers do not copy the script into a browser build.
  const script = fileURLToPath(new URL(['..', 'tools', 'reference.py'].join('/'), import.meta.url));
  if (!existsSync(script)) return 'NumPy reference left out: tools/reference.py is not beside this installation';
  const rows = (m: { data: Float64Array; rows: number; cols: number }) =>
    Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));
  const input = JSON.stringify({
    sizes: VERIFY_NETWORK.layers,
    activations: ['sigmoid', 'sigmoid', 'sigmoid'],
    input_activated: false,
    loss: 'mse',
    optimizer: { type: 'sgd' },
    learning_rate: VERIFY_NETWORK.learningRate,
    bias_learning_rate: VERIFY_NETWORK.learningRate,
    batch: BATCH,
    steps,
    x: rows(ds.x),
    y: rows(ds.y),
    parameters: Array.from(p0),
  });
  const r = spawnSync(python, [script, '--replay'], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) return `NumPy reference left out: ${python} failed (${r.error?.message ?? r.stderr.trim().split('\n').at(-1)})`;
  const out = JSON.parse(r.stdout) as { numpy: string; parameters_step1: number[]; parameters_final: number[] };
  return [Float64Array.from(out.parameters_step1), Float64Array.from(out.parameters_final), out.numpy];
}

/** A Node built-in, imported so that bundlers for the browser leave it alone. */
function nodeModule<T>(name: string): Promise<T> {
  return import(/* @vite-ignore */ name) as Promise<T>;
}

async function findPython(): Promise<string | null> {
  const { spawnSync } = await nodeModule<typeof import('node:child_process')>('node:child_process');
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0 ? 'python3' : null;
}

/** Held-out accuracy on digits after the default training. */
async function trainedAccuracy(c: VerifyCase, all: Dataset): Promise<number> {
  const { train, test } = split(all, 0.8, 1);
  const net = await c.create({ layers: [64, 32, 10], seed: 1 });
  try {
    await net.fit(train.x, train.y);
    return net.evaluate(test.x, test.y).accuracy;
  } finally {
    net.dispose();
  }
}

export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const cases = options.cases ?? DEFAULT_CASES;
  const steps = options.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`verify: steps must be an integer ≥ 1, got ${steps}`);
  const notes: string[] = [];
  const all = await loadBuiltin('digits');
  const ds = subset(
    all,
    Array.from({ length: ROWS }, (_, i) => i),
    'digits (first 320 rows)',
  );
  // The seeded initial parameters every system starts from.
  const init = createNetworkSync({ ...VERIFY_NETWORK, engine: 'js', precision: 'f64' });
  const p0 = init.getFlatParameters();
  init.dispose();

  let reference = 'educational (f64)';
  let ref: Trace | null = null;
  const python = options.python === false ? null : (options.python ?? (await findPython()));
  if (python) {
    const r = await numpyReplay(python, ds, p0, steps);
    if (typeof r === 'string') notes.push(r);
    else {
      reference = `NumPy ${r[2]} (tools/reference.py, f64)`;
      ref = parameterTrace(verifyConfig(steps, 'f64', reference), p0, r[0], r[1]);
    }
  } else if (options.python !== false) {
    notes.push('NumPy reference left out: no python3 with numpy on the PATH; the educational engine is the reference');
  }
  const refCase = cases.find((c) => c.name === 'educational') ?? cases.find((c) => c.precision === 'f64');
  if (!ref) {
    if (!refCase) throw new Error('verify needs an f64 case or NumPy as the reference');
    ref = await trainCase(refCase, ds, p0, steps);
  }
  const refAccuracy = options.accuracy ? await trainedAccuracy(cases.find((c) => c.name === 'wasm-simd-f64') ?? refCase!, all) : undefined;

  const rows: VerifyRow[] = [];
  for (const c of cases) {
    const report = compareTraces(ref, await trainCase(c, ds, p0, steps));
    const compared = report.tensors.filter((t) => !t.skipped);
    const largest = (step: number) => Math.max(0, ...compared.filter((t) => t.step === step).map((t) => t.maxRel));
    const [targetOne, targetAll] = TARGETS[c.precision];
    const row: VerifyRow = {
      name: c.name,
      precision: c.precision,
      afterOne: largest(1),
      afterAll: largest(steps),
      targetOne,
      targetAll,
      allowance: Math.max(0, ...compared.map((t) => t.maxUlps / t.tolerance)),
      firstMiss: report.firstMiss ? describeMiss(report.firstMiss) : report.mismatches.length > 0 ? report.mismatches.join('; ') : null,
      ok: true,
    };
    row.ok = row.afterOne <= targetOne && row.afterAll <= targetAll && report.ok;
    if (options.accuracy && c.precision === 'f32') {
      row.accuracy = await trainedAccuracy(c, all);
      row.referenceAccuracy = refAccuracy;
      row.ok &&= Math.abs(row.accuracy - refAccuracy!) <= 0.005;
    }
    rows.push(row);
  }
  return { reference, steps, rows, ok: rows.every((r) => r.ok), notes };
}

/** The report as a text table. */
export function formatReport(r: VerifyReport): string {
  const e = (v: number) => (v === 0 ? '0' : v.toExponential(1));
  const share = (v: number) => `${v < 10 ? (100 * v).toPrecision(2) : (100 * v).toExponential(1)} %`;
  const lines = [
    `reference: ${r.reference}; network 64-32-10 sigmoid, ½MSE, batch ${BATCH}, SGD η 0.5, digits rows 0–${ROWS - 1}, seed 1`,
    '',
    `${'system'.padEnd(17)} ${'after 1 step'.padStart(12)} ${'target'.padStart(7)}  ${`after ${r.steps} steps`.padStart(16)} ${'target'.padStart(7)}  ${'of ULP tolerance'.padStart(16)}  ${'accuracy'.padEnd(18)} result`,
  ];
  for (const row of r.rows) {
    const acc = row.accuracy === undefined ? '' : `${(100 * row.accuracy).toFixed(2)}% (f64 ${(100 * row.referenceAccuracy!).toFixed(2)}%)`;
    lines.push(
      `${row.name.padEnd(17)} ${e(row.afterOne).padStart(12)} ${e(row.targetOne).padStart(7)}  ${e(row.afterAll).padStart(16)} ${e(row.targetAll).padStart(7)}  ${share(row.allowance).padStart(16)}  ${acc.padEnd(18)} ${row.ok ? 'ok' : 'MISSED'}`,
    );
  }
  const misses = r.rows.filter((row) => row.firstMiss !== null).map((row) => `${row.name}: first miss: ${row.firstMiss}`);
  lines.push(
    '',
    'relative difference: max |p − p_ref| / max(1, max |p_ref|) per parameter tensor; of ULP tolerance: the largest difference against its allowance (docs/trace-format.md)',
    ...misses,
    ...r.notes,
    r.ok ? 'every target met' : 'a target was missed',
  );
  return lines.join('\n');
}
