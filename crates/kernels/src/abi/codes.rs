//! The codes of the ABI: status codes, its version, and the status of each core error.

use crate::mlp::Error;

// Status codes. Must match STATUS in ts/wasm/exports.ts.
pub const STATUS_OK: i32 = 0;
pub const STATUS_INVALID_HANDLE: i32 = -1;
pub const STATUS_INVALID_ARGUMENT: i32 = -2;
pub const STATUS_TOO_LARGE: i32 = -3;
pub const STATUS_OUT_OF_MEMORY: i32 = -4;
pub const STATUS_BATCH_TOO_LARGE: i32 = -5;
pub const STATUS_INDEX_OUT_OF_RANGE: i32 = -6;
pub const STATUS_INVALID_BUFFER: i32 = -7;

/// Every status code with its name in ts/wasm/exports.ts (`STATUS`).
pub const STATUSES: [(&str, i32); 8] = [
    ("OK", STATUS_OK),
    ("INVALID_HANDLE", STATUS_INVALID_HANDLE),
    ("INVALID_ARGUMENT", STATUS_INVALID_ARGUMENT),
    ("TOO_LARGE", STATUS_TOO_LARGE),
    ("OUT_OF_MEMORY", STATUS_OUT_OF_MEMORY),
    ("BATCH_TOO_LARGE", STATUS_BATCH_TOO_LARGE),
    ("INDEX_OUT_OF_RANGE", STATUS_INDEX_OUT_OF_RANGE),
    ("INVALID_BUFFER", STATUS_INVALID_BUFFER),
];

/// Version of this ABI; the loader refuses an artefact with another. Must match ABI_VERSION in
/// ts/wasm/exports.ts. 11: `bp_stage` (a minibatch staged from data in the module's memory); 10: the step cut by the first layer's neurons (`bp_first_columns`, `bp_finish_columns`); 9: `bp_params_finite`; 8: `bp_fit_validated` (validation after each epoch); 7: `bp_fit_drawn` (each epoch's order drawn inside); 6: the step in parts (`bp_forward_part`, `bp_gradients_part`,
/// `bp_apply_gradients`, `bp_loss_sum`); 5: `bp_values`; 4: `bp_fit_span`; 3: `bp_backend`; 2: the training state
/// (`bp_moments`, `bp_steps`, `bp_set_steps`).
pub const ABI_VERSION: u32 = 11;

pub(super) fn status(e: Error) -> i32 {
    match e {
        Error::InvalidArgument => STATUS_INVALID_ARGUMENT,
        Error::TooLarge => STATUS_TOO_LARGE,
        Error::OutOfMemory => STATUS_OUT_OF_MEMORY,
        Error::BatchTooLarge => STATUS_BATCH_TOO_LARGE,
        Error::IndexOutOfRange => STATUS_INDEX_OUT_OF_RANGE,
    }
}

/// A status from a result whose error is a status.
pub(super) fn code(r: Result<i32, i32>) -> i32 {
    r.unwrap_or_else(|e| e)
}
