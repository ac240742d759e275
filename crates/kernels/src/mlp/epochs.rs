//! The epoch loops: `fit` (minibatches, or the per-sample SGD loop `fit_samples_sgd`), `predict`
//! and `evaluate`, over data read where it lies.

use super::{Error, Mlp, RowBuffers, NARROW};

/// Data evaluated after each epoch by `fit_drawn`: x, y, their rows, and the scores (2 per epoch).
pub type Validation<'a, T> = (&'a [T], &'a [T], usize, &'a mut [f64]);
use crate::kernels::activation::{activate_one, apply, mul_derivative, times_derivative, Activation};
use crate::kernels::backend::scalar::dot_short;
use crate::kernels::backend::{Backend, Real};
use crate::kernels::loss::{correct_count, loss_sum, output_delta, Loss};
use crate::kernels::optimizer::Optimizer;
use crate::random::Xoshiro128;

impl<T: Real> Mlp<T> {
    /// Copies rows `idx` of `x` (… × n_0) and `y` (… × n_L) into the staging buffers.
    fn stage_rows(&mut self, x: &[T], y: Option<&[T]>, idx: impl Iterator<Item = usize>) -> usize {
        let (n0, nl) = (self.input_size(), self.output_size());
        let mut rows = 0;
        for (r, i) in idx.enumerate() {
            self.input_mut()[r * n0..][..n0].copy_from_slice(&x[i * n0..][..n0]);
            if let Some(y) = y {
                self.per_row.y[r * nl..][..nl].copy_from_slice(&y[i * nl..][..nl]);
            }
            rows += 1;
        }
        rows
    }

    /// Trains one epoch per `rows` entries of `perm` without returning: epoch `e` visits the rows
    /// in the order `perm[e·rows .. (e+1)·rows]` in minibatches of `batch` (the last one may be
    /// shorter), and `losses[e]` receives the mean per-sample loss of that epoch (each before its
    /// update).
    pub fn fit(
        &mut self,
        x: &[T],
        y: &[T],
        rows: usize,
        perm: &[u32],
        batch: usize,
        losses: &mut [f64],
    ) -> Result<(), Error> {
        if rows == 0 {
            return Err(Error::InvalidArgument);
        }
        let epochs = perm.len() / rows;
        if epochs * rows != perm.len() || losses.len() < epochs {
            return Err(Error::InvalidArgument);
        }
        self.check_span(x, y, rows, perm, batch.min(rows))?;
        for (e, order) in perm.chunks_exact(rows).enumerate() {
            losses[e] = self.span(x, y, order, batch, 0.0) / rows as f64;
        }
        Ok(())
    }

    /// Trains one epoch per entry of `losses`, each visiting the `rows` rows in an order drawn here:
    /// 0 … rows−1, shuffled by `rng` where there is one (the order `Random.shuffleRange` of
    /// ts/random.ts draws from the same state, which `rng` leaves where it would). Otherwise as
    /// `fit`: minibatches of `batch`, `losses[e]` the mean per-sample loss of epoch `e`. No order
    /// crosses the boundary, and no epoch returns to the caller: on small data sets the order was
    /// a good part of an epoch's time. Each order but the first is drawn before the epoch ahead of
    /// it is trained, not after: the draws do not depend on the training, so the processor overlaps
    /// them with it (on 4-row epochs they otherwise added a tenth to the time); the draws, and
    /// where they leave `rng`, are the same.
    ///
    /// With `validation` (`vx`, `vy`, `vrows`, `scores`), after each epoch `e` `scores[2e]`
    /// receives the mean loss over the `vrows` rows of `vx` and `vy`, `scores[2e + 1]` the rows
    /// classified right, as `evaluate` computes them (the same blocks, the same bits). Where the
    /// capacity is smaller than a block, the buffers of one block are allocated once for the call.
    #[allow(clippy::too_many_arguments)]
    pub fn fit_drawn(
        &mut self,
        x: &[T],
        y: &[T],
        rows: usize,
        mut rng: Option<&mut Xoshiro128>,
        batch: usize,
        losses: &mut [f64],
        validation: Option<Validation<T>>,
    ) -> Result<(), Error> {
        // The validation data, its block, and the buffers of one block where the capacity is smaller.
        let mut validation = match validation {
            None => None,
            Some((vx, vy, vrows, scores)) => {
                self.check_evaluate(vx, vy, vrows)?;
                if scores.len() < 2 * losses.len() {
                    return Err(Error::InvalidArgument);
                }
                let (block, spare) = self.block_buffers(vrows)?;
                Some((vx, vy, vrows, scores, block, spare))
            }
        };
        if rows == 0 || rows > u32::MAX as usize {
            return Err(Error::InvalidArgument);
        }
        self.check_span(x, y, rows, &[], batch.min(rows))?;
        let epochs = losses.len();
        if epochs == 0 {
            return Ok(()); // nothing drawn
        }
        let mut order = identity(rows)?;
        // The order drawn ahead: only where there is a generator and a next epoch.
        let mut next = if rng.is_some() && epochs > 1 { identity(rows)? } else { Vec::new() };
        if let Some(rng) = rng.as_deref_mut() {
            rng.shuffle(&mut order);
        }
        for (e, loss) in losses.iter_mut().enumerate() {
            let ahead = e + 1 < epochs && !next.is_empty(); // a generator, and an epoch after this one
            if let (true, Some(rng)) = (ahead, rng.as_deref_mut()) {
                next.iter_mut().zip(0u32..).for_each(|(o, i)| *o = i);
                rng.shuffle(&mut next);
            }
            *loss = self.span(x, y, &order, batch, 0.0) / rows as f64;
            if let Some((vx, vy, vrows, scores, block, spare)) = validation.as_mut() {
                let (total, correct) = self.with_rows(spare, |mlp| mlp.evaluate_blocks(vx, vy, *vrows, *block));
                scores[2 * e] = total / *vrows as f64;
                scores[2 * e + 1] = correct as f64;
            }
            if ahead {
                core::mem::swap(&mut order, &mut next);
            }
        }
        Ok(())
    }

