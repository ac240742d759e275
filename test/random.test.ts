/**
 * The seeded generator behind initialisation and shuffling: deterministic per seed, and the fast
 * in-place shuffle draws exactly what the one-draw-at-a-time Fisher–Yates does.
 */
import { describe, expect, it } from 'vitest';
import { Random, permutation } from '../ts/random.js';

describe('Random', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 8 },
        (
          (r) => () =>
            r.nextUint32()
        )(new Random(seed)),
      );
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('draws doubles in [0, 1) with a mean near ½', () => {
    const r = new Random(11);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = r.next();
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
    }
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.01);
  });

  it('permutation shuffles as Fisher–Yates with below(i + 1), and leaves the generator where it would', () => {
    const a = new Random(7);
    const b = new Random(7);
    for (const n of [1, 2, 4, 17, 1000, 1437]) {
      const fast = permutation(n, a);
      const slow = Uint32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = b.below(i + 1);
        [slow[i], slow[j]] = [slow[j], slow[i]];
      }
      expect(Array.from(fast)).toEqual(Array.from(slow));
      expect([...fast].sort((p, q) => p - q)).toEqual([...Array(n).keys()]);
    }
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('writes a permutation at an offset without touching the rest', () => {
    const out = new Uint32Array(10).fill(99);
    permutation(4, new Random(1), out, 3);
    expect([out[0], out[1], out[2], out[7], out[8], out[9]]).toEqual([99, 99, 99, 99, 99, 99]);
    expect([...out.subarray(3, 7)].sort()).toEqual([0, 1, 2, 3]);
  });
});
