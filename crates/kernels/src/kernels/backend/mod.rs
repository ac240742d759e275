//! Kernel backends: what differs per instruction set, apart from the number type
//! ([`Element`]), in the manner of *matrixmultiply*'s `GemmKernel` beside its `Element`.
//!
//! - [`Backend<T>`]: for one element type, the GEMM register tile and cache blocks, the
//!   microkernel, the two packing routines, dot, axpy and the sigmoid over a slice;
//! - [`Peak`]: the arithmetic ceiling of the instruction set;
//! - [`Real`]: an element type with the kernels of the backend in force, the bound of the GEMM
//!   driver, the activations, the optimizers and the MLP.
//!
//! One file per backend: [`scalar`] holds the scalar references, which are also the scalar
//! artefact's kernels, and `simd128` the SIMD128 kernels (compiled only for `wasm32` with
//! `+simd128`). Each SIMD kernel has its scalar twin with the same operations in the same order
//! (no fused multiply-add), so the two artefacts agree to the last bit.
//!
//! The backend in force is chosen below and nowhere else: a new backend (a relaxed-SIMD one, say)
//! is its file, its `mod` line and its condition in the choice of [`Active`].

use crate::element::Element;
use crate::kernels::exp::ExpPoly;

pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

/// The backend in force.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub type Active = simd128::Simd128;
/// The backend in force.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub type Active = scalar::Scalar;

/// An element type with the kernels of the backend in force (f32 and f64).
pub trait Real: ExpPoly {
    type Kernels: Backend<Self>;
}

impl Real for f32 {
    type Kernels = Active;
}

impl Real for f64 {
    type Kernels = Active;
}

/// Largest `MR × NR` tile of any backend and element type (the edge-tile scratch buffer of the
/// GEMM driver and the scalar microkernel's accumulators have this size).
pub const MAX_TILE: usize = 32;

/// The kernels of one instruction set for the element type `T`. Every method's contract is the
/// scalar reference's, in [`scalar`].
pub trait Backend<T: Element> {
    /// Rows of the GEMM register tile (rows of C computed at once).
    const MR: usize;
    /// Columns of the GEMM register tile: a whole number of SIMD vectors.
    const NR: usize;
    /// Depth of a packed panel (the shared dimension per pass): an A sliver and a B sliver fit L1.
    /// It decides where the sums of a product are split, so every backend of one artefact family
    /// must keep it.
    const KC: usize;
    /// Rows of C per packed A block (L2).
    const MC: usize;
    /// Columns of C per packed B panel.
    const NC: usize;

    /// `C[0..MR][0..NR] ← α·Σ_p a_p ⊗ b_p (+ C when accumulate)`, see [`scalar::microkernel_ref`].
    #[allow(clippy::too_many_arguments)]
    fn microkernel(kc: usize, alpha: T, a: &[T], b: &[T], c: &mut [T], rsc: usize, csc: usize, accumulate: bool);

    /// `Σ_i x_i·y_i` over `min(x.len(), y.len())` elements, see [`scalar::dot_ref`].
    fn dot(x: &[T], y: &[T]) -> T;

    /// `y ← y + α·x` over `y.len()` elements (`x.len() ≥ y.len()`).
    fn axpy(alpha: T, x: &[T], y: &mut [T]);

    /// GEMM packing of runs contiguous in lanes, see [`scalar::pack_runs_ref`].
    fn pack_runs(src: &[T], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [T]);

    /// GEMM packing of lines contiguous in depth, see [`scalar::pack_lines_ref`].
    fn pack_lines(src: &[T], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [T]);

    /// `a ← σ(z)` elementwise over `a.len()` elements (`z.len() ≥ a.len()`), see
    /// [`scalar::sigmoid_ref`].
    fn sigmoid(z: &[T], a: &mut [T]);
}

/// The arithmetic ceiling: how many multiply-adds per second the machine sustains on one core
/// when nothing waits for memory.
pub trait Peak {
    /// Runs `iters` rounds of twelve independent multiply-add chains of four f32 lanes (96 flops a
    /// round: twelve chains hide the latency of each operation); the result depends on every chain
    /// so nothing is optimized away.
    fn peak_f32(iters: u32) -> f32;
}

/// The index of element `(rows − 1, cols − 1)` of a matrix with strides `rs`, `cs`, unless it
/// overflows (`rows, cols ≥ 1`).
pub fn last_index(rows: usize, cols: usize, rs: usize, cs: usize) -> Option<usize> {
    (rows - 1).checked_mul(rs)?.checked_add((cols - 1).checked_mul(cs)?)
}
