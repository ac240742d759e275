/**
 * `fit` in time slices and on prepared datasets, on every configuration: how the work is cut
 * (whole epochs, several epochs per call, or an epoch in spans of minibatches) changes no bit of
 * the parameters or the losses; a prepared dataset trains, validates and evaluates exactly as the
 * rows it holds; `onBatch` reports progress inside long epochs; `signal` and `onBatch` stop in the
 * middle of one; prepared data is freed with its dataset or its network.
 *
 * The slicing is driven through `performance.now`: a clock that advances a fixed step at every
 * reading makes each engine call look long, so every epoch is cut into spans of a few minibatches.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { drainFromEnd, resizableArray } from '../ts/growable.js';
import type { Network, NetworkOptions } from '../ts/network.js';
import { F32_MAX, TrainingDivergedError } from '../ts/types.js';
import { largestParameter } from '../ts/divergence.js';
import { permutation, Random } from '../ts/random.js';
import { loadWasm } from '../ts/wasm/loader.js';
import { ENGINE_CASES, oneHotRows, randomMatrix } from './engines.js';

const LAYERS = [5, 7, 3];
const X = randomMatrix(61, 5, 11);
const Y = oneHotRows(61, 3, 12);
const VX = randomMatrix(13, 5, 13);
const VY = oneHotRows(13, 3, 14);
const OPTIONS = { layers: LAYERS, activation: 'tanh', loss: 'cross-entropy', seed: 5, optimizer: 'adam', learningRate: 0.01 } as const;

/** `performance.now` advancing `step` ms at every reading: each engine call looks `step` ms long or more. */
function slowClock(step: number): void {
  let t = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => (t += step));
}

afterEach(() => vi.restoreAllMocks());

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v.toString()));

describe.each(ENGINE_CASES)('$name: fit cut into slices', (c) => {
  const run = async (cut: boolean, batchSize: number, extra: object = {}) => {
    const net = await c.create(OPTIONS);
    if (cut) slowClock(20);
    const h = await net.fit(X, Y, { epochs: 3, batchSize, validation: { x: VX, y: VY }, ...extra });
    vi.restoreAllMocks();
    const out = { params: net.getFlatParameters(), state: net.getTrainingState(), epochs: h.epochs };
    net.dispose();
    return out;
  };

  it.each([1, 4, 61])('spans of minibatches give the bits of whole epochs (batch %i)', async (batchSize) => {
    const whole = await run(false, batchSize);
    const progress: number[] = [];
    const cut = await run(true, batchSize, { onBatch: (p: { batch: number; batches: number }) => void progress.push(p.batch / p.batches) });
    expect(bits(cut.params)).toEqual(bits(whole.params));
    expect(cut.epochs).toEqual(whole.epochs);
    expect(cut.state.shuffle).toEqual(whole.state.shuffle);
    expect(bits(cut.state.m!)).toEqual(bits(whole.state.m!));
    // Cut into several spans an epoch (one minibatch of 61 rows cannot be cut).
    if (batchSize < 61) {
      expect(progress.length).toBeGreaterThan(3);
      expect(progress.filter((p) => p === 1)).toHaveLength(3);
    } else expect(progress).toEqual([]);
  });

  it('a signal aborted in the middle of an epoch stops there; the finished epochs are the history', async () => {
    const net = await c.create(OPTIONS);
    const controller = new AbortController();
    let calls = 0;
    slowClock(20);
    const h = await net.fit(X, Y, {
      epochs: 5,
      batchSize: 2,
      onEpoch: () => {}, // one epoch at a time
      signal: controller.signal,
      onBatch: (p) => {
        if (p.epoch === 2 && ++calls === 2) controller.abort();
      },
    });
    vi.restoreAllMocks();
    expect(h.stopped).toBe(true);
    expect(h.losses).toHaveLength(1);
    // Training goes on from there: nothing refers back to the epoch cut short.
    const more = await net.fit(X, Y, { epochs: 1, batchSize: 2 });
    expect(Number.isFinite(more.losses[0])).toBe(true);
    net.dispose();
  });

  it('onBatch returning false stops in the middle of the epoch', async () => {
    const net = await c.create(OPTIONS);
    slowClock(20);
    const seen: number[] = [];
    const h = await net.fit(X, Y, { epochs: 3, batchSize: 2, onEpoch: () => {}, onBatch: (p) => (seen.push(p.batch), p.batch < 10) });
    vi.restoreAllMocks();
    expect(h.stopped).toBe(true);
    expect(h.losses).toHaveLength(0);
    expect(seen.at(-1)).toBeGreaterThanOrEqual(10);
    expect(seen.at(-1)).toBeLessThan(31);
    net.dispose();
  });

  it('onBatch changing the network, then onEpoch reading it inside a later call of several epochs: the fit goes on from the change', async () => {
    // The first epoch in spans (onBatch is called there); the change drops the mark of the open
    // run, and the later calls (the real clock back) train several epochs each.
    const fit = async (read: boolean) => {
      const net = await c.create(OPTIONS);
      slowClock(20);
      let changed = false;
      const onBatch = () => {
        if (changed) return;
        changed = true;
        net.setParameters(net.getParameters());
        vi.restoreAllMocks();
      };
      const onEpoch = (r: { epoch: number }) => void (read && r.epoch % 7 === 0 && net.evaluate(X, Y));
      const h = await net.fit(X, Y, { epochs: 40, batchSize: 4, onBatch, onEpoch });
      vi.restoreAllMocks();
      const out = { changed, losses: h.losses, params: bits(net.getFlatParameters()) };
      net.dispose();
      return out;
    };
    const [read, quiet] = [await fit(true), await fit(false)];
    expect(read.changed).toBe(true);
    expect(read.losses).toHaveLength(40);
    expect(read).toEqual(quiet);
  });

  it('onBatch returning false at the end of an epoch keeps that epoch whole, and stops after it', async () => {
    const net = await c.create(OPTIONS);
    slowClock(20);
    const h = await net.fit(X, Y, { epochs: 3, batchSize: 2, onBatch: (p) => p.batch < p.batches || p.epoch < 2 });
    vi.restoreAllMocks();
    expect(h.stopped).toBe(true);
    expect(h.losses).toHaveLength(2);
    const ref = await c.create(OPTIONS);
    const whole = await ref.fit(X, Y, { epochs: 2, batchSize: 2 });
    expect(h.losses).toEqual(whole.losses);
    expect(bits(net.getFlatParameters())).toEqual(bits(ref.getFlatParameters()));
    net.dispose();
    ref.dispose();
  });
});

