//! The SIMD128 backend (compiled only for `wasm32` with `+simd128`): f32 in f32x4 lanes, f64 in
//! f64x2 lanes, each kernel written once over the lane operations of [`Lanes`]. Each has a scalar
//! reference in [`Scalar`](super::scalar::Scalar) with the same contract and the same order of
//! additions.
//!
//! Arithmetic intrinsics are safe functions; only loads and stores are `unsafe`, and they go
//! through `load`, `store` and `load_splat` (`memory`), whose bounds every kernel establishes
//! with an `assert!` before its loop.

use core::arch::wasm32::*;

use super::contract::{last_index, Backend, BackendKind, Identity, Peak};
use super::scalar::{dot_short, Scalar};
use crate::element::Element;
use lanes::Lanes;
use memory::{load, load_splat, store};
use pack::{pack_lines_f32, pack_runs};

pub mod lanes;
pub(super) mod memory;
pub mod pack;

/// The SIMD128 backend.
pub struct Simd128;

/// `impl Backend` for one backend and element type: the kernels are written once, over the lane
/// operations of [`Lanes`], and stamped out per backend and type (concrete functions, as the compiler
/// inlines and optimizes those best; `T` names the type in each body), with the backend's
/// multiply-add `$madd(a, b, c) = a·b + c` (SIMD128: a multiply, then an add; relaxed SIMD: one
/// `relaxed_madd`, fused where the CPU has FMA), its sum in order with that multiply-add
/// (`dot_in_order`) and the type's packing routines.
macro_rules! kernels {
    ($backend:ty, $t:ty, madd: $madd:path, in_order: $in_order:expr, pack: $runs:expr, $lines:expr) => {
        impl Backend<$t> for $backend {
            const MR: usize = 4;
            /// Two vectors.
            const NR: usize = 2 * <$t as Lanes>::N;

            /// Tile 4 × 2N. Register layout, one row of C per pair (f32: N = 4, tile 4 × 8):
            ///
            /// ```text
            ///            b0 = b[p·2N .. p·2N+N]   b1 = b[p·2N+N .. p·2N+2N]
            ///   row 0:   c00 += a0·b0              c01 += a0·b1        a_i = splat(a[p·4 + i])
            ///   row 1:   c10 += a1·b0              c11 += a1·b1
            ///   row 2:   c20 += a2·b0              c21 += a2·b1
            ///   row 3:   c30 += a3·b0              c31 += a3·b1
            /// ```
            /// 8 accumulators + 2 B vectors + 1 broadcast = 11 of the 16 vector registers of x86-64. Every
            /// `a_i` is one `load32_splat` (`load64_splat`).
            fn microkernel(
                kc: usize,
                alpha: $t,
                a: &[$t],
                b: &[$t],
                c: &mut [$t],
                rsc: usize,
                csc: usize,
                accumulate: bool,
            ) {
                type T = $t;
                let (n, nr) = (T::N, 2 * T::N);
                assert!(
                    a.len() >= kc * 4 && b.len() >= kc * nr && last_index(4, nr, rsc, csc).is_some_and(|i| i < c.len())
                );
                let z = T::vsplat(T::ZERO);
                let mut acc = [[z; 2]; 4];
                for p in 0..kc {
                    // SAFETY: p·2N + 2N ≤ kc·2N ≤ b.len() (asserted).
                    let (b0, b1) = unsafe { (load(b, p * nr), load(b, p * nr + n)) };
                    for (i, row) in acc.iter_mut().enumerate() {
                        // SAFETY: p·4 + i < kc·4 ≤ a.len() (asserted), i < 4.
                        let ai = unsafe { load_splat(a, p * 4 + i) };
                        row[0] = $madd(ai, b0, row[0]);
                        row[1] = $madd(ai, b1, row[1]);
                    }
                }
                let va = T::vsplat(alpha);
                for (i, row) in acc.iter().enumerate() {
                    let r0 = T::vmul(va, row[0]);
                    let r1 = T::vmul(va, row[1]);
                    if csc == 1 {
                        let off = i * rsc;
                        // SAFETY: with csc = 1, off + 2N ≤ 3·rsc + 2N = last_index(4, 2N, rsc, 1) + 1 ≤ c.len()
                        // (asserted).
                        unsafe {
                            if accumulate {
                                store(c, off, T::vadd(load(c, off), r0));
                                store(c, off + n, T::vadd(load(c, off + n), r1));
                            } else {
                                store(c, off, r0);
                                store(c, off + n, r1);
                            }
                        }
                    } else {
                        for (j, v) in T::vpair(r0, r1).into_iter().enumerate() {
                            let cij = &mut c[i * rsc + j * csc];
                            *cij = if accumulate { *cij + v } else { v };
                        }
                    }
                }
            }

            /// Two accumulators of N lanes (element `i` goes to partial `i mod 2N`), added lane by lane,
            /// then the lanes summed (f32: `((p0+p4) + (p1+p5)) + ((p2+p6) + (p3+p7))`; f64:
            /// `(p0+p2) + (p1+p3)`), then the tail in order.
            fn dot(x: &[$t], y: &[$t]) -> $t {
                type T = $t;
                let (n, w) = (T::N, 2 * T::N);
                let len = x.len().min(y.len());
                if len < w {
                    return dot_short(&x[..len], &y[..len]);
                }
                let body = len / w * w;
                assert!(body <= x.len() && body <= y.len());
                let (mut s0, mut s1) = (T::vsplat(T::ZERO), T::vsplat(T::ZERO));
                let mut i = 0;
                while i < body {
                    // SAFETY: i + 2N ≤ body ≤ x.len(), y.len() (asserted).
                    let (x0, y0, x1, y1) = unsafe { (load(x, i), load(y, i), load(x, i + n), load(y, i + n)) };
                    s0 = $madd(x0, y0, s0);
                    s1 = $madd(x1, y1, s1);
                    i += w;
                }
                let mut s = T::vsum(T::vadd(s0, s1));
                for j in body..len {
                    s += x[j] * y[j];
                }
                s
            }

            #[inline(always)]
            fn dot_in_order(x: &[$t], y: &[$t]) -> $t {
                $in_order(x, y)
            }

            /// N lanes at a time, then the tail in order.
            fn axpy(alpha: $t, x: &[$t], y: &mut [$t]) {
                type T = $t;
                let (n, len) = (T::N, y.len());
                assert!(x.len() >= len);
                let body = len / n * n;
                let va = T::vsplat(alpha);
                let mut i = 0;
                while i < body {
                    // SAFETY: i + N ≤ body ≤ y.len() ≤ x.len() (asserted).
                    unsafe { store(y, i, $madd(va, load(x, i), load(y, i))) };
                    i += n;
                }
                for j in body..len {
                    y[j] += alpha * x[j];
                }
            }

            #[inline(always)]
            fn pack_runs(src: &[$t], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [$t]) {
                $runs(src, base, depth, lanes, kc, w, out);
            }

            #[inline(always)]
            fn pack_lines(src: &[$t], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [$t]) {
                $lines(src, base, lane, lanes, kc, w, out);
            }

            /// N lanes at a time: `e = exp(−|z|)`, `r = 1/(1+e)`, then `r` where `z ≥ 0` and `e·r`
            /// elsewhere (`scalar::sigmoid_one` lane by lane); the tail with the scalar kernel.
            fn sigmoid(z: &[$t], a: &mut [$t]) {
                type T = $t;
                let (n, len) = (T::N, a.len());
                assert!(z.len() >= len);
                let body = len / n * n;
                let one = T::vsplat(T::ONE);
                let mut i = 0;
                while i < body {
                    // SAFETY: i + N ≤ body ≤ a.len() ≤ z.len() (asserted).
                    let zv = unsafe { load(z, i) };
                    let e = T::vexp(T::vneg(T::vabs(zv)));
                    let r = T::vdiv(one, T::vadd(one, e));
                    let pick = T::vge(zv, T::vsplat(T::ZERO));
                    // SAFETY: as for the load.
                    unsafe { store(a, i, v128_bitselect(r, T::vmul(e, r), pick)) };
                    i += n;
                }
                <Scalar as Backend<T>>::sigmoid(&z[body..len], &mut a[body..]);
            }
        }
    };
}

