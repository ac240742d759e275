/**
 * The `wasm` engine: a network living in WebAssembly memory (crates/kernels), driven through the
 * C-ABI declared in ../wasm/exports.ts. This file only validates, copies and calls: the mathematics
 * is in Rust. The hot path crosses the boundary once per minibatch (`trainBatch`) or once per call
 * of `fitEpochs` (the data is copied in once by `prepare`).
 *
 * Views onto wasm memory are re-created at every use: memory growth detaches the old ones.
 */
import { Layout, type Architecture, type Engine, type PreparedData, type StepSettings } from '../engine.js';
import { ArgumentError } from '../errors.js';
import type { FloatArray, Matrix } from '../matrix.js';
import type { Precision } from '../types.js';
import { ACTIVATION_CODES, LIMITS, LOSS_CODES, OPTIMIZER_CODES, STATUS, STATUS_TEXT, type BackpropExports } from '../wasm/exports.js';
import type { WasmInstance } from '../wasm/loader.js';

/** Rows a new network can stage per call before it grows. */
const INITIAL_CAPACITY = 256;

const leaks = new FinalizationRegistry<{ inst: WasmInstance; handle: number }>(({ inst, handle }) => {
  // A backstop only: dispose() is the mechanism. Report the leak, then free it.
  console.warn(`wasm-backprop: a wasm network (handle ${handle}) was garbage-collected without dispose(); freeing it now`);
  if (!inst.broken) inst.exports.bp_destroy(handle);
});

export class WasmEngine implements Engine {
  readonly name = 'wasm' as const;
  readonly layout: Layout;
  private handle: number;
  private capacity: number;
  private readonly x: BackpropExports;
  private readonly bits: 32 | 64;

  constructor(
    private readonly inst: WasmInstance,
    readonly arch: Architecture,
    readonly precision: Precision,
  ) {
    this.layout = new Layout(arch);
    this.x = inst.exports;
    this.bits = precision === 'f32' ? 32 : 64;
    const n = arch.sizes.length;
    const sizes = this.alloc(4 * n);
    const acts = this.alloc(4 * n);
    try {
      new Uint32Array(this.x.memory.buffer, sizes, n).set(arch.sizes);
      new Uint32Array(this.x.memory.buffer, acts, n).set(arch.activations.map((a) => ACTIVATION_CODES[a]));
      const h = this.call(() =>
        this.x.bp_create(this.bits, n, sizes, acts, arch.inputActivated ? 1 : 0, LOSS_CODES[arch.loss], INITIAL_CAPACITY),
      );
      this.check(h, 'creating the network');
      this.handle = h;
    } finally {
      this.x.bp_free(sizes);
      this.x.bp_free(acts);
    }
    this.capacity = INITIAL_CAPACITY;
    leaks.register(this, { inst, handle: this.handle }, this);
  }

  get backend(): 'simd128' | 'scalar' {
    return this.inst.backend;
  }

