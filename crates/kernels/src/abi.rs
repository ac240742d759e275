//! The C-ABI surface: the only `#[no_mangle] extern "C"` entry points, and the only place where
//! raw pointers become slices. Declared for TypeScript in ts/wasm/exports.ts (keep them in step).
//!
//! - Networks live in a table and are named by handles (`> 0`): a stale or made-up handle is an
//!   error code, never a wild pointer. Each handle has its own result slots (`bp_results`).
//! - Data crosses in buffers from `bp_alloc`; every pointer an entry point receives is checked
//!   against the live buffers and their lengths before it is read.
//! - Every fallible entry point returns a status (`0` ok, `< 0` one of `STATUS_*`); none panics
//!   on user input.
//! - The training state is open: parameters (`bp_params`), the optimizer's moments
//!   (`bp_moments`) and the step count (`bp_steps`, `bp_set_steps`), so training can stop and
//!   resume exactly.
//! - `bp_describe` gives every code and limit above as JSON, for the TypeScript mirrors' test.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::alloc;
use crate::kernels::backend::{Active, Peak, Real};
use crate::kernels::activation::{Activation, LEAKY_SLOPE};
use crate::kernels::gemm::{gemm, MatRef, Workspace};
use crate::kernels::loss::Loss;
use crate::kernels::optimizer::{Optimizer, OptimizerKind};
use crate::network::{Error, Network, MAX_CAPACITY, MAX_ELEMENTS, MAX_LAYERS, MAX_LAYER_SIZE};

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

/// Version of this ABI; the loader refuses an artefact with another.
pub const ABI_VERSION: u32 = 2;

/// Largest step count `bp_set_steps` accepts: 2⁵³, beyond which an f64 no longer holds every
/// whole number.
const MAX_STEPS: f64 = 9_007_199_254_740_992.0;

fn status(e: Error) -> i32 {
    match e {
        Error::InvalidArgument => STATUS_INVALID_ARGUMENT,
        Error::TooLarge => STATUS_TOO_LARGE,
        Error::OutOfMemory => STATUS_OUT_OF_MEMORY,
        Error::BatchTooLarge => STATUS_BATCH_TOO_LARGE,
        Error::IndexOutOfRange => STATUS_INDEX_OUT_OF_RANGE,
    }
}

enum Net {
    F32(Network<f32>),
    F64(Network<f64>),
}

/// Runs `$body` with `$n` bound to the network of either precision and `$t` to its element type.
macro_rules! with_net {
    ($net:expr, $n:ident, $t:ident => $body:expr) => {
        match $net {
            Net::F32($n) => {
                #[allow(dead_code)]
                type $t = f32;
                $body
            }
            Net::F64($n) => {
                #[allow(dead_code)]
                type $t = f64;
                $body
            }
        }
    };
}

struct Entry {
    net: Net,
    /// Results of the last call: [0] loss, [1] number of correct rows.
    results: [f64; 4],
}

struct Slot {
    generation: u32,
    entry: Option<Box<Entry>>,
}

/// Live networks at most: the index (plus one) must fit the handle's low 16 bits.
const MAX_HANDLES: usize = 0xffff;
static NETS: Mutex<Vec<Slot>> = Mutex::new(Vec::new());
/// Buffers handed out by `bp_alloc`, by address; `u64` elements keep them 8-byte aligned.
static BUFFERS: Mutex<BTreeMap<usize, Vec<u64>>> = Mutex::new(BTreeMap::new());

fn handle_of(index: usize, generation: u32) -> i32 {
    ((generation as i32 & 0x7fff) << 16) | (index as i32 + 1)
}

/// The slot index a handle names, if the handle is well formed.
fn index_of(handle: i32) -> Option<(usize, u32)> {
    (handle > 0 && handle & 0xffff != 0).then(|| (((handle & 0xffff) - 1) as usize, (handle >> 16) as u32))
}

/// Runs `f` on the entry a handle names, or returns `STATUS_INVALID_HANDLE`.
fn with_entry<R>(handle: i32, f: impl FnOnce(&mut Entry) -> R) -> Result<R, i32> {
    let (index, generation) = index_of(handle).ok_or(STATUS_INVALID_HANDLE)?;
    let mut nets = NETS.lock().unwrap();
    match nets.get_mut(index) {
        Some(Slot { generation: g, entry: Some(e) }) if *g & 0x7fff == generation => Ok(f(e)),
        _ => Err(STATUS_INVALID_HANDLE),
    }
}

