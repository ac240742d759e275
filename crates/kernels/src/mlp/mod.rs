//! [`Mlp`], a multi-layer perceptron: its parameters, buffers and optimizer state (this file), the
//! fused training step (`step.rs`: forward pass, deltas, gradients, updates; paper section 3) and
//! the epoch loops (`epochs.rs`: `fit`, the per-sample SGD loop, `predict`, `evaluate`).
//!
//! Memory layout, all row-major:
//!
//! ```text
//!   params  = [ W_0 | b_0 | W_1 | b_1 | … | W_{L−1} | b_{L−1} | b_in ]
//!             W_l is n_{l+1} × n_l (row = destination neuron, column = source neuron: the
//!             paper's w_jk is W[k][j]); b_l has n_{l+1} and follows W_l directly (the per-sample
//!             loop takes both as one slice); b_in (n_0) only with an activated input
//!   grads: the same layout as params; the optimizer's moments too (opt_m: momentum's velocity or
//!   Adam's m; opt_v: Adam's v), allocated only for an optimizer that keeps them
//!   z[l], a[l], d[l]: capacity × n_l, one row per sample of the minibatch (z_0 and d_0 only with
//!   an activated input: otherwise nothing reads them); y: capacity × n_L, the staged targets
//! ```
//!
//! One training step over a minibatch of `r` rows (Eq. 1, 5, 26, 29, 57):
//!
//! ```text
//!   a_0 = X                           (or z_0 = X + b_in, a_0 = f_0(z_0) with an activated input)
//!   Z_{l+1} = A_l·W_lᵀ + b_l,  A_{l+1} = f_{l+1}(Z_{l+1})                 l = 0 … L−1
//!   Δ_L = f′(Z_L) ⊙ (A_L − Y)          (softmax with cross-entropy: Δ_L = A_L − Y)
//!   Δ_l = (Δ_{l+1}·W_l) ⊙ f′(Z_l)                                         l = L−1 … 1 (… 0)
//!   ∇W_l = (1/r)·Δ_{l+1}ᵀ·A_l,  ∇b_l = (1/r)·Σ_rows Δ_{l+1}
//!   then the optimizer, with every Δ computed from the weights of the forward pass.
//! ```
//!
//! Memory follows the minibatch in use. The per-row buffers (z, a, δ, y) and the GEMM packing
//! buffers are sized for `capacity` rows, which starts at what creation asks for (the TypeScript
//! engine asks for 1) and grows with [`Mlp::reserve`] to the largest minibatch staged; the packing
//! buffers hold what this MLP's products need at that capacity (nothing at capacity 1, where every
//! step is matrix-vector work). Growing changes no result: a product gives the same bits in any
//! workspace that holds it, and the per-row buffers are rewritten by every call. Training
//! allocates nothing; `predict` and `evaluate` work in blocks of [`BLOCK_ROWS`] rows whatever the
//! capacity, and allocate the forward buffers of one block for the call when the capacity is
//! smaller, so a prediction does not depend on how the MLP was trained before.

use crate::kernels::activation::Activation;
use crate::kernels::backend::Real;
use crate::kernels::gemm::{try_zeroed, OutOfMemory, Workspace};
use crate::kernels::loss::Loss;
use crate::kernels::optimizer::Optimizer;

mod epochs;
mod parts;
mod step;

/// Largest number of neurons in one layer.
pub const MAX_LAYER_SIZE: usize = 1 << 16;
/// Largest number of layers (input and output included).
pub const MAX_LAYERS: usize = 64;
/// Largest minibatch (rows per step) an MLP can hold.
pub const MAX_CAPACITY: usize = 1 << 16;
/// Largest number of elements in any one buffer (parameters, or one layer's rows).
pub const MAX_ELEMENTS: usize = 1 << 28;
/// Rows per forward pass of `predict` and `evaluate` (the last block may be shorter), whatever the
/// capacity: a row's output depends only on the block it falls in (a block of one row takes the
/// matrix-vector path, longer ones the GEMM, whose rows do not depend on each other).
pub const BLOCK_ROWS: usize = 256;

