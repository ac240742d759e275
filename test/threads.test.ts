/**
 * Training on threads (ts/threads/): the parameters and losses after `fit` on 2, 3 and 4 threads
 * are those of one thread to the bit, on the shapes of every workload (W1–W4, with few rows: a
 * last minibatch shorter than the rest, and of one row) and on every wasm configuration; 'auto'
 * keeps small work on one thread and says why; a worker that dies rejects the fit with an error
 * saying so; dispose stops every worker and a script that forgets it still exits; bad values of
 * the option are refused by name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { Network, type NetworkOptions } from '../ts/network.js';
import { loadNetwork, modelToString, toModel } from '../ts/model.js';
import { Layout } from '../ts/parameters.js';
import { createNetworkSync } from '../ts/sync.js';
import '../ts/threads/index.js';
import { cutOf } from '../ts/threads/replica.js';
import type { BatchProgress, FitOptions } from '../ts/types.js';
import { nodeWorker } from '../ts/worker/node.js';
import { Trainer } from '../ts/worker/trainer.js';
import { randomMatrix } from './engines.js';
import { modulePath, nodeArgs, root } from './entry.js';

/** Rows of `layers[0]` inputs with one-hot targets of `layers.at(-1)` classes (a distribution, so cross-entropy takes them too). */
function data(layers: number[], rows: number, seed: number) {
  const x = randomMatrix(rows, layers[0], seed, 0, 1);
  const k = layers[layers.length - 1];
  const y = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) y[r * k + ((r * 7 + seed) % k)] = 1;
  return { x, y: { data: y, rows, cols: k } };
}

const scripts = mkdtempSync(join(tmpdir(), 'wbp-threads-'));

/**
 * What the scripts of `runScript` may call: `patterned(rows, layers, F)` is `{ x, y }`, rows of
 * `layers[0]` inputs in [0, 1) and one-hot targets of `layers.at(-1)` classes, as `F` arrays.
 */
const PATTERNED = `function patterned(rows, layers, F = Float64Array) {
  const [n0, nL] = [layers[0], layers[layers.length - 1]];
  const x = { data: F.from({ length: rows * n0 }, (_, i) => ((i * 7919) % 1000) / 1000), rows, cols: n0 };
  const y = { data: F.from({ length: rows * nL }, (_, i) => (i % nL === Math.floor(i / nL) % nL ? 1 : 0)), rows, cols: nL };
  return { x, y };
}`;

/**
 * Runs a script of its own in Node (plain JavaScript: built or through tsx, `nodeArgs`), the threads
 * module and Network imported first as `Network`; `before` goes before node (such as taskset).
 * Returns what it printed.
 */
function runScript(name: string, body: string, { node = [] as string[], before = [] as string[], timeout = 30_000 } = {}): string {
  const script = join(scripts, `${name}.mjs`);
  writeFileSync(
    script,
    `import ${JSON.stringify(modulePath('threads/index.ts'))};\nimport { Network } from ${JSON.stringify(modulePath('network.ts'))};\n${PATTERNED}\n${body}`,
  );
  const [command, ...args] = [...before, process.execPath, ...node, ...nodeArgs(script)];
  return execFileSync(command, args, { cwd: root, timeout, encoding: 'utf8' });
}

