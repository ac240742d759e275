/**
 * The TensorFlow.js Layers format (docs/export.md): a network as `model.json` (a Keras `Sequential`
 * of `Dense` layers, `format: 'layers-model'`) and its weights as raw little-endian float32
 * (`weights.bin`), and such a model read back into a network.
 *
 * Layout. Our W_l is n_{l+1} × n_l with a row per destination neuron (Z = A·Wᵀ + b); a Keras Dense
 * kernel is [in, out] (y = x·kernel + bias), so kernel[j][k] = W_l[k][j]. Activations: sigmoid,
 * tanh, relu, linear and softmax are the Dense layer's own `activation`; leaky-relu is a linear
 * Dense followed by a `LeakyReLU` layer whose `alpha` (0.01, this library's slope) is written out,
 * since Keras' default is 0.3. The paper's activated input layer (a_0 = f(x + b_in)) has no Layers
 * equivalent and is refused by name (the ONNX exporter expresses it). TF.js computes in float32:
 * an f64 network's parameters are rounded to float32.
 *
 * Pure and dependency-free: browser apps bundle it (files in Node: ./node.ts).
 */
import { ArgumentError, fail, show } from '../errors.js';
import { checkData, LIBRARY, type Model, type ModelData } from '../model.js';
import { Network } from '../network.js';
import { checkOptionNames, resolveOptions, type NetworkOptions } from '../options.js';
import { Layout } from '../parameters.js';
import { LEAKY_SLOPE } from '../engines/math.js';
import type { ActivationName, LossName } from '../types.js';
import { exportMetadata, exportSource, layerParameters, METADATA_KEY } from './source.js';

/** One weight of a TF.js weights manifest. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
  group?: string;
}

/** A Keras layer as model.json stores it. */
export interface TfjsLayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

/** The model.json of a TF.js Layers model (tfjs-core's `ModelJSON`). */
export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  modelTopology: { class_name: 'Sequential'; config: { name: string; layers: TfjsLayerJson[] }; keras_version: string; backend: string };
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

/** A TF.js Layers model in memory: model.json as an object and the bytes of its weight files, concatenated in manifest order. */
export interface TfjsArtifacts {
  modelJson: TfjsModelJson;
  weightData: ArrayBuffer;
}

export interface TfjsExportOptions {
  /** The weight file named in the manifest, relative to model.json. Default 'weights.bin'. */
  weightsPath?: string;
}

/** A TF.js model read: what `Network.create` needs, the parameters, and the data a model file of this library had. */
export interface TfjsNetwork {
  /** layers and activations from the model; loss from this library's metadata, else cross-entropy with softmax, mse otherwise. */
  options: Pick<NetworkOptions, 'layers' | 'activations' | 'loss'> & { layers: number[]; activations: ActivationName[]; loss: LossName };
  /** [W_0 | b_0 | …] in this library's flat layout (ts/parameters.ts). */
  flat: Float64Array;
  /** The model file's `data` (scaling, classes, …) when this library wrote the model.json. */
  data?: ModelData;
}

/** Network options `fromTfjs` takes: everything but the architecture, which the model gives. */
export type TfjsImportOptions = Omit<NetworkOptions, 'layers' | 'activation' | 'activations' | 'output' | 'inputLayer' | 'inputActivation'>;

/** Our activations that are a Dense layer's own `activation` string. */
const DENSE_ACTIVATIONS: Partial<Record<ActivationName, string>> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', linear: 'linear', softmax: 'softmax' };
const KERNEL_INITIALIZER = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } };

function dense(name: string, units: number, activation: string, inputs: number | null): TfjsLayerJson {
  return {
    class_name: 'Dense',
    config: {
      units,
      activation,
      use_bias: true,
      kernel_initializer: KERNEL_INITIALIZER,
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
      dtype: 'float32',
      ...(inputs !== null ? { batch_input_shape: [null, inputs] } : {}),
    },
  };
}

/** `v` as float32; an error names the parameter when it does not fit. */
function toFloat32(values: Float64Array, into: Float32Array, at: number, what: (i: number) => string): void {
  for (let i = 0; i < values.length; i++) {
    const f = Math.fround(values[i]);
    if (!Number.isFinite(f)) fail(`${what(i)} = ${values[i]} does not fit in float32, the only precision of TF.js`);
    into[at + i] = f;
  }
}

/**
 * A network (or a model file's network) as a TF.js Layers model: model.json and the weight bytes.
 * Load it in TF.js with `tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }))`,
 * or from files written by `saveTfjs` (wasm-backprop/node) with `tf.loadLayersModel(url)`.
 */
