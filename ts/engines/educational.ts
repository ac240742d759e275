/**
 * The `educational` engine: the neurons of ./neurons.ts (the paper's section 2, one neuron at a time)
 * behind the `Engine` contract. Non-goal: speed; it is written to be read.
 *
 * A learner inspects it through `engine.layers`, `engine.neuron(l, j)` and `engine.toString()`: after
 * `trainBatch`, every neuron's `z`, `a` and `delta` are those of the LAST sample of the minibatch,
 * computed with the parameters before the update; `b` and `w` are the parameters after the update;
 * `nablaW` and `nablaB` are the sums over the minibatch that made the update.
 */
import type { Engine, StepValues } from '../engine.js';
import { fail } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { Layout, type Architecture } from '../parameters.js';
import { HeldDataEngine } from './held.js';
import { isCorrect, updateParameters } from './math.js';
import { NeuronGraph, type Layer, type Neuron } from './neurons.js';

export { Layer, Neuron, NeuronGraph } from './neurons.js';

/**
 * The `educational` engine: a `NeuronGraph` behind the `Engine` interface. It adds what spans a
 * minibatch: `updateMiniBatch` (Eq. 5), the optimizer, and the conversion to and from the flat layout
 * of engine.ts.
 */
/** The most parameters the educational engine takes (its per-neuron objects need ~50 bytes each). */
export const EDUCATIONAL_MAX_PARAMETERS = 1 << 24;

export class EducationalEngine extends HeldDataEngine implements Engine {
  readonly name = 'educational' as const;
  readonly precision = 'f64' as const;
  readonly backend = 'js' as const;
  readonly layout: Layout;
  /** The neurons. */
  readonly graph: NeuronGraph;

  constructor(readonly arch: Architecture) {
    const count = new Layout(arch).length;
    // Its objects take ~50 bytes a parameter once trained: beyond this, a JavaScript heap runs out.
    if (count > EDUCATIONAL_MAX_PARAMETERS) {
      fail(
        `the educational engine (an object per neuron, for teaching) takes at most ${EDUCATIONAL_MAX_PARAMETERS} (2^24) parameters, ` +
          `layers ${arch.sizes.join('-')} have ${count}: use engine 'js' or 'wasm'`,
      );
    }
    super(count);
    this.layout = new Layout(arch);
    this.graph = new NeuronGraph(arch);
  }

  /** The layers 0 … L, each an array of neurons: read any neuron's z, a, b, w and delta. */
  get layers(): readonly Layer[] {
    return this.graph.layers;
  }

  /** Neuron j of layer l. */
  neuron(l: number, j: number): Neuron {
    return this.graph.neuron(l, j);
  }

  /** Every neuron's z, a, b, delta and w, layer by layer. */
  override toString(): string {
    const { sizes, loss } = this.arch;
    return `educational network ${sizes.join('-')}, loss ${loss}\n${this.graph.toString()}`;
  }

  /**
   * The flat layout [W_0 | b_0 | … | W_{L−1} | b_{L−1} | b_in]: W_l is row-major n_{l+1} × n_l with
   * row = destination k and column = source j, so flat[W_l + k·n_l + j] is neuron j of layer l's w[k].
   */
  readParameters(into?: Float64Array): Float64Array {
    const flat = into?.length === this.layout.length ? into : new Float64Array(this.layout.length);
    const layers = this.graph.layers;
    for (let l = 0; l < this.layout.depth; l++) {
      const [wOff, bOff, nJ] = [this.layout.weightOffsets[l], this.layout.biasOffsets[l], layers[l].size];
      for (let k = 0; k < layers[l + 1].size; k++) {
        for (let j = 0; j < nJ; j++) flat[wOff + k * nJ + j] = layers[l].neurons[j].w[k];
        flat[bOff + k] = layers[l + 1].neurons[k].b;
      }
    }
    if (this.arch.inputActivated) layers[0].neurons.forEach((neuron, j) => (flat[this.layout.inputBiasOffset + j] = neuron.b));
    return flat;
  }

  /** Sets every neuron's w and b from the flat layout (see `readParameters`). */
  writeParameters(flat: Float64Array): void {
    const layers = this.graph.layers;
    for (let l = 0; l < this.layout.depth; l++) {
      const [wOff, bOff, nJ] = [this.layout.weightOffsets[l], this.layout.biasOffsets[l], layers[l].size];
      for (let k = 0; k < layers[l + 1].size; k++) {
        for (let j = 0; j < nJ; j++) layers[l].neurons[j].w[k] = flat[wOff + k * nJ + j];
        layers[l + 1].neurons[k].b = flat[bOff + k];
      }
    }
    if (this.arch.inputActivated) layers[0].neurons.forEach((neuron, j) => (neuron.b = flat[this.layout.inputBiasOffset + j]));
  }

  /** The mean gradient of the last minibatch in the flat layout: every nablaW and nablaB divided by N. */
  private meanGradient(samples: number): Float64Array {
    const grads = new Float64Array(this.layout.length);
    const layers = this.graph.layers;
    const inv = 1 / samples;
    for (let l = 0; l < this.layout.depth; l++) {
      const [wOff, bOff, nJ] = [this.layout.weightOffsets[l], this.layout.biasOffsets[l], layers[l].size];
      for (let k = 0; k < layers[l + 1].size; k++) {
        for (let j = 0; j < nJ; j++) grads[wOff + k * nJ + j] = layers[l].neurons[j].nablaW[k] * inv;
        grads[bOff + k] = layers[l + 1].neurons[k].nablaB * inv;
      }
    }
    if (this.arch.inputActivated) {
      layers[0].neurons.forEach((neuron, j) => (grads[this.layout.inputBiasOffset + j] = neuron.nablaB * inv));
    }
    return grads;
  }

