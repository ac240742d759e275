//! Entry points of a minibatch's step in parts, for instances that train one minibatch together
//! (ts/threads/; the arithmetic and why it gives the one-instance bits: `mlp/parts.rs`). Each
//! works on the rows staged in the MLP's own buffers.

use super::codes::{code, status, STATUS_OK};
use super::handles::{with_entry, with_mlp};
use super::train::on_span;

/// Runs `f` on the MLP a handle names; its status, or an error's.
fn on_mlp(handle: i32, f: impl FnOnce(&mut super::handles::Entry) -> Result<(), crate::mlp::Error>) -> i32 {
    code(with_entry(handle, |e| f(e).map_or_else(status, |()| STATUS_OK)))
}

/// Stages the rows `order[..len]` (u32 indices into the `rows` rows of x and y, buffers from
/// `bp_alloc`) into the MLP's own buffers: the minibatch the parts below then work on.
#[no_mangle]
pub extern "C" fn bp_stage(handle: i32, x: usize, y: usize, rows: usize, order: usize, len: usize) -> i32 {
    code(with_entry(handle, |e| {
        let r = with_mlp!(&mut e.mlp, n, T => on_span(n, (x, y, rows), (order, len), |n, xs, ys, o| n.stage(xs, ys, rows, o)));
        r.map_or_else(|s| s, |()| STATUS_OK)
    }))
}

/// The forward pass and every δ of the staged rows `from..to` of a minibatch of `rows` (> 1).
#[no_mangle]
pub extern "C" fn bp_forward_part(handle: i32, rows: usize, from: usize, to: usize) -> i32 {
    on_mlp(handle, |e| with_mlp!(&mut e.mlp, n, T => n.forward_part(rows, from, to)))
}

/// The mean gradients of the `rows` (> 1) staged rows for share `part` of `parts` of every
/// layer's neurons (rows `n·part/parts .. n·(part+1)/parts` of ∇W_l, the same entries of ∇b_l
/// and of ∇b_in), into the grads array.
#[no_mangle]
pub extern "C" fn bp_gradients_part(handle: i32, rows: usize, part: usize, parts: usize) -> i32 {
    on_mlp(handle, |e| with_mlp!(&mut e.mlp, n, T => n.gradients_part(rows, part, parts)))
}

/// One update of the optimizer in force from the grads array.
#[no_mangle]
pub extern "C" fn bp_apply_gradients(handle: i32) -> i32 {
    on_mlp(handle, |e| {
        with_mlp!(&mut e.mlp, n, T => n.apply_gradients());
        Ok(())
    })
}

/// The sum of the per-sample losses of the `rows` staged rows (outputs and targets in place)
/// into result slot 0.
#[no_mangle]
pub extern "C" fn bp_loss_sum(handle: i32, rows: usize) -> i32 {
    on_mlp(handle, |e| {
        e.results[0] = with_mlp!(&e.mlp, n, T => n.loss_staged(rows))?;
        Ok(())
    })
}

/// The columns `k0..k1` of Z_1 and A_1 (the first layer's neurons k0..k1) for all `rows` (> 1)
/// staged rows.
#[no_mangle]
pub extern "C" fn bp_first_columns(handle: i32, rows: usize, k0: usize, k1: usize) -> i32 {
    on_mlp(handle, |e| with_mlp!(&mut e.mlp, n, T => n.first_columns_part(rows, k0, k1)))
}

/// With every column of A_1 in place (and its own of Z_1): the rest of the step of the instance
/// holding the first layer's neurons `k0..k1` (the update of those and of every later parameter);
/// the sum of the per-sample losses into result slot 0.
#[no_mangle]
pub extern "C" fn bp_finish_columns(handle: i32, rows: usize, k0: usize, k1: usize) -> i32 {
    on_mlp(handle, |e| {
        e.results[0] = with_mlp!(&mut e.mlp, n, T => n.finish_columns_part(rows, k0, k1))?;
        Ok(())
    })
}
