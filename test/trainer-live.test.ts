/**
 * What a page that trains in a `Trainer` needs besides `fit` (the demo's Train panel): a network
 * started from a model document, predictions and the parameters while `fit` runs, a pause inside an
 * epoch, and the training accuracy of every epoch. Each against the same work on this thread:
 * `loadNetwork` then `Network.fit` for a model (on every configuration), `Network.fit` uninterrupted
 * for a pause, `Network.evaluate` after each epoch for the accuracy, and a network given the
 * parameters the worker reported for a prediction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { ArgumentError } from '../ts/errors.js';
import { loadNetwork, modelToBytes, modelToString, toModel } from '../ts/model.js';
import { Network, type NetworkOptions } from '../ts/network.js';
import { createNetworkSync } from '../ts/sync.js';
import type { BatchProgress } from '../ts/types.js';
import { nodeWorker } from '../ts/worker/node.js';
import { Trainer, type TrainerProgress } from '../ts/worker/trainer.js';
import { randomMatrix } from './engines.js';

/** `rows` rows of 6 inputs, 3 one-hot classes from a fixed linear teacher. */
function data(rows = 120) {
  const x = randomMatrix(rows, 6, 11);
  const y = new Float64Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    const v = x.data.subarray(r * 6, r * 6 + 6);
    const s = [v[0] - v[3] + v[4], v[1] + v[2] - v[5], v[5] - v[1] + 0.5 * v[0]];
    y[r * 3 + s.indexOf(Math.max(...s))] = 1;
  }
  return { x, y: { data: y, rows, cols: 3 } };
}

const trainers: Trainer[] = [];
const keep = (t: Trainer) => (trainers.push(t), t);
afterEach(() => {
  for (const t of trainers.splice(0)) t.dispose();
});
const equal = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await sleep(2);
}

describe.each(CONFIGURATIONS)('Trainer.load on $name', (c) => {
  const options: NetworkOptions = { layers: [6, 7, 3], ...c.options, seed: 4, optimizer: 'momentum', learningRate: 0.05 };

  it('trains on from a model to the bits of loadNetwork then Network.fit', async () => {
    const { x, y } = data();
    // A model in the middle of training: moments and shuffling state that are not the initial ones.
    const first = await Network.create(options);
    await first.fit(x, y, { epochs: 3, batchSize: 8 });
    const text = modelToString(toModel(first, { epochs: 3 }));
    first.dispose();

    // A model does not say which artefact to load: the configuration's, on both sides.
    const load = c.options.wasm ? { wasm: c.options.wasm } : {};
    const t = keep(await Trainer.load(text, { ...load, worker: nodeWorker }));
    expect([t.engine, t.precision, t.backend, [...t.layers]]).toEqual([c.engine, c.precision, c.backend, [6, 7, 3]]);
    const h = await t.fit(x, y, { epochs: 5, batchSize: 8 });
    const net = await loadNetwork(text, load);
    try {
      const ref = await net.fit(x, y, { epochs: 5, batchSize: 8 });
      expect(h.losses).toEqual([...ref.losses]);
      expect(await t.getFlatParameters()).toEqual(net.getFlatParameters());
      expect((await t.getTrainingState()).shuffle).toEqual(net.getTrainingState().shuffle);
      expect((await t.predictMatrix(x)).data).toEqual(net.predictMatrix(x).data);
    } finally {
      net.dispose();
    }
  });
});

describe('Trainer.load', () => {
  it('reads model bytes and loads them on another engine, as loadNetwork does', async () => {
    const { x, y } = data();
    const wasm: NetworkOptions = { layers: [6, 5, 3], engine: 'wasm', precision: 'f64', seed: 9, optimizer: 'adam', learningRate: 0.01 };
    const first = await Network.create(wasm);
    await first.fit(x, y, { epochs: 2 });
    const bytes = modelToBytes(toModel(first));
    first.dispose();
    const t = keep(await Trainer.load(bytes, { engine: 'js', worker: nodeWorker }));
    expect([t.engine, t.backend]).toEqual(['js', 'js']);
    const net = await loadNetwork(bytes, { engine: 'js' });
    const h = await t.fit(x, y, { epochs: 3 });
    const ref = await net.fit(x, y, { epochs: 3 });
    expect(h.losses).toEqual([...ref.losses]);
    expect(await t.getFlatParameters()).toEqual(net.getFlatParameters());
    net.dispose();
  });
});

