//! The row order of an epoch drawn where the epoch is trained: xoshiro128** (Blackman & Vigna) and
//! its Fisher–Yates shuffle, the same integer steps and the same double arithmetic as `Random` in
//! ts/random.ts, so an order drawn here is the one the TypeScript side would draw from the same
//! state, and the state after it is the same too.

/// The generator's state: four 32-bit words, not all zero.
pub struct Xoshiro128 {
    pub s: [u32; 4],
}

impl Xoshiro128 {
    /// A uniform 32-bit integer (`Random.nextUint32`).
    #[inline(always)]
    pub fn next_u32(&mut self) -> u32 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }

    /// A uniform double in [0, 1) with 53 random bits (`Random.next`): every step is exact.
    #[inline(always)]
    pub fn next_f64(&mut self) -> f64 {
        let hi = self.next_u32() >> 5; // 27 bits
        let lo = self.next_u32() >> 6; // 26 bits
        (hi as f64 * 67_108_864.0 + lo as f64) / 9_007_199_254_740_992.0
    }

    /// Fisher–Yates on `a` (`Random.shuffleRange`): for `i` from the end down to 1, swaps `a[i]`
    /// with `a[⌊next·(i+1)⌋]`; the product rounds as JavaScript's does, and stays below `i + 1`.
    pub fn shuffle(&mut self, a: &mut [u32]) {
        for i in (1..a.len()).rev() {
            let j = (self.next_f64() * (i + 1) as f64) as usize;
            a.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_permutation_and_moves_the_state() {
        let mut r = Xoshiro128 { s: [1, 2, 3, 4] };
        let mut a: Vec<u32> = (0..1000).collect();
        r.shuffle(&mut a);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..1000).collect::<Vec<u32>>());
        assert_ne!(a, sorted);
        assert_ne!(r.s, [1, 2, 3, 4]);
        // The first output of [1, 2, 3, 4]: rotl(2·5, 7)·9 = 1280·9.
        assert_eq!(Xoshiro128 { s: [1, 2, 3, 4] }.next_u32(), 11_520);
    }
}
