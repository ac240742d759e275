//! Kernels and training loop of wasm-backprop: fully-connected networks trained with
//! backpropagation (the matrix formulation), compiled natively for tests and to WebAssembly,
//! with and without SIMD128, for the TypeScript library.
//!
//! - [`element`]: the number type (f32 or f64) every kernel is generic over;
//! - [`kernels`]: GEMM, activations, losses, optimizers, and the backends (scalar, SIMD128) of
//!   what differs per instruction set;
//! - [`mlp`]: the multi-layer perceptron: buffers, the fused training step, the epoch loops (memory
//!   layout documented there);
//! - [`random`]: the generator that draws each epoch's row order (as ts/random.ts draws it);
//! - [`abi`]: the C-ABI entry points the TypeScript layer calls.
//!
//! The design, and the numerical agreement the engines keep with each other, are described in
//! docs/ARCHITECTURE.md.

pub mod abi;
mod alloc;
pub mod element;
pub mod kernels;
pub mod mlp;
pub mod random;