describe('Trainer while it trains', () => {
  const options: NetworkOptions = { layers: [6, 9, 3], seed: 3, engine: 'js', precision: 'f64' };

  it('pauses inside a long epoch, answers there, and resumes to the bits of uninterrupted training', async () => {
    // Epochs of 20,000 rows take about 60 ms, several time slices (3,000 rows took about one, and a
    // pause could come after the epoch's end under load).
    const { x, y } = data(20_000);
    const t = keep(await Trainer.create(options, { worker: nodeWorker }));
    const batches: BatchProgress[] = [];
    let paused: Promise<void> | null = null;
    const fitting = t.fit(x, y, {
      epochs: 2,
      batchSize: 1,
      onBatch: (p) => {
        batches.push(p);
        if (p.batch > 200) paused ??= t.pause();
      },
    });
    await until(() => paused !== null);
    await paused;
    const at = batches.length;
    const last = batches[at - 1];
    expect(last.epoch).toBe(1);
    expect(last.batch).toBeLessThan(20_000);
    // Held inside the first epoch: nothing trains, and reads are answered there.
    const held = await t.getFlatParameters();
    const predicted = await t.predictMatrix(x);
    await sleep(120);
    expect(batches.length).toBe(at);
    expect(await t.getFlatParameters()).toEqual(held);
    const there = createNetworkSync(options);
    there.setFlatParameters(held);
    expect(predicted.data).toEqual(there.predictMatrix(x).data);
    there.dispose();

    await t.resume();
    const h = await fitting;
    expect(h.stopped).toBe(false);
    const net = createNetworkSync(options);
    const ref = await net.fit(x, y, { epochs: 2, batchSize: 1 });
    expect(h.losses).toEqual([...ref.losses]);
    expect(await t.getFlatParameters()).toEqual(net.getFlatParameters());
    net.dispose();
  });

  it('answers predictions and parameters while fit runs, from the network after one of its epochs', async () => {
    const { x, y } = data();
    const wasm: NetworkOptions = { ...options, engine: 'wasm', precision: 'f32' };
    const t = keep(await Trainer.create(wasm, { worker: nodeWorker }));
    let reports = 0;
    let settled = false;
    const fitting = t.fit(x, y, { epochs: 1e6, onProgress: () => reports++ }).finally(() => (settled = true));
    await until(() => reports > 2);
    const predicted = (await t.predictMatrix(x)).data;
    expect(settled).toBe(false);
    await until(() => reports > 6);
    const parameters = await t.getFlatParameters();
    expect(settled).toBe(false);
    await t.cancel();
    const h = await fitting;
    expect(h.stopped).toBe(true);
    // On this thread, epoch by epoch: the prediction is the network's after one epoch, the parameters after a later one.
    const net = await Network.create(wasm);
    const seen = { predicted: 0, parameters: 0 };
    await net.fit(x, y, {
      epochs: h.losses.length,
      onEpoch: ({ epoch }) => {
        if (!seen.predicted && equal(net.predictMatrix(x).data, predicted)) seen.predicted = epoch;
        if (!seen.parameters && equal(net.getFlatParameters(), parameters)) seen.parameters = epoch;
      },
    });
    net.dispose();
    expect(seen.predicted).toBeGreaterThan(0);
    expect(seen.parameters).toBeGreaterThan(seen.predicted);
  });

  it('measures the training accuracy of every epoch, pauses after an epoch, and trains to the bits of Network.fit', async () => {
    const { x, y } = data();
    const v = data(40);
    const t = keep(await Trainer.create(options, { worker: nodeWorker }));
    const reports: TrainerProgress[] = [];
    let paused: Promise<void> | null = null;
    const fitting = t.fit(x, y, {
      epochs: 400,
      batchSize: 4,
      trainingAccuracy: true,
      validation: v,
      onProgress: (p) => {
        reports.push(p);
        if (p.epoch > 20) paused ??= t.pause();
      },
    });
    await until(() => paused !== null);
    await paused;
    const at = reports.at(-1)!.epoch;
    await sleep(100);
    expect(reports.at(-1)!.epoch).toBe(at);
    expect(at).toBeLessThan(400);
    await t.resume();
    const h = await fitting;

    const net = createNetworkSync(options);
    const accuracies: number[] = [];
    const ref = await net.fit(x, y, { epochs: 400, batchSize: 4, validation: v, onEpoch: () => void accuracies.push(net.evaluate(x, y).accuracy) });
    expect(h.losses).toEqual([...ref.losses]);
    expect(h.epochs.map((r) => r.trainingAccuracy)).toEqual(accuracies);
    expect(h.epochs.map(({ trainingAccuracy: _, ...r }) => r)).toEqual(ref.epochs.map((r) => ({ ...r })));
    expect(reports.flatMap((p) => p.records)).toEqual(h.epochs);
    expect(accuracies.at(-1)).toBeGreaterThan(accuracies[0]);
    expect(await t.getFlatParameters()).toEqual(net.getFlatParameters());
    net.dispose();
  });

  it('names misuse: inputs of the wrong width, a bad option, a model that is none, calls after dispose', async () => {
    const t = await Trainer.create(options, { worker: nodeWorker });
    const net = createNetworkSync(options);
    const narrow = [[1, 2, 3]];
    const expected = (() => {
      try {
        net.predict(narrow);
      } catch (e) {
        return e as Error;
      }
    })()!;
    const got = (await t.predict(narrow).catch((e: Error) => e)) as Error;
    expect(got).toBeInstanceOf(ArgumentError);
    expect(got.message).toBe(expected.message);
    expect(got.message).toMatch(/6/);
    const { x, y } = data();
    await expect(t.fit(x, y, { trainingAccuracy: 'yes' } as never)).rejects.toThrow("options.trainingAccuracy must be true or false, got 'yes'");
    await expect(Trainer.load('{"format": "notes"}', { worker: nodeWorker })).rejects.toThrow(/model/);
    await expect(Trainer.load(toModel(net), { worker: nodeWorker, threads: 2 } as never)).rejects.toThrow(/unknown option 'threads'/);
    await expect(Trainer.load(toModel(net), { worker: nodeWorker, wasm: { simd: false } })).rejects.toThrow(
      "Trainer.load options.wasm applies to the wasm engine only, got engine 'js'",
    );
    net.dispose();
    t.dispose();
    await expect(t.predict(x)).rejects.toThrow('this Trainer has been disposed; create a new one');
    await expect(t.toModel()).rejects.toThrow('this Trainer has been disposed');
  });
});

