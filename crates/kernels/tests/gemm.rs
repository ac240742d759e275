//! The packed GEMM against a naive triple loop, for every transposition the training step uses, on sizes
//! that hit every remainder of the register tile and the cache blocks. Output buffers start as NaN
//! so an unwritten cell fails.

use backprop_kernels::kernels::backend::Real;
use backprop_kernels::kernels::gemm::{gemm, MatRef, Workspace};
#[path = "common/seeded.rs"]
mod seeded;
use seeded::values as fill;

const SIZES: [usize; 8] = [0, 1, 3, 5, 8, 17, 33, 129];

#[allow(clippy::too_many_arguments)]
fn naive(
    m: usize,
    n: usize,
    k: usize,
    alpha: f64,
    a: &[f64],
    rsa: usize,
    csa: usize,
    b: &[f64],
    rsb: usize,
    csb: usize,
) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0;
            for p in 0..k {
                s += a[i * rsa + p * csa] * b[p * rsb + j * csb];
            }
            c[i * n + j] = alpha * s;
        }
    }
    c
}

/// Checks every (transA, transB) combination at one size; `tol` relative to Σ|a||b|.
fn check<T: Real>(m: usize, n: usize, k: usize, tol: f64) {
    let a: Vec<T> = fill(m * k, 1 + m as u64);
    let b: Vec<T> = fill(k * n, 2 + n as u64);
    let a64: Vec<f64> = a.iter().map(|v| v.to_f64()).collect();
    let b64: Vec<f64> = b.iter().map(|v| v.to_f64()).collect();
    let mut ws = Workspace::<T>::try_for(&[(m, n, k)]).unwrap();
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
        let (rsa, csa) = if ta { (1, m) } else { (k, 1) };
        let (rsb, csb) = if tb { (1, k) } else { (n, 1) };
        let want = naive(m, n, k, 0.5, &a64, rsa, csa, &b64, rsb, csb);
        let mut c = vec![T::from_f64(f64::NAN); m * n];
        gemm(
            m,
            n,
            k,
            T::from_f64(0.5),
            MatRef::new(&a, rsa, csa),
            MatRef::new(&b, rsb, csb),
            false,
            &mut c,
            n,
            1,
            &mut ws,
        );
        for (idx, (&got, &w)) in c.iter().zip(&want).enumerate() {
            let err = (got.to_f64() - w).abs();
            assert!(
                err <= tol * (k as f64).max(1.0),
                "m={m} n={n} k={k} ta={ta} tb={tb} at {idx}: {} vs {w}",
                got.to_f64()
            );
        }
        // Accumulate: C ← αAB + C, on a C already holding the product.
        gemm(
            m,
            n,
            k,
            T::from_f64(0.5),
            MatRef::new(&a, rsa, csa),
            MatRef::new(&b, rsb, csb),
            true,
            &mut c,
            n,
            1,
            &mut ws,
        );
        for (&got, &w) in c.iter().zip(&want) {
            assert!((got.to_f64() - 2.0 * w).abs() <= 2.0 * tol * (k as f64).max(1.0));
        }
    }
}

#[test]
fn gemm_matches_naive_f64_on_remainder_sizes() {
    for &m in &SIZES {
        for &n in &SIZES {
            for &k in &SIZES {
                check::<f64>(m, n, k, 1e-15);
            }
        }
    }
}

#[test]
fn gemm_matches_naive_f32_on_remainder_sizes() {
    for &m in &SIZES {
        for &n in &SIZES {
            for &k in &SIZES {
                check::<f32>(m, n, k, 1e-6);
            }
        }
    }
}

#[test]
fn gemm_crosses_cache_blocks() {
    // Past KC (256) in k, past MC (64) in m: the blocked loops' seams.
    check::<f64>(130, 70, 600, 1e-15);
    check::<f32>(130, 70, 600, 1e-6);
}

#[test]
fn gemm_column_strided_output() {
    // C written transposed (rsc = 1, csc = m) must equal the transpose of the row-major result.
    let (m, n, k) = (7, 9, 5);
    let a: Vec<f64> = fill(m * k, 3);
    let b: Vec<f64> = fill(k * n, 4);
    let mut ws = Workspace::<f64>::try_for(&[(m, n, k)]).unwrap();
    let mut c1 = vec![f64::NAN; m * n];
    let mut c2 = vec![f64::NAN; m * n];
    gemm(m, n, k, 1.0, MatRef::new(&a, k, 1), MatRef::new(&b, n, 1), false, &mut c1, n, 1, &mut ws);
    gemm(m, n, k, 1.0, MatRef::new(&a, k, 1), MatRef::new(&b, n, 1), false, &mut c2, 1, m, &mut ws);
    for i in 0..m {
        for j in 0..n {
            assert_eq!(c1[i * n + j], c2[j * m + i]);
        }
    }
}

