/**
 * The worker trainer in Node (worker_threads): on every configuration, the parameters, training
 * state, history and predictions of `Trainer.fit` are those of `Network.fit` on this thread to the
 * bit, progress reports cover every epoch, pause holds training still, cancel ends it where the
 * same number of epochs on this thread ends, errors come back as `Network` throws them, and a
 * worker that cannot start or dies rejects what waits on it.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { ArgumentError } from '../ts/errors.js';
import { Network, type NetworkOptions } from '../ts/network.js';
import { TrainingDivergedError, type BatchProgress, type History } from '../ts/types.js';
import { fromNodeWorker, nodeWorker, nodeWorkerScript } from '../ts/worker/node.js';
import { buffersOf, packRecords, unpackRecords, type TrainerEpochRecord } from '../ts/worker/protocol.js';
import { Trainer, type TrainerProgress } from '../ts/worker/trainer.js';
import { randomMatrix } from './engines.js';

/** 120 rows of 6 inputs, 3 one-hot classes from a fixed linear teacher. */
function data(rows = 120) {
  const x = randomMatrix(rows, 6, 7);
  const y = new Float64Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    const v = x.data.subarray(r * 6, r * 6 + 6);
    const s = [v[0] + v[1] - v[2], v[2] - v[3] + v[4], v[5] - v[0] + 0.3 * v[1]];
    y[r * 3 + s.indexOf(Math.max(...s))] = 1;
  }
  return { x, y: { data: y, rows, cols: 3 } };
}

const trainers: Trainer[] = [];
async function trainer(options: NetworkOptions): Promise<Trainer> {
  const t = await Trainer.create(options, { worker: nodeWorker });
  trainers.push(t);
  return t;
}
afterEach(() => {
  for (const t of trainers.splice(0)) t.dispose();
});

/** The same network trained on this thread. */
async function onThisThread(options: NetworkOptions, epochs: number, fit: Parameters<Network['fit']>[2] = {}) {
  const { x, y } = data();
  const net = await Network.create(options);
  try {
    const history = await net.fit(x, y, { ...fit, epochs });
    return { history, parameters: net.getFlatParameters(), state: net.getTrainingState(), predicted: net.predictMatrix(x).data };
  } finally {
    net.dispose();
  }
}

function records(h: History) {
  return h.epochs.map((r) => ({ ...r }));
}

describe.each(CONFIGURATIONS)('Trainer on $name', (c) => {
  const options: NetworkOptions = { layers: [6, 9, 3], ...c.options, seed: 5, optimizer: 'adam', learningRate: 0.01 };
  it('trains to the bits of Network.fit, with progress over every epoch', async () => {
    const { x, y } = data();
    const v = data(30);
    const fit = { batchSize: 8, validation: { x: v.x, y: v.y } };
    const epochs = c.engine === 'educational' ? 12 : 40;
    const t = await trainer(options);
    expect(t.backend).toBe(c.backend);
    const reports: TrainerProgress[] = [];
    const h = await t.fit(x, y, { ...fit, epochs, onProgress: (p) => reports.push(p) });
    const ref = await onThisThread(options, epochs, fit);
    expect(h.losses).toEqual([...ref.history.losses]);
    expect(records(h)).toEqual(records(ref.history));
    expect(h.trained).toBe(epochs);
    expect(await t.getFlatParameters()).toEqual(ref.parameters);
    const state = await t.getTrainingState();
    expect(state.m).toEqual(ref.state.m);
    expect(state.v).toEqual(ref.state.v);
    expect(state.shuffle).toEqual(ref.state.shuffle);
    expect((await t.predictMatrix(x)).data).toEqual(ref.predicted);
    // Progress: consecutive records of every epoch, the last report at the end.
    expect(reports.flatMap((p) => p.records)).toEqual(records(h));
    expect(reports.at(-1)).toMatchObject({ epoch: epochs, epochs, loss: h.losses.at(-1) });
    // The caller's arrays are copied, not detached.
    expect(x.data.length).toBe(120 * 6);
  });
});

