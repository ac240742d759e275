//! The mathematics, one file per family.

pub mod activation;
pub mod exp;
pub mod gemm;
pub mod loss;
pub mod optimizer;
pub mod peak;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd;
pub mod vector;
