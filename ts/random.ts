/**
 * Seeded randomness: the generator, parameter initialisation and shuffling. They live here, not in
 * the engines, so every engine starts from the same parameters and visits rows in the same order.
 */
import type { ActivationName, InitName } from './types.js';

/** xoshiro128** (Blackman & Vigna), seeded through splitmix32. Period 2^128 − 1. */
export class Random {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** The generator's state: four unsigned 32-bit words (a copy), to continue the sequence elsewhere. */
  get state(): number[] {
    return Array.from(this.s);
  }

  /** Continues from a state `state` returned (four unsigned 32-bit words, not all zero). */
  set state(words: readonly number[]) {
    if (words.length !== 4 || words.every((w) => w === 0)) throw new RangeError('a xoshiro128** state is four 32-bit words, not all zero');
    this.s.set(words);
  }

  /** Writes the state into `out[at … at+4)` (`state` without an array). */
  saveState(out: Uint32Array, at: number): void {
    for (let i = 0; i < 4; i++) out[at + i] = this.s[i];
  }

  /** Continues from the state at `from[at … at+4)`, as written by `saveState` (not all zero). */
  loadState(from: Uint32Array, at: number): void {
    for (let i = 0; i < 4; i++) this.s[i] = from[at + i];
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * Fisher–Yates on `a[offset … offset+n)`, drawing exactly what `below` would (so the order is the
   * same), with the generator's state in local variables for the length of the loop: on the short
   * epochs of small data sets the shuffle is otherwise a good part of `fit`'s time.
   */
  shuffleRange(a: Uint32Array, offset: number, n: number): void {
    const st = this.s;
    let s0 = st[0];
    let s1 = st[1];
    let s2 = st[2];
    let s3 = st[3];
    for (let i = n - 1; i > 0; i--) {
      // two xoshiro128** outputs (`nextUint32`'s step) → a double in [0, 1) with 53 bits, as `next`
      let hi = 0;
      let r = 0;
      for (let k = 0; k < 2; k++) {
        hi = r;
        r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
      }
      const j = Math.floor((((hi >>> 5) * 67108864 + (r >>> 6)) / 9007199254740992) * (i + 1));
      const v = a[offset + i];
      a[offset + i] = a[offset + j];
      a[offset + j] = v;
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
  }

  /** Shuffles `a` in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Writes the order 0 … n−1 into `out[offset …]`, shuffled (Fisher–Yates) unless `rng` is null. */
export function permutation(n: number, rng: Random | null, out = new Uint32Array(n), offset = 0): Uint32Array {
  for (let i = 0; i < n; i++) out[offset + i] = i;
  rng?.shuffleRange(out, offset, n);
  return out;
}

/**
 * Draws one weight matrix n_out × n_in (row-major) into `out`:
 * - xavier (Glorot uniform): U(±√(6 / (n_in + n_out)))
 * - he: N(0, 2 / n_in)
 * - uniform: U(±1 / √n_in)
 * - auto: he for relu and leaky-relu layers, xavier otherwise.
 */
export function initWeights(out: Float64Array, nOut: number, nIn: number, init: InitName, activation: ActivationName, rng: Random): void {
  const kind = init === 'auto' ? (activation === 'relu' || activation === 'leaky-relu' ? 'he' : 'xavier') : init;
  if (kind === 'he') {
    const sd = Math.sqrt(2 / nIn);
    for (let i = 0; i < nOut * nIn; i++) out[i] = sd * rng.normal();
  } else {
    const r = kind === 'xavier' ? Math.sqrt(6 / (nIn + nOut)) : 1 / Math.sqrt(nIn);
    for (let i = 0; i < nOut * nIn; i++) out[i] = rng.uniform(-r, r);
  }
}
