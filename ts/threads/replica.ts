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
 */
import type { WasmEngine } from '../engines/wasm.js';
import type { Layout } from '../parameters.js';
import { STATUS_TEXT, VALUE_CODES, type BackpropExports } from '../wasm/exports.js';
import { CONTROL_BYTES } from './barrier.js';

/** The share `part` of `parts` of `n` items (as `share` in crates/kernels/src/mlp/parts.rs). */
export function share(n: number, part: number, parts: number): [number, number] {
  return [Math.floor((n * part) / parts), Math.floor((n * (part + 1)) / parts)];
}

/** One exchanged per-row value: kind (`VALUE_CODES`), layer, its width and where its rows start (in elements). */
interface Region {
  kind: number;
  layer: number;
  width: number;
  at: number;
}

/** Where everything lies in the exchange buffer, after the control block. */
export interface ExchangeLayout {
  regions: Region[];
  /** Where the gradients start (elements). */
  grads: number;
  /** Bytes of the whole buffer (control block included). */
  bytes: number;
}

export function exchangeLayout(layout: Layout, capacity: number, bits: 32 | 64): ExchangeLayout {
  const { sizes, inputActivated } = layout.arch;
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
  return { regions, grads: at, bytes: CONTROL_BYTES + (at + layout.length) * (bits / 8) };
}

type Floats = Float32Array | Float64Array;

/** A network's rows of training data, in shared memory (every thread reads them). */
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
  data: SharedData | null = null;

  constructor(
    readonly engine: WasmEngine,
    private readonly layout: Layout,
  ) {
    const { inst, handle } = engine.raw();
    this.abi = inst.exports;
    this.handle = handle;
    this.F = engine.precision === 'f32' ? Float32Array : Float64Array;
  }

  /** Uses `buffer` (laid out by `ex`) for the exchange, with room for minibatches of `capacity` rows. */
  attach(buffer: SharedArrayBuffer, ex: ExchangeLayout, capacity: number): void {
    this.engine.raw(capacity);
    this.ex = ex;
    this.shared = new this.F(buffer as unknown as ArrayBuffer, CONTROL_BYTES, (buffer.byteLength - CONTROL_BYTES) / this.F.BYTES_PER_ELEMENT);
  }

  private view(ptr: number, length: number): Floats {
    return new this.F(this.abi.memory.buffer, ptr >>> 0, length);
  }

  private check(status: number, doing: string): void {
    if (status < 0) throw new Error(`wasm-backprop: ${doing} failed on a training thread: ${STATUS_TEXT[status] ?? `status ${status}`}`);
  }

  /** Copies the rows `order` of the shared data into the staging buffers. */
  private stage(order: Uint32Array): void {
    const { x, y } = this.data!;
    const [n0, nL] = [this.layout.arch.sizes[0], this.layout.arch.sizes[this.layout.depth]];
    const input = this.view(this.abi.bp_input(this.handle), order.length * n0);
    const target = this.view(this.abi.bp_target(this.handle), order.length * nL);
    for (let i = 0; i < order.length; i++) {
      const r = order[i];
      input.set(x.subarray(r * n0, (r + 1) * n0), i * n0);
      target.set(y.subarray(r * nL, (r + 1) * nL), i * nL);
    }
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
   * threads must meet (twice per minibatch), returns `total` plus the per-sample losses (thread 0;
   * the others return `total`).
   */
  *span(order: Uint32Array, batch: number, total: number, part: number, parts: number): Generator<void, number> {
    const results = () => new Float64Array(this.abi.memory.buffer, this.abi.bp_results(this.handle) >>> 0, 1)[0];
    for (let s = 0; s < order.length; s += batch) {
      const chunk = order.subarray(s, Math.min(s + batch, order.length));
      const rows = chunk.length;
      this.stage(chunk);
      if (rows === 1) {
        // One row is not shared: every thread takes the step (the loss of one row is its mean).
        this.check(this.abi.bp_train(this.handle, 1), 'training');
        total += results();
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
        total += results();
      }
    }
    return total;
  }
}
