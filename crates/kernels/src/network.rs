//! The network: the layer loop and the fused training step (paper section 3).
//!
//! Memory layout, all row-major:
//!
//! ```text
//!   params  = [ W_0 | b_0 | W_1 | b_1 | … | W_{L−1} | b_{L−1} | b_in ]
//!             W_l is n_{l+1} × n_l (row = destination neuron, column = source neuron: the
//!             paper's w_jk is W[k][j]); b_l has n_{l+1}; b_in (n_0) only with an activated input
//!   grads: the same layout as params; opt_m, opt_v too, allocated only for an optimizer that
//!   keeps state (momentum: opt_m; Adam: both)
//!   z[l], a[l], d[l]: capacity × n_l, one row per sample of the minibatch
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
//! Every buffer is allocated when the network is created (or its capacity raised); training,
//! prediction and evaluation allocate nothing.

use crate::element::Element;
use crate::kernels::activation::{activate_one, apply, mul_derivative, times_derivative, Activation};
use crate::kernels::backend::scalar::dot_short;
use crate::kernels::backend::{Backend, Real};
use crate::kernels::gemm::{gemm, try_zeroed, MatRef, Workspace};
use crate::kernels::loss::{correct_count, loss_sum, output_delta, Loss};
use crate::kernels::optimizer::{update, Optimizer};

/// Largest number of neurons in one layer.
pub const MAX_LAYER_SIZE: usize = 1 << 16;
/// Largest number of layers (input and output included).
pub const MAX_LAYERS: usize = 64;
/// Largest minibatch (rows per step) a network can hold.
pub const MAX_CAPACITY: usize = 1 << 16;
/// Largest number of elements in any one buffer (parameters, or one layer's rows).
pub const MAX_ELEMENTS: usize = 1 << 28;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Error {
    /// A size, code or combination that the contract does not allow.
    InvalidArgument,
    /// Within the contract, but beyond a documented limit.
    TooLarge,
    /// The allocator could not provide the memory.
    OutOfMemory,
    /// More rows than the network's capacity.
    BatchTooLarge,
    /// A row index in a permutation is not below the number of rows.
    IndexOutOfRange,
}

impl From<()> for Error {
    fn from(_: ()) -> Self {
        Error::OutOfMemory
    }
}

pub struct Network<T: Real> {
    sizes: Vec<usize>,
    /// `acts[l]` is f_l; `acts[0]` is used only with an activated input layer.
    acts: Vec<Activation>,
    input_activated: bool,
    loss: Loss,
    capacity: usize,
    params: Vec<T>,
    grads: Vec<T>,
    opt_m: Vec<T>,
    opt_v: Vec<T>,
    w_off: Vec<usize>,
    b_off: Vec<usize>,
    bin_off: usize,
    z: Vec<Vec<T>>,
    a: Vec<Vec<T>>,
    d: Vec<Vec<T>>,
    y: Vec<T>,
    ws: Workspace<T>,
    opt: Optimizer,
    lr: f64,
    lr_b: f64,
    /// Updates made so far (Adam's t).
    steps: u64,
}

