/**
 * `wasm-backprop trace`, `compare` and `gradcheck` (docs/trace-format.md): a seeded training recorded
 * as a trace folder, two trace folders compared tensor by tensor, and backpropagation's gradients
 * against finite differences. The network and data options are shared by trace and gradcheck.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { fail } from '../errors.js';
import type { NetworkOptions } from '../network.js';
import { Random } from '../random.js';
import { compareTraces, formatComparison } from '../trace/compare.js';
import { readTraceFolder, writeTraceFolder } from '../trace/folder.js';
import { formatGradcheck, gradcheck } from '../trace/gradcheck.js';
import { trace } from '../trace/record.js';
import {
  ACTIVATIONS,
  ENGINES,
  LOSSES,
  OPTIMIZERS,
  PRECISIONS,
  type ActivationName,
  type EngineName,
  type LossName,
  type OptimizerName,
  type Precision,
} from '../types.js';
import { readData } from './train.js';

interface NetworkFlags {
  hidden: number[];
  activation: ActivationName;
  output?: ActivationName;
  loss: LossName;
  inputLayer: 'identity' | 'activated';
  inputActivation?: ActivationName;
  optimizer: OptimizerName;
  learningRate?: number;
  biasLearningRate?: number;
  engine: EngineName;
  precision?: Precision;
  seed: number;
  simd: boolean;
  label?: string;
  rows?: number;
}

function integer(what: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
}

function rate(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${what} must be a finite number ≥ 0, got '${v}'`);
    return n;
  };
}

function sizes(v: string): number[] {
  const s = v.split(',').map((t) => Number(t.trim()));
  if (s.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError(`hidden layer sizes must be positive integers separated by commas, got '${v}'`);
  return s;
}

/** The options that describe a network and its data. */
function withNetworkOptions(c: Command, rowsDefault?: number): Command {
  const hiddenActivations = ACTIVATIONS.filter((a) => a !== 'softmax');
  return c
    .argument(
      '[data]',
      "'digits' (pixels / 16, one-hot), 'iris', a CSV file (as it is), or 'random:ROWS:INPUTS:CLASSES' (seeded uniform inputs, one-hot classes)",
      'digits',
    )
    .option('--label <name|index>', "a CSV's label column (default: the last)")
    .option('--rows <n>', `use the first n rows of the data${rowsDefault ? '' : ' (default: all)'}`, integer('rows', 1), rowsDefault)
    .option('--hidden <sizes>', 'hidden layer sizes, comma-separated', sizes, [32])
    .addOption(new Option('-a, --activation <name>', 'hidden activation').choices(hiddenActivations).default('sigmoid'))
    .addOption(new Option('--output <name>', 'output activation (default: softmax with cross-entropy, else the hidden one)').choices(ACTIVATIONS))
    .addOption(new Option('-l, --loss <name>', 'loss').choices(LOSSES).default('mse'))
    .addOption(
      new Option('--input-layer <kind>', "'activated': the input layer has biases and an activation").choices(['identity', 'activated']).default('identity'),
    )
    .addOption(new Option('--input-activation <name>', "the input layer's activation (with --input-layer activated)").choices(hiddenActivations))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('sgd'))
    .option('--learning-rate <eta>', "η (default: the optimizer's)", rate('learning rate'))
    .option('--bias-learning-rate <eta>', 'η_b (default: η)', rate('bias learning rate'))
    .addOption(new Option('-e, --engine <name>', 'engine').choices(ENGINES).default('wasm'))
    .addOption(new Option('-p, --precision <p>', 'f32 or f64 (default f32; educational: f64)').choices(PRECISIONS))
    .option('--seed <n>', 'seed of the initial parameters and of the minibatches', integer('seed', 0), 1)
    .option('--no-simd', 'use the scalar WebAssembly artefact');
}

/** The data a [data] argument names, as f64 rows. */
type Rows64 = { data: Float64Array; rows: number; cols: number };

