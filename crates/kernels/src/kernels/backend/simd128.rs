//! The SIMD128 backend (compiled only for `wasm32` with `+simd128`). Each kernel has a scalar
//! reference in [`super::scalar`] with the same contract and the same order of additions.
//!
//! Arithmetic intrinsics are safe functions; only loads and stores are `unsafe`, and they go
//! through `load`, `store` and `load_splat` below, whose bounds every kernel establishes with an
//! `assert!` before its loop.

use core::arch::wasm32::*;

use super::scalar::{dot_short, pack_lines_ref, pack_runs_ref, sigmoid_ref};
use super::{last_index, Backend, Peak};
use crate::kernels::exp::{f32c, f64c};

/// The SIMD128 backend: f32 in f32x4 lanes, f64 in f64x2 lanes.
pub struct Simd128;

impl Backend<f32> for Simd128 {
    const MR: usize = 4;
    const NR: usize = 8; // two f32x4 vectors
    const KC: usize = 256;
    const MC: usize = 64;
    const NC: usize = 2048;

    #[inline(always)]
    fn microkernel(kc: usize, alpha: f32, a: &[f32], b: &[f32], c: &mut [f32], rsc: usize, csc: usize, accumulate: bool) {
        microkernel_f32(kc, alpha, a, b, c, rsc, csc, accumulate);
    }

    #[inline(always)]
    fn dot(x: &[f32], y: &[f32]) -> f32 {
        dot_f32(x, y)
    }

    #[inline(always)]
    fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
        axpy_f32(alpha, x, y);
    }

    #[inline(always)]
    fn pack_runs(src: &[f32], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [f32]) {
        pack_runs_f32(src, base, depth, lanes, kc, w, out);
    }

    #[inline(always)]
    fn pack_lines(src: &[f32], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [f32]) {
        pack_lines_f32(src, base, lane, lanes, kc, w, out);
    }

    #[inline(always)]
    fn sigmoid(z: &[f32], a: &mut [f32]) {
        sigmoid_f32(z, a);
    }
}

impl Backend<f64> for Simd128 {
    const MR: usize = 4;
    const NR: usize = 4; // two f64x2 vectors
    const KC: usize = 256;
    const MC: usize = 64;
    const NC: usize = 2048;

    #[inline(always)]
    fn microkernel(kc: usize, alpha: f64, a: &[f64], b: &[f64], c: &mut [f64], rsc: usize, csc: usize, accumulate: bool) {
        microkernel_f64(kc, alpha, a, b, c, rsc, csc, accumulate);
    }

    #[inline(always)]
    fn dot(x: &[f64], y: &[f64]) -> f64 {
        dot_f64(x, y)
    }

    #[inline(always)]
    fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
        axpy_f64(alpha, x, y);
    }

    /// The scalar packing: f64 runs and lines are too short for vectors to pay.
    fn pack_runs(src: &[f64], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [f64]) {
        pack_runs_ref(src, base, depth, lanes, kc, w, out);
    }

    fn pack_lines(src: &[f64], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [f64]) {
        pack_lines_ref(src, base, lane, lanes, kc, w, out);
    }

    #[inline(always)]
    fn sigmoid(z: &[f64], a: &mut [f64]) {
        sigmoid_f64(z, a);
    }
}

/// Loads the 16 bytes at `s[i..]`.
///
/// # Safety
/// `i + 16 / size_of::<T>() ≤ s.len()`: the whole vector lies inside `s`. (`v128_load` has no
/// alignment requirement.)
#[inline(always)]
unsafe fn load<T>(s: &[T], i: usize) -> v128 {
    debug_assert!((i + 16 / core::mem::size_of::<T>()) <= s.len());
    // SAFETY: the caller's contract puts the 16 bytes inside `s`.
    unsafe { v128_load(s.as_ptr().add(i) as *const v128) }
}

/// Stores `v` in the 16 bytes at `s[i..]`.
///
/// # Safety
/// `i + 16 / size_of::<T>() ≤ s.len()`: the whole vector lies inside `s`. (`v128_store` has no
/// alignment requirement.)
#[inline(always)]
unsafe fn store<T>(s: &mut [T], i: usize, v: v128) {
    debug_assert!((i + 16 / core::mem::size_of::<T>()) <= s.len());
    // SAFETY: the caller's contract puts the 16 bytes inside `s`.
    unsafe { v128_store(s.as_mut_ptr().add(i) as *mut v128, v) }
}

