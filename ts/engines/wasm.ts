/**
 * The `wasm` engine: a network living in WebAssembly memory (crates/kernels), driven through the
 * C-ABI declared in ../wasm/exports.ts. This file only validates, copies and calls: the mathematics
 * is in Rust. The hot path crosses the boundary once per minibatch (`trainBatch`) or once per call
 * of `fitEpochs` (the data is copied in once by `prepare`).
 *
 * Views onto wasm memory are made again at every use, or cached with the buffer they view and made
 * again when it changes: memory growth detaches the old ones.
 *
 * Memory follows the minibatch in use: a network is created with room to stage one row and grows
 * to the largest minibatch it is given (`reserve`; growing changes no result), so it holds little
 * more than its parameters, gradients and optimizer state. Prediction and evaluation of more rows
 * than that go through the kernels in blocks (`bp_predict`, `bp_evaluate`) and do not grow it.
 */
import { LIMITS, type Engine, type OptimizerState, type PreparedData, type StepSettings, type Validation } from '../engine.js';
import { ArgumentError } from '../errors.js';
import { drainFromEnd } from '../growable.js';
import { copyInto, takeRows, type FloatArray, type Matrix } from '../matrix.js';
import { Layout, type Architecture } from '../parameters.js';
import type { Random } from '../random.js';
import type { Precision, WasmBackend } from '../types.js';
import { ACTIVATION_CODES, BLOCK_ROWS, LOSS_CODES, OPTIMIZER_CODES, STATUS, STATUS_TEXT, type BackpropExports } from '../wasm/exports.js';
import type { WasmInstance } from '../wasm/loader.js';

/** Rows a new network can stage per call before it grows: one, and no GEMM packing buffers. */
const INITIAL_CAPACITY = 1;

/** What a network holds in its instance: its handle, and the scratch buffers of `fitEpochs` (0: none). */
interface Held {
  inst: WasmInstance;
  handle: number;
  scratch: [number, number, number];
}

const leaks = new FinalizationRegistry<Held>(({ inst, handle, scratch }) => {
  // A backstop only: dispose() is the mechanism. Report the leak, then free it.
  console.warn(`wasm-backprop: a wasm network (handle ${handle}) was garbage-collected without dispose(); freeing it now`);
  if (inst.broken) return;
  inst.exports.bp_destroy(handle);
  for (const p of scratch) if (p !== 0) inst.exports.bp_free(p);
});

export class WasmEngine implements Engine {
  readonly name = 'wasm' as const;
  readonly layout: Layout;
  /** 0 before creation succeeds and after dispose. */
  private handle = 0;
  /** Rows the network can stage per call (`bp_capacity`): the largest minibatch given so far. */
  private capacity: number;
  /** The kernels' exports (crates/kernels/src/abi). */
  private readonly abi: BackpropExports;
  private readonly bits: 32 | 64;
  private created = false;
  private held: Held | null = null;
  /** Bytes of the scratch buffers (`held.scratch`). */
  private readonly scratchBytes: [number, number, number] = [0, 0, 0];
  /** Counts the calls that change the training state (ts/threads/ copies it to its replicas when this moved). */
  private changes = 0;

  constructor(
    private readonly inst: WasmInstance,
    readonly arch: Architecture,
    readonly precision: Precision,
  ) {
    this.layout = new Layout(arch);
    this.abi = inst.exports;
    this.bits = precision === 'f32' ? 32 : 64;
    const n = arch.sizes.length;
    this.handle = this.withBuffers([4 * n, 4 * n], ([sizes, acts]) => {
      new Uint32Array(this.abi.memory.buffer, sizes, n).set(arch.sizes);
      new Uint32Array(this.abi.memory.buffer, acts, n).set(arch.activations.map((a) => ACTIVATION_CODES[a]));
      const h = this.abi.bp_create(this.bits, n, sizes, acts, arch.inputActivated ? 1 : 0, LOSS_CODES[arch.loss], INITIAL_CAPACITY);
      this.check(h, 'creating the network');
      const count = this.abi.bp_param_count(h);
      if (count !== this.layout.length) {
        this.abi.bp_destroy(h);
        throw new Error(`wasm-backprop: the kernels lay out ${count} parameters, this library ${this.layout.length}: rebuild them (npm run build:wasm)`);
      }
      return h;
    });
    this.created = true;
    this.capacity = this.call(() => this.abi.bp_capacity(this.handle));
    this.held = { inst, handle: this.handle, scratch: [0, 0, 0] };
    leaks.register(this, this.held, this);
  }