    /// Trains part of an epoch: the rows `order` (indices into the `rows` rows of `x` and `y`) in
    /// minibatches of `batch` from its start (the last one may be shorter), as `fit` trains them
    /// when `order` is a slice of an epoch's order that starts at a minibatch boundary. Returns
    /// `total` plus the per-sample losses, added one after the other as `fit` adds them, so that
    /// an epoch trained span by span, each given the total so far, sums to `fit`'s bits.
    pub fn fit_span(
        &mut self,
        x: &[T],
        y: &[T],
        rows: usize,
        order: &[u32],
        batch: usize,
        total: f64,
    ) -> Result<f64, Error> {
        self.check_span(x, y, rows, order, batch.min(order.len()))?;
        Ok(self.span(x, y, order, batch, total))
    }

    /// Copies the rows `order` (indices into the `rows` rows of `x` and `y`) into the staging
    /// buffers, for a step computed in parts (`parts.rs`), as `fit_span` stages a minibatch.
    pub fn stage(&mut self, x: &[T], y: &[T], rows: usize, order: &[u32]) -> Result<(), Error> {
        self.check_span(x, y, rows, order, order.len())?;
        self.stage_rows(x, Some(y), order.iter().map(|&i| i as usize));
        Ok(())
    }

    /// The checks of `fit` and `fit_span`: `largest` is the largest minibatch they will stage.
    fn check_span(&self, x: &[T], y: &[T], rows: usize, order: &[u32], largest: usize) -> Result<(), Error> {
        let (n0, nl) = (self.input_size(), self.output_size());
        if rows == 0 || largest == 0 || x.len() < rows * n0 || y.len() < rows * nl {
            return Err(Error::InvalidArgument);
        }
        if largest > self.per_row.capacity {
            return Err(Error::BatchTooLarge);
        }
        if order.iter().any(|&i| i as usize >= rows) {
            return Err(Error::IndexOutOfRange);
        }
        Ok(())
    }

    /// The minibatches of `order`, the per-sample losses added to `total` (checked by `check_span`).
    fn span(&mut self, x: &[T], y: &[T], order: &[u32], batch: usize, mut total: f64) -> f64 {
        if batch == 1 && self.opt == Optimizer::Sgd && !self.input_activated {
            return self.fit_samples_sgd(x, y, order, total);
        }
        for chunk in order.chunks(batch) {
            let n = self.stage_rows(x, Some(y), chunk.iter().map(|&i| i as usize));
            total += self.train_staged(n);
        }
        total
    }