/// Loads `s[i]` into every lane (one `v128.load32_splat` / `v128.load64_splat`).
///
/// # Safety
/// `i < s.len()`, and `T` is 4 or 8 bytes wide.
#[inline(always)]
unsafe fn load_splat<T>(s: &[T], i: usize) -> v128 {
    debug_assert!(i < s.len());
    // SAFETY: the caller's contract puts element `i` inside `s`; a load of its width reads it.
    unsafe {
        if core::mem::size_of::<T>() == 4 {
            v128_load32_splat(s.as_ptr().add(i) as *const u32)
        } else {
            v128_load64_splat(s.as_ptr().add(i) as *const u64)
        }
    }
}

/// f32 microkernel, tile 4 × 8 (MR × NR). Register layout, one row of C per pair:
///
/// ```text
///            b0 = b[p·8 .. p·8+4]   b1 = b[p·8+4 .. p·8+8]
///   row 0:   c00 += a0·b0            c01 += a0·b1        a_i = splat(a[p·4 + i])
///   row 1:   c10 += a1·b0            c11 += a1·b1
///   row 2:   c20 += a2·b0            c21 += a2·b1
///   row 3:   c30 += a3·b0            c31 += a3·b1
/// ```
/// 8 accumulators + 2 B vectors + 1 broadcast = 11 of the 16 vector registers of x86-64. Every
/// `a_i` is one `load32_splat`.
#[allow(clippy::too_many_arguments)]
pub fn microkernel_f32(
    kc: usize,
    alpha: f32,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    rsc: usize,
    csc: usize,
    accumulate: bool,
) {
    assert!(a.len() >= kc * 4 && b.len() >= kc * 8 && last_index(4, 8, rsc, csc).is_some_and(|i| i < c.len()));
    let z = f32x4_splat(0.0);
    let mut acc = [[z; 2]; 4];
    for p in 0..kc {
        // SAFETY: p·8 + 8 ≤ kc·8 ≤ b.len() (asserted).
        let (b0, b1) = unsafe { (load(b, p * 8), load(b, p * 8 + 4)) };
        for (i, row) in acc.iter_mut().enumerate() {
            // SAFETY: p·4 + i < kc·4 ≤ a.len() (asserted), i < 4.
            let ai = unsafe { load_splat(a, p * 4 + i) };
            row[0] = f32x4_add(row[0], f32x4_mul(ai, b0));
            row[1] = f32x4_add(row[1], f32x4_mul(ai, b1));
        }
    }
    let va = f32x4_splat(alpha);
    for (i, row) in acc.iter().enumerate() {
        let r0 = f32x4_mul(va, row[0]);
        let r1 = f32x4_mul(va, row[1]);
        if csc == 1 {
            let off = i * rsc;
            // SAFETY: with csc = 1, off + 8 ≤ 3·rsc + 8 = last_index(4, 8, rsc, 1) + 1 ≤ c.len() (asserted).
            unsafe {
                if accumulate {
                    store(c, off, f32x4_add(load(c, off), r0));
                    store(c, off + 4, f32x4_add(load(c, off + 4), r1));
                } else {
                    store(c, off, r0);
                    store(c, off + 4, r1);
                }
            }
        } else {
            let lanes = [
                f32x4_extract_lane::<0>(r0),
                f32x4_extract_lane::<1>(r0),
                f32x4_extract_lane::<2>(r0),
                f32x4_extract_lane::<3>(r0),
                f32x4_extract_lane::<0>(r1),
                f32x4_extract_lane::<1>(r1),
                f32x4_extract_lane::<2>(r1),
                f32x4_extract_lane::<3>(r1),
            ];
            for (j, v) in lanes.into_iter().enumerate() {
                let cij = &mut c[i * rsc + j * csc];
                *cij = if accumulate { *cij + v } else { v };
            }
        }
    }
}

