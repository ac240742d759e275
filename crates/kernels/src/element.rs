//! The element type: one small trait that makes every kernel generic over `f32` and `f64`.
//!
//! The trait carries the arithmetic the kernels need, the register tile of the GEMM microkernel
//! (`MR × NR`) with its cache blocks, and the three SIMD entry points (`microkernel`, `dot`,
//! `axpy`). Each entry point dispatches at compile time: on `wasm32` with `simd128` to the SIMD
//! kernel in `kernels::simd`, everywhere else to the scalar reference in `kernels::gemm` /
//! `kernels::vector`. Both compute the same sums in the same order (no fused multiply-add), so the
//! two artefacts agree to the last bit.

use core::fmt::Debug;
use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use crate::kernels::{gemm, vector};

/// Largest `MR × NR` tile of any element type (the edge-tile scratch buffer has this size).
pub const MAX_TILE: usize = 32;

pub trait Element:
    Copy
    + Default
    + PartialEq
    + PartialOrd
    + Debug
    + Send
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    const ZERO: Self;
    const ONE: Self;
    /// Rows of the GEMM register tile (rows of C computed at once).
    const MR: usize;
    /// Columns of the GEMM register tile: a whole number of SIMD vectors.
    const NR: usize;
    /// Depth of a packed panel (the shared dimension per pass): an A sliver and a B sliver fit L1.
    const KC: usize;
    /// Rows of C per packed A block (L2).
    const MC: usize;
    /// Columns of C per packed B panel.
    const NC: usize;

    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn tanh(self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    /// `eˣ` by the polynomial of `kernels::exp` (the scalar twin of the SIMD one).
    fn exp_poly(self) -> Self;

    /// `a ← σ(z)` elementwise over `a.len()` elements (SIMD where compiled for it).
    fn sigmoid_slice(z: &[Self], a: &mut [Self]);

    /// The GEMM microkernel, `C[0..MR][0..NR] ← α·Σ_p a_p ⊗ b_p (+ C when accumulate)`.
    /// See [`crate::kernels::gemm::microkernel_ref`] for the contract.
    fn microkernel(
        kc: usize,
        alpha: Self,
        a: &[Self],
        b: &[Self],
        c: &mut [Self],
        rsc: usize,
        csc: usize,
        accumulate: bool,
    );

    /// `Σ_i x_i·y_i` over `min(x.len(), y.len())` elements.
    fn dot(x: &[Self], y: &[Self]) -> Self;

    /// `y ← y + α·x` over `y.len()` elements (`x.len() ≥ y.len()`).
    fn axpy(alpha: Self, x: &[Self], y: &mut [Self]);

    /// GEMM packing of runs contiguous in lanes, see [`crate::kernels::gemm::pack_runs_ref`].
    #[allow(clippy::too_many_arguments)]
    fn pack_runs(src: &[Self], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [Self]) {
        crate::kernels::gemm::pack_runs_ref(src, base, depth, lanes, kc, w, out);
    }

    /// GEMM packing of lines contiguous in depth, see [`crate::kernels::gemm::pack_lines_ref`].
    #[allow(clippy::too_many_arguments)]
    fn pack_lines(src: &[Self], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [Self]) {
        crate::kernels::gemm::pack_lines_ref(src, base, lane, lanes, kc, w, out);
    }
}

macro_rules! element_common {
    ($t:ty) => {
        const ZERO: Self = 0.0;
        const ONE: Self = 1.0;

        #[inline(always)]
        fn from_f64(v: f64) -> Self {
            v as $t
        }
        #[inline(always)]
        fn to_f64(self) -> f64 {
            self as f64
        }
        #[inline(always)]
        fn exp(self) -> Self {
            <$t>::exp(self)
        }
        #[inline(always)]
        fn tanh(self) -> Self {
            <$t>::tanh(self)
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            <$t>::sqrt(self)
        }
        #[inline(always)]
        fn abs(self) -> Self {
            <$t>::abs(self)
        }
    };
}

impl Element for f32 {
    element_common!(f32);

    #[inline(always)]
    fn exp_poly(self) -> Self {
        crate::kernels::exp::exp_f32(self)
    }

    #[inline(always)]
    fn sigmoid_slice(z: &[Self], a: &mut [Self]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::kernels::simd::sigmoid_f32(z, a);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        crate::kernels::activation::sigmoid_ref(z, a);
    }
    const MR: usize = 4;
    const NR: usize = 8; // two f32x4 vectors
    const KC: usize = 256;
    const MC: usize = 64;
    const NC: usize = 2048;

    #[inline(always)]
    fn microkernel(
        kc: usize,
        alpha: Self,
        a: &[Self],
        b: &[Self],
        c: &mut [Self],
        rsc: usize,
        csc: usize,
        accumulate: bool,
    ) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::kernels::simd::microkernel_f32(kc, alpha, a, b, c, rsc, csc, accumulate);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        gemm::microkernel_ref(kc, alpha, a, b, c, rsc, csc, accumulate);
    }

    #[inline(always)]
    fn dot(x: &[Self], y: &[Self]) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return crate::kernels::simd::dot_f32(x, y);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return vector::dot_ref(x, y);
    }

    #[inline(always)]
    fn pack_runs(src: &[Self], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [Self]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::kernels::simd::pack_runs_f32(src, base, depth, lanes, kc, w, out);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        crate::kernels::gemm::pack_runs_ref(src, base, depth, lanes, kc, w, out);
    }

    #[inline(always)]
    fn pack_lines(src: &[Self], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [Self]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::kernels::simd::pack_lines_f32(src, base, lane, lanes, kc, w, out);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        crate::kernels::gemm::pack_lines_ref(src, base, lane, lanes, kc, w, out);
    }

    #[inline(always)]
    fn axpy(alpha: Self, x: &[Self], y: &mut [Self]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::kernels::simd::axpy_f32(alpha, x, y);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        vector::axpy_ref(alpha, x, y);
    }
}

impl Element for f64 {
    element_common!(f64);

    #[inline(always)]
    fn exp_poly(self) -> Self {
        crate::kernels::exp::exp_f64(self)
    }

    #[inline(always)]
    fn sigmoid_slice(z: &[Self], a: &mut [Self]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::kernels::simd::sigmoid_f64(z, a);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        crate::kernels::activation::sigmoid_ref(z, a);
    }
    const MR: usize = 4;
    const NR: usize = 4; // two f64x2 vectors
    const KC: usize = 256;
    const MC: usize = 64;
    const NC: usize = 2048;

    #[inline(always)]
    fn microkernel(
        kc: usize,
        alpha: Self,
        a: &[Self],
        b: &[Self],
        c: &mut [Self],
        rsc: usize,
        csc: usize,
        accumulate: bool,
    ) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::kernels::simd::microkernel_f64(kc, alpha, a, b, c, rsc, csc, accumulate);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        gemm::microkernel_ref(kc, alpha, a, b, c, rsc, csc, accumulate);
    }

    #[inline(always)]
    fn dot(x: &[Self], y: &[Self]) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return crate::kernels::simd::dot_f64(x, y);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return vector::dot_ref(x, y);
    }

    #[inline(always)]
    fn axpy(alpha: Self, x: &[Self], y: &mut [Self]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::kernels::simd::axpy_f64(alpha, x, y);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        vector::axpy_ref(alpha, x, y);
    }
}
