/**
 * The independent implementations of examples/agreement/ against every configuration's trace:
 * the PyTorch one (torch.nn, autograd, torch.optim; in the tests' Python venv, test/python.ts,
 * skipped with the reason where torch cannot be installed) in f64 and in f32, and the C99 one
 * (compiled with gcc, skipped where gcc is missing), on digits 64-32-10, ½MSE, 20 steps of Adam,
 * and on small networks with the other optimizers, losses and input layers. Each example refuses an
 * input of the wrong dtype or shape with one line naming the file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readData } from '../ts/cli/train.js';
import { CONFIGURATIONS } from '../ts/configurations.js';
import type { NetworkOptions } from '../ts/network.js';
import { compareTraces, formatComparison, type CompareReport } from '../ts/trace/compare.js';
import { readTraceFolder, writeTraceFolder } from '../ts/trace/folder.js';
import type { Trace } from '../ts/trace/format.js';
import { encodeNpy } from '../ts/trace/npy.js';
import { trace, type TraceOptions } from '../ts/trace/record.js';
import { oneHotRows, randomMatrix } from './engines.js';
import { pythonWith, type PythonEnv } from './python.js';

const root = join(import.meta.dirname, '..');
const examples = join(root, 'examples', 'agreement');
const tmp = mkdtempSync(join(tmpdir(), 'wbp-agreement-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
const C_PROGRAM = join(tmp, 'mlp');

/** An implementation of examples/agreement/: the command that reads trace folder `input` and writes `output`. */
type Runner = (input: string, output: string) => ReturnType<typeof spawnSync>;
let torch: PythonEnv = { reason: 'not looked for yet' };
const python = () => ('python' in torch ? torch.python : 'python3');
const runTorch: Runner = (input, output) => spawnSync(python(), [join(examples, 'torch_mlp.py'), input, output], { encoding: 'utf8' });
const runC: Runner = (input, output) => spawnSync(C_PROGRAM, [input, output], { encoding: 'utf8' });
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const runNumpy: Runner = (input, output) => spawnSync('python3', [join(examples, 'numpy_mlp.py'), input, output], { encoding: 'utf8' });

/**
 * Runs torch_mlp.py's train() on several trace folders in one Python process (importing torch
 * takes seconds): `jobs` are [input, output] pairs; each output is read back.
 */
async function replayTorch(jobs: [Trace, string][]): Promise<Trace[]> {
  const pairs = await Promise.all(
    jobs.map(async ([reference, name]) => {
      await writeTraceFolder(join(tmp, `${name}-in`), reference);
      return [join(tmp, `${name}-in`), join(tmp, name)];
    }),
  );
  const driver = 'import json, sys\nsys.path.insert(0, sys.argv[1])\nimport torch_mlp\nfor i, o in json.loads(sys.argv[2]): torch_mlp.train(i, o)';
  const r = spawnSync(python(), ['-c', driver, examples, JSON.stringify(pairs)], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return Promise.all(pairs.map(([, out]) => readTraceFolder(out)));
}

/** Writes `reference` to a folder, runs the C program on it, and reads the trace it writes. */
async function replayC(reference: Trace, name: string): Promise<Trace> {
  await writeTraceFolder(join(tmp, `${name}-in`), reference);
  const r = runC(join(tmp, `${name}-in`), join(tmp, name));
  expect(r.stderr, name).toBe('');
  expect(r.status, name).toBe(0);
  return readTraceFolder(join(tmp, name));
}

/** digits / 16, one-hot, the first 320 rows; 64-32-10 sigmoid, ½MSE, Adam, batch 16, 20 steps. */
let digits: Pick<TraceOptions, 'x' | 'y'>;
const network: NetworkOptions = { layers: [64, 32, 10], seed: 1, optimizer: 'adam' };
/** The largest difference of each configuration from each implementation, printed at the end. */
const measured: string[] = [];

beforeAll(async () => {
  const ds = await readData('digits', { quiet: true });
  digits = {
    x: { data: Float64Array.from(ds.x.data.subarray(0, 320 * 64), (v) => v / 16), rows: 320, cols: 64 },
    y: { data: Float64Array.from(ds.y.data.subarray(0, 3200)), rows: 320, cols: 10 },
  };
  if (hasGcc) {
    const cc = spawnSync('gcc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-pedantic', '-o', C_PROGRAM, join(examples, 'mlp.c'), '-lm'], { encoding: 'utf8' });
    expect(cc.stderr, 'gcc warns or fails').toBe('');
  }
  // torch's first install takes about a minute (the wheel is ~190 MB); later runs find it in the venv.
  torch = pythonWith(['numpy', 'torch']);
  if ('reason' in torch) console.warn(`PyTorch example skipped: ${torch.reason}`);
}, 900_000);
afterAll(() => console.log(['largest difference per tensor, every step:', ...measured].join('\n')));