describe('progress records as they cross', () => {
  it('pack into columns and unpack to the same records: a validation accuracy only where there was one, a training accuracy of NaN kept', () => {
    const cases: TrainerEpochRecord[][] = [
      [{ epoch: 7, loss: 0.5 }],
      [
        { epoch: 3, loss: 0.25, validationLoss: 0.5, validationAccuracy: 0.75, trainingAccuracy: 1 },
        { epoch: 4, loss: 0.125, validationLoss: NaN, validationAccuracy: 1, trainingAccuracy: NaN },
      ],
      // A validation accuracy in some records only (packed as NaN where there is none).
      [
        { epoch: 5, loss: 1, validationLoss: 2, validationAccuracy: 0.5 },
        { epoch: 6, loss: 1, validationLoss: 2 },
      ],
      // A network that does not classify: a validation loss, no accuracy.
      [
        { epoch: 1, loss: 2, validationLoss: 3 },
        { epoch: 2, loss: 1, validationLoss: Infinity },
      ],
    ];
    for (const records of cases) {
      const packed = packRecords(records);
      // Each column in a buffer of its own, transferred.
      expect(buffersOf(...Object.values(packed))).toHaveLength(Object.values(packed).filter((v) => v instanceof Float64Array).length);
      const back = unpackRecords(structuredClone(packed));
      expect(back).toEqual(records);
      expect(back.map((r) => Object.keys(r).sort())).toEqual(records.map((r) => Object.keys(r).sort()));
    }
  });
});

