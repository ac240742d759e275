/**
 * One thread's part of training a minibatch together (docs/ARCHITECTURE.md, "Threads"): every
 * thread holds a replica of the network (the caller's thread its own engine, each worker one of its
 * own) and the whole minibatch staged. Each computes the forward pass and δ of its own rows, the
 * threads exchange those rows, each computes the gradients of its own share of every layer's
 * neurons over all the rows, they exchange those, and every replica applies the same update. No
 * sum is split (crates/kernels/src/mlp/parts.rs), so the parameters are those of one thread.
 *
 * The exchange is a SharedArrayBuffer laid out by `exchangeLayout`: for each value every thread
 * needs from the others (a_l and δ_l of the layers the gradients read, z_L and a_L for the loss),
 * `capacity` rows; then the gradients, in the flat layout.
 *
 * Where the first layer holds most of the weights (`cutOf`), the threads cut each minibatch by that
 * layer's neurons instead: each computes its columns of Z_1 and A_1 for all the rows from its own rows of
 * W_0, the threads exchange those columns, and each computes the rest of the step whole (the later
 * layers are small) but updates only its own rows of W_0, which are never exchanged but gathered at
 * the end of a span.
 */
import type { PreparedData } from '../engine.js';
import type { WasmEngine } from '../engines/wasm.js';
import type { Layout } from '../parameters.js';
import { STATUS_TEXT, VALUE_CODES, type BackpropExports } from '../wasm/exports.js';
import { CONTROL_BYTES } from './barrier.js';

/** The share `part` of `parts` of `n` items (as `share` in crates/kernels/src/mlp/parts.rs). */
export function share(n: number, part: number, parts: number): [number, number] {
  return [Math.floor((n * part) / parts), Math.floor((n * (part + 1)) / parts)];
}

/**
 * The first layer's neurons of thread `part` of `parts` in the cut by neurons: `share`'s, with
 * every bound but the last a multiple of 4. A thread's rows of W_0 and entries of b_0 then start
 * where a vector of the one-thread update would (4 f32 lanes, 2 f64), so each value is updated by
 * the same instructions: the relaxed artefact's SGD fuses the multiply-add in whole vectors only.
 */
export function neurons(n: number, part: number, parts: number): [number, number] {
  const bound = (p: number) => (p === parts ? n : Math.floor((n * p) / parts / 4) * 4);
  return [bound(part), bound(part + 1)];
}

/** One exchanged per-row value: kind (`VALUE_CODES`), layer, its width and where its rows start (in elements). */
interface Region {
  kind: number;
  layer: number;
  width: number;
  at: number;
}

/**
 * How the threads cut each minibatch: by its rows (every layer's product, then every layer's
 * gradient by neurons), or by the first layer's neurons (where that layer holds most of the
 * weights: its rows of W_0 stay with one thread and are never exchanged).
 */
export type Cut = 'rows' | 'columns';

/**
 * The layers after the first hold at most this share of the weights for a cut by the first
 * layer's neurons: each thread computes those layers whole, which costs 6 × their weights × rows
 * FLOPs where a cut by rows exchanges and updates every parameter.
 */
export const COLUMNS_REST_SHARE = 1 / 16;

/** The cut for a network: by the first layer's neurons where it can be and pays, else by rows. */
export function cutOf(layout: Layout): Cut {
  const { sizes, inputActivated } = layout.arch;
  if (inputActivated || sizes.length < 3) return 'rows';
  let weights = 0;
  for (let l = 0; l + 1 < sizes.length; l++) weights += sizes[l] * sizes[l + 1];
  const rest = weights - sizes[0] * sizes[1];
  return rest <= weights * COLUMNS_REST_SHARE ? 'columns' : 'rows';
}

/** Where everything lies in the exchange buffer, after the control block (offsets in elements). */
export interface ExchangeLayout {
  cut: Cut;
  /** Cut by rows: the per-row values every thread needs from the others. */
  regions: Region[];
  /** Cut by rows: where the gradients start. */
  grads: number;
  /** Cut by columns: the two buffers of A_1's rows (minibatches alternate between them). */
  a1: [number, number];
  /** Cut by columns: where the parameters, then moments 0 and 1, of the first layer's rows gather (each in the flat layout). */
  gather: number;
  /** Bytes of the whole buffer (control block included). */
  bytes: number;
}