/** The JSON values a script printed, one a line. */
function jsonLines<T>(out: string): T[] {
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

/**
 * A file for `node --import` (the workers inherit node's flags) that wraps, in each worker only, the
 * kernels' exports `names`: each call runs `body` with `step` (the calls to any of them so far,
 * this one included) and `call()` (the export itself). Returns its URL.
 */
function injectIntoWorkers(name: string, names: string[], body: string): string {
  const file = join(scripts, `inject-${name}.mjs`);
  writeFileSync(
    file,
    `import { isMainThread } from 'node:worker_threads';
if (!isMainThread) {
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async (...args) => {
    const inst = await instantiate(...args);
    const exports = { ...inst.exports };
    let step = 0;
    for (const name of ${JSON.stringify(names)}) {
      exports[name] = (...a) => {
        step++;
        const call = () => inst.exports[name](...a);
        ${body}
      };
    }
    return Object.create(inst, { exports: { value: exports } });
  };
}`,
  );
  return pathToFileURL(file).href;
}

/** Trains the same network on 1, 2, 3 and 4 threads; expects every run to end with one thread's bits. */
async function sameBits(options: NetworkOptions, rows: number, fit: FitOptions): Promise<void> {
  const { x, y } = data([...options.layers], rows, 3);
  const runs: { threads: number; params: Float64Array; losses: number[]; used: number }[] = [];
  for (const threads of [1, 2, 3, 4]) {
    const net = await Network.create({ ...options, threads });
    try {
      const h = await net.fit(x, y, { epochs: 2, ...fit });
      runs.push({ threads, params: net.getFlatParameters(), losses: [...h.losses], used: net.threads.used });
    } finally {
      net.dispose();
    }
  }
  const [one, ...rest] = runs;
  for (const r of rest) {
    expect(r.used, `threads ${r.threads}`).toBe(Math.min(r.threads, fit.batchSize ?? 16));
    expect(r.losses, `losses on ${r.threads} threads`).toEqual(one.losses);
    expectSame(r.params, one.params, `parameters on ${r.threads} threads`);
  }
}

/** Expects the same values, bit for bit (−0 ≠ 0), naming the first that differs. */
function expectSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  const differ = Array.from(a).findIndex((v, i) => !Object.is(v, b[i]));
  expect(differ, `first of the ${what} differing`).toBe(-1);
}

/** How a network of these layers (no activated input) is cut between threads. */
const cutOfLayers = (sizes: number[]) => cutOf(new Layout({ sizes, activations: sizes.map(() => 'sigmoid'), inputActivated: false, loss: 'mse' }));

const WASM = CONFIGURATIONS.filter((c) => c.engine === 'wasm');

describe.each(WASM.map((c) => [c.name, c] as const))('%s: the bits of one thread on 2, 3 and 4 threads', (_, c) => {
  it('W1 2-4-1 sigmoid, batch 1 (not shared: one thread, the same bits)', () => sameBits({ layers: [2, 4, 1], ...c.options }, 4, { batchSize: 1 }));
  it('W2 64-32-10 sigmoid, batch 16, 45 rows (a last minibatch of 13)', () => sameBits({ layers: [64, 32, 10], ...c.options }, 45, { batchSize: 16 }));
  it('an activated input layer, cross-entropy, Adam, 37 rows in minibatches of 12 (a last of one row)', () =>
    sameBits({ layers: [13, 9, 5, 3], inputLayer: 'activated', activation: 'tanh', loss: 'cross-entropy', optimizer: 'adam', ...c.options }, 37, {
      batchSize: 12,
    }));
  it('momentum, minibatches of 3 on 4 threads (threads without rows)', () =>
    sameBits({ layers: [6, 11, 2], activation: 'relu', output: 'sigmoid', optimizer: 'momentum', ...c.options }, 20, { batchSize: 3 }));
  it("cut by the first layer's neurons: Adam, cross-entropy, 37 rows in minibatches of 12 (a last of one row)", () =>
    sameBits({ layers: [40, 12, 2], activation: 'tanh', loss: 'cross-entropy', optimizer: 'adam', ...c.options }, 37, { batchSize: 12 }));
  it("cut by the first layer's neurons: 3 neurons on 4 threads (a thread without one), momentum", () =>
    sameBits({ layers: [40, 3, 2], activation: 'relu', output: 'sigmoid', optimizer: 'momentum', ...c.options }, 21, { batchSize: 5 }));
});

