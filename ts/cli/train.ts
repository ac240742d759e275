/**
 * `wasm-backprop train`: reads a data set (an embedded one or a CSV file), holds out a test share,
 * fits the input scaling on the training rows alone, trains with progress, and reports the
 * held-out summary; optionally resumes from a model file, stops early, saves checkpoints, writes
 * the model and plots the curves.
 */
import '../threads/index.js';
import { fitScalingOn, scaleInPlace, splitInPlace, type FeatureScaling, type ScalingKind, type Task } from '../data.js';
import { plural } from '../columns.js';
import { fail, listed } from '../errors.js';
import { loadNetwork, toModel, type Model, type ModelData } from '../model.js';
import { Network } from '../network.js';
import { permutation, Random } from '../random.js';
import { descriptorOf, writeAtomically, writeError } from '../node/files.js';
import { loadModel, saveModel } from '../node/index.js';
import { readCsvDataset, readCsvHeader, type CsvDataset } from '../node/csv.js';
import type { TrainingState } from '../engine.js';
import { TrainingDivergedError, type ActivationName, type EngineName, type EpochRecord, type LossName, type OptimizerName, type Precision } from '../types.js';
import { BUILTIN, dataFile, outputFile, type Reads } from './files.js';
import { inModelOrder, modelLabel, namedInputs } from './inputs.js';
import { progress } from './progress.js';
import { summarize } from './summary.js';

export interface TrainOptions {
  label?: string;
  task: Task | 'auto';
  delimiter?: string;
  /** --header / --no-header: whether line 1 is a header (default: decided by whether it is text). */
  header?: boolean;
  hidden: number[];
  activation: ActivationName;
  loss?: LossName;
  engine: EngineName;
  precision?: Precision;
  epochs: number;
  batchSize: number;
  learningRate?: number;
  optimizer: OptimizerName;
  seed: number;
  testFraction: number;
  scale: ScalingKind;
  /** A regression's target scaling, fitted on the training rows (the model keeps it; predict undoes it). */
  targetScale: ScalingKind;
  earlyStop?: number;
  maxLoss?: number;
  out?: string;
  resume?: string;
  checkpoint?: number;
  plot?: string;
  quiet: boolean;
  simd: boolean;
  /** Threads each minibatch trains on (the wasm engine). */
  threads: number | 'auto';
  /** The options given on the command line (not defaults), by their keys here. */
  given?: ReadonlySet<string>;
}

