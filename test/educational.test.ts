/**
 * The educational engine (the paper's section 2, one neuron at a time): its neurons and flat layout,
 * agreement with the js engine in f64, the paper's three-neuron example worked by hand, central finite
 * differences, and one test for each of the paper's slips (errata 1–6, docs/paper-errata.md) that fails if the slip
 * came back.
 */
import { describe, expect, it } from 'vitest';
import { EducationalEngine, Layer, Neuron } from '../ts/engines/educational.js';
import { Network, type NetworkOptions } from '../ts/network.js';
import { Random } from '../ts/random.js';
import { createNetworkSync } from '../ts/sync.js';
import { finiteDifferences, flatGradients, relErr } from './engines.js';
import type { ActivationName, InputLayer, LossName, OptimizerOption } from '../ts/types.js';

/** The educational engine behind a network. */
function engineOf(net: Network): EducationalEngine {
  return net.engineInstance as EducationalEngine;
}

/** Seeded rows: x uniform in (−1, 1); y uniform in (0, 1) for mse, one-hot for cross-entropy. */
function sampleData(rows: number, nIn: number, nOut: number, loss: LossName, seed: number): { x: number[][]; y: number[][] } {
  const rng = new Random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: nIn }, () => rng.uniform(-1, 1)));
  const y = Array.from({ length: rows }, () => {
    if (loss === 'mse') return Array.from({ length: nOut }, () => rng.next());
    const hot = rng.below(nOut);
    return Array.from({ length: nOut }, (_, k) => (k === hot ? 1 : 0));
  });
  return { x, y };
}

/** The same network on the educational engine and on the js engine in f64. */
function pair(options: Omit<NetworkOptions, 'engine' | 'precision'>): [Network, Network] {
  return [createNetworkSync({ ...options, engine: 'educational' }), createNetworkSync({ ...options, engine: 'js', precision: 'f64' })];
}

/** f′ of the sigmoid from its activation. */
const sigmoidSlope = (a: number) => a * (1 - a);

/** The configurations every engine must support: each activation with mse, and softmax with cross-entropy. */
const CONFIGS: { name: string; activation: ActivationName; loss: LossName }[] = [
  { name: 'sigmoid, mse', activation: 'sigmoid', loss: 'mse' },
  { name: 'relu, mse', activation: 'relu', loss: 'mse' },
  { name: 'tanh, mse', activation: 'tanh', loss: 'mse' },
  { name: 'linear, mse', activation: 'linear', loss: 'mse' },
  { name: 'leaky-relu, mse', activation: 'leaky-relu', loss: 'mse' },
  { name: 'tanh + softmax, cross-entropy', activation: 'tanh', loss: 'cross-entropy' },
];
const INPUT_LAYERS: InputLayer[] = ['identity', 'activated'];

