/**
 * The model file: a network with all it was trained to and all training continues from, as one
 * versioned, self-describing, JSON-able object (every field: docs/model-format.md). A network saved
 * and loaded predicts to the same bits, and training resumed from it continues exactly as if it had
 * never stopped, on every engine and precision.
 *
 * Reading validates everything before any allocation proportional to what the file claims: the
 * version, every type, the sizes against LIMITS and against each other, then the values (finite,
 * within range). Each problem is one `ArgumentError` naming the field.
 *
 * No Node imports: browser apps bundle this file. Files in Node: ./node/index.ts.
 */
import { firstRepeated } from './columns.js';
import { decodeNumbers, decodeUtf8, encodeNumbers, formatJson, parseJson, type Dtype } from './encoding.js';
import { LIMITS, type TrainingState } from './engine.js';
import { ArgumentError, checkInteger, checkOneOf, checkRate, fail, show } from './errors.js';
import { Network } from './network.js';
import { checkTrainingState, resolveOptimizer, resolveOptions, type NetworkConfig, type NetworkOptions } from './options.js';
import { Layout } from './parameters.js';
import type { FeatureScaling } from './scaling.js';
import {
  ENGINES,
  F32_MAX,
  type ActivationName,
  type EngineName,
  type EpochRecord,
  type History,
  type InitName,
  type InputLayer,
  type LossName,
  type OptimizerOption,
  type OptimizerSettings,
  type Precision,
} from './types.js';
import type { ThreadsOption } from './threads/settings.js';
import type { LoadOptions } from './wasm/loader.js';

export const MODEL_FORMAT = 'wasm-backprop-model';
const NOT_A_MODEL = 'not a wasm-backprop model';
/** The version this library writes, and the newest it reads. */
export const MODEL_VERSION = 1;
/** The library that writes the models (pinned against package.json by test/model.test.ts). */
export const LIBRARY = { library: 'wasm-backprop', version: '0.1.0' } as const;
/** The longest model text read: V8's longest string (2^29 − 24 UTF-16 units). */
export const MAX_MODEL_TEXT = 2 ** 29 - 24;

const DTYPE: Record<Precision, Dtype> = { f32: 'float32', f64: 'float64' };

/** Numbers of the network's precision: little-endian IEEE 754 bytes, base64 (RFC 4648, padded). */
export interface EncodedNumbers {
  dtype: Dtype;
  base64: string;
}

/** What the network was trained on, so that raw data can be prepared and outputs named as in training. */
export interface ModelData {
  /** One name per input (n_0). */
  features?: string[];
  scaling?: FeatureScaling;
  task?: 'classification' | 'regression';
  /** Classification: the label of each output (n_L), or of outputs below and above ½ with one output. */
  classes?: (string | number)[];
  /** The name of the target. */
  label?: string;
  /** The label's column (0-based) in the file trained on, where the other columns are the inputs in order: a file without a header is read so. */
  labelColumn?: number;
  /**
   * Regression: the scaling of the targets the network learnt (y′ = (y − offset) / scale, one per
   * output); its outputs are y′, and y = y′ · scale + offset. Absent: the outputs are the targets.
   */
  targetScaling?: FeatureScaling;
  /** The fraction of the rows held out from training (which ones: `options.seed`), as the CLI's `train --test-fraction`. */
  testFraction?: number;
  /** The rows per minibatch the CLI's `train` last trained it with (`--batch-size`), which `train --resume` goes on with unless given another. */
  batchSize?: number;
}

