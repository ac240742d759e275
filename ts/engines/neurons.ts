/**
 * The neurons of the `educational` engine: the network of the paper's section 2, one neuron at a time
 * (the engine itself, which adds minibatches and optimizers, is ./educational.ts).
 *
 * Non-goal: speed. This engine is written to be read, not to be fast. Every neuron is an object
 * `{ desc, z, a, b, w, delta }` (paper 2.1), a layer is an array of neurons, and the forward pass and
 * backpropagation are the nested loops of 2.3.1 and 2.4.1, run for one sample at a time. There are no
 * matrices here; use the `js` or `wasm` engine to train anything large.
 *
 * Indices are the paper's (2.2): three consecutive layers i → j → k, and `w_jk` is the weight from
 * neuron j (in layer j) into neuron k (in the next layer, k). A weight lives with its SOURCE neuron, as
 * in 2.1: neuron j's `w[k]` is w_jk. For one sample (x, y):
 *
 *     z_k = Σ_j w_jk a_j + b_k,   a_k = f(z_k)                     (Eq. 1; the forward pass, 2.3.1)
 *     δ_k = f′(z_k) (a_k − y_k)       for the output layer          (Eq. 26, 56; softmax + cross-entropy: a_k − y_k)
 *     δ_j = f′(z_j) Σ_k w_jk δ_k      for the layers before it      (Eq. 29, 77, 84; backprop, 2.4.1)
 *     ∂L/∂w_jk = δ_k a_j,   ∂L/∂b_k = δ_k                          (Eq. 57, 78, 91, 104)
 *
 * and for a minibatch of N samples (Eq. 5), with the sums nablaW_jk = Σ δ_k a_j and nablaB_k = Σ δ_k:
 *
 *     w_jk −= η · nablaW_jk / N,   b_k −= η_b · nablaB_k / N        (SGD, the paper's; momentum and Adam alike)
 *
 * With `inputLayer: 'activated'` the input neurons have biases and an activation f_0 of their own
 * (Eq. 6): z_j = x_j + b_j, a_j = f_0(z_j), and their δ_j = f_0′(z_j) Σ_k w_jk δ_k is the gradient of b_j.
 *
 * The vocabulary follows Nielsen's network.py (`feedforward`, `backprop`, `updateMiniBatch`, `nablaW`,
 * `nablaB`, `eta`); the layer letters follow the paper.
 *
 * What a learner can inspect (`engine.layers`, `engine.neuron(l, j)`, `engine.toString()`): after
 * `trainBatch`, every neuron's `z`, `a` and `delta` are those of the LAST sample of the minibatch, computed
 * with the parameters before the update; `b` and `w` are the parameters after the update; `nablaW` and
 * `nablaB` are the sums over the minibatch that made the update. `gradients`, `predict` and `evaluate`
 * leave z and a (and, for `gradients`, delta) of the last row they processed.
 *
 * Where the paper's pseudo-code slips, the code does what the derivations of section 4 say, and a
 * comment names the slip (errata 1–6 of docs/paper-errata.md).
 */
import type { Architecture } from '../parameters.js';
import type { ActivationName } from '../types.js';
import { activate, derivative, sampleLoss, softmaxRow } from './math.js';

