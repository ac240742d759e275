//! One minibatch's step cut into parts that several instances compute side by side
//! (ts/threads/): each instance holds a replica of the MLP and the whole minibatch staged.
//!
//! ```text
//!   forward_part(rows, from, to)      Z, A and Δ of the rows from..to        (each its own rows)
//!       … the instances exchange their rows of A and Δ (and Z_L, A_L for the loss) …
//!   gradients_part(rows, part, parts) ∇W_l rows k0..k1 and ∇b_l[k0..k1] of every layer, over
//!                                     all the rows, k0..k1 = part's share of n_{l+1} neurons
//!       … the instances exchange their blocks of ∇ …
//!   apply_gradients()                 the optimizer on every parameter   (every instance alike)
//!   loss_staged(rows)                 Σ_rows L over the staged outputs   (one instance)
//! ```
//!
//! Or, where the first layer holds most of the parameters, cut by the first layer's neurons: each
//! instance holds the rows k0..k1 of W_0 (and their optimizer state) as its own.
//!
//! ```text
//!   first_columns_part(rows, k0, k1)  columns k0..k1 of Z_1 and A_1, for all the rows (W_0's rows
//!                                     k0..k1)
//!       … the instances exchange their columns of A_1 …
//!   finish_columns_part(rows, k0, k1) the later layers, every δ (of δ_1 columns k0..k1), ∇ of W_0's
//!                                     rows k0..k1 and of every later parameter, their update; the
//!                                     loss                                            (each)
//! ```
//!
//! No sum is ever split: a row of Z or Δ is a product's row, computed whole by the instance that
//! owns it, a column of Z_1 or Δ_1 a product's column, and an element of ∇W is a sum over all the rows,
//! computed whole by the instance that owns its neuron. Each element is the same sum in the same order as in `train_staged` (the GEMM
//! path: minibatches of more than one row), so the parameters are those of the one-instance
//! path, to the bit, however the minibatch is cut.

use super::step::column_mean_of;
use super::{Error, Mlp, NARROW};
use crate::kernels::activation::apply;
use crate::kernels::backend::{Backend, Real};
use crate::kernels::gemm::{gemm, MatRef};
use crate::kernels::loss::loss_sum;

/// The share `part` of `parts` of `n` items: `n·part/parts .. n·(part+1)/parts`.
pub fn share(n: usize, part: usize, parts: usize) -> (usize, usize) {
    (n * part / parts, n * (part + 1) / parts)
}

impl<T: Real> Mlp<T> {
    /// The forward pass and every δ of the staged rows `from..to` of a minibatch of `rows` (more
    /// than one: the GEMM path, whatever the number of rows in the range).
    pub fn forward_part(&mut self, rows: usize, from: usize, to: usize) -> Result<(), Error> {
        if rows < 2 || from >= to || to > rows {
            return Err(Error::InvalidArgument);
        }
        if rows > self.per_row.capacity {
            return Err(Error::BatchTooLarge);
        }
        self.forward_rows(from, to, false);
        self.deltas_rows(from, to, false);
        Ok(())
    }

    /// The mean gradients of the `rows` staged rows (their A and Δ all in place) for the neurons of
    /// share `part` of `parts` in every layer: rows of ∇W_l, entries of ∇b_l (and of ∇b_in).
    pub fn gradients_part(&mut self, rows: usize, part: usize, parts: usize) -> Result<(), Error> {
        if rows < 2 || part >= parts {
            return Err(Error::InvalidArgument);
        }
        if rows > self.per_row.capacity {
            return Err(Error::BatchTooLarge);
        }
        for l in 0..self.depth() {
            let (k0, k1) = share(self.sizes[l + 1], part, parts);
            self.gradient_rows(l, k0, k1, rows);
        }
        if self.input_activated {
            let n0 = self.sizes[0];
            let (j0, j1) = share(n0, part, parts);
            let inv = T::ONE / T::from_f64(rows as f64);
            column_mean_of(
                &self.per_row.d[0][..rows * n0],
                n0,
                j0,
                inv,
                &mut self.grads[self.bin_off + j0..][..j1 - j0],
            );
        }
        Ok(())
    }

    /// Rows `k0..k1` of ∇W_l and entries `k0..k1` of ∇b_l, the means over the `rows` staged rows
    /// (their A_l and Δ_{l+1} in place).
    fn gradient_rows(&mut self, l: usize, k0: usize, k1: usize, rows: usize) {
        if k0 == k1 {
            return;
        }
        let inv = T::ONE / T::from_f64(rows as f64);
        let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
        let d_next = &self.per_row.d[l + 1][..rows * n_out];
        let a_in = &self.per_row.a[l][..rows * n_in];
        let gw = &mut self.grads[self.w_off[l] + k0 * n_in..][..(k1 - k0) * n_in];
        // ∇W_l[k0..k1] = (1/r)·Δ_{l+1}[:, k0..k1]ᵀ·A_l
        let (dt, x) = (MatRef::new(&d_next[k0..], 1, n_out), MatRef::new(a_in, n_in, 1));
        gemm(k1 - k0, n_in, rows, inv, dt, x, false, gw, n_in, 1, &mut self.per_row.ws);
        column_mean_of(d_next, n_out, k0, inv, &mut self.grads[self.b_off[l] + k0..][..k1 - k0]);
    }

