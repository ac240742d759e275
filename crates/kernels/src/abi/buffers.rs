//! The buffer registry: memory the TypeScript layer fills and reads, handed out by `bp_alloc`
//! and checked, by address and length, before any entry point turns a pointer into a slice.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::codes::{STATUS_INVALID_BUFFER, STATUS_OK};
use crate::alloc;

/// Buffers handed out by `bp_alloc`, by address; `u64` elements keep them 8-byte aligned.
static BUFFERS: Mutex<BTreeMap<usize, Vec<u64>>> = Mutex::new(BTreeMap::new());

/// The live buffers, locked for the whole of one entry point's work, so no buffer can be freed
/// while a slice of it is in use.
pub struct Buffers(MutexGuard<'static, BTreeMap<usize, Vec<u64>>>);

impl Buffers {
    pub fn lock() -> Self {
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
    pub fn get<T>(&self, ptr: usize, len: usize) -> Result<&[T], i32> {
        self.check::<T>(ptr, len)?;
        // SAFETY: `ptr` starts a live, 8-byte-aligned allocation of at least `len` elements (checked
        // above) that stays alive while `self` holds the lock; every bit pattern is a valid
        // f32/f64/u32; no writable slice of it exists (`get_mut` callers pass distinct buffers).
        Ok(unsafe { core::slice::from_raw_parts(ptr as *const T, len) })
    }

    /// `len` elements of `T` at `ptr`, writable. The caller passes a buffer distinct from every other
    /// buffer of the same call (`distinct`).
    #[allow(clippy::mut_from_ref)]
    pub fn get_mut<T>(&self, ptr: usize, len: usize) -> Result<&mut [T], i32> {
        self.check::<T>(ptr, len)?;
        // SAFETY: as in `get`; `ptr` came from `Vec::as_mut_ptr` in `bp_alloc` and no other slice of
        // this buffer is alive in this call.
        Ok(unsafe { core::slice::from_raw_parts_mut(ptr as *mut T, len) })
    }
}

/// A buffer written by a call must be none of the buffers it reads.
pub fn distinct(written: usize, read: &[usize]) -> Result<(), i32> {
    if read.contains(&written) {
        return Err(STATUS_INVALID_BUFFER);
    }
    Ok(())
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