export function toTfjs(source: Network | Model, options: TfjsExportOptions = {}): TfjsArtifacts {
  checkOptionNames(options, ['weightsPath'], 'toTfjs options');
  const weightsPath = options.weightsPath ?? 'weights.bin';
  if (typeof weightsPath !== 'string' || weightsPath === '') fail(`toTfjs options.weightsPath must be a file name, got ${show(weightsPath)}`);
  const s = exportSource(source, 'toTfjs');
  if (s.arch.inputActivated) {
    fail(
      `toTfjs: the activated input layer (inputLayer 'activated': a_0 = ${s.arch.activations[0]}(x + b_in)) has no TF.js Layers equivalent; ` +
        'export to ONNX instead, which expresses it',
    );
  }
  const layers: TfjsLayerJson[] = [];
  const weights: TfjsWeightSpec[] = [];
  const depth = s.layout.depth;
  const data = new Float32Array(s.layout.length);
  let at = 0;
  let leaky = 0;
  for (let l = 0; l < depth; l++) {
    const f = s.arch.activations[l + 1];
    const name = `dense_${l + 1}`;
    const { weights: w, biases: b, inputs, outputs } = layerParameters(s, l);
    layers.push(dense(name, outputs, DENSE_ACTIVATIONS[f] ?? 'linear', l === 0 ? inputs : null));
    if (f === 'leaky-relu')
      layers.push({ class_name: 'LeakyReLU', config: { alpha: LEAKY_SLOPE, name: `leaky_re_lu_${++leaky}`, trainable: true, dtype: 'float32' } });
    // kernel[j][k] = W_l[k][j]: the transpose, row-major [inputs, outputs].
    const kernel = new Float64Array(inputs * outputs);
    for (let k = 0; k < outputs; k++) for (let j = 0; j < inputs; j++) kernel[j * outputs + k] = w[k * inputs + j];
    toFloat32(kernel, data, at, (i) => `weights[${l}][${i % outputs}][${Math.floor(i / outputs)}]`);
    at += kernel.length;
    toFloat32(b, data, at, (k) => `biases[${l}][${k}]`);
    at += b.length;
    weights.push({ name: `${name}/kernel`, shape: [inputs, outputs], dtype: 'float32' }, { name: `${name}/bias`, shape: [outputs], dtype: 'float32' });
  }
  const generatedBy = `${LIBRARY.library} ${LIBRARY.version}`;
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy,
      convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name: 'sequential_1', layers }, keras_version: generatedBy, backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: [weightsPath], weights }],
      userDefinedMetadata: { [METADATA_KEY]: exportMetadata(s) },
    },
    weightData: data.buffer,
  };
}

type Fields = Record<string, unknown>;

function object(v: unknown, what: string): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be an object, got ${show(v)}`);
  return v as Fields;
}

/** The Keras activation names we read, by what they are called in files (Python and TF.js spell some differently). */
const KERAS_ACTIVATIONS: Record<string, ActivationName> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', linear: 'linear', softmax: 'softmax' };

function kerasActivation(v: unknown, at: string): ActivationName {
  // Keras 2 writes a name; some writers an object { class_name, config }; null means linear.
  const name = v === null || v === undefined ? 'linear' : typeof v === 'object' ? (v as Fields).class_name : v;
  if (typeof name !== 'string') fail(`${at}: activation must be a name, got ${show(v)}`);
  const f = KERAS_ACTIVATIONS[name];
  if (f === undefined)
    fail(`${at}: activation '${name}' has no equivalent here (importable: ${Object.keys(KERAS_ACTIVATIONS).join(', ')}, and LeakyReLU layers)`);
  return f;
}

/** A leaky-relu slope that is this library's (equal in float32: Keras writes alpha as float32 or float64). */
function checkSlope(alpha: unknown, at: string): void {
  if (alpha === undefined || alpha === null)
    fail(`${at}: LeakyReLU without alpha has Keras' default slope 0.3; this library's leaky-relu has slope ${LEAKY_SLOPE}`);
  if (typeof alpha !== 'number' || Math.fround(alpha) !== Math.fround(LEAKY_SLOPE)) {
    fail(`${at}: LeakyReLU with alpha ${show(alpha)}; this library's leaky-relu has slope ${LEAKY_SLOPE} only`);
  }
}

/** The input size a first layer states ([null, n] in batch_input_shape, batch_shape or input_shape [n]), or null. */
function statedInputs(config: Fields, at: string): number | null {
  const shape = config.batch_input_shape ?? config.batch_shape ?? (Array.isArray(config.input_shape) ? [null, ...config.input_shape] : undefined);
  if (shape === undefined || shape === null) return null;
  if (!Array.isArray(shape) || shape.length !== 2 || !Number.isInteger(shape[1]) || (shape[1] as number) < 1) {
    fail(`${at}: input shape ${JSON.stringify(shape)} is not [batch, features]: only flat inputs can be imported`);
  }
  return shape[1] as number;
}

