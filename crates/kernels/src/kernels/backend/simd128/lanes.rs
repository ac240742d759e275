//! One SIMD128 vector of an element type: the lane operations of f32x4 and f64x2 behind one trait
//! ([`Lanes`]), so each kernel is written once for both.

use core::arch::wasm32::*;

use crate::kernels::exp::{f32c, f64c, ExpPoly};

/// The lane operations of one element type (each one instruction or a fixed few).
pub trait Lanes: ExpPoly {
    /// Lanes per vector.
    const N: usize;
    fn vsplat(v: Self) -> v128;
    fn vadd(a: v128, b: v128) -> v128;
    fn vsub(a: v128, b: v128) -> v128;
    fn vmul(a: v128, b: v128) -> v128;
    fn vdiv(a: v128, b: v128) -> v128;
    /// Lane-wise `b < a ? b : a` and `a < b ? b : a` (pmin and pmax: one instruction each on x86,
    /// where min and max take several to carry a NaN in either operand): a NaN in `a` is kept.
    fn vmin(a: v128, b: v128) -> v128;
    fn vmax(a: v128, b: v128) -> v128;
    fn vneg(a: v128) -> v128;
    fn vabs(a: v128) -> v128;
    /// All ones in the lanes where `a ≥ b`.
    fn vge(a: v128, b: v128) -> v128;
    /// The sum of the lanes as `Scalar::dot` combines its partial sums.
    fn vsum(v: v128) -> Self;
    /// The lanes of `a`, then those of `b` (a row of the microkernel's tile).
    type Pair: IntoIterator<Item = Self>;
    fn vpair(a: v128, b: v128) -> Self::Pair;
    /// `eˣ` in every lane, as `ExpPoly::exp_poly` computes it.
    fn vexp(x: v128) -> v128;
}

/// `impl Lanes` for one element type: its number of lanes, its intrinsics (splat, then the binary
/// and unary lane operations by name), its horizontal sum, the lanes of a pair of vectors and its
/// `exp`.
macro_rules! lanes {
    ($t:ty, $n:literal, $splat:ident, [$($op2:ident = $f2:ident),*], [$($op1:ident = $f1:ident),*],
     sum: $sum:expr, pair: $pair_t:ty = $pair:expr, exp: $exp:expr) => {
        impl Lanes for $t {
            const N: usize = $n;
            #[inline(always)]
            fn vsplat(v: $t) -> v128 {
                $splat(v)
            }
            $(#[inline(always)] fn $op2(a: v128, b: v128) -> v128 { $f2(a, b) })*
            $(#[inline(always)] fn $op1(a: v128) -> v128 { $f1(a) })*
            #[inline(always)]
            fn vsum(v: v128) -> $t {
                $sum(v)
            }
            type Pair = $pair_t;
            #[inline(always)]
            fn vpair(a: v128, b: v128) -> $pair_t {
                $pair(a, b)
            }
            #[inline(always)]
            fn vexp(x: v128) -> v128 {
                $exp(x)
            }
        }
    };
}

lanes!(f32, 4, f32x4_splat,
    [vadd = f32x4_add, vsub = f32x4_sub, vmul = f32x4_mul, vdiv = f32x4_div, vmin = f32x4_pmin, vmax = f32x4_pmax, vge = f32x4_ge],
    [vneg = f32x4_neg, vabs = f32x4_abs],
    sum: |v| (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v)) + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v)),
    pair: [f32; 8] = |a, b| [
        f32x4_extract_lane::<0>(a), f32x4_extract_lane::<1>(a), f32x4_extract_lane::<2>(a), f32x4_extract_lane::<3>(a),
        f32x4_extract_lane::<0>(b), f32x4_extract_lane::<1>(b), f32x4_extract_lane::<2>(b), f32x4_extract_lane::<3>(b),
    ],
    exp: exp_f32x4);

lanes!(f64, 2, f64x2_splat,
    [vadd = f64x2_add, vsub = f64x2_sub, vmul = f64x2_mul, vdiv = f64x2_div, vmin = f64x2_pmin, vmax = f64x2_pmax, vge = f64x2_ge],
    [vneg = f64x2_neg, vabs = f64x2_abs],
    sum: |v| f64x2_extract_lane::<0>(v) + f64x2_extract_lane::<1>(v),
    pair: [f64; 4] = |a, b| [f64x2_extract_lane::<0>(a), f64x2_extract_lane::<1>(a), f64x2_extract_lane::<0>(b), f64x2_extract_lane::<1>(b)],
    exp: exp_f64x2);

/// The range reduction of `exp::exp_f32/f64` on every lane: `x` clamped to `[lo, hi]` (a NaN
/// kept, as the scalar clamp keeps it: `x` is the first operand of each),
/// `t = x·log₂e + S` (whose low bits hold the biased exponent of 2ⁿ), `r = (x − n·C1) − n·C2`
/// with `n = t − S`. Returns `(t, r)`.
#[inline(always)]
fn reduce<T: Lanes>(x: v128, lo: T, hi: T, log2e: T, shift: T, c1: T, c2: T) -> (v128, v128) {
    let x = T::vmax(T::vmin(x, T::vsplat(hi)), T::vsplat(lo));
    let t = T::vadd(T::vmul(x, T::vsplat(log2e)), T::vsplat(shift));
    let n = T::vsub(t, T::vsplat(shift));
    (t, T::vsub(T::vsub(x, T::vmul(n, T::vsplat(c1))), T::vmul(n, T::vsplat(c2))))
}

/// `eˣ` on four f32 lanes: `exp::exp_f32` lane by lane, the same operations in the same order.
#[inline(always)]
fn exp_f32x4(x: v128) -> v128 {
    use f32c::*;
    let (t, r) = reduce(x, LO, HI, LOG2E, SHIFT, C1, C2);
    let z = f32x4_mul(r, r);
    let pair = |a: f32, b: f32| f32x4_add(f32x4_mul(f32x4_splat(a), r), f32x4_splat(b));
    let y = f32x4_add(f32x4_mul(f32x4_add(f32x4_mul(pair(P[0], P[1]), z), pair(P[2], P[3])), z), pair(P[4], P[5]));
    let y = f32x4_add(f32x4_add(f32x4_mul(y, z), r), f32x4_splat(1.0));
    // 2ⁿ: n + 127 sits in the low bits of t; shifted into the exponent field.
    f32x4_mul(y, i32x4_shl(t, 23))
}

/// `eˣ` on two f64 lanes: `exp::exp_f64` lane by lane.
#[inline(always)]
fn exp_f64x2(x: v128) -> v128 {
    use f64c::*;
    let (t, r) = reduce(x, LO, HI, LOG2E, SHIFT, C1, C2);
    let z = f64x2_mul(r, r);
    let p = f64x2_add(f64x2_mul(f64x2_add(f64x2_mul(f64x2_splat(P[0]), z), f64x2_splat(P[1])), z), f64x2_splat(P[2]));
    let p = f64x2_mul(r, p);
    let mut q = f64x2_splat(Q[0]);
    for &c in &Q[1..] {
        q = f64x2_add(f64x2_mul(q, z), f64x2_splat(c));
    }
    let y = f64x2_add(f64x2_splat(1.0), f64x2_mul(f64x2_splat(2.0), f64x2_div(p, f64x2_sub(q, p))));
    // 2ⁿ: n + 1023 sits in the low bits of t; shifted into the exponent field.
    f64x2_mul(y, i64x2_shl(t, 52))
}
