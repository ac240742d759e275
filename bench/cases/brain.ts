/**
 * brain.js 1.6.1 `NeuralNetwork`: trains one row at a time (it has no minibatch option), so it is
 * reported at batch 1. Its update is per-sample SGD on ½Σ(a−y)² with momentum; the validator
 * rejects momentum 0, so momentum is 1e-10 (no measurable effect). One activation applies to every
 * layer: W4's relu hidden layers with a sigmoid output cannot be expressed, so W4 runs sigmoid
 * everywhere (same arithmetic per weight; its guard is checked against that network).
 *
 * The initial parameters are ours, imported with `fromJSON`. Timing uses the public `train()`:
 * it reformats the rows on each call and computes the training error as it goes, as users get it.
 */
import brain, { type INeuralNetworkJSON, type NeuralNetwork } from 'brain.js';
import type { Case } from '../protocol.js';
import { guardRows, halfSquaredError, type WorkloadData, type WorkloadSpec } from '../workload-spec.js';

type Row = { input: number[]; output: number[] };

class BrainCase implements Case {
  readonly batch = 1;
  readonly unit = 1;
  readonly reference;
  readonly note;
  readonly info;
  private readonly options;
  private cursor = 0;
  private plan: { units: number; iterations: number; windows: Row[][] } | null = null;

  constructor(
    private readonly net: NeuralNetwork,
    private readonly spec: WorkloadSpec,
    private readonly rows: Row[],
    version: string,
  ) {
    this.info = { version };
    const sigmoidAll = spec.hidden !== 'sigmoid';
    this.reference = sigmoidAll ? ('per-sample-sigmoid' as const) : ('per-sample' as const);
    this.note = sigmoidAll ? 'batch 1; sigmoid in every layer (relu hidden + sigmoid output not expressible)' : 'batch 1 (per-sample training only)';
    // errorThresh must be in (0, 1): 1e-300 never stops training early.
    this.options = { iterations: 1, errorThresh: 1e-300, learningRate: spec.learningRate, momentum: 1e-10, log: false };
  }

  evalLoss(): number {
    const e = this.spec.evalRows;
    const nOut = this.spec.layers[this.spec.layers.length - 1];
    const a = new Float64Array(e * nOut);
    const y = new Float64Array(e * nOut);
    for (let r = 0; r < e; r++) {
      a.set(this.net.run(this.rows[r].input) as ArrayLike<number>, r * nOut);
      y.set(this.rows[r].output, r * nOut);
    }
    return halfSquaredError(a, y, e, nOut);
  }

  trainGuard(steps: number): void {
    const data = Array.from(guardRows(this.spec, steps, 1), (i) => this.rows[i]);
    this.net.train(data, this.options);
  }

  /** `train()` over all rows for as many iterations as the chunk holds, or one pass over a window of rows. */
  run(units: number): number {
    if (this.plan?.units !== units) {
      const n = this.rows.length;
      this.plan =
        units >= n
          ? { units, iterations: Math.max(1, Math.round(units / n)), windows: [this.rows] }
          : { units, iterations: 1, windows: Array.from({ length: Math.floor(n / units) }, (_, i) => this.rows.slice(i * units, (i + 1) * units)) };
      this.cursor = 0;
    }
    const w = this.plan.windows[this.cursor];
    this.cursor = (this.cursor + 1) % this.plan.windows.length;
    const status = this.net.train(w, { ...this.options, iterations: this.plan.iterations });
    return status.iterations * w.length;
  }

  dispose(): undefined {
    return undefined;
  }
}

/** brain.js (its installed `version`, for the report) from the workload's initial parameters. */
export function createBrainCase(spec: WorkloadSpec, data: WorkloadData, version: string): Case {
  const { layers } = spec;
  const nIn = layers[0];
  const nOut = layers[layers.length - 1];
  const rows: Row[] = Array.from({ length: spec.rows }, (_, r) => ({
    input: Array.from(data.x.subarray(r * nIn, (r + 1) * nIn)),
    output: Array.from(data.y.subarray(r * nOut, (r + 1) * nOut)),
  }));
  // brain.js's JSON: one object per layer, node → { bias, weights } (weights of node k: row k of our W).
  const jsonLayers: object[] = [Object.fromEntries(Array.from({ length: nIn }, (_, j) => [j, {}]))];
  let off = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const [n0, n1] = [layers[l], layers[l + 1]];
    const biasOff = off + n0 * n1;
    jsonLayers.push(
      Object.fromEntries(
        Array.from({ length: n1 }, (_, k) => [
          k,
          { bias: data.p0[biasOff + k], weights: Float32Array.from(data.p0.subarray(off + k * n0, off + (k + 1) * n0)) },
        ]),
      ),
    );
    off = biasOff + n1;
  }
  const json: INeuralNetworkJSON = {
    sizes: [...layers],
    layers: jsonLayers,
    outputLookup: false,
    inputLookup: false,
    activation: 'sigmoid',
    trainOpts: { learningRate: spec.learningRate, momentum: 1e-10, errorThresh: 1e-300, iterations: 1, log: false },
  };
  const net = new brain.NeuralNetwork({ hiddenLayers: layers.slice(1, -1), activation: 'sigmoid' });
  net.fromJSON(json);
  return new BrainCase(net, spec, rows, version);
}