  get backend(): WasmBackend {
    return this.inst.backend;
  }

  /**
   * For ts/threads/, which drives the kernels itself: the instance, the handle (room made for
   * `rows` staged rows) and the count of changes to the training state so far.
   */
  raw(rows = 1): { inst: WasmInstance; handle: number; changes: number } {
    this.reserve(rows);
    return { inst: this.inst, handle: this.call(() => this.handle), changes: this.changes };
  }

  /** Why the engine may not be used now (training threads in the middle of a minibatch), or null. */
  busy: string | null = null;

  /** Runs a call into wasm; a trap marks the instance unusable and becomes a clear error. */
  private call<T>(f: () => T): T {
    if (this.busy) throw new Error(this.busy);
    if (this.inst.broken) {
      throw new Error(
        `wasm-backprop: this network's WebAssembly instance trapped earlier (${this.inst.broken.message}) and can no longer be used; create a new network`,
      );
    }
    if (this.handle === 0 && this.created) throw new Error('wasm-backprop: this network has been disposed');
    try {
      return f();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        this.inst.broken ??= e;
        throw new Error(`wasm-backprop: the WebAssembly kernels trapped (${e.message}); this network and others on the same instance can no longer be used`, {
          cause: e,
        });
      }
      throw e;
    }
  }

  /** Marks the instance broken at once when `e` is a trap, before any clean-up calls into it. */
  private noteTrap(e: unknown): void {
    if (e instanceof WebAssembly.RuntimeError) this.inst.broken ??= e;
  }

  private check(status: number, doing: string): void {
    if (status >= 0) return;
    const text = STATUS_TEXT[status] ?? `status ${status}`;
    const E = status === STATUS.OUT_OF_MEMORY ? RangeError : status === STATUS.INVALID_HANDLE ? Error : ArgumentError;
    throw new E(`wasm-backprop: ${doing} failed: ${text}${status === STATUS.OUT_OF_MEMORY ? this.footprint() : ''}`);
  }

  /** What the network's own arrays take, against WebAssembly's 4 GiB: said where memory ran out. */
  private footprint(): string {
    const mib = Math.ceil((this.layout.length * this.bits) / 8 / 2 ** 20);
    const f64 = this.precision === 'f64' ? ", or precision 'f32'" : '';
    return ` (layers ${this.arch.sizes.join('-')}: ${this.layout.length} parameters, ${mib} MiB, ×2 with gradients, ×4 with Adam's moments, of at most 4 GiB: use fewer or narrower layers${f64})`;
  }

  /** A new wasm buffer of `bytes` bytes (wasm32 addresses are unsigned: `>>> 0`). */
  private alloc(bytes: number): number {
    const p = bytes < 2 ** 32 ? this.abi.bp_alloc(bytes) >>> 0 : 0;
    if (p === 0) throw new RangeError(`wasm-backprop: cannot allocate ${bytes} bytes of WebAssembly memory`);
    return p;
  }

  /**
   * A buffer of at least `bytes` kept for calls made once per epoch where epochs are read one by
   * one (no allocation per call); inside `call`. Freed by `dispose`.
   */
  private scratch(which: 0 | 1 | 2, bytes: number): number {
    const held = this.held!;
    if (bytes > this.scratchBytes[which]) {
      if (held.scratch[which] !== 0) this.abi.bp_free(held.scratch[which]);
      held.scratch[which] = 0;
      this.scratchBytes[which] = 0;
      const size = Math.max(bytes, 64);
      held.scratch[which] = this.alloc(size);
      this.scratchBytes[which] = size;
    }
    return held.scratch[which];
  }

  /**
   * Runs `f` with new wasm buffers of the given sizes, inside `call`, and frees them afterwards
   * whatever happens (unless the instance trapped: then nothing more is asked of it).
   */
  private withBuffers<R>(bytes: number[], f: (ptrs: number[]) => R): R {
    return this.call(() => {
      const ptrs: number[] = [];
      try {
        for (const b of bytes) ptrs.push(this.alloc(b));
        return f(ptrs);
      } catch (e) {
        this.noteTrap(e);
        throw e;
      } finally {
        if (!this.inst.broken) for (const p of ptrs) this.abi.bp_free(p);
      }
    });
  }

  private memoryViews: { buffer: ArrayBuffer; words: Uint32Array; doubles: Float64Array } | null = null;

  /** The whole memory as u32 and as f64 (made again after the memory grows). */
  private views(): { words: Uint32Array; doubles: Float64Array } {
    const buffer = this.abi.memory.buffer;
    if (this.memoryViews?.buffer !== buffer) this.memoryViews = { buffer, words: new Uint32Array(buffer), doubles: new Float64Array(buffer) };
    return this.memoryViews;
  }

  /** A view of `len` elements of the engine's precision at `ptr` (re-created at every use). */
  private view(ptr: number, len: number): FloatArray {
    const at = ptr >>> 0;
    return this.bits === 32 ? new Float32Array(this.abi.memory.buffer, at, len) : new Float64Array(this.abi.memory.buffer, at, len);
  }

  private results(): Float64Array {
    return new Float64Array(this.abi.memory.buffer, this.abi.bp_results(this.handle) >>> 0, 4);
  }

  /** Grows the staging buffers to `rows` rows where they are smaller (never shrinks them). */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    if (rows > LIMITS.maxBatch) throw new ArgumentError(`a minibatch can have at most ${LIMITS.maxBatch} rows, got ${rows}`);
    this.check(
      this.call(() => this.abi.bp_reserve(this.handle, rows)),
      `making room for ${rows} rows`,
    );
    this.capacity = rows;
  }

  /** Copies x (and y) into the staging buffers. */
  private stage(x: Matrix, y?: Matrix): void {
    this.reserve(x.rows);
    this.call(() => {
      this.view(this.abi.bp_input(this.handle), x.data.length).set(x.data);
      if (y) this.view(this.abi.bp_target(this.handle), y.data.length).set(y.data);
    });
  }

  readParameters(into?: Float64Array): Float64Array {
    return this.call(() => copyInto(this.view(this.abi.bp_params(this.handle), this.layout.length), into));
  }

  parametersFinite(): boolean {
    const s = this.call(() => this.abi.bp_params_finite(this.handle));
    this.check(s, 'checking the parameters');
    return s === 1;
  }

  writeParameters(flat: Float64Array): void {
    this.changes++;
    this.call(() => this.view(this.abi.bp_params(this.handle), this.layout.length).set(flat));
  }

  configure(step: StepSettings): void {
    this.changes++;
    const o = step.optimizer;
    const [h1, h2, h3] = o.type === 'momentum' ? [o.momentum, 0, 0] : o.type === 'adam' ? [o.beta1, o.beta2, o.epsilon] : [0, 0, 0];
    const s = this.call(() => this.abi.bp_set_optimizer(this.handle, OPTIMIZER_CODES[o.type], step.learningRate, step.biasLearningRate, h1, h2, h3));
    this.check(s, 'setting the optimizer');
  }

  resetOptimizer(): void {
    this.changes++;
    this.check(
      this.call(() => this.abi.bp_reset_optimizer(this.handle)),
      'resetting the optimizer',
    );
  }

  /** A view of moment buffer `which`, or null where the optimizer in force keeps none. */
  private moments(which: 0 | 1): FloatArray | null {
    const p = this.abi.bp_moments(this.handle, which) >>> 0;
    return p === 0 ? null : this.view(p, this.layout.length);
  }

  readOptimizerState(into?: OptimizerState): OptimizerState {
    return this.call(() => {
      const step = this.abi.bp_steps(this.handle);
      if (step < 0) this.check(STATUS.INVALID_HANDLE, 'reading the optimizer state');
      const [m, v] = [this.moments(0), this.moments(1)];
      return { step, m: m && copyInto(m, into?.m), v: v && copyInto(v, into?.v) };
    });
  }

  writeOptimizerState(state: OptimizerState): void {
    this.changes++;
    this.call(() => {
      for (const [which, values] of [
        [0, state.m],
        [1, state.v],
      ] as const) {
        const view = this.moments(which);
        if (!values) continue;
        if (!view) throw new ArgumentError(`the optimizer in force keeps no moment ${which === 0 ? 'm' : 'v'}: configure it first`);
        view.set(values);
      }
      this.check(this.abi.bp_set_steps(this.handle, state.step), 'setting the step count');
    });
  }

  trainBatch(x: Matrix, y: Matrix): number {
    this.changes++;
    this.stage(x, y);
    this.check(
      this.call(() => this.abi.bp_train(this.handle, x.rows)),
      'training a minibatch',
    );
    return this.results()[0];
  }

  gradients(x: Matrix, y: Matrix): { loss: number; grads: Float64Array } {
    this.stage(x, y);
    this.check(
      this.call(() => this.abi.bp_gradients(this.handle, x.rows)),
      'computing gradients',
    );
    const grads = Float64Array.from(this.view(this.abi.bp_grads(this.handle), this.layout.length));
    return { loss: this.results()[0], grads };
  }

  private bytes(m: Matrix): number {
    return m.data.length * (this.bits / 8);
  }

  prepare(x: Matrix, y: Matrix, release = false): PreparedData {
    return this.call(() => {
      const xp = this.alloc(this.bytes(x));
      let yp = 0;
      try {
        yp = this.alloc(this.bytes(y));
        // In parts of about 1 MiB, the last first, so a releasable source shrinks as it goes.
        const copy = (m: Matrix, ptr: number) => {
          const length = m.data.length; // read first: m.data empties as it is released
          drainFromEnd(m.data, Math.max(m.cols, (1 << 18) - ((1 << 18) % m.cols)), (at, part) => this.view(ptr, length).set(part, at), release);
        };
        copy(x, xp);
        copy(y, yp);
      } catch (e) {
        this.noteTrap(e);
        if (!this.inst.broken) [xp, yp].filter((p) => p !== 0).forEach((p) => this.abi.bp_free(p));
        throw e;
      }
      return new WasmData(this.inst, this.bits, xp, yp, x.rows, x.cols, y.cols);
    });
  }

  /** The data prepared by this engine, or an error (`doing` names the call in the user's terms). */
  own(data: PreparedData | null, doing: string): WasmData {
    if (!(data instanceof WasmData) || data.inst !== this.inst || data.bits !== this.bits || data.disposed) {
      throw new ArgumentError(`${doing} needs data prepared by this network and not yet disposed`);
    }
    return data;
  }

  /**
   * The orders are drawn inside the module from the generator's state (crates/kernels/src/random.rs),
   * which comes back; with validation, `bp_fit_validated` evaluates after each epoch in the same call.
   */
  fitEpochs(data: PreparedData, rng: Random | null, batch: number, losses: Float64Array, validation?: Validation | null): void {
    this.changes++;
    const d = this.own(data, 'fit');
    const v = validation ? this.own(validation.data, "fit's validation") : null;
    this.reserve(Math.min(batch, d.rows)); // no minibatch has more rows than the data
    const epochs = losses.length;
    // Called once per epoch where the epochs are read one by one: no array is made per call, and
    // the generator's state, the losses and the scores go through the scratch buffers.
    this.call(() => {
      const [sp, lp] = [this.scratch(0, 16), this.scratch(1, epochs * 8)];
      const vp = v ? this.scratch(2, epochs * 16) : 0;
      if (rng) rng.saveState(this.views().words, sp >>> 2);
      const status = v
        ? this.abi.bp_fit_validated(this.handle, d.x, d.y, d.rows, rng ? sp : 0, epochs, batch, lp, v.x, v.y, v.rows, vp)
        : this.abi.bp_fit_drawn(this.handle, d.x, d.y, d.rows, rng ? sp : 0, epochs, batch, lp);
      this.check(status, 'training epochs');
      const { words, doubles } = this.views(); // after the call, which may have grown the memory
      if (rng) rng.loadState(words, sp >>> 2);
      if (epochs === 1) losses[0] = doubles[lp >>> 3];
      else losses.set(doubles.subarray(lp >>> 3, (lp >>> 3) + epochs));
      validation?.scores.set(doubles.subarray(vp >>> 3, (vp >>> 3) + 2 * epochs));
    });
  }

  fitSpan(data: PreparedData, order: Uint32Array, batch: number, total: number): number {
    this.changes++;
    const d = this.own(data, 'fit');
    this.reserve(Math.min(batch, order.length));
    return this.withBuffers([order.length * 4], ([op]) => {
      new Uint32Array(this.abi.memory.buffer, op, order.length).set(order);
      this.check(this.abi.bp_fit_span(this.handle, d.x, d.y, d.rows, op, order.length, batch, total), 'training');
      return this.results()[0];
    });
  }

  /**
   * Rows that fit the staging buffers go through them; more go to `bp_predict`, which works in
   * blocks of `BLOCK_ROWS` rows without growing the network. Both give the same bits: a single
   * forward pass over at most `BLOCK_ROWS` rows is what one block is.
   */
  predict(x: Matrix): FloatArray {
    const nL = this.arch.sizes[this.layout.depth];
    if (x.rows <= Math.min(this.capacity, BLOCK_ROWS)) {
      this.stage(x);
      this.check(
        this.call(() => this.abi.bp_forward(this.handle, x.rows)),
        'predicting',
      );
      return this.call(() => this.view(this.abi.bp_output(this.handle), x.rows * nL).slice());
    }
    return this.withBuffers([this.bytes(x), x.rows * nL * (this.bits / 8)], ([xp, op]) => {
      this.view(xp, x.data.length).set(x.data);
      this.check(this.abi.bp_predict(this.handle, xp, x.rows, op), 'predicting');
      return this.view(op, x.rows * nL).slice();
    });
  }

  predictPrepared(data: PreparedData): FloatArray {
    const d = this.own(data, 'predict');
    const nL = this.arch.sizes[this.layout.depth];
    return this.withBuffers([d.rows * nL * (this.bits / 8)], ([op]) => {
      this.check(this.abi.bp_predict(this.handle, d.x, d.rows, op), 'predicting');
      return this.view(op, d.rows * nL).slice();
    });
  }

  evaluatePrepared(data: PreparedData): { loss: number; correct: number } {
    const d = this.own(data, 'evaluate');
    return this.call(() => {
      this.check(this.abi.bp_evaluate(this.handle, d.x, d.y, d.rows), 'evaluating');
      const r = this.results();
      return { loss: r[0], correct: r[1] };
    });
  }

  evaluate(x: Matrix, y: Matrix): { loss: number; correct: number } {
    return this.withBuffers([this.bytes(x), this.bytes(y)], ([xp, yp]) => {
      this.view(xp, x.data.length).set(x.data);
      this.view(yp, y.data.length).set(y.data);
      this.check(this.abi.bp_evaluate(this.handle, xp, yp, x.rows), 'evaluating');
      const r = this.results();
      return { loss: r[0], correct: r[1] };
    });
  }

  dispose(): void {
    if (this.handle === 0) return;
    const h = this.handle;
    leaks.unregister(this);
    if (!this.inst.broken) {
      this.abi.bp_destroy(h);
      for (const p of this.held!.scratch) if (p !== 0) this.abi.bp_free(p);
    }
    this.held = null;
    this.handle = 0;
  }

  /**
   * The minibatch's z, a and δ of every layer (`bp_values`, copied), with its mean gradient and
   * loss, after `bp_gradients`: what the kernels computed, before any update (`Engine.values`).
   */
  values(x: Matrix, y: Matrix): ReturnType<NonNullable<Engine['values']>> {
    const { loss, grads } = this.gradients(x, y);
    return this.call(() => {
      // Kinds z, a, delta: VALUE_CODES in ../wasm/exports.ts (pinned by test/abi.test.ts).
      const read = (kind: 0 | 1 | 2) =>
        this.arch.sizes.map((n, l) => {
          const at = this.abi.bp_values(this.handle, kind, l) >>> 0;
          return at === 0 ? null : this.view(at, x.rows * n).slice();
        });
      const a = read(1);
      if (a.some((v) => v === null)) throw new Error('wasm-backprop: the kernels hold no activations for this minibatch');
      return { loss, grads, z: read(0), a: a as FloatArray[], delta: read(2) };
    });
  }
}