export function exchangeLayout(layout: Layout, capacity: number, bits: 32 | 64): ExchangeLayout {
  const { sizes, inputActivated } = layout.arch;
  const cut = cutOf(layout);
  const bytes = (elements: number) => CONTROL_BYTES + elements * (bits / 8);
  if (cut === 'columns') {
    const rows = capacity * sizes[1];
    return { cut, regions: [], grads: 0, a1: [0, rows], gather: 2 * rows, bytes: bytes(2 * rows + 3 * layout.length) };
  }
  const last = sizes.length - 1;
  const regions: Region[] = [];
  let at = 0;
  const add = (kind: number, layer: number) => {
    regions.push({ kind, layer, width: sizes[layer], at });
    at += capacity * sizes[layer];
  };
  for (let l = inputActivated ? 0 : 1; l <= last; l++) add(VALUE_CODES.a, l);
  for (let l = inputActivated ? 0 : 1; l <= last; l++) add(VALUE_CODES.delta, l);
  add(VALUE_CODES.z, last);
  return { cut, regions, grads: at, a1: [0, 0], gather: 0, bytes: bytes(at + layout.length) };
}

type Floats = Float32Array | Float64Array;

/** A network's rows of training data, in shared memory (each worker copies them into its own memory). */
export interface SharedData {
  x: Floats;
  y: Floats;
}

export class Replica {
  private readonly abi: BackpropExports;
  private readonly handle: number;
  private readonly F: typeof Float32Array | typeof Float64Array;
  private shared: Floats | null = null;
  private ex: ExchangeLayout | null = null;
  /**
   * The training data in this replica's own memory, where each minibatch is staged from inside the
   * module (the network's prepared data on the caller's thread; a copy of the shared rows in a
   * worker, made when they change): staged from shared memory by script, W3's 64 rows took about
   * 69 µs a minibatch on each thread.
   */
  local: PreparedData | null = null;
  /**
   * Cut by columns: whether every replica holds all of W_0 (after the training state arrived, or
   * a gathering), not only its own rows. The same on every thread: they take the same steps.
   */
  whole = true;
  /** Cut by columns: the buffer of A_1 the next minibatch exchanges through. */
  private parity = 0;
  /** A buffer in this replica's memory for one minibatch's row indices (`capacity` of them; 0: none). */
  private order = 0;

  constructor(
    readonly engine: WasmEngine,
    private readonly layout: Layout,
  ) {
    const { inst, handle } = engine.raw();
    this.abi = inst.exports;
    this.handle = handle;
    this.F = engine.precision === 'f32' ? Float32Array : Float64Array;
  }

  /** How the threads cut each minibatch (by rows before an exchange is attached). */
  get cut(): Cut {
    return this.ex?.cut ?? 'rows';
  }

  /** Uses `buffer` (laid out by `ex`) for the exchange, with room for minibatches of `capacity` rows. */
  attach(buffer: SharedArrayBuffer, ex: ExchangeLayout, capacity: number): void {
    this.engine.raw(capacity);
    this.release();
    const p = this.abi.bp_alloc(capacity * 4) >>> 0;
    if (p === 0) throw new RangeError(`wasm-backprop: cannot allocate the row indices of a minibatch of ${capacity} rows`);
    this.order = p;
    this.ex = ex;
    this.shared = new this.F(buffer as unknown as ArrayBuffer, CONTROL_BYTES, (buffer.byteLength - CONTROL_BYTES) / this.F.BYTES_PER_ELEMENT);
  }

  private view(ptr: number, length: number): Floats {
    return new this.F(this.abi.memory.buffer, ptr >>> 0, length);
  }

  private check(status: number, doing: string): void {
    if (status < 0) throw new Error(`wasm-backprop: ${doing} failed on a training thread: ${STATUS_TEXT[status] ?? `status ${status}`}`);
  }

  /** Stages the rows `order` of the data, gathered inside the module. */
  private stage(order: Uint32Array): void {
    const d = this.engine.own(this.local, 'fit');
    new Uint32Array(this.abi.memory.buffer, this.order, order.length).set(order);
    this.check(this.abi.bp_stage(this.handle, d.x, d.y, d.rows, this.order, order.length), 'staging rows');
  }

