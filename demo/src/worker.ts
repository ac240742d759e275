/**
 * The demo's training worker: every network the page trains lives here, so the page never waits
 * on arithmetic. Training runs in slices of about 20 ms between which the worker reads its
 * messages, so pause, a new learning rate or a prediction is answered within one slice. Progress
 * goes back at most every 60 ms: the epochs since the last report, the samples per second, and for
 * 2-D data the class probabilities over a grid (the decision boundary).
 */
import { Network, loadNetwork, modelFromString, modelToString, simdSupported, toModel, type Dataset, type EpochRecord } from '../../ts/index.js';
import { EXTENT, isPlanar, loadSplit, type DatasetName } from './datasets.js';
import { networkOptions, type Boundary, type EpochPoint, type NetInfo, type Reply, type Request, type TrainConfig } from './protocol.js';
import { appendCapped } from './series.js';

const post = (m: Reply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

/** Yields to the worker's event loop (a message channel, not setTimeout's 4 ms clamp). */
const channel = new MessageChannel();
const yieldNow = () =>
  new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });

const SLICE_MS = 20;
const REPORT_MS = 60;
const BOUNDARY_MS = 150;
const GRID = 64;

/** One network and the data it trains on. */
class Session {
  epoch = 0;
  /** Where in `order` the next minibatch starts. */
  private cursor = 0;
  private readonly order: Uint32Array;
  private xb = new Float64Array(0);
  private yb = new Float64Array(0);
  private lossSum = 0;
  private lossRows = 0;
  private pending: EpochPoint[] = [];
  /** The epochs so far (every other one dropped as it grows), for the model file. */
  readonly history: EpochRecord[] = [];
  private trainMs = 0;
  /** The training speed last measured (kept while nothing trains). */
  private samplesPerSecond = 0;
  private trainSamples = 0;
  private lastReport = 0;
  private lastBoundary = -Infinity;
  private readonly grid: Float64Array | null;

  constructor(
    readonly net: Network,
    public config: TrainConfig,
    readonly train: Dataset,
    readonly test: Dataset,
  ) {
    this.order = Uint32Array.from({ length: train.x.rows }, (_, i) => i);
    this.grid = isPlanar(config.dataset) ? gridPoints(EXTENT[config.dataset]) : null;
  }

  info(): NetInfo {
    return {
      config: this.config,
      layers: [...this.net.layers],
      backend: this.net.backend,
      simdSupported: simdSupported(),
      trainRows: this.train.x.rows,
      testRows: this.test.x.rows,
      classNames: this.train.classNames,
      history: this.restored,
    };
  }

  /** One minibatch; true when it ended an epoch. */
  trainBatch(): boolean {
    const { x, y } = this.train;
    const [rows, cols, k] = [x.rows, x.cols, y.cols];
    const batch = Math.min(this.config.batchSize, rows);
    if (this.xb.length !== batch * cols) [this.xb, this.yb] = [new Float64Array(batch * cols), new Float64Array(batch * k)];
    if (this.cursor === 0) shuffle(this.order);
    const n = Math.min(batch, rows - this.cursor);
    for (let i = 0; i < n; i++) {
      const r = this.order[this.cursor + i];
      this.xb.set(x.data.subarray(r * cols, (r + 1) * cols), i * cols);
      this.yb.set(y.data.subarray(r * k, (r + 1) * k), i * k);
    }
    const started = performance.now();
    const loss = this.net.trainBatch(
      { data: this.xb.subarray(0, n * cols), rows: n, cols },
      { data: this.yb.subarray(0, n * k), rows: n, cols: k },
      { learningRate: this.config.learningRate },
    );
    this.trainMs += performance.now() - started;
    this.trainSamples += n;
    this.lossSum += loss * n;
    this.lossRows += n;
    this.cursor += n;
    if (this.cursor < rows) return false;
    this.cursor = 0;
    this.endEpoch();
    return true;
  }

  private endEpoch(): void {
    this.epoch++;
    const test = this.net.evaluate(this.test.x, this.test.y);
    const train = this.test === this.train ? test : this.net.evaluate(this.train.x, this.train.y);
    const point = { epoch: this.epoch, loss: this.lossSum / this.lossRows, testLoss: test.loss, trainAccuracy: train.accuracy, testAccuracy: test.accuracy };
    [this.lossSum, this.lossRows] = [0, 0];
    this.pending.push(point);
    appendCapped(this.history, [{ epoch: point.epoch, loss: point.loss, validationLoss: point.testLoss, validationAccuracy: point.testAccuracy }]);
  }

  /** The epochs of a loaded model, as points for the charts. */
  private restored: EpochPoint[] = [];

  /** Continues from a model's epochs: its history goes to the model file and, as points, to the charts. */
  restore(epochs: number, history: readonly EpochRecord[]): void {
    this.epoch = epochs;
    appendCapped(this.history, history);
    this.restored = this.history.map((r) => ({
      epoch: r.epoch,
      loss: r.loss,
      testLoss: r.validationLoss ?? NaN,
      trainAccuracy: NaN,
      testAccuracy: r.validationAccuracy ?? NaN,
    }));
  }