describe.each(ENGINE_CASES)('$name: the order of each epoch', (c) => {
  // Whole epochs draw their orders in the engine (the wasm engine inside the module); trainBatch
  // over the orders ts/random.ts draws from the same seed is the reference.
  it.each([
    [1, 1],
    [2, 1],
    [61, 1],
    [61, 4],
    [3001, 64],
  ])('%i rows, batch %i: the rows in the order Random draws, the generator left where it leaves it', async (rows, batchSize) => {
    const x = randomMatrix(rows, 5, 21);
    const y = oneHotRows(rows, 3, 22);
    const epochs = rows > 100 ? 2 : 5;
    const net = await c.create(OPTIONS);
    const ref = await c.create(OPTIONS);
    const rng = new Random(0);
    rng.state = ref.getTrainingState().shuffle;
    const h = await net.fit(x, y, { epochs, batchSize });
    const losses: number[] = [];
    for (let e = 0; e < epochs; e++) {
      const order = permutation(rows, rng);
      let total = 0;
      for (let s = 0; s < rows; s += batchSize) {
        const idx = order.subarray(s, Math.min(rows, s + batchSize));
        const pick = (m: { data: Float64Array; cols: number }) => ({
          data: Float64Array.from({ length: idx.length * m.cols }, (_, i) => m.data[idx[Math.floor(i / m.cols)] * m.cols + (i % m.cols)]),
          rows: idx.length,
          cols: m.cols,
        });
        total += ref.trainBatch(pick(x), pick(y)) * idx.length;
      }
      losses.push(total / rows);
    }
    expect(bits(net.getFlatParameters())).toEqual(bits(ref.getFlatParameters()));
    expect(bits(h.losses)).toEqual(bits(losses));
    expect(net.getTrainingState().shuffle).toEqual(rng.state);
    net.dispose();
    ref.dispose();
  });
});