export interface Model {
  format: typeof MODEL_FORMAT;
  version: number;
  createdBy?: { library: string; version: string };
  architecture: {
    /** n_0 … n_L. */
    layers: number[];
    /** f_1 … f_L. */
    activations: ActivationName[];
    inputLayer: InputLayer;
    /** f_0, with inputLayer 'activated' only. */
    inputActivation?: ActivationName;
    loss: LossName;
  };
  options: { engine: EngineName; precision: Precision; seed: number; init: InitName; biasInit: number };
  data?: ModelData;
  training: {
    optimizer: OptimizerSettings;
    learningRate: number;
    biasLearningRate: number;
    /** Updates since the optimizer's state was cleared (Adam's t). */
    step: number;
    /** Epochs trained. */
    epochs: number;
    /** The shuffling generator's four 32-bit words. */
    shuffle: number[];
    /** Momentum's velocity or Adam's first moment (flat layout); null for SGD. */
    m: EncodedNumbers | null;
    /** Adam's second moment; null for SGD and momentum. */
    v: EncodedNumbers | null;
  };
  history: EpochRecord[];
  /** Every parameter in the flat layout [W_0 | b_0 | … | b_in] (ts/parameters.ts). */
  parameters: EncodedNumbers & { byteOrder: 'little'; length: number };
}

/** What a network does not know about its training, for `toModel`. */
export interface ModelExtra {
  /** The epochs trained, in order (`fit`'s history, or records of several fits joined). */
  history?: readonly EpochRecord[] | History;
  /** Epochs trained. Default: the number of history records. */
  epochs?: number;
  data?: ModelData;
}

export interface LoadNetworkOptions {
  /** Another engine of the model's precision ('auto': wasm where it loads, else js). */
  engine?: EngineName | 'auto';
  wasm?: LoadOptions;
  /** Threads the network's `fit` trains on (`Network.create`'s option; a model file does not hold it). */
  threads?: ThreadsOption;
}

/** A model read and checked: the model, the network options it makes, the parameters and the training state. */
interface ReadModel {
  model: Model;
  options: NetworkOptions;
  cfg: NetworkConfig;
  parameters: Float64Array;
  state: TrainingState;
}

type Fields = Record<string, unknown>;