describe('neurons, layers and the flat layout', () => {
  const net = createNetworkSync({ engine: 'educational', layers: [3, 4, 2], inputLayer: 'activated', seed: 7 });
  const engine = engineOf(net);

  it('is the f64 JavaScript engine named educational', () => {
    expect([engine.name, engine.precision, engine.backend]).toEqual(['educational', 'f64', 'js']);
    expect(net.backend).toBe('js');
  });

  it('has one Neuron per unit, each with one weight per neuron of the next layer', () => {
    expect(engine.layers.map((l) => l.size)).toEqual([3, 4, 2]);
    expect(engine.layers.map((l) => l.role)).toEqual(['input', 'hidden', 'output']);
    expect(engine.layers.map((l) => l.activation)).toEqual(['sigmoid', 'sigmoid', 'sigmoid']);
    engine.layers.forEach((layer, l) => {
      expect(layer).toBeInstanceOf(Layer);
      layer.neurons.forEach((neuron, j) => {
        expect(neuron).toBeInstanceOf(Neuron);
        expect(engine.neuron(l, j)).toBe(neuron);
        expect(neuron.w).toHaveLength(l < 2 ? engine.layers[l + 1].size : 0);
      });
    });
    expect(engine.neuron(1, 2).desc).toBe('hidden1[2]');
    expect(() => engine.neuron(3, 0)).toThrow(/no layer 3/);
    expect(() => engine.neuron(1, 4)).toThrow(/layer 1 has no neuron 4/);
  });

  it("maps flat[W_l + k·n_l + j] to neuron j of layer l's w[k], b_l to layer l+1's biases, b_in to the input neurons'", () => {
    const flat = net.getFlatParameters();
    const lay = engine.layout;
    const p = net.getParameters();
    for (let l = 0; l < 2; l++) {
      const nJ = engine.layers[l].size;
      for (let k = 0; k < engine.layers[l + 1].size; k++) {
        expect(flat[lay.biasOffsets[l] + k]).toBe(engine.neuron(l + 1, k).b);
        for (let j = 0; j < nJ; j++) {
          expect(flat[lay.weightOffsets[l] + k * nJ + j]).toBe(engine.neuron(l, j).w[k]);
          expect(p.weights[l][k][j]).toBe(engine.neuron(l, j).w[k]);
        }
      }
    }
    for (let j = 0; j < 3; j++) expect(flat[lay.inputBiasOffset + j]).toBe(engine.neuron(0, j).b);
  });

  it('writes and reads back every parameter', () => {
    const flat = Float64Array.from({ length: engine.layout.length }, (_, i) => (i + 1) / 7);
    net.setFlatParameters(flat);
    expect(net.getFlatParameters()).toEqual(flat);
    // W_1 is 2 × 4 after W_0 (4 × 3) and b_0 (4): its row 1 (output neuron 1), column 3 (hidden neuron 3).
    expect(engine.neuron(1, 3).w[1]).toBe(flat[12 + 4 + 1 * 4 + 3]);
  });

  it('gives the identity input layer no activation and no bias parameters', () => {
    const plain = engineOf(createNetworkSync({ engine: 'educational', layers: [2, 1] }));
    expect(plain.layers[0].activation).toBeNull();
    expect(plain.layout.length).toBe(3);
    expect(plain.layers[0].toString()).toContain('identity');
  });

  it('prints every neuron with z, a, b, delta and w', () => {
    const text = engine.toString();
    const lines = text.split('\n');
    expect(lines[0]).toBe('educational network 3-4-2, loss mse');
    expect(lines).toHaveLength(1 + 3 + 3 + 4 + 2);
    for (const layer of engine.layers) {
      expect(text).toContain(`layer ${layer.index} (${layer.role}, sigmoid, `);
      for (const neuron of layer.neurons) expect(text).toContain(neuron.toString());
    }
    const n = new Neuron('hidden1[0]', 0.01, 2);
    n.z = 0.31;
    n.a = 0.5768852611;
    n.delta = -0.0213;
    n.w[0] = 0.5;
    n.w[1] = -0.2;
    expect(n.toString()).toBe('hidden1[0]: z=0.31 a=0.576885 b=0.01 delta=-0.0213 w=[0.5, -0.2]');
    expect(new Neuron('output[0]').toString()).toBe('output[0]: z=0 a=0 b=0.01 delta=0');
  });
});