describe('a network loaded from a model', () => {
  it('takes threads from loadNetwork, trains on them to the bits of one thread, and refuses a bad value by name', async () => {
    const layers = [40, 12, 2];
    const { x, y } = data(layers, 50, 7);
    const net = await Network.create({ layers, optimizer: 'adam', seed: 3 });
    await net.fit(x, y, { epochs: 2, batchSize: 8 });
    const text = modelToString(toModel(net));
    net.dispose();
    const runs: Float64Array[] = [];
    for (const threads of [undefined, 2]) {
      const loaded = await loadNetwork(text, threads === undefined ? {} : { threads });
      try {
        expect(loaded.threads.requested).toBe(threads ?? 1);
        await loaded.fit(x, y, { epochs: 2, batchSize: 8 });
        expect(loaded.threads.used).toBe(threads ?? 1);
        runs.push(loaded.getFlatParameters());
      } finally {
        loaded.dispose();
      }
    }
    expectSame(runs[1], runs[0], 'parameters trained on from the model on 2 threads');
    await expect(loadNetwork(text, { threads: 0 })).rejects.toThrow('options.threads must be between 1 and 64, got 0');
  });
});

describe('the training data in shared memory', () => {
  it("follows the data of each fit: matrices given anew, a larger set, a smaller prepared one, the first again (one thread's bits)", async () => {
    for (const layers of [
      [40, 12, 2],
      [6, 11, 2],
    ]) {
      const sets = [data(layers, 50, 1), data(layers, 90, 2), data(layers, 30, 3)];
      const runs: Float64Array[] = [];
      for (const threads of [1, 2]) {
        const net = await Network.create({ layers, threads, seed: 4 });
        try {
          const small = net.prepare(sets[2].x, sets[2].y);
          await net.fit(sets[0].x, sets[0].y, { epochs: 2, batchSize: 8 });
          await net.fit(sets[0].x, sets[0].y, { epochs: 1, batchSize: 8 }); // the same matrices, prepared anew
          await net.fit(sets[1].x, sets[1].y, { epochs: 1, batchSize: 8 });
          await net.fit(small, { epochs: 2, batchSize: 8 });
          await net.fit(sets[0].x, sets[0].y, { epochs: 1, batchSize: 8 });
          expect(net.threads.used).toBe(threads);
          runs.push(net.getFlatParameters());
        } finally {
          net.dispose();
        }
      }
      expectSame(runs[1], runs[0], `${layers.join('-')}: parameters on 2 threads`);
    }
  });
});

describe('a prepared dataset disposed during a fit', () => {
  it('ends the fit with an error saying so, on one thread and on threads (both cuts)', async () => {
    for (const layers of [
      [40, 12, 2],
      [6, 11, 2],
    ]) {
      for (const threads of [1, 2]) {
        const net = await Network.create({ layers, threads, seed: 4 });
        try {
          const { x, y } = data(layers, 50, 1);
          const set = net.prepare(x, y);
          const fit = net.fit(set, { epochs: 5, batchSize: 8, onEpoch: (r) => void (r.epoch === 1 && set.dispose()) });
          await expect(fit).rejects.toThrow('fit needs data prepared by this network and not yet disposed');
        } finally {
          net.dispose();
        }
      }
    }
  });
});