describe('Trainer', () => {
  const options: NetworkOptions = { layers: [6, 9, 3], seed: 2 };

  it('predict, evaluate, the parameters and the model give what the network on this thread gives', async () => {
    const { x, y } = data();
    const rows = Array.from({ length: x.rows }, (_, r) => Array.from(x.data.subarray(r * 6, r * 6 + 6)));
    const t = await trainer(options);
    await t.fit(rows, y, { epochs: 10 });
    const net = await t.toNetwork();
    try {
      expect(await t.predict(rows)).toEqual(net.predict(rows));
      expect(await t.evaluate(x, y)).toEqual(net.evaluate(x, y));
      expect(await t.getParameters()).toEqual(net.getParameters());
      expect((await t.toModel()).parameters).toEqual((await import('../ts/model.js')).toModel(net).parameters);
    } finally {
      net.dispose();
    }
  });

  it('pause holds training still, resume goes on, cancel ends it on the bits of as many epochs on this thread', async () => {
    const { x, y } = data();
    const t = await trainer(options);
    let reports = 0;
    let paused: Promise<void> | null = null;
    const fitting = t.fit(x, y, {
      epochs: 1e6,
      onProgress: () => {
        reports++;
        paused ??= t.pause();
      },
    });
    while (!paused) await new Promise((r) => setTimeout(r, 5));
    await paused;
    const atPause = reports;
    await new Promise((r) => setTimeout(r, 150));
    expect(reports).toBe(atPause);
    await t.resume();
    while (reports < atPause + 2) await new Promise((r) => setTimeout(r, 5));
    await t.cancel();
    const h = await fitting;
    expect(h.stopped).toBe(true);
    expect(h.losses.length).toBeGreaterThan(0);
    expect(h.losses.length).toBeLessThan(1e6);
    const ref = await onThisThread(options, h.losses.length);
    expect(await t.getFlatParameters()).toEqual(ref.parameters);
    expect(h.losses).toEqual([...ref.history.losses]);
  });

  it('onBatch reports progress inside long epochs, on the bits of Network.fit', async () => {
    // Epochs of several time slices: 4,000 rows take about 14 ms an epoch here, which a span may
    // train whole (a call runs for up to ~10–16 ms), so the reports could all fall in the first epoch.
    const rows = 40_000;
    const { x, y } = data(rows);
    const js: NetworkOptions = { ...options, engine: 'js' };
    const t = await trainer(js);
    const batches: BatchProgress[] = [];
    const h = await t.fit(x, y, { epochs: 3, batchSize: 1, onBatch: (p) => batches.push(p) });
    expect(batches.length).toBeGreaterThan(2);
    for (const p of batches) {
      expect(p.epoch).toBeGreaterThanOrEqual(1);
      expect(p.epoch).toBeLessThanOrEqual(3);
      expect(p.batches).toBe(rows);
      expect(p.batch).toBeLessThanOrEqual(rows);
    }
    expect(new Set(batches.map((p) => p.epoch)).size).toBeGreaterThan(1);
    const net = await Network.create(js);
    try {
      const ref = await net.fit(x, y, { epochs: 3, batchSize: 1 });
      expect(h.losses).toEqual([...ref.losses]);
      expect(await t.getFlatParameters()).toEqual(net.getFlatParameters());
    } finally {
      net.dispose();
    }
  });

  it('cancel stops within a time slice of a long epoch', async () => {
    const { x, y } = data(4000);
    const t = await trainer({ ...options, engine: 'js' });
    let cancelled: Promise<void> | null = null;
    const h = await t.fit(x, y, { epochs: 1000, batchSize: 1, onBatch: (p) => p.batch > 100 && (cancelled ??= t.cancel()) });
    await cancelled;
    expect(h.stopped).toBe(true);
    expect(h.losses.length).toBeLessThan(3);
  });

  it('an aborted signal cancels', async () => {
    const { x, y } = data();
    const t = await trainer(options);
    const controller = new AbortController();
    const h = await t.fit(x, y, { epochs: 1e6, signal: controller.signal, onProgress: (p) => p.epoch > 3 && controller.abort() });
    expect(h.stopped).toBe(true);
    expect(h.losses.length).toBeGreaterThan(3);
    // The controller itself, passed for its signal, is refused (it would never cancel).
    await expect(t.fit(x, y, { signal: controller as never })).rejects.toThrow(
      /^options\.signal must be an AbortSignal \(the controller\.signal of an AbortController, not the controller\), got AbortController$/,
    );
  });

  it('a fit of many short epochs stopped by its signal: every epoch in the history once, or none with history: false', async () => {
    // XOR's 4 rows: spans of thousands of epochs each (a span grows while it takes under 25 ms).
    const x = { data: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1), rows: 4, cols: 2 };
    const y = { data: Float64Array.of(0, 1, 1, 0), rows: 4, cols: 1 };
    const xor: NetworkOptions = { layers: [2, 4, 1], seed: 3, learningRate: 0.5 };
    for (const keep of [true, false]) {
      const t = await trainer(xor);
      const controller = new AbortController();
      const reports: TrainerProgress[] = [];
      const h = await t.fit(x, y, {
        epochs: 1e9,
        batchSize: 4,
        signal: controller.signal,
        history: keep,
        onProgress: (p) => void (reports.push(p), p.epoch >= 20_000 && controller.abort()),
      });
      const reported = reports.flatMap((p) => p.records);
      expect(h.stopped).toBe(true);
      expect(h.trained).toBe(reports.at(-1)!.epoch);
      expect(h.trained).toBeGreaterThanOrEqual(20_000);
      expect(reported.map((r) => r.epoch)).toEqual(Array.from({ length: h.trained }, (_, i) => i + 1));
      if (keep) {
        expect(h.epochs).toEqual(reported);
        expect(h.losses).toEqual(reported.map((r) => r.loss));
      } else {
        expect(h.epochs).toEqual([]);
        expect(h.losses).toEqual([]);
      }
      // The network stands after those epochs: as many on this thread give its bits.
      const net = await Network.create(xor);
      await net.fit(x, y, { epochs: h.trained, batchSize: 4 });
      expect(await t.getFlatParameters()).toEqual(net.getFlatParameters());
      net.dispose();
    }
    await expect(trainer(xor).then((t) => t.fit(x, y, { history: 'all' as never }))).rejects.toThrow(/^options\.history must be true or false, got 'all'$/);
  });

  it('an async onProgress that rejects rejects the fit with its error, also after the last epoch (not an unhandled rejection)', async () => {
    const { x, y } = data();
    const t = await trainer(options);
    await expect(
      t.fit(x, y, {
        epochs: 2,
        onProgress: async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          throw new Error('progress log failed');
        },
      }),
    ).rejects.toThrow(/^progress log failed$/);
    // The trainer goes on: a fit after it trains.
    expect((await t.fit(x, y, { epochs: 1 })).losses).toHaveLength(1);
  });

  it('bad arguments and divergence reject with the errors Network throws', async () => {
    const { x } = data();
    const y = randomMatrix(120, 3, 9);
    const t = await trainer(options);
    const net = await Network.create(options);
    try {
      const bad = { data: x.data.slice(), rows: x.rows, cols: 6 };
      bad.data[6 * 4 + 2] = NaN;
      const expected = await net.fit(bad, y).catch((e: Error) => e);
      const got = (await t.fit(bad, y).catch((e: Error) => e)) as Error;
      expect(got).toBeInstanceOf(ArgumentError);
      expect(got.message).toBe((expected as Error).message);
      // Values a worker cannot receive (a symbol, a detached buffer, a function) are named as
      // Network names them, not as the structured clone's DataCloneError or a TypeError.
      const detached = new Float32Array(12);
      structuredClone(detached.buffer, { transfer: [detached.buffer] });
      for (const [bx, by] of [
        [[[Symbol('s'), 0, 0, 0, 0, 0]], [[0, 0, 0]]],
        [{ data: detached, rows: 2, cols: 6 }, [[0, 0, 0]]],
        [[[0, 0, 0, 0, 0, 0]], [[0, Symbol('t'), 0]]],
      ] as const) {
        let want = new Error('evaluate did not throw');
        try {
          net.evaluate(bx as never, by as never);
        } catch (e) {
          want = e as Error;
        }
        expect(want).toBeInstanceOf(ArgumentError);
        await expect(t.evaluate(bx as never, by as never)).rejects.toThrow(want.message);
        if (want.message.startsWith('x')) await expect(t.predict(bx as never)).rejects.toThrow(want.message);
      }
      await expect(t.toModel({ history: [() => 1] } as never)).rejects.toThrow(
        /^toModel: an argument holds a value that cannot be sent to the trainer's worker \(.*could not be cloned\.\); give numbers, strings, arrays and plain objects$/,
      );
      await expect(t.fit(x, y, { epoch: 3 } as never)).rejects.toThrow(/unknown option 'epoch'/);
      await expect(t.fit(x, y, { onEpoch: () => {} } as never)).rejects.toThrow(/unknown option 'onEpoch'.*onProgress/);
      // Linear layers with heavy momentum blow up in epoch 3: in the worker's second span (epochs 2–3).
      const linear: NetworkOptions = { ...options, activation: 'linear', optimizer: { type: 'momentum', momentum: 0.99 }, learningRate: 0.05 };
      const diverging = { epochs: 300, batchSize: 4 };
      const net2 = await Network.create(linear);
      const mainError = (await net2.fit(x, y, diverging).catch((e: Error) => e)) as TrainingDivergedError;
      const t2 = await trainer(linear);
      const workerError = (await t2.fit(x, y, diverging).catch((e: Error) => e)) as TrainingDivergedError;
      expect(mainError).toBeInstanceOf(TrainingDivergedError);
      expect(workerError).toBeInstanceOf(TrainingDivergedError);
      expect(workerError.message).toBe(mainError.message);
      expect(workerError.epoch).toBe(mainError.epoch);
      expect(workerError.history?.losses).toEqual(mainError.history?.losses);
      expect(workerError.history?.epochs).toEqual(mainError.history?.epochs);
      // A loss above maxLoss: the same message ("rose to …, above maxLoss"), its fields across.
      const capped = { epochs: 5, batchSize: 4, maxLoss: 1e-9 };
      const net3 = await Network.create(options);
      const mainCapped = (await net3.fit(x, y, capped).catch((e: Error) => e)) as TrainingDivergedError;
      net3.dispose();
      const workerCapped = (await (await trainer(options)).fit(x, y, capped).catch((e: Error) => e)) as TrainingDivergedError;
      expect(mainCapped.maxLoss).toBe(1e-9);
      expect([workerCapped.message, workerCapped.maxLoss, workerCapped.largest]).toEqual([mainCapped.message, mainCapped.maxLoss, mainCapped.largest]);
      // Without a history kept, the same error, with none.
      const t3 = await trainer(linear);
      const bare = (await t3.fit(x, y, { ...diverging, history: false }).catch((e: Error) => e)) as TrainingDivergedError;
      expect(bare).toBeInstanceOf(TrainingDivergedError);
      expect(bare.message).toBe(mainError.message);
      expect(bare.history).toBeNull();
      expect(mainError.epoch).toBeGreaterThan(2);
      expect(await t2.getFlatParameters()).toEqual(net2.getFlatParameters());
      net2.dispose();
    } finally {
      net.dispose();
    }
  });

  it('a worker that cannot start, or dies, rejects every pending call and every later one', async () => {
    const boom = () => fromNodeWorker(new Worker('throw new Error("boom")', { eval: true }));
    await expect(Trainer.create(options, { worker: boom })).rejects.toThrow("the trainer's worker failed: boom");
    await expect(Trainer.create(undefined as never, { worker: boom })).rejects.toThrow('Trainer.create needs an options object, got undefined');
    // Answers create, then exits on the first fit.
    const dies = () =>
      fromNodeWorker(
        new Worker(
          `const { parentPort } = require('node:worker_threads');
           parentPort.postMessage({ hello: 'wasm-backprop trainer worker' });
           parentPort.on('message', (m) => m.op === 'hello' ? undefined : m.op === 'create' ? parentPort.postMessage({ id: m.id, ok: true, value: { backend: 'js', engine: 'js', precision: 'f64', layers: [6, 9, 3] } }) : process.exit(3));`,
          { eval: true },
        ),
      );
    const t = await Trainer.create(options, { worker: dies });
    const { x, y } = data();
    const results = await Promise.allSettled([t.fit(x, y), t.predict(x)]);
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { message: "the trainer's worker exited (code 3)" } });
    await expect(t.getParameters()).rejects.toThrow("the trainer's worker exited (code 3)");
    t.dispose();
  });

  it('a Worker started before it is handed over trains (its first hello went unheard); one that has exited is refused at once', async () => {
    const { x, y } = data();
    const early = new Worker(nodeWorkerScript());
    await new Promise((r) => setTimeout(r, 500));
    const t = await Trainer.create(options, { worker: fromNodeWorker(early) });
    trainers.push(t);
    expect((await t.fit(x, y, { epochs: 2 })).losses).toHaveLength(2);
    const dead = new Worker('', { eval: true });
    await new Promise((r) => dead.once('exit', r));
    const asked = performance.now();
    await expect(Trainer.create(options, { worker: fromNodeWorker(dead) })).rejects.toThrow("the trainer's worker has exited already: start a new one");
    expect(performance.now() - asked).toBeLessThan(5000); // not the 30 s of a worker that never says hello
  });

  it("a worker given to a second Trainer is refused (the second got the first one's network)", async () => {
    const w = new Worker(nodeWorkerScript());
    trainers.push(await Trainer.create(options, { worker: fromNodeWorker(w) }));
    expect(() => fromNodeWorker(w)).toThrow('fromNodeWorker: this Worker serves a Trainer already: give each Trainer a worker of its own');
    const tw = nodeWorker();
    trainers.push(await Trainer.create(options, { worker: tw }));
    await expect(Trainer.create({ layers: [2, 5, 1] }, { worker: tw })).rejects.toThrow(
      'options.worker serves another Trainer already: give each Trainer a worker of its own',
    );
  });

  it('a Worker started elsewhere on nodeWorkerScript() trains as nodeWorker does; one running another script is refused, not waited on forever', async () => {
    const { x, y } = data();
    const own = await Trainer.create(options, {
      worker: () => fromNodeWorker(new Worker(nodeWorkerScript(), { resourceLimits: { maxOldGenerationSizeMb: 256 } })),
    });
    trainers.push(own);
    const usual = await trainer(options);
    await Promise.all([own.fit(x, y, { epochs: 3 }), usual.fit(x, y, { epochs: 3 })]);
    expect(await own.getFlatParameters()).toEqual(await usual.getFlatParameters());
    // A worker that answers with something else: refused at its first message.
    for (const [first, shown] of [
      ["'hi'", '"hi"'],
      ["{ hello: 'world' }", '{"hello":"world"}'],
      ['{ id: 1 }', '{"id":1}'],
    ]) {
      const chatty = () => fromNodeWorker(new Worker(`require('node:worker_threads').parentPort.postMessage(${first})`, { eval: true }));
      await expect(Trainer.create(options, { worker: chatty })).rejects.toThrow(
        `the trainer's worker sent ${shown}, not a reply of this package's worker script: is it running that script?`,
      );
    }
    // A worker that says nothing: refused after 30 s (the clock faked).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let made = false;
      const silent = () => ((made = true), fromNodeWorker(new Worker('setInterval(() => {}, 1000)', { eval: true })));
      const creating = Trainer.create({ ...options, engine: 'js' }, { worker: silent });
      const outcome = creating.then(
        () => 'created',
        (e: Error) => e.message,
      );
      while (!made) await new Promise((r) => setImmediate(r));
      await vi.advanceTimersByTimeAsync(29_000);
      expect(await Promise.race([outcome, new Promise((r) => setImmediate(() => r('waiting')))])).toBe('waiting');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await outcome).toMatch(/^the trainer's worker did not start in 30 s: a Worker passed in must run this package's worker script/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('dispose rejects what waits, and every later call', async () => {
    const { x, y } = data();
    const t = await trainer(options);
    const fitting = t.fit(x, y, { epochs: 1e6 });
    t.dispose();
    await expect(fitting).rejects.toThrow('this Trainer has been disposed');
    await expect(t.predict(x)).rejects.toThrow('this Trainer has been disposed');
  });

  it('in Node without a worker factory, says which to pass', async () => {
    await expect(Trainer.create(options)).rejects.toThrow(/nodeWorker.*wasm-backprop\/node/);
  });
});
