/**
 * The Train panel's training, on the library's `Trainer` (`wasm-backprop/trainer`): the network
 * lives in the trainer's Web Worker and every step of arithmetic happens there; this module only
 * asks and hands what comes back to the page's callbacks.
 *
 * - Start trains with `fit` for as long as it is not paused (`trainingAccuracy` for the accuracy
 *   chart, the test rows as `validation`); each progress report becomes chart points.
 * - Pause is the trainer's `pause()`: training holds where it is, inside a long epoch too; Start
 *   again is `resume()`, which changes no bit.
 * - Step trains one epoch: a `fit` of one epoch (after cancelling a paused one: the minibatches of an
 *   epoch cut there stay trained).
 * - A new learning rate or batch size ends the running `fit` and starts another with them.
 * - The decision boundary (2-D sets) and a drawn digit are `predictMatrix`/`predict` calls, which
 *   the trainer answers while it trains.
 * - Reset makes a new trainer (`Trainer.create`), Load model one from the file (`Trainer.load`),
 *   which trains on from the model's parameters and training state; Save is `toModel`.
 */
import { modelFromString, modelToString, simdSupported, type Dataset, type EpochRecord, type Model } from '../../ts/index.js';
import { Trainer, type TrainerEpochRecord, type TrainerProgress } from '../../ts/worker/trainer.js';
import { EXTENT, isPlanar, loadSplit, type DatasetName } from './datasets.js';
import { appendCapped } from './series.js';
import { networkOptions, type Boundary, type EpochPoint, type NetInfo, type TrainConfig } from './settings.js';
import { trainerWorker } from './trainer-worker.js';

export interface TrainingEvents {
  ready(info: NetInfo): void;
  progress(points: EpochPoint[], samplesPerSecond: number, boundary: Boundary | undefined): void;
  /** Where training is inside an epoch longer than a time slice (epochs counted from the network's first). */
  batch(epoch: number, batch: number, batches: number): void;
  state(running: boolean): void;
  error(message: string): void;
}

/** The decision boundary's grid: GRID × GRID cells, redrawn at most every BOUNDARY_MS while training. */
const GRID = 64;
const BOUNDARY_MS = 150;
/** Epochs of a `fit` that runs until paused. */
const FOREVER = 1e9;

/** Each data set's split, read (digits and iris: fetched and parsed on this thread) once per page. */
const splits = new Map<DatasetName, ReturnType<typeof loadSplit>>();
function split(name: DatasetName): ReturnType<typeof loadSplit> {
  let s = splits.get(name);
  if (!s) splits.set(name, (s = loadSplit(name, 1)));
  s.catch(() => splits.delete(name));
  return s;
}

/** One network in its trainer, and the data it trains on. */
interface Session {
  trainer: Trainer;
  config: TrainConfig;
  train: Dataset;
  test: Dataset;
  /** Epochs trained before the running `fit` (a loaded model's included), and in all so far. */
  base: number;
  epoch: number;
  /** The epochs so far (every other one dropped as it grows), for the model file. */
  history: EpochRecord[];
  /** The running `fit`, if any (paused or not), and whether it is paused. */
  fitting: Promise<void> | null;
  held: boolean;
  grid: Float64Array | null;
}

export class Training {
  private session: Session | null = null;
  /** Bumped by every reset and load, so that what an earlier network sends back is dropped. */
  private generation = 0;
  /** Whether training should go on (Start until Pause), and whether the page shows it going on. */
  private wanted = false;
  private running = false;
  private samplesPerSecond = 0;
  /**
   * The reports of about the last second, for the pace: one report's interval is too short to time
   * (reports can arrive together: 20 M samples/s once, 0.2 M the next).
   */
  private pace: { at: number; samples: number }[] = [];
  private boundaryAt = -Infinity;
  private boundaryAsked = false;

  constructor(private readonly on: Partial<TrainingEvents>) {}

  /** A new network for these settings (training stops). */
  async reset(config: TrainConfig): Promise<void> {
    const gen = this.replace();
    try {
      const { train, test } = await split(config.dataset);
      const trainer = await Trainer.create(networkOptions(config, train.x.cols, train.classes), { worker: trainerWorker });
      if (gen !== this.generation) return trainer.dispose();
      this.begin({ trainer, config, train, test, base: 0, epoch: 0, history: [], fitting: null, held: false, grid: null }, []);
    } catch (e) {
      if (gen === this.generation) this.on.error?.((e as Error).message);
    }
  }

