//! Kernel backends: what differs per instruction set, apart from the number type
//! ([`Element`](crate::element::Element)), in the manner of *matrixmultiply*'s `GemmKernel` beside
//! its `Element`.
//!
//! - [`Backend<T>`] (the contract, `contract.rs`): for one element type, the GEMM register tile
//!   and cache blocks, the microkernel, the two packing routines, dot, axpy and the sigmoid over a
//!   slice; [`Peak`]: the arithmetic ceiling of the instruction set; [`Identity`]: which backend
//!   it is ([`BackendKind`], what the artefact reports through `bp_backend`);
//! - one module per backend: [`scalar`], the scalar references, which are also the scalar
//!   artefact's kernels; `simd128`, the SIMD128 kernels (compiled only for `wasm32` with
//!   `+simd128`). Each SIMD kernel has its scalar twin with the same operations in the same order
//!   (no fused multiply-add), so the two artefacts agree to the last bit; `relaxed`, the SIMD128
//!   kernels with `relaxed_madd` for their multiply-adds (compiled only with `+relaxed-simd` too),
//!   whose bits depend on the CPU (fused or not) and agree with the others within the f32
//!   tolerance only;
//! - [`Real`]: an element type with the kernels of the backend in force, the bound of the GEMM
//!   driver, the activations, the optimizers and the MLP.
//!
//! The backend in force, [`Active`], is chosen below and nowhere else: a new backend is its
//! module, its `mod` line and its condition in that choice.

use crate::kernels::exp::ExpPoly;

mod contract;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
pub mod relaxed;
pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

/// The backend in force.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
pub type Active = relaxed::Relaxed;
/// The backend in force.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
pub type Active = simd128::Simd128;
/// The backend in force.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub type Active = scalar::Scalar;

pub use contract::{last_index, Backend, BackendKind, Identity, Peak, MAX_TILE};

/// Which backend is in force (`bp_backend`): read from [`Active`], so from the choice above and
/// nowhere else.
pub const ACTIVE_KIND: BackendKind = <Active as Identity>::KIND;

/// An element type with the kernels of the backend in force (f32 and f64): `T::Kernels::dot(x, y)`.
pub trait Real: ExpPoly {
    type Kernels: Backend<Self>;
}

impl Real for f32 {
    type Kernels = Active;
}

impl Real for f64 {
    type Kernels = Active;
}