/** `value` must be an object with only the `allowed` keys (and every one of `required`). */
function fields(value: unknown, what: string, allowed: readonly string[], required: readonly string[] = allowed): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be an object, got ${show(value)}`);
  for (const k of Object.keys(value)) if (!allowed.includes(k)) fail(`${what}.${k} is not a known field (known: ${allowed.join(', ')})`);
  for (const k of required) if ((value as Fields)[k] === undefined) fail(`${what}.${k} is missing`);
  return value as Fields;
}

/** Where each network option lives in a model, to name the field in resolveOptions' errors. */
const OPTION_FIELDS: Record<string, string> = {
  layers: 'architecture.layers',
  activations: 'architecture.activations',
  inputLayer: 'architecture.inputLayer',
  inputActivation: 'architecture.inputActivation',
  loss: 'architecture.loss',
  optimizer: 'training.optimizer',
  learningRate: 'training.learningRate',
  biasLearningRate: 'training.biasLearningRate',
};

/** The network options of a model, resolved by the same code as `Network.create`'s, errors naming the model's fields. */
function modelOptions(arch: Fields, opts: Fields, training: Fields, what: string): [NetworkOptions, NetworkConfig] {
  const activated = arch.inputLayer === 'activated';
  if (activated && arch.inputActivation === undefined) fail(`${what}.architecture.inputActivation is missing (inputLayer 'activated')`);
  if (!activated && arch.inputActivation !== undefined) fail(`${what}.architecture.inputActivation only exists with inputLayer 'activated'`);
  const options = { ...arch, ...opts, optimizer: training.optimizer, learningRate: training.learningRate, biasLearningRate: training.biasLearningRate };
  // Network.create reads null as "not given" (its default): in a file, it is a value missing.
  for (const [part, f] of [
    ['architecture', arch],
    ['options', opts],
  ] as const)
    for (const [k, v] of Object.entries(f)) if (v === null) fail(`${what}.${part}.${k} is null: give its value`);
  try {
    // The optimizer's settings in full: none left to a default, none unknown.
    fields(
      training.optimizer,
      `${what}.training.optimizer`,
      Object.keys(resolveOptimizer(training.optimizer as OptimizerOption, `${what}.training.optimizer`)),
    );
    return [options as unknown as NetworkOptions, resolveOptions(options as unknown as NetworkOptions)];
  } catch (e) {
    if (!(e instanceof ArgumentError)) throw e;
    const msg = e.message.replace(/\boptions\.(\w+)/g, (_, k: string) => `${what}.${OPTION_FIELDS[k] ?? `options.${k}`}`);
    throw new ArgumentError(msg.startsWith(`${what}.`) ? msg : `${what}.${/engine/.test(msg) ? 'options' : 'architecture'}: ${msg}`);
  }
}

function checkHistory(history: unknown, what: string): EpochRecord[] {
  if (!Array.isArray(history)) fail(`${what} must be an array of epoch records, got ${show(history)}`);
  return Array.from(history, (r, i) => {
    const at = `${what}[${i}]`;
    const f = fields(r, at, ['epoch', 'loss', 'validationLoss', 'validationAccuracy'], ['epoch', 'loss']);
    checkInteger(f.epoch, `${at}.epoch`, 1);
    for (const k of ['loss', 'validationLoss', 'validationAccuracy'] as const) if (f[k] !== undefined || k === 'loss') checkRate(f[k], `${at}.${k}`);
    if (f.validationAccuracy !== undefined && (f.validationAccuracy as number) > 1)
      fail(`${at}.validationAccuracy must be at most 1, got ${f.validationAccuracy}`);
    return { ...(f as unknown as EpochRecord) };
  });
}

function checkList<T>(list: unknown, length: number, what: string, meaning: string, check: (v: unknown, at: string) => T): T[] {
  if (!Array.isArray(list) || list.length !== length) fail(`${what} must have ${length} entries (${meaning}), got ${show(list)}`);
  return Array.from(list, (v, i) => check(v, `${what}[${i}]`));
}

const checkString = (v: unknown, at: string): string => (typeof v === 'string' ? v : fail(`${at} must be a string, got ${show(v)}`));
const checkFinite = (v: unknown, at: string): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fail(`${at} must be a finite number, got ${show(v)}`);

/** A model's `data` (names, scaling, classes…) checked against its layers; errors name `what`. */
export function checkData(data: unknown, layers: readonly number[], what: string): ModelData {
  const f = fields(data, what, ['features', 'scaling', 'task', 'classes', 'label', 'labelColumn', 'targetScaling', 'testFraction', 'batchSize'], []);
  const [inputs, outputs] = [layers[0], layers[layers.length - 1]];
  if (f.features !== undefined) {
    const names = checkList(f.features, inputs, `${what}.features`, 'one name per input', checkString);
    const twice = firstRepeated(names);
    if (twice >= 0) fail(`${what}.features[${twice}] repeats ${show(names[twice])}: inputs are found by name`);
  }
  const checkScaling = (scaling: unknown, name: string, columns: number, each: string, v: string) => {
    const s = fields(scaling, `${what}.${name}`, ['kind', 'offset', 'scale'], ['kind']);
    const kind = checkOneOf(s.kind, `${what}.${name}.kind`, ['minmax', 'standard', 'custom', 'none'] as const);
    for (const k of ['offset', 'scale'] as const) {
      if (kind === 'none' && s[k] !== undefined) fail(`${what}.${name}.${k} must be absent with kind 'none'`);
      // Fitted on float32 data, a scaling is within twice float32's range (a min-max scale); a target
      // scale of 1e308 made every prediction overflow.
      const inF32 = (v: unknown, at: string) =>
        Math.abs(checkFinite(v, at)) <= 2 * F32_MAX ? v : fail(`${at} must be at most 6.8e38 in magnitude (it scales float32 data), got ${show(v)}`);
      if (kind !== 'none') checkList(s[k], columns, `${what}.${name}.${k}`, each, inF32);
    }
    // 1/scale must be finite too: a subnormal scale turns every value into Infinity.
    (s.scale as number[] | undefined)?.forEach(
      (x, j) =>
        !Number.isFinite(1 / x) &&
        fail(`${what}.${name}.scale[${j}] must not be 0 or so near it that 1/scale overflows, got ${x} (${v}' = (${v} − offset) / scale)`),
    );
  };
  if (f.scaling !== undefined) checkScaling(f.scaling, 'scaling', inputs, 'one per input', 'x');
  if (f.task !== undefined) checkOneOf(f.task, `${what}.task`, ['classification', 'regression'] as const);
  if (f.targetScaling !== undefined) {
    if (f.task !== 'regression') fail(`${what}.targetScaling needs task 'regression', got task ${show(f.task)}`);
    checkScaling(f.targetScaling, 'targetScaling', outputs, 'one per output', 'y');
  }
  if (f.classes !== undefined) {
    if (f.task !== 'classification') fail(`${what}.classes needs task 'classification', got task ${show(f.task)}`);
    const meaning = outputs === 1 ? 'below and above ½ of the one output' : 'one per output';
    const classes = checkList(f.classes, Math.max(2, outputs), `${what}.classes`, meaning, (v, at) =>
      typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : fail(`${at} must be a string or a finite number, got ${show(v)}`),
    );
    // As text: a file's labels are read as text, so 1 and '1' would be one class.
    const text = classes.map(String);
    const twice = firstRepeated(text);
    if (twice >= 0) fail(`${what}.classes[${twice}] repeats ${show(text[twice])} (classes are told apart as text)`);
  }
  if (f.label !== undefined) checkString(f.label, `${what}.label`);
  if (f.labelColumn !== undefined) checkInteger(f.labelColumn, `${what}.labelColumn`, 0, inputs);
  if (f.testFraction !== undefined) {
    const t = checkFinite(f.testFraction, `${what}.testFraction`);
    if (t < 0 || t >= 1) fail(`${what}.testFraction must be at least 0 and below 1, got ${t}`);
  }
  if (f.batchSize !== undefined) checkInteger(f.batchSize, `${what}.batchSize`, 1, LIMITS.maxBatch);
  return f as ModelData;
}

