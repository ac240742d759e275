//! The training step: the forward pass, every δ, the gradients and the update (the equations of
//! the module's documentation).

use super::{Mlp, NARROW};
use crate::element::Element;
use crate::kernels::activation::{apply, mul_derivative};
use crate::kernels::backend::{Backend, Real};
use crate::kernels::gemm::{gemm, MatRef};
use crate::kernels::loss::output_delta;
use crate::kernels::optimizer::{update, Optimizer};

impl<T: Real> Mlp<T> {
    /// The forward pass over the `rows` rows staged in the input buffer.
    pub fn forward(&mut self, rows: usize) {
        self.forward_rows(0, rows, rows == 1);
    }

    /// The forward pass over the staged rows `from..to`, with the matrix-vector kernels
    /// (`vector`, one row) or the GEMM. A row's values do not depend on the other rows of the
    /// range: each element of a product is the same sum in the same order wherever its tile falls
    /// (ts/threads/ splits a minibatch by rows on this).
    pub(super) fn forward_rows(&mut self, from: usize, to: usize, vector: bool) {
        debug_assert!(from < to && to <= self.per_row.capacity);
        let n0 = self.sizes[0];
        if self.input_activated {
            let bin = &self.params[self.bin_off..][..n0];
            let z0 = &mut self.per_row.z[0][from * n0..to * n0];
            for zr in z0.chunks_exact_mut(n0) {
                zr.iter_mut().zip(bin).for_each(|(z, &b)| *z += b);
            }
            apply(self.acts[0], z0, &mut self.per_row.a[0][from * n0..to * n0], n0);
        }
        self.forward_layers(0, from, to, vector);
    }

    /// The forward pass of the layers from `first` on (the products W_l, l ≥ `first`) over the
    /// staged rows `from..to`, their inputs A_first in place.
    pub(super) fn forward_layers(&mut self, first: usize, from: usize, to: usize, vector: bool) {
        let rows = to - from;
        for l in first..self.depth() {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            let w = &self.params[self.w_off[l]..][..n_out * n_in];
            let b = &self.params[self.b_off[l]..][..n_out];
            let (a_lo, a_hi) = self.per_row.a.split_at_mut(l + 1);
            let a_in = &a_lo[l][from * n_in..to * n_in];
            let z_out = &mut self.per_row.z[l + 1][from * n_out..to * n_out];
            if vector {
                // z = W·a + b, one dot product per destination neuron.
                for ((zo, &bo), wr) in z_out.iter_mut().zip(b).zip(w.chunks_exact(n_in)) {
                    *zo = bo + T::Kernels::dot(wr, a_in);
                }
            } else if n_in < NARROW && n_out < NARROW {
                // A layer this small costs more to pack than to compute: each element of Z alone,
                // its sum in the GEMM's order and with its multiply-add, so the same bits.
                for (zr, ar) in z_out.chunks_exact_mut(n_out).zip(a_in.chunks_exact(n_in)) {
                    for ((zo, &bo), wr) in zr.iter_mut().zip(b).zip(w.chunks_exact(n_in)) {
                        *zo = bo + T::Kernels::dot_in_order(wr, ar);
                    }
                }
            } else {
                // Z = 1·b + A·Wᵀ: rows start as the bias, the product accumulates onto them.
                for zr in z_out.chunks_exact_mut(n_out) {
                    zr.copy_from_slice(b);
                }
                let (x, wt) = (MatRef::new(a_in, n_in, 1), MatRef::new(w, 1, n_in));
                gemm(rows, n_out, n_in, T::ONE, x, wt, true, z_out, n_out, 1, &mut self.per_row.ws);
            }
            apply(self.acts[l + 1], z_out, &mut a_hi[0][from * n_out..to * n_out], n_out);
        }
    }

    /// After `forward(rows)`: every δ, from the weights of the forward pass (errata 4). Returns the
    /// sum of the per-sample losses.
    fn deltas(&mut self, rows: usize) -> f64 {
        self.deltas_rows(0, rows, rows == 1)
    }

    /// `deltas` of the staged rows `from..to` after `forward_rows` on them, with the kernels
    /// `vector` chooses; returns the sum of their per-sample losses.
    pub(super) fn deltas_rows(&mut self, from: usize, to: usize, vector: bool) -> f64 {
        self.deltas_cut(from, to, vector, 0, self.sizes[1])
    }