/** Checks a comparison holds and records its largest differences. */
function holds(report: CompareReport, label: string): void {
  if (!report.ok) console.log(formatComparison(report, true));
  expect(report.mismatches, label).toEqual([]);
  expect(report.firstMiss, label).toBeNull();
  const compared = report.tensors.filter((t) => !t.skipped);
  expect(compared.length, label).toBe(report.tensors.length);
  const ulps = Math.max(...compared.map((t) => t.maxUlps));
  const rel = Math.max(...compared.map((t) => t.maxRel));
  const share = Math.max(...compared.map((t) => t.maxUlps / t.tolerance));
  measured.push(
    `  ${label.padEnd(58)} ${ulps.toPrecision(3).padStart(8)} ULPs of ${report.precision}, max rel ${rel.toExponential(2)}, ${(100 * share).toFixed(2)} % of the allowance`,
  );
}

const skipTorch = (ctx: { skip: () => void }) => {
  if ('reason' in torch) ctx.skip();
};

/** Small networks that reach the other branches: momentum, SGD, cross-entropy, activated input layers. */
const VARIANTS: [string, NetworkOptions, Pick<TraceOptions, 'x' | 'y' | 'batchSize' | 'steps'>][] = [
  [
    'tanh, cross-entropy, momentum',
    { layers: [5, 7, 6, 3], activation: 'tanh', loss: 'cross-entropy', optimizer: 'momentum', learningRate: 0.05, biasLearningRate: 0.02 },
    { x: randomMatrix(40, 5, 3), y: oneHotRows(40, 3, 4), batchSize: 6, steps: 12 },
  ],
  [
    'activated tanh input, leaky-relu, linear output, SGD',
    { layers: [5, 7, 3], activation: 'leaky-relu', output: 'linear', inputLayer: 'activated', inputActivation: 'tanh', optimizer: 'sgd', learningRate: 0.05 },
    { x: randomMatrix(40, 5, 5), y: randomMatrix(40, 3, 6), batchSize: 7, steps: 10 },
  ],
  [
    'activated sigmoid input, relu, softmax, Adam',
    {
      layers: [4, 6, 3],
      activation: 'relu',
      loss: 'cross-entropy',
      inputLayer: 'activated',
      inputActivation: 'sigmoid',
      optimizer: 'adam',
      learningRate: 0.01,
    },
    { x: randomMatrix(30, 4, 7), y: oneHotRows(30, 3, 8), batchSize: 8, steps: 8 },
  ],
];

/**
 * Every configuration's trace of digits, and of each variant the js-f64 and wasm-f32 traces; what
 * the PyTorch example (in f64 from the js-f64 trace, in f32 from the js-f32 one, as each trace's
 * precision says) and the C example (f64) compute from them.
 */
const ours = new Map<string, Trace>();
const theirs = new Map<string, Trace>();
beforeAll(async () => {
  for (const c of CONFIGURATIONS) ours.set(c.name, await trace({ network: { ...network, ...c.options }, ...digits, source: 'digits' }));
  const jobs: [Trace, string][] = [
    [ours.get('js-f64')!, 'digits torch'],
    [ours.get('js-f32')!, 'digits torch f32'],
  ];
  for (const [i, [, options, data]] of VARIANTS.entries()) {
    ours.set(`${i} f64`, await trace({ network: { ...options, engine: 'js', precision: 'f64', seed: 2 }, ...data }));
    ours.set(`${i} f32`, await trace({ network: { ...options, engine: 'wasm', precision: 'f32', seed: 2 }, ...data }));
    jobs.push([ours.get(`${i} f64`)!, `${i} torch`], [ours.get(`${i} f32`)!, `${i} torch f32`]);
  }
  if (!('reason' in torch)) (await replayTorch(jobs)).forEach((t, i) => theirs.set(jobs[i][1], t));
  if (hasGcc) {
    theirs.set('digits C', await replayC(ours.get('js-f64')!, 'digits C'));
    for (const i of VARIANTS.keys()) theirs.set(`${i} C`, await replayC(ours.get(`${i} f64`)!, `${i} C`));
  }
}, 300_000);