describe("the cut by the first layer's neurons", () => {
  it('is taken where the layers after the first hold at most 1/16 of the weights, and not elsewhere', () => {
    expect(cutOfLayers([784, 128, 10])).toBe('columns'); // W3
    expect(cutOfLayers([40, 12, 2])).toBe('columns');
    expect(cutOfLayers([40, 3, 2])).toBe('columns');
    expect(cutOfLayers([784, 512, 512, 10])).toBe('rows'); // W4
    expect(cutOfLayers([64, 32, 10])).toBe('rows'); // W2
    expect(cutOfLayers([784, 10])).toBe('rows'); // one layer
    const activated = new Layout({ sizes: [784, 128, 10], activations: ['sigmoid', 'sigmoid', 'sigmoid'], inputActivated: true, loss: 'mse' });
    expect(cutOf(activated)).toBe('rows');
  });

  it('on the relaxed-SIMD artefact too (fused multiply-adds in the updates), SGD and momentum on 2, 3 and 4 threads: the bits of one thread', () => {
    // Node 20 runs relaxed SIMD behind a flag; the workers inherit it.
    const out = runScript(
      'relaxed-columns',
      `const rows = 45;
const results = [];
// Large steps, so that a fused and an unfused update of the same weight often round apart.
for (const [layers, optimizer] of [[[41, 13, 2], 'sgd'], [[40, 14, 3], 'sgd'], [[39, 11, 2], 'momentum']]) {
  const { x, y } = patterned(rows, layers, Float32Array);
  const runs = [];
  for (const threads of [1, 2, 3, 4]) {
    const net = await Network.create({ layers, precision: 'f32', optimizer, learningRate: 0.7, seed: 2, threads, wasm: { simd: 'relaxed' } });
    await net.fit(x, y, { epochs: 20, batchSize: 9 });
    runs.push({ threads, backend: net.backend, used: net.threads.used, params: Array.from(net.getFlatParameters()) });
    net.dispose();
  }
  for (const r of runs.slice(1)) {
    const differ = r.params.findIndex((v, i) => !Object.is(v, runs[0].params[i]));
    results.push({ layers, optimizer, threads: r.threads, used: r.used, backend: r.backend, differ });
  }
}
console.log(JSON.stringify(results));`,
      { node: ['--experimental-wasm-relaxed-simd'], timeout: 60_000 },
    );
    const results = JSON.parse(out.trim().split('\n').pop()!) as { layers: number[]; threads: number; used: number; backend: string; differ: number }[];
    expect(results).toHaveLength(9);
    for (const r of results) {
      const what = `${r.layers.join('-')} on ${r.threads} threads`;
      expect(r.backend, what).toBe('relaxed-simd');
      expect(r.used, what).toBe(r.threads);
      expect(r.differ, `first parameter differing from one thread's, ${what}`).toBe(-1);
    }
  }, 90_000);

  it('leaves the whole training state in the network: one thread trains on from it to the bits of one thread throughout', async () => {
    const layers = [40, 12, 2];
    const { x, y } = data(layers, 50, 5);
    const runs: { params: Float64Array; state: string }[] = [];
    for (const threads of [1, 2, 3]) {
      const net = await Network.create({ layers, optimizer: 'adam', seed: 9 });
      try {
        await net.fit(x, y, { epochs: 3, batchSize: 16, threads }); // 50 rows: a last minibatch of 2
        await net.fit(x, y, { epochs: 2, batchSize: 16, threads: 1 });
        const { m, v, step } = net.getTrainingState();
        expect(m, 'Adam keeps moments').not.toBeNull();
        runs.push({ params: net.getFlatParameters(), state: JSON.stringify([Array.from(m ?? []), Array.from(v ?? []), step]) });
      } finally {
        net.dispose();
      }
    }
    for (const [i, r] of runs.entries()) {
      expectSame(r.params, runs[0].params, `parameters after ${[1, 2, 3][i]} threads, then one`);
      expect(r.state, `the optimizer's state after ${[1, 2, 3][i]} threads, then one`).toBe(runs[0].state);
    }
  });
});

describe('the default configuration: the bits of one thread on the full-size layers', () => {
  it('W3 784-128-10 sigmoid, batch 64, 130 rows', () => sameBits({ layers: [784, 128, 10] }, 130, { batchSize: 64 }), 60_000);
  it(
    'W4 784-512-512-10 relu, batch 128, 129 rows',
    () => sameBits({ layers: [784, 512, 512, 10], activation: 'relu', output: 'sigmoid' }, 129, { batchSize: 128 }),
    60_000,
  );
});

describe('stopping on threads', () => {
  it('onBatch and the signal stop an epoch longer than a slice in its middle, on threads too', async () => {
    // 4,096 rows of W3's network: an epoch of many slices on two threads.
    const { x, y } = data([784, 128, 10], 4096, 2);
    const net = await Network.create({ layers: [784, 128, 10], threads: 2 });
    try {
      const seen: BatchProgress[] = [];
      await net.fit(x, y, { epochs: 1, batchSize: 64 }); // the cost of a row visit measured
      const h = await net.fit(x, y, { epochs: 1, batchSize: 64, onBatch: (p) => (seen.push(p), false) });
      expect(net.threads.used).toBe(2);
      expect([h.stopped, h.losses.length]).toEqual([true, 0]);
      expect(seen).toHaveLength(1);
      expect(seen[0].batch).toBeLessThan(seen[0].batches);
      const controller = new AbortController();
      const cut = await net.fit(x, y, { epochs: 1, batchSize: 64, signal: controller.signal, onBatch: () => controller.abort() });
      expect([cut.stopped, cut.losses.length]).toEqual([true, 0]);
    } finally {
      net.dispose();
    }
  });
});