#[test]
fn gemm_reads_operands_with_any_strides() {
    // Neither stride 1: every other element of a wider matrix (the packers' general path).
    let (m, n, k) = (9, 11, 7);
    let a_wide: Vec<f64> = fill(m * k * 4, 5);
    let b_wide: Vec<f64> = fill(k * n * 4, 6);
    let (rsa, csa, rsb, csb) = (2 * k * 2, 2, 2, 2 * k * 2);
    let want = naive(m, n, k, 1.0, &a_wide, rsa, csa, &b_wide, rsb, csb);
    let mut c = vec![f64::NAN; m * n];
    let mut ws = Workspace::<f64>::try_for(&[(m, n, k)]).unwrap();
    gemm(m, n, k, 1.0, MatRef::new(&a_wide, rsa, csa), MatRef::new(&b_wide, rsb, csb), false, &mut c, n, 1, &mut ws);
    for (got, w) in c.iter().zip(&want) {
        assert!((got - w).abs() <= 1e-14, "{got} vs {w}");
    }
}

/// The bits of `C ← A·B` (row-major A, Wᵀ-like B) computed in `ws`.
fn product_bits<T: Real>(m: usize, n: usize, k: usize, ws: &mut Workspace<T>) -> Vec<u64> {
    let a: Vec<T> = fill(m * k, 7);
    let b: Vec<T> = fill(n * k, 8);
    let mut c = vec![T::from_f64(f64::NAN); m * n];
    gemm(m, n, k, T::ONE, MatRef::new(&a, k, 1), MatRef::new(&b, 1, k), false, &mut c, n, 1, ws);
    c.iter().map(|v| v.to_f64().to_bits()).collect()
}

#[test]
fn a_workspace_sized_for_the_product_gives_the_bits_of_a_large_one() {
    // Below and past every block (MC = 64, KC = 256), with remainders of the tile.
    for (m, n, k) in [(2, 3, 1), (5, 17, 33), (70, 9, 300), (129, 130, 257), (3, 2100, 5)] {
        let mut small = Workspace::<f32>::try_for(&[(m, n, k)]).unwrap();
        let mut large = Workspace::<f32>::try_for(&[(512, 4096, 1024)]).unwrap();
        assert!(small.len() < large.len());
        assert_eq!(product_bits(m, n, k, &mut small), product_bits(m, n, k, &mut large), "{m} × {n} × {k}");
        let mut small = Workspace::<f64>::try_for(&[(m, n, k)]).unwrap();
        let mut large = Workspace::<f64>::try_for(&[(512, 4096, 1024)]).unwrap();
        assert_eq!(product_bits(m, n, k, &mut small), product_bits(m, n, k, &mut large), "{m} × {n} × {k}");
    }
}

#[test]
fn a_workspace_holds_the_largest_block_of_its_products_and_no_more() {
    let ws = Workspace::<f32>::try_for(&[(16, 128, 784), (128, 784, 16)]).unwrap();
    // A: ⌈min(64, 128)⌉₄ × min(256, 16) = 1024 vs 16 × min(256, 784) = 4096; B: 256 × 128 = 32768
    // vs 16 × 784 = 12544.
    assert_eq!(ws.len(), 4096 + 32768);
    assert!(ws.holds(16, 128, 784) && ws.holds(128, 784, 16) && ws.holds(2, 128, 784));
    assert!(!ws.holds(17, 128, 784) && !ws.holds(16, 136, 784));
    assert!(Workspace::<f32>::try_for(&[]).unwrap().is_empty());
    assert!(Workspace::<f32>::try_for(&[(0, 5, 5), (5, 5, 0)]).unwrap().is_empty());
}

#[test]
#[should_panic(expected = "workspace too small")]
fn a_workspace_too_small_for_the_product_is_a_bug_caught() {
    let mut ws = Workspace::<f64>::try_for(&[(4, 4, 4)]).unwrap();
    product_bits(8, 4, 4, &mut ws);
}

/// `Backend::dot_in_order`, the forward pass's way through layers too small to pack: an element
/// of `C ← B + 1·A·Wᵀ` computed alone (`b + dot_in_order(w_j, a_i)`) has the bits the GEMM gives
/// it, on every shape below a cache block, with values of both signs and exact zeros.
fn each_element_alone_has_the_bits_of_the_product<T: Real>() {
    use backprop_kernels::kernels::backend::Backend;
    for (m, n, k) in [(1, 1, 1), (4, 4, 2), (4, 1, 4), (7, 7, 7), (5, 3, 9), (9, 2, 33), (3, 8, 256)] {
        let mut a: Vec<T> = fill(m * k, 11 + k as u64);
        let w: Vec<T> = fill(n * k, 12 + n as u64);
        a[0] = T::ZERO;
        let bias: Vec<T> = fill(n, 13);
        let mut c: Vec<T> = (0..m * n).map(|i| bias[i % n]).collect();
        let mut ws = Workspace::<T>::try_for(&[(m, n, k)]).unwrap();
        gemm(m, n, k, T::ONE, MatRef::new(&a, k, 1), MatRef::new(&w, 1, k), true, &mut c, n, 1, &mut ws);
        let alone: Vec<T> = (0..m * n)
            .map(|e| bias[e % n] + T::Kernels::dot_in_order(&w[(e % n) * k..][..k], &a[(e / n) * k..][..k]))
            .collect();
        assert_eq!(seeded::bits(&alone), seeded::bits(&c), "{m} × {n} × {k}");
    }
}

#[test]
fn each_element_computed_alone_has_the_bits_of_the_product() {
    each_element_alone_has_the_bits_of_the_product::<f32>();
    each_element_alone_has_the_bits_of_the_product::<f64>();
}