  /** Replaces the network by a model file's; `ready` reports the settings it brings, as does the promise. */
  async load(text: string, wanted: DatasetName, simd: 'auto' | false): Promise<NetInfo> {
    // A file that is no model, or fits none of the data sets, leaves the network in use as it is.
    const model = modelFromString(text);
    const dataset = datasetFor(model.architecture.layers, wanted);
    // The batch size it was trained with, where the file says (a model the CLI or this page saved).
    const batchSize = model.data?.batchSize ?? this.session?.config.batchSize ?? 16;
    const gen = this.replace();
    const trainer = await Trainer.load(model, { worker: trainerWorker, ...(model.options.engine === 'wasm' ? { wasm: { simd } } : {}) });
    const { train, test } = await split(dataset).catch((e: unknown) => (trainer.dispose(), Promise.reject(e)));
    if (gen !== this.generation) {
      trainer.dispose();
      throw new Error('another network was asked for while the model loaded');
    }
    const config = configOf(model, dataset, simd, batchSize);
    const history: EpochRecord[] = [];
    appendCapped(history, model.history);
    const epochs = model.training.epochs;
    return this.begin(
      { trainer, config, train, test, base: epochs, epoch: epochs, history, fitting: null, held: false, grid: null },
      history.map(pointOfRecord),
    );
  }

  /** Trains until paused (goes on where a pause held it). */
  async start(): Promise<void> {
    const s = this.session;
    if (!s || this.wanted) return;
    this.wanted = true;
    this.setRunning(true);
    if (s.fitting && s.held) {
      s.held = false;
      return s.trainer.resume();
    }
    await s.fitting; // a Step's epoch first
    if (s === this.session && this.wanted && !s.fitting) this.fit(s, FOREVER);
  }

  /** Holds training where it is; resolves (and reports the state) once it holds. */
  async pause(): Promise<void> {
    const s = this.session;
    if (!s || !this.wanted) return;
    this.wanted = false;
    s.held = true;
    await s.trainer.pause();
    if (s === this.session && !this.wanted) this.setRunning(false);
  }

  /** One epoch (after a Step under way; a paused `fit` is cancelled first). */
  async step(): Promise<void> {
    const s = this.session;
    if (!s || this.wanted) return;
    if (s.fitting) {
      if (s.held) await s.trainer.cancel();
      await s.fitting;
    }
    if (s === this.session && !this.wanted && !s.fitting) this.fit(s, 1);
  }

  /** Settings that apply from the next minibatch on, without a new network. */
  async configure(learningRate: number, batchSize: number): Promise<void> {
    const s = this.session;
    if (!s) return;
    s.config = { ...s.config, learningRate, batchSize };
    if (!s.fitting) return;
    await s.trainer.cancel();
    await s.fitting;
    if (s === this.session && this.wanted && !s.fitting) this.fit(s, FOREVER);
  }

  /** The network's outputs for one input; null where the network changed meanwhile. */
  async predict(x: number[]): Promise<number[] | null> {
    const s = this.session;
    if (!s) return null;
    try {
      return (await s.trainer.predict([x]))[0];
    } catch (e) {
      if (s !== this.session) return null;
      throw e;
    }
  }

  /** The network as a model file's text. */
  async save(): Promise<string> {
    const s = this.session;
    if (!s) throw new Error('there is no network yet');
    const data = { task: 'classification' as const, classes: s.train.classNames, features: s.train.featureNames, batchSize: s.config.batchSize };
    const model = await s.trainer.toModel({ history: s.history, epochs: s.epoch, data });
    return modelToString(model);
  }

  // ---------------------------------------------------------------------------------------------

  /** Drops the network in use (its trainer terminated), for another; returns the new generation. */
  private replace(): number {
    this.wanted = false;
    this.setRunning(false);
    this.session?.trainer.dispose();
    this.session = null;
    return ++this.generation;
  }

  private begin(s: Session, history: EpochPoint[]): NetInfo {
    s.grid = isPlanar(s.config.dataset) ? gridPoints(EXTENT[s.config.dataset]) : null;
    this.session = s;
    [this.samplesPerSecond, this.boundaryAt, this.boundaryAsked] = [0, -Infinity, false];
    const info: NetInfo = {
      config: s.config,
      layers: [...s.trainer.layers],
      backend: s.trainer.backend,
      simdSupported: simdSupported(),
      trainRows: s.train.x.rows,
      testRows: s.test.x.rows,
      classNames: s.train.classNames,
      history,
    };
    this.on.ready?.(info);
    void this.drawBoundary(s, true);
    return info;
  }

  /** Starts a `fit` of `epochs` epochs on the session's data with its settings. */
  private fit(s: Session, epochs: number): void {
    const { learningRate, batchSize } = s.config;
    s.base = s.epoch;
    this.pace = [{ at: performance.now(), samples: 0 }];
    // A rate of this fit's own (Step's single epoch has none): not the last one's.
    this.samplesPerSecond = 0;
    // A pause that came as the last fit ended (a new setting cancelling it) would hold this one.
    void s.trainer.resume();
    const fitting = s.trainer.fit(s.train.x, s.train.y, {
      epochs,
      batchSize,
      learningRate,
      // XOR's four points are its test rows too: their accuracy is the validation's.
      trainingAccuracy: s.train !== s.test,
      validation: { x: s.test.x, y: s.test.y },
      onProgress: (p) => this.progress(s, p),
      // The records come in progress reports, and the charts keep what they show: a history of
      // every epoch would grow without end while the page trains until told to stop.
      history: false,
      onBatch: (p) => s === this.session && this.on.batch?.(s.base + p.epoch, p.batch, p.batches),
    });
    s.fitting = fitting.then(
      () => this.ended(s, null),
      (e: unknown) => this.ended(s, e as Error),
    );
  }

