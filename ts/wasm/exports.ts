/**
 * The typed declaration of the WebAssembly surface: every export of crates/kernels/src/abi/
 * with its argument names. Pointers and sizes are wasm32 `usize` (JS numbers); handles are i32.
 * Keep in step with abi/ (the loader checks `bp_abi_version`; test/abi.test.ts pins every code below
 * against the artefact's own `bp_describe`).
 */
import type { ActivationName, LossName, OptimizerName, WasmBackend } from '../types.js';

/** Must match `ABI_VERSION` in crates/kernels/src/abi/codes.rs (11 added `bp_stage`, 10 `bp_first_columns` and `bp_finish_columns`, 9 `bp_params_finite`, 8 `bp_fit_validated`, 7 `bp_fit_drawn`, 6 the step in parts, 5 `bp_values`, 4 `bp_fit_span`, 3 `bp_backend`). */
export const ABI_VERSION = 11;

/** Status codes. Must match `STATUS_*` in crates/kernels/src/abi/codes.rs. */
export const STATUS = {
  OK: 0,
  INVALID_HANDLE: -1,
  INVALID_ARGUMENT: -2,
  TOO_LARGE: -3,
  OUT_OF_MEMORY: -4,
  BATCH_TOO_LARGE: -5,
  INDEX_OUT_OF_RANGE: -6,
  INVALID_BUFFER: -7,
} as const;

export const STATUS_TEXT: Record<number, string> = {
  [STATUS.INVALID_HANDLE]: 'invalid or disposed network handle',
  [STATUS.INVALID_ARGUMENT]: 'invalid argument',
  [STATUS.TOO_LARGE]: 'beyond a size limit',
  [STATUS.OUT_OF_MEMORY]: 'out of WebAssembly memory',
  [STATUS.BATCH_TOO_LARGE]: 'more rows than the network can stage',
  [STATUS.INDEX_OUT_OF_RANGE]: 'row index out of range',
  [STATUS.INVALID_BUFFER]: 'invalid buffer',
};

/** Activation codes. Must match `Activation` in crates/kernels/src/kernels/activation.rs. */
export const ACTIVATION_CODES: Readonly<Record<ActivationName, number>> = {
  linear: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  'leaky-relu': 4,
  softmax: 5,
};

/** Loss codes. Must match `Loss` in crates/kernels/src/kernels/loss.rs. */
export const LOSS_CODES: Readonly<Record<LossName, number>> = { mse: 0, 'cross-entropy': 1 };

/** Optimizer codes. Must match `Optimizer::from_code` in crates/kernels/src/kernels/optimizer.rs. */
export const OPTIMIZER_CODES: Readonly<Record<OptimizerName, number>> = { sgd: 0, momentum: 1, adam: 2 };

/** What `bp_backend` returns. Must match `BackendKind` in crates/kernels/src/kernels/backend/contract.rs. */
export const BACKEND_CODES: Readonly<Record<WasmBackend, number>> = { scalar: 0, simd128: 1, 'relaxed-simd': 2 };

/** The per-row values `bp_values` exposes. Must match `RowValues` in crates/kernels/src/mlp/mod.rs. */
export const VALUE_CODES = { z: 0, a: 1, delta: 2 } as const;

/**
 * Rows per forward pass of `bp_predict` and `bp_evaluate`, whatever a network's capacity (a row's
 * output depends only on the block it falls in). Must match `BLOCK_ROWS` in crates/kernels/src/mlp/mod.rs.
 */
export const BLOCK_ROWS = 256;

type Ptr = number;
type Handle = number;
type Status = number;

