/**
 * A log of f64 values that grows as they come: `fit`'s losses and validation scores. A plain array
 * of the size expected (at most 2^20 values at first), doubled where more come, trimmed at the
 * end. Plain, not a resizable buffer (./growable.ts): a plain array's memory is taken again from
 * one freed earlier, where a resizable buffer's pages are new each time (W1's losses, 8 bytes per
 * 4 rows, cost 5 % of its training as new pages).
 *
 * Browser-safe: nothing here imports Node.
 */
export class Log {
  private array: Float64Array;
  length = 0;

  constructor(expected: number) {
    this.array = new Float64Array(Math.min(expected, 1 << 20));
  }

  /** The array, with room for `n` more values from `length` on. */
  room(n: number): Float64Array {
    const need = this.length + n;
    if (need > this.array.length) {
      const grown = new Float64Array(Math.max(need, 2 * this.array.length));
      grown.set(this.array.subarray(0, this.length));
      this.array = grown;
    }
    return this.array;
  }

  /** The value at `i` (below `length`). */
  at(i: number): number {
    return this.array[i];
  }

  /** A view of the values from `from` to `to` (valid until the next `room` that grows). */
  held(from = 0, to = this.length): Float64Array {
    return this.array.subarray(from, to);
  }

  /** The values, in an array of exactly their number. */
  finish(): Float64Array {
    return this.array.length === this.length ? this.array : this.array.slice(0, this.length);
  }
}