  /** Frees the buffer of a minibatch's row indices (the caller's thread: when its pool stops). */
  release(): void {
    if (this.order === 0) return;
    const p = this.order;
    this.order = 0;
    try {
      this.abi.bp_free(p);
    } catch {
      // An instance that trapped is not asked again; the network says so at its next call.
    }
  }

  /**
   * In a worker: the shared rows `data` copied into this replica's memory (its earlier copy
   * freed first, so two are never held).
   */
  receive(data: SharedData): void {
    this.local?.dispose();
    this.local = null;
    const [n0, nL] = [this.layout.arch.sizes[0], this.layout.arch.sizes[this.layout.depth]];
    const rows = data.x.length / n0;
    this.local = this.engine.prepare({ data: data.x, rows, cols: n0 }, { data: data.y, rows, cols: nL });
  }

  /** Copies rows `from … to` of every exchanged value into the exchange (`out`) or back from it. */
  private rows(from: number, to: number, out: boolean): void {
    if (from >= to) return;
    for (const g of this.ex!.regions) {
      const mine = this.view(this.abi.bp_values(this.handle, g.kind, g.layer), to * g.width).subarray(from * g.width);
      const there = this.shared!.subarray(g.at + from * g.width, g.at + to * g.width);
      if (out) there.set(mine);
      else mine.set(there);
    }
  }

  /** The flat ranges of the gradients of share `part` of `parts` (rows of each ∇W_l, entries of ∇b_l and ∇b_in). */
  private gradRanges(part: number, parts: number): [number, number][] {
    const { sizes, inputActivated } = this.layout.arch;
    const ranges: [number, number][] = [];
    for (let l = 0; l < this.layout.depth; l++) {
      const [k0, k1] = share(sizes[l + 1], part, parts);
      ranges.push([this.layout.weightOffsets[l] + k0 * sizes[l], this.layout.weightOffsets[l] + k1 * sizes[l]]);
      ranges.push([this.layout.biasOffsets[l] + k0, this.layout.biasOffsets[l] + k1]);
    }
    if (inputActivated) {
      const [j0, j1] = share(sizes[0], part, parts);
      ranges.push([this.layout.inputBiasOffset + j0, this.layout.inputBiasOffset + j1]);
    }
    return ranges;
  }

  /** Copies the gradients of share `part` into the exchange (`out`) or back from it. */
  private grads(part: number, parts: number, out: boolean): void {
    const mine = this.view(this.abi.bp_grads(this.handle), this.layout.length);
    const there = this.shared!.subarray(this.ex!.grads, this.ex!.grads + this.layout.length);
    for (const [a, b] of this.gradRanges(part, parts)) {
      if (out) there.set(mine.subarray(a, b), a);
      else mine.set(there.subarray(a, b), a);
    }
  }

  /**
   * Thread `part` of `parts` training the rows `order` in minibatches of `batch`: yields where the
   * threads must meet, returns `total` plus the per-sample losses (thread 0; the others return
   * `total`).
   */
  span(order: Uint32Array, batch: number, total: number, part: number, parts: number): Generator<void, number> {
    return this.ex!.cut === 'columns' ? this.columnsSpan(order, batch, total, part, parts) : this.rowsSpan(order, batch, total, part, parts);
  }

  private result(): number {
    return new Float64Array(this.abi.memory.buffer, this.abi.bp_results(this.handle) >>> 0, 1)[0];
  }

  /** Cut by rows: two meetings per minibatch (after the rows, after the gradients). */
  private *rowsSpan(order: Uint32Array, batch: number, total: number, part: number, parts: number): Generator<void, number> {
    for (let s = 0; s < order.length; s += batch) {
      const chunk = order.subarray(s, Math.min(s + batch, order.length));
      const rows = chunk.length;
      this.stage(chunk);
      if (rows === 1) {
        // One row is not shared: every thread takes the step (the loss of one row is its mean).
        this.check(this.abi.bp_train(this.handle, 1), 'training');
        total += this.result();
        continue;
      }
      const [from, to] = share(rows, part, parts);
      if (from < to) this.check(this.abi.bp_forward_part(this.handle, rows, from, to), 'the forward pass');
      this.rows(from, to, true);
      yield;
      this.rows(0, from, false);
      this.rows(to, rows, false);
      this.check(this.abi.bp_gradients_part(this.handle, rows, part, parts), 'computing gradients');
      this.grads(part, parts, true);
      yield;
      for (let q = 0; q < parts; q++) if (q !== part) this.grads(q, parts, false);
      this.check(this.abi.bp_apply_gradients(this.handle), 'the update');
      if (part === 0) {
        this.check(this.abi.bp_loss_sum(this.handle, rows), 'the loss');
        total += this.result();
      }
    }
    return total;
  }

