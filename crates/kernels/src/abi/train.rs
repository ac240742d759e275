//! Entry points that train, predict and evaluate: on the rows staged in an MLP's own buffers, or
//! on whole data sets in buffers from `bp_alloc` (read where they lie).

use super::buffers::{distinct, Buffers};
use super::codes::{code, status, STATUS_BATCH_TOO_LARGE, STATUS_INVALID_ARGUMENT, STATUS_OK, STATUS_TOO_LARGE};
use super::handles::{with_entry, with_mlp, AnyMlp};
use crate::kernels::backend::Real;
use crate::mlp::Mlp;
use crate::random::Xoshiro128;

/// The `rows` rows of data at `x` (rows × n_0) and `y` (rows × n_L), in the MLP's precision.
fn data<'b, T: Real>(
    bufs: &'b Buffers,
    n: &Mlp<T>,
    x: usize,
    y: usize,
    rows: usize,
) -> Result<(&'b [T], &'b [T]), i32> {
    let xs = bufs.get::<T>(x, rows.checked_mul(n.input_size()).ok_or(STATUS_TOO_LARGE)?)?;
    let ys = bufs.get::<T>(y, rows.checked_mul(n.output_size()).ok_or(STATUS_TOO_LARGE)?)?;
    Ok((xs, ys))
}

/// `f` on the MLP, the `rows` rows of data at `x` and `y`, and the `len` row indices at `order`
/// (the rows of a span, or of a minibatch to stage); its error as a status.
pub(super) fn on_span<T: Real, R>(
    n: &mut Mlp<T>,
    (x, y, rows): (usize, usize, usize),
    (order, len): (usize, usize),
    f: impl FnOnce(&mut Mlp<T>, &[T], &[T], &[u32]) -> Result<R, crate::mlp::Error>,
) -> Result<R, i32> {
    let bufs = Buffers::lock();
    let (xs, ys) = data(&bufs, n, x, y, rows)?;
    let o = bufs.get::<u32>(order, len)?;
    f(n, xs, ys, o).map_err(status)
}

fn staged_rows(handle: i32, rows: usize, f: impl Fn(&mut AnyMlp, usize) -> f64) -> i32 {
    code(with_entry(handle, |e| {
        let cap = with_mlp!(&e.mlp, n, T => n.capacity());
        if rows == 0 {
            return STATUS_INVALID_ARGUMENT;
        }
        if rows > cap {
            return STATUS_BATCH_TOO_LARGE;
        }
        e.results[0] = f(&mut e.mlp, rows) / rows as f64;
        STATUS_OK
    }))
}

/// One training step on the `rows` rows staged in the input and target buffers; the mean loss
/// before the update goes to result slot 0.
#[no_mangle]
pub extern "C" fn bp_train(handle: i32, rows: usize) -> i32 {
    staged_rows(handle, rows, |mlp, r| with_mlp!(mlp, n, T => n.train_staged(r)))
}

/// The averaged gradients of the staged rows into the grads array, without an update; the mean
/// loss goes to result slot 0.
#[no_mangle]
pub extern "C" fn bp_gradients(handle: i32, rows: usize) -> i32 {
    staged_rows(handle, rows, |mlp, r| with_mlp!(mlp, n, T => n.gradients_staged(r)))
}

/// The forward pass on the staged rows; outputs at `bp_output`.
#[no_mangle]
pub extern "C" fn bp_forward(handle: i32, rows: usize) -> i32 {
    staged_rows(handle, rows, |mlp, r| with_mlp!(mlp, n, T => { n.forward(r); 0.0 }))
}

/// Trains `epochs` epochs in one call. `x` (rows × n_0) and `y` (rows × n_L) hold the data in the
/// MLP's precision, `perm` (u32, epochs × rows) the order of each epoch, `losses` (f64,
/// epochs) receives each epoch's mean loss. The capacity must hold `min(batch, rows)` rows.
#[no_mangle]
pub extern "C" fn bp_fit(
    handle: i32,
    x: usize,
    y: usize,
    rows: usize,
    perm: usize,
    epochs: usize,
    batch: usize,
    losses: usize,
) -> i32 {
    code(with_entry(handle, |e| {
        with_mlp!(&mut e.mlp, n, T => (|| {
            distinct(losses, &[x, y, perm])?;
            let bufs = Buffers::lock();
            let perm_len = epochs.checked_mul(rows).ok_or(STATUS_INVALID_ARGUMENT)?;
            let (xs, ys) = data(&bufs, n, x, y, rows)?;
            let p = bufs.get::<u32>(perm, perm_len)?;
            let l = bufs.get_mut::<f64>(losses, epochs)?;
            n.fit(xs, ys, rows, p, batch, l).map_err(status)?;
            Ok(STATUS_OK)
        })().unwrap_or_else(|s| s))
    }))
}

/// Trains `epochs` epochs in one call, each in an order drawn inside: the rows in order where
/// `state` is 0, else shuffled by the xoshiro128** generator whose four u32 words `state` holds
/// (updated in place, as ts/random.ts would leave them). Otherwise as `bp_fit`.
#[no_mangle]
pub extern "C" fn bp_fit_drawn(
    handle: i32,
    x: usize,
    y: usize,
    rows: usize,
    state: usize,
    epochs: usize,
    batch: usize,
    losses: usize,
) -> i32 {
    fit_drawn(handle, (x, y, rows), state, epochs, batch, losses, None)
}

