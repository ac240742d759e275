/**
 * The entry `wasm-backprop/sync`: `createNetworkSync` makes a network of the js or educational
 * engine at once, the network `await Network.create(options)` makes (which loads those engines on
 * first use); it refuses the wasm engine, and `Network.createSync`, which it replaces, says where
 * it went.
 */
import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { ArgumentError } from '../ts/errors.js';
import { Network } from '../ts/network.js';
import { resolveOptions } from '../ts/options.js';
import { Layout, initialParameters } from '../ts/parameters.js';
import { createNetworkSync } from '../ts/sync.js';
import { randomMatrix } from './engines.js';

const OPTIONS = { layers: [3, 5, 2], activation: 'tanh', optimizer: 'adam', learningRate: 0.05, seed: 11 } as const;
const X = randomMatrix(12, 3, 4);
const Y = randomMatrix(12, 2, 5, 0, 1);

describe('createNetworkSync (wasm-backprop/sync)', () => {
  for (const c of CONFIGURATIONS.filter((c) => c.engine !== 'wasm')) {
    it(`${c.name}: starts from the seeded initial parameters and trains to the bits of Network.create's`, async () => {
      const now = createNetworkSync({ ...OPTIONS, ...c.options });
      const later = await Network.create({ ...OPTIONS, ...c.options });
      try {
        expect([now.engine, now.precision, now.backend]).toEqual([c.engine, c.precision, 'js']);
        const cfg = resolveOptions({ ...OPTIONS, ...c.options });
        const p0 = initialParameters(new Layout(cfg.arch), cfg);
        expect(now.getFlatParameters()).toEqual(c.precision === 'f32' ? p0.map(Math.fround) : p0);
        const [a, b] = [await now.fit(X, Y, { epochs: 4, batchSize: 5 }), await later.fit(X, Y, { epochs: 4, batchSize: 5 })];
        expect(a.losses).toEqual(b.losses);
        expect(a.losses[3]).toBeLessThan(a.losses[0]);
        expect(now.getFlatParameters()).toEqual(later.getFlatParameters());
      } finally {
        now.dispose();
        later.dispose();
      }
    });
  }

  it('is the js engine, f32, unless told otherwise', () => {
    const net = createNetworkSync({ layers: [2, 1] });
    expect([net.engine, net.precision, net.backend]).toEqual(['js', 'f32', 'js']);
  });

  it("refuses the wasm engine ('wasm', 'auto'), which needs its WebAssembly loaded first", () => {
    for (const engine of ['wasm', 'auto'] as const) {
      const make = () => createNetworkSync({ layers: [2, 1], engine });
      expect(make).toThrow(ArgumentError);
      expect(make).toThrow(`createNetworkSync cannot load WebAssembly, which engine '${engine}' needs: use 'await Network.create(...)'`);
    }
    expect(() => createNetworkSync({ layers: [2, 1], engine: 'fast' as never })).toThrow(
      /options.engine must be one of 'wasm', 'js', 'educational', 'auto', got 'fast'/,
    );
  });

  it('refuses threads for the js engine it chose, saying the wasm engine takes them', () => {
    expect(() => createNetworkSync({ layers: [2, 1], threads: 2 })).toThrow(
      "createNetworkSync makes js networks unless told otherwise, and they train on one thread: options.threads (2) needs the wasm engine and 'await Network.create(...)'",
    );
    // Named, the engine's own message.
    expect(() => createNetworkSync({ layers: [2, 1], engine: 'js', threads: 'auto' })).toThrow(
      /options\.threads applies to the wasm engine only, got engine 'js'/,
    );
    expect(createNetworkSync({ layers: [2, 1], threads: 1 }).backend).toBe('js');
  });

  it('refuses anything but an options object, naming itself', () => {
    for (const [options, shown] of [
      [undefined, 'undefined'],
      [null, 'null'],
      [[2, 1], 'an array of length 2'],
      ['2-1', "'2-1'"],
    ] as const) {
      const make = () => createNetworkSync(options as never);
      expect(make).toThrow(ArgumentError);
      expect(make).toThrow(`createNetworkSync needs an options object, got ${shown}`);
    }
  });
});

describe('Network.createSync (deprecated)', () => {
  it('throws, naming the entry it moved to, whatever the options', () => {
    for (const options of [{ layers: [2, 1] }, { layers: [2, 1], engine: 'educational' }, undefined] as never[]) {
      const make = () => Network.createSync(options);
      expect(make).toThrow(ArgumentError);
      expect(make).toThrow("Network.createSync moved to the entry 'wasm-backprop/sync': import { createNetworkSync } from 'wasm-backprop/sync'");
    }
  });
});