async function loadData(spec: string, o: NetworkFlags): Promise<{ x: Rows64; y: Rows64; source: string }> {
  const random = /^random:(\d+):(\d+):(\d+)$/.exec(spec);
  let x: Rows64;
  let y: Rows64;
  if (random) {
    const [rows, inputs, classes] = random.slice(1).map(Number);
    if (rows < 1 || inputs < 1 || classes < 2) fail(`'${spec}': random data needs at least 1 row, 1 input and 2 classes`);
    const rng = new Random(o.seed);
    x = { data: Float64Array.from({ length: rows * inputs }, () => rng.uniform(0, 1)), rows, cols: inputs };
    y = { data: new Float64Array(rows * classes), rows, cols: classes };
    for (let r = 0; r < rows; r++) y.data[r * classes + rng.below(classes)] = 1;
  } else {
    if (spec.startsWith('random')) fail(`'${spec}': random data is written random:ROWS:INPUTS:CLASSES, e.g. random:64:8:3`);
    const ds = await readData(spec, { label: o.label, quiet: true });
    const divisor = spec === 'digits' ? 16 : 1;
    const data = Float64Array.from(ds.x.data, (v) => v / divisor);
    if (spec === 'iris') {
      // Min-max scaled per column, as loadBuiltin('iris') does.
      for (let j = 0; j < ds.x.cols; j++) {
        let [lo, hi] = [Infinity, -Infinity];
        for (let r = 0; r < ds.x.rows; r++) [lo, hi] = [Math.min(lo, data[r * ds.x.cols + j]), Math.max(hi, data[r * ds.x.cols + j])];
        for (let r = 0; r < ds.x.rows; r++) data[r * ds.x.cols + j] = hi > lo ? (data[r * ds.x.cols + j] - lo) / (hi - lo) : 0;
      }
    }
    x = { data, rows: ds.x.rows, cols: ds.x.cols };
    y = { data: Float64Array.from(ds.y.data), rows: ds.y.rows, cols: ds.y.cols };
  }
  if (o.rows !== undefined && o.rows < x.rows) {
    x = { data: x.data.slice(0, o.rows * x.cols), rows: o.rows, cols: x.cols };
    y = { data: y.data.slice(0, o.rows * y.cols), rows: o.rows, cols: y.cols };
  }
  return { x, y, source: o.rows !== undefined ? `${spec} (first ${x.rows} rows)` : spec };
}

function networkOptions(o: NetworkFlags, inputs: number, outputs: number): NetworkOptions {
  return {
    layers: [inputs, ...o.hidden, outputs],
    activation: o.activation,
    ...(o.output ? { output: o.output } : {}),
    loss: o.loss,
    inputLayer: o.inputLayer,
    ...(o.inputActivation ? { inputActivation: o.inputActivation } : {}),
    optimizer: o.optimizer,
    ...(o.learningRate !== undefined ? { learningRate: o.learningRate } : {}),
    ...(o.biasLearningRate !== undefined ? { biasLearningRate: o.biasLearningRate } : {}),
    engine: o.engine,
    ...(o.precision ? { precision: o.precision } : {}),
    seed: o.seed,
    ...(o.engine === 'wasm' ? { wasm: { simd: o.simd ? 'auto' : false } } : {}),
  };
}

export function traceCommand(): Command {
  return withNetworkOptions(new Command('trace'))
    .description('train a seeded network for some minibatch steps and write every value it computed as a trace folder (trace.json and .npy files)')
    .requiredOption('-o, --out <folder>', 'the trace folder to write')
    .option('-b, --batch-size <n>', 'rows per minibatch', integer('batch size', 1), 16)
    .option('--steps <n>', 'minibatch steps', integer('steps', 1), 20)
    .action(async (spec: string, o: NetworkFlags & { out: string; batchSize: number; steps: number }) => {
      const { x, y, source } = await loadData(spec, o);
      const t = await trace({ network: networkOptions(o, x.cols, y.cols), x, y, batchSize: o.batchSize, steps: o.steps, source });
      await writeTraceFolder(o.out, t);
      const c = t.config;
      console.log(
        `${c.producer}: ${c.network.layers.join('-')}, ${c.optimizer.type} η=${c.learningRate}, batch ${c.batchSize}, ${c.steps} steps on ${source}: ${t.tensors.size} tensors written to ${o.out}`,
      );
    });
}

export function compareCommand(): Command {
  return new Command('compare')
    .argument('<reference>', 'a trace folder')
    .argument('<candidate>', 'a trace folder of the same training')
    .description('compare two trace folders tensor by tensor and step by step against the tolerances of docs/trace-format.md; exits 1 at a miss')
    .option('--misses', 'print only the tensors that miss their tolerance')
    .option('--partial', "accept a candidate without every step's parameters (by default the initial parameters and each step's updated ones must be there)")
    .option('--complete', 'require every tensor of the reference in the candidate')
    .action(async (reference: string, candidate: string, o: { misses?: boolean; partial?: boolean; complete?: boolean }) => {
      if (o.partial && o.complete) fail('give either --partial or --complete, not both');
      const require = o.complete ? 'all' : o.partial ? 'none' : 'parameters';
      const report = compareTraces(await readTraceFolder(reference), await readTraceFolder(candidate), { require });
      console.log(formatComparison(report, o.misses ?? false));
      if (!report.ok) process.exitCode = 1;
    });
}

export function gradcheckCommand(): Command {
  return withNetworkOptions(new Command('gradcheck'), 32)
    .description(
      "compare backpropagation's gradients with central finite differences in f64, and print the largest relative error of each layer's weights and biases; exits 1 above the target",
    )
    .option('--h <step>', 'the step of the finite differences', rate('h'), 1e-6)
    .action(async (spec: string, o: NetworkFlags & { h: number }) => {
      const { x, y } = await loadData(spec, o);
      const report = await gradcheck({ network: networkOptions(o, x.cols, y.cols), x, y, h: o.h });
      console.log(formatGradcheck(report));
      if (!report.ok) process.exitCode = 1;
    });
}