interface DenseLayer {
  name: string;
  units: number;
  useBias: boolean;
  activation: ActivationName;
  /** Whether an Activation/LeakyReLU/ReLU/Softmax layer already set the activation. */
  activated: boolean;
  at: string;
}

/** The Sequential's Dense layers with their activations, from the topology. */
function readLayers(topology: Fields, what: string): { inputs: number | null; dense: DenseLayer[] } {
  const t = topology.model_config !== undefined ? object(topology.model_config, `${what}.modelTopology.model_config`) : topology;
  const kind = t.class_name;
  if (kind === undefined) fail(`${what}: modelTopology names no model class (class_name); only Sequential models of Dense layers can be imported`);
  if (kind !== 'Sequential') fail(`${what}: the model is a ${show(kind)}; only Sequential models of Dense layers can be imported`);
  const config = t.config;
  const list = Array.isArray(config) ? config : (object(config, `${what}: the Sequential's config`).layers as unknown);
  if (!Array.isArray(list) || list.length === 0) fail(`${what}: the Sequential has no layers`);
  let inputs: number | null = null;
  const dense: DenseLayer[] = [];
  list.forEach((raw, i) => {
    const layer = object(raw, `${what}: layer ${i + 1}`);
    const c = object(layer.config ?? {}, `${what}: layer ${i + 1}'s config`);
    const name = typeof c.name === 'string' ? c.name : `layer ${i + 1}`;
    if (typeof layer.class_name !== 'string') fail(`${what}: layer ${i + 1} '${name}' has no class_name (its kind: Dense, Activation, …)`);
    const at = `${what}: layer ${i + 1} '${name}' (${layer.class_name})`;
    if (dense.length === 0) inputs ??= statedInputs(c, at);
    const last = dense.at(-1);
    const activate = (f: ActivationName) => {
      if (!last) fail(`${at}: an activation before the first Dense layer cannot be imported`);
      if (last.activated || last.activation !== 'linear')
        fail(`${at}: '${last.name}' already has activation '${last.activation}'; two in a row cannot be imported`);
      last.activation = f;
      last.activated = true;
    };
    switch (layer.class_name) {
      case 'InputLayer':
        if (i !== 0) fail(`${at}: an InputLayer must come first`);
        break;
      case 'Dense': {
        if (c.units === undefined) fail(`${at}: its config has no units (the number of neurons)`);
        if (!Number.isInteger(c.units) || (c.units as number) < 1) fail(`${at}: units must be a positive integer, got ${show(c.units)}`);
        dense.push({ name, units: c.units as number, useBias: c.use_bias !== false, activation: kerasActivation(c.activation, at), activated: false, at });
        break;
      }
      case 'Activation':
        activate(kerasActivation(c.activation, at));
        break;
      case 'LeakyReLU':
        checkSlope(c.alpha ?? c.negative_slope, at);
        activate('leaky-relu');
        break;
      case 'ReLU':
        for (const [k, neutral] of [
          ['max_value', null],
          ['negative_slope', 0],
          ['threshold', 0],
        ] as const) {
          if (c[k] !== undefined && c[k] !== neutral) fail(`${at}: ReLU with ${k} ${show(c[k])} has no equivalent here (only the plain relu)`);
        }
        activate('relu');
        break;
      case 'Softmax':
        if (c.axis !== undefined && c.axis !== null && c.axis !== -1 && c.axis !== 1)
          fail(`${at}: softmax over axis ${show(c.axis)}; only the last axis can be imported`);
        activate('softmax');
        break;
      case 'Dropout':
        break; // the identity at inference
      default:
        fail(`${at}: ${layer.class_name} layers cannot be imported (only Dense, Activation, LeakyReLU, ReLU, Softmax, Dropout and InputLayer)`);
    }
  });
  if (dense.length === 0) fail(`${what}: the Sequential has no Dense layer`);
  return { inputs, dense };
}