  /** Runs a call into wasm; a trap marks the instance unusable and becomes a clear error. */
  private call<T>(f: () => T): T {
    if (this.inst.broken) {
      throw new Error(`wasm-backprop: this network's WebAssembly instance trapped earlier (${this.inst.broken.message}) and can no longer be used; create a new network`);
    }
    if (this.handle === 0) throw new Error('wasm-backprop: this network has been disposed');
    try {
      return f();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        this.inst.broken = e;
        throw new Error(`wasm-backprop: the WebAssembly kernels trapped (${e.message}); this network and others on the same instance can no longer be used`, { cause: e });
      }
      throw e;
    }
  }

  private check(status: number, doing: string): void {
    if (status >= 0) return;
    const text = STATUS_TEXT[status] ?? `status ${status}`;
    const E = status === STATUS.OUT_OF_MEMORY ? RangeError : status === STATUS.INVALID_HANDLE ? Error : ArgumentError;
    throw new E(`wasm-backprop: ${doing} failed: ${text}`);
  }

  private alloc(bytes: number): number {
    const p = this.x.bp_alloc(bytes);
    if (p === 0) throw new RangeError(`wasm-backprop: cannot allocate ${bytes} bytes of WebAssembly memory`);
    return p;
  }

  /** A view of `len` elements of the engine's precision at `ptr` (re-created at every use). */
  private view(ptr: number, len: number): FloatArray {
    return this.bits === 32 ? new Float32Array(this.x.memory.buffer, ptr, len) : new Float64Array(this.x.memory.buffer, ptr, len);
  }

  private results(): Float64Array {
    return new Float64Array(this.x.memory.buffer, this.x.bp_results(this.handle), 4);
  }

  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    if (rows > LIMITS.maxBatch) throw new ArgumentError(`a minibatch can have at most ${LIMITS.maxBatch} rows, got ${rows}`);
    this.check(this.call(() => this.x.bp_reserve(this.handle, rows)), `making room for ${rows} rows`);
    this.capacity = rows;
  }

  /** Copies x (and y) into the staging buffers. */
  private stage(x: Matrix, y?: Matrix): void {
    this.reserve(x.rows);
    this.call(() => {
      this.view(this.x.bp_input(this.handle), x.data.length).set(x.data);
      if (y) this.view(this.x.bp_target(this.handle), y.data.length).set(y.data);
    });
  }

  readParameters(): Float64Array {
    return this.call(() => Float64Array.from(this.view(this.x.bp_params(this.handle), this.layout.length)));
  }

  writeParameters(flat: Float64Array): void {
    this.call(() => this.view(this.x.bp_params(this.handle), this.layout.length).set(flat));
  }

  configure(step: StepSettings): void {
    const o = step.optimizer;
    const [h1, h2, h3] = o.type === 'momentum' ? [o.momentum, 0, 0] : o.type === 'adam' ? [o.beta1, o.beta2, o.epsilon] : [0, 0, 0];
    const s = this.call(() => this.x.bp_set_optimizer(this.handle, OPTIMIZER_CODES[o.type], step.learningRate, step.biasLearningRate, h1, h2, h3));
    this.check(s, 'setting the optimiser');
  }

  resetOptimizer(): void {
    this.check(this.call(() => this.x.bp_reset_optimizer(this.handle)), 'resetting the optimiser');
  }

  trainBatch(x: Matrix, y: Matrix): number {
    this.stage(x, y);
    this.check(this.call(() => this.x.bp_train(this.handle, x.rows)), 'training a minibatch');
    return this.results()[0];
  }

  gradients(x: Matrix, y: Matrix): { loss: number; grads: Float64Array } {
    this.stage(x, y);
    this.check(this.call(() => this.x.bp_gradients(this.handle, x.rows)), 'computing gradients');
    const grads = Float64Array.from(this.view(this.x.bp_grads(this.handle), this.layout.length));
    return { loss: this.results()[0], grads };
  }

  /** Copies a matrix into a new wasm buffer; returns its address. */
  private upload(m: Matrix): number {
    const p = this.alloc(m.data.length * (this.bits / 8));
    this.view(p, m.data.length).set(m.data);
    return p;
  }

  prepare(x: Matrix, y: Matrix): PreparedData {
    return this.call(() => {
      const xp = this.upload(x);
      let yp: number;
      try {
        yp = this.upload(y);
      } catch (e) {
        this.x.bp_free(xp);
        throw e;
      }
      return new WasmData(this.inst, xp, yp, x.rows);
    });
  }

  fitEpochs(data: PreparedData, perm: Uint32Array, epochs: number, batch: number): Float64Array {
    if (!(data instanceof WasmData) || data.inst !== this.inst || data.disposed) {
      throw new ArgumentError('fitEpochs needs data prepared by this engine and not yet disposed');
    }
    this.reserve(batch);
    return this.call(() => {
      const pp = this.alloc(perm.length * 4);
      const lp = this.alloc(epochs * 8);
      try {
        new Uint32Array(this.x.memory.buffer, pp, perm.length).set(perm);
        const s = this.x.bp_fit(this.handle, data.x, data.y, data.rows, pp, epochs, batch, lp);
        this.check(s, 'training epochs');
        return Float64Array.from(new Float64Array(this.x.memory.buffer, lp, epochs));
      } finally {
        this.x.bp_free(pp);
        this.x.bp_free(lp);
      }
    });
  }

  predict(x: Matrix): FloatArray {
    const nL = this.arch.sizes[this.layout.depth];
    if (x.rows <= this.capacity) {
      this.stage(x);
      this.check(this.call(() => this.x.bp_forward(this.handle, x.rows)), 'predicting');
      return this.call(() => this.view(this.x.bp_output(this.handle), x.rows * nL).slice());
    }
    return this.call(() => {
      const xp = this.upload(x);
      const op = this.alloc(x.rows * nL * (this.bits / 8));
      try {
        this.check(this.x.bp_predict(this.handle, xp, x.rows, op), 'predicting');
        return this.view(op, x.rows * nL).slice();
      } finally {
        this.x.bp_free(xp);
        this.x.bp_free(op);
      }
    });
  }

  evaluate(x: Matrix, y: Matrix): { loss: number; correct: number } {
    return this.call(() => {
      const xp = this.upload(x);
      const yp = this.upload(y);
      try {
        this.check(this.x.bp_evaluate(this.handle, xp, yp, x.rows), 'evaluating');
        const r = this.results();
        return { loss: r[0], correct: r[1] };
      } finally {
        this.x.bp_free(xp);
        this.x.bp_free(yp);
      }
    });
  }

  dispose(): void {
    if (this.handle === 0) return;
    const h = this.handle;
    leaks.unregister(this);
    if (!this.inst.broken) this.x.bp_destroy(h);
    this.handle = 0;
  }
}

/** Training data copied into wasm memory once; must be disposed. */
class WasmData implements PreparedData {
  disposed = false;
  constructor(
    readonly inst: WasmInstance,
    readonly x: number,
    readonly y: number,
    readonly rows: number,
  ) {}
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.inst.broken) {
      this.inst.exports.bp_free(this.x);
      this.inst.exports.bp_free(this.y);
    }
  }
}
