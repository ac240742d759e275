//! Entry points on one MLP's life and state: creation and destruction, the addresses of its
//! buffers (parameters, gradients, staging, outputs, results), the optimizer and its state.

use super::buffers::Buffers;
use super::codes::{code, status, STATUS_INVALID_ARGUMENT, STATUS_OK, STATUS_TOO_LARGE};
use super::handles::{self, with_entry, with_mlp, AnyMlp, Entry};
use crate::kernels::activation::Activation;
use crate::kernels::loss::Loss;
use crate::kernels::optimizer::Optimizer;
use crate::mlp::{Mlp, RowValues, MAX_LAYERS};

/// Largest step count `bp_set_steps` accepts: 2⁵³, beyond which an f64 no longer holds every
/// whole number.
const MAX_STEPS: f64 = 9_007_199_254_740_992.0;

/// Creates an MLP. `sizes` and `acts` are buffers of `layers` u32 (`acts[0]` is the input
/// layer's activation, used only when `input_activated`); `precision` is 32 or 64; `capacity`
/// (`≥ 1`) the rows one call can stage at first (`bp_reserve` raises it). Returns a handle (`> 0`)
/// or a status (`< 0`). All parameters start at zero.
#[no_mangle]
pub extern "C" fn bp_create(
    precision: u32,
    layers: usize,
    sizes: usize,
    acts: usize,
    input_activated: u32,
    loss: u32,
    capacity: usize,
) -> i32 {
    let inner = || -> Result<i32, i32> {
        if layers > MAX_LAYERS {
            return Err(STATUS_TOO_LARGE);
        }
        let bufs = Buffers::lock();
        let sizes: Vec<usize> = bufs.get::<u32>(sizes, layers)?.iter().map(|&s| s as usize).collect();
        let acts = bufs
            .get::<u32>(acts, layers)?
            .iter()
            .map(|&c| Activation::from_code(c))
            .collect::<Option<Vec<_>>>()
            .ok_or(STATUS_INVALID_ARGUMENT)?;
        drop(bufs);
        let loss = Loss::from_code(loss).ok_or(STATUS_INVALID_ARGUMENT)?;
        let ia = match input_activated {
            0 => false,
            1 => true,
            _ => return Err(STATUS_INVALID_ARGUMENT),
        };
        let mlp = match precision {
            32 => AnyMlp::F32(Mlp::try_new(&sizes, &acts, ia, loss, capacity).map_err(status)?),
            64 => AnyMlp::F64(Mlp::try_new(&sizes, &acts, ia, loss, capacity).map_err(status)?),
            _ => return Err(STATUS_INVALID_ARGUMENT),
        };
        handles::insert(mlp)
    };
    code(inner())
}

/// Frees an MLP and every buffer it owns.
#[no_mangle]
pub extern "C" fn bp_destroy(handle: i32) -> i32 {
    match handles::remove(handle) {
        Ok(entry) => {
            drop(entry); // outside the table's lock
            STATUS_OK
        }
        Err(s) => s,
    }
}

/// Raises the number of rows one call can stage (never lowers it), with the packing buffers the
/// products of that many rows need. Invalidates the staging pointers; changes no result.
#[no_mangle]
pub extern "C" fn bp_reserve(handle: i32, capacity: usize) -> i32 {
    code(with_entry(
        handle,
        |e| with_mlp!(&mut e.mlp, n, T => n.reserve(capacity).map(|_| STATUS_OK).unwrap_or_else(status)),
    ))
}

/// The number of rows one call can stage.
#[no_mangle]
pub extern "C" fn bp_capacity(handle: i32) -> i32 {
    code(with_entry(handle, |e| with_mlp!(&e.mlp, n, T => n.capacity() as i32)))
}

/// 1 where every parameter is finite, 0 where one is NaN or infinite (checked after each
/// `trainBatch`: an update can overflow a weight that a ReLU then hides from the loss).
#[no_mangle]
pub extern "C" fn bp_params_finite(handle: i32) -> i32 {
    code(with_entry(handle, |e| with_mlp!(&e.mlp, n, T => n.params_finite() as i32)))
}

/// The number of parameters (the length of the params and grads arrays).
#[no_mangle]
pub extern "C" fn bp_param_count(handle: i32) -> i32 {
    code(with_entry(handle, |e| with_mlp!(&e.mlp, n, T => n.params().len() as i32)))
}