fn code(r: Result<i32, i32>) -> i32 {
    r.unwrap_or_else(|e| e)
}

/// The live buffers, locked for the whole of one entry point's work, so no buffer can be freed
/// while a slice of it is in use.
struct Buffers(MutexGuard<'static, BTreeMap<usize, Vec<u64>>>);

impl Buffers {
    fn lock() -> Self {
        Buffers(BUFFERS.lock().unwrap())
    }

    /// Checks that `ptr` starts a live buffer of at least `len` elements of `T`.
    fn check<T>(&self, ptr: usize, len: usize) -> Result<(), i32> {
        let bytes = len.checked_mul(core::mem::size_of::<T>()).ok_or(STATUS_INVALID_BUFFER)?;
        match self.0.get(&ptr) {
            Some(v) if v.len() * 8 >= bytes => Ok(()),
            _ => Err(STATUS_INVALID_BUFFER),
        }
    }

    /// `len` elements of `T` at `ptr`, read-only.
    fn get<T>(&self, ptr: usize, len: usize) -> Result<&[T], i32> {
        self.check::<T>(ptr, len)?;
        // SAFETY: `ptr` starts a live, 8-byte-aligned allocation of at least `len` elements (checked
        // above) that stays alive while `self` holds the lock; every bit pattern is a valid
        // f32/f64/u32; no writable slice of it exists (`get_mut` callers pass distinct buffers).
        Ok(unsafe { core::slice::from_raw_parts(ptr as *const T, len) })
    }

    /// `len` elements of `T` at `ptr`, writable. The caller passes a buffer distinct from every other
    /// buffer of the same call (`distinct`).
    #[allow(clippy::mut_from_ref)]
    fn get_mut<T>(&self, ptr: usize, len: usize) -> Result<&mut [T], i32> {
        self.check::<T>(ptr, len)?;
        // SAFETY: as in `get`; `ptr` came from `Vec::as_mut_ptr` in `bp_alloc` and no other slice of
        // this buffer is alive in this call.
        Ok(unsafe { core::slice::from_raw_parts_mut(ptr as *mut T, len) })
    }
}

/// A buffer written by a call must be none of the buffers it reads.
fn distinct(written: usize, read: &[usize]) -> Result<(), i32> {
    if read.contains(&written) {
        return Err(STATUS_INVALID_BUFFER);
    }
    Ok(())
}

#[no_mangle]
pub extern "C" fn bp_abi_version() -> u32 {
    ABI_VERSION
}

/// The codes and limits this artefact was built with, as JSON built from the definitions
/// themselves (status codes, activations, losses, optimizers, limits, leaky-relu's slope), so the
/// TypeScript mirrors can be checked against them. Built on the first call and kept for the
/// life of the instance (one allocation).
fn describe_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut w = JsonWriter(String::new());
        w.object(|w| {
            w.key("abi");
            w.int(ABI_VERSION as i64);
            w.codes("status", &STATUSES.map(|(k, v)| (k, v as i64)));
            w.codes("activations", &Activation::ALL.map(|a| (a.name(), a as i64)));
            w.codes("losses", &Loss::ALL.map(|l| (l.name(), l as i64)));
            w.codes("optimizers", &OptimizerKind::ALL.map(|o| (o.name(), o as i64)));
            let limits = [
                ("maxLayerSize", MAX_LAYER_SIZE),
                ("maxLayers", MAX_LAYERS),
                ("maxBatch", MAX_CAPACITY),
                ("maxElements", MAX_ELEMENTS),
            ];
            w.codes("limits", &limits.map(|(k, v)| (k, v as i64)));
            w.key("leakySlope");
            w.decimal(LEAKY_SLOPE);
        });
        w.0
    })
}

/// Writes JSON without `core::fmt`, whose float formatting alone adds ~24 KB to the artefact.
/// Keys are plain ASCII names (nothing to escape).
struct JsonWriter(String);

impl JsonWriter {
    fn object(&mut self, members: impl FnOnce(&mut Self)) {
        self.0.push('{');
        members(self);
        self.0.push('}');
    }