    /// `deltas_rows`, with δ_1 of the first layer's neurons `k0..k1` only (its other columns are
    /// left as they were; not with `vector`): each column of a product is computed whole, so these
    /// are the bits of `deltas_rows`.
    pub(super) fn deltas_cut(&mut self, from: usize, to: usize, vector: bool, k0: usize, k1: usize) -> f64 {
        let last = self.depth();
        let n_last = self.sizes[last];
        let rows = to - from;
        let span = from * n_last..to * n_last;
        let loss = output_delta(
            self.loss,
            self.acts[last],
            &self.per_row.z[last][span.clone()],
            &self.per_row.a[last][span.clone()],
            &self.per_row.y[span.clone()],
            &mut self.per_row.d[last][span],
            n_last,
        );
        // Hidden deltas.
        let first = if self.input_activated { 0 } else { 1 };
        for l in (first..last).rev() {
            let (n, n_next) = (self.sizes[l], self.sizes[l + 1]);
            let w = &self.params[self.w_off[l]..][..n_next * n];
            let (d_lo, d_hi) = self.per_row.d.split_at_mut(l + 1);
            let d_next = &d_hi[0][from * n_next..to * n_next];
            let d_here = &mut d_lo[l][from * n..to * n];
            let (z, a) = (&self.per_row.z[l][from * n..to * n], &self.per_row.a[l][from * n..to * n]);
            // Columns c0..c1 of Δ_l: all of them, but δ_1's of the first layer's neurons k0..k1
            // where the step is cut by those (each column of the product is computed whole).
            let (c0, c1) = if l == 1 { (k0, k1) } else { (0, n) };
            debug_assert!(c0 <= c1 && c1 <= n && (!vector || (c0, c1) == (0, n)));
            if vector {
                // δ = Wᵀ·δ⁺, one scaled row of W per destination neuron.
                d_here.fill(T::ZERO);
                for (k, &dk) in d_next.iter().enumerate() {
                    T::Kernels::axpy(dk, &w[k * n..][..n], d_here);
                }
            } else {
                let (dn, wm) = (MatRef::new(d_next, n_next, 1), MatRef::new(&w[c0..], n, 1));
                gemm(rows, c1 - c0, n_next, T::ONE, dn, wm, false, &mut d_here[c0..], n, 1, &mut self.per_row.ws);
            }
            for ((d, z), a) in d_here.chunks_exact_mut(n).zip(z.chunks_exact(n)).zip(a.chunks_exact(n)) {
                mul_derivative(self.acts[l], &z[c0..c1], &a[c0..c1], &mut d[c0..c1]);
            }
        }
        loss
    }

    /// After `deltas(rows)`: the gradients averaged over the minibatch (Eq. 5) into `grads`.
    fn gradients_from_deltas(&mut self, rows: usize) {
        let last = self.depth();
        let inv = T::ONE / T::from_f64(rows as f64);
        for l in 0..last {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            let d_next = &self.per_row.d[l + 1][..rows * n_out];
            let a_in = &self.per_row.a[l][..rows * n_in];
            let gw = &mut self.grads[self.w_off[l]..][..n_out * n_in];
            if rows == 1 {
                // ∇W = δ⁺ ⊗ a
                for (k, gr) in gw.chunks_exact_mut(n_in).enumerate() {
                    let dk = d_next[k];
                    gr.iter_mut().zip(a_in).for_each(|(g, &a)| *g = dk * a);
                }
            } else {
                let (dt, x) = (MatRef::new(d_next, 1, n_out), MatRef::new(a_in, n_in, 1));
                gemm(n_out, n_in, rows, inv, dt, x, false, gw, n_in, 1, &mut self.per_row.ws);
            }
            column_mean(d_next, n_out, inv, &mut self.grads[self.b_off[l]..][..n_out]);
        }
        if self.input_activated {
            let n0 = self.sizes[0];
            column_mean(&self.per_row.d[0][..rows * n0], n0, inv, &mut self.grads[self.bin_off..][..n0]);
        }
    }

    /// The paper's per-sample step (one row, SGD) with the gradient and the update fused: after
    /// `deltas(1)`, `W_l ← W_l − η·δ_{l+1} a_lᵀ` and `b_l ← b_l − η_b·δ_{l+1}` row by row, without
    /// the gradient buffer (which this step leaves as it was).
    fn sgd_sample_update(&mut self) {
        let (lr, lr_b) = (T::from_f64(self.lr), T::from_f64(self.lr_b));
        for l in 0..self.depth() {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            let a_in = &self.per_row.a[l][..n_in];
            let d_next = &self.per_row.d[l + 1][..n_out];
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
            b.iter_mut().zip(&self.per_row.d[0][..n0]).for_each(|(b, &d)| *b -= lr_b * d);
        }
        self.steps += 1;
    }

    /// Applies the optimizer to every parameter from `grads`.
    pub(super) fn apply_update(&mut self) {
        self.apply_update_first(0, self.sizes[1]);
    }

    /// One update, of the first layer's neurons `k0..k1` only (their rows of W_0, entries of b_0)
    /// and of every parameter of the layers after it (and b_in).
    pub(super) fn apply_update_first(&mut self, k0: usize, k1: usize) {
        self.steps += 1;
        let t = self.steps;
        for l in 0..self.depth() {
            let (n_in, n_out) = (self.sizes[l], self.sizes[l + 1]);
            let (k0, k1) = if l == 0 { (k0, k1) } else { (0, n_out) };
            self.update_segment(self.w_off[l] + k0 * n_in, (k1 - k0) * n_in, self.lr, t);
            self.update_segment(self.b_off[l] + k0, k1 - k0, self.lr_b, t);
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
}

/// `out[j] ← inv · Σ_r d[r·n + j]` (the bias gradient: the mean of δ over the minibatch).
fn column_mean<T: Element>(d: &[T], n: usize, inv: T, out: &mut [T]) {
    column_mean_of(d, n, 0, inv, out);
}

/// `out[j] ← inv · Σ_r d[r·n + first + j]` for the `out.len()` columns from `first`: each column
/// summed over the rows in order, as `column_mean` sums it.
pub(super) fn column_mean_of<T: Element>(d: &[T], n: usize, first: usize, inv: T, out: &mut [T]) {
    out.fill(T::ZERO);
    for row in d.chunks_exact(n) {
        out.iter_mut().zip(&row[first..]).for_each(|(o, &v)| *o += v);
    }
    out.iter_mut().for_each(|o| *o *= inv);
}
