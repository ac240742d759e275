/**
 * Lifetimes of wasm networks: create → fit one batch → dispose, 10 000 times, returns the
 * live-allocation counter to its start and stops wasm memory from growing; any call after dispose
 * throws a clear error.
 */
import { describe, expect, it } from 'vitest';
import { Network } from '../ts/network.js';
import { readFileSync } from 'node:fs';
import { loadWasm } from '../ts/wasm/loader.js';
import { randomMatrix } from './engines.js';

describe.each([true, false])('wasm lifetimes (simd %s)', (simd) => {
  it('10 000 create → fit → dispose cycles free everything', async () => {
    const inst = await loadWasm({ simd });
    const x = randomMatrix(16, 64, 1, 0, 1);
    const y = randomMatrix(16, 10, 2, 0, 1);
    const cycle = async (seed: number) => {
      const net = await Network.create({ layers: [64, 32, 10], seed, wasm: { simd } });
      await net.fit(x, y, { epochs: 1, batchSize: 16 });
      net.dispose();
    };
    for (let i = 0; i < 50; i++) await cycle(i); // warm-up: tables and allocator pools reach their size
    const start = inst.exports.bp_live_allocations();
    const startBytes = inst.exports.bp_live_bytes();
    const memAfterWarmup = inst.memory.buffer.byteLength;
    for (let i = 0; i < 10_000; i++) await cycle(i);
    expect(inst.exports.bp_live_allocations()).toBe(start);
    expect(inst.exports.bp_live_bytes()).toBe(startBytes);
    expect(inst.memory.buffer.byteLength).toBe(memAfterWarmup);
  });

  it('a live network shows in the counter, and dispose is idempotent', async () => {
    const inst = await loadWasm({ simd });
    const before = inst.exports.bp_live_allocations();
    const net = await Network.create({ layers: [3, 4, 2], wasm: { simd } });
    expect(inst.exports.bp_live_allocations()).toBeGreaterThan(before);
    net.dispose();
    net.dispose();
    expect(inst.exports.bp_live_allocations()).toBe(before);
  });

  it('every call after dispose throws a clear error', async () => {
    const net = await Network.create({ layers: [2, 3, 1], wasm: { simd } });
    net.dispose();
    const msg = /has been disposed/;
    expect(() => net.predict([[0, 1]])).toThrow(msg);
    expect(() => net.trainBatch([[0, 1]], [[1]])).toThrow(msg);
    expect(() => net.getParameters()).toThrow(msg);
    expect(() => net.evaluate([[0, 1]], [[1]])).toThrow(msg);
    expect(() => net.gradients([[0, 1]], [[1]])).toThrow(msg);
    await expect(net.fit([[0, 1]], [[1]])).rejects.toThrow(msg);
  });

  it('supports `using` through Symbol.dispose', async () => {
    const inst = await loadWasm({ simd });
    const before = inst.exports.bp_live_allocations();
    {
      const net = await Network.create({ layers: [2, 2, 1], wasm: { simd } });
      (net as unknown as Record<symbol, () => void>)[Symbol.dispose ?? Symbol.for('Symbol.dispose')]();
    }
    expect(inst.exports.bp_live_allocations()).toBe(before);
  });
});

describe('a trap in the kernels', () => {
  it('becomes a clear error and makes the instance unusable, for every network on it', async () => {
    // A private instance (not the shared one), whose bp_train is made to trap.
    const inst = await loadWasm({ simd: false, source: readFileSync(new URL('../ts/wasm/bin/backprop.scalar.wasm', import.meta.url)) });
    const a = await Network.create({ layers: [2, 3, 1], wasm: { instance: inst } });
    const b = await Network.create({ layers: [2, 3, 1], wasm: { instance: inst } });
    (inst.exports as unknown as Record<string, unknown>).bp_train = () => {
      throw new WebAssembly.RuntimeError('unreachable');
    };
    expect(() => a.trainBatch([[0, 1]], [[1]])).toThrow(/WebAssembly kernels trapped \(unreachable\).*can no longer be used/);
    expect(inst.broken).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(() => a.predict([[0, 1]])).toThrow(/trapped earlier \(unreachable\).*create a new network/);
    expect(() => b.predict([[0, 1]])).toThrow(/trapped earlier/);
    await expect(Network.create({ layers: [2, 1], wasm: { instance: inst } })).rejects.toThrow(/trapped earlier/);
    a.dispose(); // disposing needs no call into the broken instance
    b.dispose();
    // The shared instance is untouched: new networks work.
    const c = await Network.create({ layers: [2, 3, 1], wasm: { simd: false } });
    expect(c.trainBatch([[0, 1]], [[1]])).toBeGreaterThan(0);
    c.dispose();
  });
});

describe('a trap in a call that holds buffers', () => {
  it('keeps the first error and asks nothing more of the trapped instance', async () => {
    const inst = await loadWasm({ simd: false, source: readFileSync(new URL('../ts/wasm/bin/backprop.scalar.wasm', import.meta.url)) });
    const net = await Network.create({ layers: [2, 3, 1], wasm: { instance: inst } });
    const x = inst.exports as unknown as Record<string, unknown>;
    let frees = 0;
    const free = x.bp_free as (p: number) => number;
    x.bp_free = (p: number) => (frees++, free(p));
    x.bp_evaluate = () => {
      throw new WebAssembly.RuntimeError('unreachable in evaluate');
    };
    expect(() => net.evaluate([[0, 1]], [[1]])).toThrow(/WebAssembly kernels trapped \(unreachable in evaluate\)/);
    expect(inst.broken?.message).toBe('unreachable in evaluate');
    expect(frees).toBe(0); // the buffers of the trapped call are not freed through the broken instance
    net.dispose();
  });
});

describe.each(['wasm', 'js', 'educational'] as const)('dispose() while fit runs, on the %s engine', (engine) => {
  it('rejects the fit at its next yield to the event loop, naming the disposal, instead of training on', async () => {
    const net = await Network.create({ layers: [2, 3, 1], engine, ...(engine === 'educational' ? {} : { precision: 'f64' as const }) });
    const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const y = [[0], [1], [1], [0]];
    const t = performance.now();
    const fitting = net.fit(x, y, { epochs: 10_000_000 }); // minutes of training, were it not stopped
    setTimeout(() => net.dispose(), 20);
    await expect(fitting).rejects.toThrow(/^this Network has been disposed; create a new one$/);
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(() => net.predict(x)).toThrow(/has been disposed/);
  });
});