describe('choosing threads', () => {
  it("'auto' keeps a small minibatch on one thread and says why; a number is used as given", async () => {
    const { x, y } = data([64, 32, 10], 64, 1);
    const net = await Network.create({ layers: [64, 32, 10], threads: 'auto' });
    try {
      expect(net.threads).toEqual({ requested: 'auto', used: 1, reason: null });
      await net.fit(x, y, { epochs: 1, batchSize: 16 });
      expect(net.threads.used).toBe(1);
      expect(net.threads.reason).toMatch(/^'auto': a minibatch of 16 rows on this network \(.* MFLOP\) is too little work to share$/);
      await net.fit(x, y, { epochs: 1, batchSize: 16, threads: 2 });
      expect(net.threads).toEqual({ requested: 2, used: 2, reason: null });
      await net.fit(x, y, { epochs: 1, batchSize: 1, threads: 2 });
      expect(net.threads).toEqual({ requested: 2, used: 1, reason: 'a minibatch of one row is not shared between threads' });
      await net.fit(x, y, { epochs: 1, batchSize: 4, threads: 64 });
      expect(net.threads).toEqual({ requested: 64, used: 4, reason: 'a minibatch of 4 rows is shared by 4 threads at most' });
    } finally {
      net.dispose();
    }
  });

  it('refuses bad values by name', async () => {
    await expect(Network.create({ layers: [2, 1], threads: 0 })).rejects.toThrow('options.threads must be between 1 and 64, got 0');
    await expect(Network.create({ layers: [2, 1], threads: 2.5 })).rejects.toThrow('options.threads must be an integer, got 2.5');
    await expect(Network.create({ layers: [2, 1], threads: 'all' as never })).rejects.toThrow(
      "options.threads must be a number of threads or 'auto', got 'all'",
    );
    expect(() => createNetworkSync({ layers: [2, 1], threads: 2 })).toThrow(/options\.threads \(2\) needs the wasm engine/);
    const js = createNetworkSync({ layers: [2, 1] });
    await expect(js.fit([[1, 2]], [[1]], { threads: 2 })).rejects.toThrow("options.threads applies to the wasm engine only, got engine 'js'");
    const net = await Network.create({ layers: [2, 1] });
    try {
      await expect(net.fit([[1, 2]], [[1]], { threads: 65 })).rejects.toThrow('options.threads must be between 1 and 64, got 65');
    } finally {
      net.dispose();
    }
  });
});