describe('every configuration against the PyTorch and C examples (digits 64-32-10, Adam, 20 steps)', () => {
  it('the PyTorch example computes in the precision of the trace it reads', (ctx) => {
    skipTorch(ctx);
    expect(theirs.get('digits torch')!.tensors.get('step-0001/z1')!.data).toBeInstanceOf(Float64Array);
    expect(theirs.get('digits torch f32')!.config.precision).toBe('f32');
    expect(theirs.get('digits torch f32')!.tensors.get('step-0001/z1')!.data).toBeInstanceOf(Float32Array);
  });

  it.for(CONFIGURATIONS.map((c) => c.name))('%s against PyTorch in f64', (name, ctx) => {
    skipTorch(ctx);
    holds(compareTraces(theirs.get('digits torch')!, ours.get(name)!), `${name} vs torch f64`);
  });

  it.for(CONFIGURATIONS.filter((c) => c.precision === 'f32').map((c) => c.name))('%s against PyTorch in f32', (name, ctx) => {
    skipTorch(ctx);
    holds(compareTraces(theirs.get('digits torch f32')!, ours.get(name)!), `${name} vs torch f32`);
  });

  it.skipIf(!hasGcc).for(CONFIGURATIONS.map((c) => c.name))('%s against C (skipped without gcc)', (name) => {
    holds(compareTraces(theirs.get('digits C')!, ours.get(name)!), `${name} vs C`);
  });
});

describe('other optimizers, losses and input layers', () => {
  it.for(VARIANTS.map(([name], i) => [name, i] as const))('%s', ([name, i], ctx) => {
    if ('reason' in torch && !hasGcc) ctx.skip();
    if (!('reason' in torch)) {
      holds(compareTraces(theirs.get(`${i} torch`)!, ours.get(`${i} f64`)!), `${name}: js-f64 vs torch`);
      holds(compareTraces(theirs.get(`${i} torch f32`)!, ours.get(`${i} f32`)!), `${name}: wasm-f32 vs torch f32`);
    }
    if (hasGcc) holds(compareTraces(theirs.get(`${i} C`)!, ours.get(`${i} f64`)!), `${name}: js-f64 vs C`);
  });
});

describe('an input of the wrong dtype or shape is refused in one line naming the file', () => {
  const small = () => trace({ network: { layers: [3, 2], engine: 'js', precision: 'f64' }, x: [[0, 1, 2]], y: [[0, 1]], steps: 2, batchSize: 1 });
  /** Runs an implementation on a small trace with one file replaced; returns its stderr. */
  async function refused(run: Runner, name: string, file: string, bytes: Uint8Array): Promise<string> {
    const input = join(tmp, `bad-${name}`);
    await writeTraceFolder(input, await small());
    writeFileSync(join(input, file), bytes);
    const r = run(input, join(tmp, `bad-${name}-out`));
    expect(r.status, name).not.toBe(0);
    const lines = String(r.stderr).trim().split('\n');
    expect(lines, name).toHaveLength(1);
    return lines[0];
  }
  const ints = () => {
    const b = encodeNpy({ shape: [1, 3], data: new Float64Array(3) });
    b.set(new TextEncoder().encode("'<i8'"), new TextDecoder().decode(b).indexOf("'<f8'"));
    return b;
  };
  const transposed = encodeNpy({ shape: [3, 2], data: new Float64Array(6) });

  it.skipIf(!hasGcc)('the C example (skipped without gcc)', async () => {
    expect(await refused(runC, 'c-dtype', 'x.npy', ints())).toMatch(/^mlp: .*x\.npy: dtype '<i8' \(little-endian '<f8' or '<f4' are read\)$/);
    expect(await refused(runC, 'c-shape', 'initial/W0.npy', transposed)).toMatch(/^mlp: .*initial\/W0\.npy: shape \(3, 2\), trace\.json makes it \(2, 3\)$/);
    expect(await refused(runC, 'c-npy', 'y.npy', new TextEncoder().encode('0,1\n'))).toMatch(/^mlp: .*y\.npy: not a \.npy file/);
  });

  it.skipIf(!hasNumpy)('the NumPy example (skipped without python3 and numpy)', async () => {
    expect(await refused(runNumpy, 'numpy-dtype', 'x.npy', ints())).toMatch(/^numpy_mlp\.py: .*x\.npy: int64 of shape \(1, 3\); trace\.json makes it float/);
    expect(await refused(runNumpy, 'numpy-shape', 'initial/b0.npy', encodeNpy({ shape: [3], data: new Float64Array(3) }))).toMatch(
      /^numpy_mlp\.py: .*initial\/b0\.npy: float64 of shape \(3,\); trace\.json makes it float of shape \(2,\)$/,
    );
  });

  it('the PyTorch example (skipped without torch)', async (ctx) => {
    skipTorch(ctx);
    expect(await refused(runTorch, 'torch-dtype', 'x.npy', ints())).toMatch(/^torch_mlp\.py: .*x\.npy: int64 of shape \(1, 3\); trace\.json makes it float/);
    expect(await refused(runTorch, 'torch-shape', 'initial/W0.npy', transposed)).toMatch(
      /^torch_mlp\.py: .*initial\/W0\.npy: float64 of shape \(3, 2\); trace\.json makes it float of shape \(2, 3\)$/,
    );
  });
});