/// Layers with fewer neurons than this on both sides are computed one neuron at a time, without
/// the set-up of the vector kernels and the packing of the GEMM, which cost more than their
/// arithmetic (per-sample training, and the forward pass over several rows).
const NARROW: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Error {
    /// A size, code or combination that the contract does not allow.
    InvalidArgument,
    /// Within the contract, but beyond a documented limit.
    TooLarge,
    /// The allocator could not provide the memory.
    OutOfMemory,
    /// More rows than the MLP's capacity.
    BatchTooLarge,
    /// A row index in a permutation is not below the number of rows.
    IndexOutOfRange,
}

impl From<OutOfMemory> for Error {
    fn from(_: OutOfMemory) -> Self {
        Error::OutOfMemory
    }
}

pub struct Mlp<T: Real> {
    sizes: Vec<usize>,
    /// `acts[l]` is f_l; `acts[0]` is used only with an activated input layer.
    acts: Vec<Activation>,
    input_activated: bool,
    loss: Loss,
    params: Vec<T>,
    grads: Vec<T>,
    opt_m: Vec<T>,
    opt_v: Vec<T>,
    w_off: Vec<usize>,
    b_off: Vec<usize>,
    bin_off: usize,
    per_row: RowBuffers<T>,
    opt: Optimizer,
    lr: f64,
    lr_b: f64,
    /// Updates made so far (Adam's t).
    steps: u64,
}

impl<T: Real> Mlp<T> {
    /// An MLP with all parameters zero (the caller sets them: initialisation lives in TS so
    /// every engine starts from the same numbers).
    pub fn try_new(
        sizes: &[usize],
        acts: &[Activation],
        input_activated: bool,
        loss: Loss,
        capacity: usize,
    ) -> Result<Self, Error> {
        let layers = sizes.len();
        if layers < 2 || acts.len() != layers || capacity == 0 {
            return Err(Error::InvalidArgument);
        }
        if layers > MAX_LAYERS || capacity > MAX_CAPACITY {
            return Err(Error::TooLarge);
        }
        // Not `contains`, whose vectorized search costs ~1.7 KB of wasm for at most 64 sizes.
        #[allow(clippy::manual_contains)]
        if sizes.iter().any(|&n| n == 0) {
            return Err(Error::InvalidArgument);
        }
        if sizes.iter().any(|&n| n > MAX_LAYER_SIZE) {
            return Err(Error::TooLarge);
        }
        let out = acts[layers - 1];
        // Softmax only on the output and only with cross-entropy, which needs it.
        if acts[..layers - 1].contains(&Activation::Softmax)
            || (out == Activation::Softmax) != (loss == Loss::CrossEntropy)
        {
            return Err(Error::InvalidArgument);
        }
        let (mut w_off, mut b_off, mut len) = (Vec::new(), Vec::new(), 0usize);
        for l in 0..layers - 1 {
            // Checked: usize is 32 bits on wasm32, where 65536 × 65536 would wrap to 0.
            let weights = sizes[l + 1].checked_mul(sizes[l]).ok_or(Error::TooLarge)?;
            w_off.push(len);
            len = len.checked_add(weights).ok_or(Error::TooLarge)?;
            b_off.push(len);
            // The biases follow the weights directly (the per-sample loop relies on it).
            assert_eq!(b_off[l], w_off[l] + weights);
            len += sizes[l + 1];
            if len > MAX_ELEMENTS {
                return Err(Error::TooLarge);
            }
        }
        let bin_off = len;
        if input_activated {
            len += sizes[0];
        }
        let mut mlp = Mlp {
            sizes: sizes.to_vec(),
            acts: acts.to_vec(),
            input_activated,
            loss,
            params: try_zeroed(len)?,
            grads: try_zeroed(len)?,
            opt_m: Vec::new(),
            opt_v: Vec::new(),
            w_off,
            b_off,
            bin_off,
            per_row: RowBuffers::none(),
            opt: Optimizer::Sgd,
            lr: 0.0,
            lr_b: 0.0,
            steps: 0,
        };
        mlp.reserve(capacity)?;
        Ok(mlp)
    }

