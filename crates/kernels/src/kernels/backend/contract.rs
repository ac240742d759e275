//! The contract of a kernel backend: what every instruction set provides for each element type
//! ([`Backend`]) and whatever the element type ([`Peak`]).

use crate::element::Element;

/// Largest `MR × NR` tile of any backend and element type (the edge-tile scratch buffer of the
/// GEMM driver and the scalar microkernel's accumulators have this size).
pub const MAX_TILE: usize = 32;

/// The kernels of one instruction set for the element type `T`. Each implementation computes what
/// the scalar one ([`Scalar`](super::scalar::Scalar)) does, in the same order, so that results
/// agree to the last bit; the relaxed-SIMD one alone may round each multiply-add once instead of
/// twice (the CPU's FMA), and agrees within the rounding of f32 or f64.
pub trait Backend<T: Element> {
    /// Rows of the GEMM register tile (rows of C computed at once).
    const MR: usize;
    /// Columns of the GEMM register tile: a whole number of SIMD vectors.
    const NR: usize;
    /// Depth of a packed panel (the shared dimension per pass): an A sliver and a B sliver fit L1.
    /// It decides where the sums of a product are split, so the backends whose results must agree
    /// keep this one.
    const KC: usize = 256;
    /// Rows of C per packed A block (L2).
    const MC: usize = 64;
    /// Columns of C per packed B panel.
    const NC: usize = 2048;

    /// The GEMM microkernel: `C[0..MR][0..NR] ← α·Σ_{p<kc} a_p ⊗ b_p (+ C when accumulate)`,
    /// with `a_p = a[p·MR ..][..MR]` and `b_p = b[p·NR ..][..NR]` (packed slivers) and `C[i][j]`
    /// at `c[i·rsc + j·csc]`.
    #[allow(clippy::too_many_arguments)]
    fn microkernel(kc: usize, alpha: T, a: &[T], b: &[T], c: &mut [T], rsc: usize, csc: usize, accumulate: bool);

    /// `Σ_i x_i·y_i` over `min(x.len(), y.len())` elements.
    fn dot(x: &[T], y: &[T]) -> T;

    /// `Σ_p x_p·y_p` over `min(x.len(), y.len())` elements in order from zero, each step the
    /// microkernel's multiply-add: one element of a product of depth at most `KC`, computed alone,
    /// with the bits the microkernel gives it (`acc ← a_p·b_p + acc` lane by lane, then `1·acc`).
    fn dot_in_order(x: &[T], y: &[T]) -> T;

    /// `y ← y + α·x` over `y.len()` elements (`x.len() ≥ y.len()`).
    fn axpy(alpha: T, x: &[T], y: &mut [T]);

    /// GEMM packing of lanes contiguous at each depth: `out[p·w + q] = src[base + p·depth + q]`
    /// for `q < lanes ≤ w`, `p < kc` (row copies).
    fn pack_runs(src: &[T], base: usize, depth: usize, lanes: usize, kc: usize, w: usize, out: &mut [T]);

    /// GEMM packing of lines contiguous in depth: `out[p·w + q] = src[base + q·lane + p]` for
    /// `q < lanes ≤ w`, `p < kc` (a transposition).
    fn pack_lines(src: &[T], base: usize, lane: usize, lanes: usize, kc: usize, w: usize, out: &mut [T]);

    /// `a ← σ(z)` elementwise over `a.len()` elements (`z.len() ≥ a.len()`), without overflow.
    fn sigmoid(z: &[T], a: &mut [T]);
}

/// The backends, as the ABI names them (`bp_backend`, and `bp_describe`'s `"backends"`). Must
/// match `BACKEND_CODES` in ts/wasm/exports.ts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum BackendKind {
    Scalar = 0,
    Simd128 = 1,
    RelaxedSimd = 2,
}

impl BackendKind {
    /// Every backend, in the order of its code.
    pub const ALL: [BackendKind; 3] = [BackendKind::Scalar, BackendKind::Simd128, BackendKind::RelaxedSimd];

    /// The name the TypeScript layer reports (`backend`).
    pub const fn name(self) -> &'static str {
        match self {
            BackendKind::Scalar => "scalar",
            BackendKind::Simd128 => "simd128",
            BackendKind::RelaxedSimd => "relaxed-simd",
        }
    }
}

/// Which backend an implementation is, whatever the element type.
pub trait Identity {
    const KIND: BackendKind;
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