    /// Whether a minibatch of `rows` rows may be cut by the first layer's neurons `k0..k1`
    /// (`first_columns_part`): two layers or more (a hidden layer's activation acts element by
    /// element), no activated input (its δ would need all of W_0), room for the rows.
    fn check_columns(&self, rows: usize, k0: usize, k1: usize) -> Result<(), Error> {
        if rows < 2 || k0 > k1 || k1 > self.sizes[1] || self.depth() < 2 || self.input_activated {
            return Err(Error::InvalidArgument);
        }
        if rows > self.per_row.capacity {
            return Err(Error::BatchTooLarge);
        }
        Ok(())
    }

    /// The columns `k0..k1` of Z_1 = 1·b_0ᵀ + X·W_0ᵀ and of A_1 = f(Z_1) (the first layer's neurons
    /// k0..k1) for all the `rows` staged rows (more than one: the GEMM path), from W_0's rows k0..k1
    /// alone.
    pub fn first_columns_part(&mut self, rows: usize, k0: usize, k1: usize) -> Result<(), Error> {
        self.check_columns(rows, k0, k1)?;
        let (n_in, n_out) = (self.sizes[0], self.sizes[1]);
        let w = &self.params[self.w_off[0] + k0 * n_in..][..(k1 - k0) * n_in];
        let b = &self.params[self.b_off[0] + k0..][..k1 - k0];
        let x = &self.per_row.a[0][..rows * n_in];
        let z = &mut self.per_row.z[1][..rows * n_out];
        if k0 == k1 {
            return Ok(());
        }
        if n_in < NARROW && n_out < NARROW {
            // As `forward_rows` computes a layer this small: each element alone, in the GEMM's order.
            for (zr, xr) in z.chunks_exact_mut(n_out).zip(x.chunks_exact(n_in)) {
                for ((zo, &bo), wr) in zr[k0..k1].iter_mut().zip(b).zip(w.chunks_exact(n_in)) {
                    *zo = bo + T::Kernels::dot_in_order(wr, xr);
                }
            }
        } else {
            for zr in z.chunks_exact_mut(n_out) {
                zr[k0..k1].copy_from_slice(b);
            }
            let (xm, wt) = (MatRef::new(x, n_in, 1), MatRef::new(w, 1, n_in));
            gemm(rows, k1 - k0, n_in, T::ONE, xm, wt, true, &mut z[k0..], n_out, 1, &mut self.per_row.ws);
        }
        // A hidden layer's activation acts element by element: the bits of `apply` on whole rows.
        let a = &mut self.per_row.a[1][..rows * n_out];
        for (zr, ar) in z.chunks_exact(n_out).zip(a.chunks_exact_mut(n_out)) {
            apply(self.acts[1], &zr[k0..k1], &mut ar[k0..k1], k1 - k0);
        }
        Ok(())
    }

    /// The rest of the step of an instance that holds the first layer's neurons `k0..k1`, once
    /// every column of A_1 is in place (and its own columns of Z_1): the layers after the first,
    /// every δ (of δ_1 its columns k0..k1), the gradients of rows k0..k1 of W_0 (and b_0) and of
    /// every later parameter, and the update of those. Returns the sum of the per-sample losses.
    /// Rows of W_0 outside k0..k1 are neither read nor updated.
    pub fn finish_columns_part(&mut self, rows: usize, k0: usize, k1: usize) -> Result<f64, Error> {
        self.check_columns(rows, k0, k1)?;
        self.forward_layers(1, 0, rows, false);
        let loss = self.deltas_cut(0, rows, false, k0, k1);
        self.gradient_rows(0, k0, k1, rows);
        for l in 1..self.depth() {
            self.gradient_rows(l, 0, self.sizes[l + 1], rows);
        }
        self.apply_update_first(k0, k1);
        Ok(loss)
    }

    /// The optimizer on every parameter from the gradients in place (one update).
    pub fn apply_gradients(&mut self) {
        self.apply_update();
    }

    /// `Σ_rows L(row)` over the `rows` staged rows' outputs and targets (as `train_staged` sums it).
    pub fn loss_staged(&self, rows: usize) -> Result<f64, Error> {
        if rows == 0 || rows > self.per_row.capacity {
            return Err(Error::InvalidArgument);
        }
        let last = self.depth();
        let n = self.sizes[last];
        let span = ..rows * n;
        Ok(loss_sum(self.loss, &self.per_row.z[last][span], &self.per_row.a[last][span], &self.per_row.y[span], n))
    }
}