    /// Makes room for minibatches of `capacity` rows (reallocates the per-row buffers and the
    /// packing buffers; never shrinks). Pointers into z, a, d and the staging buffers change; no
    /// result does. On failure the MLP keeps the buffers it had.
    pub fn reserve(&mut self, capacity: usize) -> Result<(), Error> {
        if capacity == 0 {
            return Err(Error::InvalidArgument);
        }
        if capacity > MAX_CAPACITY {
            return Err(Error::TooLarge);
        }
        if capacity <= self.per_row.capacity {
            return Ok(());
        }
        self.per_row = RowBuffers::try_new(&self.sizes, self.input_activated, capacity, Use::Training)?;
        Ok(())
    }

    /// The block length for `rows` rows (`min(rows, BLOCK_ROWS)`, at least 1) and, where the
    /// capacity is smaller, the forward buffers of one block (z, a and packing, no δ or targets).
    fn block_buffers(&self, rows: usize) -> Result<(usize, Option<RowBuffers<T>>), Error> {
        let block = rows.clamp(1, BLOCK_ROWS);
        let spare = match block > self.per_row.capacity {
            true => Some(RowBuffers::try_new(&self.sizes, self.input_activated, block, Use::Forward)?),
            false => None,
        };
        Ok((block, spare))
    }

    /// Runs `f` with `spare` (from `block_buffers`) in force in place of the MLP's own per-row
    /// buffers, where there is one.
    fn with_rows<R>(&mut self, spare: &mut Option<RowBuffers<T>>, f: impl FnOnce(&mut Self) -> R) -> R {
        let Some(s) = spare.as_mut() else { return f(self) };
        core::mem::swap(&mut self.per_row, s);
        let r = f(self);
        core::mem::swap(&mut self.per_row, s);
        r
    }

    /// Runs `f` with per-row buffers of at least `min(rows, BLOCK_ROWS)` rows in force, passing
    /// that block length: the MLP's own when its capacity suffices, else, for this call only,
    /// the forward buffers of one block.
    fn with_block<R>(&mut self, rows: usize, f: impl FnOnce(&mut Self, usize) -> R) -> Result<R, Error> {
        let (block, mut spare) = self.block_buffers(rows)?;
        Ok(self.with_rows(&mut spare, |mlp| f(mlp, block)))
    }

    pub fn capacity(&self) -> usize {
        self.per_row.capacity
    }
    pub fn input_size(&self) -> usize {
        self.sizes[0]
    }
    pub fn output_size(&self) -> usize {
        *self.sizes.last().unwrap()
    }
    fn depth(&self) -> usize {
        self.sizes.len() - 1
    }

