//! Activation functions `a = f(z)` and their derivatives `f′(z)`, over a `rows × n` row-major
//! block. Softmax acts on each row as a whole (output layer only, paired with cross-entropy).

use crate::element::Element;
use crate::kernels::backend::scalar::sigmoid_one;
use crate::kernels::backend::{Backend, Real};
use crate::kernels::exp::ExpPoly;

/// Activation codes. Must match `ACTIVATION_CODES` in ts/wasm/exports.ts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Activation {
    Linear = 0,
    Sigmoid = 1,
    Tanh = 2,
    Relu = 3,
    LeakyRelu = 4,
    Softmax = 5,
}

/// Slope of leaky-relu for `z < 0`.
pub const LEAKY_SLOPE: f64 = 0.01;

impl Activation {
    /// Every activation, in the order of their codes.
    pub const ALL: [Activation; 6] = [
        Activation::Linear,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Softmax,
    ];

    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.get(code as usize).copied()
    }

    /// The name the TypeScript API gives it.
    pub const fn name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky-relu",
            Activation::Softmax => "softmax",
        }
    }
}

/// `f(z)` of one value for an elementwise activation (every value as `apply` computes it).
#[inline(always)]
pub fn activate_one<T: ExpPoly>(act: Activation, z: T) -> T {
    match act {
        Activation::Linear => z,
        Activation::Sigmoid => sigmoid_one(z),
        Activation::Tanh => z.tanh(),
        Activation::Relu => {
            if z > T::ZERO {
                z
            } else {
                T::ZERO
            }
        }
        Activation::LeakyRelu => {
            if z > T::ZERO {
                z
            } else {
                T::from_f64(LEAKY_SLOPE) * z
            }
        }
        Activation::Softmax => unreachable!("softmax acts on a whole row: apply"),
    }
}

/// `d·f′(z)` for one value, `f′` from `a` where that is exact (sigmoid: `a(1−a)`, tanh: `1−a²`).
#[inline(always)]
pub fn times_derivative<T: Element>(act: Activation, z: T, a: T, d: T) -> T {
    match act {
        Activation::Linear => d,
        Activation::Sigmoid => d * (a * (T::ONE - a)),
        Activation::Tanh => d * (T::ONE - a * a),
        Activation::Relu => {
            if z <= T::ZERO {
                T::ZERO
            } else {
                d
            }
        }
        Activation::LeakyRelu => {
            if z <= T::ZERO {
                d * T::from_f64(LEAKY_SLOPE)
            } else {
                d
            }
        }
        Activation::Softmax => unreachable!("softmax is only an output paired with cross-entropy"),
    }
}

/// `a ← f(z)` elementwise (softmax: per row of `n`).
pub fn apply<T: Real>(act: Activation, z: &[T], a: &mut [T], n: usize) {
    debug_assert_eq!(z.len(), a.len());
    match act {
        Activation::Sigmoid => T::Kernels::sigmoid(z, a),
        Activation::Softmax => {
            for (zr, ar) in z.chunks_exact(n).zip(a.chunks_exact_mut(n)) {
                let m = zr.iter().copied().fold(zr[0], |m, v| if v > m { v } else { m });
                let mut sum = T::ZERO;
                for (ai, &zi) in ar.iter_mut().zip(zr) {
                    *ai = (zi - m).exp();
                    sum += *ai;
                }
                let inv = T::ONE / sum;
                ar.iter_mut().for_each(|ai| *ai *= inv);
            }
        }
        _ => a.iter_mut().zip(z).for_each(|(a, &z)| *a = activate_one(act, z)),
    }
}

/// `d ← d ⊙ f′(z)`, with `f′` taken from `a` where that is exact and cheaper
/// (sigmoid: `a(1−a)`, tanh: `1−a²`). Softmax never reaches here: its delta is `a − y`.
pub fn mul_derivative<T: Element>(act: Activation, z: &[T], a: &[T], d: &mut [T]) {
    debug_assert!(z.len() == d.len() && a.len() == d.len());
    if act != Activation::Linear {
        d.iter_mut().zip(z).zip(a).for_each(|((d, &z), &a)| *d = times_derivative(act, z, a, *d));
    }
}
