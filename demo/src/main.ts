/**
 * The demo page: controls, charts and views. Every network that trains lives in the Web Worker of
 * a library `Trainer` (./training.ts, ./race.ts); this thread only draws, plus the educational
 * view's tiny one-sample steps.
 */
import { ENGINES, PRECISIONS, simdSupported, type ActivationName, type EngineName, type LossName, type OptimizerName, type Precision } from '../../ts/index.js';
import { BoundaryView } from './boundary.js';
import { Charts } from './charts.js';
import { DATASETS, DATASET_INFO, EXTENT, generate, isPlanar, type DatasetName } from './datasets.js';
import { NetworkView, type SmallDataset } from './network-view.js';
import type { EpochPoint, NetInfo, TrainConfig } from './settings.js';
import { Race } from './race.js';
import { DigitPad, showProbabilities } from './sketch.js';
import { Training } from './training.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const select = (id: string) => $<HTMLSelectElement>(id);
const input = (id: string) => $<HTMLInputElement>(id);
const button = (id: string) => $<HTMLButtonElement>(id);

/** `?simd=0` (or off, false, no) runs the scalar artefact, as a browser without SIMD128 would. */
const simdOff = ['0', 'off', 'false', 'no'].includes(new URLSearchParams(location.search).get('simd') ?? '');
const simd: 'auto' | false = simdOff ? false : 'auto';

const status = $('status');
const kernels = $('kernels');
const number = (v: number) => v.toLocaleString('en', { maximumFractionDigits: 0 });
const percent = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '–');

function say(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
  if (error) status.dataset.error = text;
  else delete status.dataset.error;
}

/** Where a control's mistake is said: the Train panel's status, or the educational view's. */
type Report = (text: string, error?: boolean) => void;

/** Hidden layer sizes from "32" or "16, 8": each 1 … 512, at most 6 layers; null (and the reason shown) otherwise. */
function parseHidden(text: string, what: string, report: Report = say): number[] | null {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  const sizes = parts.map(Number);
  const bad = parts.find((p, i) => !/^\d+$/.test(p) || sizes[i] < 1 || sizes[i] > 512);
  if (bad !== undefined || sizes.length > 6) {
    report(`${what}: '${text}' is not a list of up to 6 sizes from 1 to 512 (e.g. "32" or "16, 8")${bad !== undefined ? `; '${bad}' is not one` : ''}`, true);
    return null;
  }
  return sizes;
}

function readNumber(id: string, what: string, min: number, integer: boolean, report: Report = say): number | null {
  const v = Number(input(id).value);
  const bad = input(id).value.trim() === '' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v));
  input(id).setAttribute('aria-invalid', String(bad));
  if (bad) {
    report(`${what} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, got '${input(id).value}'`, true);
    return null;
  }
  return v;
}

function readConfig(): TrainConfig | null {
  const hidden = parseHidden(input('hidden').value, 'Hidden layers');
  const learningRate = readNumber('rate', 'The learning rate', 0, false);
  const batchSize = readNumber('batch', 'The batch size', 1, true);
  if (hidden === null || learningRate === null || batchSize === null) return null;
  return {
    dataset: select('dataset').value as DatasetName,
    hidden,
    activation: select('activation').value as ActivationName,
    loss: select('loss').value as LossName,
    optimizer: select('optimizer').value as OptimizerName,
    learningRate,
    batchSize,
    engine: select('engine').value as EngineName,
    precision: select('precision').value as Precision,
    simd,
    seed: 1,
  };
}

/** Puts a configuration into the controls (after loading a model). */
function showConfig(c: TrainConfig): void {
  select('dataset').value = c.dataset;
  input('hidden').value = c.hidden.join(', ');
  select('activation').value = c.activation;
  select('loss').value = c.loss;
  select('optimizer').value = c.optimizer;
  input('rate').value = String(c.learningRate);
  input('batch').value = String(c.batchSize);
  select('engine').value = c.engine;
  // The model's precision is the choice now (kept for the other engines where it is educational).
  select('precision').disabled = false;
  select('precision').value = c.precision;
  precisionChoice = null;
  showPrecision();
}

/** The educational engine computes in f64 alone: its precision shown so, the choice for the others kept for when they are chosen again. */
let precisionChoice: string | null = null;
function showPrecision(): void {
  const educational = select('engine').value === 'educational';
  const precision = select('precision');
  if (educational && !precision.disabled) precisionChoice = precision.value;
  if (!educational && precision.disabled && precisionChoice !== null) precision.value = precisionChoice;
  if (educational) precision.value = 'f64';
  precision.disabled = educational;
}