describe('Trainer: one fit stopped, the others not; checks before waits', () => {
  const options: NetworkOptions = { layers: [6, 9, 3], seed: 5, engine: 'js', precision: 'f64' };

  it("a fit's signal or a callback's error stops that fit only, running or waiting its turn", async () => {
    const { x, y } = data();
    const t = keep(await Trainer.create(options, { worker: nodeWorker }));
    const net = createNetworkSync(options);
    // B waits behind A, and its signal aborts while A runs: A trains all its epochs, B none.
    const b = new AbortController();
    const fa = t.fit(x, y, { epochs: 60, batchSize: 4, onProgress: (p) => void (p.epoch > 5 && b.abort()) });
    const fb = t.fit(x, y, { epochs: 5, batchSize: 4, signal: b.signal });
    const [ha, hb] = await Promise.all([fa, fb]);
    expect([ha.losses.length, ha.stopped]).toEqual([60, false]);
    expect([hb.losses.length, hb.stopped]).toEqual([0, true]);
    const ref = await net.fit(x, y, { epochs: 60, batchSize: 4 });
    expect(ha.losses).toEqual([...ref.losses]);
    expect(await t.getFlatParameters()).toEqual(net.getFlatParameters());
    // A's callback throws: A rejects with its error; C, waiting behind it, trains all its epochs.
    const fc = t.fit(x, y, {
      epochs: 60,
      batchSize: 4,
      onProgress: () => {
        throw new Error('from A');
      },
    });
    const fd = t.fit(x, y, { epochs: 7, batchSize: 4 });
    await expect(fc).rejects.toThrow('from A');
    const hd = await fd;
    expect([hd.losses.length, hd.stopped]).toEqual([7, false]);
    net.dispose();
  });

  it('cancel() on epochs shorter than a time slice leaves the bits of the epochs it reports', async () => {
    // Epochs of 3 minibatches, far shorter than a slice: no pause of the machine outlasts one.
    const { x, y } = data(12);
    for (const delay of [0, 1, 2, 3, 5, 8, 13, 21]) {
      const t = keep(await Trainer.create(options, { worker: nodeWorker }));
      // Warmed first: a cold first epoch can outlast a slice (it then is a long epoch, cut there).
      await t.fit(x, y, { epochs: 2, batchSize: 4 });
      const fitting = t.fit(x, y, { epochs: 2000, batchSize: 4 });
      await sleep(delay);
      await t.cancel();
      const h = await fitting;
      const net = createNetworkSync(options);
      await net.fit(x, y, { epochs: 2, batchSize: 4 });
      await net.fit(x, y, { epochs: h.losses.length, batchSize: 4 });
      expect(equal(await t.getFlatParameters(), net.getFlatParameters()), `cancelled after ${delay} ms, ${h.losses.length} epochs`).toBe(true);
      net.dispose();
      t.dispose();
    }
  });

  it('a fit is checked before it waits: while paused, with a signal aborted already, after dispose', async () => {
    const { x, y } = data();
    const t = keep(await Trainer.create(options, { worker: nodeWorker }));
    await t.pause();
    const started = performance.now();
    await expect(t.fit(x, y, { learningRate: -1 })).rejects.toThrow('options.learningRate must be ≥ 0, got -1');
    expect(performance.now() - started).toBeLessThan(2000); // not after a resume that never comes
    await t.resume();
    const aborted = AbortSignal.abort();
    await expect(t.fit(x, y, { epochs: -5, signal: aborted })).rejects.toThrow('options.epochs must be between 0 and 1000000000, got -5');
    await expect(t.fit(x, y, { validation: 5 } as never)).rejects.toThrow('options.validation must be { x, y }, got 5');
    expect(await t.fit(x, y, { epochs: 3, signal: aborted })).toMatchObject({ losses: [], epochs: [], stopped: true });
    t.dispose();
    await expect(t.fit(x, y, { epochs: 3, signal: aborted })).rejects.toThrow('this Trainer has been disposed');
  });

  it('a pause lifted before training held resolves then, not when the fit ends', async () => {
    const { x, y } = data(20_000);
    const t = keep(await Trainer.create(options, { worker: nodeWorker }));
    let ended = false;
    const fitting = t.fit(x, y, { epochs: 20, batchSize: 1 }).then(() => (ended = true));
    await sleep(30);
    const pausing = t.pause();
    await t.resume();
    await pausing;
    expect(ended).toBe(false);
    await t.cancel();
    await fitting;
  });
});