describe('agreement with the js engine in f64 (≤ 1e-12 relative)', () => {
  for (const { name, activation, loss } of CONFIGS) {
    for (const inputLayer of INPUT_LAYERS) {
      for (const batch of [1, 5]) {
        it(`${name}, input ${inputLayer}, batch ${batch}`, () => {
          const layers = [4, 5, 3, 3];
          const [edu, js] = pair({ layers, activation, loss, inputLayer, seed: 11, learningRate: 0.1, biasLearningRate: 0.05 });
          expect(edu.getFlatParameters()).toEqual(js.getFlatParameters());

          const { x, y } = sampleData(batch * 4, 4, 3, loss, 3);
          const g0e = edu.gradients(x.slice(0, batch), y.slice(0, batch));
          const g0j = js.gradients(x.slice(0, batch), y.slice(0, batch));
          expect(Math.abs(g0e.loss - g0j.loss)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(g0j.loss)));
          expect(relErr(flatGradients(g0e), flatGradients(g0j))).toBeLessThanOrEqual(1e-12);

          for (let s = 0; s < 4; s++) {
            const [xs, ys] = [x.slice(s * batch, (s + 1) * batch), y.slice(s * batch, (s + 1) * batch)];
            const le = edu.trainBatch(xs, ys);
            const lj = js.trainBatch(xs, ys);
            expect(Math.abs(le - lj)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(lj)));
            expect(relErr(edu.getFlatParameters(), js.getFlatParameters())).toBeLessThanOrEqual(1e-12);
          }
          expect(relErr(flatGradients(edu.gradients(x, y)), flatGradients(js.gradients(x, y)))).toBeLessThanOrEqual(1e-12);
          expect(relErr(edu.predictMatrix(x).data, js.predictMatrix(x).data)).toBeLessThanOrEqual(1e-12);
          const [ee, ej] = [edu.evaluate(x, y), js.evaluate(x, y)];
          expect(Math.abs(ee.loss - ej.loss)).toBeLessThanOrEqual(1e-12 * Math.max(1, ej.loss));
          expect(ee.accuracy).toBe(ej.accuracy);
        });
      }
    }
  }

  const optimizers: OptimizerOption[] = [{ type: 'momentum', momentum: 0.8 }, 'adam'];
  for (const optimizer of optimizers) {
    const label = typeof optimizer === 'string' ? optimizer : optimizer.type;
    it(`${label}: five minibatches, then SGD after a change of optimizer`, () => {
      const [edu, js] = pair({ layers: [3, 4, 2], inputLayer: 'activated', optimizer, learningRate: 0.05, seed: 5 });
      const { x, y } = sampleData(15, 3, 2, 'mse', 8);
      for (let s = 0; s < 5; s++) {
        const [xs, ys] = [x.slice(s * 3, s * 3 + 3), y.slice(s * 3, s * 3 + 3)];
        expect(edu.trainBatch(xs, ys)).toBeCloseTo(js.trainBatch(xs, ys), 13);
        expect(relErr(edu.getFlatParameters(), js.getFlatParameters())).toBeLessThanOrEqual(1e-12);
      }
      edu.trainBatch(x, y, { optimizer: 'sgd', learningRate: 0.3 });
      js.trainBatch(x, y, { optimizer: 'sgd', learningRate: 0.3 });
      edu.resetOptimizer();
      js.resetOptimizer();
      edu.trainBatch(x, y);
      js.trainBatch(x, y);
      expect(relErr(edu.getFlatParameters(), js.getFlatParameters())).toBeLessThanOrEqual(1e-12);
    });
  }

  it('fit: three shuffled epochs in minibatches of 4 (the last shorter)', async () => {
    const [edu, js] = pair({ layers: [4, 6, 3], activation: 'relu', loss: 'cross-entropy', seed: 21 });
    const { x, y } = sampleData(10, 4, 3, 'cross-entropy', 9);
    const he = await edu.fit(x, y, { epochs: 3, batchSize: 4, learningRate: 0.2 });
    const hj = await js.fit(x, y, { epochs: 3, batchSize: 4, learningRate: 0.2 });
    expect(he.epochs).toHaveLength(3);
    expect(
      relErr(
        he.epochs.map((e) => e.loss),
        hj.epochs.map((e) => e.loss),
      ),
    ).toBeLessThanOrEqual(1e-12);
    expect(relErr(edu.getFlatParameters(), js.getFlatParameters())).toBeLessThanOrEqual(1e-12);
  });
});