impl<T: Real> Network<T> {
    /// A network with all parameters zero (the caller sets them: initialisation lives in TS so
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
            len += sizes[l + 1];
            if len > MAX_ELEMENTS {
                return Err(Error::TooLarge);
            }
        }
        let bin_off = len;
        if input_activated {
            len += sizes[0];
        }
        let max_n = *sizes.iter().max().unwrap();
        let mut net = Network {
            sizes: sizes.to_vec(),
            acts: acts.to_vec(),
            input_activated,
            loss,
            capacity: 0,
            params: try_zeroed(len)?,
            grads: try_zeroed(len)?,
            opt_m: Vec::new(),
            opt_v: Vec::new(),
            w_off,
            b_off,
            bin_off,
            z: Vec::new(),
            a: Vec::new(),
            d: Vec::new(),
            y: Vec::new(),
            ws: Workspace::try_new(max_n)?,
            opt: Optimizer::Sgd,
            lr: 0.0,
            lr_b: 0.0,
            steps: 0,
        };
        net.reserve(capacity)?;
        Ok(net)
    }

    /// Makes room for minibatches of `capacity` rows (reallocates the per-row buffers; never
    /// shrinks). Pointers into z, a, d and the staging buffers change.
    pub fn reserve(&mut self, capacity: usize) -> Result<(), Error> {
        if capacity == 0 {
            return Err(Error::InvalidArgument);
        }
        if capacity > MAX_CAPACITY {
            return Err(Error::TooLarge);
        }
        if capacity <= self.capacity {
            return Ok(());
        }
        if self.sizes.iter().any(|&n| n.checked_mul(capacity).is_none_or(|e| e > MAX_ELEMENTS)) {
            return Err(Error::TooLarge);
        }
        let alloc = |n: usize| try_zeroed::<T>(n * capacity);
        let z = self.sizes.iter().map(|&n| alloc(n)).collect::<Result<Vec<_>, _>>()?;
        let a = self.sizes.iter().map(|&n| alloc(n)).collect::<Result<Vec<_>, _>>()?;
        let d = self.sizes.iter().map(|&n| alloc(n)).collect::<Result<Vec<_>, _>>()?;
        let y = alloc(self.output_size())?;
        (self.z, self.a, self.d, self.y) = (z, a, d, y);
        self.capacity = capacity;
        Ok(())
    }

    pub fn capacity(&self) -> usize {
        self.capacity
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
    pub fn grads(&self) -> &[T] {
        &self.grads
    }
    /// The staging buffer the next minibatch's inputs are written to (`capacity × n_0`).
    pub fn input_mut(&mut self) -> &mut [T] {
        if self.input_activated {
            &mut self.z[0]
        } else {
            &mut self.a[0]
        }
    }
    /// The staging buffer the next minibatch's targets are written to (`capacity × n_L`).
    pub fn target_mut(&mut self) -> &mut [T] {
        &mut self.y
    }
    /// The output activations `a_L` of the last forward pass (`capacity × n_L`).
    pub fn output(&self) -> &[T] {
        &self.a[self.depth()]
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
    /// copied into a network of the same shape and optimizer, training resumes exactly.
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
    /// Updates made so far (Adam's t).
    pub fn steps(&self) -> u64 {
        self.steps
    }
    pub fn set_steps(&mut self, steps: u64) {
        self.steps = steps;
    }

    /// The forward pass over the `rows` rows staged in the input buffer.
    pub fn forward(&mut self, rows: usize) {
        debug_assert!(rows <= self.capacity);
        let n0 = self.sizes[0];
        if self.input_activated {
            let bin = &self.params[self.bin_off..][..n0];
            let z0 = &mut self.z[0][..rows * n0];
            for zr in z0.chunks_exact_mut(n0) {
                zr.iter_mut().zip(bin).for_each(|(z, &b)| *z += b);
            }
            apply(self.acts[0], z0, &mut self.a[0][..rows * n0], n0);
        }
        for l in 0..self.depth() {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            let w = &self.params[self.w_off[l]..][..n_out * n_in];
            let b = &self.params[self.b_off[l]..][..n_out];
            let (a_lo, a_hi) = self.a.split_at_mut(l + 1);
            let a_in = &a_lo[l][..rows * n_in];
            let z_out = &mut self.z[l + 1][..rows * n_out];
            if rows == 1 {
                // z = W·a + b, one dot product per destination neuron.
                for ((zo, &bo), wr) in z_out.iter_mut().zip(b).zip(w.chunks_exact(n_in)) {
                    *zo = bo + T::Kernels::dot(wr, a_in);
                }
            } else {
                // Z = 1·b + A·Wᵀ: rows start as the bias, the product accumulates onto them.
                for zr in z_out.chunks_exact_mut(n_out) {
                    zr.copy_from_slice(b);
                }
                let (x, wt) = (MatRef::new(a_in, n_in, 1), MatRef::new(w, 1, n_in));
                gemm(rows, n_out, n_in, T::ONE, x, wt, true, z_out, n_out, 1, &mut self.ws);
            }
            apply(self.acts[l + 1], z_out, &mut a_hi[0][..rows * n_out], n_out);
        }
    }

    /// After `forward(rows)`: every δ, from the weights of the forward pass (errata 4). Returns the
    /// sum of the per-sample losses.
    fn deltas(&mut self, rows: usize) -> f64 {
        let last = self.depth();
        let n_last = self.sizes[last];
        let span = rows * n_last;
        let loss = output_delta(
            self.loss,
            self.acts[last],
            &self.z[last][..span],
            &self.a[last][..span],
            &self.y[..span],
            &mut self.d[last][..span],
            n_last,
        );
        // Hidden deltas.
        let first = if self.input_activated { 0 } else { 1 };
        for l in (first..last).rev() {
            let (n, n_next) = (self.sizes[l], self.sizes[l + 1]);
            let w = &self.params[self.w_off[l]..][..n_next * n];
            let (d_lo, d_hi) = self.d.split_at_mut(l + 1);
            let d_next = &d_hi[0][..rows * n_next];
            let d_here = &mut d_lo[l][..rows * n];
            if rows == 1 {
                // δ = Wᵀ·δ⁺, one scaled row of W per destination neuron.
                d_here.fill(T::ZERO);
                for (k, &dk) in d_next.iter().enumerate() {
                    T::Kernels::axpy(dk, &w[k * n..][..n], d_here);
                }
            } else {
                let (dn, wm) = (MatRef::new(d_next, n_next, 1), MatRef::new(w, n, 1));
                gemm(rows, n, n_next, T::ONE, dn, wm, false, d_here, n, 1, &mut self.ws);
            }
            mul_derivative(self.acts[l], &self.z[l][..rows * n], &self.a[l][..rows * n], d_here);
        }
        loss
    }

    /// After `deltas(rows)`: the gradients averaged over the minibatch (Eq. 5) into `grads`.
    fn gradients_from_deltas(&mut self, rows: usize) {
        let last = self.depth();
        let inv = T::ONE / T::from_f64(rows as f64);
        for l in 0..last {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            let d_next = &self.d[l + 1][..rows * n_out];
            let a_in = &self.a[l][..rows * n_in];
            let gw = &mut self.grads[self.w_off[l]..][..n_out * n_in];
            if rows == 1 {
                // ∇W = δ⁺ ⊗ a
                for (k, gr) in gw.chunks_exact_mut(n_in).enumerate() {
                    let dk = d_next[k];
                    gr.iter_mut().zip(a_in).for_each(|(g, &a)| *g = dk * a);
                }
            } else {
                let (dt, x) = (MatRef::new(d_next, 1, n_out), MatRef::new(a_in, n_in, 1));
                gemm(n_out, n_in, rows, inv, dt, x, false, gw, n_in, 1, &mut self.ws);
            }
            column_mean(d_next, n_out, inv, &mut self.grads[self.b_off[l]..][..n_out]);
        }
        if self.input_activated {
            let n0 = self.sizes[0];
            column_mean(&self.d[0][..rows * n0], n0, inv, &mut self.grads[self.bin_off..][..n0]);
        }
    }

    /// The paper's per-sample step (one row, SGD) with the gradient and the update fused: after
    /// `deltas(1)`, `W_l ← W_l − η·δ_{l+1} a_lᵀ` and `b_l ← b_l − η_b·δ_{l+1}` row by row, without
    /// the gradient buffer (which this step leaves as it was).
    fn sgd_sample_update(&mut self) {
        let (lr, lr_b) = (T::from_f64(self.lr), T::from_f64(self.lr_b));
        for l in 0..self.depth() {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            let a_in = &self.a[l][..n_in];
            let d_next = &self.d[l + 1][..n_out];
            let w = &mut self.params[self.w_off[l]..][..n_out * n_in];
            for (wr, &dk) in w.chunks_exact_mut(n_in).zip(d_next) {
                T::Kernels::axpy(-(lr * dk), a_in, wr);
            }
            let b = &mut self.params[self.b_off[l]..][..n_out];
            b.iter_mut().zip(d_next).for_each(|(b, &dk)| *b -= lr_b * dk);
        }
        if self.input_activated {
            let n0 = self.sizes[0];
            let b = &mut self.params[self.bin_off..][..n0];
            b.iter_mut().zip(&self.d[0][..n0]).for_each(|(b, &d)| *b -= lr_b * d);
        }
        self.steps += 1;
    }

    /// Applies the optimizer to every parameter from `grads`.
    fn apply_update(&mut self) {
        self.steps += 1;
        let t = self.steps;
        for l in 0..self.depth() {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            self.update_segment(self.w_off[l], n_out * n_in, self.lr, t);
            self.update_segment(self.b_off[l], n_out, self.lr_b, t);
        }
        if self.input_activated {
            self.update_segment(self.bin_off, self.sizes[0], self.lr_b, t);
        }
    }

    fn update_segment(&mut self, off: usize, len: usize, lr: f64, t: u64) {
        let r = off..off + len;
        // State only where the optimizer keeps some (see `set_optimizer`).
        let m = self.opt_m.get_mut(r.clone()).unwrap_or_default();
        let v = self.opt_v.get_mut(r.clone()).unwrap_or_default();
        update(self.opt, lr, t, &mut self.params[r.clone()], &self.grads[r], m, v);
    }

    /// One training step on the `rows` rows staged in the input and target buffers. Returns the
    /// sum of the per-sample losses before the update.
    pub fn train_staged(&mut self, rows: usize) -> f64 {
        self.forward(rows);
        let loss = self.deltas(rows);
        if rows == 1 && self.opt == Optimizer::Sgd {
            self.sgd_sample_update();
        } else {
            self.gradients_from_deltas(rows);
            self.apply_update();
        }
        loss
    }

    /// The averaged gradients of the staged minibatch into `grads`, without an update. Returns
    /// the sum of the per-sample losses.
    pub fn gradients_staged(&mut self, rows: usize) -> f64 {
        self.forward(rows);
        let loss = self.deltas(rows);
        self.gradients_from_deltas(rows);
        loss
    }

    /// Copies rows `idx` of `x` (… × n_0) and `y` (… × n_L) into the staging buffers.
    fn stage_rows(&mut self, x: &[T], y: Option<&[T]>, idx: impl Iterator<Item = usize>) -> usize {
        let (n0, nl) = (self.input_size(), self.output_size());
        let mut rows = 0;
        for (r, i) in idx.enumerate() {
            self.input_mut()[r * n0..][..n0].copy_from_slice(&x[i * n0..][..n0]);
            if let Some(y) = y {
                self.y[r * nl..][..nl].copy_from_slice(&y[i * nl..][..nl]);
            }
            rows += 1;
        }
        rows
    }

    /// Trains `epochs` epochs without returning: epoch `e` visits the rows in the order
    /// `perm[e·rows .. (e+1)·rows]` in minibatches of `batch` (the last one may be shorter), and
    /// `losses[e]` receives the mean per-sample loss of that epoch (each before its update).
    pub fn fit(
        &mut self,
        x: &[T],
        y: &[T],
        rows: usize,
        perm: &[u32],
        epochs: usize,
        batch: usize,
        losses: &mut [f64],
    ) -> Result<(), Error> {
        let (n0, nl) = (self.input_size(), self.output_size());
        if rows == 0 || batch == 0 || x.len() < rows * n0 || y.len() < rows * nl {
            return Err(Error::InvalidArgument);
        }
        if perm.len() != epochs * rows || losses.len() < epochs {
            return Err(Error::InvalidArgument);
        }
        if batch > self.capacity {
            return Err(Error::BatchTooLarge);
        }
        if perm.iter().any(|&i| i as usize >= rows) {
            return Err(Error::IndexOutOfRange);
        }
        let per_sample = batch == 1 && self.opt == Optimizer::Sgd && !self.input_activated;
        for (e, order) in perm.chunks_exact(rows).enumerate() {
            if per_sample {
                losses[e] = self.fit_samples_sgd(x, y, order) / rows as f64;
                continue;
            }
            let mut total = 0.0;
            for chunk in order.chunks(batch) {
                let n = self.stage_rows(x, Some(y), chunk.iter().map(|&i| i as usize));
                total += self.train_staged(n);
            }
            losses[e] = total / rows as f64;
        }
        Ok(())
    }

    /// The paper's per-sample training (batch size 1, SGD, identity input layer) over the rows
    /// `order` of `x` and `y`, the rows read where they are: for each row the forward pass, every
    /// δ, then `W_l ← W_l − η·δ_{l+1} a_lᵀ`, `b_l ← b_l − η_b·δ_{l+1}`. The same arithmetic as
    /// `train_staged(1)`, operation for operation, but layers narrower than a SIMD chunk are done
    /// one neuron at a time in place: on small networks the set-up of the vector kernels and the
    /// staging cost more than the arithmetic. Returns the sum of the per-sample losses.
    fn fit_samples_sgd(&mut self, x: &[T], y: &[T], order: &[u32]) -> f64 {
        const NARROW: usize = 8;
        let depth = self.depth();
        let (n0, nl) = (self.sizes[0], self.sizes[depth]);
        let (lr, lr_b) = (T::from_f64(self.lr), T::from_f64(self.lr_b));
        let Network { sizes, acts, loss, params, z, a, d, w_off, b_off, .. } = self;
        let mut total = 0.0;
        for &row in order {
            let row = row as usize;
            let x_row = &x[row * n0..][..n0];
            // Forward: z = W·a + b, a = f(z); layer 0's activations are the row itself.
            for l in 0..depth {
                let (n_in, n_out, act) = (sizes[l], sizes[l + 1], acts[l + 1]);
                let (a_lo, a_hi) = a.split_at_mut(l + 1);
                let a_in = if l == 0 { x_row } else { &a_lo[l][..n_in] };
                let a_out = &mut a_hi[0][..n_out];
                let w = &params[w_off[l]..][..n_out * n_in];
                let b = &params[b_off[l]..][..n_out];
                let z_out = &mut z[l + 1][..n_out];
                let each = n_out < NARROW && act != Activation::Softmax;
                for (((zo, ao), &bo), wr) in z_out.iter_mut().zip(a_out.iter_mut()).zip(b).zip(w.chunks_exact(n_in)) {
                    *zo = bo + if n_in < T::Kernels::NR { dot_short(wr, a_in) } else { T::Kernels::dot(wr, a_in) };
                    if each {
                        *ao = activate_one(act, *zo);
                    }
                }
                if !each {
                    apply(act, z_out, a_out, n_out);
                }
            }
            // Output δ and loss: ½Σ(a−y)² with δ = (a − y)·f′(z), or cross-entropy.
            let y_row = &y[row * nl..][..nl];
            let (z_l, a_l, d_l) = (&z[depth][..nl], &a[depth][..nl], &mut d[depth][..nl]);
            if *loss == Loss::Mse && nl < NARROW {
                let act = acts[depth];
                let mut row_loss = 0.0; // summed per row first, as `loss_sum` does
                for (((dk, &zk), &ak), &yk) in d_l.iter_mut().zip(z_l).zip(a_l).zip(y_row) {
                    let e = ak - yk;
                    let e64 = e.to_f64();
                    row_loss += 0.5 * e64 * e64;
                    *dk = times_derivative(act, zk, ak, e);
                }
                total += row_loss;
            } else {
                total += output_delta(*loss, acts[depth], z_l, a_l, y_row, d_l, nl);
            }
            // Hidden δ_j = f′(z_j)·Σ_k w_kj δ_k, from the weights of the forward pass.
            for l in (1..depth).rev() {
                let (n, n_next, act) = (sizes[l], sizes[l + 1], acts[l]);
                let w = &params[w_off[l]..][..n_next * n];
                let (d_lo, d_hi) = d.split_at_mut(l + 1);
                let (d_here, d_next) = (&mut d_lo[l][..n], &d_hi[0][..n_next]);
                if n < NARROW {
                    for (j, dj) in d_here.iter_mut().enumerate() {
                        let mut s = T::ZERO;
                        for (k, &dk) in d_next.iter().enumerate() {
                            s += dk * w[k * n + j];
                        }
                        *dj = times_derivative(act, z[l][j], a[l][j], s);
                    }
                } else {
                    d_here.fill(T::ZERO);
                    for (&dk, wr) in d_next.iter().zip(w.chunks_exact(n)) {
                        T::Kernels::axpy(dk, wr, d_here);
                    }
                    mul_derivative(act, &z[l][..n], &a[l][..n], d_here);
                }
            }
            // The update.
            for l in 0..depth {
                let (n_in, n_out) = (sizes[l], sizes[l + 1]);
                let a_in = if l == 0 { x_row } else { &a[l][..n_in] };
                let d_next = &d[l + 1][..n_out];
                let (w, b) = params[w_off[l]..][..n_out * n_in + n_out].split_at_mut(n_out * n_in);
                for (wr, &dk) in w.chunks_exact_mut(n_in).zip(d_next) {
                    let alpha = -(lr * dk);
                    if n_in < NARROW {
                        wr.iter_mut().zip(a_in).for_each(|(w, &a)| *w += alpha * a);
                    } else {
                        T::Kernels::axpy(alpha, a_in, wr);
                    }
                }
                b.iter_mut().zip(d_next).for_each(|(b, &dk)| *b -= lr_b * dk);
            }
        }
        self.steps += order.len() as u64;
        total
    }

    /// Outputs for `rows` rows of `x` into `out` (rows × n_L), `capacity` rows at a time.
    pub fn predict(&mut self, x: &[T], rows: usize, out: &mut [T]) -> Result<(), Error> {
        let (n0, nl) = (self.input_size(), self.output_size());
        if x.len() < rows * n0 || out.len() < rows * nl {
            return Err(Error::InvalidArgument);
        }
        for start in (0..rows).step_by(self.capacity) {
            let n = self.stage_rows(x, None, start..rows.min(start + self.capacity));
            self.forward(n);
            out[start * nl..][..n * nl].copy_from_slice(&self.a[self.depth()][..n * nl]);
        }
        Ok(())
    }

    /// Mean per-sample loss and the number of rightly classified rows over `rows` rows.
    pub fn evaluate(&mut self, x: &[T], y: &[T], rows: usize) -> Result<(f64, usize), Error> {
        let (n0, nl) = (self.input_size(), self.output_size());
        if rows == 0 || x.len() < rows * n0 || y.len() < rows * nl {
            return Err(Error::InvalidArgument);
        }
        let last = self.depth();
        let (mut total, mut correct) = (0.0, 0);
        for start in (0..rows).step_by(self.capacity) {
            let n = self.stage_rows(x, Some(y), start..rows.min(start + self.capacity));
            self.forward(n);
            let span = n * nl;
            let (z, a, t) = (&self.z[last][..span], &self.a[last][..span], &self.y[..span]);
            total += loss_sum(self.loss, z, a, t, nl);
            correct += correct_count(a, t, nl);
        }
        Ok((total / rows as f64, correct))
    }
}

/// `out[j] ← inv · Σ_r d[r·n + j]` (the bias gradient: the mean of δ over the minibatch).
fn column_mean<T: Element>(d: &[T], n: usize, inv: T, out: &mut [T]) {
    out.fill(T::ZERO);
    for row in d.chunks_exact(n) {
        out.iter_mut().zip(row).for_each(|(o, &v)| *o += v);
    }
    out.iter_mut().for_each(|o| *o *= inv);
}
