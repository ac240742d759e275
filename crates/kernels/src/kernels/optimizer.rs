//! Parameter updates from averaged gradients `g` (Eq. 5: the mean over the minibatch).
//!
//! - SGD (the paper's): `p ← p − η·g`
//! - momentum: `v ← μ·v − η·g`, `p ← p + v`
//! - Adam: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
//!   `p ← p − η·m̂ / (√v̂ + ε)` with `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`
//!
//! Weights and biases are updated by separate calls, with η and η_b.

use crate::kernels::backend::{Backend, Real};

/// Optimizer kinds, by their codes. Must match `OPTIMIZER_CODES` in ts/wasm/exports.ts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OptimizerKind {
    Sgd = 0,
    Momentum = 1,
    Adam = 2,
}

impl OptimizerKind {
    /// Every kind, in the order of their codes.
    pub const ALL: [OptimizerKind; 3] = [OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adam];

    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.get(code as usize).copied()
    }

    /// The name the TypeScript API gives it.
    pub const fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Adam => "adam",
        }
    }
}

/// An optimizer with its settings.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Optimizer {
    Sgd,
    Momentum { mu: f64 },
    Adam { beta1: f64, beta2: f64, eps: f64 },
}

impl Optimizer {
    /// Settings the update formulas are defined for: 0 ≤ μ < 1, 0 ≤ β₁, β₂ < 1, ε > 0.
    pub fn is_valid(&self) -> bool {
        let unit = |v: f64| (0.0..1.0).contains(&v);
        match *self {
            Optimizer::Sgd => true,
            Optimizer::Momentum { mu } => unit(mu),
            Optimizer::Adam { beta1, beta2, eps } => unit(beta1) && unit(beta2) && eps > 0.0,
        }
    }

    /// The optimizer of kind `code` with the settings `h1, h2, h3` (momentum: μ; Adam: β₁, β₂, ε).
    pub fn from_code(code: u32, h1: f64, h2: f64, h3: f64) -> Option<Self> {
        Some(match OptimizerKind::from_code(code)? {
            OptimizerKind::Sgd => Optimizer::Sgd,
            OptimizerKind::Momentum => Optimizer::Momentum { mu: h1 },
            OptimizerKind::Adam => Optimizer::Adam { beta1: h1, beta2: h2, eps: h3 },
        })
    }

    pub fn kind(&self) -> OptimizerKind {
        match self {
            Optimizer::Sgd => OptimizerKind::Sgd,
            Optimizer::Momentum { .. } => OptimizerKind::Momentum,
            Optimizer::Adam { .. } => OptimizerKind::Adam,
        }
    }

    /// How many moment buffers (each as long as the parameters) the optimizer keeps: buffer 0 is
    /// momentum's velocity or Adam's m, buffer 1 Adam's v.
    pub fn moment_count(&self) -> usize {
        match self {
            Optimizer::Sgd => 0,
            Optimizer::Momentum { .. } => 1,
            Optimizer::Adam { .. } => 2,
        }
    }
}

/// One update of the parameters `p` from the gradient `g` with learning rate `lr`; `m` and `v`
/// are the optimizer's state for these parameters (the length of `p` where the optimizer uses
/// them: `m` for momentum, both for Adam; anything for SGD), `t ≥ 1` the update count.
pub fn update<T: Real>(opt: Optimizer, lr: f64, t: u64, p: &mut [T], g: &[T], m: &mut [T], v: &mut [T]) {
    debug_assert!(g.len() == p.len());
    assert!(
        opt == Optimizer::Sgd
            || (m.len() == p.len() && (v.len() == p.len() || matches!(opt, Optimizer::Momentum { .. })))
    );
    match opt {
        Optimizer::Sgd => T::Kernels::axpy(T::from_f64(-lr), g, p),
        Optimizer::Momentum { mu } => {
            let (mu, lr) = (T::from_f64(mu), T::from_f64(lr));
            for ((pi, &gi), vi) in p.iter_mut().zip(g).zip(m.iter_mut()) {
                *vi = mu * *vi - lr * gi;
                *pi += *vi;
            }
        }
        Optimizer::Adam { beta1, beta2, eps } => {
            let t = t.min(i32::MAX as u64) as i32;
            let c1 = T::from_f64(1.0 / (1.0 - beta1.powi(t)));
            let c2 = T::from_f64(1.0 / (1.0 - beta2.powi(t)));
            let (b1, b2) = (T::from_f64(beta1), T::from_f64(beta2));
            let (ob1, ob2) = (T::ONE - b1, T::ONE - b2);
            let (lr, eps) = (T::from_f64(lr), T::from_f64(eps));
            for (((pi, &gi), mi), vi) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                *mi = b1 * *mi + ob1 * gi;
                *vi = b2 * *vi + ob2 * gi * gi;
                let mhat = *mi * c1;
                let vhat = *vi * c2;
                *pi -= lr * mhat / (vhat.sqrt() + eps);
            }
        }
    }
}