    fn key(&mut self, key: &str) {
        debug_assert!(!key.contains(['"', '\\']));
        if !self.0.ends_with('{') {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    fn codes(&mut self, key: &str, pairs: &[(&str, i64)]) {
        self.key(key);
        self.object(|w| {
            for &(k, v) in pairs {
                w.key(k);
                w.int(v);
            }
        });
    }

    fn int(&mut self, v: i64) {
        if v < 0 {
            self.0.push('-');
        }
        self.digits(v.unsigned_abs(), 1);
    }

    /// The digits of `n`, at least `width` of them (zeros in front).
    fn digits(&mut self, mut n: u64, width: usize) {
        let (mut buf, mut i) = ([b'0'; 20], 20);
        while n > 0 || i > 20 - width {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        buf[i..].iter().for_each(|&d| self.0.push(d as char));
    }

    /// A finite `x ≥ 0` with the fewest decimal places (up to 15) that read back as `x`:
    /// `n / 10ᵏ` with both exact is rounded correctly, as reading the decimal text is.
    fn decimal(&mut self, x: f64) {
        let mut scale = 1.0;
        for places in 0..=15 {
            let n = (x * scale).round();
            if n / scale == x && n < 9e15 {
                let (n, pow) = (n as u64, 10u64.pow(places));
                self.digits(n / pow, 1);
                if places > 0 {
                    self.0.push('.');
                    self.digits(n % pow, places as usize);
                }
                return;
            }
            scale *= 10.0;
        }
        unreachable!("a value without a short decimal form");
    }
}

/// Address of the UTF-8 JSON text that describes this artefact's codes and limits:
/// `{"abi":2,"status":{"OK":0,…},"activations":{"linear":0,…},"losses":{…},"optimizers":{…},
/// "limits":{"maxLayerSize":…,"maxLayers":…,"maxBatch":…,"maxElements":…},"leakySlope":0.01}`.
/// Its length in bytes is `bp_describe_len`.
#[no_mangle]
pub extern "C" fn bp_describe() -> usize {
    describe_text().as_ptr() as usize
}

/// Length in bytes of the text at `bp_describe`.
#[no_mangle]
pub extern "C" fn bp_describe_len() -> usize {
    describe_text().len()
}

/// Allocates a zeroed, 8-byte-aligned buffer of `bytes` bytes; returns its address, 0 if the
/// memory cannot be had.
#[no_mangle]
pub extern "C" fn bp_alloc(bytes: usize) -> usize {
    let words = bytes.div_ceil(8).max(1);
    let mut v: Vec<u64> = Vec::new();
    if v.try_reserve_exact(words).is_err() {
        return 0;
    }
    v.resize(words, 0);
    let ptr = v.as_mut_ptr() as usize;
    BUFFERS.lock().unwrap().insert(ptr, v);
    ptr
}

/// Frees a buffer from `bp_alloc`.
#[no_mangle]
pub extern "C" fn bp_free(ptr: usize) -> i32 {
    match BUFFERS.lock().unwrap().remove(&ptr) {
        Some(_) => STATUS_OK,
        None => STATUS_INVALID_BUFFER,
    }
}

/// Heap allocations alive now (the test counter for leaks).
#[no_mangle]
pub extern "C" fn bp_live_allocations() -> usize {
    alloc::live_allocations()
}

/// Heap bytes alive now.
#[no_mangle]
pub extern "C" fn bp_live_bytes() -> usize {
    alloc::live_bytes()
}

/// Creates a network. `sizes` and `acts` are buffers of `layers` u32 (`acts[0]` is the input
/// layer's activation, used only when `input_activated`); `precision` is 32 or 64. Returns a
/// handle (`> 0`) or a status (`< 0`). All parameters start at zero.
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
        let acts = bufs.get::<u32>(acts, layers)?
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
        let net = match precision {
            32 => Net::F32(Network::try_new(&sizes, &acts, ia, loss, capacity).map_err(status)?),
            64 => Net::F64(Network::try_new(&sizes, &acts, ia, loss, capacity).map_err(status)?),
            _ => return Err(STATUS_INVALID_ARGUMENT),
        };
        let entry = Box::new(Entry { net, results: [0.0; 4] });
        let mut nets = NETS.lock().unwrap();
        let index = match nets.iter().position(|s| s.entry.is_none()) {
            Some(i) => i,
            None if nets.len() < MAX_HANDLES => {
                nets.push(Slot { generation: 0, entry: None });
                nets.len() - 1
            }
            None => return Err(STATUS_TOO_LARGE),
        };
        let slot = &mut nets[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.entry = Some(entry);
        Ok(handle_of(index, slot.generation))
    };
    code(inner())
}

/// Frees a network and every buffer it owns.
#[no_mangle]
pub extern "C" fn bp_destroy(handle: i32) -> i32 {
    let Some((index, generation)) = index_of(handle) else {
        return STATUS_INVALID_HANDLE;
    };
    let entry = match NETS.lock().unwrap().get_mut(index) {
        Some(slot) if slot.entry.is_some() && slot.generation & 0x7fff == generation => slot.entry.take(),
        _ => return STATUS_INVALID_HANDLE,
    };
    drop(entry); // outside the lock
    STATUS_OK
}

/// Raises the number of rows one call can stage. Invalidates the staging pointers.
#[no_mangle]
pub extern "C" fn bp_reserve(handle: i32, capacity: usize) -> i32 {
    code(with_entry(handle, |e| with_net!(&mut e.net, n, T => n.reserve(capacity).map(|_| STATUS_OK).unwrap_or_else(status))))
}

/// The number of rows one call can stage.
#[no_mangle]
pub extern "C" fn bp_capacity(handle: i32) -> i32 {
    code(with_entry(handle, |e| with_net!(&e.net, n, T => n.capacity() as i32)))
}

/// The number of parameters (the length of the params and grads arrays).
#[no_mangle]
pub extern "C" fn bp_param_count(handle: i32) -> i32 {
    code(with_entry(handle, |e| with_net!(&e.net, n, T => n.params().len() as i32)))
}

/// Address of the parameters (layout: network.rs), or 0 for an invalid handle.
#[no_mangle]
pub extern "C" fn bp_params(handle: i32) -> usize {
    with_entry(handle, |e| with_net!(&mut e.net, n, T => n.params_mut().as_mut_ptr() as usize)).unwrap_or(0)
}

/// Address of the gradients of the last `bp_gradients` (same layout as params).
#[no_mangle]
pub extern "C" fn bp_grads(handle: i32) -> usize {
    with_entry(handle, |e| with_net!(&e.net, n, T => n.grads().as_ptr() as usize)).unwrap_or(0)
}

/// Address of the input staging buffer (capacity × n_0).
#[no_mangle]
pub extern "C" fn bp_input(handle: i32) -> usize {
    with_entry(handle, |e| with_net!(&mut e.net, n, T => n.input_mut().as_mut_ptr() as usize)).unwrap_or(0)
}

/// Address of the target staging buffer (capacity × n_L).
#[no_mangle]
pub extern "C" fn bp_target(handle: i32) -> usize {
    with_entry(handle, |e| with_net!(&mut e.net, n, T => n.target_mut().as_mut_ptr() as usize)).unwrap_or(0)
}

/// Address of the output activations of the last forward pass (capacity × n_L).
#[no_mangle]
pub extern "C" fn bp_output(handle: i32) -> usize {
    with_entry(handle, |e| with_net!(&e.net, n, T => n.output().as_ptr() as usize)).unwrap_or(0)
}

/// Address of the network's four f64 result slots: [0] loss, [1] correct rows.
#[no_mangle]
pub extern "C" fn bp_results(handle: i32) -> usize {
    with_entry(handle, |e| e.results.as_mut_ptr() as usize).unwrap_or(0)
}

/// Sets the optimizer (0 SGD, 1 momentum `h1 = μ`, 2 Adam `h1 = β₁, h2 = β₂, h3 = ε`) and the
/// learning rates η (weights) and η_b (biases).
#[no_mangle]
pub extern "C" fn bp_set_optimizer(handle: i32, kind: u32, lr: f64, lr_b: f64, h1: f64, h2: f64, h3: f64) -> i32 {
    let finite = [lr, lr_b, h1, h2, h3].iter().all(|v| v.is_finite());
    let Some(opt) = Optimizer::from_code(kind, h1, h2, h3).filter(|o| finite && lr >= 0.0 && lr_b >= 0.0 && o.is_valid()) else {
        return STATUS_INVALID_ARGUMENT;
    };
    code(with_entry(handle, |e| with_net!(&mut e.net, n, T => n.set_optimizer(opt, lr, lr_b).map(|_| STATUS_OK).unwrap_or_else(status))))
}

/// Clears the optimizer's state.
#[no_mangle]
pub extern "C" fn bp_reset_optimizer(handle: i32) -> i32 {
    code(with_entry(handle, |e| with_net!(&mut e.net, n, T => { n.reset_optimizer(); STATUS_OK })))
}

/// Address of moment buffer `which` of the optimizer in force (0: momentum's velocity or Adam's
/// m; 1: Adam's v): `param_count` elements in the network's precision, in the layout of the
/// parameters. 0 where that optimizer keeps no such buffer, for another `which`, or for an
/// invalid handle. Moves when `bp_set_optimizer` changes the optimizer's kind.
#[no_mangle]
pub extern "C" fn bp_moments(handle: i32, which: u32) -> usize {
    let addr = |e: &mut Entry| with_net!(&mut e.net, n, T => n.moments_mut(which as usize).map_or(0, |m| m.as_mut_ptr() as usize));
    with_entry(handle, addr).unwrap_or(0)
}

/// Updates made so far (Adam's t), or -1 for an invalid handle.
#[no_mangle]
pub extern "C" fn bp_steps(handle: i32) -> f64 {
    with_entry(handle, |e| with_net!(&e.net, n, T => n.steps() as f64)).unwrap_or(-1.0)
}

/// Sets the number of updates made so far (to resume training where it stopped): a whole number
/// from 0 to 2⁵³.
#[no_mangle]
pub extern "C" fn bp_set_steps(handle: i32, steps: f64) -> i32 {
    if !((0.0..=MAX_STEPS).contains(&steps) && steps.fract() == 0.0) {
        return STATUS_INVALID_ARGUMENT;
    }
    code(with_entry(handle, |e| with_net!(&mut e.net, n, T => { n.set_steps(steps as u64); STATUS_OK })))
}

fn staged_rows(handle: i32, rows: usize, f: impl Fn(&mut Net, usize) -> f64) -> i32 {
    code(with_entry(handle, |e| {
        let cap = with_net!(&e.net, n, T => n.capacity());
        if rows == 0 {
            return STATUS_INVALID_ARGUMENT;
        }
        if rows > cap {
            return STATUS_BATCH_TOO_LARGE;
        }
        e.results[0] = f(&mut e.net, rows) / rows as f64;
        STATUS_OK
    }))
}

/// One training step on the `rows` rows staged in the input and target buffers; the mean loss
/// before the update goes to result slot 0.
#[no_mangle]
pub extern "C" fn bp_train(handle: i32, rows: usize) -> i32 {
    staged_rows(handle, rows, |net, r| with_net!(net, n, T => n.train_staged(r)))
}

/// The averaged gradients of the staged rows into the grads array, without an update; the mean
/// loss goes to result slot 0.
#[no_mangle]
pub extern "C" fn bp_gradients(handle: i32, rows: usize) -> i32 {
    staged_rows(handle, rows, |net, r| with_net!(net, n, T => n.gradients_staged(r)))
}

/// The forward pass on the staged rows; outputs at `bp_output`.
#[no_mangle]
pub extern "C" fn bp_forward(handle: i32, rows: usize) -> i32 {
    staged_rows(handle, rows, |net, r| with_net!(net, n, T => { n.forward(r); 0.0 }))
}

/// Trains `epochs` epochs in one call. `x` (rows × n_0) and `y` (rows × n_L) hold the data in the
/// network's precision, `perm` (u32, epochs × rows) the order of each epoch, `losses` (f64,
/// epochs) receives each epoch's mean loss.
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
        with_net!(&mut e.net, n, T => (|| {
            distinct(losses, &[x, y, perm])?;
            let bufs = Buffers::lock();
            let perm_len = epochs.checked_mul(rows).ok_or(STATUS_INVALID_ARGUMENT)?;
            let xs = bufs.get::<T>(x, rows.checked_mul(n.input_size()).ok_or(STATUS_TOO_LARGE)?)?;
            let ys = bufs.get::<T>(y, rows.checked_mul(n.output_size()).ok_or(STATUS_TOO_LARGE)?)?;
            let p = bufs.get::<u32>(perm, perm_len)?;
            let l = bufs.get_mut::<f64>(losses, epochs)?;
            n.fit(xs, ys, rows, p, epochs, batch, l).map_err(status)?;
            Ok(STATUS_OK)
        })().unwrap_or_else(|s| s))
    }))
}