/// Exports that return the address of one of an MLP's buffers (in its precision), or 0 for an
/// invalid handle: `$name => |mlp| pointer`.
macro_rules! buffer_addresses {
    ($($(#[doc = $doc:literal])* $name:ident => |$m:ident| $ptr:expr;)*) => {
        $(
            $(#[doc = $doc])*
            #[no_mangle]
            pub extern "C" fn $name(handle: i32) -> usize {
                with_entry(handle, |e| with_mlp!(&mut e.mlp, $m, T => $ptr as usize)).unwrap_or(0)
            }
        )*
    };
}

buffer_addresses! {
    /// Address of the parameters (layout: `crate::mlp`).
    bp_params => |m| m.params_mut().as_mut_ptr();
    /// Address of the gradients of the last `bp_gradients` (same layout as params).
    bp_grads => |m| m.grads().as_ptr();
    /// Address of the input staging buffer (capacity × n_0).
    bp_input => |m| m.input_mut().as_mut_ptr();
    /// Address of the target staging buffer (capacity × n_L).
    bp_target => |m| m.target_mut().as_mut_ptr();
    /// Address of the output activations of the last forward pass (capacity × n_L).
    bp_output => |m| m.output().as_ptr();
}

/// Address of the MLP's four f64 result slots: [0] loss, [1] correct rows.
#[no_mangle]
pub extern "C" fn bp_results(handle: i32) -> usize {
    with_entry(handle, |e| e.results.as_mut_ptr() as usize).unwrap_or(0)
}

/// Sets the optimizer (0 SGD, 1 momentum `h1 = μ`, 2 Adam `h1 = β₁, h2 = β₂, h3 = ε`) and the
/// learning rates η (weights) and η_b (biases).
#[no_mangle]
pub extern "C" fn bp_set_optimizer(handle: i32, kind: u32, lr: f64, lr_b: f64, h1: f64, h2: f64, h3: f64) -> i32 {
    let finite = [lr, lr_b, h1, h2, h3].iter().all(|v| v.is_finite());
    let Some(opt) =
        Optimizer::from_code(kind, h1, h2, h3).filter(|o| finite && lr >= 0.0 && lr_b >= 0.0 && o.is_valid())
    else {
        return STATUS_INVALID_ARGUMENT;
    };
    code(with_entry(
        handle,
        |e| with_mlp!(&mut e.mlp, n, T => n.set_optimizer(opt, lr, lr_b).map(|_| STATUS_OK).unwrap_or_else(status)),
    ))
}

/// Clears the optimizer's state.
#[no_mangle]
pub extern "C" fn bp_reset_optimizer(handle: i32) -> i32 {
    code(with_entry(handle, |e| with_mlp!(&mut e.mlp, n, T => { n.reset_optimizer(); STATUS_OK })))
}

/// Address of moment buffer `which` of the optimizer in force (0: momentum's velocity or Adam's
/// m; 1: Adam's v): `param_count` elements in the MLP's precision, in the layout of the
/// parameters. 0 where that optimizer keeps no such buffer, for another `which`, or for an
/// invalid handle. Moves when `bp_set_optimizer` changes the optimizer's kind.
#[no_mangle]
pub extern "C" fn bp_moments(handle: i32, which: u32) -> usize {
    let addr = |e: &mut Entry| with_mlp!(&mut e.mlp, n, T => n.moments_mut(which as usize).map_or(0, |m| m.as_mut_ptr() as usize));
    with_entry(handle, addr).unwrap_or(0)
}

/// Updates made so far (Adam's t), or -1 for an invalid handle.
#[no_mangle]
pub extern "C" fn bp_steps(handle: i32) -> f64 {
    with_entry(handle, |e| with_mlp!(&e.mlp, n, T => n.steps() as f64)).unwrap_or(-1.0)
}

/// Sets the number of updates made so far (to resume training where it stopped): a whole number
/// from 0 to 2⁵³.
#[no_mangle]
pub extern "C" fn bp_set_steps(handle: i32, steps: f64) -> i32 {
    if !((0.0..=MAX_STEPS).contains(&steps) && steps.fract() == 0.0) {
        return STATUS_INVALID_ARGUMENT;
    }
    code(with_entry(handle, |e| with_mlp!(&mut e.mlp, n, T => { n.set_steps(steps as u64); STATUS_OK })))
}

/// Address of the per-row values `kind` (0: z, 1: a, 2: δ) of layer `layer` (0 = input … L): a
/// buffer of `capacity × n_layer` elements in the MLP's precision, whose first `rows × n_layer` are
/// the minibatch of the last `bp_gradients` or `bp_train` (`rows` rows, row-major, computed with the
/// parameters before the update). Valid until the next call that stages rows or runs a forward pass
/// (`bp_forward`, `bp_predict`, `bp_evaluate`, `bp_fit`) or moves the buffers (`bp_reserve`). 0 for
/// an unknown kind, a layer beyond the output, z_0 and δ_0 without an activated input, or an
/// invalid handle.
#[no_mangle]
pub extern "C" fn bp_values(handle: i32, kind: u32, layer: usize) -> usize {
    let Some(kind) = RowValues::from_code(kind) else {
        return 0;
    };
    let addr = |e: &mut Entry| with_mlp!(&e.mlp, n, T => n.row_values(kind, layer).map_or(0, |v| v.as_ptr() as usize));
    with_entry(handle, addr).unwrap_or(0)
}
