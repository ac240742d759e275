//! Vector kernels for the batch-size-1 path (matrix-vector work), scalar references of the SIMD
//! ones in `kernels::simd`: the same partial sums, combined in the same order.

use crate::element::Element;

/// `Σ_i x_i·y_i` with `NR` partial sums (partial `i mod NR`, as the two SIMD accumulators hold
/// them), combined as the SIMD horizontal sum does, then the tail added in order.
pub fn dot_ref<T: Element>(x: &[T], y: &[T]) -> T {
    let n = x.len().min(y.len());
    if n < T::NR {
        return dot_short(&x[..n], &y[..n]);
    }
    let w = T::NR; // 8 for f32 (2 × f32x4), 4 for f64 (2 × f64x2)
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

/// `y ← y + α·x` over `y.len()` elements.
pub fn axpy_ref<T: Element>(alpha: T, x: &[T], y: &mut [T]) {
    assert!(x.len() >= y.len());
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `Σ_i x_i·y_i` in order: what `dot_ref` and the SIMD dot products compute below one full
/// chunk (their partial sums are then all zero), without their set-up.
#[inline(always)]
pub fn dot_short<T: Element>(x: &[T], y: &[T]) -> T {
    let mut s = T::ZERO;
    for (&a, &b) in x.iter().zip(y) {
        s += a * b;
    }
    s
}