describe.each(ENGINE_CASES)('$name: callbacks that train', (c) => {
  it('trainBatch from onEpoch starts from the epochs trained: the bits of fit and trainBatch taking turns', async () => {
    const a = await c.create(OPTIONS);
    const b = await c.create(OPTIONS);
    const row = { x: { data: X.data.subarray(0, 5), rows: 1, cols: 5 }, y: { data: Y.data.subarray(0, 3), rows: 1, cols: 3 } };
    await a.fit(X, Y, { epochs: 4, batchSize: 8, onEpoch: () => void a.trainBatch(row.x, row.y) });
    for (let e = 0; e < 4; e++) {
      await b.fit(X, Y, { epochs: 1, batchSize: 8 });
      b.trainBatch(row.x, row.y);
    }
    expect(bits(a.getFlatParameters())).toEqual(bits(b.getFlatParameters()));
    expect(a.getTrainingState()).toEqual(b.getTrainingState());
    a.dispose();
    b.dispose();
  });

  it('parameters set from onEpoch are where training goes on from', async () => {
    const a = await c.create(OPTIONS);
    const b = await c.create(OPTIONS);
    const p0 = a.getFlatParameters();
    await a.fit(X, Y, { epochs: 3, batchSize: 8, onEpoch: (r) => void (r.epoch === 2 && a.setFlatParameters(p0)) });
    await b.fit(X, Y, { epochs: 2, batchSize: 8 });
    b.setFlatParameters(p0);
    await b.fit(X, Y, { epochs: 1, batchSize: 8 });
    expect(bits(a.getFlatParameters())).toEqual(bits(b.getFlatParameters()));
    a.dispose();
    b.dispose();
  });
});

