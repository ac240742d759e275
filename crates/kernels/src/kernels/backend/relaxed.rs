//! The relaxed-SIMD backend (compiled only for `wasm32` with `+simd128,+relaxed-simd`): the
//! SIMD128 kernels with one change, every multiply-add of the microkernel, dot and axpy is one
//! `f32x4.relaxed_madd` (`f64x2.relaxed_madd`) instead of a multiply and an add. Packing, the
//! sigmoid and everything else are SIMD128's.
//!
//! The relaxed-SIMD proposal lets an engine round `relaxed_madd` once (fused, where the CPU has
//! FMA: V8 emits `vfmadd` on x86-64 with FMA3, and ARM64 is always fused) or twice (a multiply
//! then an add, as SIMD128 does); each engine picks one for the whole run. So this backend's
//! results depend on the CPU and the engine: they are reproducible on one machine with one
//! browser, within the f32 tolerance of the fixtures everywhere, and not bit-identical to the
//! scalar and SIMD128 artefacts (which agree with each other to the last bit).

use core::arch::wasm32::*;

use super::contract::{last_index, Backend, BackendKind, Identity, Peak};
use super::scalar::{dot_short, Scalar};
use super::simd128::lanes::Lanes;
use super::simd128::memory::{load, load_splat, store};
use super::simd128::pack::{pack_lines_f32, pack_runs};
use super::simd128::{kernels, peak_f32_with};
use crate::element::Element;

/// The relaxed-SIMD backend.
pub struct Relaxed;

/// `a·b + c` in four f32 lanes, rounded once or twice as the engine chose.
#[inline(always)]
fn madd_f32(a: v128, b: v128, c: v128) -> v128 {
    f32x4_relaxed_madd(a, b, c)
}

/// `a·b + c` in two f64 lanes, rounded once or twice as the engine chose.
#[inline(always)]
fn madd_f64(a: v128, b: v128, c: v128) -> v128 {
    f64x2_relaxed_madd(a, b, c)
}

/// `Σ_p x_p·y_p` in order, each step one `relaxed_madd` in lane 0 (as the microkernel's lanes
/// round it).
fn dot_in_order_f32(x: &[f32], y: &[f32]) -> f32 {
    let mut s = f32x4_splat(0.0);
    for (&a, &b) in x.iter().zip(y) {
        s = madd_f32(f32x4_splat(a), f32x4_splat(b), s);
    }
    f32x4_extract_lane::<0>(s)
}

/// As [`dot_in_order_f32`] in f64 lanes.
fn dot_in_order_f64(x: &[f64], y: &[f64]) -> f64 {
    let mut s = f64x2_splat(0.0);
    for (&a, &b) in x.iter().zip(y) {
        s = madd_f64(f64x2_splat(a), f64x2_splat(b), s);
    }
    f64x2_extract_lane::<0>(s)
}

kernels!(Relaxed, f32, madd: madd_f32, in_order: dot_in_order_f32, pack: pack_runs::<f32>, pack_lines_f32);
kernels!(Relaxed, f64, madd: madd_f64, in_order: dot_in_order_f64, pack: pack_runs::<f64>, <Scalar as Backend<f64>>::pack_lines);

impl Identity for Relaxed {
    const KIND: BackendKind = BackendKind::RelaxedSimd;
}

impl Peak for Relaxed {
    /// Twelve chains of `relaxed_madd`: where it is fused, 8 flops per instruction.
    fn peak_f32(iters: u32) -> f32 {
        peak_f32_with(iters, madd_f32)
    }
}