  /** A `fit` ended: done, cancelled (a new setting, Step: whoever cancelled goes on) or failed (a divergence, say). */
  private ended(s: Session, error: Error | null): void {
    s.fitting = null;
    s.held = false;
    if (s !== this.session) return;
    if (!this.wanted) this.setRunning(false); // a pause that came as the fit was cancelled
    if (error) {
      this.wanted = false;
      this.setRunning(false);
      this.on.error?.(error.message);
    }
    void this.drawBoundary(s, true);
  }

  private progress(s: Session, p: TrainerProgress): void {
    if (s !== this.session) return;
    const same = s.train === s.test;
    const points = p.records.map((r) => pointOf(r, s.base, same));
    s.epoch = s.base + p.epoch;
    appendCapped(
      s.history,
      points.map((q) => ({ epoch: q.epoch, loss: q.loss, validationLoss: q.testLoss, validationAccuracy: q.testAccuracy })),
    );
    const now = performance.now();
    this.pace.push({ at: now, samples: p.records.length * s.train.x.rows });
    while (this.pace.length > 2 && now - this.pace[1].at >= 1000) this.pace.shift();
    const span = now - this.pace[0].at;
    if (span >= 200) this.samplesPerSecond = (1000 * this.pace.slice(1).reduce((n, q) => n + q.samples, 0)) / span;
    this.on.progress?.(points, this.samplesPerSecond, undefined);
    void this.drawBoundary(s, false);
  }

  /** The class probabilities over the grid (2-D sets), at most every BOUNDARY_MS unless `now`, one request at a time. */
  private async drawBoundary(s: Session, now: boolean): Promise<void> {
    if (!s.grid || this.boundaryAsked) return;
    const t = performance.now();
    if (!now && t - this.boundaryAt < BOUNDARY_MS) return;
    [this.boundaryAsked, this.boundaryAt] = [true, t];
    try {
      const out = await s.trainer.predictMatrix({ data: s.grid, rows: GRID * GRID, cols: 2 });
      if (s === this.session) this.on.progress?.([], this.samplesPerSecond, { size: GRID, classes: s.train.classes, probs: Float32Array.from(out.data) });
    } catch (e) {
      if (s === this.session) this.on.error?.((e as Error).message);
    } finally {
      this.boundaryAsked = false;
    }
  }

  private setRunning(on: boolean): void {
    if (this.running === on) return;
    this.running = on;
    this.on.state?.(on);
  }
}

/** An epoch's record from the trainer as a chart point, its epoch counted from the network's first. */
/** An epoch's record as a chart point, `base` epochs on; `same`: the test rows are the training rows (XOR), whose accuracy is the test's. */
function pointOf(r: TrainerEpochRecord, base: number, same = false): EpochPoint {
  return {
    epoch: base + r.epoch,
    loss: r.loss,
    testLoss: r.validationLoss ?? NaN,
    trainAccuracy: (same ? r.validationAccuracy : r.trainingAccuracy) ?? NaN,
    testAccuracy: r.validationAccuracy ?? NaN,
  };
}

/** A model file's epoch as a chart point (the file keeps no training accuracy). */
function pointOfRecord(r: EpochRecord): EpochPoint {
  return pointOf(r, 0);
}

/** Grid cell centres, row-major from the top-left (x₁ grows to the right, x₂ upwards). */
function gridPoints([min, max]: [number, number]): Float64Array {
  const g = new Float64Array(GRID * GRID * 2);
  const step = (max - min) / GRID;
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      g[(r * GRID + c) * 2] = min + (c + 0.5) * step;
      g[(r * GRID + c) * 2 + 1] = max - (r + 0.5) * step;
    }
  }
  return g;
}

/** Which of the demo's data sets a model fits: by its inputs and outputs. */
function datasetFor(layers: number[], wanted: DatasetName): DatasetName {
  const [inputs, outputs] = [layers[0], layers[layers.length - 1]];
  if (inputs === 64 && outputs === 10) return 'digits';
  if (inputs === 4 && outputs === 3) return 'iris';
  if (inputs === 2 && outputs === 3) return 'spiral';
  if (inputs === 2 && outputs === 2) return wanted === 'xor' || wanted === 'circles' ? wanted : 'circles';
  throw new Error(
    `this model has ${inputs} inputs and ${outputs} outputs; the demo's data sets have 64 and 10 (digits), 4 and 3 (iris), 2 and 3 (spiral) or 2 and 2 (XOR, circles)`,
  );
}

/** The controls' settings a model brings. */
function configOf(model: Model, dataset: DatasetName, simd: 'auto' | false, batchSize: number): TrainConfig {
  const { architecture: a, options: o, training: t } = model;
  return {
    dataset,
    hidden: a.layers.slice(1, -1),
    activation: a.layers.length > 2 ? a.activations[0] : 'sigmoid',
    loss: a.loss,
    optimizer: t.optimizer.type,
    learningRate: t.learningRate,
    batchSize,
    engine: o.engine,
    precision: o.precision,
    simd,
    seed: o.seed,
  };
}
