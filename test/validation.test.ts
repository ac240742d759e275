/**
 * Bad input gets one clear error, thrown before any wasm call, that names the problem. Run on
 * every engine, so none of them sees input the API does not allow; for wasm, a spy on the exports
 * checks that no kernel was entered.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError } from '../ts/errors.js';
import { toModel } from '../ts/model.js';
import { Network } from '../ts/network.js';
import { Layout, unflattenParameters } from '../ts/parameters.js';
import { loadWasm, type WasmInstance } from '../ts/wasm/loader.js';
import { ENGINE_CASES } from './engines.js';

const ok = { layers: [3, 4, 2] };

it('a flat parameter is named where unflattenParameters puts it', () => {
  const layout = new Layout({ sizes: [3, 4, 2], inputActivated: true } as never);
  for (let i = 0; i < layout.length; i++) {
    const flat = new Float64Array(layout.length);
    flat[i] = 1;
    const nested = unflattenParameters(flat, layout);
    // The one place the 1 landed, found by walking the nested arrays.
    const found: string[] = [];
    const walk = (v: unknown, path: string) => (Array.isArray(v) ? v.forEach((e, k) => walk(e, `${path}[${k}]`)) : v === 1 && found.push(path));
    for (const [part, v] of Object.entries(nested)) walk(v, part);
    expect(found).toEqual([layout.name(i)]);
  }
});

describe('Network.create rejects bad options with a named error', () => {
  const bad: [string, object, RegExp][] = [
    ['no layers', {}, /options\.layers must be an array/],
    ['one layer', { layers: [3] }, /at least two sizes/],
    ['layer size 0', { layers: [3, 0, 2] }, /options\.layers\[1\] must be between 1 and 65536, got 0/],
    ['non-integer size', { layers: [3, 2.5, 2] }, /options\.layers\[1\] must be an integer, got 2\.5/],
    ['size beyond the limit', { layers: [3, 70000, 2] }, /options\.layers\[1\] must be between 1 and 65536, got 70000/],
    ['too many layers', { layers: Array(65).fill(2) }, /at most 64 sizes/],
    ['unknown activation', { ...ok, activation: 'swish' }, /options\.activation must be one of .* got 'swish'/],
    ['unknown loss', { ...ok, loss: 'hinge' }, /options\.loss must be one of/],
    ['cross-entropy without softmax', { ...ok, loss: 'cross-entropy', output: 'sigmoid' }, /needs a softmax output, got output 'sigmoid'/],
    [
      'a softmax over one output (always 1: no gradient)',
      { layers: [2, 3, 1], loss: 'cross-entropy' },
      /^a softmax over one output is always 1 and learns nothing: give the output layer one neuron per class/,
    ],
    ['the same, asked for by name', { layers: [2, 1], loss: 'cross-entropy', output: 'softmax' }, /^a softmax over one output is always 1/],
    ['softmax without cross-entropy', { ...ok, output: 'softmax' }, /softmax output needs loss 'cross-entropy'/],
    ['softmax hidden', { layers: [3, 4, 2], activations: ['softmax', 'softmax'], loss: 'cross-entropy' }, /softmax can only be the output activation/],
    ['activations of wrong length', { ...ok, activations: ['relu'] }, /one activation per layer after the input \(2\)/],
    ['unknown engine', { ...ok, engine: 'gpu' }, /options\.engine must be one of/],
    ['educational in f32', { ...ok, engine: 'educational', precision: 'f32' }, /educational engine computes in f64 only/],
    ['NaN learning rate', { ...ok, learningRate: NaN }, /options\.learningRate must be a finite number, got NaN/],
    ['negative learning rate', { ...ok, learningRate: -0.1 }, /options\.learningRate must be ≥ 0, got -0\.1/],
    ['infinite bias rate', { ...ok, biasLearningRate: Infinity }, /options\.biasLearningRate must be a finite number/],
    ['momentum ≥ 1', { ...ok, optimizer: { type: 'momentum', momentum: 1 } }, /momentum must be below 1/],
    ['unknown optimizer', { ...ok, optimizer: 'rmsprop' }, /options\.optimizer\.type must be one of/],
    ['negative seed', { ...ok, seed: -1 }, /options\.seed must be between 0 and 4294967295/],
    ['misspelt option', { ...ok, learningrate: 0.1 }, /unknown option 'learningrate'/],
    ['wasm options for js', { ...ok, engine: 'js', wasm: {} }, /options\.wasm applies to the wasm engine only/],
    ['misspelt wasm option', { ...ok, wasm: { SIMD: false } }, /unknown option 'wasm\.SIMD'/],
    [
      'activations and activation both',
      { ...ok, activations: ['relu', 'sigmoid'], activation: 'tanh' },
      /^give either options\.activations or options\.activation, not both$/,
    ],
    [
      'an input activation without an activated input layer',
      { ...ok, inputActivation: 'relu' },
      /^options\.inputActivation applies to inputLayer 'activated' only$/,
    ],
    [
      'a wasm source that is none',
      { ...ok, wasm: { source: 123 } },
      /^options\.wasm\.source must be the module's bytes, a WebAssembly\.Module, a URL, a path or a Response, got 123$/,
    ],
    ['an instance that is none', { ...ok, wasm: { instance: {} } }, /^options\.wasm\.instance must be an instance from loadWasm, got Object$/],
    [
      'simd with a loaded instance',
      { ...ok, wasm: { instance: {}, simd: false } },
      /^options\.wasm\.instance is a loaded instance: give simd and source to loadWasm, not with it$/,
    ],
    ['an unknown SIMD choice', { ...ok, wasm: { simd: 'yes' } }, /^options\.wasm\.simd must be true, false, 'auto' or 'relaxed', got 'yes'$/],
    ['misspelt optimizer setting', { ...ok, optimizer: { type: 'momentum', mometum: 0.5 } }, /^unknown option 'optimizer\.mometum' \(known: type, momentum\)$/],
    ['setting of another optimizer', { ...ok, optimizer: { type: 'sgd', momentum: 0.5 } }, /^unknown option 'optimizer\.momentum' \(known: type\)$/],
    ['more parameters than the limit', { layers: [65536, 65536] }, /has 4295032832 parameters, more than the limit of 268435456/],
  ];
  it('new Network(options), from JavaScript, says how a network is made', () => {
    expect(() => new (Network as unknown as new (o: object) => unknown)({ layers: [2, 3, 1] })).toThrow(
      /^a network is made by await Network\.create\(options\) \(or createNetworkSync from wasm-backprop\/sync\), not new Network\(…\)$/,
    );
  });

  it.each(bad)('%s', async (_, options, message) => {
    await expect(Network.create(options as never)).rejects.toThrow(message);
    await expect(Network.create(options as never)).rejects.toBeInstanceOf(ArgumentError);
  });
});

describe.each(ENGINE_CASES)('$name rejects bad data before computing', (engine) => {
  let net: Network;
  let inst: WasmInstance | null = null;
  let calls: string[] = [];
  const restore: (() => void)[] = [];

  beforeEach(async () => {
    net = await engine.create({ layers: [3, 4, 2] });
    calls = [];
    if (engine.name.startsWith('wasm')) {
      // Count every call into the kernels from here on.
      inst = await loadWasm({ simd: engine.name.includes('simd') });
      const x = inst.exports as unknown as Record<string, unknown>;
      for (const name of [
        'bp_train',
        'bp_fit_drawn',
        'bp_fit_validated',
        'bp_fit_span',
        'bp_forward',
        'bp_predict',
        'bp_evaluate',
        'bp_gradients',
        'bp_alloc',
        'bp_reserve',
        'bp_set_optimizer',
      ]) {
        const f = x[name] as (...a: unknown[]) => unknown;
        Object.defineProperty(x, name, { value: (...a: unknown[]) => (calls.push(name), f(...a)), configurable: true, writable: true });
        restore.push(() => Object.defineProperty(x, name, { value: f, configurable: true, writable: true }));
      }
    }
  });
  afterEach(() => {
    restore.splice(0).forEach((r) => r());
    net.dispose();
  });

  const x = [
    [0, 1, 2],
    [3, 4, 5],
  ];
  const y = [
    [0, 1],
    [1, 0],
  ];

  it('wrong shapes name what was expected and what came', () => {
    expect(() => net.trainBatch([[0, 1]], [[0, 1]])).toThrow(/x must have 3 columns \(the input layer size\), got 2 in row 0/);
    expect(() =>
      net.trainBatch(x, [
        [0, 1, 2],
        [0, 1, 2],
      ]),
    ).toThrow(/y must have 2 columns \(the output layer size\), got 3 in row 0/);
    expect(() => net.trainBatch(x, [[0, 1]])).toThrow(/x and y must have the same number of rows, got 2 and 1/);
    expect(() => net.trainBatch({ data: new Float32Array(5), rows: 2, cols: 3 }, y)).toThrow(/x\.data must hold rows × cols = 2 × 3 = 6 numbers, got 5/);
    expect(() => net.predict([])).toThrow(/x must have at least one row/);
    expect(() => net.predict('abc' as never)).toThrow(/x must be an array of rows/);
  });

  it('an empty slot in an array ([1, , 2]) is refused by its index, not skipped', async () => {
    // forEach and map skip empty slots: layers [3, , 2] made a network of undefined size that
    // predicted NaN, and a parameter left empty became 0.
    for (const options of [{ layers: [3, , 2] }, { layers: [3, 4, 2], activations: [, 'sigmoid'] }]) {
      await expect(engine.create(options as never)).rejects.toThrow(
        /^options\.(layers\[1\] must be an integer|activations\[0\] must be one of .*), got undefined$/,
      );
    }
    const p = net.getParameters();
    p.weights[0][1] = [1, , 2] as number[];
    expect(() => net.setParameters(p)).toThrow(/^parameters\.weights\[0\]\[1\]\[1\] must be a finite number, got undefined$/);
    expect(() => net.setTrainingState({ ...net.getTrainingState(), shuffle: [1, , 2, 3] as number[] })).toThrow(
      /shuffle\[1\] must be an integer, got undefined$/,
    );
    expect(() => toModel(net, { history: [{ epoch: 1, loss: 1 }, ,] as never })).toThrow(/^toModel history\[1\] must be an object, got undefined$/);
  });

  it('NaN or Infinity names the row and column', () => {
    expect(() =>
      net.trainBatch(
        [
          [0, 1, 2],
          [3, NaN, 5],
        ],
        y,
      ),
    ).toThrow(/x row 1, column 1 must be a finite number, got NaN/);
    expect(() =>
      net.trainBatch(x, [
        [0, 1],
        [Infinity, 0],
      ]),
    ).toThrow(/y row 1, column 0 must be a finite number, got Infinity/);
    expect(() => net.predict({ data: new Float64Array([0, 1, -Infinity]), rows: 1, cols: 3 })).toThrow(
      /x row 0, column 2 must be a finite number, got -Infinity/,
    );
    expect(() => net.evaluate([[0, '1' as never, 2]], [[0, 1]])).toThrow(/x row 0, column 1 must be a finite number, got '1'/);
    if (engine.precision === 'f32') expect(() => net.predict([[1e39, 0, 0]])).toThrow(/x row 0, column 0 is too large for f32/);
  });

  it('bad training settings are refused', async () => {
    expect(() => net.trainBatch(x, y, { learningRate: NaN })).toThrow(/options\.learningRate must be a finite number, got NaN/);
    expect(() => net.trainBatch(x, y, { learningRate: -1 })).toThrow(/options\.learningRate must be ≥ 0/);
    await expect(net.fit(x, y, { epochs: 1.5 })).rejects.toThrow(/options\.epochs must be an integer, got 1\.5/);
    await expect(net.fit(x, y, { batchSize: 0 })).rejects.toThrow(/options\.batchSize must be between 1 and 65536, got 0/);
    await expect(net.fit(x, y, { validation: { x: [[1, 2]], y: [[1, 0]] } })).rejects.toThrow(/validation\.x must have 3 columns/);
    expect(() => net.setParameters({ weights: [], biases: [] })).toThrow(/parameters\.weights must have 2 matrices/);
    const p = net.getParameters();
    p.weights[1][0][2] = NaN;
    expect(() => net.setParameters(p)).toThrow(/parameters\.weights\[1\]\[0\]\[2\] must be a finite number, got NaN/);
    p.weights[1][0] = [1, 2];
    expect(() => net.setParameters(p)).toThrow(/parameters\.weights\[1\]\[0\] must have 4 columns \(one per neuron of layer 1\)/);
    expect(() => net.setParameters({ ...net.getParameters(), bias: [] } as never)).toThrow(
      /^parameters\.bias is not a part of the parameters \(weights, biases, inputBiases\)$/,
    );
    // A value an f32 network cannot hold (it would be Infinity) is refused, as in x; f64 takes it.
    const big = net.getFlatParameters();
    big[3] = 1e39;
    if (engine.precision === 'f32') {
      expect(() => net.setFlatParameters(big)).toThrow(
        /^setFlatParameters: flat parameter 3 \(weights\[0\]\[1\]\[0\]\) = 1e\+39 is too large for f32 precision \(\|value\| > 3\.4e38\)$/,
      );
      const q = net.getParameters();
      q.weights[0][0][0] = -1e39;
      expect(() => net.setParameters(q)).toThrow(/^setParameters: parameters\.weights\[0\]\[0\]\[0\] = -1e\+39 is too large for f32 precision/);
      q.weights[0][0][0] = 0;
      q.biases[1][1] = 4e38;
      expect(() => net.setParameters(q)).toThrow(/^setParameters: parameters\.biases\[1\]\[1\] = 4e\+38 is too large for f32 precision/);
      // Adam's moments too (one beyond f32 made every later step NaN, or 0 for ever), nothing set.
      const adam = await engine.create({ layers: [3, 4, 2], optimizer: 'adam' });
      const state = adam.getTrainingState();
      const m = Float64Array.from(state.m!);
      m[3] = 1e39;
      expect(() => adam.setTrainingState({ ...state, m, step: 5 })).toThrow(
        /^setTrainingState: training state\.m\[3\] \(of weights\[0\]\[1\]\[0\]\) = 1e\+39 is too large for f32 precision/,
      );
      expect(() => adam.setTrainingState({ ...state, v: Float64Array.from(state.v!, (_, i) => (i === 0 ? 5e38 : 0)) })).toThrow(
        /^setTrainingState: training state\.v\[0\] \(of weights\[0\]\[0\]\[0\]\) = 5e\+38 is too large/,
      );
      expect(adam.getTrainingState()).toEqual(state);
      adam.dispose();
    } else {
      net.setFlatParameters(big);
      expect(net.getFlatParameters()[3]).toBe(1e39);
    }
    // The AbortController for its signal would never stop the fit; unknown validation parts are refused.
    await expect(net.fit(x, y, { signal: new AbortController() as never })).rejects.toThrow(
      /^options\.signal must be an AbortSignal \(the controller\.signal of an AbortController, not the controller\), got /,
    );
    await expect(net.fit(x, y, { signal: true as never })).rejects.toThrow(/^options\.signal must be an AbortSignal, got true$/);
    await expect(net.fit(x, y, { validation: [x, y] as never })).rejects.toThrow(
      /^options\.validation must be \{ x, y \} or a prepared dataset, got an array of length 2$/,
    );
    await expect(net.fit(x, y, { 'epochs\n': 2 } as never)).rejects.toThrow(/^unknown option 'epochs\\n' \(known: /);
  });

  it('misspelt option names are refused by fit and trainBatch as Network.create refuses them', async () => {
    const fitNames = 'learningRate, biasLearningRate, optimizer, epochs, batchSize, shuffle, validation, onEpoch, onBatch, threads, maxLoss, signal';
    await expect(net.fit(x, y, { epoch: 3, batch_size: 1 } as never)).rejects.toThrow(new RegExp(`^unknown option 'epoch' \\(known: ${fitNames}\\)$`));
    await expect(net.fit(x, y, { epoch: 3 } as never)).rejects.toBeInstanceOf(ArgumentError);
    await expect(net.fit(x, y, { epochs: 1, optimizer: { type: 'adam', beta: 0.5 } } as never)).rejects.toThrow(
      /^unknown option 'optimizer\.beta' \(known: type, beta1, beta2, epsilon\)$/,
    );
    await expect(net.fit(x, y, 3 as never)).rejects.toThrow(/^options must be an object, got 3$/);
    expect(() => net.trainBatch(x, y, { learningrate: 0.1 } as never)).toThrow(
      /^unknown option 'learningrate' \(known: learningRate, biasLearningRate, optimizer\)$/,
    );
    expect(() => net.trainBatch(x, y, { epochs: 2 } as never)).toThrow(/^unknown option 'epochs' \(known: learningRate, biasLearningRate, optimizer\)$/);
    expect(() => net.trainBatch(x, y, { optimizer: { type: 'momentum', mu: 0.5 } } as never)).toThrow(/unknown option 'optimizer\.mu'/);
    expect(calls).toEqual([]);
  });

  it('an accuracy only for a classifier (sigmoid or softmax output): NaN for a regression, and no validationAccuracy', async () => {
    expect(net.evaluate(x, y).accuracy).toBeGreaterThanOrEqual(0);
    const target = [[0.5], [2]];
    for (const options of [{ activation: 'linear' }, { activation: 'sigmoid', output: 'linear' }, { activation: 'relu' }, { activation: 'tanh' }] as const) {
      const reg = await engine.create({ layers: [3, 1], learningRate: 0.01, ...options });
      try {
        const ev = reg.evaluate(x, target);
        expect(ev.loss).toBeGreaterThan(0);
        expect(ev.accuracy).toBeNaN();
        const h = await reg.fit(x, target, { epochs: 2, validation: { x, y: target } });
        expect(h.epochs[1].validationLoss).toBeGreaterThan(0);
        expect(h.epochs[1]).not.toHaveProperty('validationAccuracy');
      } finally {
        reg.dispose();
      }
    }
    const ce = await engine.create({ layers: [3, 2], loss: 'cross-entropy' });
    try {
      expect(ce.evaluate(x, y).accuracy).toBeGreaterThanOrEqual(0);
      expect((await ce.fit(x, y, { epochs: 1, validation: { x, y } })).epochs[0].validationAccuracy).toBeGreaterThanOrEqual(0);
    } finally {
      ce.dispose();
    }
    const one = await engine.create({ layers: [3, 1] });
    try {
      expect(one.evaluate(x, [[0.9], [0.1]]).accuracy).toBeGreaterThanOrEqual(0);
    } finally {
      one.dispose();
    }
  });

  it('cross-entropy targets must be distributions', async () => {
    const ce = await engine.create({ layers: [3, 2], loss: 'cross-entropy' });
    try {
      expect(() =>
        ce.trainBatch(x, [
          [0.5, 0.2],
          [1, 0],
        ]),
      ).toThrow(/y row 0 sums to 0\.7/);
      expect(() =>
        ce.trainBatch(x, [
          [1.5, -0.5],
          [1, 0],
        ]),
      ).toThrow(/y row 0, column 1 is negative/);
    } finally {
      ce.dispose();
    }
  });

  it('no kernel was entered by any of the above', () => {
    expect(() => net.trainBatch([[0, 1]], [[0, 1]])).toThrow();
    expect(() => net.trainBatch([[NaN, 1, 2]], [[0, 1]])).toThrow();
    expect(calls).toEqual([]);
  });

  it('a minibatch beyond the size limits is named', async () => {
    const wide = await engine.create({ layers: [2, 65536, 1] });
    try {
      const x = { data: new Float64Array(2 * 5000), rows: 5000, cols: 2 };
      const y = { data: new Float64Array(5000), rows: 5000, cols: 1 };
      expect(() => wide.trainBatch(x, y)).toThrow(/a minibatch of 5000 rows × the widest layer \(65536 neurons\) exceeds 268435456/);
      await expect(wide.fit(x, y, { batchSize: 5000 })).rejects.toThrow(/a minibatch of 5000 rows/);
    } finally {
      wide.dispose();
    }
  });

  it('a batch size larger than the data trains on all of it', async () => {
    const h = await net.fit(x, y, { epochs: 2, batchSize: 65536 });
    expect(h.losses).toHaveLength(2);
    expect(h.losses.every(Number.isFinite)).toBe(true);
  });

  it('a diverging run stops with an error that says what to change', async () => {
    const big = [[1e3, -1e3, 1e3]];
    const r = await engine.create({ layers: [3, 2], activation: 'linear', learningRate: 1e30 });
    try {
      expect(() => {
        for (let i = 0; i < 50; i++) r.trainBatch(big, [[0, 1]]);
      }).toThrow(/training diverged .*lower the learning rate/);
    } finally {
      r.dispose();
    }
  });
});

it('inputActivation reads f_0 of an activated input layer, null for an identity one', async () => {
  const identity = await Network.create({ layers: [2, 3, 1], engine: 'js' });
  const activated = await Network.create({ layers: [2, 3, 1], engine: 'js', inputLayer: 'activated', activation: 'relu', inputActivation: 'tanh' });
  expect([identity.inputActivation, activated.inputActivation, activated.activations]).toEqual([null, 'tanh', ['relu', 'relu']]);
  identity.dispose();
  activated.dispose();
});
