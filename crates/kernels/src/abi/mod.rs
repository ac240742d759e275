//! The C-ABI surface: the only `#[no_mangle] extern "C"` entry points, and the only place where
//! raw pointers become slices. Declared for TypeScript in ts/wasm/exports.ts (keep them in step).
//!
//! - Multi-layer perceptrons live in a table and are named by handles (`> 0`): a stale or
//!   made-up handle is an error code, never a wild pointer. Each handle has its own result slots
//!   (`bp_results`). The table: [`handles`]; the entry points on one MLP: [`state`] (creation,
//!   buffers, optimizer state) and [`train`] (training, prediction, evaluation).
//! - Data crosses in buffers from `bp_alloc`; every pointer an entry point receives is checked
//!   against the live buffers and their lengths before it is read ([`buffers`]).
//! - Every fallible entry point returns a status (`0` ok, `< 0` one of `STATUS_*`); none panics
//!   on user input.
//! - The training state is open: parameters (`bp_params`), the optimizer's moments
//!   (`bp_moments`) and the step count (`bp_steps`, `bp_set_steps`), so training can stop and
//!   resume exactly.
//! - The values of the last minibatch are open too: z, a and δ of every layer (`bp_values`), so a
//!   trace can record what the kernels computed.
//! - A minibatch's step can be cut into parts that several instances compute side by side
//!   ([`parts`]: the minibatch staged from data in memory, `bp_stage`; by rows, `bp_forward_part`, `bp_gradients_part`, `bp_apply_gradients`,
//!   `bp_loss_sum`; by the first layer's neurons, `bp_first_columns`, `bp_finish_columns`).
//! - `bp_backend` says which backend the artefact was compiled with; `bp_describe` gives every
//!   code and limit as JSON ([`describe`]), for the TypeScript mirrors' test; the kernels themselves are reachable for tests and benchmarks ([`kernels`]).

pub mod buffers;
pub mod codes;
pub mod describe;
pub mod handles;
pub mod kernels;
pub mod parts;
pub mod state;
pub mod train;

pub use buffers::{bp_alloc, bp_free, bp_live_allocations, bp_live_bytes};
pub use codes::*;
pub use describe::{bp_abi_version, bp_backend, bp_describe, bp_describe_len};
pub use kernels::{bp_gemm, bp_peak_f32};
pub use parts::{
    bp_apply_gradients, bp_finish_columns, bp_first_columns, bp_forward_part, bp_gradients_part, bp_loss_sum, bp_stage,
};
pub use state::*;
pub use train::{
    bp_evaluate, bp_fit, bp_fit_drawn, bp_fit_span, bp_fit_validated, bp_forward, bp_gradients, bp_predict, bp_train,
};
