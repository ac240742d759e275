/**
 * A wasm network's memory follows the minibatch in use: created, it holds little more than its
 * parameters and gradients; trained, the rows of its largest minibatch and the packing buffers of
 * its products; predicting or evaluating many rows does not make it grow. Growing changes no
 * result: a network grown on demand trains to the bits of one created large. Measured with the
 * kernels' own counter of live heap bytes (`bp_live_bytes`), on a private instance of each artefact.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Network, type NetworkOptions } from '../ts/network.js';
import { DETERMINISTIC_BACKENDS, type DeterministicBackend } from '../ts/types.js';
import { loadWasm, type WasmInstance } from '../ts/wasm/loader.js';
import { oneHotRows, randomMatrix } from './engines.js';

const FILES: Record<DeterministicBackend, URL> = {
  simd128: new URL('../ts/wasm/bin/backprop.simd.wasm', import.meta.url),
  scalar: new URL('../ts/wasm/bin/backprop.scalar.wasm', import.meta.url),
};

/** A fresh instance of one artefact, with every `bp_reserve` call recorded. */
async function instance(backend: DeterministicBackend): Promise<{ inst: WasmInstance; reserves: number[] }> {
  const inst = await loadWasm({ simd: backend === 'simd128', source: readFileSync(FILES[backend]) });
  const x = inst.exports as unknown as Record<string, unknown>;
  const reserve = x.bp_reserve as (h: number, rows: number) => number;
  const reserves: number[] = [];
  x.bp_reserve = (h: number, rows: number) => (reserves.push(rows), reserve(h, rows));
  return { inst, reserves };
}

/** The bits of every value, as hex words. */
function bits(a: ArrayLike<number>, f32: boolean): string[] {
  if (f32) return Array.from(new Uint32Array(Float32Array.from(a).buffer), (w) => w.toString(16));
  return Array.from(new BigUint64Array(Float64Array.from(a).buffer), (w) => w.toString(16));
}

const sum = (v: readonly number[]) => v.reduce((s, n) => s + n, 0);

describe.each(DETERMINISTIC_BACKENDS)('memory of a wasm network (%s)', (backend) => {
  describe.each(['f32', 'f64'] as const)('%s', (precision) => {
    const bytes = precision === 'f32' ? 4 : 8;

    it.each([
      [[64, 32, 10], 2_410],
      [[784, 128, 10], 101_770],
    ])('%j holds what its buffers need: after creation, after fit with batch 16 and 64, while predicting', async (layers, count) => {
      const { inst, reserves } = await instance(backend);
      const live = () => inst.exports.bp_live_bytes();
      const [n0, nL] = [layers[0], layers[layers.length - 1]];
      const options: NetworkOptions = { layers, precision, wasm: { instance: inst }, seed: 1 };
      (await Network.create(options)).dispose(); // the handle table and the buffer registry reach their size
      const start = live();
      const net = await Network.create(options);
      const created = live() - start;
      const paramsAndGrads = 2 * count * bytes;
      expect(net.getFlatParameters().length).toBe(count);
      expect(created).toBeGreaterThanOrEqual(paramsAndGrads);
      expect(created).toBeLessThan(1.5 * paramsAndGrads + 16 * 1024);
      expect(reserves).toEqual([]);

      const x = randomMatrix(300, n0, 2, 0, 1);
      const y = oneHotRows(300, nL, 3);
      for (const batch of [16, 64]) {
        await net.fit(x, y, { epochs: 1, batchSize: batch });
        expect(reserves.at(-1)).toBe(batch);
        // Parameters and gradients, then per row z, a and δ of every layer and the targets.
        const buffers = (2 * count + batch * (3 * sum(layers) + nL)) * bytes;
        const held = live() - start;
        expect(held).toBeGreaterThan(buffers - 2 * n0 * batch * bytes); // z₀ and δ₀ are not kept without an activated input
        expect(held, `after fit with batch ${batch}`).toBeLessThan(1.5 * buffers + 16 * 1024);
      }
      // Predicting and evaluating 1000 rows (blocks of 256) grows nothing and keeps nothing.
      const held = live();
      const many = randomMatrix(1000, n0, 4, 0, 1);
      const reserved = reserves.length;
      expect(net.predictMatrix(many).rows).toBe(1000);
      expect(net.evaluate(many, oneHotRows(1000, nL, 5)).loss).toBeGreaterThan(0);
      expect(reserves.length).toBe(reserved);
      expect(live()).toBe(held);
      net.dispose();
      expect(live()).toBe(start);
    });

    it('a network grown on demand trains, predicts and evaluates to the bits of one created large', async () => {
      const runs = [];
      for (const large of [false, true]) {
        const { inst, reserves } = await instance(backend);
        if (large) {
          // Every network on this instance is created with room for 512 rows.
          const x = inst.exports as unknown as Record<string, unknown>;
          const create = x.bp_create as (...args: number[]) => number;
          x.bp_create = (...args: number[]) => create(...args.slice(0, 6), 512);
        }
        const net = await Network.create({
          layers: [7, 33, 17, 3],
          activation: 'tanh',
          optimizer: 'adam',
          learningRate: 0.01,
          precision,
          wasm: { instance: inst },
          seed: 9,
        });
        const [x, y] = [randomMatrix(300, 7, 6), oneHotRows(300, 3, 7)];
        const losses: number[] = [];
        for (const rows of [1, 2, 5, 70]) losses.push(net.trainBatch(randomMatrix(rows, 7, rows), oneHotRows(rows, 3, rows)));
        for (const batchSize of [1, 16, 129]) losses.push(...(await net.fit(x, y, { epochs: 2, batchSize })).losses);
        const probe = randomMatrix(513, 7, 8);
        const f32 = precision === 'f32';
        runs.push({
          reserves,
          losses,
          params: bits(net.getFlatParameters(), f32),
          state: net.getTrainingState(),
          predicted: bits(net.predictMatrix(probe).data, f32),
          one: bits(net.predictMatrix(randomMatrix(1, 7, 8)).data, f32),
          evaluated: net.evaluate(probe, oneHotRows(513, 3, 9)),
        });
        net.dispose();
      }
      const [grown, large] = runs;
      expect(grown.reserves).toEqual([2, 5, 70, 129]);
      expect(large.reserves).toEqual([]);
      expect(grown.losses).toEqual(large.losses);
      expect(grown.params).toEqual(large.params);
      expect(grown.state).toEqual(large.state);
      expect(grown.predicted).toEqual(large.predicted);
      expect(grown.one).toEqual(large.one);
      expect(grown.evaluated).toEqual(large.evaluated);
    });
  });
});

it('a network beyond the 4 GiB of a WebAssembly memory is refused at creation, saying what its arrays take', async () => {
  // 2^28 parameters (the limit of their count) in f64: 2 GiB, and as much again for the gradients.
  await expect(Network.create({ layers: [16383, 16383, 1], precision: 'f64' })).rejects.toThrow(
    /^wasm-backprop: creating the network failed: out of WebAssembly memory \(layers 16383-16383-1: 268435456 parameters, 2048 MiB, ×2 with gradients, ×4 with Adam's moments, of at most 4 GiB: use fewer or narrower layers, or precision 'f32'\)$/,
  );
});