/** A number as a learner wants to read it: six significant digits. */
function show(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/**
 * One neuron (paper 2.1): its input z, activation a, bias b, the weights w to the next layer, and
 * its error delta.
 */
export class Neuron {
  /** The neuron's input: z_k = Σ_j w_jk a_j + b_k (Eq. 1); for an input neuron x_j (+ b_j when activated). */
  z = 0;
  /** The neuron's activation a = f(z). */
  a = 0;
  /** δ = ∂L/∂z of the last sample backpropagated (0 where the maths needs none: an identity input layer). */
  delta = 0;
  /**
   * `w[k]` is w_jk, the weight from this neuron j into neuron k of the next layer (empty for an output
   * neuron).
   */
  readonly w: number[];
  /** `nablaW[k]` = Σ δ_k a_j over the samples of the minibatch: the sum of the gradients of w[k]. */
  readonly nablaW: number[];
  /** Σ δ over the samples of the minibatch: the sum of the gradients of b. */
  nablaB = 0;

  /**
   * @param desc a name for printing, e.g. 'hidden1[2]'.
   * @param b the bias; the paper starts every bias at 0.01.
   * @param fanOut the number of neurons in the next layer (0 for the output layer).
   */
  constructor(
    readonly desc: string,
    public b = 0.01,
    fanOut = 0,
  ) {
    this.w = new Array<number>(fanOut).fill(0);
    this.nablaW = new Array<number>(fanOut).fill(0);
  }

  /** E.g. `hidden1[0]: z=0.31 a=0.576885 b=0.01 delta=-0.0213 w=[0.5, -0.2]`. */
  toString(): string {
    const w = this.w.length > 0 ? ` w=[${this.w.map(show).join(', ')}]` : '';
    return `${this.desc}: z=${show(this.z)} a=${show(this.a)} b=${show(this.b)} delta=${show(this.delta)}${w}`;
  }
}

/** A layer: an array of neurons and the activation they share. */
export class Layer {
  /**
   * @param index l, 0 for the input layer.
   * @param activation f_l, or null for an identity input layer (a = z = x, and no bias is used).
   */
  constructor(
    readonly index: number,
    readonly role: 'input' | 'hidden' | 'output',
    readonly activation: ActivationName | null,
    readonly neurons: Neuron[],
  ) {}

  /** n_l, the number of neurons. */
  get size(): number {
    return this.neurons.length;
  }

  /** A header line, then one line per neuron. */
  toString(): string {
    const f = this.activation ?? 'identity: a = x, no bias';
    const head = `layer ${this.index} (${this.role}, ${f}, ${this.size} neuron${this.size === 1 ? '' : 's'})`;
    return [head, ...this.neurons.map((n) => `  ${n.toString()}`)].join('\n');
  }
}

/**
 * The neurons of a network and the two passes for ONE sample: `feedforward` (2.3.1) and `backprop`
 * (2.4.1, which also adds the sample's gradient to every neuron's nablaW and nablaB).
 */
export class NeuronGraph {
  readonly layers: Layer[];

  constructor(readonly arch: Architecture) {
    const { sizes, activations, inputActivated } = arch;
    const L = sizes.length - 1;
    this.layers = sizes.map((n, l) => {
      const role = l === 0 ? 'input' : l === L ? 'output' : 'hidden';
      const name = role === 'hidden' ? `hidden${l}` : role;
      const fanOut = l < L ? sizes[l + 1] : 0;
      // An identity input layer has no activation and no biases: its neurons' b stays 0, unused.
      const identity = l === 0 && !inputActivated;
      const neurons = Array.from({ length: n }, (_, j) => new Neuron(`${name}[${j}]`, identity ? 0 : 0.01, fanOut));
      return new Layer(l, role, identity ? null : activations[l], neurons);
    });
  }

  /** The output layer, L. */
  get outputLayer(): Layer {
    return this.layers[this.layers.length - 1];
  }

  /** Neuron j of layer l. */
  neuron(l: number, j: number): Neuron {
    const layer = this.layers[l];
    if (layer === undefined) throw new RangeError(`there is no layer ${l}: layers are 0 … ${this.layers.length - 1}`);
    const neuron = layer.neurons[j];
    if (neuron === undefined) throw new RangeError(`layer ${l} has no neuron ${j}: its neurons are 0 … ${layer.size - 1}`);
    return neuron;
  }

  /**
   * The forward pass of one sample, x[xOff … xOff + n_0) (paper 2.3.1): sets every neuron's z and a.
   *
   * Paper 2.3.1 writes its loops "inclusive of both ends", `for neuron = 0 to (number of input neurons)`,
   * which runs one past the last neuron (erratum 2): every loop here runs over 0 … n − 1.
   */
  feedforward(x: ArrayLike<number>, xOff = 0): void {
    // Load up the input layer (2.3.1 lines 1–5). Its pseudo-code takes z = x and a = f(z) with no bias;
    // the paper's own three-neuron example (Eq. 6) and 3.1.2 line 7 add the input neuron's bias,
    // a_i = f(x_i + b_i): that is `inputLayer: 'activated'`. By default the input layer is the
    // identity, a_0 = x, as in the derivations of section 4.
    const input = this.layers[0];
    for (let j = 0; j < input.size; j++) {
      const neuron = input.neurons[j];
      if (input.activation === null) {
        neuron.z = x[xOff + j];
        neuron.a = neuron.z;
      } else {
        neuron.z = x[xOff + j] + neuron.b;
        neuron.a = activate(input.activation, neuron.z);
      }
    }

    // Propagate from the input layer through the entire network (2.3.1 lines 7–19): layer j feeds layer k.
    for (let l = 0; l + 1 < this.layers.length; l++) {
      const layerJ = this.layers[l];
      const layerK = this.layers[l + 1];
      for (let k = 0; k < layerK.size; k++) {
        let sum = 0;
        for (let j = 0; j < layerJ.size; j++) {
          const neuronJ = layerJ.neurons[j];
          sum += neuronJ.a * neuronJ.w[k];
        }
        // Paper 2.3.1 lines 13–14 add the bias inside the sum, and the SOURCE neuron's bias (erratum 1):
        // the destination's bias is added once (Eq. 1). Paper 2.5 writes z_j = w_ij a_i and puts the bias
        // in a_j = f(z_j + b_j) (erratum 5): z includes the bias, as Eq. 1 defines it, and f′ is taken there.
        const neuronK = layerK.neurons[k];
        neuronK.z = sum + neuronK.b;
      }
      activateLayer(layerK);
    }
  }

  /** The loss of the sample whose forward pass was the last: ½ Σ_k (a_k − y_k)² (Eq. 46), or −Σ_k y_k ln a_k. */
  loss(y: ArrayLike<number>, yOff = 0): number {
    const out = this.outputLayer.neurons;
    return sampleLoss(
      this.arch.loss,
      out.map((n) => n.z),
      out.map((n) => n.a),
      y,
      0,
      yOff,
      out.length,
    );
  }

  /** Sets every neuron's nablaW and nablaB to 0: the start of a minibatch. */
  zeroNablas(): void {
    for (const layer of this.layers) {
      for (const neuron of layer.neurons) {
        neuron.nablaW.fill(0);
        neuron.nablaB = 0;
      }
    }
  }

  /**
   * Backpropagation of one sample (x, y): its forward pass, every δ (2.4.1 lines 9–32), then its gradient
   * added to nablaW and nablaB. Returns the sample's loss. Changes no weight or bias.
   *
   * Paper 2.4 steps 3–4 correct w_jk before computing δ_j from w_jk (erratum 4); the gradient needs the
   * weights of the forward pass. As 2.4.1 does, every δ is computed first, and the update comes later
   * (`EducationalEngine.updateMiniBatch`), once per minibatch.
   */
  backprop(x: ArrayLike<number>, y: ArrayLike<number>, xOff = 0, yOff = 0): number {
    this.feedforward(x, xOff);
    this.outputDeltas(y, yOff);
    this.hiddenDeltas();
    this.accumulateGradient();
    return this.loss(y, yOff);
  }

  /**
   * δ_k = f′(z_k) (a_k − y_k) for every output neuron k (2.4 step 2; 2.4.1 lines 9–17).
   * With a softmax output and cross-entropy the two derivatives cancel to δ_k = a_k − y_k.
   *
   * Paper 2.4.1 lines 11, 36 and 39 count neurons from 1 (and "to" is inclusive, erratum 2): neuron 0
   * would never be corrected. Neurons are numbered 0 … n − 1 everywhere here.
   */
  private outputDeltas(y: ArrayLike<number>, yOff: number): void {
    const layerK = this.outputLayer;
    for (let k = 0; k < layerK.size; k++) {
      const neuron = layerK.neurons[k];
      const dL = neuron.a - y[yOff + k];
      neuron.delta = this.arch.loss === 'cross-entropy' ? dL : dL * derivative(layerK.activation!, neuron.z, neuron.a);
    }
  }

  /**
   * δ_j = f′(z_j) Σ_k w_jk δ_k for every neuron j of every layer before the output, from the last hidden
   * layer back (2.4 steps 4 and 6; 2.4.1 lines 19–32). 2.4.1 line 20 runs down to layer 0: with an
   * activated input layer the input neurons get a δ too, the gradient of their biases; an identity input
   * layer has no parameters, and the loop stops at layer 1.
   */
  private hiddenDeltas(): void {
    const first = this.layers[0].activation === null ? 1 : 0;
    for (let l = this.layers.length - 2; l >= first; l--) {
      const layerJ = this.layers[l];
      const layerK = this.layers[l + 1];
      for (let j = 0; j < layerJ.size; j++) {
        const neuronJ = layerJ.neurons[j];
        let dsum = 0;
        for (let k = 0; k < layerK.size; k++) {
          // Paper 2.4.1 line 25 names the weight connecting (neuron, hidden_layer) and
          // (forward_neuron, hidden_layer) (erratum 3): it is the weight into (forward_neuron, forward_layer), w_jk.
          dsum += layerK.neurons[k].delta * neuronJ.w[k];
        }
        // 2.4.1 lines 28–29 set δ inside the loop over k, each pass overwriting the last: once, after the sum.
        neuronJ.delta = dsum * derivative(layerJ.activation!, neuronJ.z, neuronJ.a);
      }
    }
  }

  /**
   * Adds this sample's gradient to the sums: nablaW_jk += ∂L/∂w_jk = δ_k a_j (Eq. 57, 78) and
   * nablaB_k += ∂L/∂b_k = δ_k (Eq. 91, 104).
   *
   * Paper 4.3.1 Eq. 100–103 drop the factor w_jn of Eq. 97 (erratum 6); with it, Eq. 104 holds:
   * ∂L/∂b_j = f′(z_j) Σ_k δ_k w_jk = δ_j, the neuron's own δ.
   */
  private accumulateGradient(): void {
    for (let l = 0; l + 1 < this.layers.length; l++) {
      const layerJ = this.layers[l];
      const layerK = this.layers[l + 1];
      for (let j = 0; j < layerJ.size; j++) {
        const neuronJ = layerJ.neurons[j];
        for (let k = 0; k < layerK.size; k++) neuronJ.nablaW[k] += layerK.neurons[k].delta * neuronJ.a;
      }
      for (let k = 0; k < layerK.size; k++) layerK.neurons[k].nablaB += layerK.neurons[k].delta;
    }
    const input = this.layers[0];
    if (input.activation !== null) for (const neuron of input.neurons) neuron.nablaB += neuron.delta;
  }

  /** Every layer, every neuron. */
  toString(): string {
    return this.layers.map((layer) => layer.toString()).join('\n');
  }
}

/** a = f(z) for every neuron of a layer whose z is set; softmax needs the whole layer's z at once. */
function activateLayer(layer: Layer): void {
  const f = layer.activation!;
  if (f === 'softmax') {
    const z = layer.neurons.map((n) => n.z);
    const a = new Array<number>(z.length);
    softmaxRow(z, a, 0, z.length);
    layer.neurons.forEach((n, k) => (n.a = a[k]));
  } else {
    for (const neuron of layer.neurons) neuron.a = activate(f, neuron.z);
  }
}
