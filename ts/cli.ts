#!/usr/bin/env node
/**
 * The command-line tool: `train` a network on an embedded data set or a CSV file (progress, a
 * held-out summary, the model file and the curves), `predict` and `evaluate` with a model file,
 * `info` about one, `verify` the engines against each other and NumPy. Errors are one line on
 * stderr and a non-zero exit, never a stack trace.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { failure } from './node/files.js';
import { readFileSync } from 'node:fs';
import { TASKS, type ScalingKind } from './data.js';
import { bench } from './cli/bench.js';
import { EXPORT_FORMATS, exportCommand } from './cli/export.js';
import { importCommand } from './cli/import.js';
import { compareCommand, gradcheckCommand, traceCommand } from './cli/trace.js';
import { train, type TrainOptions } from './cli/train.js';
import { evaluateCommand, info, predict } from './cli/use.js';
import { formatReport, verify } from './verify.js';
import { ACTIVATIONS, ENGINES, LOSSES, OPTIMIZERS, PRECISIONS } from './types.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function int(what: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
}

/** A fraction below 1: above 0, or 0 too where `zero` says. */
function fraction(what: string, zero = false) {
  return (v: string): number => {
    const n = Number(v);
    if (!((zero ? n >= 0 : n > 0) && n < 1))
      throw new InvalidArgumentError(`${what} must be a number from 0${zero ? '' : ' (exclusive)'} to 1 (exclusive), got '${v}'`);
    return n;
  };
}

/** `--threads`: a number of threads (from 1) or 'auto'. */
function threadCount(v: string): number | 'auto' {
  return v === 'auto' ? 'auto' : int('threads', 1)(v);
}