// ---------------------------------------------------------------------------------------------
// Training

const charts = new Charts($('loss-chart'), $('accuracy-chart'));
const boundary = new BoundaryView($<HTMLCanvasElement>('boundary'));
let info: NetInfo | null = null;
let running = false;
/** Whether the engines race: training waits for it (Start and Step with it). */
let racing = false;

/** Start and Step while training neither runs nor waits for the race, Pause while it runs. */
function showControls(): void {
  button('start').disabled = running || racing;
  button('step').disabled = running || racing;
  button('pause').disabled = !running;
}
/** The status after the latest epoch, which progress inside a long epoch is added to. */
let progressText = '';
let batchShownAt = 0;
/** A learning rate or batch size that cannot be used, said until it is mended: progress does not write over it. */
let settingsError: string | null = null;

function describe(i: NetInfo): string {
  const c = i.config;
  const where =
    c.engine === 'wasm'
      ? `WebAssembly ${i.backend === 'simd128' ? 'SIMD128' : 'scalar'}, ${c.precision}`
      : c.engine === 'js'
        ? `JavaScript, ${c.precision}`
        : 'one object per neuron, f64';
  return `${i.layers.join('-')} network on the ${c.engine} engine (${where})`;
}

function showKernels(backend: string | null): void {
  const scalar = backend === 'scalar' || simdOff || !simdSupported();
  kernels.textContent = scalar
    ? `WebAssembly: scalar artefact (SIMD128 ${simdOff ? 'turned off by ?simd=0' : 'unavailable in this browser'})`
    : 'WebAssembly: SIMD128 artefact';
  kernels.classList.toggle('scalar', scalar);
  kernels.dataset.backend = scalar ? 'scalar' : 'simd128';
}

const trainer = new Training({
  ready(i) {
    info = i;
    charts.clear();
    charts.add(i.history);
    const name = i.config.dataset;
    $('planar').hidden = !isPlanar(name);
    $('digits').hidden = name !== 'digits';
    $('iris').hidden = name !== 'iris';
    if (isPlanar(name)) boundary.setData(generate(name, 1), EXTENT[name]);
    if (i.config.engine === 'wasm') showKernels(i.backend);
    status.dataset.backend = i.backend;
    status.dataset.engine = i.config.engine;
    delete status.dataset.epoch;
    for (const key of ['batchEpoch', 'batch', 'batches']) delete status.dataset[key];
    progressText = '';
    const rows = i.testRows === i.trainRows && name === 'xor' ? 'its 4 points' : `${number(i.trainRows)} training and ${number(i.testRows)} test samples`;
    say(`Ready: a ${describe(i)}, ${rows}. Press Start.`);
    status.dataset.ready = 'true';
    void predictDrawing();
  },
  progress(points, samplesPerSecond, b) {
    charts.add(points);
    if (b) boundary.setBoundary(b);
    const p: EpochPoint | undefined = charts.last;
    if (!p || !info) return;
    progressText =
      `Epoch ${number(p.epoch)} · loss ${p.loss.toPrecision(4)} · accuracy ${percent(p.trainAccuracy)} (test ${percent(p.testAccuracy)})` +
      (samplesPerSecond > 0 ? ` · ${number(samplesPerSecond)} samples/s` : '') +
      ` · ${info.config.engine}${info.config.engine === 'wasm' ? ` ${info.backend}` : ''}`;
    if (!settingsError) say(progressText);
    Object.assign(status.dataset, { epoch: String(p.epoch), loss: String(p.loss), accuracy: String(p.testAccuracy), trainAccuracy: String(p.trainAccuracy) });
    if (points.length > 0 && info.config.dataset === 'digits') void predictDrawing(300);
  },
  batch(epoch, batch, batches) {
    Object.assign(status.dataset, { batchEpoch: String(epoch), batch: String(batch), batches: String(batches) });
    // The text at most every 100 ms: each change is a repaint, which competes with training for a core.
    if (settingsError || performance.now() - batchShownAt < 100) return;
    batchShownAt = performance.now();
    say(`${progressText || 'Training'} · epoch ${number(epoch)}: minibatch ${number(batch)} of ${number(batches)}`);
  },
  state(on) {
    running = on;
    showControls();
    document.body.dataset.running = String(on);
  },
  error(message) {
    say(`Stopped: ${message}`, true);
    // The badge said which artefact this browser supports; none of them loaded.
    if (/WebAssembly kernels/.test(message)) {
      kernels.textContent = 'WebAssembly: the kernels could not load (the js and educational engines still run)';
      kernels.classList.add('scalar');
      kernels.dataset.backend = 'none';
    }
  },
});

