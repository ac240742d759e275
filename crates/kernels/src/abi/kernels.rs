//! The kernels themselves, for tests and benchmarks: the packed GEMM on strided buffers and the
//! machine's arithmetic ceiling.

use super::buffers::{distinct, Buffers};
use super::codes::{code, STATUS_INVALID_ARGUMENT, STATUS_OK, STATUS_OUT_OF_MEMORY, STATUS_TOO_LARGE};
use crate::kernels::backend::{Active, Peak, Real};
use crate::kernels::gemm::{gemm, MatRef, Workspace};

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
    let mut ws = Workspace::<T>::try_for(&[(m, n, k)]).map_err(|_| STATUS_OUT_OF_MEMORY)?;
    let (am, bm) = (MatRef::new(av, a.1, a.2), MatRef::new(bv, b.1, b.2));
    gemm(m, n, k, T::from_f64(alpha), am, bm, accumulate != 0, cv, c.1, c.2, &mut ws);
    Ok(STATUS_OK)
}

/// The matrix product `C ← α·A·B (+ C)` on strided buffers from `bp_alloc`, for tests and
/// benchmarks of the kernel itself (allocates the packing buffers this product needs, per call).
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