/** Everything in a model checked, in the order of the fields' dependencies; the arrays decoded last. */
function readModel(value: unknown, what = 'model'): ReadModel {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${NOT_A_MODEL}: expected an object, got ${show(value)}`);
  const format = (value as Fields).format;
  // A network (or a Trainer) given for its model.
  if (format === undefined && typeof (value as { getFlatParameters?: unknown }).getFlatParameters === 'function')
    fail(`${NOT_A_MODEL}: got a ${show(value)}; toModel(net) makes the model of a network (trainer.toModel() of a Trainer's)`);
  if (format !== MODEL_FORMAT) fail(`${NOT_A_MODEL}: ${what}.format must be '${MODEL_FORMAT}', got ${show(format)}`);
  const version = (value as Fields).version;
  checkInteger(version, `${what}.version`, 1);
  if ((version as number) > MODEL_VERSION) {
    fail(`${what}.version is ${version}: ${LIBRARY.library} ${LIBRARY.version} reads versions up to ${MODEL_VERSION}; a newer library wrote this model`);
  }
  const top = ['format', 'version', 'createdBy', 'architecture', 'options', 'data', 'training', 'history', 'parameters'];
  const m = fields(value, what, top, ['format', 'version', 'architecture', 'options', 'training', 'history', 'parameters']);
  if (m.createdBy !== undefined) {
    const c = fields(m.createdBy, `${what}.createdBy`, ['library', 'version']);
    checkString(c.library, `${what}.createdBy.library`);
    checkString(c.version, `${what}.createdBy.version`);
  }
  const arch = fields(
    m.architecture,
    `${what}.architecture`,
    ['layers', 'activations', 'inputLayer', 'inputActivation', 'loss'],
    ['layers', 'activations', 'inputLayer', 'loss'],
  );
  const opts = fields(m.options, `${what}.options`, ['engine', 'precision', 'seed', 'init', 'biasInit']);
  const trainingKeys = ['optimizer', 'learningRate', 'biasLearningRate', 'step', 'epochs', 'shuffle', 'm', 'v'];
  const t = fields(
    m.training,
    `${what}.training`,
    trainingKeys,
    trainingKeys.filter((k) => k !== 'm' && k !== 'v'),
  );
  const [options, cfg] = modelOptions(arch, opts, t, what);
  const layout = new Layout(cfg.arch);
  const n = layout.length;
  const dtype = DTYPE[cfg.precision];
  checkInteger(t.epochs, `${what}.training.epochs`, 0);
  checkHistory(m.history, `${what}.history`);
  if (m.data !== undefined) checkData(m.data, cfg.arch.sizes, `${what}.data`);

  const p = fields(m.parameters, `${what}.parameters`, ['dtype', 'byteOrder', 'length', 'base64']);
  if (p.dtype !== dtype) fail(`${what}.parameters.dtype must be '${dtype}' (${what}.options.precision is '${cfg.precision}'), got ${show(p.dtype)}`);
  if (p.byteOrder !== 'little') fail(`${what}.parameters.byteOrder must be 'little', got ${show(p.byteOrder)}`);
  if (p.length !== n) fail(`${what}.parameters.length must be ${n} (the parameters of layers ${cfg.arch.sizes.join('-')}), got ${show(p.length)}`);
  const moment = (name: 'm' | 'v'): Float64Array | null => {
    if (t[name] === null || t[name] === undefined) return null;
    const e = fields(t[name], `${what}.training.${name}`, ['dtype', 'base64']);
    if (e.dtype !== dtype) fail(`${what}.training.${name}.dtype must be '${dtype}' (the network's precision), got ${show(e.dtype)}`);
    return decodeNumbers(e.base64, dtype, n, `${what}.training.${name}`, 'values, one per parameter');
  };
  const raw = { ...t, m: moment('m'), v: moment('v') } as unknown as TrainingState;
  const state = checkTrainingState(raw, n, `${what}.training`);
  const parameters = decodeNumbers(p.base64, dtype, n, `${what}.parameters`, 'parameters');
  return { model: value as Model, options, cfg, parameters, state };
}

/** `value` checked as a model (every field, see docs/model-format.md); an `ArgumentError` names the first bad one. */
export function checkModel(value: unknown): Model {
  return readModel(value).model;
}

/** A network, its training state and what `extra` adds, as a model. */
export function toModel(net: Network, extra: ModelExtra = {}): Model {
  if (!(net instanceof Network)) fail(`toModel needs a Network (from Network.create or loadNetwork), got ${show(net)}`);
  const e = fields(extra, 'toModel extra', ['history', 'epochs', 'data'], []);
  // A fit's history gives its records; anything else that is not an array is named as it is.
  const h = e.history as unknown;
  const records = h === undefined ? [] : typeof h === 'object' && h !== null && !Array.isArray(h) && 'epochs' in h ? (h as History).epochs : h;
  const history = checkHistory(records, 'toModel history').map((r) => ({ ...r }));
  const epochs = checkInteger(e.epochs ?? history.length, 'toModel epochs', 0);
  const arch = net.engineInstance.layout.arch;
  const data = e.data === undefined ? undefined : (JSON.parse(JSON.stringify(checkData(e.data, arch.sizes, 'toModel data'))) as ModelData);
  const dtype = DTYPE[net.precision];
  const state = net.getTrainingState();
  const moment = (v: ArrayLike<number> | null) => (v === null ? null : { dtype, base64: encodeNumbers(v, dtype) });
  const parameters = net.getFlatParameters();
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    createdBy: { ...LIBRARY },
    architecture: {
      layers: [...arch.sizes],
      activations: arch.activations.slice(1),
      inputLayer: net.inputLayer,
      ...(arch.inputActivated ? { inputActivation: arch.activations[0] } : {}),
      loss: arch.loss,
    },
    options: { engine: net.engine, precision: net.precision, seed: net.seed, init: net.init, biasInit: net.biasInit },
    ...(data ? { data } : {}),
    training: {
      optimizer: state.optimizer,
      learningRate: state.learningRate,
      biasLearningRate: state.biasLearningRate,
      step: state.step,
      epochs,
      shuffle: state.shuffle,
      m: moment(state.m),
      v: moment(state.v),
    },
    history,
    parameters: { dtype, byteOrder: 'little', length: parameters.length, base64: encodeNumbers(parameters, dtype) },
  };
}

