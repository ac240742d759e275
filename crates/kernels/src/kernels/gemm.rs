//! General matrix product with packing: `C ← α·A·B (+ C)`, for any strides of A, B and C.
//!
//! A minibatch needs three products, each a different transposition of row-major operands:
//!
//! ```text
//!   forward      Z  = X · Wᵀ        A = X  (rs = n_in, cs = 1)    B = Wᵀ (rs = 1,    cs = n_in)
//!   deltas       Δ⁻ = Δ · W         A = Δ  (rs = n_out, cs = 1)   B = W  (rs = n_in, cs = 1)
//!   gradients    ∇W = α · Δᵀ · X    A = Δᵀ (rs = 1, cs = n_out)   B = X  (rs = n_in, cs = 1)
//! ```
//!
//! All three run at the same speed because the driver first copies ("packs") each operand block
//! into the order the microkernel reads: A in slivers of `MR` rows, B in slivers of `NR` columns,
//! both `k`-major. Packing costs O(mk + kn); the product costs O(mnk).
//!
//! Loop nest (BLIS order), with the cache level each block is sized for:
//!
//! ```text
//!   'jc: for each panel of NC columns of C
//!     'pc: for each slice of KC of the shared dimension      pack B[pc.., jc..]  (KC × NC)
//!       'ic: for each block of MC rows of C                  pack A[ic.., pc..]  (MC × KC, L2)
//!         'jr: for each sliver of NR columns                 (B sliver, KC × NR, stays in L1)
//!           'ir: for each sliver of MR rows                  microkernel on an MR × NR tile of C
//! ```

use crate::element::Element;
use crate::kernels::backend::{last_index, Backend, Real, MAX_TILE};

/// A read-only strided matrix view: element `(i, j)` is `data[i·rs + j·cs]`.
#[derive(Clone, Copy)]
pub struct MatRef<'a, T> {
    pub data: &'a [T],
    pub rs: usize,
    pub cs: usize,
}

impl<'a, T: Element> MatRef<'a, T> {
    pub fn new(data: &'a [T], rs: usize, cs: usize) -> Self {
        MatRef { data, rs, cs }
    }

    /// Whether a `rows × cols` matrix with these strides lies inside `data`.
    fn covers(&self, rows: usize, cols: usize) -> bool {
        rows == 0 || cols == 0 || last_index(rows, cols, self.rs, self.cs).is_some_and(|i| i < self.data.len())
    }
}

/// The allocator could not provide a buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OutOfMemory;

/// Packing buffers, allocated once by the owner (an MLP) for the products it computes and reused
/// by each of them. Only their length depends on the products: the blocks the driver cuts
/// (`KC`, `MC`, `NC`) do not, so a product gives the same bits in any workspace that holds it.
pub struct Workspace<T> {
    apack: Vec<T>,
    bpack: Vec<T>,
}

impl<T: Real> Workspace<T> {
    /// No buffers: a workspace for no product (or only empty ones).
    pub fn none() -> Self {
        Workspace { apack: Vec::new(), bpack: Vec::new() }
    }

    /// Buffers for products of the shapes `(m, n, k)` (`C` is `m × n`, the shared dimension `k`),
    /// each as large as the largest of them needs: an A block of `⌈min(MC, m)⌉_MR × min(KC, k)`,
    /// a B panel of `min(KC, k) × ⌈min(NC, n)⌉_NR`. No products, or only empty ones: no buffers.
    pub fn try_for(products: &[(usize, usize, usize)]) -> Result<Self, OutOfMemory> {
        let (mut a_len, mut b_len) = (0, 0);
        // An empty product packs nothing (`gemm` returns before packing).
        for &(m, n, k) in products.iter().filter(|&&(m, n, k)| m > 0 && n > 0 && k > 0) {
            a_len = a_len.max(a_block::<T>(m, k));
            b_len = b_len.max(b_panel::<T>(n, k));
        }
        Ok(Workspace { apack: try_zeroed(a_len)?, bpack: try_zeroed(b_len)? })
    }

    /// Whether the buffers hold what the product `(m, n, k)` packs.
    pub fn holds(&self, m: usize, n: usize, k: usize) -> bool {
        self.apack.len() >= a_block::<T>(m, k) && self.bpack.len() >= b_panel::<T>(n, k)
    }

    /// Elements held, both buffers together.
    pub fn len(&self) -> usize {
        self.apack.len() + self.bpack.len()
    }

    /// Whether no buffer is held (a workspace for no product).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Elements of the largest packed A block of a product with `m` rows and depth `k`.
fn a_block<T: Real>(m: usize, k: usize) -> usize {
    round_up(T::Kernels::MC.min(m), T::Kernels::MR) * T::Kernels::KC.min(k)
}

/// Elements of the largest packed B panel of a product with `n` columns and depth `k`.
fn b_panel<T: Real>(n: usize, k: usize) -> usize {
    T::Kernels::KC.min(k) * round_up(T::Kernels::NC.min(n), T::Kernels::NR)
}

/// A zero-filled vector, or `Err` where memory cannot be had (instead of aborting).
pub fn try_zeroed<T: Element>(len: usize) -> Result<Vec<T>, OutOfMemory> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| OutOfMemory)?;
    v.resize(len, T::ZERO);
    Ok(v)
}

#[inline(always)]
pub fn round_up(x: usize, m: usize) -> usize {
    x.div_ceil(m) * m
}