function reset(): void {
  const c = readConfig();
  if (!c) return;
  delete status.dataset.ready;
  say('Creating the network…');
  void trainer.reset(c);
}

/** The choices of each select: value and label. */
const CHOICES: Record<string, [string, string][]> = {
  dataset: DATASETS.map((name) => [name, DATASET_INFO[name].label]),
  activation: [
    ['sigmoid', 'sigmoid'],
    ['tanh', 'tanh'],
    ['relu', 'ReLU'],
    ['leaky-relu', 'leaky ReLU'],
  ],
  loss: [
    ['cross-entropy', 'cross-entropy'],
    ['mse', '½ MSE'],
  ],
  optimizer: [
    ['sgd', 'SGD'],
    ['momentum', 'momentum'],
    ['adam', 'Adam'],
  ],
  engine: ENGINES.map((e) => [e, e]),
  precision: PRECISIONS.map((p) => [p, p]),
};
for (const [id, options] of Object.entries(CHOICES)) select(id).append(...options.map(([value, label]) => new Option(label, value)));
select('dataset').addEventListener('change', () => {
  const d = DATASET_INFO[select('dataset').value as DatasetName];
  input('hidden').value = d.hidden;
  input('rate').value = String(d.learningRate);
  reset();
});
// Adam scales each step by the gradients' size: the rates that suit SGD on these sets (0.1–2) make it
// stall or diverge (digits sat at 9.5 % accuracy with η = 0.5). Switching to it from the data set's
// rate takes Adam's; switching back restores the data set's.
const ADAM_RATE = 0.01;
select('optimizer').addEventListener('change', () => {
  const suggested = DATASET_INFO[select('dataset').value as DatasetName].learningRate;
  const rate = input('rate');
  if (select('optimizer').value === 'adam' && Number(rate.value) === suggested) rate.value = String(ADAM_RATE);
  else if (select('optimizer').value !== 'adam' && Number(rate.value) === ADAM_RATE) rate.value = String(suggested);
});
// The precision shown first: the network reset builds is read from it.
select('engine').addEventListener('change', showPrecision);
for (const id of ['hidden', 'activation', 'loss', 'optimizer', 'engine', 'precision']) $(id).addEventListener('change', reset);
/** Whether training was paused for a value that cannot be used: mended, it goes on by itself. */
let pausedForSettings = false;
for (const id of ['rate', 'batch']) {
  input(id).addEventListener('change', () => {
    const c = readConfig();
    settingsError = c ? null : status.textContent;
    if (c) {
      const resume = pausedForSettings;
      pausedForSettings = false;
      if (resume) say(`Training: ${info ? describe(info) : ''}…`);
      // The settings first (a paused fit is ended for them), then training goes on with them
      // (after the race, if the engines race).
      if (resume && racing) resumeAfterRace = true;
      void trainer.configure(c.learningRate, c.batchSize).then(() => (resume && !racing ? trainer.start() : undefined));
    } else if (running) {
      // Training on with the old value while the field shows another would mislead: it pauses,
      // the mistake shown until it is mended.
      pausedForSettings = true;
      void trainer.pause();
    }
  });
}
/** Start: training goes on with the settings shown, unless one cannot be used or the engines race. */
function start(): void {
  if (racing) return;
  const c = readConfig();
  settingsError = c ? null : status.textContent;
  if (!c) return;
  pausedForSettings = false;
  say(`Training: ${info ? describe(info) : ''}…`);
  void trainer.start();
}
button('start').addEventListener('click', start);
button('pause').addEventListener('click', () => {
  pausedForSettings = false;
  void trainer.pause();
});
button('step').addEventListener('click', () => void trainer.step());
button('reset').addEventListener('click', reset);

