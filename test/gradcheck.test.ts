/**
 * `gradcheck` on every configuration: backpropagation's gradients against central finite differences
 * in f64 meet the target of docs/ARCHITECTURE.md section 9 (1e-6 in f64; 1e-4 in f32) for every
 * tensor, with an activated input layer, tanh and relu, and cross-entropy; bad options are named.
 */
import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { formatGradcheck, gradcheck } from '../ts/trace/gradcheck.js';
import { oneHotRows, randomMatrix } from './engines.js';

const x = randomMatrix(12, 4, 7);
describe.each(CONFIGURATIONS.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('meets its target on every tensor', async () => {
    for (const network of [
      { layers: [4, 5, 3], activation: 'tanh' as const, output: 'sigmoid' as const, inputLayer: 'activated' as const, seed: 2 },
      { layers: [4, 6, 3], activation: 'relu' as const, loss: 'cross-entropy' as const, seed: 3 },
    ]) {
      const r = await gradcheck({ network: { ...network, ...c.options }, x, y: network.loss ? oneHotRows(12, 3, 9) : randomMatrix(12, 3, 8, 0, 1) });
      expect(r.tensors.map((t) => t.name)).toEqual(network.inputLayer ? ['W0', 'b0', 'W1', 'b1', 'b_in'] : ['W0', 'b0', 'W1', 'b1']);
      expect(r.target).toBe(c.precision === 'f64' ? 1e-6 : 1e-4);
      for (const t of r.tensors) expect(t.maxRel, `${t.name}\n${formatGradcheck(r)}`).toBeLessThanOrEqual(r.target);
      expect(r.ok).toBe(true);
      expect(formatGradcheck(r)).toMatch(/largest relative error .* ok$/);
    }
  });
});

describe('gradcheck options', () => {
  it('names a misspelt option and a bad step', async () => {
    const y = randomMatrix(12, 3, 8, 0, 1);
    await expect(gradcheck({ network: { layers: [4, 3] }, x, y, hh: 1 } as never)).rejects.toThrow(/unknown option 'hh'/);
    await expect(gradcheck({ network: { layers: [4, 3] }, x, y, h: 0 })).rejects.toThrow(/h must be a finite number > 0, got 0/);
  });
});