/// `C ← α·A·B`, or `C ← α·A·B + C` when `accumulate` (BLAS's β ∈ {0, 1}).
///
/// - `A` is `m × k`, `B` is `k × n`, `C` is `m × n` at `c[i·rsc + j·csc]`.
/// - `C` must not alias `A` or `B` (the borrow checker enforces it).
/// - With `k = 0` the product is zero: C is zeroed, or left as it is when accumulating.
///
/// Panics (a bug in the caller, never user input: the ABI validates first) when a view is too
/// short for its shape, or `ws` too small for the product ([`Workspace::holds`]).
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Real>(
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    accumulate: bool,
    c: &mut [T],
    rsc: usize,
    csc: usize,
    ws: &mut Workspace<T>,
) {
    assert!(a.covers(m, k) && b.covers(k, n), "gemm: operand shorter than its shape");
    assert!(m == 0 || n == 0 || last_index(m, n, rsc, csc).is_some_and(|i| i < c.len()), "gemm: C too short");
    if m == 0 || n == 0 {
        return;
    }
    assert!(k == 0 || ws.holds(m, n, k), "gemm: workspace too small for {m} × {n} × {k}");
    if k == 0 {
        if !accumulate {
            for i in 0..m {
                for j in 0..n {
                    c[i * rsc + j * csc] = T::ZERO;
                }
            }
        }
        return;
    }
    let (mr, nr) = (T::Kernels::MR, T::Kernels::NR);
    let nc_max = T::Kernels::NC;
    let mut tile = [T::ZERO; MAX_TILE];

    // 'jc: panels of NC columns

    for jc in (0..n).step_by(nc_max) {
        let nc = nc_max.min(n - jc);
        // 'pc: slices of KC
        for pc in (0..k).step_by(T::Kernels::KC) {
            let kc = T::Kernels::KC.min(k - pc);
            pack_b(kc, nc, b, pc, jc, &mut ws.bpack);
            // The first slice of k overwrites (unless asked to accumulate); later slices add.
            let acc = accumulate || pc > 0;
            // 'ic: blocks of MC rows
            for ic in (0..m).step_by(T::Kernels::MC) {
                let mc = T::Kernels::MC.min(m - ic);
                pack_a(mc, kc, a, ic, pc, &mut ws.apack);
                // 'jr: slivers of NR columns
                for jr in (0..nc).step_by(nr) {
                    let nrr = nr.min(nc - jr);
                    let bp = &ws.bpack[(jr / nr) * kc * nr..][..kc * nr];
                    // 'ir: slivers of MR rows
                    for ir in (0..mc).step_by(mr) {
                        let mrr = mr.min(mc - ir);
                        let ap = &ws.apack[(ir / mr) * kc * mr..][..kc * mr];
                        let off = (ic + ir) * rsc + (jc + jr) * csc;
                        if mrr == mr && nrr == nr {
                            T::Kernels::microkernel(kc, alpha, ap, bp, &mut c[off..], rsc, csc, acc);
                        } else {
                            // Edge tile: compute the whole padded tile aside, keep its valid part.
                            T::Kernels::microkernel(kc, alpha, ap, bp, &mut tile, nr, 1, false);
                            for i in 0..mrr {
                                for j in 0..nrr {
                                    let cij = &mut c[off + i * rsc + j * csc];
                                    *cij = if acc { *cij + tile[i * nr + j] } else { tile[i * nr + j] };
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Packs `A[ic..ic+mc][pc..pc+kc]` into slivers of `MR` rows: sliver `s` holds, for each `p`,
/// the `MR` values `A[ic + s·MR + r][pc + p]`, rows past `mc` zero.
fn pack_a<T: Real>(mc: usize, kc: usize, a: MatRef<T>, ic: usize, pc: usize, out: &mut [T]) {
    let mr = T::Kernels::MR;
    for s in 0..mc.div_ceil(mr) {
        let sliver = &mut out[s * kc * mr..][..kc * mr];
        let rows = mr.min(mc - s * mr);
        pack_sliver(a.data, (ic + s * mr) * a.rs + pc * a.cs, a.rs, a.cs, rows, kc, mr, sliver);
    }
}

/// Packs `B[pc..pc+kc][jc..jc+nc]` into slivers of `NR` columns: sliver `s` holds, for each `p`,
/// the `NR` values `B[pc + p][jc + s·NR + q]`, columns past `nc` zero.
fn pack_b<T: Real>(kc: usize, nc: usize, b: MatRef<T>, pc: usize, jc: usize, out: &mut [T]) {
    let nr = T::Kernels::NR;
    for s in 0..nc.div_ceil(nr) {
        let sliver = &mut out[s * kc * nr..][..kc * nr];
        let cols = nr.min(nc - s * nr);
        pack_sliver(b.data, pc * b.rs + (jc + s * nr) * b.cs, b.cs, b.rs, cols, kc, nr, sliver);
    }
}

/// One `kc × w` sliver: `out[p·w + q] = src[base + q·lane + p·depth]` for `q < lanes`, zero for
/// `lanes ≤ q < w`. The two layouts the MLP's products have get a loop without strided reads:
/// lines contiguous in depth (`depth = 1`), or lanes contiguous at each depth (`lane = 1`).
#[allow(clippy::too_many_arguments)]
fn pack_sliver<T: Real>(
    src: &[T],
    base: usize,
    lane: usize,
    depth: usize,
    lanes: usize,
    kc: usize,
    w: usize,
    out: &mut [T],
) {
    if depth == 1 {
        T::Kernels::pack_lines(src, base, lane, lanes, kc, w, out);
    } else if lane == 1 {
        T::Kernels::pack_runs(src, base, depth, lanes, kc, w, out);
    } else {
        for (p, row) in out.chunks_exact_mut(w).enumerate() {
            for (q, v) in row[..lanes].iter_mut().enumerate() {
                *v = src[base + q * lane + p * depth];
            }
        }
    }
    if lanes < w {
        for row in out.chunks_exact_mut(w) {
            row[lanes..].fill(T::ZERO);
        }
    }
}
