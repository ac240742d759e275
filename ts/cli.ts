#!/usr/bin/env node
/**
 * The command-line tool. `wasm-backprop train` (the default command, what `npm start` runs) trains
 * a network on an embedded data set or a CSV file and prints the loss of every epoch.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { datasetFromTable, loadBuiltin, parseCsv, split, type Dataset } from './data.js';
import { Network } from './network.js';
import { formatReport, verify } from './verify.js';
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
} from './types.js';

function int(what: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
}

function fraction(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`${what} must be a number between 0 and 1 (exclusive), got '${v}'`);
    return n;
  };
}

function positive(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${what} must be a finite number ≥ 0, got '${v}'`);
    return n;
  };
}

function layerList(v: string): number[] {
  const sizes = v.split(',').map((s) => Number(s.trim()));
  if (sizes.length < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(`hidden layer sizes must be positive integers separated by commas, got '${v}'`);
  }
  return sizes;
}

async function loadData(spec: string): Promise<Dataset> {
  if (spec === 'digits' || spec === 'iris') return loadBuiltin(spec);
  const text = await readFile(spec, 'utf8').catch((e: Error) => {
    throw new Error(`cannot read data file ${spec}: ${e.message}`);
  });
  return datasetFromTable(parseCsv(text, spec), { name: spec, scale: 'minmax' });
}

interface TrainOptions {
  data: string;
  hidden: number[];
  activation: ActivationName;
  loss: LossName;
  engine: EngineName;
  precision?: Precision;
  epochs: number;
  batchSize: number;
  learningRate?: number;
  optimizer: OptimizerName;
  seed: number;
  testFraction: number;
  simd: boolean;
}

async function train(o: TrainOptions): Promise<void> {
  const ds = await loadData(o.data);
  const { train: tr, test } = split(ds, 1 - o.testFraction, o.seed);
  const layers = [ds.x.cols, ...o.hidden, ds.classes];
  const net = await Network.create({
    layers,
    activation: o.activation,
    loss: o.loss,
    engine: o.engine,
    precision: o.precision,
    seed: o.seed,
    optimizer: o.optimizer,
    learningRate: o.learningRate,
    ...(o.engine === 'wasm' ? { wasm: { simd: o.simd ? 'auto' : false } } : {}),
  });
  try {
    const s = net.settings;
    console.log(
      `${ds.name}: ${tr.x.rows} training rows, ${test.x.rows} test rows; network ${layers.join('-')} ` +
        `${o.activation}/${net.activations.at(-1)}, loss ${o.loss}; engine ${o.engine} ${net.precision} (${net.backend}); ` +
        `${s.optimizer.type} η=${s.learningRate}, batch ${o.batchSize}, seed ${o.seed}`,
    );
    const started = performance.now();
    await net.fit(tr.x, tr.y, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      validation: { x: test.x, y: test.y },
      onEpoch: (e) => {
        console.log(
          `epoch ${String(e.epoch).padStart(3)}  loss ${e.loss.toFixed(6)}  test loss ${e.validationLoss!.toFixed(6)}  ` +
            `test accuracy ${(100 * e.validationAccuracy!).toFixed(2)}%`,
        );
      },
    });
    const secs = (performance.now() - started) / 1000;
    const ev = net.evaluate(test.x, test.y);
    console.log(
      `done in ${secs.toFixed(2)} s (${((o.epochs * tr.x.rows) / secs).toFixed(0)} samples/s including evaluation); ` +
        `test accuracy ${(100 * ev.accuracy).toFixed(2)}%`,
    );
  } finally {
    net.dispose();
  }
}

const program = new Command()
  .name('wasm-backprop')
  .description('Train fully-connected neural networks with backpropagation (educational, js and wasm engines).')
  .showHelpAfterError();

program
  .command('train', { isDefault: true })
  .description('train a classifier on an embedded data set (digits, iris) or a CSV file (label in the last column) and print the loss per epoch')
  .option('-d, --data <name|file>', 'digits, iris, or a CSV file with a header', 'digits')
  .option('--hidden <sizes>', 'hidden layer sizes, comma-separated', layerList, [32])
  .addOption(new Option('-a, --activation <name>', 'hidden activation').choices(ACTIVATIONS.filter((a) => a !== 'softmax')).default('sigmoid'))
  .addOption(new Option('-l, --loss <name>', 'loss (cross-entropy uses a softmax output)').choices(LOSSES).default('mse'))
  .addOption(new Option('-e, --engine <name>', 'engine').choices(ENGINES).default('wasm'))
  .addOption(new Option('-p, --precision <p>', 'f32 or f64 (default f32; educational: f64)').choices(PRECISIONS))
  .option('--epochs <n>', 'epochs', int('epochs'), 50)
  .option('-b, --batch-size <n>', 'rows per minibatch', int('batch size'), 16)
  .option('--learning-rate <eta>', "learning rate η (default: the optimizer's)", positive('learning rate'))
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('sgd'))
  .option('--seed <n>', 'seed of initialisation, split and shuffling', int('seed'), 1)
  .option('--test-fraction <f>', 'fraction of rows held out for testing', fraction('test fraction'), 0.2)
  .option('--no-simd', 'use the scalar WebAssembly artefact')
  .action((o: TrainOptions) => train(o));

program
  .command('verify')
  .description(
    'train the same seeded network on every engine and precision (and NumPy where found) and print how far each is from the reference; exits 1 when a target is missed',
  )
  .option('--steps <n>', 'minibatch steps of the long comparison', int('steps', 1), 100)
  .option('--accuracy', 'also train digits to the end and compare f32 accuracy with f64 (slower)')
  .option('--no-numpy', 'leave the NumPy reference out (the educational engine is then the reference)')
  .action(async (o: { steps: number; accuracy?: boolean; numpy: boolean }) => {
    const report = await verify({ steps: o.steps, accuracy: o.accuracy ?? false, ...(o.numpy ? {} : { python: false }) });
    console.log(formatReport(report));
    if (!report.ok) process.exitCode = 1;
  });

program.parseAsync().catch((e: Error) => {
  console.error(`wasm-backprop: ${e.message}`);
  process.exitCode = 1;
});