/// `a·b + c` rounded twice, a multiply then an add: what [`Scalar`] computes lane by lane.
#[inline(always)]
pub fn madd<T: Lanes>(a: v128, b: v128, c: v128) -> v128 {
    T::vadd(T::vmul(a, b), c)
}

#[cfg(target_feature = "relaxed-simd")]
pub(super) use kernels;

// A multiply then an add, one element at a time, is the scalar sum in order.
kernels!(Simd128, f32, madd: madd::<f32>, in_order: dot_short::<f32>, pack: pack_runs::<f32>, pack_lines_f32);
// f64 packs with the scalar loops.
kernels!(Simd128, f64, madd: madd::<f64>, in_order: dot_short::<f64>, pack: pack_runs::<f64>, <Scalar as Backend<f64>>::pack_lines);

impl Identity for Simd128 {
    const KIND: BackendKind = BackendKind::Simd128;
}

impl Peak for Simd128 {
    fn peak_f32(iters: u32) -> f32 {
        peak_f32_with(iters, madd::<f32>)
    }
}

/// [`Peak::peak_f32`] with the multiply-add of a backend: twelve chains `c ← $madd(c, m, add)`.
#[inline(always)]
pub(super) fn peak_f32_with(iters: u32, madd: impl Fn(v128, v128, v128) -> v128) -> f32 {
    let m = f32x4_splat(0.999_999);
    let add = f32x4_splat(1e-7);
    let mut c = [f32x4_splat(1.0); 12];
    for (i, ci) in c.iter_mut().enumerate() {
        *ci = f32x4_splat(1.0 + i as f32 * 1e-3);
    }
    for _ in 0..iters {
        for ci in c.iter_mut() {
            *ci = madd(*ci, m, add);
        }
    }
    let mut s = f32x4_splat(0.0);
    for ci in c {
        s = f32x4_add(s, ci);
    }
    f32x4_extract_lane::<0>(s) + f32x4_extract_lane::<1>(s) + f32x4_extract_lane::<2>(s) + f32x4_extract_lane::<3>(s)
}
