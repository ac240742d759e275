//! The GEMM packing in SIMD128: whole vectors moved at once (the lines of f64 pack with the scalar
//! loop).

use core::arch::wasm32::*;

use super::memory::{load, store};

/// GEMM packing of lines contiguous in depth (`Scalar::pack_lines`), four lines by four
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

/// GEMM packing of runs contiguous in lanes (`Scalar::pack_runs`), f32 or f64: each run copied a
/// vector (four f32 or two f64 lanes) at a time with vector loads and stores (a short
/// `copy_from_slice` becomes a `memory.copy`, which costs more than the copy on runs of 4 or 8).
/// The bounds of every run are checked once, for the last (the furthest); runs of a whole sliver,
/// 4 or 8 lanes (`MR`, `NR`), are copied by an unrolled loop.
pub(in crate::kernels::backend) fn pack_runs<T: Copy>(
    src: &[T],
    base: usize,
    depth: usize,
    lanes: usize,
    kc: usize,
    w: usize,
    out: &mut [T],
) {
    // Whole vectors of f32 or f64 lanes: the loads and stores below move 16 bytes at a time.
    assert!(matches!(core::mem::size_of::<T>(), 4 | 8), "pack_runs: f32 or f64 only");
    assert!(kc.checked_mul(w).is_some_and(|n| n <= out.len()) && lanes <= w);
    if kc == 0 || lanes == 0 {
        return;
    }
    let end = (kc - 1).checked_mul(depth).and_then(|d| d.checked_add(base)).and_then(|s| s.checked_add(lanes));
    assert!(end.is_some_and(|e| e <= src.len()), "pack_runs: a run outside its operand");
    match lanes {
        8 => runs::<T, 8>(src, base, depth, kc, w, out),
        4 => runs::<T, 4>(src, base, depth, kc, w, out),
        _ => {
            let v = 16 / core::mem::size_of::<T>();
            let body = lanes / v * v;
            for p in 0..kc {
                let (s, o) = (base + p * depth, p * w);
                for q in (0..body).step_by(v) {
                    // SAFETY: s + q + v ≤ s + lanes ≤ src.len() (asserted for the last run, and s
                    // grows with p); o + q + v ≤ p·w + w ≤ kc·w ≤ out.len() (asserted).
                    unsafe { store(out, o + q, load(src, s + q)) };
                }
                for q in body..lanes {
                    out[o + q] = src[s + q];
                }
            }
        }
    }
}

/// `pack_runs` for runs of exactly `L` lanes (a whole number of vectors), bounds checked by the caller.
#[inline(always)]
fn runs<T: Copy, const L: usize>(src: &[T], base: usize, depth: usize, kc: usize, w: usize, out: &mut [T]) {
    let v = 16 / core::mem::size_of::<T>();
    for p in 0..kc {
        let (s, o) = (base + p * depth, p * w);
        for q in (0..L).step_by(v) {
            // SAFETY: as in `pack_runs`, with lanes = L ≤ w.
            unsafe { store(out, o + q, load(src, s + q)) };
        }
    }
}
