/**
 * The training state: on every configuration and with every optimizer, training k epochs, carrying
 * the parameters and the whole training state (optimizer settings, moments, step count, shuffling
 * generator) into a fresh network, and training m more gives the parameters of k + m uninterrupted
 * epochs, bit for bit. Also the same through `trainBatch`, and a bad state refused before anything
 * changes.
 */
import { describe, expect, it } from 'vitest';
import type { TrainingState } from '../ts/engine.js';
import type { Network, NetworkOptions } from '../ts/network.js';
import { OPTIMIZERS, type OptimizerName } from '../ts/types.js';
import { ENGINE_CASES, oneHotRows, randomMatrix } from './engines.js';

const X = randomMatrix(24, 4, 11);
const Y = oneHotRows(24, 3, 12);
const RATES: Record<OptimizerName, number> = { sgd: 0.5, momentum: 0.1, adam: 0.01 };

function options(optimizer: OptimizerName, seed = 3): NetworkOptions {
  // An activated input layer so that every parameter block, b_in too, takes part.
  return { layers: [4, 5, 3], activation: 'tanh', loss: 'cross-entropy', inputLayer: 'activated', optimizer, learningRate: RATES[optimizer], seed };
}

/** The bits of every parameter (toEqual on the numbers would let −0 equal 0). */
function bits(net: Network): string[] {
  return Array.from(net.getFlatParameters(), (v) => v.toString(16) + (Object.is(v, -0) ? '-0' : ''));
}

describe.each(ENGINE_CASES)('training state on $name', (c) => {
  describe.each(OPTIMIZERS)('%s', (optimizer) => {
    it.each([1, 8])('fit k epochs, carry the state into a fresh network, fit m more = k + m epochs (batch %i)', async (batchSize) => {
      const [k, m] = [3, 2];
      const whole = await c.create(options(optimizer));
      const first = await c.create(options(optimizer));
      // Another seed: everything that matters must come with the state.
      const resumed = await c.create(options(optimizer, 99));
      try {
        await whole.fit(X, Y, { epochs: k + m, batchSize });
        await first.fit(X, Y, { epochs: k, batchSize });
        const state = first.getTrainingState();
        expect(state.step).toBe(k * Math.ceil(X.rows / batchSize));
        expect(state.m === null).toBe(optimizer === 'sgd');
        expect(state.v === null).toBe(optimizer !== 'adam');
        resumed.setFlatParameters(first.getFlatParameters());
        resumed.setTrainingState(state);
        expect(resumed.getTrainingState()).toEqual(state);
        await resumed.fit(X, Y, { epochs: m, batchSize });
        expect(bits(resumed)).toEqual(bits(whole));
        expect(resumed.getTrainingState()).toEqual(whole.getTrainingState());
      } finally {
        [whole, first, resumed].forEach((n) => n.dispose());
      }
    });
  });

  it('trainBatch with Adam continues from a state carried as JSON', async () => {
    const whole = await c.create(options('adam'));
    const resumed = await c.create(options('sgd', 7));
    try {
      for (let s = 0; s < 3; s++) whole.trainBatch(X, Y);
      // Typed arrays as plain arrays, as a file holds them.
      const plain = (_: string, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v);
      const json = JSON.stringify({ state: whole.getTrainingState(), params: whole.getFlatParameters() }, plain);
      for (let s = 0; s < 2; s++) whole.trainBatch(X, Y);
      const saved = JSON.parse(json) as { state: TrainingState; params: number[] };
      resumed.setFlatParameters(saved.params);
      resumed.setTrainingState(saved.state);
      expect(resumed.settings.optimizer.type).toBe('adam');
      for (let s = 0; s < 2; s++) resumed.trainBatch(X, Y);
      expect(bits(resumed)).toEqual(bits(whole));
    } finally {
      whole.dispose();
      resumed.dispose();
    }
  });
});