  /** Backprop of every row of x, y into the neurons' nablaW and nablaB. Returns the sum of the rows' losses. */
  private backpropRows(x: Matrix, y: Matrix): number {
    this.graph.zeroNablas();
    let total = 0;
    for (let r = 0; r < x.rows; r++) total += this.graph.backprop(x.data, y.data, r * x.cols, r * y.cols);
    return total;
  }

  /**
   * One step of minibatch gradient descent (Eq. 5) on the rows of x, y: backprop of each sample in
   * turn, summing its gradient into nablaW and nablaB; then every parameter moves once, by the mean:
   * with SGD w_jk −= eta · nablaW_jk / N and b_k −= eta_b · nablaB_k / N.
   * Returns the mean loss of the rows before the update.
   *
   * Paper 2.4.1 line 37 adds `+= eta_b * delta` to the biases (erratum 3), and 2.5 writes Δw = η δ a
   * (erratum 5): both steps go down the gradient, −= (Eq. 2–4, 91, 104).
   */
  updateMiniBatch(x: Matrix, y: Matrix): number {
    const total = this.backpropRows(x, y);
    const { optimizer, learningRate: eta, biasLearningRate: etaB } = this.step;
    // Gather the parameters and mean gradients into the flat layout, where the optimizer keeps its
    // state, update them all with the same `updateParameters` as the other engines, and put them back.
    const params = this.readParameters();
    const grads = this.meanGradient(x.rows);
    const [m, v, t] = [this.optM, this.optV, ++this.updates];
    const { sizes } = this.arch;
    for (let l = 0; l < this.layout.depth; l++) {
      updateParameters(optimizer, eta, t, params, grads, m, v, this.layout.weightOffsets[l], sizes[l + 1] * sizes[l]);
      updateParameters(optimizer, etaB, t, params, grads, m, v, this.layout.biasOffsets[l], sizes[l + 1]);
    }
    if (this.arch.inputActivated) {
      updateParameters(optimizer, etaB, t, params, grads, m, v, this.layout.inputBiasOffset, sizes[0]);
    }
    this.writeParameters(params);
    return total / x.rows;
  }

  trainBatch(x: Matrix, y: Matrix): number {
    return this.updateMiniBatch(x, y);
  }

  gradients(x: Matrix, y: Matrix): { loss: number; grads: Float64Array } {
    const total = this.backpropRows(x, y);
    return { loss: total / x.rows, grads: this.meanGradient(x.rows) };
  }

  /**
   * Backprop of every row of x, y as `gradients` does it, keeping each neuron's z, a and delta after
   * its row (row r of layer l at r·n_l + j), with the mean gradient and loss.
   */
  values(x: Matrix, y: Matrix): StepValues {
    this.graph.zeroNablas();
    const layers = this.graph.layers;
    const identity = !this.arch.inputActivated;
    const z = layers.map((layer) => new Float64Array(x.rows * layer.size));
    const a = layers.map((layer) => new Float64Array(x.rows * layer.size));
    const delta = layers.map((layer) => new Float64Array(x.rows * layer.size));
    let total = 0;
    for (let r = 0; r < x.rows; r++) {
      total += this.graph.backprop(x.data, y.data, r * x.cols, r * y.cols);
      layers.forEach((layer, l) =>
        layer.neurons.forEach((neuron, j) => {
          z[l][r * layer.size + j] = neuron.z;
          a[l][r * layer.size + j] = neuron.a;
          delta[l][r * layer.size + j] = neuron.delta;
        }),
      );
    }
    // An identity input layer computes no z and no delta: z = a = x, and delta stays 0.
    const computed = <T>(v: T[]) => v.map((t, l) => (l === 0 && identity ? null : t));
    return { loss: total / x.rows, grads: this.meanGradient(x.rows), z: computed(z), a, delta: computed(delta) };
  }

  /** a_L for every row of x, one feedforward per row. */
  predict(x: Matrix): Float64Array {
    const out = this.graph.outputLayer;
    const result = new Float64Array(x.rows * out.size);
    for (let r = 0; r < x.rows; r++) {
      this.graph.feedforward(x.data, r * x.cols);
      for (let k = 0; k < out.size; k++) result[r * out.size + k] = out.neurons[k].a;
    }
    return result;
  }

  evaluate(x: Matrix, y: Matrix): { loss: number; correct: number } {
    const out = this.graph.outputLayer;
    let total = 0;
    let correct = 0;
    for (let r = 0; r < x.rows; r++) {
      this.graph.feedforward(x.data, r * x.cols);
      total += this.graph.loss(y.data, r * y.cols);
      if (
        isCorrect(
          out.neurons.map((n) => n.a),
          y.data,
          0,
          r * y.cols,
          out.size,
        )
      )
        correct++;
    }
    return { loss: total / x.rows, correct };
  }

  /** Nothing to free: the neurons are ordinary objects. */
  dispose(): void {}
}
