/**
 * The model file (ts/model.ts, ts/node/index.ts; docs/model-format.md). On every configuration and
 * with every optimizer: a network saved and loaded predicts to the same bits, and training resumed
 * from a saved model continues as one uninterrupted run, bit for bit. Files are written atomically:
 * a writer killed at random moments always leaves a model that loads. Every bad file gets one clear
 * error naming the field, before anything is allocated.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configuration } from '../ts/configurations.js';
import { DatasetBuilder, datasetFromTable, fitScalingOn, scaleInPlace, type FeatureScaling } from '../ts/data.js';
import { formatJson, fromBase64, toBase64 } from '../ts/encoding.js';
import { ArgumentError } from '../ts/errors.js';
import { LIBRARY, checkModel, loadNetwork, modelFromBytes, modelFromString, modelToBytes, modelToString, toModel, type Model } from '../ts/model.js';
import { Network, type NetworkOptions } from '../ts/network.js';
import { loadModel, loadNetworkFile, saveModel } from '../ts/node/index.js';
import { applyScaling, classify, fitScaling } from '../ts/scaling.js';
import { createNetworkSync } from '../ts/sync.js';
import { OPTIMIZERS, type OptimizerName } from '../ts/types.js';
import { loadWasm } from '../ts/wasm/loader.js';
import { ENGINE_CASES, oneHotRows, randomMatrix, type EngineCase } from './engines.js';
import { modulePath, nodeArgs } from './entry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const X = randomMatrix(24, 4, 11);
const Y = oneHotRows(24, 3, 12);
/** Rows no training saw, wider than the training data. */
const FRESH = randomMatrix(9, 4, 13, -3, 3);
const RATES: Record<OptimizerName, number> = { sgd: 0.5, momentum: 0.1, adam: 0.01 };

function options(optimizer: OptimizerName, seed = 3): NetworkOptions {
  // An activated input layer: every parameter block (b_in too) and f_0 must come through the file.
  return { layers: [4, 5, 3], activation: 'tanh', loss: 'cross-entropy', inputLayer: 'activated', optimizer, learningRate: RATES[optimizer], seed };
}

/** The bits of every value, as hex words (toEqual on the numbers would let −0 equal 0). */
function bits(a: Float32Array | Float64Array): string[] {
  if (a instanceof Float32Array) return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (w) => w.toString(16));
  return Array.from(new BigUint64Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)), (w) => w.toString(16));
}

/** Loads on exactly the configuration of `c` (its engine and, for wasm, its artefact). */
function loadOn(c: EngineCase, source: Model | string | Uint8Array | ArrayBuffer): Promise<Network> {
  const o = configuration(c.name).options;
  return loadNetwork(source, { engine: o.engine, ...(o.wasm ? { wasm: o.wasm } : {}) });
}