  /** Sends the epochs since the last report, if any and (unless `now`) if the last was long enough ago. */
  report(now: boolean): void {
    const t = performance.now();
    if (!now && t - this.lastReport < REPORT_MS) return;
    const boundary = this.grid && (now || t - this.lastBoundary >= BOUNDARY_MS) ? this.boundary() : undefined;
    if (this.pending.length === 0 && !boundary) return;
    if (this.trainMs > 0) this.samplesPerSecond = (1000 * this.trainSamples) / this.trainMs;
    const samplesPerSecond = this.samplesPerSecond;
    post({ type: 'progress', points: this.pending, samplesPerSecond, boundary }, boundary ? [boundary.probs.buffer] : []);
    this.pending = [];
    [this.trainMs, this.trainSamples, this.lastReport] = [0, 0, t];
    if (boundary) this.lastBoundary = t;
  }

  /** The class probabilities over the grid. */
  private boundary(): Boundary {
    const classes = this.train.classes;
    const out = this.net.predictMatrix({ data: this.grid!, rows: GRID * GRID, cols: 2 });
    return { size: GRID, classes, probs: Float32Array.from(out.data) };
  }

  dispose(): void {
    this.net.dispose();
  }
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

/** Fisher–Yates with Math.random: the order of minibatches need not repeat between runs. */
function shuffle(a: Uint32Array): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

let session: Session | null = null;
let running = false;
/** Bumped by every reset and load, so a training loop of an earlier network stops. */
let generation = 0;

async function reset(config: TrainConfig): Promise<void> {
  const gen = ++generation;
  setRunning(false);
  const { train, test } = await loadSplit(config.dataset, 1);
  const net = await Network.create(networkOptions(config, train.x.cols, train.classes));
  if (gen !== generation) return net.dispose();
  replace(new Session(net, config, train, test));
}

function replace(next: Session, id?: number): void {
  session?.dispose();
  session = next;
  post({ type: 'ready', info: next.info(), ...(id !== undefined ? { id } : {}) });
  // Epoch 0: the untrained network's numbers and boundary.
  next.report(true);
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

async function load(id: number, text: string, wanted: DatasetName, simd: 'auto' | false): Promise<void> {
  const gen = ++generation;
  setRunning(false);
  const model = modelFromString(text);
  const dataset = datasetFor(model.architecture.layers, wanted);
  const net = await loadNetwork(model, model.options.engine === 'wasm' ? { wasm: { simd } } : {});
  const { train, test } = await loadSplit(dataset, 1);
  if (gen !== generation) {
    net.dispose();
    throw new Error('another network was asked for while the model loaded');
  }
  const layers = [...net.layers];
  const config: TrainConfig = {
    dataset,
    hidden: layers.slice(1, -1),
    activation: layers.length > 2 ? net.activations[0] : 'sigmoid',
    loss: net.loss,
    optimizer: net.settings.optimizer.type,
    learningRate: net.settings.learningRate,
    batchSize: session?.config.batchSize ?? 16,
    engine: net.engine,
    precision: net.precision,
    simd,
    seed: net.seed,
  };
  const next = new Session(net, config, train, test);
  next.restore(model.training.epochs, model.history);
  replace(next, id);
}

function setRunning(on: boolean): void {
  if (running === on) return;
  running = on;
  post({ type: 'state', running });
}

async function trainLoop(): Promise<void> {
  const gen = generation;
  while (running && gen === generation && session) {
    const s = session;
    const started = performance.now();
    do s.trainBatch();
    while (performance.now() - started < SLICE_MS);
    s.report(false);
    await yieldNow();
  }
  if (gen === generation) session?.report(true);
}

/** Trains until one epoch ends, yielding between slices. */
async function stepEpoch(): Promise<void> {
  const s = session!;
  const gen = generation;
  for (;;) {
    const started = performance.now();
    while (performance.now() - started < SLICE_MS) if (s.trainBatch()) return s.report(true);
    await yieldNow();
    if (gen !== generation) return;
  }
}

async function handle(m: Request): Promise<void> {
  switch (m.type) {
    case 'reset':
      return reset(m.config);
    case 'load':
      return load(m.id, m.text, m.dataset, m.simd);
    case 'start':
      if (!session || running) return;
      setRunning(true);
      return trainLoop();
    case 'pause':
      return setRunning(false);
    case 'step':
      if (!session || running) return;
      return stepEpoch();
    case 'configure':
      if (session) session.config = { ...session.config, learningRate: m.learningRate, batchSize: m.batchSize };
      return;
    case 'predict':
      if (session) post({ type: 'prediction', id: m.id, y: session.net.predict([m.x])[0] });
      return;
    case 'save': {
      if (!session) return;
      const { net, epoch, history, train } = session;
      const data = { task: 'classification' as const, classes: train.classNames, features: train.featureNames };
      post({ type: 'model', id: m.id, text: modelToString(toModel(net, { history, epochs: epoch, data })) });
      return;
    }
  }
}

self.onmessage = (e: MessageEvent<Request>) => {
  const m = e.data;
  handle(m).catch((err: unknown) => {
    setRunning(false);
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), ...('id' in m ? { id: m.id } : {}) });
  });
};
