//! Losses per sample and the output delta `δ_L`.
//!
//! - mean squared error (the paper's Eq. 46): `L = ½ Σ_k (a_k − y_k)²`, `δ_L = f′(z_L) ⊙ (a_L − y)`
//!   (Eq. 26, 56);
//! - cross-entropy with a softmax output: `L = −Σ_k y_k ln a_k`, `δ_L = a_L − y`.
//!
//! Loss sums are accumulated in f64 whatever the element type.

use super::activation::{mul_derivative, Activation};
use crate::element::Element;

/// Loss codes. Must match `LOSS_CODES` in ts/wasm/exports.ts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Loss {
    Mse = 0,
    CrossEntropy = 1,
}

impl Loss {
    /// Every loss, in the order of their codes.
    pub const ALL: [Loss; 2] = [Loss::Mse, Loss::CrossEntropy];

    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.get(code as usize).copied()
    }

    /// The name the TypeScript API gives it.
    pub const fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::CrossEntropy => "cross-entropy",
        }
    }
}

/// `Σ_rows L(row)` over a `rows × n` block (`z`, `a`: the output layer; `y`: targets).
pub fn loss_sum<T: Element>(loss: Loss, z: &[T], a: &[T], y: &[T], n: usize) -> f64 {
    let mut total = 0.0;
    match loss {
        Loss::Mse => {
            for (&ai, &yi) in a.iter().zip(y) {
                let e = (ai - yi).to_f64();
                total += 0.5 * e * e;
            }
        }
        Loss::CrossEntropy => {
            // ln softmax(z)_k = z_k − lse(z): exact where a_k underflows to 0.
            for (zr, yr) in z.chunks_exact(n).zip(y.chunks_exact(n)) {
                let m = zr.iter().fold(zr[0].to_f64(), |m, v| m.max(v.to_f64()));
                let lse = m + zr.iter().map(|v| (v.to_f64() - m).exp()).sum::<f64>().ln();
                for (&zi, &yi) in zr.iter().zip(yr) {
                    if yi != T::ZERO {
                        total -= yi.to_f64() * (zi.to_f64() - lse);
                    }
                }
            }
        }
    }
    total
}

/// Writes `δ_L` into `d` and returns `Σ_rows L(row)`.
pub fn output_delta<T: Element>(loss: Loss, act: Activation, z: &[T], a: &[T], y: &[T], d: &mut [T], n: usize) -> f64 {
    let total = loss_sum(loss, z, a, y, n);
    for ((di, &ai), &yi) in d.iter_mut().zip(a).zip(y) {
        *di = ai - yi;
    }
    if loss == Loss::Mse {
        mul_derivative(act, z, a, d);
    }
    total
}

/// The number of rows whose prediction is right: the largest output names the class
/// (`n > 1`, targets one-hot or probabilities), or the output is on the target's side of ½ (`n = 1`).
pub fn correct_count<T: Element>(a: &[T], y: &[T], n: usize) -> usize {
    let half = T::from_f64(0.5);
    a.chunks_exact(n)
        .zip(y.chunks_exact(n))
        .filter(|(ar, yr)| if n == 1 { (ar[0] >= half) == (yr[0] >= half) } else { argmax(ar) == argmax(yr) })
        .count()
}

/// Index of the first largest element.
pub fn argmax<T: Element>(v: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