button('save').addEventListener('click', async () => {
  try {
    const text = await trainer.save();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    a.download = `wasm-backprop-${info?.config.dataset ?? 'model'}-${info?.layers.join('-') ?? ''}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (e) {
    say(`Could not save the model: ${(e as Error).message}`, true);
  }
});
input('load').addEventListener('change', async () => {
  const file = input('load').files?.[0];
  input('load').value = '';
  if (!file) return;
  try {
    const loaded = await trainer.load(await file.text(), select('dataset').value as DatasetName, simd);
    showConfig(loaded.config);
    say(`Loaded ${file.name}: a ${describe(loaded)}. Press Start to train on.`);
  } catch (e) {
    say(`Could not load ${file.name}: ${(e as Error).message}`, true);
  }
});

// ---------------------------------------------------------------------------------------------
// The digit pad

let drawing: number[] | null = null;
let predictAt = 0;
const pad = new DigitPad($<HTMLCanvasElement>('pad'), $<HTMLCanvasElement>('preview'), (x) => {
  drawing = x;
  void predictDrawing();
});
button('clear').addEventListener('click', () => pad.clear());

/** The drawing's class probabilities (at most once per `every` ms while training). */
async function predictDrawing(every = 0): Promise<void> {
  const list = $('probabilities');
  if (!drawing || info?.config.dataset !== 'digits') return showProbabilities(list, null);
  if (every > 0 && performance.now() - predictAt < every) return;
  predictAt = performance.now();
  try {
    const probabilities = await trainer.predict(drawing);
    if (probabilities) showProbabilities(list, probabilities);
  } catch (e) {
    say(`Could not predict: ${(e as Error).message}`, true);
  }
}

// ---------------------------------------------------------------------------------------------
// Inside the network

const view = new NetworkView(document.getElementById('network') as unknown as SVGSVGElement, $('neuron-info'), $('edu-sample'));
let playing = 0;
/** The educational view's mistakes, said beside its controls (the Train panel's status can be a screen away). */
const eduStatus = $('edu-status');
const eduSay: Report = (text, error = false) => {
  eduStatus.textContent = text;
  eduStatus.hidden = text === '';
  eduStatus.classList.toggle('error', error);
};
async function resetView(): Promise<void> {
  const hidden = parseHidden(input('edu-hidden').value, 'Hidden layers', eduSay);
  const rate = readNumber('edu-rate', 'The learning rate', 0, false, eduSay);
  if (!hidden || rate === null) return;
  if (hidden.some((n) => n > 12)) return eduSay('This view draws layers of up to 12 neurons', true);
  eduSay('');
  await view.reset(select('edu-dataset').value as SmallDataset, hidden, rate);
}
for (const id of ['edu-dataset', 'edu-hidden']) $(id).addEventListener('change', () => void resetView());
input('edu-rate').addEventListener('change', () => {
  const rate = readNumber('edu-rate', 'The learning rate', 0, false, eduSay);
  if (rate !== null) (eduSay(''), view.setLearningRate(rate));
});
button('edu-step').addEventListener('click', () => view.step());
button('edu-step10').addEventListener('click', () => view.step(10));
button('edu-reset').addEventListener('click', () => void resetView());
button('edu-play').addEventListener('click', () => {
  if (playing) {
    clearInterval(playing);
    playing = 0;
  } else {
    playing = window.setInterval(() => view.step(), 80);
  }
  button('edu-play').textContent = playing ? 'Pause' : 'Play';
});

// ---------------------------------------------------------------------------------------------
// The race

// Training that ran before the race goes on after it.
let resumeAfterRace = false;
const race = new Race($('race-lanes'), $('race-summary'), () => {
  button('race').disabled = false;
  racing = false;
  showControls();
  if (resumeAfterRace) start();
});
button('race').addEventListener('click', () => {
  const hidden = parseHidden(input('hidden').value, 'Hidden layers');
  const batchSize = readNumber('batch', 'The batch size', 1, true);
  if (!hidden || batchSize === null) return;
  resumeAfterRace = running;
  if (running) void trainer.pause();
  button('race').disabled = true;
  racing = true;
  showControls();
  // With the educational engine chosen, the precision chosen for the others (the js and wasm lanes).
  const shown = select('precision');
  const precision = (shown.disabled && precisionChoice !== null ? precisionChoice : shown.value) as Precision;
  void race.start({ hidden, batchSize, learningRate: 0.5, precision, simd, seconds: Number(select('race-seconds').value) });
});

// ---------------------------------------------------------------------------------------------

showKernels(null);
select('dataset').value = 'digits';
reset();
void resetView();
