/**
 * Backpropagation against central finite differences (f64, h = 1e-6), on every f64 engine: every
 * activation, both losses, both input-layer options, batch 1 and 16, networks of 2–4 layers with
 * odd sizes. Target: ≤ 1e-6 relative (docs/ARCHITECTURE.md, "9 Numerical agreement").
 */
import { describe, expect, it } from 'vitest';
import type { ActivationName, LossName } from '../ts/types.js';
import { F64_CASES, finiteDifferences, flatGradients, oneHotRows, randomMatrix, relErr } from './engines.js';

const HIDDEN: ActivationName[] = ['sigmoid', 'relu', 'tanh', 'linear', 'leaky-relu'];
const SHAPES = [
  [3, 2],
  [5, 7, 3],
  [3, 9, 5, 2],
];

interface Case {
  activation: ActivationName;
  loss: LossName;
  inputLayer: 'identity' | 'activated';
  batch: number;
  layers: number[];
}

const cases: Case[] = [];
HIDDEN.forEach((activation, i) => {
  for (const loss of ['mse', 'cross-entropy'] as const) {
    for (const inputLayer of ['identity', 'activated'] as const) {
      for (const batch of [1, 16]) cases.push({ activation, loss, inputLayer, batch, layers: SHAPES[(i + cases.length) % SHAPES.length] });
    }
  }
});

describe.each(F64_CASES)('gradients of $name match finite differences', (engine) => {
  it.each(cases)('$activation $loss input $inputLayer batch $batch layers $layers', async (c) => {
    const nOut = c.layers.at(-1)!;
    const net = await engine.create({
      layers: c.layers,
      activation: c.activation,
      loss: c.loss,
      inputLayer: c.inputLayer,
      seed: 7 + c.batch,
      biasInit: 0.1,
    });
    try {
      const x = randomMatrix(c.batch, c.layers[0], 11 + c.layers.length, -2, 2);
      // mse targets inside the output's range; cross-entropy targets one-hot
      const y = c.loss === 'mse' ? randomMatrix(c.batch, nOut, 13, 0.1, 0.9) : oneHotRows(c.batch, nOut, 17);
      const g = net.gradients(x, y);
      const flatG = flatGradients(g);
      const fd = finiteDifferences(net, x, y);
      expect(flatG.length).toBe(fd.length);
      expect(relErr(flatG, fd)).toBeLessThanOrEqual(1e-6);
      // The gradient is not trivially zero (the check could not fail otherwise).
      expect(Math.max(...fd.map(Math.abs))).toBeGreaterThan(1e-4);
    } finally {
      net.dispose();
    }
  });
});