    pub fn params(&self) -> &[T] {
        &self.params
    }
    pub fn params_mut(&mut self) -> &mut [T] {
        &mut self.params
    }
    /// Whether every parameter is finite: `p − p` is 0 for a finite `p` and NaN otherwise, summed in
    /// eight running sums (lanes the compiler keeps in vector registers: a scan at the speed of
    /// the memory, which `trainBatch` makes after every update).
    #[allow(clippy::eq_op)] // p − p on purpose: NaN for an infinity or a NaN
    pub fn params_finite(&self) -> bool {
        let mut sums = [T::ZERO; 8];
        let chunks = self.params.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            for (s, &p) in sums.iter_mut().zip(c) {
                *s += p - p;
            }
        }
        for (s, &p) in sums.iter_mut().zip(rest) {
            *s += p - p;
        }
        sums.iter().fold(T::ZERO, |t, &s| t + s) == T::ZERO
    }
    pub fn grads(&self) -> &[T] {
        &self.grads
    }
    /// The staging buffer the next minibatch's inputs are written to (`capacity × n_0`).
    pub fn input_mut(&mut self) -> &mut [T] {
        if self.input_activated {
            &mut self.per_row.z[0]
        } else {
            &mut self.per_row.a[0]
        }
    }
    /// The staging buffer the next minibatch's targets are written to (`capacity × n_L`).
    pub fn target_mut(&mut self) -> &mut [T] {
        &mut self.per_row.y
    }
    /// The output activations `a_L` of the last forward pass (`capacity × n_L`).
    pub fn output(&self) -> &[T] {
        &self.per_row.a[self.depth()]
    }

    /// Sets the optimizer and learning rates (η for weights, η_b for biases). A change of
    /// optimizer kind clears its state.
    pub fn set_optimizer(&mut self, opt: Optimizer, lr: f64, lr_b: f64) -> Result<(), Error> {
        let len = self.params.len();
        let (needs_m, needs_v) = (opt.moment_count() >= 1, opt.moment_count() >= 2);
        if needs_m && self.opt_m.len() != len {
            self.opt_m = try_zeroed(len)?;
        }
        if needs_v && self.opt_v.len() != len {
            self.opt_v = try_zeroed(len)?;
        }
        // State an optimizer does not use is freed.
        if !needs_m {
            self.opt_m = Vec::new();
        }
        if !needs_v {
            self.opt_v = Vec::new();
        }
        if opt.kind() != self.opt.kind() {
            self.reset_optimizer();
        }
        (self.opt, self.lr, self.lr_b) = (opt, lr, lr_b);
        Ok(())
    }

    /// Clears the optimizer's state (momentum, Adam's moments and step count).
    pub fn reset_optimizer(&mut self) {
        self.opt_m.fill(T::ZERO);
        self.opt_v.fill(T::ZERO);
        self.steps = 0;
    }

    /// Moment buffer `which` of the optimizer in force (0: momentum's velocity or Adam's m;
    /// 1: Adam's v), in the layout of the parameters; `None` where the optimizer keeps no such
    /// buffer. With the parameters and [`steps`](Self::steps) it is the whole training state:
    /// copied into an MLP of the same shape and optimizer, training resumes exactly.
    pub fn moments(&self, which: usize) -> Option<&[T]> {
        match which {
            _ if which >= self.opt.moment_count() => None,
            0 => Some(&self.opt_m),
            _ => Some(&self.opt_v),
        }
    }
    /// Moment buffer `which`, writable (see [`moments`](Self::moments)).
    pub fn moments_mut(&mut self, which: usize) -> Option<&mut [T]> {
        match which {
            _ if which >= self.opt.moment_count() => None,
            0 => Some(&mut self.opt_m),
            _ => Some(&mut self.opt_v),
        }
    }
    /// The per-row buffer `kind` of layer `layer` (`capacity × n_layer` elements, one row per
    /// sample): after a training step or a gradient, its first `rows × n_layer` elements are the
    /// values of that minibatch, computed with the parameters before any update. `None` for a layer
    /// beyond the output, and for `z_0` and `δ_0` without an activated input (nothing computes them).
    pub fn row_values(&self, kind: RowValues, layer: usize) -> Option<&[T]> {
        let buffers = match kind {
            RowValues::Z => &self.per_row.z,
            RowValues::A => &self.per_row.a,
            RowValues::Delta => &self.per_row.d,
        };
        buffers.get(layer).map(|b| b.as_slice()).filter(|b| !b.is_empty())
    }
    /// The per-row buffer `kind` of layer `layer`, writable (see [`row_values`](Self::row_values)):
    /// instances that train a minibatch together write the rows and columns the others computed.
    pub fn row_values_mut(&mut self, kind: RowValues, layer: usize) -> Option<&mut [T]> {
        let buffers = match kind {
            RowValues::Z => &mut self.per_row.z,
            RowValues::A => &mut self.per_row.a,
            RowValues::Delta => &mut self.per_row.d,
        };
        buffers.get_mut(layer).map(|b| b.as_mut_slice()).filter(|b| !b.is_empty())
    }
    /// Updates made so far (Adam's t).
    pub fn steps(&self) -> u64 {
        self.steps
    }
    pub fn set_steps(&mut self, steps: u64) {
        self.steps = steps;
    }
}