describe.each(ENGINE_CASES)('$name: onEpoch while fit runs ahead', (c) => {
  // Few rows and many epochs: whole slices of epochs go in one engine call, their records given after.
  const x = { data: X.data.subarray(0, 4 * 5), rows: 4, cols: 5 };
  const y = { data: Y.data.subarray(0, 4 * 3), rows: 4, cols: 3 };
  const EPOCHS = 1500;
  const fitOptions = { epochs: EPOCHS, batchSize: 2 };
  /** The parameters, training state and losses after `epochs` epochs of a fit with no callback. */
  const reference = async (epochs: number) => {
    const net = await c.create(OPTIONS);
    const h = await net.fit(x, y, { ...fitOptions, epochs });
    const out = { params: bits(net.getFlatParameters()), state: net.getTrainingState(), losses: bits(h.losses) };
    net.dispose();
    return out;
  };

  /**
   * The engine calls of a fit: many epochs each, or on the educational engine one each (it does not
   * run ahead). Counted by the epochs each call trained, not by the calls: an epoch that outlasts a
   * time slice on a loaded machine is trained in spans instead, without a call here.
   */
  const expectAhead = (calls: unknown[][]) => {
    const epochsPerCall = calls.map((args) => (args[3] as Float64Array).length);
    if (c.name.startsWith('educational')) expect([epochsPerCall.length > 0, epochsPerCall.every((n) => n === 1)]).toEqual([true, true]);
    else expect(calls.length).toBeLessThan(EPOCHS / 10);
  };

  it('runs ahead where the callback only takes the records (the educational engine does not)', async () => {
    const net = await c.create(OPTIONS);
    const calls = vi.spyOn(Object.getPrototypeOf(net.engineInstance) as { fitEpochs: () => void }, 'fitEpochs');
    const seen: number[] = [];
    const h = await net.fit(x, y, { ...fitOptions, onEpoch: (r) => void seen.push(r.epoch) });
    expect(seen).toEqual(Array.from({ length: EPOCHS }, (_, e) => e + 1));
    expectAhead(calls.mock.calls);
    const ref = await reference(EPOCHS);
    expect(bits(net.getFlatParameters())).toEqual(ref.params);
    expect(bits(h.losses)).toEqual(ref.losses);
    net.dispose();
  });

  it('validation after every epoch, as evaluate gives it after that epoch, from calls of many epochs', async () => {
    const net = await c.create(OPTIONS);
    const calls = vi.spyOn(Object.getPrototypeOf(net.engineInstance) as { fitEpochs: () => void }, 'fitEpochs');
    const h = await net.fit(x, y, { ...fitOptions, validation: { x: VX, y: VY } });
    expectAhead(calls.mock.calls);
    vi.restoreAllMocks();
    const ref = await c.create(OPTIONS);
    const [train, val] = [ref.prepare(x, y), ref.prepare(VX, VY)];
    const expected: object[] = [];
    for (let e = 1; e <= EPOCHS; e++) {
      const [loss] = (await ref.fit(train, { ...fitOptions, epochs: 1 })).losses;
      const ev = ref.evaluate(val);
      expected.push({ epoch: e, loss, validationLoss: ev.loss, validationAccuracy: ev.accuracy });
    }
    expect(h.epochs).toEqual(expected);
    expect(bits(net.getFlatParameters())).toEqual(bits(ref.getFlatParameters()));
    net.dispose();
    ref.dispose();
  });

  it.each([1, 2, 371, 1499])('a read from onEpoch at epoch %i sees that epoch; training then goes on to the same bits', async (k) => {
    const net = await c.create(OPTIONS);
    let seen: { params: string[]; state: unknown; prediction: number[][] } | null = null;
    const h = await net.fit(x, y, {
      ...fitOptions,
      onEpoch: (r) => void (r.epoch === k && (seen = { params: bits(net.getFlatParameters()), state: net.getTrainingState(), prediction: net.predict(x) })),
    });
    const at = await reference(k);
    expect(seen!.params).toEqual(at.params);
    expect(seen!.state).toEqual(at.state);
    const end = await reference(EPOCHS);
    expect(bits(net.getFlatParameters())).toEqual(end.params);
    expect(net.getTrainingState()).toEqual(end.state);
    expect(bits(h.losses)).toEqual(end.losses);
    net.dispose();
  });

  it('reads spread over a long fit each see their epoch (it runs ahead again once reads are rare)', async () => {
    const [long, at] = [30_000, [1000, 29_000]];
    const net = await c.create(OPTIONS);
    const seen: string[][] = [];
    const h = await net.fit(x, y, { ...fitOptions, epochs: long, onEpoch: (r) => void (at.includes(r.epoch) && seen.push(bits(net.getFlatParameters()))) });
    expect(seen).toEqual([(await reference(at[0])).params, (await reference(at[1])).params]);
    const end = await reference(long);
    expect(bits(net.getFlatParameters())).toEqual(end.params);
    expect(bits(h.losses)).toEqual(end.losses);
    net.dispose();
  });

  it('a stop from onEpoch, or a callback that throws, leaves the network at that epoch', async () => {
    const k = 777;
    const at = await reference(k);
    const stopped = await c.create(OPTIONS);
    const h = await stopped.fit(x, y, { ...fitOptions, onEpoch: (r) => r.epoch !== k });
    expect(h.stopped).toBe(true);
    expect(bits(h.losses)).toEqual(at.losses);
    expect(bits(stopped.getFlatParameters())).toEqual(at.params);
    expect(stopped.getTrainingState()).toEqual(at.state);
    const threw = await c.create(OPTIONS);
    await expect(
      threw.fit(x, y, {
        ...fitOptions,
        onEpoch: (r) => {
          if (r.epoch === k) throw new Error('from the callback');
        },
      }),
    ).rejects.toThrow('from the callback');
    expect(bits(threw.getFlatParameters())).toEqual(at.params);
    expect(threw.getTrainingState()).toEqual(at.state);
    stopped.dispose();
    threw.dispose();
  });

  it('an async onEpoch that rejects makes the fit reject with its error (not an unhandled rejection), at once, later in a long fit, or after the last epoch', async () => {
    const net = await c.create(OPTIONS);
    try {
      // Rejected as it returns, in a fit whose epochs all go in one slice.
      await expect(
        net.fit(x, y, {
          epochs: 5,
          onEpoch: async (r) => {
            if (r.epoch === 2) throw new Error('logging epoch 2 failed');
          },
        }),
      ).rejects.toThrow(/^logging epoch 2 failed$/);
      // Rejected after a while: training stops at its next yield, long before its last epoch.
      let last = 0;
      await expect(
        net.fit(x, y, {
          epochs: 10_000_000,
          onEpoch: async (r) => {
            last = r.epoch;
            if (r.epoch === 3) {
              await new Promise((resolve) => setTimeout(resolve, 30));
              throw new Error('logging epoch 3 failed');
            }
          },
        }),
      ).rejects.toThrow(/^logging epoch 3 failed$/);
      expect(last).toBeGreaterThan(3);
      expect(last).toBeLessThan(10_000_000);
      // Rejected after the last epoch has trained: the fit waits for it, and rejects.
      const t = performance.now();
      await expect(
        net.fit(x, y, {
          epochs: 3,
          onEpoch: async (r) => {
            await new Promise((resolve) => setTimeout(resolve, 30));
            if (r.epoch === 3) throw new Error('logging epoch 3 failed late');
          },
        }),
      ).rejects.toThrow(/^logging epoch 3 failed late$/);
      expect(performance.now() - t).toBeGreaterThanOrEqual(25);
      // A callback's promise that resolves: the fit settles after it, as it would have.
      let done = 0;
      await net.fit(x, y, { epochs: 2, onEpoch: async () => void (await new Promise((resolve) => setTimeout(resolve, 10)), done++) });
      expect(done).toBe(2);
      await expect(net.fit(x, y, { epochs: 2 })).resolves.toMatchObject({ stopped: false }); // the network trains on
    } finally {
      net.dispose();
    }
  });

  it('an abort from onEpoch stops at that epoch, as a stop does', async () => {
    const k = 321;
    const net = await c.create(OPTIONS);
    const abort = new AbortController();
    let after = 0;
    const h = await net.fit(x, y, {
      ...fitOptions,
      signal: abort.signal,
      onEpoch: (r) => {
        if (abort.signal.aborted) after++;
        if (r.epoch === k) abort.abort();
      },
    });
    const at = await reference(k);
    expect([h.stopped, h.losses.length, after]).toEqual([true, k, 0]);
    expect(bits(net.getFlatParameters())).toEqual(at.params);
    expect(net.getTrainingState()).toEqual(at.state);
    net.dispose();
  });

  it('dispose from onEpoch ends the fit there: no record after it, and the fit rejects saying so', async () => {
    const net = await c.create(OPTIONS);
    let after = 0;
    let gone = false;
    const fit = net.fit(x, y, {
      ...fitOptions,
      onEpoch: (r) => {
        if (gone) after++;
        if (r.epoch === 100) (net.dispose(), (gone = true));
      },
    });
    await expect(fit).rejects.toThrow(/disposed/);
    expect(after).toBe(0);
  });

  it('one fit at a time: another, from the callback or beside it, is refused; the first goes on to its bits', async () => {
    const net = await c.create(OPTIONS);
    const busy = 'this network is already training: await the fit in progress before starting another';
    let nested: Promise<unknown> = Promise.resolve('no fit from the callback');
    const first = net.fit(x, y, {
      ...fitOptions,
      onEpoch: (r) => void (r.epoch === 10 && (nested = net.fit(x, y, { epochs: 1 }).catch((e: Error) => e.message))),
    });
    await expect(net.fit(x, y, { epochs: 1 })).rejects.toThrow(busy);
    const h = await first;
    expect(await nested).toBe(busy);
    const end = await reference(EPOCHS);
    expect(bits(net.getFlatParameters())).toEqual(end.params);
    expect(bits(h.losses)).toEqual(end.losses);
    await net.fit(x, y, { epochs: 1 }); // and after it, fit trains again
    net.dispose();
  });

  it('parameters set from onEpoch while it runs ahead are where training goes on from', async () => {
    const a = await c.create(OPTIONS);
    const b = await c.create(OPTIONS);
    const p0 = a.getFlatParameters();
    await a.fit(x, y, { ...fitOptions, onEpoch: (r) => void (r.epoch === 600 && a.setFlatParameters(p0)) });
    await b.fit(x, y, { ...fitOptions, epochs: 600 });
    b.setFlatParameters(p0);
    await b.fit(x, y, { ...fitOptions, epochs: EPOCHS - 600 });
    expect(bits(a.getFlatParameters())).toEqual(bits(b.getFlatParameters()));
    expect(a.getTrainingState()).toEqual(b.getTrainingState());
    a.dispose();
    b.dispose();
  });
});