describe("the paper's three-layer, three-neuron network (2.5), worked by hand", () => {
  // Section 2.5 gives the equations, not numbers, so these are chosen: one neuron in each of layers i,
  // j, k, sigmoid everywhere, and the input neuron with its own bias (Eq. 6: a_i = f(z_i + b_i), which
  // is inputLayer 'activated'). w_ij = 0.5, w_jk = 0.8, b_i = 0.1, b_j = 0.2, b_k = 0.3; the sample
  // x = 1, y = 0; η = 0.5, η_b = 0.25; loss ½(a_k − y)².
  const sigma = (z: number) => 1 / (1 + Math.exp(-z));

  // Forward pass. z includes the neuron's bias (Eq. 1; the paper's 2.5 writes it outside z).
  const z_i = 1 + 0.1; //                              1.1
  const a_i = sigma(z_i); //                           0.75026010559511769
  const z_j = 0.5 * a_i + 0.2; //                      0.57513005279755891
  const a_j = sigma(z_j); //                           0.63994606341136506
  const z_k = 0.8 * a_j + 0.3; //                      0.81195685072909196
  const a_k = sigma(z_k); //                           0.69252634049633865
  // Deltas: Eq. 12, 13, and the input neuron's from Eq. 13's pattern, with f′ = a(1 − a).
  const delta_k = a_k * (1 - a_k) * (a_k - 0); //      0.14746213246587592
  const delta_j = a_j * (1 - a_j) * delta_k * 0.8; //  0.027182001520298701
  const delta_i = a_i * (1 - a_i) * delta_j * 0.5; //  0.0025465441753594440
  // The update, going DOWN the gradient (Eq. 14, 15 with their minus sign; biases by Eq. 91, 104).
  const w_jk = 0.8 - 0.5 * delta_k * a_j; //           0.75281609441310882
  const w_ij = 0.5 - 0.5 * delta_j * a_i; //           0.48980321433454704
  const b_k = 0.3 - 0.25 * delta_k; //                 0.26313446688353104
  const b_j = 0.2 - 0.25 * delta_j; //                 0.19320449961992534
  const b_i = 0.1 - 0.25 * delta_i; //                 0.099363363956160147
  const loss = 0.5 * (a_k - 0) ** 2; //                0.23979636614062538

  function threeNeurons(): { net: Network; engine: EducationalEngine } {
    const net = createNetworkSync({
      engine: 'educational',
      layers: [1, 1, 1],
      inputLayer: 'activated',
      learningRate: 0.5,
      biasLearningRate: 0.25,
    });
    net.setParameters({ weights: [[[0.5]], [[0.8]]], biases: [[0.2], [0.3]], inputBiases: [0.1] });
    return { net, engine: engineOf(net) };
  }

  it('the hand-computed numbers are the ones written beside them', () => {
    const computed = [z_i, a_i, z_j, a_j, z_k, a_k, delta_k, delta_j, delta_i, w_jk, w_ij, b_k, b_j, b_i, loss];
    const written = [
      1.1, 0.75026010559511769, 0.57513005279755891, 0.63994606341136506, 0.81195685072909196, 0.69252634049633865, 0.14746213246587592, 0.027182001520298701,
      0.002546544175359444, 0.75281609441310882, 0.48980321433454704, 0.26313446688353104, 0.19320449961992534, 0.099363363956160147, 0.23979636614062538,
    ];
    computed.forEach((v, n) => expect(v).toBeCloseTo(written[n], 15));
  });

  it('one training step: every neuron has the z, a, delta, w and b worked out above', () => {
    const { net, engine } = threeNeurons();
    expect(net.trainBatch([[1]], [[0]])).toBeCloseTo(loss, 12);
    const [i, j, k] = [engine.neuron(0, 0), engine.neuron(1, 0), engine.neuron(2, 0)];
    const digits = 12;
    expect(i.z).toBeCloseTo(z_i, digits);
    expect(i.a).toBeCloseTo(a_i, digits);
    expect(j.z).toBeCloseTo(z_j, digits);
    expect(j.a).toBeCloseTo(a_j, digits);
    expect(k.z).toBeCloseTo(z_k, digits);
    expect(k.a).toBeCloseTo(a_k, digits);
    expect(k.delta).toBeCloseTo(delta_k, digits);
    expect(j.delta).toBeCloseTo(delta_j, digits);
    expect(i.delta).toBeCloseTo(delta_i, digits);
    expect(j.w[0]).toBeCloseTo(w_jk, digits);
    expect(i.w[0]).toBeCloseTo(w_ij, digits);
    expect(k.b).toBeCloseTo(b_k, digits);
    expect(j.b).toBeCloseTo(b_j, digits);
    expect(i.b).toBeCloseTo(b_i, digits);
    expect(k.w).toEqual([]);
    // The sums over the minibatch (one sample here) that made the update.
    expect(j.nablaW[0]).toBeCloseTo(delta_k * a_j, digits);
    expect(k.nablaB).toBeCloseTo(delta_k, digits);
    expect(engine.toString()).toContain('input[0]: z=1.1 a=0.75026 b=0.0993634 delta=0.00254654 w=[0.489803]');
  });

  it('gradients() gives the same δ a and δ without changing a parameter', () => {
    const { net } = threeNeurons();
    const g = net.gradients([[1]], [[0]]);
    expect(g.loss).toBeCloseTo(loss, 12);
    expect(g.weights[1][0][0]).toBeCloseTo(delta_k * a_j, 12);
    expect(g.weights[0][0][0]).toBeCloseTo(delta_j * a_i, 12);
    expect(g.biases[1][0]).toBeCloseTo(delta_k, 12);
    expect(g.biases[0][0]).toBeCloseTo(delta_j, 12);
    expect(g.inputBiases![0]).toBeCloseTo(delta_i, 12);
    expect(net.getParameters()).toEqual({ weights: [[[0.5]], [[0.8]]], biases: [[0.2], [0.3]], inputBiases: [0.1] });
  });

  it("erratum 4: δ_j uses w_jk of the forward pass, not the w_jk that 2.4's step 3 has just corrected", () => {
    const { net, engine } = threeNeurons();
    net.trainBatch([[1]], [[0]]);
    const deltaJWithCorrectedWeight = a_j * (1 - a_j) * delta_k * w_jk; // the slip: 0.0257…
    expect(Math.abs(delta_j - deltaJWithCorrectedWeight)).toBeGreaterThan(1e-3);
    expect(engine.neuron(1, 0).delta).toBeCloseTo(delta_j, 12);
    expect(engine.neuron(0, 0).w[0]).toBeCloseTo(0.5 - 0.5 * delta_j * a_i, 12);
  });

  it("erratum 5: z includes the bias (not 2.5's z_j = w_ij a_i), and Δw = −η δ a lowers the loss", () => {
    const { net, engine } = threeNeurons();
    net.trainBatch([[1]], [[0]]);
    expect(engine.neuron(1, 0).z).toBeCloseTo(0.5 * a_i + 0.2, 12);
    expect(Math.abs(engine.neuron(1, 0).z - 0.5 * a_i)).toBeGreaterThan(0.1);
    // δ_k a_j > 0, so w_jk must go down: with 2.5's Δw = +η δ a it would rise to 0.847…
    expect(engine.neuron(1, 0).w[0]).toBeLessThan(0.8);
    expect(net.evaluate([[1]], [[0]]).loss).toBeLessThan(loss);
  });
});

