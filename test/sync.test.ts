/**
 * The entry `wasm-backprop/sync`: `createNetworkSync` makes a network of the js or educational
 * engine at once, the network `await Network.create(options)` makes (which loads those engines on
 * first use); it refuses the wasm engine, and `Network.createSync`, which it replaces, says where
 * it went.
 */
import { describe, expect, it, vi } from 'vitest';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { ArgumentError } from '../ts/errors.js';
import { powi } from '../ts/engines/math.js';
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

  it("keeps nothing of a fit's threads option it refused: the next fit trains", async () => {
    for (const engine of ['js', 'educational'] as const) {
      const net = createNetworkSync({ layers: [2, 2, 1], engine, seed: 1 });
      const [x, y] = [[[0, 1]], [[1]]];
      await expect(net.fit(x, y, { epochs: 1, threads: 2 })).rejects.toThrow(`options.threads applies to the wasm engine only, got engine '${engine}'`);
      expect((await net.fit(x, y, { epochs: 2 })).losses).toHaveLength(2);
      expect(net.threads).toEqual({ requested: 1, used: 1, reason: null });
      net.dispose();
    }
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

describe("Adam's bias correction βᵗ on the js and educational engines", () => {
  it('is repeated squaring, as the wasm kernels compute it (Rust powi), and never Math.pow', async () => {
    // t = 5 (binary 101): 1·β, then β²·β² = β⁴ times it: β·(β²)², rounded at each product.
    expect(powi(0.999, 5)).toBe(0.999 * (0.999 * 0.999 * (0.999 * 0.999)));
    const sq = 0.9 * 0.9;
    expect(powi(0.9, 4)).toBe(sq * sq); // 0.6561000000000001; V8 13's Math.pow gives 0.6561
    expect(powi(0.9, 0)).toBe(1);
    expect(powi(0.5, 2 ** 40)).toBe(powi(0.5, 2 ** 31 - 1)); // t at most 2³¹ − 1, as in the kernels
    // Training with Adam gives the same bits with Math.pow broken: it is not used.
    const x = [
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
    ];
    const y = [[1], [1], [0], [0]];
    for (const engine of ['js', 'educational'] as const) {
      const train = async () => {
        const net = createNetworkSync({ layers: [2, 3, 1], engine, precision: 'f64', seed: 2, optimizer: 'adam', learningRate: 0.01 });
        await net.fit(x, y, { epochs: 30, batchSize: 2 });
        const p = net.getFlatParameters();
        net.dispose();
        return p;
      };
      const right = await train();
      const pow = vi.spyOn(Math, 'pow').mockImplementation(() => 0.5);
      const broken = await train();
      pow.mockRestore();
      expect(broken).toEqual(right);
    }
  });
});
