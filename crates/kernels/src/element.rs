//! The number type: one small trait that makes every kernel generic over `f32` and `f64`.
//!
//! `Element` is only the number: zero and one, conversions from and to f64, arithmetic, and the
//! library functions the kernels call on one value (`exp`, `tanh`, `sqrt`, `abs`). What differs
//! per instruction set (the GEMM tile, the microkernel, dot, axpy, packing, the sigmoid over a
//! slice) is a kernel backend, in `kernels::backend`, in the manner of *matrixmultiply*'s
//! `Element` apart from its `GemmKernel`. This file imports nothing from the crate.

use core::fmt::Debug;
use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

pub trait Element:
    Copy
    + Default
    + PartialEq
    + PartialOrd
    + Debug
    + Send
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    const ZERO: Self;
    const ONE: Self;

    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn tanh(self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
}

/// `impl Element` for a primitive float; `$f` are the methods that call the primitive's own.
macro_rules! element {
    ($t:ty; $($f:ident),*) => {
        impl Element for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;

            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            $(
                #[inline(always)]
                fn $f(self) -> Self {
                    <$t>::$f(self)
                }
            )*
        }
    };
}

element!(f32; exp, tanh, sqrt, abs);
element!(f64; exp, tanh, sqrt, abs);
