/**
 * `engine: 'auto'`: the wasm engine where its WebAssembly loads, else the js engine, which says so
 * (`engine`, `backend`, `fallback`) and trains as a js network does; without 'auto' a module that
 * cannot load is an error.
 */
import { describe, expect, it } from 'vitest';
import { loadNetwork, toModel } from '../ts/model.js';
import { Network } from '../ts/network.js';
import { createNetworkSync } from '../ts/sync.js';
import { oneHotRows, randomMatrix } from './engines.js';
import { Trainer } from '../ts/worker/trainer.js';
import { nodeWorker } from '../ts/worker/node.js';

const OPTIONS = { layers: [4, 6, 3], activation: 'tanh', loss: 'cross-entropy', seed: 3 } as const;
const BROKEN = { source: Uint8Array.of(0, 97, 115, 109, 9, 9) }; // not a WebAssembly module
const X = randomMatrix(20, 4, 1);
const Y = oneHotRows(20, 3, 2);

describe("engine 'auto'", () => {
  it('runs the wasm engine where its module loads', async () => {
    const net = await Network.create({ ...OPTIONS, engine: 'auto' });
    expect([net.engine, net.backend, net.fallback]).toEqual(['wasm', 'simd128', null]);
    net.dispose();
  });

  it('falls back to the js engine where it cannot load, says why, and trains as js does', async () => {
    await expect(Network.create({ ...OPTIONS, wasm: BROKEN })).rejects.toThrow();
    const net = await Network.create({ ...OPTIONS, engine: 'auto', wasm: BROKEN });
    expect([net.engine, net.backend]).toEqual(['js', 'js']);
    expect(net.fallback).toMatch(/^the wasm engine could not load \(.+\); the js engine runs instead$/);
    const js = createNetworkSync({ ...OPTIONS, engine: 'js' });
    const [a, b] = [await net.fit(X, Y, { epochs: 3 }), await js.fit(X, Y, { epochs: 3 })];
    expect(a.losses).toEqual(b.losses);
    expect(net.getFlatParameters()).toEqual(js.getFlatParameters());
    // A model loaded with 'auto' falls back the same way, and predicts as the network it came from.
    const loaded = await loadNetwork(toModel(net), { engine: 'auto', wasm: BROKEN });
    expect(loaded.engine).toBe('js');
    expect(loaded.predict([[0.1, 0.2, 0.3, 0.4]])).toEqual(net.predict([[0.1, 0.2, 0.3, 0.4]]));
    [net, js, loaded].forEach((n) => n.dispose());
  });

  it("falls back in a Trainer too (create and load), where the kernels cannot load on the caller's thread, to the bits of the js engine", async () => {
    await expect(Trainer.create({ ...OPTIONS, wasm: BROKEN }, { worker: nodeWorker })).rejects.toThrow();
    const t = await Trainer.create({ ...OPTIONS, engine: 'auto', wasm: BROKEN, threads: 2 }, { worker: nodeWorker });
    const js = createNetworkSync({ ...OPTIONS, engine: 'js' });
    try {
      expect([t.engine, t.backend, t.threads.used]).toEqual(['js', 'js', 1]);
      expect(t.fallback).toMatch(/^the wasm engine could not load \(.+\); the js engine runs instead$/);
      await t.fit(X, Y, { epochs: 3 });
      await js.fit(X, Y, { epochs: 3 });
      expect(await t.getFlatParameters()).toEqual(js.getFlatParameters());
      const loaded = await Trainer.load(toModel(js), { engine: 'auto', wasm: BROKEN, worker: nodeWorker });
      expect([loaded.engine, loaded.fallback === null]).toEqual(['js', false]);
      expect(await loaded.predict([[0.1, 0.2, 0.3, 0.4]])).toEqual(js.predict([[0.1, 0.2, 0.3, 0.4]]));
      loaded.dispose();
      const wasm = await Trainer.create({ ...OPTIONS, engine: 'auto' }, { worker: nodeWorker });
      expect([wasm.engine, wasm.fallback]).toEqual(['wasm', null]);
      wasm.dispose();
    } finally {
      t.dispose();
      js.dispose();
    }
  });

  it('is refused where it makes no sense', async () => {
    await expect(Network.create({ ...OPTIONS, engine: 'fast' as never })).rejects.toThrow(
      /options.engine must be one of 'wasm', 'js', 'educational', 'auto', got 'fast'/,
    );
    expect(() => createNetworkSync({ ...OPTIONS, engine: 'auto' })).toThrow(/createNetworkSync cannot load WebAssembly/);
  });
});
