/**
 * A typed array that grows as rows arrive, for ./table.ts's `DatasetBuilder`: a streamed file is
 * read into it without an array of rows or a copy of the text.
 *
 * Browser-safe: nothing here imports Node.
 */

interface ResizableArrayBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}

/**
 * A typed array that grows as rows arrive. Where the platform has resizable ArrayBuffers (Node 20,
 * current browsers) it reserves address space once and grows in place, so memory stays at the size
 * of the numbers held; elsewhere (or past the reservation) it doubles and trims at the end.
 */
export class Growable<A extends Float32Array | Float64Array> {
  private array: A;
  length = 0;

  constructor(
    private readonly Type: { new (n: number): A; new (b: ArrayBuffer, offset?: number, length?: number): A; BYTES_PER_ELEMENT: number },
    reserve: number,
  ) {
    this.array = this.allocate(1024, Math.max(1024, reserve));
  }

  private allocate(n: number, reserve: number): A {
    // At most 4 GiB reserved (the largest resizable buffer); growing past it copies.
    const bytes = Math.min(2 ** 32, Math.max(n, reserve) * this.Type.BYTES_PER_ELEMENT);
    if (bytes >= n * this.Type.BYTES_PER_ELEMENT) {
      try {
        const buffer = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableArrayBuffer)(n * this.Type.BYTES_PER_ELEMENT, {
          maxByteLength: bytes,
        });
        if (typeof buffer.resize === 'function') return new this.Type(buffer);
      } catch {
        // No resizable buffers, or no room to reserve: grow by copying.
      }
    }
    return new this.Type(n);
  }

  /** The array, with room for `n` more elements from `length` on. */
  room(n: number): A {
    const need = this.length + n;
    if (need <= this.array.length) return this.array;
    const size = Math.max(need, 2 * this.array.length);
    const buffer = this.array.buffer as ResizableArrayBuffer;
    if (buffer.resizable && size * this.Type.BYTES_PER_ELEMENT <= buffer.maxByteLength) {
      buffer.resize(size * this.Type.BYTES_PER_ELEMENT); // the length-tracking view follows
      return this.array;
    }
    const grown = this.allocate(size, 2 * size);
    grown.set(this.array.subarray(0, this.length));
    this.array = grown;
    return grown;
  }

  /** The elements held, in an array of exactly that length; the buffer is given back where it can be. */
  finish(): A {
    const buffer = this.array.buffer as ResizableArrayBuffer;
    if (buffer.resizable) {
      buffer.resize(this.length * this.Type.BYTES_PER_ELEMENT);
      return new this.Type(buffer, 0, this.length);
    }
    return this.array.length === this.length ? this.array : (this.array.slice(0, this.length) as A);
  }
}
