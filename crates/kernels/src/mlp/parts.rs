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
//! No sum is ever split: a row of Z or Δ is a product's row, computed whole by the instance that
//! owns it, and an element of ∇W is a sum over all the rows, computed whole by the instance that
//! owns its neuron. Each element is the same sum in the same order as in `train_staged` (the GEMM
//! path: minibatches of more than one row), so the parameters are those of the one-instance
//! path, to the bit, however the minibatch is cut.

use super::step::column_mean_of;
use super::{Error, Mlp};
use crate::kernels::backend::Real;
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
        let inv = T::ONE / T::from_f64(rows as f64);
        for l in 0..self.depth() {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            let (k0, k1) = share(n_out, part, parts);
            if k0 == k1 {
                continue;
            }
            let d_next = &self.per_row.d[l + 1][..rows * n_out];
            let a_in = &self.per_row.a[l][..rows * n_in];
            let gw = &mut self.grads[self.w_off[l] + k0 * n_in..][..(k1 - k0) * n_in];
            // ∇W_l[k0..k1] = (1/r)·Δ_{l+1}[:, k0..k1]ᵀ·A_l
            let (dt, x) = (MatRef::new(&d_next[k0..], 1, n_out), MatRef::new(a_in, n_in, 1));
            gemm(k1 - k0, n_in, rows, inv, dt, x, false, gw, n_in, 1, &mut self.per_row.ws);
            column_mean_of(d_next, n_out, k0, inv, &mut self.grads[self.b_off[l] + k0..][..k1 - k0]);
        }
        if self.input_activated {
            let n0 = self.sizes[0];
            let (j0, j1) = share(n0, part, parts);
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