/** Where each weight lies in the concatenated weight data: manifest order, float32 little-endian. */
function weightIndex(manifest: unknown, bytes: number, what: string): Map<string, { spec: TfjsWeightSpec; offset: number; at: string }> {
  if (!Array.isArray(manifest)) fail(`${what}.weightsManifest must be an array of weight groups, got ${show(manifest)}`);
  const index = new Map<string, { spec: TfjsWeightSpec; offset: number; at: string }>();
  let offset = 0;
  manifest.forEach((g, gi) => {
    const group = object(g, `${what}.weightsManifest[${gi}]`);
    if (!Array.isArray(group.weights)) fail(`${what}.weightsManifest[${gi}].weights must be an array, got ${show(group.weights)}`);
    group.weights.forEach((w, wi) => {
      const at = `${what}.weightsManifest[${gi}].weights[${wi}]`;
      const spec = object(w, at) as unknown as TfjsWeightSpec;
      if (typeof spec.name !== 'string') fail(`${at}.name must be a string, got ${show(spec.name)}`);
      if (!Array.isArray(spec.shape) || spec.shape.some((d) => !Number.isInteger(d) || d < 0))
        fail(`${at} ('${spec.name}'): shape must be a list of sizes, got ${show(spec.shape)}`);
      if (spec.quantization !== undefined) fail(`${at} ('${spec.name}') is quantized: only float32 weights can be imported (save the model unquantized)`);
      if (spec.dtype !== 'float32') fail(`${at} ('${spec.name}') has dtype ${show(spec.dtype)}: only float32 weights can be imported`);
      if (index.has(spec.name)) fail(`${at}: weight '${spec.name}' appears twice`);
      index.set(spec.name, { spec, offset, at });
      offset += 4 * spec.shape.reduce((a, b) => a * b, 1);
    });
  });
  if (offset !== bytes) fail(`${what}: the manifest's weights take ${offset} bytes, the weight data has ${bytes}`);
  return index;
}

/** The weight of layer `layer` called `kind` ('kernel' or 'bias'): named '<layer>/<kind>', possibly under a scope ('…/<layer>/<kind>'). */
function findWeight<T>(index: Map<string, T>, layer: string, kind: string): [string, T] | undefined {
  const exact = index.get(`${layer}/${kind}`);
  if (exact) return [`${layer}/${kind}`, exact];
  for (const [name, w] of index) if (name.endsWith(`/${layer}/${kind}`)) return [name, w];
  return undefined;
}

/** model.json as an object, from an object or its text. */
function parseModelJson(modelJson: unknown, what: string): Fields {
  if (typeof modelJson === 'string') {
    try {
      modelJson = JSON.parse(modelJson);
    } catch (e) {
      fail(`${what} is not JSON: ${(e as Error).message}`);
    }
  }
  return object(modelJson, what);
}