/** Training data copied into wasm memory once; must be disposed. */
export class WasmData implements PreparedData {
  disposed = false;
  constructor(
    readonly inst: WasmInstance,
    /** The precision the data was written in (32 or 64 bits). */
    readonly bits: 32 | 64,
    readonly x: number,
    readonly y: number,
    readonly rows: number,
    readonly xCols: number,
    readonly yCols: number,
  ) {}
  /** x or y where they lie in wasm memory (a view: valid until the memory grows). */
  private view(which: 'x' | 'y'): Matrix {
    if (this.disposed || this.inst.broken) throw new Error('this prepared data has been disposed');
    const [ptr, cols] = which === 'x' ? [this.x, this.xCols] : [this.y, this.yCols];
    const Type = this.bits === 32 ? Float32Array : Float64Array;
    return { data: new Type(this.inst.exports.memory.buffer, ptr >>> 0, this.rows * cols), rows: this.rows, cols };
  }
  gather(order: ArrayLike<number>, from: number, to: number): { x: Matrix; y: Matrix } {
    return { x: takeRows(this.view('x'), order, from, to), y: takeRows(this.view('y'), order, from, to) };
  }
  read(which: 'x' | 'y', into?: FloatArray): Matrix {
    const m = this.view(which);
    if (!into) return { ...m, data: m.data.slice() };
    into.set(m.data);
    return { ...m, data: into.subarray(0, m.data.length) };
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.inst.broken) {
      this.inst.exports.bp_free(this.x);
      this.inst.exports.bp_free(this.y);
    }
  }
}