describe('workers', () => {
  it('a worker that dies rejects the fit with an error saying so; the next fit starts new ones', async () => {
    const { x, y } = data([784, 128, 10], 2048, 2);
    const net = await Network.create({ layers: [784, 128, 10], threads: 2 });
    try {
      const set = net.prepare(x, y);
      await net.fit(set, { epochs: 1, batchSize: 64 });
      const pool = (net as unknown as { threadsImpl: { pool: { workers: { terminate(): void }[] } } }).threadsImpl.pool;
      let killed = false;
      const fit = net.fit(set, {
        epochs: 50,
        batchSize: 64,
        onEpoch: () => {
          if (!killed) pool.workers[0].terminate();
          killed = true;
        },
      });
      await expect(fit).rejects.toThrow(
        /training on 2 threads failed: a training thread exited \(code 1\)|a training thread failed: a training thread exited \(code 1\)/,
      );
      const before = net.getFlatParameters();
      expect(before.every(Number.isFinite)).toBe(true);
      await net.fit(set, { epochs: 1, batchSize: 64 });
      expect(net.threads.used).toBe(2);
    } finally {
      net.dispose();
    }
  });

  it("refuses the app's calls in the middle of a minibatch, where the caller's thread waits without blocking (cut by rows and by neurons)", () => {
    // A worker stalls 150 ms at its 12th step: past the caller's 50 ms of blocking wait, the event
    // loop runs the app's timer while the network is in the middle of a minibatch.
    const inject = injectIntoWorkers(
      'stall',
      ['bp_first_columns', 'bp_forward_part'],
      'if (step === 12) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150); return call();',
    );
    const out = runScript(
      'calls-mid-span',
      `const rows = 256;
for (const layers of [[200, 32, 4], [64, 32, 10]]) {
  const [n0, nL] = [layers[0], layers[2]];
  const { x, y } = patterned(rows, layers);
  const params = [];
  const seen = { refused: 0, other: [], read: 0 };
  for (const threads of [1, 2]) {
    const net = await Network.create({ layers, threads, seed: 6 });
    const timer = threads === 2 && setInterval(() => {
      try {
        net.getFlatParameters();
        net.predict({ data: x.data.subarray(0, 4 * n0), rows: 4, cols: n0 });
        seen.read++;
      } catch (e) {
        if (/in the middle of a minibatch on its training threads/.test(e.message)) seen.refused++;
        else seen.other.push(e.message);
      }
    }, 2);
    await net.fit(x, y, { epochs: 6, batchSize: 32 });
    if (timer) clearInterval(timer);
    params.push(net.getFlatParameters());
    net.dispose();
  }
  const same = params[1].every((v, i) => Object.is(v, params[0][i]));
  console.log(JSON.stringify({ layers, ...seen, same }));
}`,
      { node: ['--import', inject], timeout: 60_000 },
    );
    const runs = jsonLines<{ layers: number[]; refused: number; other: string[]; read: number; same: boolean }>(out);
    expect(runs).toHaveLength(2);
    for (const r of runs) {
      const what = r.layers.join('-');
      expect(r.refused, `${what}: calls refused in the middle of a minibatch`).toBeGreaterThan(0);
      expect(r.other, what).toEqual([]);
      expect(r.same, `${what}: the parameters of one thread after all`).toBe(true);
    }
  }, 90_000);

  it('a worker that fails in the middle of a span leaves the network where one thread is after a whole number of minibatches', () => {
    // Each worker (they inherit node's flags) exits at its 37th step, inside a span: cut by
    // neurons, its rows of W_0 are lost, so the network must go back to where the span started.
    const inject = injectIntoWorkers('exit', ['bp_finish_columns', 'bp_apply_gradients'], 'return step === 37 ? process.exit(3) : call();');
    const out = runScript(
      'fails-mid-span',
      `const rows = 1024;
for (const layers of [[784, 128, 10], [64, 32, 10]]) {
  const [n0, nL] = [layers[0], layers[2]];
  const { x, y } = patterned(rows, layers);
  const [net, one] = [await Network.create({ layers, threads: 2, seed: 6 }), await Network.create({ layers, seed: 6 })];
  const error = await net.fit(x, y, { epochs: 20, batchSize: 64, shuffle: false }).then(() => null, (e) => e.message);
  const after = net.getFlatParameters();
  let found = -1;
  for (let step = 0; step <= 20 * 16 && found < 0; step++) {
    const p = one.getFlatParameters();
    if (after.every((v, i) => Object.is(v, p[i]))) found = step;
    const r = (step % 16) * 64;
    one.trainBatch({ data: x.data.subarray(r * n0, (r + 64) * n0), rows: 64, cols: n0 }, { data: y.data.subarray(r * nL, (r + 64) * nL), rows: 64, cols: nL });
  }
  console.log(JSON.stringify({ layers, error, found }));
  net.dispose();
  one.dispose();
}`,
      { node: ['--import', inject], timeout: 60_000 },
    );
    const runs = jsonLines<{ layers: number[]; error: string | null; found: number }>(out);
    expect(runs).toHaveLength(2);
    for (const r of runs) {
      expect(r.error, r.layers.join('-')).toMatch(/a training thread exited \(code 3\)/);
      expect(r.found, `${r.layers.join('-')}: the minibatches one thread trains to the parameters left`).toBeGreaterThan(0);
      expect(r.found, r.layers.join('-')).toBeLessThanOrEqual(37);
    }
  }, 90_000);
  it("a Trainer's network trains on threads of its own, to the bits of one thread", async () => {
    const { x, y } = data([64, 32, 10], 100, 4);
    const options: NetworkOptions = { layers: [64, 32, 10], learningRate: 0.5 };
    const one = await Network.create(options);
    const trainer = await Trainer.create({ ...options, threads: 2 }, { worker: nodeWorker });
    try {
      const [a, b] = [await one.fit(x, y, { epochs: 3 }), await trainer.fit(x, y, { epochs: 3 })];
      expect(b.losses).toEqual(a.losses);
      expect(await trainer.getParameters()).toEqual(one.getParameters());
      expect(trainer.threads).toEqual({ requested: 2, used: 2, reason: null });
    } finally {
      one.dispose();
      trainer.dispose();
    }
  }, 60_000);

  it.runIf(existsSync('/proc/self/task'))(
    'networks garbage-collected without dispose() stop their workers too (they used to pile up)',
    () => {
      // 12 networks on 2 threads each, none disposed: 12 workers, were they kept. The process's OS
      // threads are counted after collecting them (Node's own threads are the baseline).
      const out = runScript(
        'forget',
        `import { readdirSync } from 'node:fs';
console.warn = () => {}; // the backstop's warning for each network
const x = Array.from({ length: 32 }, (_, r) => Array.from({ length: 8 }, (_, j) => Math.sin(r + j)));
const y = x.map((r) => [r[0] > 0 ? 1 : 0, r[0] > 0 ? 0 : 1]);
const count = () => readdirSync('/proc/self/task').length;
const base = count();
for (let i = 0; i < 12; i++) {
  const net = await Network.create({ layers: [8, 16, 2], threads: 2 });
  await net.fit(x, y, { epochs: 1, batchSize: 32 });
}
for (let k = 0; k < 20 && count() > base + 4; k++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log(count() - base);`,
        { node: ['--expose-gc'], timeout: 60_000 },
      );
      expect(Number(out.trim())).toBeLessThanOrEqual(4);
    },
    90_000,
  );

  it("'auto' on a machine of one core (taskset) says so, before any fit and after", () => {
    const out = runScript(
      'one-core',
      `const net = await Network.create({ layers: [784, 128, 10], threads: 'auto' });
const before = net.threads;
const rows = 64;
await net.fit({ data: new Float32Array(rows * 784).fill(0.5), rows, cols: 784 }, { data: new Float32Array(rows * 10).fill(0.1), rows, cols: 10 }, { epochs: 1, batchSize: 64 });
console.log(JSON.stringify([before, net.threads]));
net.dispose();`,
      { before: ['taskset', '-c', '0'] },
    );
    expect(JSON.parse(out)).toEqual([
      { requested: 'auto', used: 1, reason: null },
      { requested: 'auto', used: 1, reason: "'auto': this machine has 1 core" },
    ]);
  }, 60_000);

  it('dispose stops the workers, and a script that forgets it still exits', () => {
    for (const dispose of [true, false]) {
      const out = runScript(
        `run-${dispose}`,
        `const net = await Network.create({ layers: [8, 16, 2], threads: 3 });
const x = Array.from({ length: 64 }, (_, r) => Array.from({ length: 8 }, (_, j) => Math.sin(r + j)));
const y = x.map((r) => [r[0] > 0 ? 1 : 0, r[0] > 0 ? 0 : 1]);
const h = await net.fit(x, y, { epochs: 3, batchSize: 32 });
console.log(net.threads.used, h.losses.length);
${dispose ? 'net.dispose();' : ''}`,
      );
      expect(out.trim()).toBe('3 3');
    }
  }, 60_000);
});