function positive(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a finite number > 0, got '${v}'`);
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

const program = new Command()
  .name('wasm-backprop')
  .description('Train fully-connected neural networks with backpropagation (educational, js and wasm engines).')
  .version(pkg.version)
  .showHelpAfterError('(run with --help for the options)')
  .showSuggestionAfterError()
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'wasm-backprop: ')) });

program
  .command('train')
  .argument('[data]', "'digits', 'iris' or a CSV file (default: digits)")
  .description('train on an embedded data set or a CSV file, with progress and a held-out summary')
  .option('-d, --data <name|file>', 'the same as the [data] argument')
  .option('--label <name|index>', "the label column, by header name or 0-based index (default: the last; resuming, the model's)")
  .addOption(new Option('--task <task>', 'classification or regression (default: guessed from the label column)').choices([...TASKS, 'auto']).default('auto'))
  .option('--delimiter <char>', "the CSV's field delimiter (default: detected among , ; and tab)")
  .option('--header', 'line 1 is a header (default: it is where it is text, not numbers)')
  .option('--no-header', 'line 1 is data, not a header')
  .option('--hidden <sizes>', 'hidden layer sizes, comma-separated', layerList, [32])
  .addOption(new Option('-a, --activation <name>', 'hidden activation').choices(ACTIVATIONS.filter((a) => a !== 'softmax')).default('sigmoid'))
  .addOption(new Option('-l, --loss <name>', 'loss (default: cross-entropy with a softmax output for classes, mse for values)').choices(LOSSES))
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('sgd'))
  .addOption(new Option('-e, --engine <name>', 'engine').choices(ENGINES).default('wasm'))
  .addOption(new Option('-p, --precision <p>', 'f32 or f64 (default f32; educational: f64)').choices(PRECISIONS))
  .option('--epochs <n>', 'epochs', int('epochs', 1), 50)
  .option('-b, --batch-size <n>', "rows per minibatch (resuming, the model's)", int('batch size', 1), 16)
  .option('--learning-rate <eta>', "learning rate η (default: the optimizer's; 0.1 for SGD on a regression)", positive('learning rate'))
  .option('--seed <n>', 'seed of initialisation, split and shuffling', int('seed'), 1)
  .option('--test-fraction <f>', 'fraction of rows held out for testing (0: train on every row)', fraction('test fraction', true), 0.2)
  .addOption(
    new Option('--scale <kind>', 'input scaling, fitted on the training rows only')
      .choices(['minmax', 'standard', 'none'] satisfies ScalingKind[])
      .default('minmax'),
  )
  .addOption(
    new Option('--target-scale <kind>', "a regression's target scaling, fitted on the training rows only (predictions are in the target's units)")
      .choices(['standard', 'minmax', 'none'] satisfies ScalingKind[])
      .default('standard'),
  )
  .option(
    '--max-loss <loss>',
    "a training loss above this stops training as diverged (default: 1000 × the untrained network's, at least 1000)",
    positive('max loss'),
  )
  .option('--early-stop <patience>', 'stop when the held-out loss has not improved for this many epochs, and keep the best parameters', int('patience', 1))
  .option('-o, --out <model.json>', 'write the trained model here')
  .option(
    '--resume <model.json>',
    'continue training this model (its layers, optimizer, scaling, classes, split seed and, unless given again, batch size and engine are kept)',
  )
  .option('--checkpoint <epochs>', 'save the model to --out every this many epochs', int('checkpoint', 1))
  .option('--plot <curves.svg>', 'write the loss and accuracy curves as an SVG file')
  .option('-q, --quiet', 'print only the summary')
  .option('--no-simd', 'use the scalar WebAssembly artefact')
  .option('--threads <n|auto>', "threads each minibatch trains on (wasm engine; 'auto': every core where it pays)", threadCount, 1)
  .action(function (this: Command, data: string | undefined, o: TrainOptions & { data?: string; quiet?: boolean }) {
    if (data !== undefined && o.data !== undefined && data !== o.data) throw new InvalidArgumentError(`give the data once: '${data}' or --data '${o.data}'`);
    const given = new Set(Object.keys(o).filter((k) => this.getOptionValueSource(k) === 'cli'));
    return train(data ?? o.data ?? 'digits', { ...o, quiet: o.quiet ?? false, given });
  });

program
  .command('predict')
  .argument('<model>', 'a model file written by train --out')
  .argument('<data>', "a CSV file of inputs (a label column, if present, is left out), or 'digits' or 'iris'")
  .description('predict with a model: classes with their probabilities, or values, as CSV')
  .option('-o, --out <predictions.csv>', 'write the predictions here instead of to stdout')
  .option('--delimiter <char>', "the CSV's field delimiter (default: detected)")
  .option('--header', 'line 1 is a header (default: it is where it is text, not numbers)')
  .option('--no-header', 'line 1 is data, not a header')
  .action(predict);

program
  .command('evaluate')
  .argument('<model>', 'a model file written by train --out')
  .argument('<data>', "a CSV file with the label column the model was trained on, or 'digits' or 'iris'")
  .description('the summary of a model on labelled data: loss and accuracy with a confusion matrix, or RMSE and R²')
  .option('--delimiter <char>', "the CSV's field delimiter (default: detected)")
  .option('--header', 'line 1 is a header (default: it is where it is text, not numbers)')
  .option('--no-header', 'line 1 is data, not a header')
  .action(evaluateCommand);

program.command('info').argument('<model>', 'a model file').description('describe a model file: layers, parameters, options, data, history').action(info);

program
  .command('export')
  .argument('<model>', 'a model file')
  .description('write a model as a TensorFlow.js Layers model (a folder: model.json, weights.bin) or an ONNX file')
  .addOption(new Option('--format <format>', 'tfjs or onnx').choices(EXPORT_FORMATS).makeOptionMandatory())
  .requiredOption('-o, --out <path>', 'tfjs: the folder to write; onnx: the .onnx file (or a folder for model.onnx)')
  .action(exportCommand);

program
  .command('import')
  .argument('<model.json>', "a TensorFlow.js Layers model's model.json (its weight files beside it), or its folder")
  .description('read a TensorFlow.js Layers model (a Sequential of Dense layers) into a model file')
  .requiredOption('-o, --out <model>', 'the model file to write')
  .addOption(new Option('-e, --engine <name>', 'engine the model file names').choices(ENGINES).default('wasm'))
  .addOption(new Option('-p, --precision <p>', 'f32 or f64 (default f32)').choices(PRECISIONS))
  .action(importCommand);

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

program
  .command('bench')
  .description('how fast the engines train on this machine (in the repository: the full suite against the peer libraries)')
  .option('--quick', 'a glance: shorter runs')
  .action((o: { quick?: boolean }) => bench(o));

// Made apart, they take the program's settings (its way of printing errors) as .command() gives them.
for (const command of [traceCommand(), compareCommand(), gradcheckCommand()]) program.addCommand(command.copyInheritedSettings(program));

// Output piped into `head`, which closes early: what is left to print is dropped quietly, and the
// command goes on to its end, so that a file it writes (train's model) is written whole; the exit
// code is what it would have been. (Ending at once had `train --out m.json | head` exit 0 without
// m.json, about one run in two.)
// Another error (a full disk under `> file`): one line on stderr, the command goes on as above, and
// exits 1.
for (const [stream, name] of [
  [process.stdout, 'stdout'],
  [process.stderr, 'stderr'],
] as const) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    stream.write = (() => true) as typeof stream.write;
    if (e.code === 'EPIPE') return;
    if (stream !== process.stderr) process.stderr.write(`wasm-backprop: cannot write to ${name}: ${failure(e)}\n`);
    process.exitCode = 1;
  });
}

/** The library's names for what the CLI's options set, as its errors say them, and the options' names. */
const OPTION_NAMES: [RegExp, string][] = [
  [/\boptions\.epochs\b/g, '--epochs'],
  [/\boptions\.batchSize\b/g, '--batch-size'],
  [/\boptions\.learningRate\b/g, '--learning-rate'],
  [/\boptions\.maxLoss\b/g, '--max-loss'],
  [/\boptions\.layers\[\d+\]/g, 'a --hidden size'],
  [/\boptions\.threads\b/g, '--threads'],
];

program.parseAsync().catch((e: Error) => {
  let message = e instanceof InvalidArgumentError ? e.message : (e.message ?? String(e)).split('\n')[0];
  for (const [name, option] of OPTION_NAMES) message = message.replace(name, option);
  console.error(`wasm-backprop: ${message}`);
  process.exitCode = 1;
});
