//! The arithmetic ceiling: how many multiply-adds per second the machine sustains on one core
//! when nothing waits for memory. Twelve independent chains hide the latency of each operation;
//! with SIMD128 each chain is four f32 lanes, so one round is 12 × 4 × 2 = 96 flops.

/// Runs `iters` rounds; the result depends on every chain so nothing is optimized away.
pub fn peak_f32(iters: u32) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let m = f32x4_splat(0.999_999);
        let add = f32x4_splat(1e-7);
        let mut c = [f32x4_splat(1.0); 12];
        for (i, ci) in c.iter_mut().enumerate() {
            *ci = f32x4_splat(1.0 + i as f32 * 1e-3);
        }
        for _ in 0..iters {
            for ci in c.iter_mut() {
                *ci = f32x4_add(f32x4_mul(*ci, m), add);
            }
        }
        let mut s = f32x4_splat(0.0);
        for ci in c {
            s = f32x4_add(s, ci);
        }
        f32x4_extract_lane::<0>(s) + f32x4_extract_lane::<1>(s) + f32x4_extract_lane::<2>(s) + f32x4_extract_lane::<3>(s)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let mut c = [[0f32; 4]; 12];
        for (i, ci) in c.iter_mut().enumerate() {
            *ci = [1.0 + i as f32 * 1e-3; 4];
        }
        for _ in 0..iters {
            for ci in c.iter_mut() {
                for v in ci.iter_mut() {
                    *v = *v * 0.999_999 + 1e-7;
                }
            }
        }
        c.iter().flatten().sum()
    }
}
