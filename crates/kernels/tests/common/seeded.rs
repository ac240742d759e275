//! What several native test files share: seeded values, bit patterns, and one optimizer of each kind.

use backprop_kernels::kernels::backend::Real;
use backprop_kernels::kernels::optimizer::Optimizer;

/// One optimizer of each kind, with the usual settings.
#[allow(dead_code)]
pub const OPTIMIZERS: [Optimizer; 3] =
    [Optimizer::Sgd, Optimizer::Momentum { mu: 0.9 }, Optimizer::Adam { beta1: 0.9, beta2: 0.999, eps: 1e-8 }];

/// A small deterministic generator (values in [-1, 1)).
pub fn values<T: Real>(n: usize, seed: u64) -> Vec<T> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            T::from_f64(((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0)
        })
        .collect()
}

/// The bits of every value (as f64, exact for f32), for comparisons where −0 ≠ 0 and NaN = NaN.
#[allow(dead_code)]
pub fn bits<T: Real>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}
