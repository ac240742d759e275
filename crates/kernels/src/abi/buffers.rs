//! The buffer registry: memory the TypeScript layer fills and reads, handed out by `bp_alloc`
//! and checked, by address and length, before any entry point turns a pointer into a slice.

use std::sync::{Mutex, MutexGuard};

use super::codes::{STATUS_INVALID_BUFFER, STATUS_OK};
use crate::alloc;

/// A buffer from `bp_alloc`: `u64` elements keep it 8-byte aligned.
enum Block {
    /// From the heap.
    Heap(Vec<u64>),
    /// Whole wasm pages of its own (`PAGES_FROM`), `words` long; kept for reuse when freed.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    Pages { words: usize },
}

impl Block {
    fn words(&self) -> usize {
        match self {
            Block::Heap(v) => v.len(),
            Block::Pages { words } => *words,
        }
    }
}

/// Blocks by address, in a vector sorted by address: a network holds a few buffers, an app a few
/// networks, so a binary search finds one and moving the entries after it inserts or removes
/// one. (A `BTreeMap` made the SIMD128 artefact 3.7 KiB larger, gzipped.)
struct Registry(Vec<(usize, Block)>);

impl Registry {
    fn get(&self, ptr: usize) -> Option<&Block> {
        self.0.binary_search_by_key(&ptr, |e| e.0).ok().map(|i| &self.0[i].1)
    }

    /// Adds the block at `ptr`, an address no live block has (the allocator's or fresh pages').
    fn insert(&mut self, ptr: usize, block: Block) {
        let at = self.0.binary_search_by_key(&ptr, |e| e.0);
        debug_assert!(at.is_err(), "a live buffer at {ptr:#x} already");
        match at {
            Ok(i) => self.0[i].1 = block,
            Err(i) => self.0.insert(i, (ptr, block)),
        }
    }

    fn remove(&mut self, ptr: usize) -> Option<Block> {
        self.0.binary_search_by_key(&ptr, |e| e.0).ok().map(|i| self.0.remove(i).1)
    }
}

/// Buffers handed out by `bp_alloc`, by address.
static BUFFERS: Mutex<Registry> = Mutex::new(Registry(Vec::new()));

/// The live buffers, locked for the whole of one entry point's work, so no buffer can be freed
/// while a slice of it is in use.
pub struct Buffers(MutexGuard<'static, Registry>);

impl Buffers {
    pub fn lock() -> Self {
        Buffers(BUFFERS.lock().unwrap())
    }

    /// Checks that `ptr` starts a live buffer of at least `len` elements of `T`.
    fn check<T>(&self, ptr: usize, len: usize) -> Result<(), i32> {
        let bytes = len.checked_mul(core::mem::size_of::<T>()).ok_or(STATUS_INVALID_BUFFER)?;
        match self.0.get(ptr) {
            Some(b) if b.words() * 8 >= bytes => Ok(()),
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
        // SAFETY: as in `get`; `ptr` starts memory owned by the registry alone (a Vec's, or pages
        // of its own) and no other slice of this buffer is alive in this call.
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

/// Buffers of at least this many bytes take wasm pages of their own from `memory.grow`: fresh
/// pages are zero without being written (the heap allocator writes the zeros of a zeroed
/// allocation), so a data set copied in part by part takes memory as the copy goes, not all at
/// once before it. Freed, they are kept for later buffers of this size that fit (the pages of a
/// wasm memory cannot be given back).
#[cfg(target_arch = "wasm32")]
const PAGES_FROM: usize = 16 << 20;

/// Freed page blocks: (address, words).
#[cfg(target_arch = "wasm32")]
static SPARE_PAGES: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

/// Page blocks alive now: (count, bytes).
static LIVE_PAGES: Mutex<(usize, usize)> = Mutex::new((0, 0));

/// A zeroed block of at least `words` u64s in pages of its own: the smallest spare block that
/// fits (zeroed again), else new pages; its address, 0 if the memory cannot grow.
#[cfg(target_arch = "wasm32")]
fn alloc_pages(words: usize) -> usize {
    const PAGE: usize = 65536;
    let mut spare = SPARE_PAGES.lock().unwrap(); // one lock at a time, here and in `bp_free`
    let fit = spare.iter().enumerate().filter(|(_, &(_, w))| w >= words).min_by_key(|(_, &(_, w))| w).map(|(i, _)| i);
    let (ptr, got) = match fit {
        Some(i) => {
            let (ptr, got) = spare.swap_remove(i);
            // SAFETY: the spare block [ptr, ptr + 8·got) is memory of its own that no one else
            // refers to (it left the registry when freed).
            unsafe { core::ptr::write_bytes(ptr as *mut u64, 0, got) };
            (ptr, got)
        }
        None => {
            let Some(pages) = words.checked_mul(8).map(|b| b.div_ceil(PAGE)) else { return 0 };
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return 0;
            }
            (old * PAGE, pages * PAGE / 8)
        }
    };
    drop(spare);
    let mut live = LIVE_PAGES.lock().unwrap();
    *live = (live.0 + 1, live.1 + got * 8);
    drop(live);
    BUFFERS.lock().unwrap().insert(ptr, Block::Pages { words: got });
    ptr
}

/// Allocates a zeroed, 8-byte-aligned buffer of `bytes` bytes; returns its address, 0 if the
/// memory cannot be had.
#[no_mangle]
pub extern "C" fn bp_alloc(bytes: usize) -> usize {
    let words = bytes.div_ceil(8).max(1);
    #[cfg(target_arch = "wasm32")]
    if bytes >= PAGES_FROM {
        return alloc_pages(words);
    }
    let mut v: Vec<u64> = Vec::new();
    if v.try_reserve_exact(words).is_err() {
        return 0;
    }
    v.resize(words, 0);
    let ptr = v.as_mut_ptr() as usize;
    BUFFERS.lock().unwrap().insert(ptr, Block::Heap(v));
    ptr
}

/// Frees a buffer from `bp_alloc`.
#[no_mangle]
pub extern "C" fn bp_free(ptr: usize) -> i32 {
    let removed = BUFFERS.lock().unwrap().remove(ptr); // one lock at a time, here and in `alloc_pages`
    match removed {
        Some(Block::Heap(_)) => STATUS_OK,
        #[cfg_attr(not(target_arch = "wasm32"), allow(unused_variables))]
        Some(Block::Pages { words }) => {
            let mut live = LIVE_PAGES.lock().unwrap();
            *live = (live.0 - 1, live.1 - words * 8);
            drop(live);
            #[cfg(target_arch = "wasm32")]
            SPARE_PAGES.lock().unwrap().push((ptr, words));
            STATUS_OK
        }
        None => STATUS_INVALID_BUFFER,
    }
}

/// Allocations alive now, on the heap and in page blocks (the test counter for leaks).
#[no_mangle]
pub extern "C" fn bp_live_allocations() -> usize {
    alloc::live_allocations() + LIVE_PAGES.lock().unwrap().0
}

/// Bytes alive now, on the heap and in page blocks.
#[no_mangle]
pub extern "C" fn bp_live_bytes() -> usize {
    alloc::live_bytes() + LIVE_PAGES.lock().unwrap().1
}