function bytesOf(weightData: unknown, what: string): Uint8Array {
  if (weightData instanceof ArrayBuffer) return new Uint8Array(weightData);
  if (ArrayBuffer.isView(weightData)) return new Uint8Array(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  if (Array.isArray(weightData) && weightData.every((b) => b instanceof ArrayBuffer)) {
    // tfjs-core's WeightData may be a list of buffers, one per file.
    const all = new Uint8Array(weightData.reduce((n, b: ArrayBuffer) => n + b.byteLength, 0));
    let at = 0;
    for (const b of weightData as ArrayBuffer[]) {
      all.set(new Uint8Array(b), at);
      at += b.byteLength;
    }
    return all;
  }
  return fail(`${what}: the weight data must be an ArrayBuffer or a typed array, got ${show(weightData)}`);
}

/**
 * Reads a TF.js Layers model (model.json, as an object or its text, and its weight bytes in
 * manifest order): a Sequential of Dense layers, each with sigmoid, tanh, relu, linear or softmax,
 * or followed by an Activation, ReLU, Softmax or LeakyReLU (alpha 0.01) layer; Dropout layers are
 * left out (they are the identity at inference). Anything else is refused by name.
 */
export function readTfjs(modelJson: unknown, weightData: ArrayBuffer | ArrayBufferView | ArrayBuffer[], what = 'model.json'): TfjsNetwork {
  const m = parseModelJson(modelJson, what);
  if (m.format === 'wasm-backprop-model') fail(`${what}: this is a wasm-backprop model file already; use it as it is (predict, evaluate, train --resume)`);
  if (m.format !== undefined && m.format !== 'layers-model') {
    fail(
      `${what}: format ${show(m.format)}; only TF.js Layers models ('layers-model') can be imported${m.format === 'graph-model' ? ', not graph models' : ''}`,
    );
  }
  const topology = object(m.modelTopology, `${what}.modelTopology`);
  const { inputs, dense } = readLayers(topology, what);
  const bytes = bytesOf(weightData, what);
  const index = weightIndex(m.weightsManifest, bytes.byteLength, what);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const first = findWeight(index, dense[0].name, 'kernel');
  if (!first) fail(`${dense[0].at}: its kernel '${dense[0].name}/kernel' is not in the weights manifest`);
  const layers = [inputs ?? first[1].spec.shape[0]];
  for (const d of dense) layers.push(d.units);
  const activations = dense.map((d) => d.activation);
  activations.slice(0, -1).forEach((f, l) => f === 'softmax' && fail(`${dense[l].at}: softmax in a hidden layer; this library has it as the output only`));
  const meta =
    m.userDefinedMetadata === undefined ? undefined : (object(m.userDefinedMetadata, `${what}.userDefinedMetadata`)[METADATA_KEY] as Fields | undefined);
  const loss: LossName = meta?.loss === 'mse' || meta?.loss === 'cross-entropy' ? meta.loss : activations.at(-1) === 'softmax' ? 'cross-entropy' : 'mse';
  try {
    resolveOptions({ layers, activations, loss, engine: 'js' }); // sizes within LIMITS before anything is allocated
  } catch (e) {
    if (e instanceof ArgumentError) fail(`${what}: ${e.message.replace(/^options\./, "the model's ")}`);
    throw e;
  }
  const layout = new Layout({ sizes: layers, activations: ['sigmoid', ...activations], inputActivated: false, loss });
  const flat = new Float64Array(layout.length);
  const used = new Set<string>();
  dense.forEach((d, l) => {
    const [n, units] = [layers[l], d.units];
    const kernel = findWeight(index, d.name, 'kernel');
    if (!kernel) fail(`${d.at}: its kernel '${d.name}/kernel' is not in the weights manifest`);
    const [kname, k] = kernel;
    if (k.spec.shape.length !== 2 || k.spec.shape[0] !== n || k.spec.shape[1] !== units) {
      fail(`${k.at} ('${kname}'): shape [${k.spec.shape.join(', ')}], expected [${n}, ${units}] (inputs, units)`);
    }
    used.add(kname);
    for (let j = 0; j < n; j++)
      for (let u = 0; u < units; u++)
        flat[layout.weightOffsets[l] + u * n + j] = finite(view.getFloat32(k.offset + 4 * (j * units + u), true), kname, j * units + u, what);
    const bias = findWeight(index, d.name, 'bias');
    if (!d.useBias) {
      if (bias) fail(`${d.at}: use_bias is false but '${bias[0]}' is in the manifest`);
      return; // the biases stay 0
    }
    if (!bias) fail(`${d.at}: its bias '${d.name}/bias' is not in the weights manifest`);
    const [bname, b] = bias;
    if (b.spec.shape.length !== 1 || b.spec.shape[0] !== units) fail(`${b.at} ('${bname}'): shape [${b.spec.shape.join(', ')}], expected [${units}]`);
    used.add(bname);
    for (let u = 0; u < units; u++) flat[layout.biasOffsets[l] + u] = finite(view.getFloat32(b.offset + 4 * u, true), bname, u, what);
  });
  for (const [name, w] of index) if (!used.has(name)) fail(`${w.at}: weight '${name}' belongs to no Dense layer`);
  // Checked as a model file's data is (a scaling of the wrong width was taken, then refused by use).
  const data = meta?.data === undefined ? undefined : checkData(meta.data, layers, `${what}: userDefinedMetadata['${METADATA_KEY}'].data`);
  return { options: { layers, activations, loss }, flat, ...(data ? { data } : {}) };
}

function finite(v: number, weight: string, i: number, what: string): number {
  if (!Number.isFinite(v)) fail(`${what}: weight '${weight}' [${i}] is ${v}; every value must be finite`);
  return v;
}

/**
 * A network from a TF.js Layers model (see `readTfjs`), created with `options` (engine, precision,
 * seed, optimizer, …; the architecture comes from the model) and given the model's weights.
 */
export async function fromTfjs(
  modelJson: unknown,
  weightData: ArrayBuffer | ArrayBufferView | ArrayBuffer[],
  options: TfjsImportOptions = {},
): Promise<Network> {
  const read = readTfjs(modelJson, weightData);
  const o = object(options, 'fromTfjs options');
  for (const k of ['layers', 'activation', 'activations', 'output', 'inputLayer', 'inputActivation']) {
    if (o[k] !== undefined) fail(`fromTfjs options.${k}: the architecture comes from the model`);
  }
  let net: Network;
  try {
    net = await Network.create({ ...options, ...read.options, ...(o.loss !== undefined ? { loss: o.loss as LossName } : {}) });
  } catch (e) {
    if (e instanceof ArgumentError) throw new ArgumentError(`fromTfjs: ${e.message}`, { cause: e });
    throw e;
  }
  try {
    net.setFlatParameters(read.flat);
    return net;
  } catch (e) {
    net.dispose();
    throw e;
  }
}
