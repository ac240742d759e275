/**
 * Training end to end on real data with the default settings: digits 64-32-10 (pixels / 16,
 * seeded 80/20 split) reaches ≥ 96 % held-out accuracy with the wasm engine in f32 and f64.
 */
import { describe, expect, it } from 'vitest';
import { split } from '../ts/data.js';
import { loadBuiltin } from '../ts/datasets.js';
import { Network } from '../ts/network.js';

describe('digits 64-32-10 with the default settings', () => {
  it.each(['f32', 'f64'] as const)('wasm %s reaches at least 96 percent held-out accuracy', async (precision) => {
    const { train, test } = split(await loadBuiltin('digits'), 0.8, 1);
    const net = await Network.create({ layers: [64, 32, 10], precision });
    try {
      const history = await net.fit(train.x, train.y);
      expect(history.epochs).toHaveLength(50);
      expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0].loss);
      const { accuracy, loss } = net.evaluate(test.x, test.y);
      // The validation of the last epoch saw the same parameters.
      const last = (await net.fit(train.x, train.y, { epochs: 1, validation: test })).epochs[0];
      expect(last.validationAccuracy).toBe(net.evaluate(test.x, test.y).accuracy);
      expect(last.validationLoss).toBeCloseTo(net.evaluate(test.x, test.y).loss, 12);
      expect(loss).toBeGreaterThan(0);
      console.log(`digits wasm ${precision}: held-out accuracy ${(accuracy * 100).toFixed(2)} %`);
      expect(accuracy).toBeGreaterThanOrEqual(0.96);
    } finally {
      net.dispose();
    }
  });
});