/// The per-row values of a minibatch an MLP keeps and [`Mlp::row_values`] exposes: z, a and δ of
/// each layer. Must match VALUE_CODES in ts/wasm/exports.ts (`bp_describe` lists them).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RowValues {
    /// The weighted inputs z_l.
    Z = 0,
    /// The activations a_l = f_l(z_l).
    A = 1,
    /// The errors δ_l = ∂L/∂z_l.
    Delta = 2,
}

impl RowValues {
    /// Every kind, in the order of its code.
    pub const ALL: [RowValues; 3] = [RowValues::Z, RowValues::A, RowValues::Delta];

    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.get(code as usize).copied()
    }

    pub const fn name(self) -> &'static str {
        match self {
            RowValues::Z => "z",
            RowValues::A => "a",
            RowValues::Delta => "delta",
        }
    }
}

/// What a set of per-row buffers is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Training steps: the forward pass, every δ, the gradients.
    Training,
    /// Forward passes only (`predict`, `evaluate`).
    Forward,
}

/// The buffers of `capacity` rows: z, a and δ per layer, the staged targets y, and the GEMM
/// packing buffers for the products of minibatches of up to `capacity` rows.
struct RowBuffers<T: Real> {
    capacity: usize,
    z: Vec<Vec<T>>,
    a: Vec<Vec<T>>,
    /// Empty for forward passes only.
    d: Vec<Vec<T>>,
    /// Empty for forward passes only.
    y: Vec<T>,
    ws: Workspace<T>,
}

impl<T: Real> RowBuffers<T> {
    /// No rows and no buffers.
    fn none() -> Self {
        RowBuffers { capacity: 0, z: Vec::new(), a: Vec::new(), d: Vec::new(), y: Vec::new(), ws: Workspace::none() }
    }

    /// Buffers for `capacity ≥ 1` rows of an MLP with layers `sizes`. z_0 and δ_0 are read only with
    /// an activated input, so without one they stay empty; the packing buffers hold the largest
    /// block of the products (`Z = A·Wᵀ`, and for training `Δ⁻ = Δ·W` and `∇W = Δᵀ·A`) at
    /// `capacity` rows, and nothing at one row, where no product runs.
    fn try_new(sizes: &[usize], input_activated: bool, capacity: usize, usage: Use) -> Result<Self, Error> {
        if sizes.iter().any(|&n| n.checked_mul(capacity).is_none_or(|e| e > MAX_ELEMENTS)) {
            return Err(Error::TooLarge);
        }
        let training = usage == Use::Training;
        let per_layer = |keep_first: bool| {
            let kept = |l: usize| if l > 0 || keep_first { sizes[l] * capacity } else { 0 };
            (0..sizes.len()).map(|l| try_zeroed::<T>(kept(l))).collect::<Result<Vec<_>, _>>()
        };
        let z = per_layer(input_activated)?;
        let a = per_layer(true)?;
        let (d, y) = if training {
            (per_layer(input_activated)?, try_zeroed(sizes[sizes.len() - 1] * capacity)?)
        } else {
            (Vec::new(), Vec::new())
        };
        let mut products = Vec::new();
        if capacity > 1 {
            let first_delta = if input_activated { 0 } else { 1 };
            for (l, w) in sizes.windows(2).enumerate() {
                let (n_in, n_out) = (w[0], w[1]);
                products.push((capacity, n_out, n_in));
                if training {
                    products.push((n_out, n_in, capacity));
                    if l >= first_delta {
                        products.push((capacity, n_in, n_out));
                    }
                }
            }
        }
        let ws = Workspace::try_for(&products)?;
        Ok(RowBuffers { capacity, z, a, d, y, ws })
    }
}