const folders: string[] = [];
function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wbp-model-'));
  folders.push(dir);
  return dir;
}
afterAll(() => folders.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.each(ENGINE_CASES)('model file on $name', (c) => {
  describe.each(OPTIMIZERS)('%s', (optimizer) => {
    it('saved and loaded (as object, text and bytes), it predicts to the same bits and holds the same state', async () => {
      const net = await c.create(options(optimizer));
      const loaded: Network[] = [];
      try {
        const history = await net.fit(X, Y, { epochs: 3, batchSize: 5 });
        const model = toModel(net, { history });
        expect(model.training.epochs).toBe(3);
        expect(model.parameters.dtype).toBe(c.precision === 'f32' ? 'float32' : 'float64');
        expect(model.training.m === null).toBe(optimizer === 'sgd');
        const bytes = modelToBytes(model);
        for (const source of [model, modelToString(model), bytes, bytes.slice().buffer]) {
          const copy = await loadOn(c, source);
          loaded.push(copy);
          expect([copy.engine, copy.precision, copy.backend]).toEqual([net.engine, net.precision, net.backend]);
          // f_0 (inputActivation defaults to the hidden activation) comes back, and can be read.
          expect([copy.inputLayer, copy.inputActivation, net.inputActivation]).toEqual(['activated', 'tanh', 'tanh']);
          expect(bits(copy.predictMatrix(X).data)).toEqual(bits(net.predictMatrix(X).data));
          expect(bits(copy.predictMatrix(FRESH).data)).toEqual(bits(net.predictMatrix(FRESH).data));
          expect(bits(copy.getFlatParameters())).toEqual(bits(net.getFlatParameters()));
          expect(copy.getTrainingState()).toEqual(net.getTrainingState());
          // Nothing is lost: the loaded network gives the same model back.
          expect(toModel(copy, { history })).toEqual(model);
        }
      } finally {
        [net, ...loaded].forEach((n) => n.dispose());
      }
    });

    it.each([1, 5])('5 epochs, saved as text, loaded, 5 more = 10 uninterrupted epochs, bit for bit (batch %i)', async (batchSize) => {
      const whole = await c.create(options(optimizer));
      const first = await c.create(options(optimizer));
      let resumed: Network | null = null;
      try {
        const all = await whole.fit(X, Y, { epochs: 10, batchSize });
        const before = await first.fit(X, Y, { epochs: 5, batchSize });
        const text = modelToString(toModel(first, { history: before }));
        first.dispose(); // nothing of the first network but the text goes on
        resumed = await loadOn(c, text);
        const after = await resumed.fit(X, Y, { epochs: 5, batchSize });
        expect([...before.losses, ...after.losses]).toEqual(all.losses);
        expect(bits(resumed.getFlatParameters())).toEqual(bits(whole.getFlatParameters()));
        expect(bits(resumed.predictMatrix(FRESH).data)).toEqual(bits(whole.predictMatrix(FRESH).data));
        expect(resumed.getTrainingState()).toEqual(whole.getTrainingState());
      } finally {
        [whole, first, resumed].forEach((n) => n?.dispose());
      }
    });
  });

  it('saveModel → loadModel → loadNetworkFile in a folder: the same model and the same predictions', async () => {
    const net = await c.create(options('adam'));
    let copy: Network | null = null;
    try {
      const history = await net.fit(X, Y, { epochs: 2, batchSize: 4 });
      const path = join(tempFolder(), 'model.json');
      const data = { features: ['a', 'b', 'c', 'd'], task: 'classification' as const, classes: ['x', 'y', 'z'], label: 'kind' };
      const written = await saveModel(path, net, { history, epochs: 2, data });
      expect(await loadModel(path)).toEqual(written);
      expect(written.data).toEqual(data);
      copy = await loadNetworkFile(path, { engine: net.engine, ...(configuration(c.name).options.wasm ? { wasm: configuration(c.name).options.wasm } : {}) });
      expect(bits(copy.predictMatrix(FRESH).data)).toEqual(bits(net.predictMatrix(FRESH).data));
      expect(readdirSync(join(path, '..'))).toEqual(['model.json']); // no temporary file left
    } finally {
      net.dispose();
      copy?.dispose();
    }
  });
});

describe('what a model holds', () => {
  it('architecture, options, history, epochs and data as given; the version of package.json', async () => {
    const net = createNetworkSync({
      layers: [2, 3, 1],
      engine: 'js',
      precision: 'f64',
      seed: 77,
      init: 'uniform',
      biasInit: -0.25,
      activation: 'relu',
      output: 'sigmoid',
    });
    const h1 = await net.fit([[0, 1]], [[1]], { epochs: 2 });
    const model = toModel(net, { history: h1.epochs });
    expect(model.architecture).toEqual({ layers: [2, 3, 1], activations: ['relu', 'sigmoid'], inputLayer: 'identity', loss: 'mse' });
    expect(model.options).toEqual({ engine: 'js', precision: 'f64', seed: 77, init: 'uniform', biasInit: -0.25 });
    expect(model.history).toEqual([
      { epoch: 1, loss: h1.losses[0] },
      { epoch: 2, loss: h1.losses[1] },
    ]);
    expect(model.training.epochs).toBe(2);
    expect(toModel(net, { history: h1, epochs: 7 }).training.epochs).toBe(7);
    // Neither records nor a fit's history: named as given (it said "got undefined").
    expect(() => toModel(net, { history: 5 } as never)).toThrow('toModel history must be an array of epoch records, got 5');
    expect(model.createdBy).toEqual(LIBRARY);
    expect(LIBRARY.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('an f64 model loads on every f64 engine with the same parameters; an f32 model is refused by the educational engine', async () => {
    const net = createNetworkSync({ ...options('momentum'), engine: 'js', precision: 'f64' });
    await net.fit(X, Y, { epochs: 2 });
    const model = toModel(net);
    for (const engine of ['educational', 'wasm'] as const) {
      const other = await loadNetwork(model, { engine });
      expect(other.engine).toBe(engine);
      expect(bits(other.getFlatParameters())).toEqual(bits(net.getFlatParameters()));
      expect(other.getTrainingState()).toEqual(net.getTrainingState());
      other.dispose();
    }
    const f32 = toModel(createNetworkSync({ layers: [2, 2], engine: 'js', precision: 'f32' }));
    await expect(loadNetwork(f32, { engine: 'educational' })).rejects.toThrow(
      /the model is in precision 'f32' and the educational engine computes in f64 only/,
    );
    await expect(loadNetwork(f32, { engine: 'js', wasm: { simd: true } })).rejects.toThrow(/options\.wasm applies to the wasm engine only/);
  });

  it('the scaling reproduces what training saw (ts/data.ts minmax, to the bit), and classes name the outputs', () => {
    const rows = [
      [5.1, 3.5, 0],
      [4.9, 3.0, 1],
      [6.3, 3.3, 2],
      [5.8, 2.7, 1],
    ];
    const raw = rows.map((r) => r.slice(0, 2));
    const trained = datasetFromTable({ header: ['a', 'b', 'label'], rows }, { scale: 'minmax' }).x.data;
    const scaling = fitScaling('minmax', raw);
    expect(bits(applyScaling(scaling, raw).data)).toEqual(bits(trained));
    const standard = applyScaling(fitScaling('standard', raw), raw).data;
    const mean = (standard[0] + standard[2] + standard[4] + standard[6]) / 4;
    expect(Math.abs(mean)).toBeLessThan(1e-15);
    expect(classify(['setosa', 'versicolor', 'virginica'], { data: [0.1, 0.7, 0.2, 0.5, 0.2, 0.3], rows: 2, cols: 3 })).toEqual(['versicolor', 'setosa']);
    expect(classify(['no', 'yes'], { data: [0.2, 0.5], rows: 2, cols: 1 })).toEqual(['no', 'yes']);
    expect(classify(undefined, { data: [0.2, 0.9], rows: 1, cols: 2 })).toEqual([1]);
  });

  it('the scaling training fitted (float32, in place, on the training rows) goes through the model file and prepares raw rows to the same float32 bits', () => {
    const b = new DatasetBuilder('t.csv');
    ['a,b,label', '0.1,7,x', '2.5,-3,y', '1.7,0.3,x', '9.25,4,y'].forEach((line, i) => b.add(line.split(','), i + 1));
    const ds = b.finish();
    const raw = Float32Array.from(ds.x.data);
    const net = createNetworkSync({ layers: [2, 2], engine: 'js', precision: 'f32' });
    for (const kind of ['minmax', 'standard'] as const) {
      const scaling = fitScalingOn(ds.x, [0, 1, 2], kind, ds.featureNames);
      const trained = scaleInPlace({ data: Float32Array.from(raw), rows: 4, cols: 2 }, scaling);
      const saved = modelFromString(modelToString(toModel(net, { data: { features: ds.featureNames, scaling } })));
      expect(saved.data?.scaling).toEqual(scaling);
      const prepared = applyScaling(saved.data?.scaling, { data: raw, rows: 4, cols: 2 }).data;
      expect(bits(Float32Array.from(prepared))).toEqual(bits(trained.data));
    }
    const custom: FeatureScaling = { kind: 'custom', offset: [1, 2], scale: [4, -8] };
    const model = modelFromString(modelToString(toModel(net, { data: { scaling: custom } })));
    expect(Array.from(applyScaling(model.data?.scaling, [[5, 2]]).data)).toEqual([1, -0]);
    net.dispose();
  });

  it('base64 agrees with Node for every length to 20 and every byte; the JSON layout parses back to the same value', () => {
    for (let n = 0; n <= 20; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31) & 255);
      const text = toBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(fromBase64(text)).toEqual(bytes);
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(toBase64(all)).toBe(Buffer.from(all).toString('base64'));
    expect(() => fromBase64('AAA!')).toThrow(/not base64: character 3 is '!'/);
    const value = { a: [1, -0.5, 1e-300], b: { c: 'x, "y"', d: [] }, e: [{ f: 1 }, { g: [2, 3] }], h: null };
    expect(JSON.parse(formatJson(value))).toEqual(value);
  });

  it('the browser part imports nothing of Node', () => {
    for (const file of ['ts/model.ts', 'ts/encoding.ts', 'ts/scaling.ts'])
      expect(readFileSync(join(ROOT, file), 'utf8')).not.toMatch(/from 'node:|\bBuffer\.\w|\brequire\(/);
    expect(readFileSync(join(ROOT, 'ts/index.ts'), 'utf8')).not.toMatch(/\.\/node\//);
  });
});

describe('a bad model gets one clear error naming the field, before anything is allocated', () => {
  // 64-32-10: 64·32 + 32 + 32·10 + 10 = 2410 parameters.
  const net = createNetworkSync({ layers: [64, 32, 10], engine: 'js', precision: 'f32', optimizer: 'adam', learningRate: 0.01 });
  net.trainBatch(randomMatrix(4, 64, 5, 0, 1), oneHotRows(4, 10, 6));
  const good = toModel(net, { history: [{ epoch: 1, loss: 0.5 }], data: { task: 'classification', classes: [...'0123456789'] } });
  const f32 = (values: number[]) => toBase64(new Uint8Array(Float32Array.from(values).buffer));
  /** A regression whose every target scale is `scale`. */
  const targetScale = (scale: number) => (m: any) =>
    Object.assign(m.data, {
      task: 'regression',
      classes: undefined,
      targetScaling: { kind: 'custom', offset: Array(10).fill(0), scale: Array(10).fill(scale) },
    });
  /** The good model with one field spoilt. */
  const spoilt = (spoil: (m: any) => unknown): unknown => {
    const m = structuredClone(good);
    spoil(m);
    return m;
  };
  const withBits = (index: number, word: number) => (m: any) => {
    const bytes = fromBase64(m.parameters.base64);
    new DataView(bytes.buffer).setUint32(index * 4, word, true);
    m.parameters.base64 = toBase64(bytes);
  };
  const cases: [string, (m: any) => unknown, RegExp][] = [
    ['a wrong format name', (m) => (m.format = 'keras'), /^not a wasm-backprop model: model\.format must be 'wasm-backprop-model', got 'keras'$/],
    [
      'an unknown version 99',
      (m) => (m.version = 99),
      /^model\.version is 99: wasm-backprop 0\.1\.0 reads versions up to 1; a newer library wrote this model$/,
    ],
    ['a version that is a string', (m) => (m.version = '1'), /^model\.version must be an integer, got '1'$/],
    [
      'a parameter count that does not match',
      (m) => (m.parameters.length = 2368),
      /^model\.parameters\.length must be 2410 \(the parameters of layers 64-32-10\), got 2368$/,
    ],
    [
      'too few parameter bytes',
      (m) => (m.parameters.base64 = f32(Array(1220).fill(0.5))),
      /^model\.parameters: 4880 bytes of float32 data, expected 9640 \(2410 parameters\)$/,
    ],
    [
      'float64 data in an f32 model',
      (m) => (m.parameters.dtype = 'float64'),
      /^model\.parameters\.dtype must be 'float32' \(model\.options\.precision is 'f32'\), got 'float64'$/,
    ],
    ['big-endian parameters', (m) => (m.parameters.byteOrder = 'big'), /^model\.parameters\.byteOrder must be 'little', got 'big'$/],
    ['a NaN in the parameters', withBits(7, 0x7fc00000), /^model\.parameters\[7\] is NaN; every value must be finite$/],
    ['an Infinity in the parameters', withBits(2409, 0x7f800000), /^model\.parameters\[2409\] is Infinity; every value must be finite$/],
    [
      'a character that is not base64',
      (m) => (m.parameters.base64 = '!' + m.parameters.base64.slice(1)),
      /^model\.parameters\.base64: not base64: character 0 is '!'$/,
    ],
    [
      'moments of the wrong length',
      (m) => (m.training.m.base64 = f32(Array(100).fill(0))),
      /^model\.training\.m: 400 bytes of float32 data, expected 9640 \(2410 values, one per parameter\)$/,
    ],
    ['Adam without its second moment', (m) => (m.training.v = null), /^model\.training\.v is missing: adam keeps its second moment there$/],
    [
      'a negative second moment (Adam would step by NaN)',
      (m) => (m.training.v.base64 = f32(Array(2410).fill(-1e-3))),
      /^model\.training\.v\[0\] is -0\.0010000000474974513: Adam's second moment is a mean of squares, never negative$/,
    ],
    [
      'an unknown activation',
      (m) => (m.architecture.activations[0] = 'swish'),
      /^model\.architecture\.activations\[0\] must be one of 'sigmoid', .*, got 'swish'$/,
    ],
    [
      'a softmax output with mse',
      (m) => (m.architecture.activations[1] = 'softmax'),
      /^model\.architecture: a softmax output needs loss 'cross-entropy', got loss 'mse'$/,
    ],
    [
      'an input activation without an activated input',
      (m) => (m.architecture.inputActivation = 'tanh'),
      /^model\.architecture\.inputActivation only exists with inputLayer 'activated'$/,
    ],
    [
      'a target scaling on a classifier',
      (m) => (m.data.targetScaling = { kind: 'standard', offset: [1], scale: [2] }),
      /^model\.data\.targetScaling needs task 'regression', got task 'classification'$/,
    ],
    [
      'a target scaling of the wrong length',
      (m) => Object.assign(m.data, { task: 'regression', classes: undefined, targetScaling: { kind: 'standard', offset: [1], scale: [2] } }),
      /^model\.data\.targetScaling\.offset must have 10 entries \(one per output\)/,
    ],
    [
      'a target scale of 0',
      targetScale(0),
      /^model\.data\.targetScaling\.scale\[0\] must not be 0 or so near it that 1\/scale overflows, got 0 \(y' = \(y − offset\) \/ scale\)$/,
    ],
    ['a negative learning rate', (m) => (m.training.learningRate = -0.5), /^model\.training\.learningRate must be ≥ 0, got -0\.5$/],
    ['a shuffle state of zeros', (m) => (m.training.shuffle = [0, 0, 0, 0]), /^model\.training\.shuffle must not be all zero/],
    ['a fractional step count', (m) => (m.training.step = 1.5), /^model\.training\.step must be an integer, got 1\.5$/],
    ['optimizer settings not in full', (m) => delete m.training.optimizer.epsilon, /^model\.training\.optimizer\.epsilon is missing$/],
    ['a field missing', (m) => delete m.training.epochs, /^model\.training\.epochs is missing$/],
    ['an unknown field', (m) => (m.training.momentum = 0.9), /^model\.training\.momentum is not a known field \(known: optimizer, /],
    [
      'the educational engine in f32',
      (m) => (m.options.engine = 'educational'),
      /^model\.options: the educational engine computes in f64 only, got precision 'f32'$/,
    ],
    ['a loss of NaN in the history (null in JSON)', (m) => (m.history[0].loss = null), /^model\.history\[0\]\.loss must be a finite number, got null$/],
    ['classes not one per output', (m) => m.data.classes.pop(), /^model\.data\.classes must have 10 entries \(one per output\), got an array of length 9$/],
    ['a batch size of 0', (m) => (m.data.batchSize = 0), /^model\.data\.batchSize must be between 1 and 65536, got 0$/],
    ['a batch size above the limit', (m) => (m.data.batchSize = 100_000), /^model\.data\.batchSize must be between 1 and 65536, got 100000$/],
    ['the same class twice', (m) => (m.data.classes[9] = '0'), /^model\.data\.classes\[9\] repeats '0' \(classes are told apart as text\)$/],
    [
      'a class twice as text (1 and "1")',
      (m) => (m.data.classes = [...'012345678', 1]),
      /^model\.data\.classes\[9\] repeats '1' \(classes are told apart as text\)$/,
    ],
    [
      'an input name twice',
      (m) => (m.data.features = Array.from({ length: 64 }, (_, i) => (i === 7 ? 'p0' : `p${i}`))),
      /^model\.data\.features\[7\] repeats 'p0': inputs are found by name$/,
    ],
    [
      'a scale whose inverse overflows',
      (m) => (m.data.scaling = { kind: 'custom', offset: Array(64).fill(0), scale: Array(64).fill(1e-320) }),
      /^model\.data\.scaling\.scale\[0\] must not be 0 or so near it that 1\/scale overflows, got 1e-320/,
    ],
    [
      'a target scale beyond float32 (every prediction overflowed)',
      targetScale(1e308),
      /^model\.data\.targetScaling\.scale\[0\] must be at most 6\.8e38 in magnitude \(it scales float32 data\), got 1e\+308$/,
    ],
    ['a null engine (Network.create would take its default)', (m) => (m.options.engine = null), /^model\.options\.engine is null: give its value$/],
    ['a null input layer', (m) => (m.architecture.inputLayer = null), /^model\.architecture\.inputLayer is null: give its value$/],
    [
      'a scale of 0',
      (m) => (m.data.scaling = { kind: 'custom', offset: Array(64).fill(0), scale: Array(64).fill(0) }),
      /^model\.data\.scaling\.scale\[0\] must not be 0/,
    ],
  ];

  it.each(cases)('%s', async (_, spoil, message) => {
    const bad = spoilt(spoil);
    expect(() => checkModel(bad)).toThrow(ArgumentError);
    expect(() => checkModel(bad)).toThrow(message);
    expect(() => modelFromString(JSON.stringify(bad))).toThrow(message);
    // The wasm engine is never reached: its allocations stay as they were.
    const wasm = await loadWasm();
    const live = wasm.exports.bp_live_allocations();
    await expect(loadNetwork(bad as Model, { engine: 'wasm' })).rejects.toThrow(message);
    expect(wasm.exports.bp_live_allocations()).toBe(live);
  });

  it('the good model is good (the cases above spoil one field each)', async () => {
    expect(checkModel(structuredClone(good))).toEqual(good);
    const copy = await loadNetwork(structuredClone(good));
    expect(bits(copy.getFlatParameters())).toEqual(bits(net.getFlatParameters()));
  });

  it.each([
    ['layers [784, 1e9, 10]', [784, 1e9, 10], 0, /^model\.architecture\.layers\[1\] must be between 1 and 65536, got 1000000000$/],
    [
      '65536-4000-10 with 4 parameters of data',
      [65536, 4000, 10],
      262_188_010,
      /^model\.parameters: 16 bytes of float32 data, expected 1048752040 \(262188010 parameters\)$/,
    ],
  ])('%s is refused at once, without allocating', async (_, layers, length, message) => {
    const bad = spoilt((m) => {
      m.architecture.layers = layers;
      m.parameters.length = length;
      m.parameters.base64 = f32([1, 2, 3, 4]);
      m.training.m = m.training.v = null;
      m.training.optimizer = { type: 'sgd' };
      delete m.data;
    });
    const wasm = await loadWasm();
    const [live, pages] = [wasm.exports.bp_live_allocations(), wasm.memory.buffer.byteLength];
    const heap = process.memoryUsage();
    const start = performance.now();
    expect(() => checkModel(bad)).toThrow(message);
    await expect(loadNetwork(bad as Model)).rejects.toThrow(message);
    expect(performance.now() - start).toBeLessThan(100);
    const grown = process.memoryUsage();
    expect(grown.arrayBuffers - heap.arrayBuffers).toBeLessThan(1 << 20);
    expect(grown.rss - heap.rss).toBeLessThan(64 << 20);
    expect([wasm.exports.bp_live_allocations(), wasm.memory.buffer.byteLength]).toEqual([live, pages]);
  });

  it('a truncated or non-JSON text: "not a wasm-backprop model", naming the position', () => {
    const text = modelToString(good);
    for (const cut of [17, 1000, text.length - 1]) {
      expect(() => modelFromString(text.slice(0, cut))).toThrow(
        new RegExp(`^not a wasm-backprop model: the text ends inside its JSON value, at position ${cut} of ${cut} \\(line \\d+, column \\d+\\): truncated\\?$`),
      );
    }
    expect(() => modelFromString('')).toThrow(/^not a wasm-backprop model: the text is empty$/);
    expect(() => modelFromString(' \n\t')).toThrow(/^not a wasm-backprop model: the text is only white space$/);
    expect(() => modelFromString('{"format": wasm}')).toThrow(/^not a wasm-backprop model: the text is not JSON at position 11 of 16 \(line 1, column 12\) /);
    // The position is said once: the engine's message is given without it.
    expect(() => modelFromString('{} x')).toThrow(
      /^not a wasm-backprop model: the text is not JSON at position 3 of 4 \(line 1, column 4\) \(Unexpected non-whitespace character\)$/,
    );
    expect(() => modelFromString('{"a": 1,}')).toThrow(
      /^not a wasm-backprop model: the text is not JSON at position 8 of 9 \(line 1, column 9\) \(Expected double-quoted property name\)$/,
    );
    expect(() => modelFromString('hello')).toThrow(/^not a wasm-backprop model: the text is not JSON at position 0 of 5 /);
    expect(() => modelFromString('[1, 2]')).toThrow(/^not a wasm-backprop model: expected an object, got an array of length 2$/);
    expect(() => modelFromBytes(Uint8Array.from([0x7b, 0xff, 0x7d]))).toThrow(/^not a wasm-backprop model: the bytes are not UTF-8 text$/);
    // Binary bytes that are UTF-8 all the same: their control characters escaped, not printed.
    let said = '';
    try {
      modelFromBytes(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x01).subarray(1));
    } catch (e) {
      said = (e as Error).message;
    }
    expect(said).toMatch(/^not a wasm-backprop model: the text is not JSON at position 0 of 8 .*PNG\\u000d\\n\\u001a\\n\\u0001/);
    expect(said).not.toMatch(/[\u0000-\u001f]/);
  });

  it('a network given for its model says how to make one', async () => {
    const net = await Network.create({ layers: [2, 2, 1] });
    try {
      await expect(loadNetwork(net as never)).rejects.toThrow(
        /^not a wasm-backprop model: got a Network; toModel\(net\) makes the model of a network \(trainer\.toModel\(\) of a Trainer's\)$/,
      );
    } finally {
      net.dispose();
    }
  });

  it('toModel given anything but a Network says what it needs', () => {
    for (const [v, got] of [
      [{}, 'Object'],
      [5, '5'],
      [null, 'null'],
      [undefined, 'undefined'],
      [good, 'Object'],
    ] as const)
      expect(() => toModel(v as never)).toThrow(new RegExp(`^toModel needs a Network \\(from Network\\.create or loadNetwork\\), got ${got}$`));
  });

  it("a file's name given as the model's text: says to read the file first", async () => {
    const hint =
      "not a wasm-backprop model: 'out/model.json' is a file name, not a model's text: read the file first (loadNetworkFile or loadModel from 'wasm-backprop/node', or fetch in a browser)";
    expect(() => modelFromString('out/model.json')).toThrow(hint);
    await expect(loadNetwork('out/model.json')).rejects.toThrow(hint);
  });
});

describe('files', () => {
  const model = toModel(createNetworkSync({ layers: [3, 4, 2], engine: 'js', seed: 5 }));
  const other = toModel(createNetworkSync({ layers: [3, 4, 2], engine: 'js', seed: 6 }));

  it('saving over a directory is refused, naming the path; so is loading one', async () => {
    const dir = join(tempFolder(), 'models');
    mkdirSync(dir);
    await expect(saveModel(dir, model)).rejects.toThrow(`saveModel: ${dir} is a directory, not a model file`);
    await expect(loadModel(dir)).rejects.toThrow(`${dir} is a directory, not a model file`);
    expect(existsSync(dir) && readdirSync(dir)).toEqual([]);
  });

  it('a save that fails leaves the old file as it was, and no temporary file', async () => {
    const folder = tempFolder();
    const path = join(folder, 'net.json');
    await saveModel(path, model);
    const before = readFileSync(path);
    const bad = structuredClone(other) as any;
    bad.training.shuffle = [0, 0, 0, 0];
    await expect(saveModel(path, bad)).rejects.toThrow(/^model\.training\.shuffle must not be all zero/);
    // A folder that does not exist: the temporary file cannot even be made.
    await expect(saveModel(join(folder, 'missing', 'net.json'), other)).rejects.toThrow(join(folder, 'missing', 'net.json'));
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(folder)).toEqual(['net.json']);
    await saveModel(path, other);
    expect(await loadModel(path)).toEqual(other);
  });

  it('loading names the file: a missing file, a file that is not a model', async () => {
    const folder = tempFolder();
    await expect(loadModel(join(folder, 'none.json'))).rejects.toThrow(`${join(folder, 'none.json')}: no such model file`);
    writeFileSync(join(folder, 'half.json'), modelToString(model).slice(0, 300));
    await expect(loadModel(join(folder, 'half.json'))).rejects.toThrow(
      `${join(folder, 'half.json')}: not a wasm-backprop model: the text ends inside its JSON value, at position 300 of 300`,
    );
    writeFileSync(join(folder, 'v99.json'), JSON.stringify({ ...model, version: 99 }));
    await expect(loadNetworkFile(join(folder, 'v99.json'))).rejects.toThrow(`${join(folder, 'v99.json')}: model.version is 99`);
  });

  it('a writer killed at random moments (SIGKILL, 20 times; half of them as a write starts) always leaves a model that loads, the old or the new', async () => {
    const folder = tempFolder();
    const path = join(folder, 'net.json');
    const layers = [256, 256, 256, 10]; // 134k parameters: with Adam's moments, 4.5 MB of text, written in many parts
    const big = (seed: number) => toModel(createNetworkSync({ layers, engine: 'js', precision: 'f64', optimizer: 'adam', seed }));
    const models = [big(1), big(2)];
    const known = new Set(models.map((m) => m.parameters.base64));
    // The writer loads the two models rather than making them: each round starts ~0.5 s sooner.
    const sources = models.map((m, i) => join(folder, `source-${i}.json`));
    for (const [i, m] of models.entries()) writeFileSync(sources[i], modelToString(m));
    const writer = join(folder, 'writer.mjs');
    writeFileSync(
      writer,
      `import { loadModel, saveModel } from ${JSON.stringify(pathToFileURL(modulePath('node/index.ts')).href)};
const models = await Promise.all(process.argv.slice(3).map((p) => loadModel(p)));
for (let i = 0; ; i++) {
  await saveModel(process.argv[2], models[i % 2]);
  if (i === 0) process.stdout.write('saved\\n');
}
`,
    );
    let midWrite = 0;
    for (let round = 0; round < 20; round++) {
      const child = spawn(process.execPath, [...nodeArgs(writer), path, ...sources], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => resolve());
        child.on('exit', () => reject(new Error('the writer stopped before its first save')));
      });
      if (round % 2 === 0) {
        await new Promise((r) => setTimeout(r, Math.random() * 500));
      } else {
        // As soon as a temporary file appears: the writer is then most likely inside the write.
        await new Promise<void>((resolve) => {
          const watcher = watch(folder, (_, name) => {
            if (!name?.endsWith('.tmp')) return;
            watcher.close();
            resolve();
          });
        });
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const loaded = await loadModel(path);
      expect(known.has(loaded.parameters.base64)).toBe(true);
      // A temporary file left behind: the writer died between creating it and the rename.
      for (const f of readdirSync(folder).filter((f) => f.endsWith('.tmp'))) {
        midWrite++;
        rmSync(join(folder, f));
      }
    }
    // The kills that matter happened: some writers died in the middle of a write.
    expect(midWrite).toBeGreaterThanOrEqual(5);
  }, 180_000);
});