  /**
   * Cut by the first layer's neurons: one meeting per minibatch (after the columns of A_1, which
   * alternate between two buffers, so a thread ahead writes the next minibatch's columns where no
   * thread still reads). A minibatch of one row is trained whole by every thread, after the rows
   * of W_0 are gathered everywhere; at the end of the span they are gathered into thread 0's
   * replica, the network's engine.
   */
  private *columnsSpan(order: Uint32Array, batch: number, total: number, part: number, parts: number): Generator<void, number> {
    const n1 = this.layout.arch.sizes[1];
    const [k0, k1] = neurons(n1, part, parts);
    for (let s = 0; s < order.length; s += batch) {
      const chunk = order.subarray(s, Math.min(s + batch, order.length));
      const rows = chunk.length;
      this.stage(chunk);
      if (rows === 1) {
        if (!this.whole) yield* this.gatherFirstLayer(part, parts, true);
        this.whole = true;
        this.check(this.abi.bp_train(this.handle, 1), 'training');
        total += this.result();
        continue;
      }
      if (k0 < k1) this.check(this.abi.bp_first_columns(this.handle, rows, k0, k1), 'the first layer');
      const a1 = this.view(this.abi.bp_values(this.handle, VALUE_CODES.a, 1), rows * n1);
      const there = this.shared!.subarray(this.ex!.a1[this.parity], this.ex!.a1[this.parity] + rows * n1);
      this.parity ^= 1;
      columns(a1, there, n1, k0, k1);
      yield;
      // Every column at once: its own, in the exchange too, are the values it holds.
      a1.set(there);
      this.check(this.abi.bp_finish_columns(this.handle, rows, k0, k1), 'the step');
      this.whole = false;
      if (part === 0) total += this.result();
    }
    if (!this.whole) yield* this.gatherFirstLayer(part, parts, false);
    return total;
  }

  /**
   * Cut by neurons: every thread's rows of W_0 (and their moments) into every replica (`all`), or
   * into thread 0's only; one meeting between the writes into the exchange and the reads.
   */
  private *gatherFirstLayer(part: number, parts: number, all: boolean): Generator<void, void> {
    if (all || part !== 0) this.firstLayer(part, parts, true);
    yield;
    if (all || part === 0) for (let q = 0; q < parts; q++) if (q !== part) this.firstLayer(q, parts, false);
  }

  /**
   * Copies the first layer's neurons of share `part` (their rows of W_0, entries of b_0 and the
   * optimizer's moments of those) into the exchange (`out`) or back from it.
   */
  private firstLayer(part: number, parts: number, out: boolean): void {
    const n0 = this.layout.arch.sizes[0];
    const [k0, k1] = neurons(this.layout.arch.sizes[1], part, parts);
    const [w, b] = [this.layout.weightOffsets[0], this.layout.biasOffsets[0]];
    const length = this.layout.length;
    const buffers = [this.abi.bp_params(this.handle), this.abi.bp_moments(this.handle, 0), this.abi.bp_moments(this.handle, 1)];
    buffers.forEach((ptr, i) => {
      if (ptr === 0) return;
      const mine = this.view(ptr, length);
      const there = this.shared!.subarray(this.ex!.gather + i * length, this.ex!.gather + (i + 1) * length);
      for (const [from, to] of [
        [w + k0 * n0, w + k1 * n0],
        [b + k0, b + k1],
      ]) {
        if (out) there.set(mine.subarray(from, to), from);
        else mine.set(there.subarray(from, to), from);
      }
    });
  }
}

/** Copies columns `k0 … k1` of every row of `from` (rows of `width`) into the same places of `to`. */
function columns(from: Floats, to: Floats, width: number, k0: number, k1: number): void {
  if (k0 >= k1) return;
  for (let at = 0; at < from.length; at += width) to.set(from.subarray(at + k0, at + k1), at + k0);
}