describe('gradients against central finite differences (≤ 1e-6)', () => {
  for (const { name, activation, loss } of CONFIGS) {
    for (const inputLayer of INPUT_LAYERS) {
      it(`${name}, input ${inputLayer}`, () => {
        const options = { layers: [3, 4, 3], activation, loss, inputLayer, seed: 4, biasInit: 0.1 };
        const net = createNetworkSync({ engine: 'educational', ...options });
        const { x, y } = sampleData(4, 3, 3, loss, 12);
        const g = net.gradients(x, y);
        expect(g.loss).toBeCloseTo(net.evaluate(x, y).loss, 14);
        expect(relErr(flatGradients(g), finiteDifferences(net, x, y))).toBeLessThanOrEqual(1e-6);
      });
    }
  }
});

describe('inspection after a step', () => {
  it('z, a and delta are those of the LAST sample of the minibatch, with the parameters before the update', () => {
    const options = { engine: 'educational', layers: [3, 4, 2], inputLayer: 'activated', seed: 9 } as const;
    const net = createNetworkSync(options);
    const witness = createNetworkSync(options);
    const { x, y } = sampleData(3, 3, 2, 'mse', 2);
    const before = net.getFlatParameters();
    net.trainBatch(x, y);
    witness.gradients(x.slice(2), y.slice(2)); // the last row alone, parameters unchanged
    const [e, w] = [engineOf(net), engineOf(witness)];
    expect(witness.getFlatParameters()).toEqual(before);
    e.layers.forEach((layer, l) =>
      layer.neurons.forEach((n, j) => {
        const m = w.neuron(l, j);
        expect([n.z, n.a, n.delta]).toEqual([m.z, m.a, m.delta]);
      }),
    );
    expect(net.getFlatParameters()).not.toEqual(before);
  });
});

