//! The scalar backend: the references of the SIMD kernels, and the kernels of the scalar
//! artefact. Each computes the same sums in the same order as its SIMD twin lane by lane (one
//! multiply and one add each, no fused multiply-add), so the two artefacts agree to the last bit.

use super::contract::{last_index, Backend, BackendKind, Identity, Peak, MAX_TILE};
use crate::element::Element;
use crate::kernels::exp::ExpPoly;

/// The scalar backend (every element type with the polynomial `exp`).
pub struct Scalar;

/// Elements in two 128-bit vectors: the SIMD128 tile's width, and the number of partial sums its
/// dot products keep (8 for f32, 4 for f64).
const fn vector_pair<T>() -> usize {
    32 / core::mem::size_of::<T>()
}

impl<T: ExpPoly> Backend<T> for Scalar {
    const MR: usize = 4;
    const NR: usize = vector_pair::<T>();

    /// The sum runs over `p` in order, one multiply and one add each, exactly as the SIMD kernels
    /// do lane by lane.
    fn microkernel(kc: usize, alpha: T, a: &[T], b: &[T], c: &mut [T], rsc: usize, csc: usize, accumulate: bool) {
        let (mr, nr) = (<Self as Backend<T>>::MR, <Self as Backend<T>>::NR);
        assert!(a.len() >= kc * mr && b.len() >= kc * nr && last_index(mr, nr, rsc, csc).is_some_and(|i| i < c.len()));
        let mut acc = [T::ZERO; MAX_TILE];
        for p in 0..kc {
            let ap = &a[p * mr..][..mr];
            let bp = &b[p * nr..][..nr];
            for i in 0..mr {
                for j in 0..nr {
                    acc[i * nr + j] += ap[i] * bp[j];
                }
            }
        }
        for i in 0..mr {
            for j in 0..nr {
                let cij = &mut c[i * rsc + j * csc];
                let v = alpha * acc[i * nr + j];
                *cij = if accumulate { *cij + v } else { v };
            }
        }
    }

    /// One partial sum per lane of two 128-bit vectors (partial `i mod w`, as the two SIMD
    /// accumulators hold them), combined as the SIMD horizontal sum does, then the tail added in
    /// order.
    fn dot(x: &[T], y: &[T]) -> T {
        let w = vector_pair::<T>(); // 8 for f32 (2 × f32x4), 4 for f64 (2 × f64x2)
        let n = x.len().min(y.len());
        if n < w {
            return dot_short(&x[..n], &y[..n]);
        }
        let body = n / w * w;
        let mut p = [T::ZERO; 8];
        for (xs, ys) in x[..body].chunks_exact(w).zip(y[..body].chunks_exact(w)) {
            for j in 0..w {
                p[j] += xs[j] * ys[j];
            }
        }
        let half = w / 2;
        let mut h = [T::ZERO; 4];
        for j in 0..half {
            h[j] = p[j] + p[j + half];
        }
        let mut s = if half == 4 { (h[0] + h[1]) + (h[2] + h[3]) } else { h[0] + h[1] };
        for j in body..n {
            s += x[j] * y[j];
        }
        s
    }

    #[inline(always)]
    fn dot_in_order(x: &[T], y: &[T]) -> T {
        dot_short(x, y)
    }

    fn axpy(alpha: T, x: &[T], y: &mut [T]) {
        assert!(x.len() >= y.len());
        for (yi, &xi) in y.iter_mut().zip(x) {
            *yi += alpha * xi;
        }
    }

    fn pack_runs(src: &[T], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [T]) {
        for (p, row) in out.chunks_exact_mut(w).take(kc).enumerate() {
            row[..lanes].copy_from_slice(&src[base + p * depth..][..lanes]);
        }
    }

    fn pack_lines(src: &[T], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [T]) {
        for q in 0..lanes {
            let line = &src[base + q * lane..][..kc];
            for (row, &v) in out.chunks_exact_mut(w).zip(line) {
                row[q] = v;
            }
        }
    }

    /// [`sigmoid_one`] on every element.
    fn sigmoid(z: &[T], a: &mut [T]) {
        for (a, &z) in a.iter_mut().zip(z) {
            *a = sigmoid_one(z);
        }
    }
}

/// `Σ_i x_i·y_i` in order: what the dot products compute below one full chunk (their partial sums
/// are then all zero), without their set-up.
#[inline(always)]
pub fn dot_short<T: Element>(x: &[T], y: &[T]) -> T {
    let mut s = T::ZERO;
    for (&a, &b) in x.iter().zip(y) {
        s += a * b;
    }
    s
}

/// The logistic function of one value without overflow: with `e = exp(−|z|)` (never above 1) and
/// `r = 1/(1+e)`, `σ(z) = r` for `z ≥ 0` and `e·r` below (the SIMD sigmoid does the same lane by
/// lane).
#[inline(always)]
pub fn sigmoid_one<T: ExpPoly>(z: T) -> T {
    let e = (-z.abs()).exp_poly();
    let r = T::ONE / (T::ONE + e);
    if z >= T::ZERO {
        r
    } else {
        e * r
    }
}

impl Identity for Scalar {
    const KIND: BackendKind = BackendKind::Scalar;
}

impl Peak for Scalar {
    fn peak_f32(iters: u32) -> f32 {
        let mut c = [[0f32; 4]; 12];
        for (i, ci) in c.iter_mut().enumerate() {
            *ci = [1.0 + i as f32 * 1e-3; 4];
        }
        for _ in 0..iters {
            for ci in c.iter_mut() {
                for v in ci.iter_mut() {
                    *v = *v * 0.999_999 + 1e-7;
                }
            }
        }
        c.iter().flatten().sum()
    }
}