export interface BackpropExports {
  readonly memory: WebAssembly.Memory;
  bp_abi_version(): number;
  /** The backend the artefact was compiled with (`BACKEND_CODES`). */
  bp_backend(): number;
  bp_alloc(bytes: number): Ptr;
  bp_free(ptr: Ptr): Status;
  bp_live_allocations(): number;
  /** Heap bytes alive now (every network's buffers, and the buffers from `bp_alloc`). */
  bp_live_bytes(): number;
  /** `capacity`: the rows one call can stage at first; `bp_reserve` raises it. */
  bp_create(precision: 32 | 64, layers: number, sizes: Ptr, acts: Ptr, inputActivated: 0 | 1, loss: number, capacity: number): Handle | Status;
  bp_destroy(handle: Handle): Status;
  /** Raises the rows one call can stage (never lowers them); moves the staging buffers. */
  bp_reserve(handle: Handle, capacity: number): Status;
  bp_capacity(handle: Handle): number | Status;
  bp_param_count(handle: Handle): number | Status;
  /** 1 where every parameter is finite, 0 where one is not. */
  bp_params_finite(handle: Handle): number | Status;
  bp_params(handle: Handle): Ptr;
  bp_grads(handle: Handle): Ptr;
  bp_input(handle: Handle): Ptr;
  bp_target(handle: Handle): Ptr;
  bp_output(handle: Handle): Ptr;
  bp_results(handle: Handle): Ptr;
  bp_set_optimizer(handle: Handle, kind: number, lr: number, lrBias: number, h1: number, h2: number, h3: number): Status;
  bp_reset_optimizer(handle: Handle): Status;
  /** Address of moment buffer `which` (0: momentum's velocity or Adam's m, 1: Adam's v), param_count elements; 0 where the optimizer keeps none. */
  bp_moments(handle: Handle, which: 0 | 1): Ptr;
  /** Updates made so far (Adam's t); −1 for an invalid handle. */
  bp_steps(handle: Handle): number;
  bp_set_steps(handle: Handle, steps: number): Status;
  /** Address and byte length of a UTF-8 JSON text of the ABI's codes and limits. */
  bp_describe(): Ptr;
  bp_describe_len(): number;
  bp_train(handle: Handle, rows: number): Status;
  bp_gradients(handle: Handle, rows: number): Status;
  bp_forward(handle: Handle, rows: number): Status;
  /**
   * Address of the per-row values `kind` (`VALUE_CODES`) of layer `layer` (0 = input … L): capacity × n_layer
   * elements, the first rows × n_layer those of the last `bp_gradients` or `bp_train` (before its update);
   * 0 for z_0 and δ_0 without an activated input, an unknown kind or layer, or an invalid handle.
   */
  bp_values(handle: Handle, kind: number, layer: number): Ptr;
  /** Minibatches of `min(batch, rows)` rows at most, which the capacity must hold. */
  bp_fit(handle: Handle, x: Ptr, y: Ptr, rows: number, perm: Ptr, epochs: number, batch: number, losses: Ptr): Status;
  /** As `bp_fit`, each epoch's order drawn inside from the xoshiro128** state at `state` (4 × u32, updated), or in order where `state` is 0. */
  bp_fit_drawn(handle: Handle, x: Ptr, y: Ptr, rows: number, state: Ptr, epochs: number, batch: number, losses: Ptr): Status;
  /** As `bp_fit_drawn`, then after each epoch e the mean loss over `vrows` rows of vx, vy into `scores[2e]` and the rows classified right into `scores[2e + 1]` (f64), as `bp_evaluate`. */
  bp_fit_validated(
    handle: Handle,
    x: Ptr,
    y: Ptr,
    rows: number,
    state: Ptr,
    epochs: number,
    batch: number,
    losses: Ptr,
    vx: Ptr,
    vy: Ptr,
    vrows: number,
    scores: Ptr,
  ): Status;
  /** Part of an epoch: rows `order[0 … len)` of x, y in minibatches of `batch`; result slot 0 ← `total` + their per-sample losses. */
  bp_fit_span(handle: Handle, x: Ptr, y: Ptr, rows: number, order: Ptr, len: number, batch: number, total: number): Status;
  /** In blocks of `BLOCK_ROWS` rows whatever the capacity (buffers for one block are allocated for the call where the capacity is smaller). */
  bp_predict(handle: Handle, x: Ptr, rows: number, out: Ptr): Status;
  /** Blocks as `bp_predict`. */
  bp_evaluate(handle: Handle, x: Ptr, y: Ptr, rows: number): Status;
  /** The step in parts (ts/threads/): rows `order[0 … len)` of x, y (`rows` rows) into the staging buffers. */
  bp_stage(handle: Handle, x: Ptr, y: Ptr, rows: number, order: Ptr, len: number): Status;
  /** The forward pass and every δ of staged rows `from … to` of a minibatch of `rows` (> 1). */
  bp_forward_part(handle: Handle, rows: number, from: number, to: number): Status;
  /** The mean gradients of the `rows` (> 1) staged rows for share `part` of `parts` of every layer's neurons. */
  bp_gradients_part(handle: Handle, rows: number, part: number, parts: number): Status;
  /** One update of the optimizer in force from the grads array. */
  bp_apply_gradients(handle: Handle): Status;
  /** Result slot 0 ← the sum of the per-sample losses of the `rows` staged rows. */
  bp_loss_sum(handle: Handle, rows: number): Status;
  /** The step cut by the first layer's neurons (ts/threads/): columns `k0 … k1` of Z_1 and A_1 for all `rows` (> 1) staged rows. */
  bp_first_columns(handle: Handle, rows: number, k0: number, k1: number): Status;
  /** With all of A_1 in place: the rest of the step of the instance holding neurons `k0 … k1` of the first layer; result slot 0 ← the sum of the per-sample losses. */
  bp_finish_columns(handle: Handle, rows: number, k0: number, k1: number): Status;
  bp_gemm(
    precision: 32 | 64,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Ptr,
    rsa: number,
    csa: number,
    b: Ptr,
    rsb: number,
    csb: number,
    accumulate: 0 | 1,
    c: Ptr,
    rsc: number,
    csc: number,
  ): Status;
  bp_peak_f32(iters: number): number;
}

/** Names of every function export, for the loader's check of an artefact. */
export const EXPORT_NAMES = [
  'bp_abi_version',
  'bp_backend',
  'bp_alloc',
  'bp_free',
  'bp_live_allocations',
  'bp_live_bytes',
  'bp_create',
  'bp_destroy',
  'bp_reserve',
  'bp_capacity',
  'bp_param_count',
  'bp_params_finite',
  'bp_params',
  'bp_grads',
  'bp_input',
  'bp_target',
  'bp_output',
  'bp_results',
  'bp_set_optimizer',
  'bp_reset_optimizer',
  'bp_moments',
  'bp_steps',
  'bp_set_steps',
  'bp_describe',
  'bp_describe_len',
  'bp_train',
  'bp_gradients',
  'bp_forward',
  'bp_values',
  'bp_fit',
  'bp_fit_drawn',
  'bp_fit_validated',
  'bp_fit_span',
  'bp_predict',
  'bp_evaluate',
  'bp_stage',
  'bp_forward_part',
  'bp_gradients_part',
  'bp_apply_gradients',
  'bp_loss_sum',
  'bp_first_columns',
  'bp_finish_columns',
  'bp_gemm',
  'bp_peak_f32',
] as const satisfies readonly (keyof BackpropExports)[];