/// f64 microkernel, tile 4 × 4: the same layout as the f32 one with f64x2 vectors.
#[allow(clippy::too_many_arguments)]
pub fn microkernel_f64(
    kc: usize,
    alpha: f64,
    a: &[f64],
    b: &[f64],
    c: &mut [f64],
    rsc: usize,
    csc: usize,
    accumulate: bool,
) {
    assert!(a.len() >= kc * 4 && b.len() >= kc * 4 && last_index(4, 4, rsc, csc).is_some_and(|i| i < c.len()));
    let z = f64x2_splat(0.0);
    let mut acc = [[z; 2]; 4];
    for p in 0..kc {
        // SAFETY: p·4 + 4 ≤ kc·4 ≤ b.len() (asserted).
        let (b0, b1) = unsafe { (load(b, p * 4), load(b, p * 4 + 2)) };
        for (i, row) in acc.iter_mut().enumerate() {
            // SAFETY: p·4 + i < kc·4 ≤ a.len() (asserted), i < 4.
            let ai = unsafe { load_splat(a, p * 4 + i) };
            row[0] = f64x2_add(row[0], f64x2_mul(ai, b0));
            row[1] = f64x2_add(row[1], f64x2_mul(ai, b1));
        }
    }
    let va = f64x2_splat(alpha);
    for (i, row) in acc.iter().enumerate() {
        let r0 = f64x2_mul(va, row[0]);
        let r1 = f64x2_mul(va, row[1]);
        if csc == 1 {
            let off = i * rsc;
            // SAFETY: with csc = 1, off + 4 ≤ 3·rsc + 4 = last_index(4, 4, rsc, 1) + 1 ≤ c.len() (asserted).
            unsafe {
                if accumulate {
                    store(c, off, f64x2_add(load(c, off), r0));
                    store(c, off + 2, f64x2_add(load(c, off + 2), r1));
                } else {
                    store(c, off, r0);
                    store(c, off + 2, r1);
                }
            }
        } else {
            let lanes = [
                f64x2_extract_lane::<0>(r0),
                f64x2_extract_lane::<1>(r0),
                f64x2_extract_lane::<0>(r1),
                f64x2_extract_lane::<1>(r1),
            ];
            for (j, v) in lanes.into_iter().enumerate() {
                let cij = &mut c[i * rsc + j * csc];
                *cij = if accumulate { *cij + v } else { v };
            }
        }
    }
}

/// f32 dot product: two accumulators of four lanes (element `i` goes to partial `i mod 8`),
/// then `((p0+p4) + (p1+p5)) + ((p2+p6) + (p3+p7))`, then the tail in order.
pub fn dot_f32(x: &[f32], y: &[f32]) -> f32 {
    let n = x.len().min(y.len());
    if n < 8 {
        return dot_short(&x[..n], &y[..n]);
    }
    let body = n / 8 * 8;
    assert!(body <= x.len() && body <= y.len());
    let (mut s0, mut s1) = (f32x4_splat(0.0), f32x4_splat(0.0));
    let mut i = 0;
    while i < body {
        // SAFETY: i + 8 ≤ body ≤ x.len(), y.len() (asserted).
        let (x0, y0, x1, y1) = unsafe { (load(x, i), load(y, i), load(x, i + 4), load(y, i + 4)) };
        s0 = f32x4_add(s0, f32x4_mul(x0, y0));
        s1 = f32x4_add(s1, f32x4_mul(x1, y1));
        i += 8;
    }
    let h = f32x4_add(s0, s1);
    let mut s = (f32x4_extract_lane::<0>(h) + f32x4_extract_lane::<1>(h))
        + (f32x4_extract_lane::<2>(h) + f32x4_extract_lane::<3>(h));
    for j in body..n {
        s += x[j] * y[j];
    }
    s
}

/// f64 dot product: two accumulators of two lanes (partial `i mod 4`), then
/// `(p0+p2) + (p1+p3)`, then the tail in order.
pub fn dot_f64(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    if n < 4 {
        return dot_short(&x[..n], &y[..n]);
    }
    let body = n / 4 * 4;
    assert!(body <= x.len() && body <= y.len());
    let (mut s0, mut s1) = (f64x2_splat(0.0), f64x2_splat(0.0));
    let mut i = 0;
    while i < body {
        // SAFETY: i + 4 ≤ body ≤ x.len(), y.len() (asserted).
        let (x0, y0, x1, y1) = unsafe { (load(x, i), load(y, i), load(x, i + 2), load(y, i + 2)) };
        s0 = f64x2_add(s0, f64x2_mul(x0, y0));
        s1 = f64x2_add(s1, f64x2_mul(x1, y1));
        i += 4;
    }
    let h = f64x2_add(s0, s1);
    let mut s = f64x2_extract_lane::<0>(h) + f64x2_extract_lane::<1>(h);
    for j in body..n {
        s += x[j] * y[j];
    }
    s
}

