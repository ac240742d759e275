/**
 * Divergence, on every configuration: a loss or a parameter that goes non-finite stops `fit` and
 * `trainBatch` with a TrainingDivergedError naming the epoch, minibatch, layer and neuron, and the
 * network is back at its last finite state, usable. The oracles are independent of the replay: a
 * fresh network that trains only the finite epochs, and the raw engine stepping the same
 * minibatches with nothing checked, the first non-finite value found by scanning the nested
 * parameters.
 */
import { describe, expect, it } from 'vitest';
import type { Matrix } from '../ts/matrix.js';
import type { Network, NetworkOptions } from '../ts/network.js';
import { Random, permutation } from '../ts/random.js';
import { TrainingDivergedError, type EpochRecord, type OptimizerName } from '../ts/types.js';
import { ENGINE_CASES, randomMatrix, type EngineCase } from './engines.js';

const X = randomMatrix(20, 3, 11);
const Y = randomMatrix(20, 2, 12, 0, 1);
const BATCH = 4;
/** Linear layers at a rate too high for them: the weights grow until they overflow (epoch 3 with SGD, 10 with momentum). */
const RATES: [OptimizerName, number][] = [
  ['sgd', 1.1],
  ['momentum', 0.3],
];
/** The same for `trainBatch` on the minibatches of `batchRows` (diverging in update 10 with SGD, 23 with momentum). */
const BATCH_RATES: [OptimizerName, number][] = [
  ['sgd', 1.1],
  ['momentum', 0.5],
];
/** The rows of trainBatch call `call`: four rows, in an order that changes from call to call. */
const batchRows = (call: number) => [0, 1, 2, 3].map((i) => (call * 7 + i * 5) % X.rows);
const diverging = (optimizer: OptimizerName, learningRate: number): NetworkOptions => ({
  layers: [3, 4, 2],
  activation: 'linear',
  optimizer,
  learningRate,
  seed: 4,
});

/** The bits of every parameter (toEqual on the numbers would let −0 equal 0). */
function bits(net: Network): string[] {
  return Array.from(net.getFlatParameters(), (v) => v.toString(16) + (Object.is(v, -0) ? '-0' : ''));
}

/** Rows `idx` of m in the network's precision, as `Network` converts them. */
function gather(m: { data: Float64Array; cols: number }, idx: readonly number[], precision: 'f32' | 'f64'): Matrix {
  const out = new (precision === 'f32' ? Float32Array : Float64Array)(idx.length * m.cols);
  idx.forEach((r, i) => out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return { data: out, rows: idx.length, cols: m.cols };
}

interface Place {
  layer: number | null;
  neuron: number | null;
  parameter: string;
  value: number;
}

/** The first non-finite parameter in the nested layout: layer by layer, neuron by neuron, its weights before its bias. */
function firstBad(net: Network): Place | null {
  const p = net.getParameters();
  for (let l = 0; l < p.weights.length; l++) {
    for (let k = 0; k < p.weights[l].length; k++) {
      const w = p.weights[l][k].find((v) => !Number.isFinite(v));
      if (w !== undefined) return { layer: l + 1, neuron: k, parameter: 'weights', value: w };
      if (!Number.isFinite(p.biases[l][k])) return { layer: l + 1, neuron: k, parameter: 'bias', value: p.biases[l][k] };
    }
  }
  return null;
}

const placeOf = (e: TrainingDivergedError): Place => ({ layer: e.layer, neuron: e.neuron, parameter: e.parameter, value: e.value });

/**
 * Steps the raw engine of `net` (nothing checked) through `steps` minibatches from its state now;
 * returns the first step (0-based) after which the loss or a parameter is not finite, and what.
 */
function firstBadStep(net: Network, c: EngineCase, steps: number[][], data = { x: X, y: Y }): { step: number; place: Place; losses: number[] } | null {
  net.getTrainingState(); // the network's settings in force in the engine
  const engine = net.engineInstance;
  const losses: number[] = [];
  for (let s = 0; s < steps.length; s++) {
    const loss = engine.trainBatch(gather(data.x, steps[s], c.precision), gather(data.y, steps[s], c.precision));
    losses.push(loss);
    const bad = firstBad(net);
    if (!Number.isFinite(loss) || bad) return { step: s, place: bad ?? { layer: null, neuron: null, parameter: 'loss', value: loss }, losses };
  }
  return null;
}

/** The minibatches of the next epoch of `net`, in the order its generator draws. */
function nextEpoch(net: Network, rows: number, batch: number): number[][] {
  const rng = new Random(1);
  rng.state = net.getTrainingState().shuffle;
  const order = Array.from(permutation(rows, rng));
  return Array.from({ length: Math.ceil(rows / batch) }, (_, b) => order.slice(b * batch, (b + 1) * batch));
}

async function rejection(p: Promise<unknown>): Promise<TrainingDivergedError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TrainingDivergedError);
  return e as TrainingDivergedError;
}