/// `bp_fit_drawn`, with validation after every epoch on the `vrows` rows at `vx` and `vy`: `scores`
/// (2 × epochs f64) receives, for each epoch, the mean loss over them and the rows classified
/// right, as `bp_evaluate` computes them.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn bp_fit_validated(
    handle: i32,
    x: usize,
    y: usize,
    rows: usize,
    state: usize,
    epochs: usize,
    batch: usize,
    losses: usize,
    vx: usize,
    vy: usize,
    vrows: usize,
    scores: usize,
) -> i32 {
    fit_drawn(handle, (x, y, rows), state, epochs, batch, losses, Some((vx, vy, vrows, scores)))
}

/// `bp_fit_drawn` and `bp_fit_validated`: the buffers checked, the generator read and written back.
fn fit_drawn(
    handle: i32,
    (x, y, rows): (usize, usize, usize),
    state: usize,
    epochs: usize,
    batch: usize,
    losses: usize,
    validation: Option<(usize, usize, usize, usize)>,
) -> i32 {
    code(with_entry(handle, |e| {
        with_mlp!(&mut e.mlp, n, T => (|| {
            // Written: the losses, the scores and the state (0: none), each none of what is read.
            let (vx, vy, vrows, scores) = validation.unwrap_or((x, y, 1, losses));
            distinct(losses, &[x, y, state, vx, vy])?;
            if validation.is_some() {
                distinct(scores, &[x, y, state, vx, vy, losses])?;
            }
            if state != 0 {
                distinct(state, &[x, y, vx, vy])?;
            }
            if vrows == 0 {
                return Err(STATUS_INVALID_ARGUMENT);
            }
            let bufs = Buffers::lock();
            let (xs, ys) = data(&bufs, n, x, y, rows)?;
            let l = bufs.get_mut::<f64>(losses, epochs)?;
            let v = match validation {
                None => None,
                Some(_) => {
                    let (vxs, vys) = data(&bufs, n, vx, vy, vrows)?;
                    let sc = bufs.get_mut::<f64>(scores, epochs.checked_mul(2).ok_or(STATUS_TOO_LARGE)?)?;
                    Some((vxs, vys, vrows, sc))
                }
            };
            let mut rng = match state {
                0 => None,
                p => {
                    let words = bufs.get_mut::<u32>(p, 4)?;
                    Some((Xoshiro128 { s: [words[0], words[1], words[2], words[3]] }, words))
                }
            };
            let r = n.fit_drawn(xs, ys, rows, rng.as_mut().map(|(g, _)| g), batch, l, v);
            if let Some((g, words)) = rng {
                words.copy_from_slice(&g.s);
            }
            r.map_err(status)?;
            Ok(STATUS_OK)
        })().unwrap_or_else(|s| s))
    }))
}

/// Trains part of an epoch in one call: the `len` rows whose indices `order` (u32) holds, of the
/// `rows` rows of `x` and `y`, in minibatches of `batch` from its start. Result slot 0 receives
/// `total` plus the per-sample losses (see `Mlp::fit_span`): an epoch trained span by span, each
/// span given the total so far, trains and sums exactly as `bp_fit`. The capacity must hold
/// `min(batch, len)` rows.
#[no_mangle]
pub extern "C" fn bp_fit_span(
    handle: i32,
    x: usize,
    y: usize,
    rows: usize,
    order: usize,
    len: usize,
    batch: usize,
    total: f64,
) -> i32 {
    code(with_entry(handle, |e| {
        let r = with_mlp!(&mut e.mlp, n, T => on_span(n, (x, y, rows), (order, len), |n, xs, ys, o| n.fit_span(xs, ys, rows, o, batch, total)));
        match r {
            Ok(sum) => {
                e.results[0] = sum;
                STATUS_OK
            }
            Err(s) => s,
        }
    }))
}

/// Outputs for `rows` rows of `x` into `out` (rows × n_L), in blocks of `BLOCK_ROWS` rows
/// whatever the capacity (where the capacity is smaller, the buffers of one block are allocated
/// for the call; the capacity stays as it was).
#[no_mangle]
pub extern "C" fn bp_predict(handle: i32, x: usize, rows: usize, out: usize) -> i32 {
    code(with_entry(handle, |e| {
        with_mlp!(&mut e.mlp, n, T => (|| {
            distinct(out, &[x])?;
            let bufs = Buffers::lock();
            let xs = bufs.get::<T>(x, rows.checked_mul(n.input_size()).ok_or(STATUS_TOO_LARGE)?)?;
            let o = bufs.get_mut::<T>(out, rows.checked_mul(n.output_size()).ok_or(STATUS_TOO_LARGE)?)?;
            n.predict(xs, rows, o).map_err(status)?;
            Ok(STATUS_OK)
        })().unwrap_or_else(|s| s))
    }))
}

/// Mean loss (slot 0) and correct rows (slot 1) over `rows` rows of `x` and `y`, in blocks as
/// `bp_predict`.
#[no_mangle]
pub extern "C" fn bp_evaluate(handle: i32, x: usize, y: usize, rows: usize) -> i32 {
    code(with_entry(handle, |e| {
        let r = with_mlp!(&mut e.mlp, n, T => (|| {
            let bufs = Buffers::lock();
            let (xs, ys) = data(&bufs, n, x, y, rows)?;
            n.evaluate(xs, ys, rows).map_err(status)
        })());
        match r {
            Ok((loss, correct)) => {
                e.results[0] = loss;
                e.results[1] = correct as f64;
                STATUS_OK
            }
            Err(s) => s,
        }
    }))
}