    /// The paper's per-sample training (batch size 1, SGD, identity input layer) over the rows
    /// `order` of `x` and `y`, the rows read where they are: for each row the forward pass, every
    /// δ, then `W_l ← W_l − η·δ_{l+1} a_lᵀ`, `b_l ← b_l − η_b·δ_{l+1}`. The same arithmetic as
    /// `train_staged(1)`, operation for operation, but layers narrower than a SIMD chunk are done
    /// one neuron at a time in place (the activation of a layer one vector wide in one vector): on
    /// small networks the set-up of the vector kernels and the staging cost more than the
    /// arithmetic. Returns `total` plus the per-sample losses.
    fn fit_samples_sgd(&mut self, x: &[T], y: &[T], order: &[u32], mut total: f64) -> f64 {
        if self.depth() == 2 && self.sizes.iter().all(|&n| n < NARROW) {
            return self.fit_samples_small(x, y, order, total);
        }
        let depth = self.depth();
        let (n0, nl) = (self.sizes[0], self.sizes[depth]);
        let (lr, lr_b) = (T::from_f64(self.lr), T::from_f64(self.lr_b));
        let Mlp { sizes, acts, loss, params, per_row: RowBuffers { z, a, d, .. }, w_off, b_off, .. } = self;
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
                // A layer one vector wide (NR is two) in whole vectors: W1's 4 hidden neurons in f32.
                let each = n_out < NARROW && act != Activation::Softmax && n_out != T::Kernels::NR / 2;
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
                    // z, a and column j of W as slices and iterators: no index checked per neuron.
                    let (z_here, a_here) = (&z[l][..n], &a[l][..n]);
                    for (j, ((dj, &zj), &aj)) in d_here.iter_mut().zip(z_here).zip(a_here).enumerate() {
                        let mut s = T::ZERO;
                        for (&dk, &wkj) in d_next.iter().zip(w[j..].iter().step_by(n)) {
                            s += dk * wkj;
                        }
                        *dj = times_derivative(act, zj, aj, s);
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
                debug_assert_eq!(b_off[l], w_off[l] + n_out * n_in, "b_l follows W_l");
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

    /// `fit_samples_sgd` for one hidden layer, every layer narrower than [`NARROW`]: the same
    /// operations in the same order, each layer's parameters and row buffers taken once for the
    /// call instead of once per row (on W1's 2-4-1 the slicing and its checks cost more than the
    /// arithmetic).
    fn fit_samples_small(&mut self, x: &[T], y: &[T], order: &[u32], mut total: f64) -> f64 {
        let (n0, n1, n2) = (self.sizes[0], self.sizes[1], self.sizes[2]);
        let (act1, act2) = (self.acts[1], self.acts[2]);
        let (lr, lr_b) = (T::from_f64(self.lr), T::from_f64(self.lr_b));
        let Mlp { loss, params, per_row: RowBuffers { z, a, d, .. }, w_off, b_off, .. } = self;
        let loss = *loss;
        // W_0, b_0, W_1, b_1 (one after the other: `Mlp::try_new`), each its own slice.
        let (first, second) = params.split_at_mut(w_off[1]);
        let (w0, b0) = first.split_at_mut(b_off[0]);
        let (w0, b0) = (&mut w0[w_off[0]..][..n1 * n0], &mut b0[..n1]);
        let (w1, b1) = second.split_at_mut(b_off[1] - w_off[1]);
        let (w1, b1) = (&mut w1[..n2 * n1], &mut b1[..n2]);
        let [z1, z2] = layers(z, n1, n2);
        let [a1, a2] = layers(a, n1, n2);
        let [d1, d2] = layers(d, n1, n2);
        // As in `fit_samples_sgd`: a layer one vector wide (NR is two) takes its activation in one
        // vector, softmax over the row, any other neuron by neuron; `dot` below a chunk is `dot_short`.
        let each = |n: usize, act: Activation| act != Activation::Softmax && n != T::Kernels::NR / 2;
        let (each1, each2) = (each(n1, act1), each(n2, act2));
        let (short0, short1) = (n0 < T::Kernels::NR, n1 < T::Kernels::NR);
        for &row in order {
            let row = row as usize;
            let x_row = &x[row * n0..][..n0];
            for (((zo, ao), &bo), wr) in z1.iter_mut().zip(a1.iter_mut()).zip(&*b0).zip(w0.chunks_exact(n0)) {
                *zo = bo + if short0 { dot_short(wr, x_row) } else { T::Kernels::dot(wr, x_row) };
                if each1 {
                    *ao = activate_one(act1, *zo);
                }
            }
            if !each1 {
                apply(act1, z1, a1, n1);
            }
            for (((zo, ao), &bo), wr) in z2.iter_mut().zip(a2.iter_mut()).zip(&*b1).zip(w1.chunks_exact(n1)) {
                *zo = bo + if short1 { dot_short(wr, a1) } else { T::Kernels::dot(wr, a1) };
                if each2 {
                    *ao = activate_one(act2, *zo);
                }
            }
            if !each2 {
                apply(act2, z2, a2, n2);
            }
            let y_row = &y[row * n2..][..n2];
            if loss == Loss::Mse {
                let mut row_loss = 0.0;
                for (((dk, &zk), &ak), &yk) in d2.iter_mut().zip(&*z2).zip(&*a2).zip(y_row) {
                    let e = ak - yk;
                    let e64 = e.to_f64();
                    row_loss += 0.5 * e64 * e64;
                    *dk = times_derivative(act2, zk, ak, e);
                }
                total += row_loss;
            } else {
                total += output_delta(loss, act2, z2, a2, y_row, d2, n2);
            }
            for (j, ((dj, &zj), &aj)) in d1.iter_mut().zip(&*z1).zip(&*a1).enumerate() {
                let mut s = T::ZERO;
                for (&dk, &wkj) in d2.iter().zip(w1[j..].iter().step_by(n1)) {
                    s += dk * wkj;
                }
                *dj = times_derivative(act1, zj, aj, s);
            }
            for (wr, &dk) in w0.chunks_exact_mut(n0).zip(&*d1) {
                let alpha = -(lr * dk);
                wr.iter_mut().zip(x_row).for_each(|(w, &a)| *w += alpha * a);
            }
            b0.iter_mut().zip(&*d1).for_each(|(b, &dk)| *b -= lr_b * dk);
            for (wr, &dk) in w1.chunks_exact_mut(n1).zip(&*d2) {
                let alpha = -(lr * dk);
                wr.iter_mut().zip(&*a1).for_each(|(w, &a)| *w += alpha * a);
            }
            b1.iter_mut().zip(&*d2).for_each(|(b, &dk)| *b -= lr_b * dk);
        }
        self.steps += order.len() as u64;
        total
    }

    /// Outputs for `rows` rows of `x` into `out` (rows × n_L), in blocks of
    /// [`BLOCK_ROWS`](super::BLOCK_ROWS) rows whatever the capacity (see `with_block`).
    pub fn predict(&mut self, x: &[T], rows: usize, out: &mut [T]) -> Result<(), Error> {
        let (n0, nl) = (self.input_size(), self.output_size());
        if x.len() < rows * n0 || out.len() < rows * nl {
            return Err(Error::InvalidArgument);
        }
        self.with_block(rows, |mlp, block| {
            let last = mlp.depth();
            for start in (0..rows).step_by(block) {
                let n = mlp.stage_rows(x, None, start..rows.min(start + block));
                mlp.forward(n);
                out[start * nl..][..n * nl].copy_from_slice(&mlp.per_row.a[last][..n * nl]);
            }
        })
    }

    /// Mean per-sample loss and the number of rightly classified rows over `rows` rows, in blocks
    /// as `predict` (the targets are read where they lie).
    pub fn evaluate(&mut self, x: &[T], y: &[T], rows: usize) -> Result<(f64, usize), Error> {
        self.check_evaluate(x, y, rows)?;
        let (total, correct) = self.with_block(rows, |mlp, block| mlp.evaluate_blocks(x, y, rows, block))?;
        Ok((total / rows as f64, correct))
    }

    fn check_evaluate(&self, x: &[T], y: &[T], rows: usize) -> Result<(), Error> {
        let (n0, nl) = (self.input_size(), self.output_size());
        if rows == 0 || x.len() < rows * n0 || y.len() < rows * nl {
            return Err(Error::InvalidArgument);
        }
        Ok(())
    }

    /// The loss total and the rows classified right, in blocks of `block` rows (at most the capacity).
    fn evaluate_blocks(&mut self, x: &[T], y: &[T], rows: usize, block: usize) -> (f64, usize) {
        let nl = self.output_size();
        let last = self.depth();
        let (mut total, mut correct) = (0.0, 0);
        for start in (0..rows).step_by(block) {
            let n = self.stage_rows(x, None, start..rows.min(start + block));
            self.forward(n);
            let span = n * nl;
            let (z, a, t) = (&self.per_row.z[last][..span], &self.per_row.a[last][..span], &y[start * nl..][..span]);
            total += loss_sum(self.loss, z, a, t, nl);
            correct += correct_count(a, t, nl);
        }
        (total, correct)
    }
}

/// The order 0 … rows−1, or `OutOfMemory` where the memory cannot be had (instead of aborting).
fn identity(rows: usize) -> Result<Vec<u32>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(rows).map_err(|_| Error::OutOfMemory)?;
    v.extend(0..rows as u32);
    Ok(v)
}

/// Layers 1 and 2 of per-row buffers (`v[1][..n1]`, `v[2][..n2]`), both mutable.
fn layers<T>(v: &mut [Vec<T>], n1: usize, n2: usize) -> [&mut [T]; 2] {
    let (lo, hi) = v[1..].split_at_mut(1);
    [&mut lo[0][..n1], &mut hi[0][..n2]]
}