describe.each(ENGINE_CASES)('divergence on $name', (c) => {
  describe.each(RATES)('fit with %s', (optimizer, lr) => {
    it.each(['in one run of epochs', 'epoch by epoch (onEpoch)'])(
      'names the epoch, batch, layer and neuron and goes back to the last finite epoch (%s)',
      async (mode) => {
        const net = await c.create(diverging(optimizer, lr));
        const finite = await c.create(diverging(optimizer, lr));
        try {
          const seen: EpochRecord[] = [];
          const onEpoch = mode.startsWith('epoch') ? { onEpoch: (r: EpochRecord) => void seen.push(r) } : {};
          const e = await rejection(net.fit(X, Y, { epochs: 400, batchSize: BATCH, ...onEpoch }));
          expect(e.epoch).toBeGreaterThan(1);
          expect(e.message).toMatch(
            new RegExp(
              `^training diverged in epoch ${e.epoch}, batch ${e.batch} \\(x rows [\\d, ]+\\): the (weights into|bias of) neuron ${e.neuron} of layer ${e.layer} ` +
                `\\((weights|biases)\\[${e.layer! - 1}\\]\\[${e.neuron}\\]\\) became (NaN|-?Infinity); the network is back at the end of epoch ${e.epoch! - 1}: ` +
                `lower the learning rate \\(now ${lr}, biases ${lr}\\)$`,
            ),
          );
          // Bit for bit where a run of only the finite epochs ends, state and history included.
          const h = await finite.fit(X, Y, { epochs: e.epoch! - 1, batchSize: BATCH });
          expect(bits(net)).toEqual(bits(finite));
          expect(net.getTrainingState()).toEqual(finite.getTrainingState());
          expect(e.history!.losses).toEqual(h.losses);
          expect(e.history!.epochs.map((r) => r.epoch)).toEqual(h.epochs.map((r) => r.epoch));
          if (mode.startsWith('epoch')) expect(seen).toEqual(e.history!.epochs);
          // The failing minibatch, by the raw engine stepping the next epoch from the same state.
          const batches = nextEpoch(finite, X.rows, BATCH);
          const found = firstBadStep(finite, c, batches)!;
          expect(found).not.toBeNull();
          expect(e.batch).toBe(found.step + 1);
          expect(e.rows).toEqual(batches[found.step]);
          expect(placeOf(e)).toEqual(found.place);
          // Usable: finite outputs.
          expect(Number.isFinite(net.evaluate(X, Y).loss)).toBe(true);
          expect(net.predictMatrix(X).data.every(Number.isFinite)).toBe(true);
        } finally {
          net.dispose();
          finite.dispose();
        }
      },
    );
  });

  it.each(BATCH_RATES)('trainBatch with %s: back before the update that went non-finite', async (optimizer, lr) => {
    const net = await c.create(diverging(optimizer, lr));
    const oracle = await c.create(diverging(optimizer, lr));
    try {
      const rowsOf = batchRows;
      const before: { bits: string[]; state: unknown }[] = [];
      let e: TrainingDivergedError | null = null;
      for (let call = 0; call < 2000 && !e; call++) {
        before.push({ bits: bits(net), state: net.getTrainingState() });
        try {
          net.trainBatch(gather(X, rowsOf(call), c.precision), gather(Y, rowsOf(call), c.precision));
        } catch (err) {
          expect(err).toBeInstanceOf(TrainingDivergedError);
          e = err as TrainingDivergedError;
        }
      }
      expect(e).not.toBeNull();
      const last = before.length - 1;
      const found = firstBadStep(
        oracle,
        c,
        Array.from({ length: last + 1 }, (_, s) => rowsOf(s)),
      )!;
      expect(found).not.toBeNull();
      expect(e!.callsAgo).toBe(last - found.step);
      expect(e!.undone).toBe(last - found.step + 1);
      expect(placeOf(e!)).toEqual(found.place);
      expect(bits(net)).toEqual(before[found.step].bits);
      expect(net.getTrainingState()).toEqual(before[found.step].state);
      expect(e!.message).toMatch(/^training diverged in (this trainBatch call|the trainBatch call \d+ before this one .*): .* lower the learning rate/);
      // Finite parameters (they may still be too large for the failing minibatch: its loss was computed from them).
      expect(net.getFlatParameters().every(Number.isFinite)).toBe(true);
    } finally {
      net.dispose();
      oracle.dispose();
    }
  });

  it('trainBatch: a minibatch array changed in place since it was given is noticed, and the network goes back before that call', async () => {
    const net = await c.create(diverging('sgd', 1.1));
    try {
      // One buffer for every call, refilled each time (in the network's precision: used as it is).
      const x = gather(X, [0, 1, 2, 3], c.precision);
      const y = gather(Y, [0, 1, 2, 3], c.precision);
      const before: string[][] = [];
      let e: TrainingDivergedError | null = null;
      let call = 0;
      for (; call < 2000 && !e; call++) {
        const rows = batchRows(call);
        x.data.set(gather(X, rows, c.precision).data);
        y.data.set(gather(Y, rows, c.precision).data);
        before.push(bits(net));
        try {
          net.trainBatch(x, y);
        } catch (err) {
          e = err as TrainingDivergedError;
        }
      }
      expect(e).toBeInstanceOf(TrainingDivergedError);
      // The replay from the first call's state meets a buffer holding the last call's rows: the
      // first call that trained on other rows does not replay, and the network is back before it.
      const last = call - 1;
      const changed = [...Array(last).keys()].find((k) => String(batchRows(k)) !== String(batchRows(last)))!;
      expect(e!.undone).toBe(last + 1 - changed);
      expect(bits(net)).toEqual(before[changed]);
      expect(e!.parameter).toBe('loss');
      expect(e!.message).toMatch(
        new RegExp(`^training diverged in this trainBatch call: the loss became .*; the network is back where it was ${last + 1 - changed} updates ago`),
      );
    } finally {
      net.dispose();
    }
  });

  describe('a weight that overflows while the loss stays finite', () => {
    // One relu neuron between input and a linear output, its bias at −1 and frozen (η_b = 0): the
    // small inputs leave it inactive (no update), the input 1000 makes w_0 overflow to −Infinity in
    // one update while w_1 stays finite. From then on the neuron is dead: its output 0, the loss
    // ½·10² at every row, every gradient 0, so w_0 stays −Infinity and no loss ever shows it.
    const data = { x: { data: Float64Array.of(3, 7, 1000, 2, 5, 9), rows: 6, cols: 1 }, y: { data: new Float64Array(6).fill(-10), rows: 6, cols: 1 } };
    const START = [0.01, -1, 100, 0];
    const options = (): NetworkOptions => ({
      layers: [1, 1, 1],
      activation: 'relu',
      output: 'linear',
      learningRate: c.precision === 'f32' ? 1e32 : 1e302,
      biasLearningRate: 0,
    });
    const create = async () => {
      const n = await c.create(options());
      n.setFlatParameters(START);
      return n;
    };
    const THE_WEIGHT = { layer: 1, neuron: 0, parameter: 'weights', value: -Infinity };

    it('is caught by fit, which names it and goes back', async () => {
      const [net, oracle] = await Promise.all([create(), create()]);
      try {
        const start = bits(net);
        // The premise, on the raw engine: w_0 is −Infinity after the step on row 2, and every loss,
        // then and for 4 epochs more, is finite.
        const steps = nextEpoch(oracle, 6, 1);
        const found = firstBadStep(oracle, c, steps, data)!;
        expect(found.place).toEqual(THE_WEIGHT);
        expect(steps[found.step]).toEqual([2]);
        expect(found.losses.every(Number.isFinite)).toBe(true);
        for (let s = 0; s < 24; s++)
          expect(oracle.engineInstance.trainBatch(gather(data.x, [s % 6], c.precision), gather(data.y, [s % 6], c.precision))).toBe(50);
        expect(firstBad(oracle)).toEqual(THE_WEIGHT);

        const e = await rejection(net.fit(data.x, data.y, { epochs: 5, batchSize: 1 }));
        expect(placeOf(e)).toEqual(THE_WEIGHT);
        expect([e.epoch, e.batch, e.rows]).toEqual([1, found.step + 1, [2]]);
        expect(e.history!.losses).toEqual([]);
        expect(e.message).toMatch(
          /^training diverged in epoch 1, batch \d \(x row 2\): the weights into neuron 0 of layer 1 \(weights\[0\]\[0\]\) became -Infinity; the network is back at the start of epoch 1/,
        );
        expect(bits(net)).toEqual(start);
      } finally {
        net.dispose();
        oracle.dispose();
      }
    });

    it('is caught by fit with onEpoch at the end of the time slice: the epochs it undoes leave the history', async () => {
      const net = await create();
      try {
        const start = bits(net);
        const seen: EpochRecord[] = [];
        const e = await rejection(net.fit(data.x, data.y, { epochs: 5, batchSize: 1, onEpoch: (r) => void seen.push(r) }));
        expect(placeOf(e)).toEqual(THE_WEIGHT);
        expect([e.epoch, e.rows]).toEqual([1, [2]]);
        // onEpoch saw the epochs trained in the slice (their losses finite); the error's history and
        // the network hold none of them.
        expect(seen.length).toBeGreaterThanOrEqual(1);
        expect(e.history!.epochs).toEqual([]);
        expect(bits(net)).toEqual(start);
      } finally {
        net.dispose();
      }
    });

    it('is caught by trainBatch in the call whose update overflowed it, which is undone', async () => {
      const net = await create();
      try {
        const start = bits(net);
        let e: TrainingDivergedError | null = null;
        let call = 0;
        for (; call < 3000 && !e; call++) {
          try {
            expect(Number.isFinite(net.trainBatch(gather(data.x, [call % 6], c.precision), gather(data.y, [call % 6], c.precision)))).toBe(true);
          } catch (err) {
            e = err as TrainingDivergedError;
          }
        }
        expect(e).toBeInstanceOf(TrainingDivergedError);
        // Thrown by call 2 (input 1000), whose loss was finite: the parameters are checked after
        // every call (a later call found it before, and the calls between had returned normally).
        expect(call - 1).toBe(2);
        expect([e!.callsAgo, e!.undone]).toEqual([0, 1]);
        expect(placeOf(e!)).toEqual(THE_WEIGHT);
        expect(e!.message).toMatch(
          /^training diverged in this trainBatch call: the weights into neuron 0 of layer 1 \(weights\[0\]\[0\]\) became -Infinity; the network is back where it was before this call/,
        );
        expect(bits(net)).toEqual(start);
      } finally {
        net.dispose();
      }
    });
  });
});
