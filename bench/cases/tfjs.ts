/**
 * TensorFlow.js 4.x (`@tensorflow/tfjs`, whose layers register the gradients `tfjs-core` alone lacks)
 * on its cpu backend or its WebAssembly backend (`@tensorflow/tfjs-backend-wasm`, SIMD binary; its
 * threaded binary needs SharedArrayBuffer workers that Node does not give it).
 *
 * Training step, per minibatch, as a TensorFlow.js user writes one: tensors from the rows, then
 * `optimizer.minimize` of the mean over rows of ½Σ(a−y)² (the loss our engines and the paper use,
 * so the gradients are the same), with `tf.train.sgd` at the common learning rate. The initial
 * parameters are ours, set with `layer.setWeights` (a Dense kernel is n_in × n_out: our W transposed).
 * Every step runs in `tf.tidy`, and the tensor count is checked at teardown.
 */
import * as tf from '@tensorflow/tfjs';
import type { Case } from '../protocol.js';
import { activationsOf, gather, guardRows, halfSquaredError, type WorkloadData, type WorkloadSpec } from '../workload-spec.js';

let ready: Promise<Record<string, string>> | null = null;

/**
 * Selects and initialises the backend once per process (or page). `wasmPaths`: the folder of the
 * wasm backend's .wasm binaries, ending in '/' (a file path under Node, a URL in a browser).
 */
function initBackend(backend: 'cpu' | 'wasm', wasmPaths: string): Promise<Record<string, string>> {
  ready ??= (async () => {
    if (backend === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(wasmPaths);
    }
    if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
    await tf.ready();
    const info: Record<string, string> = { version: tf.version.tfjs, backend: tf.getBackend() };
    if (backend === 'wasm') {
      info.simd = String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      info.threads = String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    }
    return info;
  })();
  return ready;
}

class TfjsCase implements Case {
  readonly reference = 'batch' as const;
  readonly unit: number;
  readonly batch: number;
  private readonly optimizer: tf.SGDOptimizer;
  private readonly nIn: number;
  private readonly nOut: number;
  private cursor = 0;
  private tensorsAfterGuard = -1;

  constructor(
    private readonly model: tf.Sequential,
    private readonly spec: WorkloadSpec,
    private readonly x: Float32Array,
    private readonly y: Float32Array,
    readonly info: Record<string, string>,
  ) {
    this.optimizer = tf.train.sgd(spec.learningRate);
    this.nIn = spec.layers[0];
    this.nOut = spec.layers[spec.layers.length - 1];
    this.unit = this.batch = spec.batch;
  }

  /** One update from rows [start, start + rows) of x, y. */
  private step(x: Float32Array, y: Float32Array, start: number, rows: number): void {
    const { nIn, nOut } = this;
    tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start * nIn, (start + rows) * nIn), [rows, nIn]);
      const yb = tf.tensor2d(y.subarray(start * nOut, (start + rows) * nOut), [rows, nOut]);
      this.optimizer.minimize(() => tf.sum(tf.squaredDifference(this.model.apply(xb) as tf.Tensor, yb)).div(2 * rows) as tf.Scalar, false);
    });
  }

  evalLoss(): number {
    const e = this.spec.evalRows;
    const out = tf.tidy(() => (this.model.predict(tf.tensor2d(this.x.subarray(0, e * this.nIn), [e, this.nIn])) as tf.Tensor).dataSync());
    return halfSquaredError(out, this.y, e, this.nOut);
  }

  trainGuard(steps: number): void {
    const idx = guardRows(this.spec, steps, this.batch);
    const gx = gather(this.x, this.nIn, idx, Float32Array);
    const gy = gather(this.y, this.nOut, idx, Float32Array);
    for (let s = 0; s < steps; s++) this.step(gx, gy, s * this.batch, this.batch);
    this.tensorsAfterGuard = tf.memory().numTensors;
  }

  run(units: number): number {
    const per = Math.floor(this.spec.rows / this.batch);
    for (let u = 0; u < units; u++) {
      this.step(this.x, this.y, this.cursor * this.batch, this.batch);
      this.cursor = (this.cursor + 1) % per;
    }
    // Every backend here computes synchronously; reading one weight makes sure nothing is pending.
    this.model.layers[0].getWeights()[1].dataSync();
    return units * this.batch;
  }

  dispose(): string | undefined {
    const grown = this.tensorsAfterGuard < 0 ? 0 : tf.memory().numTensors - this.tensorsAfterGuard;
    this.optimizer.dispose();
    this.model.dispose();
    return grown > 0 ? `${grown} tensors more after training than before` : undefined;
  }
}

/** TensorFlow.js on `backend`, from the workload's initial parameters; `wasmPaths` as in `initBackend`. */
export async function createTfjsCase(backend: 'cpu' | 'wasm', spec: WorkloadSpec, data: WorkloadData, wasmPaths: string): Promise<Case> {
  const info = await initBackend(backend, wasmPaths);
  const acts = activationsOf(spec);
  const model = tf.sequential();
  const { layers } = spec;
  let off = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const [nIn, nOut] = [layers[l], layers[l + 1]];
    const dense = tf.layers.dense({ units: nOut, activation: acts[l], kernelInitializer: 'zeros', ...(l === 0 ? { inputShape: [nIn] } : {}) });
    model.add(dense);
    // Our W_l is n_out × n_in row-major; the Dense kernel is n_in × n_out.
    const kernel = new Float32Array(nIn * nOut);
    for (let k = 0; k < nOut; k++) for (let j = 0; j < nIn; j++) kernel[j * nOut + k] = data.p0[off + k * nIn + j];
    off += nIn * nOut;
    const bias = Float32Array.from(data.p0.subarray(off, off + nOut));
    off += nOut;
    const [kt, bt] = [tf.tensor2d(kernel, [nIn, nOut]), tf.tensor1d(bias)];
    dense.setWeights([kt, bt]);
    kt.dispose();
    bt.dispose();
  }
  return new TfjsCase(model, spec, Float32Array.from(data.x), Float32Array.from(data.y), info);
}