describe("the paper's slips (docs/paper-errata.md), each corrected", () => {
  it("erratum 1: the destination neuron's bias is added once to z (Eq. 1), not a bias inside the sum", () => {
    const net = createNetworkSync({
      engine: 'educational',
      layers: [2, 2],
      activation: 'linear',
      inputLayer: 'activated',
      inputActivation: 'linear',
    });
    net.setParameters({
      weights: [
        [
          [0.1, 0.2],
          [0.3, 0.4],
        ],
      ],
      biases: [[0.5, -0.5]],
      inputBiases: [0.05, 0.07],
    });
    const out = net.predict([[1, 2]])[0];
    const engine = engineOf(net);
    // a_0 = x + b_in = (1.05, 2.07); z_k = Σ_j w_jk a_j + b_k.
    expect(engine.neuron(0, 0).a).toBeCloseTo(1.05, 15);
    expect(engine.neuron(0, 1).a).toBeCloseTo(2.07, 15);
    expect(engine.neuron(1, 0).z).toBeCloseTo(0.1 * 1.05 + 0.2 * 2.07 + 0.5, 15); // 1.019
    expect(engine.neuron(1, 1).z).toBeCloseTo(0.3 * 1.05 + 0.4 * 2.07 - 0.5, 15); // 0.643
    expect(out).toEqual([engine.neuron(1, 0).a, engine.neuron(1, 1).a]);
    // 2.3.1 lines 13–14 literally: Σ_j (w_jk a_j + b_j) with the source biases = 0.639; or the
    // destination's bias inside the sum, once per source neuron = 1.519.
    expect(Math.abs(engine.neuron(1, 0).z - (0.1 * 1.05 + 0.05 + 0.2 * 2.07 + 0.07))).toBeGreaterThan(0.3);
    expect(Math.abs(engine.neuron(1, 0).z - (0.1 * 1.05 + 0.5 + 0.2 * 2.07 + 0.5))).toBeGreaterThan(0.3);
  });

  it('erratum 2: loops visit neurons 0 … n − 1 of every layer (neuron 0 included, none past the last)', () => {
    const net = createNetworkSync({ engine: 'educational', layers: [3, 4, 2], inputLayer: 'activated', seed: 3 });
    const engine = engineOf(net);
    const before = engine.layers.map((layer) => layer.neurons.map((n) => ({ b: n.b, w: [...n.w] })));
    const { x, y } = sampleData(2, 3, 2, 'mse', 6);
    net.trainBatch(x, y);
    engine.layers.forEach((layer, l) => {
      const fanOut = l + 1 < engine.layers.length ? engine.layers[l + 1].size : 0;
      layer.neurons.forEach((n, j) => {
        // A loop one past the end would grow these arrays or leave NaN behind.
        expect(n.w).toHaveLength(fanOut);
        expect(n.nablaW).toHaveLength(fanOut);
        for (const v of [n.z, n.a, n.b, n.delta, n.nablaB, ...n.w]) expect(Number.isFinite(v)).toBe(true);
        // 2.4.1 counts from 1: neuron 0 (and the last) must be corrected like any other.
        expect(n.b).not.toBe(before[l][j].b);
        n.w.forEach((w, k) => expect(w).not.toBe(before[l][j].w[k]));
      });
    });
    expect(net.predictMatrix(x).data).toHaveLength(2 * 2);
  });

  it("erratum 3: δ_j sums δ_k times the weights INTO the forward layer, w_jk (2.4.1 line 25 names the wrong layer's)", () => {
    const net = createNetworkSync({ engine: 'educational', layers: [2, 3, 3, 2], inputLayer: 'activated', seed: 13 });
    const engine = engineOf(net);
    const { x, y } = sampleData(1, 2, 2, 'mse', 1);
    net.gradients(x, y);
    for (let l = 0; l <= 2; l++) {
      engine.layers[l].neurons.forEach((neuronJ, j) => {
        let sum = 0;
        engine.layers[l + 1].neurons.forEach((neuronK, k) => (sum += neuronJ.w[k] * neuronK.delta));
        expect(neuronJ.delta, `layer ${l} neuron ${j}`).toBeCloseTo(sigmoidSlope(neuronJ.a) * sum, 15);
      });
    }
  });

  it('erratum 3: biases move by −η_b δ (2.4.1 line 37 writes +=), with η_b, not η', () => {
    const net = createNetworkSync({ engine: 'educational', layers: [2, 3, 2], inputLayer: 'activated', seed: 17 });
    const engine = engineOf(net);
    const { x, y } = sampleData(1, 2, 2, 'mse', 4);
    const lossBefore = net.evaluate(x, y).loss;
    const biasesBefore = engine.layers.map((layer) => layer.neurons.map((n) => n.b));
    net.trainBatch(x, y, { learningRate: 0, biasLearningRate: 0.25 });
    engine.layers.forEach((layer, l) =>
      layer.neurons.forEach((n, j) => {
        expect(n.delta).not.toBe(0);
        expect(n.b).toBeCloseTo(biasesBefore[l][j] - 0.25 * n.delta, 15);
      }),
    );
    expect(net.evaluate(x, y).loss).toBeLessThan(lossBefore);
  });

  it('erratum 4: every δ before any correction: one SGD step is exactly p − η·(gradient at p)', () => {
    const net = createNetworkSync({ engine: 'educational', layers: [3, 4, 3, 2], inputLayer: 'activated', seed: 19 });
    const { x, y } = sampleData(1, 3, 2, 'mse', 5);
    const p = net.getFlatParameters();
    const g = flatGradients(net.gradients(x, y));
    expect(relErr(g, finiteDifferences(net, x, y))).toBeLessThanOrEqual(1e-6);
    net.trainBatch(x, y, { learningRate: 0.7 });
    // With 2.4's order, W_0, W_1 and the input biases would move by gradients taken from already-corrected weights.
    expect(
      relErr(
        net.getFlatParameters(),
        p.map((v, i) => v - 0.7 * g[i]),
      ),
    ).toBeLessThanOrEqual(1e-15);
  });

  it("erratum 6: ∂L/∂b_j = δ_j, the factor w_jk included (not Eq. 103's f′(z_j) Σ_k (a_k − y_k) f′(z_k))", () => {
    const net = createNetworkSync({ engine: 'educational', layers: [2, 3, 2], seed: 23 });
    const engine = engineOf(net);
    const { x, y } = sampleData(1, 2, 2, 'mse', 7);
    const g = net.gradients(x, y);
    const fd = finiteDifferences(net, x, y);
    const bOff = engine.layout.biasOffsets[0];
    let outputSum = 0; // Σ_k (a_k − y_k) f′(z_k) = Σ_k δ_k
    engine.layers[2].neurons.forEach((n) => (outputSum += n.delta));
    engine.layers[1].neurons.forEach((neuronJ, j) => {
      expect(g.biases[0][j]).toBe(neuronJ.delta);
      expect(g.biases[0][j]).toBeCloseTo(fd[bOff + j], 9);
      const eq103 = sigmoidSlope(neuronJ.a) * outputSum;
      expect(Math.abs(eq103 - fd[bOff + j])).toBeGreaterThan(1e-4);
    });
  });
});

it('a network beyond 2^24 parameters is refused by the educational engine in one line, before any object is made (2^28 crashed the process: heap out of memory)', async () => {
  // 4096-4096-1: 4096·4097 + 4097 = 16,785,409 parameters, just above 2^24.
  const message =
    /^the educational engine \(an object per neuron, for teaching\) takes at most 16777216 \(2\^24\) parameters, layers 4096-4096-1 have 16785409: use engine 'js' or 'wasm'$/;
  await expect(Network.create({ layers: [4096, 4096, 1], engine: 'educational' })).rejects.toThrow(message);
  expect(() => createNetworkSync({ layers: [4096, 4096, 1], engine: 'educational' })).toThrow(message);
  // The other engines make it.
  expect(createNetworkSync({ layers: [4096, 4096, 1], engine: 'js', precision: 'f32' }).layers).toEqual([4096, 4096, 1]);
});
