//! The only `unsafe` of the SIMD128 backend: whole-vector loads and stores, whose bounds every
//! caller establishes first.

use core::arch::wasm32::*;

/// Loads the 16 bytes at `s[i..]`.
///
/// # Safety
/// `i + 16 / size_of::<T>() ≤ s.len()`: the whole vector lies inside `s`. (`v128_load` has no
/// alignment requirement.)
#[inline(always)]
pub unsafe fn load<T>(s: &[T], i: usize) -> v128 {
    debug_assert!((i + 16 / core::mem::size_of::<T>()) <= s.len());
    // SAFETY: the caller's contract puts the 16 bytes inside `s`.
    unsafe { v128_load(s.as_ptr().add(i) as *const v128) }
}

/// Stores `v` in the 16 bytes at `s[i..]`.
///
/// # Safety
/// `i + 16 / size_of::<T>() ≤ s.len()`: the whole vector lies inside `s`. (`v128_store` has no
/// alignment requirement.)
#[inline(always)]
pub unsafe fn store<T>(s: &mut [T], i: usize, v: v128) {
    debug_assert!((i + 16 / core::mem::size_of::<T>()) <= s.len());
    // SAFETY: the caller's contract puts the 16 bytes inside `s`.
    unsafe { v128_store(s.as_mut_ptr().add(i) as *mut v128, v) }
}

/// Loads `s[i]` into every lane (one `v128.load32_splat` / `v128.load64_splat`).
///
/// # Safety
/// `i < s.len()`, and `T` is 4 or 8 bytes wide.
#[inline(always)]
pub unsafe fn load_splat<T>(s: &[T], i: usize) -> v128 {
    debug_assert!(i < s.len());
    // SAFETY: the caller's contract puts element `i` inside `s`; a load of its width reads it.
    unsafe {
        if core::mem::size_of::<T>() == 4 {
            v128_load32_splat(s.as_ptr().add(i) as *const u32)
        } else {
            v128_load64_splat(s.as_ptr().add(i) as *const u64)
        }
    }
}