describe.each(ENGINE_CASES)('$name: maxLoss', (c) => {
  it('a loss above it stops training as diverged, at the first minibatch above it, the network back before it', async () => {
    const net = await c.create(OPTIONS);
    const start = net.getFlatParameters();
    const first = await c.create(OPTIONS);
    const loss = (await first.fit(X, Y, { epochs: 1, batchSize: 8 })).losses[0];
    first.dispose();
    const e = await net.fit(X, Y, { epochs: 3, batchSize: 8, maxLoss: loss / 1e6 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TrainingDivergedError);
    const d = e as TrainingDivergedError;
    expect([d.epoch, d.batch, d.parameter, d.maxLoss, d.layer]).toEqual([1, 1, 'loss', loss / 1e6, null]);
    expect(d.value).toBeGreaterThan(loss / 1e6);
    expect(d.message).toMatch(
      /^training diverged in epoch 1, batch 1 \(x rows [^)]+\): the loss rose to \S+, above maxLoss \S+ \(the largest parameter then: the (weights into|bias of) neuron \d+ of layer [12] \((weights|biases)\[[01]\]\[\d+\]\), \S+\); the network is back at the start of epoch 1/,
    );
    expect(bits(net.getFlatParameters())).toEqual(bits(start));
    // The largest parameter is that of the network after the failing minibatch's update.
    const x = { data: Float64Array.from(d.rows!.flatMap((r) => Array.from(X.data.subarray(r * 5, r * 5 + 5)))), rows: d.rows!.length, cols: 5 };
    const y = { data: Float64Array.from(d.rows!.flatMap((r) => Array.from(Y.data.subarray(r * 3, r * 3 + 3)))), rows: d.rows!.length, cols: 3 };
    const stepped = await c.create(OPTIONS);
    stepped.trainBatch(x, y);
    expect(d.largest).toEqual(largestParameter(stepped.getFlatParameters(), stepped.engineInstance.layout));
    stepped.dispose();
    // Above every loss, it changes nothing.
    const a = await c.create(OPTIONS);
    const b = await c.create(OPTIONS);
    expect((await a.fit(X, Y, { epochs: 2, maxLoss: 1e9 })).losses).toEqual((await b.fit(X, Y, { epochs: 2 })).losses);
    await expect(a.fit(X, Y, { maxLoss: 0 })).rejects.toThrow(/^options.maxLoss must be a positive number, got 0$/);
    [net, a, b].forEach((n) => n.dispose());
  });

  it('an f32 network: a mean loss beyond the largest f32 is diverged even without maxLoss (its parameters were finite, its predictions NaN)', async () => {
    // Linear layers and a large step: the third epoch's loss reaches ~1.8e44 with every parameter
    // finite (the largest ~8e37), and the outputs overflow f32 on the next forward pass.
    const options: NetworkOptions = { layers: [3, 3, 1, 5], seed: 33, activation: 'linear', learningRate: 0.5 };
    const x = [
      [-1.4728565998375416, -0.7526569627225399, 0.5148187782615423],
      [1.4106428744271398, -0.6821624496951699, 1.5802690451964736],
    ];
    const y = [
      [0.12576803634874523, 0.08617567294277251, 0.06546353665180504, 0.16536934324540198, 0.2772201942279935],
      [0.6243789619766176, 0.17529128002934158, 0.5850396740715951, 0.3032605708576739, 0.293279861100018],
    ];
    const net = await c.create(options);
    try {
      const fit = net.fit(x, y, { epochs: 3, batchSize: 1 });
      if (c.precision === 'f64') {
        // f64 holds it: the run is only very large (the premise: beyond f32).
        expect((await fit).losses[2]).toBeGreaterThan(3.5e38);
        return;
      }
      const e = (await fit.catch((err: unknown) => err)) as TrainingDivergedError;
      expect(e).toBeInstanceOf(TrainingDivergedError);
      expect([e.epoch, e.parameter, e.maxLoss]).toEqual([3, 'loss', F32_MAX]);
      expect(e.message).toMatch(/: the loss rose to \S+, above the largest f32 \(3\.4e38\) \(the largest parameter then: /);
      expect(net.predict(x).flat().every(Number.isFinite)).toBe(true);
    } finally {
      net.dispose();
    }
  });
});

describe.each(ENGINE_CASES)('$name: prepared datasets', (c) => {
  it("hold the data as checked: the caller's arrays changed after prepare, or from onEpoch during fit, change nothing", async () => {
    // Typed arrays of the network's own precision: the ones an engine could keep without a copy.
    const Type = c.precision === 'f32' ? Float32Array : Float64Array;
    const copy = () => ({ x: { ...X, data: Type.from(X.data) }, y: { ...Y, data: Type.from(Y.data) } });
    const [a, b, ref] = await Promise.all([c.create(OPTIONS), c.create(OPTIONS), c.create(OPTIONS)]);
    try {
      const expected = await ref.fit(X, Y, { epochs: 2, batchSize: 8 });
      const { x, y } = copy();
      const prepared = a.prepare(x, y);
      x.data.fill(NaN);
      y.data.fill(NaN);
      expect((await a.fit(prepared, { epochs: 2, batchSize: 8 })).losses).toEqual(expected.losses);
      const during = copy();
      const h = await b.fit(during.x, during.y, { epochs: 2, batchSize: 8, onEpoch: () => void during.x.data.fill(NaN) });
      expect(h.losses).toEqual(expected.losses);
      expect(bits(b.getFlatParameters())).toEqual(bits(ref.getFlatParameters()));
    } finally {
      [a, b, ref].forEach((n) => n.dispose());
    }
  });

  it('train, validate and evaluate exactly as the rows they hold, across fit calls', async () => {
    const a = await c.create(OPTIONS);
    const b = await c.create(OPTIONS);
    const train = b.prepare(X, Y);
    const val = b.prepare(VX, VY);
    expect([train.rows, train.inputs, train.outputs]).toEqual([61, 5, 3]);
    for (let i = 0; i < 2; i++) {
      const ha = await a.fit(X, Y, { epochs: 2, batchSize: 8, validation: { x: VX, y: VY } });
      const hb = await b.fit(train, { epochs: 2, batchSize: 8, validation: val });
      expect(hb.epochs).toEqual(ha.epochs);
    }
    expect(bits(b.getFlatParameters())).toEqual(bits(a.getFlatParameters()));
    expect(b.evaluate(val)).toEqual(a.evaluate(VX, VY));
    expect(b.predictMatrix(val)).toEqual(a.predictMatrix(VX));
    const Type = c.precision === 'f32' ? Float32Array : Float64Array;
    expect(val.read('x')).toEqual({ data: Type.from(VX.data), rows: 13, cols: 5 });
    expect(val.read('y')).toEqual({ data: Type.from(VY.data), rows: 13, cols: 3 });
    a.dispose();
    b.dispose();
  });

  it('are refused once disposed, by another network, and with unknown options', async () => {
    const a = await c.create(OPTIONS);
    const b = await c.create(OPTIONS);
    const data = a.prepare(X, Y);
    await expect(b.fit(data, { epochs: 1 })).rejects.toThrow(/prepared by another network/);
    expect(() => b.evaluate(data)).toThrow(/prepared by another network/);
    await expect(a.fit(X, Y, { epochs: 1, validation: b.prepare(VX, VY) })).rejects.toThrow(/options.validation was prepared by another network/);
    expect(() => a.prepare(X, Y, { relase: true } as never)).toThrow(/unknown option 'relase'/);
    expect(() => a.prepare(X, VY)).toThrow(/x and y must have the same number of rows, got 61 and 13/);
    data.dispose();
    data.dispose();
    expect(data.disposed).toBe(true);
    await expect(a.fit(data, { epochs: 1 })).rejects.toThrow(/has been disposed/);
    a.dispose();
    b.dispose();
  });
});

describe('prepared data in wasm memory', () => {
  it('is freed with its dataset, or with its network', async () => {
    const inst = await loadWasm();
    const base = inst.exports.bp_live_allocations();
    const net: Network = await ENGINE_CASES.find((c) => c.name === 'wasm-simd-f32')!.create(OPTIONS);
    const before = inst.exports.bp_live_allocations();
    const one = net.prepare(X, Y);
    const two = net.prepare(VX, VY);
    expect(inst.exports.bp_live_allocations()).toBe(before + 4);
    one.dispose();
    expect(inst.exports.bp_live_allocations()).toBe(before + 2);
    net.dispose();
    expect(two.disposed).toBe(true);
    expect(inst.exports.bp_live_allocations()).toBe(base);
  });

  it('large buffers take wasm pages of their own, not written until used, and reused once freed', async () => {
    const inst = await loadWasm();
    const e = inst.exports;
    e.bp_free(e.bp_alloc(16 << 20)); // the list of spare blocks is on the heap from now on
    const [count, bytes, rss] = [e.bp_live_allocations(), e.bp_live_bytes(), process.memoryUsage().rss];
    const p = e.bp_alloc(64 << 20) >>> 0;
    expect(p).not.toBe(0);
    expect(process.memoryUsage().rss - rss).toBeLessThan(16 << 20); // the zeros are fresh pages, not written
    expect(e.bp_live_allocations()).toBe(count + 1);
    expect(e.bp_live_bytes() - bytes).toBeGreaterThanOrEqual(64 << 20);
    new Uint8Array(inst.memory.buffer, p, 4096).fill(7);
    const size = inst.memory.buffer.byteLength;
    expect(e.bp_free(p)).toBe(0);
    expect([e.bp_live_allocations(), e.bp_live_bytes()]).toEqual([count, bytes]);
    const q = e.bp_alloc(32 << 20) >>> 0; // fits the block just freed: no new memory, zeroed again
    expect(q).toBe(p);
    expect(inst.memory.buffer.byteLength).toBe(size);
    expect(new Uint8Array(inst.memory.buffer, q, 4096).every((v) => v === 0)).toBe(true);
    expect(e.bp_free(q)).toBe(0);
    expect(e.bp_free(q)).not.toBe(0); // freed once only
  });

  it('with release, the arrays are emptied as they are copied and train to the same bits', async () => {
    const create = ENGINE_CASES.find((c) => c.name === 'wasm-simd-f32')!.create;
    const a = await create(OPTIONS);
    const b = await create(OPTIONS);
    // Rows enough that x goes over in several parts.
    const rows = 70_001;
    const [xs, ys] = [randomMatrix(rows, 5, 15), oneHotRows(rows, 3, 16)];
    const x = resizableArray(Float32Array, xs.data.length);
    x.set(xs.data);
    const y = resizableArray(Float32Array, ys.data.length);
    y.set(ys.data);
    const data = b.prepare({ data: x, rows, cols: 5 }, { data: y, rows, cols: 3 }, { release: true });
    expect([x.buffer.byteLength, y.buffer.byteLength]).toEqual([0, 0]);
    await a.fit(xs, ys, { epochs: 1 });
    await b.fit(data, { epochs: 1 });
    expect(bits(b.getFlatParameters())).toEqual(bits(a.getFlatParameters()));
    a.dispose();
    b.dispose();
  });
});

describe('drainFromEnd', () => {
  it('hands every part over, the last first, and shrinks the buffer behind each where it can', () => {
    const src = resizableArray(Float64Array, 10);
    src.forEach((_, i) => (src[i] = i));
    const seen: [number, number[], number][] = [];
    const released = drainFromEnd(src, 4, (at, part) => seen.push([at, Array.from(part), src.buffer.byteLength / 8]), true);
    expect(released).toBe(true);
    expect(seen).toEqual([
      [6, [6, 7, 8, 9], 10],
      [2, [2, 3, 4, 5], 6],
      [0, [0, 1], 2],
    ]);
    expect(src.buffer.byteLength).toBe(0);
  });

  it('keeps what it cannot give back: a plain array, a view that does not end its buffer, or without release', () => {
    const plain = new Float32Array([1, 2, 3]);
    expect(drainFromEnd(plain, 2, () => {}, true)).toBe(false);
    expect(Array.from(plain)).toEqual([1, 2, 3]);
    const r = resizableArray(Float32Array, 6);
    const head = r.subarray(0, 3);
    expect(drainFromEnd(head, 2, () => {}, true)).toBe(false);
    expect(drainFromEnd(r, 2, () => {}, false)).toBe(false);
    expect(r.buffer.byteLength).toBe(24);
  });
});
