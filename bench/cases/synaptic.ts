/**
 * synaptic 1.1.4 `Architect.Perceptron`, trained as its README shows: `activate(input)` then
 * `propagate(rate, target)`, one row at a time (batch 1). On the first `activate` it compiles the
 * whole network into one generated function with every weight a constant-indexed slot: unbeatable
 * on XOR, while the function grows with the number of weights (W3 takes seconds to build, W4 minutes
 * and gigabytes, so W4 is not run).
 *
 * Its output error is `target − activation` without the sigmoid's derivative: the gradient of
 * cross-entropy, not of ½Σ(a−y)². Its loss after the guard's steps is therefore shown but only
 * compared loosely. The initial parameters are ours, written into the neurons and connections
 * before the first `activate` compiles them.
 */
import synaptic, { type Network } from 'synaptic';
import { NotRun, type Case } from '../protocol.js';
import { guardRows, halfSquaredError, type WorkloadData, type WorkloadSpec } from '../workload-spec.js';

class SynapticCase implements Case {
  readonly batch = 1;
  readonly unit = 1;
  readonly reference = 'other-gradient' as const;
  readonly note = 'batch 1; output error without the sigmoid derivative (a cross-entropy gradient, not ½MSE)';
  readonly info: Record<string, string>;
  private cursor = 0;

  constructor(
    private readonly net: Network,
    private readonly spec: WorkloadSpec,
    private readonly x: number[][],
    private readonly y: number[][],
    buildMs: number,
    version: string,
  ) {
    this.info = { version, buildMs: buildMs.toFixed(0) };
  }

  evalLoss(): number {
    const e = this.spec.evalRows;
    const nOut = this.y[0].length;
    const a = new Float64Array(e * nOut);
    const y = new Float64Array(e * nOut);
    for (let r = 0; r < e; r++) {
      a.set(this.net.activate(this.x[r]), r * nOut);
      y.set(this.y[r], r * nOut);
    }
    return halfSquaredError(a, y, e, nOut);
  }

  trainGuard(steps: number): void {
    for (const r of guardRows(this.spec, steps, 1)) {
      this.net.activate(this.x[r]);
      this.net.propagate(this.spec.learningRate, this.y[r]);
    }
  }

  run(units: number): number {
    const { net, x, y } = this;
    const rate = this.spec.learningRate;
    for (let u = 0; u < units; u++) {
      net.activate(x[this.cursor]);
      net.propagate(rate, y[this.cursor]);
      this.cursor = this.cursor + 1 === x.length ? 0 : this.cursor + 1;
    }
    return units;
  }

  dispose(): undefined {
    return undefined;
  }
}

/** synaptic (its installed `version`, for the report) from the workload's initial parameters (W4 not run). */
export function createSynapticCase(spec: WorkloadSpec, data: WorkloadData, version: string): Case {
  if (spec.id === 'W4') throw new NotRun('not run: compiling 784-512-512-10 into one function takes minutes and gigabytes');
  if (spec.hidden !== 'sigmoid') throw new NotRun(`not run: hidden activation ${spec.hidden}`);
  const { layers } = spec;
  const net = new synaptic.Architect.Perceptron(...layers);
  const all = [net.layers.input, ...net.layers.hidden, net.layers.output];
  let off = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const [n0, n1] = [layers[l], layers[l + 1]];
    const from = new Map(all[l].list.map((n, j) => [n.ID, j]));
    const biasOff = off + n0 * n1;
    all[l + 1].list.forEach((neuron, k) => {
      neuron.bias = data.p0[biasOff + k];
      for (const c of Object.values(neuron.connections.inputs)) {
        const j = from.get(c.from.ID);
        if (j === undefined) throw new Error(`synaptic: a connection into layer ${l + 1} comes from outside layer ${l}`);
        c.weight = data.p0[off + k * n0 + j];
      }
    });
    off = biasOff + n1;
  }
  const nIn = layers[0];
  const nOut = layers[layers.length - 1];
  const x = Array.from({ length: spec.rows }, (_, r) => Array.from(data.x.subarray(r * nIn, (r + 1) * nIn)));
  const y = Array.from({ length: spec.rows }, (_, r) => Array.from(data.y.subarray(r * nOut, (r + 1) * nOut)));
  // The first activate compiles the network; do it here so neither the guard nor the timing pays it.
  const t = performance.now();
  net.activate(x[0]);
  return new SynapticCase(net, spec, x, y, performance.now() - t, version);
}