/// Outputs for `rows` rows of `x` into `out` (rows × n_L).
#[no_mangle]
pub extern "C" fn bp_predict(handle: i32, x: usize, rows: usize, out: usize) -> i32 {
    code(with_entry(handle, |e| {
        with_net!(&mut e.net, n, T => (|| {
            distinct(out, &[x])?;
            let bufs = Buffers::lock();
            let xs = bufs.get::<T>(x, rows.checked_mul(n.input_size()).ok_or(STATUS_TOO_LARGE)?)?;
            let o = bufs.get_mut::<T>(out, rows.checked_mul(n.output_size()).ok_or(STATUS_TOO_LARGE)?)?;
            n.predict(xs, rows, o).map_err(status)?;
            Ok(STATUS_OK)
        })().unwrap_or_else(|s| s))
    }))
}

/// Mean loss (slot 0) and correct rows (slot 1) over `rows` rows of `x` and `y`.
#[no_mangle]
pub extern "C" fn bp_evaluate(handle: i32, x: usize, y: usize, rows: usize) -> i32 {
    code(with_entry(handle, |e| {
        let r = with_net!(&mut e.net, n, T => (|| {
            let bufs = Buffers::lock();
            let xs = bufs.get::<T>(x, rows.checked_mul(n.input_size()).ok_or(STATUS_TOO_LARGE)?)?;
            let ys = bufs.get::<T>(y, rows.checked_mul(n.output_size()).ok_or(STATUS_TOO_LARGE)?)?;
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

fn gemm_call<T: Real>(
    dims: [usize; 3],
    alpha: f64,
    a: (usize, usize, usize),
    b: (usize, usize, usize),
    accumulate: u32,
    c: (usize, usize, usize),
) -> Result<i32, i32> {
    let [m, n, k] = dims;
    let extent = |rows: usize, cols: usize, rs: usize, cs: usize| -> Result<usize, i32> {
        if rows == 0 || cols == 0 {
            return Ok(0);
        }
        let last = (rows - 1).checked_mul(rs).and_then(|r| (cols - 1).checked_mul(cs).and_then(|c| r.checked_add(c)));
        last.and_then(|l| l.checked_add(1)).ok_or(STATUS_TOO_LARGE)
    };
    distinct(c.0, &[a.0, b.0])?;
    let bufs = Buffers::lock();
    let av = bufs.get::<T>(a.0, extent(m, k, a.1, a.2)?)?;
    let bv = bufs.get::<T>(b.0, extent(k, n, b.1, b.2)?)?;
    let cv = bufs.get_mut::<T>(c.0, extent(m, n, c.1, c.2)?)?;
    let mut ws = Workspace::<T>::try_new(n).map_err(|_| STATUS_OUT_OF_MEMORY)?;
    let (am, bm) = (MatRef::new(av, a.1, a.2), MatRef::new(bv, b.1, b.2));
    gemm(m, n, k, T::from_f64(alpha), am, bm, accumulate != 0, cv, c.1, c.2, &mut ws);
    Ok(STATUS_OK)
}

/// The matrix product `C ← α·A·B (+ C)` on strided buffers from `bp_alloc`, for tests and
/// benchmarks of the kernel itself (allocates its packing workspace per call).
#[no_mangle]
pub extern "C" fn bp_gemm(
    precision: u32,
    m: usize,
    n: usize,
    k: usize,
    alpha: f64,
    a: usize,
    rsa: usize,
    csa: usize,
    b: usize,
    rsb: usize,
    csb: usize,
    accumulate: u32,
    c: usize,
    rsc: usize,
    csc: usize,
) -> i32 {
    let (dims, av, bv, cv) = ([m, n, k], (a, rsa, csa), (b, rsb, csb), (c, rsc, csc));
    code(match precision {
        32 => gemm_call::<f32>(dims, alpha, av, bv, accumulate, cv),
        64 => gemm_call::<f64>(dims, alpha, av, bv, accumulate, cv),
        _ => Err(STATUS_INVALID_ARGUMENT),
    })
}

/// The machine's arithmetic ceiling: `iters` rounds of 12 independent multiply-add chains of
/// four f32 lanes (96 flops a round). Returns a value that depends on every chain.
#[no_mangle]
pub extern "C" fn bp_peak_f32(iters: u32) -> f32 {
    Active::peak_f32(iters)
}