/** The data set `spec` names: 'digits', 'iris' (the embedded files) or a CSV path. */
export async function readData(
  spec: string,
  o: { label?: string; task?: Task | 'auto'; delimiter?: string; header?: boolean; quiet?: boolean },
  resumed: Model | null = null,
): Promise<CsvDataset> {
  const path = dataFile(spec);
  // --label by name or 0-based index; resuming without it, the model's label (by name, in any column).
  const head = resumed && o.label === undefined ? await readCsvHeader(path, { delimiter: o.delimiter, header: o.header }) : null;
  const label = head ? modelLabel(resumed!, head.fields.length, head.header) : o.label !== undefined && /^\d+$/.test(o.label) ? Number(o.label) : o.label;
  const tty = !o.quiet && process.stderr.isTTY;
  const ds = await readCsvDataset(path, {
    label,
    task: o.task ?? 'auto',
    header: o.header ?? 'auto',
    delimiter: o.delimiter,
    onProgress: tty ? (read, total) => process.stderr.write(`\rreading ${spec}: ${Math.round((100 * read) / Math.max(1, total))} %`) : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (Object.hasOwn(BUILTIN, spec)) ds.name = spec;
  return ds;
}

/**
 * Line 1 read as data whose label is a class of no other row: most likely names that are numbers
 * (a header '1,2,label' makes the class 'label'). Said on stderr; --header or --no-header silences it.
 */
function warnOfLineOne(ds: CsvDataset): void {
  const first = ds.labels[0];
  let same = 0;
  for (let i = 0; i < ds.labels.length && same < 2; i++) if (ds.labels[i] === first) same++;
  if (same === 1 && ds.labels.length >= 10)
    console.error(
      `wasm-backprop: warning: line 1 of ${ds.name} was read as data, and its label ${JSON.stringify(ds.classNames[first])} is the class of that row alone: if line 1 names the columns, give --header (--no-header keeps it as data)`,
    );
}

/** What the model file records about the data, so that `predict` prepares raw rows as training did. */
function dataRecord(ds: CsvDataset, scaling: FeatureScaling, targetScaling: FeatureScaling, o: TrainOptions): ModelData {
  const { testFraction, batchSize } = o;
  const data: ModelData = { features: ds.featureNames, scaling, task: ds.task, label: ds.labelName, labelColumn: ds.labelColumn, testFraction, batchSize };
  if (ds.task === 'classification') data.classes = ds.classValues ?? ds.classNames;
  if (targetScaling.kind !== 'none') data.targetScaling = targetScaling;
  return data;
}

/**
 * The options a resumed model decides (its architecture, optimizer, precision and scaling, and
 * the seed of the split): one given that differs from the model's is refused, naming both, since
 * the run would otherwise go on with the model's and say nothing; the seed not given is the
 * model's, so the rows held out are those held out when it was trained (with the same
 * --test-fraction); so is the batch size not given.
 */
function resumedOptions(path: string, model: Model, o: TrainOptions, given: ReadonlySet<string>): void {
  const { architecture: arch, training, options } = model;
  const hidden = arch.layers.slice(1, -1);
  const kept: [keyof TrainOptions, string, unknown, unknown][] = [
    ['hidden', '--hidden', o.hidden.join(','), hidden.join(',')],
    ['activation', '--activation', o.activation, hidden.length > 0 ? arch.activations[0] : o.activation],
    ['loss', '--loss', o.loss, arch.loss],
    ['optimizer', '--optimizer', o.optimizer, training.optimizer.type],
    ['learningRate', '--learning-rate', o.learningRate, training.learningRate],
    ['precision', '--precision', o.precision, options.precision],
    ['scale', '--scale', o.scale, model.data?.scaling?.kind ?? o.scale],
    ['targetScale', '--target-scale', o.targetScale, model.data?.task === 'regression' ? (model.data.targetScaling?.kind ?? 'none') : o.targetScale],
    ['seed', '--seed', o.seed, options.seed],
    ['testFraction', '--test-fraction', o.testFraction, model.data?.testFraction ?? o.testFraction],
  ];
  for (const [key, option, value, its] of kept)
    if (given.has(key) && String(value) !== String(its))
      fail(`${option} ${String(value)}: ${path} resumes with its own (${String(its)}); leave ${option} out, or train a new model`);
  o.seed = options.seed;
  // The rows held out stay those held out (models from before it was recorded: the fraction given).
  o.testFraction = model.data?.testFraction ?? o.testFraction;
  // The minibatches stay as they were, unless another size is asked for (which is a choice, not a mistake).
  if (!given.has('batchSize')) o.batchSize = model.data?.batchSize ?? o.batchSize;
}

/**
 * The data set's classes in the order of the model's outputs (`model.data.classes`), so that a
 * file whose classes come in another order (text classes are numbered as they first appear) trains
 * each output on its own class; a class the model does not know is refused. The data set's
 * features must be the model's, by name where both have names (the file a header line, the model
 * names other than 'column k'), in any order: they are put in the model's.
 */
function alignWithModel(path: string, model: Model, ds: CsvDataset): void {
  const named = ds.header ? namedInputs(model) : null;
  if (named && (named.length !== ds.featureNames.length || named.some((f) => !ds.featureNames.includes(f))))
    fail(`${path}: the model's inputs are the columns ${named.join(', ')}; ${ds.name} has ${ds.featureNames.join(', ')}`);
  ds.x = inModelOrder(model, ds.x, ds.featureNames, ds.header, ds.name);
  if (named) ds.featureNames = [...named];
  const known = model.data?.classes?.map(String);
  if (ds.task !== 'classification' || known === undefined) return;
  const index = new Map(known.map((c, k) => [c, k]));
  const to = ds.classNames.map((c) => {
    const k = index.get(c);
    if (k === undefined) fail(`${ds.name}: the class '${c}' of '${ds.labelName}' is not one of the model's (${known.join(', ')}), in ${path}`);
    return k;
  });
  if (to.every((k, i) => k === i) && known.length === ds.classes) return;
  const rows = ds.labels.length;
  const y = new Float32Array(rows * known.length);
  for (let i = 0; i < rows; i++) {
    ds.labels[i] = to[ds.labels[i]];
    y[i * known.length + ds.labels[i]] = 1;
  }
  ds.y = { data: y, rows, cols: known.length };
  ds.classes = known.length;
  ds.classNames = known;
  ds.classValues = known.every((c) => /^-?\d+$/.test(c)) && model.data!.classes!.every((c) => typeof c === 'number') ? known.map(Number) : null;
}

/** A network resumed from a model file, checked against the data it is to train on. */
async function resume(path: string, model: Model, ds: CsvDataset, o: TrainOptions): Promise<Network> {
  const layers = model.architecture.layers;
  if (layers[0] !== ds.x.cols) fail(`${path}: the model takes ${plural(layers[0], 'input')}, ${ds.name} has ${plural(ds.x.cols, 'feature column')}`);
  const outputs = ds.task === 'classification' ? ds.classes : 1;
  if (layers.at(-1) !== outputs) fail(`${path}: the model has ${plural(layers.at(-1)!, 'output')}, ${ds.name} needs ${outputs} (${ds.task})`);
  // On the model's own engine unless --engine names another.
  const engine = o.given?.has('engine') ? o.engine : model.options.engine;
  return loadNetwork(model, { engine, ...onEngine(engine, o) });
}

/**
 * A divergence's message with its rows (indices into the training rows, which the split shuffled
 * with `seed`, or null where nothing was split) as rows of the file's data, counted from 1.
 */
function inFileRows(message: string, rows: readonly number[] | null, file: string, seed: number | null, total: number): string {
  if (!rows || rows.length === 0) return message;
  const order = seed === null ? null : permutation(total, new Random(seed));
  const inFile = rows.map((r) => (order ? order[r] : r) + 1);
  return message.replace(/\(x rows? [^)]*\)/, `(data row${inFile.length > 1 ? 's' : ''} ${listed(inFile, 4)} of ${file}, counted from 1)`);
}

/** η of SGD for regression where `--learning-rate` is not given. */
export const REGRESSION_SGD_RATE = 0.1;

function createNetwork(ds: CsvDataset, o: TrainOptions): Promise<Network> {
  const classification = ds.task === 'classification';
  const outputs = classification ? ds.classes : 1;
  return Network.create({
    layers: [ds.x.cols, ...o.hidden, outputs],
    activation: o.activation,
    // Classes by default through a softmax with cross-entropy: the outputs are then probabilities.
    loss: o.loss ?? (classification ? 'cross-entropy' : 'mse'),
    ...(classification ? {} : { output: 'linear' as const }),
    engine: o.engine,
    precision: o.precision,
    seed: o.seed,
    optimizer: o.optimizer,
    // SGD's η of 1 overshoots a linear output on unscaled targets (the loss settles at their
    // variance): regression with SGD starts from 0.1 unless told.
    learningRate: o.learningRate ?? (classification || o.optimizer !== 'sgd' ? undefined : REGRESSION_SGD_RATE),
    ...onEngine(o.engine, o),
  });
}

/** The options for the wasm engine (`--no-simd`, `--threads`); on another, none (`--threads` refused). */
function onEngine(engine: EngineName, o: TrainOptions): { wasm?: { simd: 'auto' | false }; threads?: number | 'auto' } {
  if (engine === 'wasm') return { wasm: { simd: o.simd ? 'auto' : false }, threads: o.threads };
  if (o.threads !== 1) fail(`--threads applies to the wasm engine only, got engine '${engine}'`);
  return {};
}

export async function train(spec: string, o: TrainOptions): Promise<void> {
  if (o.checkpoint !== undefined && o.out === undefined) fail('--checkpoint saves to the --out file: give --out too');
  // The data file is read; the --resume model may be replaced by its continuation, not by the plot.
  const dataRead: Reads = [['the data file being read', Object.hasOwn(BUILTIN, spec) ? undefined : spec]];
  // Standard output carries the summary: a model or a plot there would be mixed with it.
  for (const [option, path] of [
    ['--out', o.out],
    ['--plot', o.plot],
  ] as const)
    if (path !== undefined && (await descriptorOf(path).catch(() => null)) === 1)
      fail(`${option} ${path}: train prints its summary on standard output; give a file (or /dev/stderr)`);
  if (o.out) o.out = await outputFile(o.out, '--out', 'model.json', undefined, dataRead);
  if (o.plot)
    o.plot = await outputFile(o.plot, '--plot', 'curves.svg', undefined, [
      ...dataRead,
      ['the --out model', o.out],
      ['the --resume model being read', o.resume],
    ]);
  const resumed = o.resume ? await loadModel(o.resume) : null;
  if (resumed) resumedOptions(o.resume!, resumed, o, o.given ?? new Set());
  const ds = await readData(spec, o, resumed);
  if (!ds.header && o.header === undefined && ds.task === 'classification') warnOfLineOne(ds);
  if (ds.task !== 'regression' && o.given?.has('targetScale'))
    fail(`--target-scale ${o.targetScale} applies to a regression; ${ds.name} is a ${ds.task} of '${ds.labelName}' (${ds.taskReason})`);
  if (resumed) alignWithModel(o.resume!, resumed, ds);
  // --test-fraction 0: every row trains, and the summary is of the training rows.
  if (o.testFraction === 0 && o.earlyStop !== undefined) fail('--early-stop watches the held-out rows: give a --test-fraction above 0');
  const { train: tr, test } = o.testFraction > 0 ? splitInPlace(ds, 1 - o.testFraction, o.seed) : { train: ds, test: null };
  let net: Network;
  let history: EpochRecord[] = [];
  let scaling: FeatureScaling;
  if (resumed) {
    net = await resume(o.resume!, resumed, ds, o);
    history = resumed.history;
    scaling = (resumed.data?.scaling as FeatureScaling | undefined) ?? { kind: 'none' };
  } else {
    scaling = fitScalingOn(tr.x, null, o.scale, ds.featureNames);
    net = await createNetwork(ds, o);
  }
  // A regression learns its targets scaled (prices in the thousands would swamp the gradients),
  // fitted on the training rows; predict and the summaries undo it.
  const targetScaling: FeatureScaling =
    ds.task !== 'regression'
      ? { kind: 'none' }
      : resumed
        ? (resumed.data?.targetScaling ?? { kind: 'none' })
        : fitScalingOn(tr.y, null, o.targetScale, [ds.labelName]);
  // The parts are views of the data set's arrays: scaling each scales the rows once.
  scaleInPlace(tr.x, scaling);
  if (test) scaleInPlace(test.x, scaling);
  scaleInPlace(tr.y, targetScaling);
  if (test) scaleInPlace(test.y, targetScaling);
  const data = dataRecord(ds, scaling, targetScaling, o);
  const done = () => history.length;
  try {
    // Into the engine's memory, the held-out rows (the data set's last) first: the data set's
    // buffers shrink as they are copied, so no row is held twice (the js engines hold the arrays).
    const heldOutSet = test ? net.prepare(test.x, test.y, { release: true }) : null;
    const trainSet = net.prepare(tr.x, tr.y, { release: true });
    const s = net.settings;
    const task = ds.task === 'classification' ? `classification of ${ds.classes} classes` : 'regression';
    if (!o.quiet) {
      console.log(
        `${ds.name}: ${plural(trainSet.rows, 'training row')}, ${heldOutSet?.rows ?? 0} held out; ${task} of '${ds.labelName}' (${ds.taskReason}); scaling ${scaling.kind}\n` +
          `network ${net.layers.join('-')} ${net.activations.join('/')}, loss ${net.loss}; engine ${net.engine} ${net.precision} (${net.backend}); ` +
          `${s.optimizer.type} η=${s.learningRate}, batch ${o.batchSize}, seed ${o.seed}` +
          (o.threads !== 1 ? `, threads ${o.threads}` : '') +
          (o.resume ? `; resumed from ${o.resume} after ${done()} epochs` : ''),
      );
    }
    // A loss a thousandfold that of the network before this run counts as diverged, as a
    // non-finite one does: a learning rate far too large can saturate every unit without ever
    // overflowing, and the loss then stays finite, enormous and useless.
    const untrained = net.evaluate(trainSet).loss;
    if (!Number.isFinite(untrained))
      fail(
        `${o.resume ?? ds.name}: the loss on the training rows is ${untrained} before any training: the ${o.resume ? "model's" : "network's"} parameters overflow on these inputs`,
      );
    const maxLoss = o.maxLoss ?? 1000 * Math.max(1, untrained);
    const bar = progress({ epochs: o.epochs, rows: trainSet.rows, quiet: o.quiet, firstEpoch: done() + 1 });
    let best: { loss: number; epoch: number; params: Float64Array; state: TrainingState } | null = null;
    let stopped = false;
    const started = performance.now();
    const target = done() + o.epochs;
    let before = done();
    // Ctrl-C: training stops at the end of the epoch under way, and the run ends as it would have
    // (the summary, the model written to --out); a second one quits at once, writing nothing.
    let interrupted = false;
    const interrupt = () => {
      if (interrupted) {
        bar.stop();
        console.error(`wasm-backprop: interrupted again: quitting${o.out ? `, nothing written to ${o.out}` : ''}`);
        process.exit(130);
      }
      interrupted = true;
      // On a line of its own, below the progress bar (which stdout draws on a terminal).
      console.error(
        `${process.stdout.isTTY && !o.quiet ? '\n' : ''}wasm-backprop: interrupted: stopping at the end of epoch ${done() + 1} (Ctrl-C again to quit at once${o.out ? ', without writing the model' : ''})`,
      );
    };
    process.on('SIGINT', interrupt);
    try {
      while (done() < target && !stopped && !interrupted) {
        const n = Math.min(o.checkpoint ?? target, target - done());
        before = done();
        await net.fit(trainSet, {
          epochs: n,
          batchSize: o.batchSize,
          validation: heldOutSet ?? undefined,
          maxLoss,
          onBatch: (p) => bar.batch({ ...p, epoch: done() + 1 }),
          onEpoch: (r) => {
            const rec = { ...r, epoch: done() + 1 };
            history.push(rec);
            bar.epoch(rec);
            if (o.earlyStop !== undefined) {
              if (best === null || rec.validationLoss! < best.loss) {
                best = { loss: rec.validationLoss!, epoch: rec.epoch, params: net.getFlatParameters(), state: net.getTrainingState() };
              } else if (rec.epoch - best.epoch >= o.earlyStop) {
                stopped = true;
                return false;
              }
            }
            // An interrupt ends the run after this epoch, which early stopping has weighed.
            if (interrupted) return false;
          },
        });
        if (o.checkpoint !== undefined) await saveModel(o.out!, net, { history, data });
      }
    } catch (e) {
      // The epochs numbered as this run numbers them (after checkpoints, or a resumed model's). Nothing
      // more is saved: the checkpoints written so far hold finite epochs only.
      throw e instanceof TrainingDivergedError ? new Error(inFileRows(e.describe(before), e.rows, ds.name, o.testFraction > 0 ? o.seed : null, ds.x.rows)) : e;
    } finally {
      process.off('SIGINT', interrupt);
      bar.stop();
    }
    if (interrupted) {
      console.log(`interrupted after epoch ${done()} of ${target}`);
      process.exitCode = 130;
    }
    const secs = (performance.now() - started) / 1000;
    const trained = history.length - (target - o.epochs);
    const b = best as { loss: number; epoch: number; params: Float64Array; state: TrainingState } | null;
    if (b && b.epoch < done()) {
      net.setFlatParameters(b.params);
      net.setTrainingState(b.state);
      history = history.slice(0, b.epoch);
      if (!o.quiet) console.log(`stopped early: held-out loss last improved in epoch ${b.epoch}; its parameters restored`);
    }
    console.log(summarize(net, heldOutSet ?? trainSet, data, heldOutSet ? 'held-out' : 'training rows (none held out)'));
    const { used, reason } = net.threads;
    if (o.threads !== 1 && !o.quiet) console.log(`trained on ${plural(used, 'thread')}${reason ? `: ${reason}` : ''}`);
    const included = heldOutSet ? ', held-out evaluation included' : '';
    console.log(`trained ${plural(trained, 'epoch')} in ${secs.toFixed(2)} s (${Math.round((trained * trainSet.rows) / secs)} samples/s${included})`);
    if (o.out) {
      await saveModel(o.out, toModel(net, { history, data }));
      console.log(`model written to ${o.out}`);
    } else if (!o.quiet) {
      console.log('the model is not kept: give --out model.json to keep it');
    }
    if (o.plot) {
      // Observable Plot and its DOM take ~0.35 s to load: only a run that draws pays for them.
      const { curvesSvg } = await import('./plot.js');
      const svg = curvesSvg(history, `${ds.name}: ${net.layers.join('-')} ${net.activations.join('/')}, ${net.loss}, ${net.engine} ${net.precision}`);
      await writeAtomically([[o.plot, svg]]).catch((e: unknown) => fail(`--plot ${writeError(o.plot!, e).message}`));
      console.log(`curves written to ${o.plot}`);
    }
  } finally {
    net.dispose();
  }
}