/// `y ← y + α·x`, four lanes at a time.
pub fn axpy_f32(alpha: f32, x: &[f32], y: &mut [f32]) {
    let n = y.len();
    assert!(x.len() >= n);
    let body = n / 4 * 4;
    let va = f32x4_splat(alpha);
    let mut i = 0;
    while i < body {
        // SAFETY: i + 4 ≤ body ≤ y.len() ≤ x.len() (asserted).
        unsafe { store(y, i, f32x4_add(load(y, i), f32x4_mul(va, load(x, i)))) };
        i += 4;
    }
    for j in body..n {
        y[j] += alpha * x[j];
    }
}

/// `y ← y + α·x`, two lanes at a time.
pub fn axpy_f64(alpha: f64, x: &[f64], y: &mut [f64]) {
    let n = y.len();
    assert!(x.len() >= n);
    let body = n / 2 * 2;
    let va = f64x2_splat(alpha);
    let mut i = 0;
    while i < body {
        // SAFETY: i + 2 ≤ body ≤ y.len() ≤ x.len() (asserted).
        unsafe { store(y, i, f64x2_add(load(y, i), f64x2_mul(va, load(x, i)))) };
        i += 2;
    }
    for j in body..n {
        y[j] += alpha * x[j];
    }
}

/// `eˣ` on four f32 lanes: `exp::exp_f32` lane by lane, the same operations in the same order.
#[inline(always)]
fn exp_f32x4(x: v128) -> v128 {
    use f32c::*;
    let x = f32x4_max(f32x4_min(x, f32x4_splat(HI)), f32x4_splat(LO));
    let t = f32x4_add(f32x4_mul(x, f32x4_splat(LOG2E)), f32x4_splat(SHIFT));
    let n = f32x4_sub(t, f32x4_splat(SHIFT));
    let r = f32x4_sub(f32x4_sub(x, f32x4_mul(n, f32x4_splat(C1))), f32x4_mul(n, f32x4_splat(C2)));
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
    let x = f64x2_max(f64x2_min(x, f64x2_splat(HI)), f64x2_splat(LO));
    let t = f64x2_add(f64x2_mul(x, f64x2_splat(LOG2E)), f64x2_splat(SHIFT));
    let n = f64x2_sub(t, f64x2_splat(SHIFT));
    let r = f64x2_sub(f64x2_sub(x, f64x2_mul(n, f64x2_splat(C1))), f64x2_mul(n, f64x2_splat(C2)));
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

/// The sigmoid on four lanes: `e = exp(−|z|)`, `r = 1/(1+e)`, then `r` where `z ≥ 0` and `e·r`
/// elsewhere (`scalar::sigmoid_ref` lane by lane).
pub fn sigmoid_f32(z: &[f32], a: &mut [f32]) {
    let n = a.len();
    assert!(z.len() >= n);
    let body = n / 4 * 4;
    let one = f32x4_splat(1.0);
    let mut i = 0;
    while i < body {
        // SAFETY: i + 4 ≤ body ≤ a.len() ≤ z.len() (asserted).
        let zv = unsafe { load(z, i) };
        let e = exp_f32x4(f32x4_neg(f32x4_abs(zv)));
        let r = f32x4_div(one, f32x4_add(one, e));
        let pick = f32x4_ge(zv, f32x4_splat(0.0));
        // SAFETY: as for the load.
        unsafe { store(a, i, v128_bitselect(r, f32x4_mul(e, r), pick)) };
        i += 4;
    }
    sigmoid_ref(&z[body..n], &mut a[body..]);
}

/// The sigmoid on two f64 lanes (as `sigmoid_f32`).
pub fn sigmoid_f64(z: &[f64], a: &mut [f64]) {
    let n = a.len();
    assert!(z.len() >= n);
    let body = n / 2 * 2;
    let one = f64x2_splat(1.0);
    let mut i = 0;
    while i < body {
        // SAFETY: i + 2 ≤ body ≤ a.len() ≤ z.len() (asserted).
        let zv = unsafe { load(z, i) };
        let e = exp_f64x2(f64x2_neg(f64x2_abs(zv)));
        let r = f64x2_div(one, f64x2_add(one, e));
        let pick = f64x2_ge(zv, f64x2_splat(0.0));
        // SAFETY: as for the load.
        unsafe { store(a, i, v128_bitselect(r, f64x2_mul(e, r), pick)) };
        i += 2;
    }
    sigmoid_ref(&z[body..n], &mut a[body..]);
}

/// GEMM packing of lines contiguous in depth (`scalar::pack_lines_ref`), four lines by four
/// depths at a time: four loads, a 4 × 4 transposition in registers, four stores.
///
/// ```text
///   line q0+0:  v0 = [s00 s01 s02 s03]        t0 = [s00 s10 s20 s30]  → out[(p0+0)·w + q0 ..]
///   line q0+1:  v1 = [s10 s11 s12 s13]   ⇒    t1 = [s01 s11 s21 s31]  → out[(p0+1)·w + q0 ..]
///   line q0+2:  v2 = [s20 s21 s22 s23]        t2 = [s02 s12 s22 s32]  → out[(p0+2)·w + q0 ..]
///   line q0+3:  v3 = [s30 s31 s32 s33]        t3 = [s03 s13 s23 s33]  → out[(p0+3)·w + q0 ..]
/// ```
/// Lines and depths past the last whole block of four go through the scalar loop.
pub fn pack_lines_f32(src: &[f32], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [f32]) {
    assert!(out.len() >= kc * w && lanes <= w);
    let (q_body, p_body) = (lanes / 4 * 4, kc / 4 * 4);
    for q0 in (0..q_body).step_by(4) {
        let lines = [0, 1, 2, 3].map(|i| &src[base + (q0 + i) * lane..][..kc]);
        for p0 in (0..p_body).step_by(4) {
            // SAFETY: p0 + 4 ≤ p_body ≤ kc = the length of each line.
            let [v0, v1, v2, v3] = lines.map(|l| unsafe { load(l, p0) });
            let a = i32x4_shuffle::<0, 4, 1, 5>(v0, v1);
            let b = i32x4_shuffle::<0, 4, 1, 5>(v2, v3);
            let c = i32x4_shuffle::<2, 6, 3, 7>(v0, v1);
            let d = i32x4_shuffle::<2, 6, 3, 7>(v2, v3);
            // SAFETY: (p0 + 3)·w + q0 + 4 ≤ (p0 + 4)·w ≤ kc·w ≤ out.len(), as q0 + 4 ≤ lanes ≤ w (asserted).
            unsafe {
                store(out, p0 * w + q0, i32x4_shuffle::<0, 1, 4, 5>(a, b));
                store(out, (p0 + 1) * w + q0, i32x4_shuffle::<2, 3, 6, 7>(a, b));
                store(out, (p0 + 2) * w + q0, i32x4_shuffle::<0, 1, 4, 5>(c, d));
                store(out, (p0 + 3) * w + q0, i32x4_shuffle::<2, 3, 6, 7>(c, d));
            }
        }
        for p in p_body..kc {
            for (i, l) in lines.iter().enumerate() {
                out[p * w + q0 + i] = l[p];
            }
        }
    }
    for q in q_body..lanes {
        let line = &src[base + q * lane..][..kc];
        for (row, &v) in out.chunks_exact_mut(w).zip(line) {
            row[q] = v;
        }
    }
}

/// GEMM packing of runs contiguous in lanes (`scalar::pack_runs_ref`): each run copied four lanes
/// at a time with vector loads and stores (a short `copy_from_slice` becomes a `memory.copy`,
/// which costs more than the copy on runs of 4 or 8).
pub fn pack_runs_f32(src: &[f32], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [f32]) {
    assert!(out.len() >= kc * w && lanes <= w);
    let body = lanes / 4 * 4;
    for p in 0..kc {
        let run = &src[base + p * depth..][..lanes];
        let mut q = 0;
        while q < body {
            // SAFETY: q + 4 ≤ body ≤ lanes = run.len(); p·w + q + 4 ≤ p·w + w ≤ kc·w ≤ out.len() (asserted).
            unsafe { store(out, p * w + q, load(run, q)) };
            q += 4;
        }
        for q in body..lanes {
            out[p * w + q] = run[q];
        }
    }
}

impl Peak for Simd128 {
    fn peak_f32(iters: u32) -> f32 {
        let m = f32x4_splat(0.999_999);
        let add = f32x4_splat(1e-7);
        let mut c = [f32x4_splat(1.0); 12];
        for (i, ci) in c.iter_mut().enumerate() {
            *ci = f32x4_splat(1.0 + i as f32 * 1e-3);
        }
        for _ in 0..iters {
            for ci in c.iter_mut() {
                *ci = f32x4_add(f32x4_mul(*ci, m), add);
            }
        }
        let mut s = f32x4_splat(0.0);
        for ci in c {
            s = f32x4_add(s, ci);
        }
        f32x4_extract_lane::<0>(s) + f32x4_extract_lane::<1>(s) + f32x4_extract_lane::<2>(s) + f32x4_extract_lane::<3>(s)
    }
}
