//! `exp` by range reduction and a polynomial (Cephes' `expf` and `exp`), written once for scalars
//! here and once for SIMD lanes in `kernels::backend::simd128`, with the same operations in the same order so
//! the two agree bit for bit. Used by the sigmoid, the activation whose cost the `exp` dominates.
//!
//! ```text
//!   t = x·log₂e + S,  n = t − S                        (S = 1.5·2²³ + 127, or 1.5·2⁵² + 1023:
//!                                                      the addition rounds to the integer n, whose
//!                                                      biased exponent n + 127 is t's low bits)
//!   r = (x − n·C1) − n·C2                              (C1 + C2 = ln 2, split for exactness)
//!   f32: e^r ≈ (((p0 r + p1)·r² + (p2 r + p3))·r² + (p4 r + p5))·r² + r + 1   (Estrin's scheme)
//!   f64: e^r ≈ 1 + 2·rP(r²) / (Q(r²) − rP(r²))        (Padé form)
//!   eˣ = e^r · 2ⁿ,  2ⁿ = the bits of t shifted left by 23 (52)
//! ```
//! The shifted addition replaces a floor and a float-to-integer conversion, and Estrin's scheme
//! halves the chain of dependent operations: both shorten the latency of one `exp`, which bounds
//! the per-sample steps of small networks.
//! Accuracy: about 1 ulp. Arguments are clamped to the range where 2ⁿ is a normal number; NaN
//! stays NaN (as `f32x4_pmin`/`pmax` keep it in the SIMD twin, `x` their first operand).

pub mod f32c {
    /// 1.5·2²³ + 127.
    pub const SHIFT: f32 = 12_583_039.0;
    pub const LO: f32 = -87.336_54;
    pub const HI: f32 = 88.0;
    pub const LOG2E: f32 = core::f32::consts::LOG2_E;
    pub const C1: f32 = 0.693_359_4;
    pub const C2: f32 = -2.121_944_4e-4;
    pub const P: [f32; 6] = [1.987_569_1e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 0.166_666_65, 0.5];
}

pub mod f64c {
    /// 1.5·2⁵² + 1023.
    pub const SHIFT: f64 = 6_755_399_441_056_767.0;
    pub const LO: f64 = -708.39;
    pub const HI: f64 = 709.0;
    pub const LOG2E: f64 = core::f64::consts::LOG2_E;
    pub const C1: f64 = 6.931_457_519_531_25e-1;
    /// Cephes' 1.42860682030941723212e-6, written as the double it rounds to.
    pub const C2: f64 = 1.428_606_820_309_417_3e-6;
    /// Cephes' last coefficient, 9.99999999999999999910e-1, is the double 1.0.
    pub const P: [f64; 3] = [1.261_771_930_748_105_9e-4, 3.029_944_077_074_419_6e-2, 1.0];
    pub const Q: [f64; 4] = [3.001_985_051_386_644_5e-6, 2.524_483_403_496_841e-3, 2.272_655_482_081_550_3e-1, 2.0];
}

use crate::element::Element;

/// `eˣ` by the polynomial of this module, for each element type (the scalar twin of the SIMD
/// one, used by the sigmoid of every backend).
pub trait ExpPoly: Element {
    fn exp_poly(self) -> Self;
}

impl ExpPoly for f32 {
    #[inline(always)]
    fn exp_poly(self) -> Self {
        exp_f32(self)
    }
}

impl ExpPoly for f64 {
    #[inline(always)]
    fn exp_poly(self) -> Self {
        exp_f64(self)
    }
}

/// `x` limited to `[lo, hi]`, NaN kept (unlike `f32::min`/`max`, which drop it).
#[inline(always)]
fn clamp<T: PartialOrd>(x: T, lo: T, hi: T) -> T {
    if x > hi {
        hi
    } else if x < lo {
        lo
    } else {
        x
    }
}

/// The range reduction: `x` clamped to `[lo, hi]`, `t = x·log₂e + S`, `r = (x − n·C1) − n·C2`
/// with `n = t − S`. Returns `(t, r)`.
#[inline(always)]
fn reduce<T: Element>(x: T, lo: T, hi: T, log2e: T, shift: T, c1: T, c2: T) -> (T, T) {
    let x = clamp(x, lo, hi);
    let t = x * log2e + shift;
    let n = t - shift;
    (t, (x - n * c1) - n * c2)
}

/// `eˣ` in f32 (scalar reference of `simd128::exp_f32x4`).
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    use f32c::*;
    let (t, r) = reduce(x, LO, HI, LOG2E, SHIFT, C1, C2);
    let z = r * r;
    let y = ((P[0] * r + P[1]) * z + (P[2] * r + P[3])) * z + (P[4] * r + P[5]);
    let y = (y * z + r) + 1.0;
    y * f32::from_bits(t.to_bits() << 23)
}

/// `eˣ` in f64 (scalar reference of `simd128::exp_f64x2`).
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    use f64c::*;
    let (t, r) = reduce(x, LO, HI, LOG2E, SHIFT, C1, C2);
    let z = r * r;
    let p = r * ((P[0] * z + P[1]) * z + P[2]);
    let q = ((Q[0] * z + Q[1]) * z + Q[2]) * z + Q[3];
    let y = 1.0 + 2.0 * (p / (q - p));
    y * f64::from_bits(t.to_bits() << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_exp() {
        let mut worst32 = 0f64;
        let mut worst64 = 0f64;
        for i in -200_000..=200_000 {
            let x = i as f64 * 4e-4; // −80 … 80
            worst64 = worst64.max(((exp_f64(x) - x.exp()) / x.exp()).abs());
            let xf = x as f32;
            worst32 = worst32.max(((exp_f32(xf) as f64 - (xf as f64).exp()) / (xf as f64).exp()).abs());
        }
        assert!(worst64 < 4e-16, "f64 worst relative error {worst64}");
        assert!(worst32 < 3e-7, "f32 worst relative error {worst32}");
        assert_eq!(exp_f64(0.0), 1.0);
        assert_eq!(exp_f32(0.0), 1.0);
        assert!(exp_f64(-1e6) >= 0.0 && exp_f64(-1e6) < 1e-300);
        assert!(exp_f32(-1e6) >= 0.0 && exp_f32(-1e6) < 1e-37);
        assert!(exp_f64(f64::NAN).is_nan() && exp_f32(f32::NAN).is_nan());
    }
}