describe('a bad training state is refused, naming the field, and changes nothing', () => {
  const n = 4 * 5 + 5 + 5 * 3 + 3 + 4;
  const good = (): TrainingState => ({
    optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    learningRate: 0.01,
    biasLearningRate: 0.01,
    step: 4,
    m: new Float64Array(n).fill(0.1),
    v: new Float64Array(n).fill(0.2),
    shuffle: [1, 2, 3, 4],
  });
  const cases: [string, (s: TrainingState) => unknown, RegExp][] = [
    ['a negative step', (s) => (s.step = -1), /training state\.step must be between 0/],
    ['a fractional step', (s) => (s.step = 1.5), /training state\.step must be an integer/],
    ['a moment of the wrong length', (s) => (s.m = new Float64Array(3)), /training state\.m must have 47 numbers, got 3/],
    ['a NaN in a moment', (s) => ((s.v as Float64Array)[5] = NaN), /training state\.v\[5\] must be a finite number, got NaN/],
    ['Adam without its second moment', (s) => (s.v = null), /training state\.v is missing: adam keeps its second moment there/],
    [
      "a model file's training section, its moments encoded",
      (s) => (s.m = { dtype: 'float64', base64: 'AAAA' } as never),
      /^training state\.m is encoded as a model file stores it: loadNetwork\(model\) restores a network with its training state$/,
    ],
    [
      'a negative second moment',
      (s) => ((s.v as Float64Array)[7] = -0.5),
      /^training state\.v\[7\] is -0\.5: Adam's second moment is a mean of squares, never negative$/,
    ],
    ['SGD with a moment', (s) => (s.optimizer = { type: 'sgd' }), /training state\.m must be null: sgd keeps no first moment/],
    ['an unknown optimizer', (s) => (s.optimizer = { type: 'rmsprop' } as never), /training state\.optimizer\.type must be one of 'sgd', 'momentum', 'adam'/],
    ['a negative learning rate', (s) => (s.learningRate = -1), /training state\.learningRate must be ≥ 0/],
    ['a generator state of zeros', (s) => (s.shuffle = [0, 0, 0, 0]), /training state\.shuffle must not be all zero/],
    ['a generator state too short', (s) => (s.shuffle = [1, 2]), /training state\.shuffle must be the generator's four 32-bit words/],
    ['a generator word too large', (s) => (s.shuffle = [1, 2, 3, 2 ** 32]), /training state\.shuffle\[3\] must be between 0 and 4294967295/],
    [
      'a field it does not have (named before the fields it lacks)',
      (s) => Object.assign(s, { foo: 1 }),
      /^unknown option 'foo' \(known: optimizer, learningRate, biasLearningRate, step, m, v, shuffle\)$/,
    ],
  ];
  describe.each(ENGINE_CASES)('$name', (c) => {
    it.each(cases)('%s', async (_, spoil, message) => {
      const net = await c.create(options('momentum'));
      try {
        net.trainBatch(X, Y);
        const before = net.getTrainingState();
        const params = bits(net);
        const s = good();
        spoil(s);
        expect(() => net.setTrainingState(s)).toThrow(message);
        expect(net.getTrainingState()).toEqual(before);
        expect(bits(net)).toEqual(params);
      } finally {
        net.dispose();
      }
    });
  });
});

describe.each(ENGINE_CASES)('reading the state into arrays given, on $name', (c) => {
  it('fills arrays of the right length, allocates for others, and the copies never move with training', async () => {
    const net = await c.create(options('adam'));
    try {
      net.trainBatch(X, Y);
      const engine = net.engineInstance;
      const n = engine.layout.length;
      const fresh = engine.readParameters();
      const into = new Float64Array(n).fill(7);
      expect(engine.readParameters(into)).toBe(into);
      expect(into).toEqual(fresh);
      const wrong = new Float64Array(n - 1);
      const other = engine.readParameters(wrong);
      expect(other).not.toBe(wrong);
      expect(other).toEqual(fresh);
      const state = engine.readOptimizerState();
      const held = { step: 0, m: new Float64Array(n), v: new Float64Array(n) };
      const read = engine.readOptimizerState(held);
      expect([read.m, read.v]).toEqual([state.m, state.v]);
      expect(read.m).toBe(held.m);
      expect(read.v).toBe(held.v);
      expect(read.step).toBe(state.step);
      // Copies: training on changes neither.
      net.trainBatch(X, Y);
      expect(into).toEqual(fresh);
      expect(read.m).toEqual(state.m);
      expect(engine.readParameters()).not.toEqual(fresh);
    } finally {
      net.dispose();
    }
  });
});