/** The JSON of a model text; an error names the position where it stops being JSON. */
function parseModelText(text: unknown): unknown {
  if (typeof text !== 'string') fail(`${NOT_A_MODEL}: expected a string, got ${show(text)}`);
  if (text.length > MAX_MODEL_TEXT) fail(`${NOT_A_MODEL}: ${text.length} characters, more than ${MAX_MODEL_TEXT}`);
  // A file's name where its text was meant: say how to read the file.
  if (/^[^{\n]{1,4096}\.json$/i.test(text.trim()))
    fail(
      `${NOT_A_MODEL}: '${text.trim()}' is a file name, not a model's text: read the file first (loadNetworkFile or loadModel from 'wasm-backprop/node', or fetch in a browser)`,
    );
  return parseJson(text, NOT_A_MODEL);
}

/** A model's source as the loaders take it: its text, its bytes (an ArrayBuffer seen as bytes), or the model. */
function modelSource(source: unknown): unknown {
  if (source instanceof ArrayBuffer) return parseModelText(decodeText(new Uint8Array(source)));
  return typeof source === 'string' ? parseModelText(source) : source instanceof Uint8Array ? parseModelText(decodeText(source)) : source;
}

/** A model as JSON text (checked first: what is written can be read). */
export function modelToString(model: Model): string {
  return formatJson(checkModel(model));
}

/** A model from JSON text, checked. */
export function modelFromString(text: string): Model {
  return checkModel(parseModelText(text));
}

/** A model as UTF-8 JSON (for a download, IndexedDB or a request body). */
export function modelToBytes(model: Model): Uint8Array {
  return new TextEncoder().encode(modelToString(model));
}

function decodeText(bytes: Uint8Array): string {
  if (bytes?.length > 3 * MAX_MODEL_TEXT) fail(`${NOT_A_MODEL}: ${bytes.length} bytes, more than a model text can hold`);
  return decodeUtf8(bytes, NOT_A_MODEL);
}

/** A model from UTF-8 JSON, checked. */
export function modelFromBytes(bytes: Uint8Array): Model {
  return modelFromString(decodeText(bytes));
}

/** A model from what the loaders take (its text, its bytes or an ArrayBuffer of them, or a model), checked. */
export function modelFrom(source: Model | string | Uint8Array | ArrayBuffer): Model {
  return checkModel(modelSource(source));
}

/**
 * A network from a model (object, JSON text or UTF-8 bytes): created with the model's options (or
 * on `options.engine`, which must compute in the model's precision), then given its parameters and
 * training state. Everything is checked before the network is created.
 */
export async function loadNetwork(source: Model | string | Uint8Array | ArrayBuffer, options: LoadNetworkOptions = {}): Promise<Network> {
  const { options: modelOpts, cfg, parameters, state } = readModel(modelSource(source));
  const o = fields(options, 'loadNetwork options', ['engine', 'wasm', 'threads'], []);
  const engine = o.engine === undefined ? cfg.engine : checkOneOf(o.engine, 'loadNetwork options.engine', [...ENGINES, 'auto'] as const);
  if (engine === 'educational' && cfg.precision !== 'f64') {
    fail(`loadNetwork: the model is in precision '${cfg.precision}' and the educational engine computes in f64 only: load it on engine 'js' or 'wasm'`);
  }
  if (o.wasm !== undefined && engine !== 'wasm' && engine !== 'auto') fail(`loadNetwork options.wasm applies to the wasm engine only, got engine '${engine}'`);
  const net = await Network.create({
    ...modelOpts,
    engine,
    ...(o.wasm !== undefined ? { wasm: o.wasm as LoadOptions } : {}),
    ...(o.threads !== undefined ? { threads: o.threads as ThreadsOption } : {}),
  });
  try {
    net.setFlatParameters(parameters);
    net.setTrainingState(state);
    return net;
  } catch (e) {
    net.dispose();
    throw e;
  }
}
