/**
 * Data a network holds for training (`Network.prepare`): checked, converted to the network's
 * precision and, for the wasm engine, copied into WebAssembly memory once, then passed to every
 * `fit` (as the data or as `validation`) and `evaluate` call without being checked or copied again.
 */
import type { PreparedData } from './engine.js';
import type { Matrix } from './matrix.js';
// Symbol.dispose's declaration for apps whose lib lacks it, in every program that reaches this file
// (network.d.ts imports it): whichever entry an app imports alone.
export type {} from './disposable.js';

const disposeSymbol: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/**
 * Rows of inputs and targets held by the network that prepared them, for that network's `fit` and
 * `evaluate`. A wasm network holds them in WebAssembly memory: dispose it when done (`dispose()`,
 * or `using`); disposing the network disposes it too.
 */
export class PreparedDataset {
  private held: PreparedData | null;

  /** Made by `Network.prepare`. */
  constructor(
    /** The network that prepared it (the only one that can use it). */
    readonly owner: object,
    held: PreparedData,
    /** Rows, and the columns of the inputs and of the targets. */
    readonly rows: number,
    readonly inputs: number,
    readonly outputs: number,
  ) {
    this.held = held;
  }

  /** Whether `dispose` has been called (directly or through the network). */
  get disposed(): boolean {
    return this.held === null;
  }

  /** The engine's data, for the network that made it. */
  data(user: object, what: string): PreparedData {
    if (user !== this.owner) throw new Error(`${what} was prepared by another network: prepare it with this one (net.prepare(x, y))`);
    if (this.held === null) throw new Error(`${what} has been disposed`);
    return this.held;
  }

  /** A copy of the inputs (x) or the targets (y) it holds, in the network's precision (from WebAssembly memory for the wasm engine). */
  read(which: 'x' | 'y'): Matrix {
    if (which !== 'x' && which !== 'y') throw new Error(`read takes 'x' or 'y', got ${String(which)}`);
    if (this.held === null) throw new Error('the dataset has been disposed');
    return this.held.read(which);
  }

  /** Frees what the engine holds. Idempotent; later use throws. */
  dispose(): void {
    this.held?.dispose();
    this.held = null;
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}
