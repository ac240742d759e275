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

  /** A view of the elements held from `from` to `to` (valid until the next `room` that grows). */
  held(from = 0, to = this.length): A {
    return this.array.subarray(from, to) as A;
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

type FloatType<A extends Float32Array | Float64Array> = {
  new (n: number): A;
  new (b: ArrayBuffer, offset?: number, length?: number): A;
  BYTES_PER_ELEMENT: number;
};

/** `n` zeros in a buffer that `drainFromEnd` can give back part by part (a plain array where resizable buffers are missing). */
export function resizableArray<A extends Float32Array | Float64Array>(Type: FloatType<A>, n: number): A {
  try {
    const bytes = n * Type.BYTES_PER_ELEMENT;
    const buffer = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableArrayBuffer)(bytes, {
      maxByteLength: Math.max(1, bytes),
    });
    if (typeof buffer.resize === 'function') return new Type(buffer, 0, n);
  } catch {
    // No resizable buffers.
  }
  return new Type(n);
}

/**
 * Hands `src` to `write` in parts of at most `part` elements, the last part first: `write(offset,
 * values)` receives `src[offset … offset + values.length)`. With `release`, where `src` ends a
 * resizable buffer (as ./table.ts's arrays, and the parts `splitInPlace` cuts from their end, do),
 * the buffer shrinks behind each part, so the values are never held twice; `src` is then empty.
 * Returns whether it was.
 */
export function drainFromEnd(
  src: Float32Array | Float64Array,
  part: number,
  write: (offset: number, values: Float32Array | Float64Array) => void,
  release: boolean,
): boolean {
  const buffer = src.buffer as ResizableArrayBuffer;
  const size = src.BYTES_PER_ELEMENT;
  const shrink = release && buffer.resizable === true && src.byteOffset + src.byteLength === buffer.byteLength;
  const Type = src.constructor as FloatType<Float32Array | Float64Array>;
  // Read once: a view whose buffer has shrunk below it reports an offset and a length of 0.
  const base = src.byteOffset;
  for (let end = src.length; end > 0;) {
    const start = Math.max(0, end - part);
    write(start, new Type(buffer, base + start * size, end - start));
    if (shrink) buffer.resize(base + start * size);
    end = start;
  }
  return shrink;
}
