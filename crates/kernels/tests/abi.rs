//! The C-ABI surface natively: handles, buffer checks, status codes and the live-allocation counter.
//! One test function, because the handle table and the counter are process-wide.

use backprop_kernels::abi::*;

fn write_u32(ptr: usize, values: &[u32]) {
    // SAFETY: ptr is a live bp_alloc buffer of at least values.len() * 4 bytes (checked by the caller).
    unsafe { core::slice::from_raw_parts_mut(ptr as *mut u32, values.len()) }.copy_from_slice(values);
}

#[test]
fn abi_contract() {
    assert_eq!(bp_abi_version(), ABI_VERSION);
    let sizes = bp_alloc(12);
    let acts = bp_alloc(12);
    write_u32(sizes, &[3, 5, 2]);
    write_u32(acts, &[1, 1, 1]);
    // Warm the tables up, then count.
    let h = bp_create(64, 3, sizes, acts, 0, 0, 4);
    assert!(h > 0);
    assert_eq!(bp_destroy(h), STATUS_OK);
    let start = bp_live_allocations();

    for _ in 0..100 {
        let h = bp_create(32, 3, sizes, acts, 0, 0, 8);
        assert!(h > 0, "create failed: {h}");
        assert_eq!(bp_param_count(h), 5 * 3 + 5 + 2 * 5 + 2);
        assert_eq!(bp_set_optimizer(h, 0, 0.1, 0.1, 0.0, 0.0, 0.0), STATUS_OK);
        assert_eq!(bp_train(h, 4), STATUS_OK);
        assert_eq!(bp_train(h, 9), STATUS_BATCH_TOO_LARGE);
        assert_eq!(bp_train(h, 0), STATUS_INVALID_ARGUMENT);
        assert_eq!(bp_reserve(h, 16), STATUS_OK);
        assert_eq!(bp_capacity(h), 16);
        assert_eq!(bp_destroy(h), STATUS_OK);
        // The handle is stale now: every call says so.
        assert_eq!(bp_train(h, 1), STATUS_INVALID_HANDLE);
        assert_eq!(bp_destroy(h), STATUS_INVALID_HANDLE);
        assert_eq!(bp_params(h), 0);
    }
    assert_eq!(bp_live_allocations(), start, "create → train → destroy leaked");

    // Invalid arguments are status codes, not panics.
    assert_eq!(bp_create(16, 3, sizes, acts, 0, 0, 4), STATUS_INVALID_ARGUMENT); // precision
    assert_eq!(bp_create(32, 3, sizes + 4, acts, 0, 0, 4), STATUS_INVALID_BUFFER); // not a buffer start
    assert_eq!(bp_create(32, 3, sizes, acts, 0, 1, 4), STATUS_INVALID_ARGUMENT); // CE without softmax
    assert_eq!(bp_create(32, 3, sizes, acts, 2, 0, 4), STATUS_INVALID_ARGUMENT);
    assert_eq!(bp_create(32, 3, sizes, acts, 0, 0, 0), STATUS_INVALID_ARGUMENT); // capacity 0
    assert_eq!(bp_create(32, 5, sizes, acts, 0, 0, 4), STATUS_INVALID_BUFFER); // buffer too short (16 bytes)
    write_u32(acts, &[1, 9, 1]);
    assert_eq!(bp_create(32, 3, sizes, acts, 0, 0, 4), STATUS_INVALID_ARGUMENT); // unknown activation
    write_u32(acts, &[1, 1, 1]);
    write_u32(sizes, &[3, 0, 2]);
    assert_eq!(bp_create(32, 3, sizes, acts, 0, 0, 4), STATUS_INVALID_ARGUMENT); // empty layer
    write_u32(sizes, &[3, 70000, 2]);
    assert_eq!(bp_create(32, 3, sizes, acts, 0, 0, 4), STATUS_TOO_LARGE);
    write_u32(sizes, &[3, 5, 2]);
    assert_eq!(bp_train(0, 1), STATUS_INVALID_HANDLE);
    assert_eq!(bp_train(-5, 1), STATUS_INVALID_HANDLE);
    assert_eq!(bp_train(12345, 1), STATUS_INVALID_HANDLE);

    // fit checks its buffers and the permutation, and that its minibatches fit the capacity: a
    // minibatch has at most as many rows as the data, however large the batch size.
    let h = bp_create(64, 3, sizes, acts, 0, 0, 3);
    let (x, y, perm, losses) = (bp_alloc(4 * 3 * 8), bp_alloc(4 * 2 * 8), bp_alloc(4 * 4), bp_alloc(8));
    write_u32(perm, &[0, 1, 2, 3]);
    assert_eq!(bp_set_optimizer(h, 0, 0.1, 0.1, 0.0, 0.0, 0.0), STATUS_OK);
    assert_eq!(bp_fit(h, x, y, 4, perm, 1, 2, losses), STATUS_OK);
    assert_eq!(bp_fit(h, x, y, 4, perm, 1, 5, losses), STATUS_BATCH_TOO_LARGE);
    assert_eq!(bp_reserve(h, 4), STATUS_OK);
    assert_eq!(bp_fit(h, x, y, 4, perm, 1, 5, losses), STATUS_OK);
    assert_eq!(bp_fit(h, x, y, 4, perm, 1, 2, perm), STATUS_INVALID_BUFFER); // writes what it reads
    assert_eq!(bp_fit(h, x, y, 5, perm, 1, 2, losses), STATUS_INVALID_BUFFER); // x too short
                                                                               // fit_span likewise, over `len` indices of `rows` rows.
    assert_eq!(bp_fit_span(h, x, y, 4, perm, 3, 2, 0.0), STATUS_OK);
    assert_eq!(bp_fit_span(h, x, y, 4, perm, 5, 2, 0.0), STATUS_INVALID_BUFFER); // order too short
    assert_eq!(bp_fit_span(h, x, y, 5, perm, 3, 2, 0.0), STATUS_INVALID_BUFFER); // x too short
    assert_eq!(bp_fit_span(h, x, y, 4, perm, 0, 2, 0.0), STATUS_INVALID_ARGUMENT); // no rows
                                                                                   // fit_drawn: the order drawn inside from a generator state (4 words) that it updates, or none.
    let state = bp_alloc(16);
    write_u32(state, &[1, 2, 3, 4]);
    assert_eq!(bp_fit_drawn(h, x, y, 4, state, 1, 2, losses), STATUS_OK);
    // SAFETY: state is a live bp_alloc buffer of 4 words.
    assert_ne!(unsafe { core::slice::from_raw_parts(state as *const u32, 4) }, &[1, 2, 3, 4]);
    assert_eq!(bp_fit_drawn(h, x, y, 4, 0, 1, 2, losses), STATUS_OK);
    write_u32(state, &[1, 2, 3, 4]);
    assert_eq!(bp_fit_drawn(h, x, y, 4, state, 0, 2, losses), STATUS_OK); // no epoch: nothing drawn
                                                                          // SAFETY: as above.
    assert_eq!(unsafe { core::slice::from_raw_parts(state as *const u32, 4) }, &[1, 2, 3, 4]);
    assert_eq!(bp_fit_drawn(h, x, y, 4, state, 1, 2, state), STATUS_INVALID_BUFFER); // writes what it reads
    assert_eq!(bp_fit_drawn(h, x, y, 4, x, 1, 2, losses), STATUS_INVALID_BUFFER); // the state is the data
    assert_eq!(bp_fit_drawn(h, x, y, 4, state + 4, 1, 2, losses), STATUS_INVALID_BUFFER); // not a buffer
    assert_eq!(bp_fit_drawn(h, x, y, 5, state, 1, 2, losses), STATUS_INVALID_BUFFER); // x too short
    assert_eq!(bp_fit_drawn(h, x, y, 4, state, 2, 2, losses), STATUS_INVALID_BUFFER); // losses too short
    assert_eq!(bp_fit_drawn(h, x, y, 0, state, 1, 2, losses), STATUS_INVALID_ARGUMENT); // no rows
    assert_eq!(bp_fit_drawn(h, x, y, 4, state, 1, 0, losses), STATUS_INVALID_ARGUMENT); // batch 0
                                                                                        // fit_validated: fit_drawn, then the validation rows' loss and rows right after each epoch.
    let scores = bp_alloc(2 * 8);
    write_u32(state, &[1, 2, 3, 4]);
    assert_eq!(bp_fit_validated(h, x, y, 4, state, 1, 2, losses, x, y, 3, scores), STATUS_OK);
    assert_eq!(bp_fit_validated(h, x, y, 4, 0, 1, 2, losses, x, y, 4, scores), STATUS_OK);
    assert_eq!(bp_fit_validated(h, x, y, 4, state, 1, 2, losses, x, y, 0, scores), STATUS_INVALID_ARGUMENT); // no validation rows
    assert_eq!(bp_fit_validated(h, x, y, 4, state, 1, 2, losses, x, y, 5, scores), STATUS_INVALID_BUFFER); // validation x too short
    assert_eq!(bp_fit_validated(h, x, y, 4, state, 1, 2, losses, x, y, 3, losses), STATUS_INVALID_BUFFER); // scores are the losses
    assert_eq!(bp_fit_validated(h, x, y, 4, state, 1, 2, losses, scores, y, 3, scores), STATUS_INVALID_BUFFER); // writes what it reads
    assert_eq!(bp_fit_validated(h, x, y, 4, state, 2, 2, losses, x, y, 3, scores), STATUS_INVALID_BUFFER); // losses too short
    assert_eq!(bp_fit_validated(h, x, y, 4, state, 1, 2, losses, x, y, 3, scores + 8), STATUS_INVALID_BUFFER); // not a buffer
    assert_eq!(bp_free(scores), STATUS_OK);
    assert_eq!(bp_free(state), STATUS_OK);
    write_u32(perm, &[0, 1, 2, 4]);
    assert_eq!(bp_fit(h, x, y, 4, perm, 1, 2, losses), STATUS_INDEX_OUT_OF_RANGE);
    assert_eq!(bp_fit_span(h, x, y, 4, perm, 4, 2, 0.0), STATUS_INDEX_OUT_OF_RANGE);
    assert_eq!(bp_fit_span(h, x, y, 4, perm, 3, 2, 0.0), STATUS_OK); // the three indices it reads are in range
                                                                     // stage (a minibatch for the step in parts) likewise: `len` indices of `rows` rows, at most the capacity.
    assert_eq!(bp_stage(h, x, y, 4, perm, 3), STATUS_OK);
    assert_eq!(bp_stage(h, x, y, 4, perm, 4), STATUS_INDEX_OUT_OF_RANGE);
    assert_eq!(bp_stage(h, x, y, 4, perm, 5), STATUS_INVALID_BUFFER); // order too short
    assert_eq!(bp_stage(h, x, y, 5, perm, 3), STATUS_INVALID_BUFFER); // x too short
    assert_eq!(bp_stage(h, x + 8, y, 4, perm, 3), STATUS_INVALID_BUFFER); // not a buffer start
    assert_eq!(bp_stage(h, x, y, usize::MAX, perm, 3), STATUS_TOO_LARGE);
    assert_eq!(bp_stage(h, x, y, 4, perm, 0), STATUS_INVALID_ARGUMENT); // no rows
    assert_eq!(bp_stage(0, x, y, 4, perm, 3), STATUS_INVALID_HANDLE);
    assert_eq!(bp_set_optimizer(h, 0, f64::NAN, 0.1, 0.0, 0.0, 0.0), STATUS_INVALID_ARGUMENT);
    assert_eq!(bp_set_optimizer(h, 0, -1.0, 0.1, 0.0, 0.0, 0.0), STATUS_INVALID_ARGUMENT);
    assert_eq!(bp_set_optimizer(h, 7, 0.1, 0.1, 0.0, 0.0, 0.0), STATUS_INVALID_ARGUMENT);
    assert_eq!(bp_set_optimizer(h, 1, 0.1, 0.1, 1.0, 0.0, 0.0), STATUS_INVALID_ARGUMENT); // μ = 1
    assert_eq!(bp_set_optimizer(h, 2, 0.1, 0.1, 0.9, 1.0, 1e-8), STATUS_INVALID_ARGUMENT); // β₂ = 1
    assert_eq!(bp_set_optimizer(h, 2, 0.1, 0.1, 0.9, 0.999, 0.0), STATUS_INVALID_ARGUMENT); // ε = 0
    assert_eq!(bp_set_optimizer(h, 2, 0.1, 0.1, 0.9, 0.999, 1e-8), STATUS_OK);
    for p in [x, y, perm, losses, sizes, acts] {
        assert_eq!(bp_free(p), STATUS_OK);
    }
    assert_eq!(bp_free(x), STATUS_INVALID_BUFFER);
    assert_eq!(bp_destroy(h), STATUS_OK);

    training_state();
}

fn f64s<'a>(ptr: usize, len: usize) -> &'a mut [f64] {
    assert!(ptr != 0 && ptr & 7 == 0, "not 8-byte aligned");
    // SAFETY: ptr is a buffer of an MLP's, at least len f64 long (param_count elements), alive
    // until the next call that changes that MLP's optimizer or destroys it.
    unsafe { core::slice::from_raw_parts_mut(ptr as *mut f64, len) }
}

/// `bp_moments`, `bp_steps`, `bp_set_steps`: validation, and a resume through the ABI that matches
/// uninterrupted training bit for bit.
fn training_state() {
    let (sizes, acts) = (bp_alloc(12), bp_alloc(12));
    write_u32(sizes, &[3, 5, 2]);
    write_u32(acts, &[1, 2, 1]);
    let (rows, k, m) = (4, 2, 3);
    let (x, y, perm, losses) =
        (bp_alloc(rows * 3 * 8), bp_alloc(rows * 2 * 8), bp_alloc((k + m) * rows * 4), bp_alloc((k + m) * 8));
    f64s(x, rows * 3).iter_mut().enumerate().for_each(|(i, v)| *v = (i % 5) as f64 * 0.25 - 0.5);
    f64s(y, rows * 2).iter_mut().enumerate().for_each(|(i, v)| *v = (i % 3) as f64 * 0.4);
    let order: Vec<u32> = (0..k + m).flat_map(|e| (0..rows).map(move |i| ((i + e) % rows) as u32)).collect();
    write_u32(perm, &order);
    let create = || {
        let h = bp_create(64, 3, sizes, acts, 0, 0, 4);
        assert!(h > 0);
        let n = bp_param_count(h) as usize;
        f64s(bp_params(h), n).iter_mut().enumerate().for_each(|(i, p)| *p = ((i * 7) % 11) as f64 / 11.0 - 0.5);
        assert_eq!(bp_set_optimizer(h, 2, 0.05, 0.05, 0.9, 0.999, 1e-8), STATUS_OK);
        (h, n)
    };

    // Every parameter finite, or not: one NaN or infinity anywhere (the last one too) says so.
    let (h, n) = create();
    assert_eq!(bp_params_finite(h), 1);
    for (at, bad) in [(0, f64::NAN), (n / 2, f64::INFINITY), (n - 1, f64::NEG_INFINITY)] {
        let kept = f64s(bp_params(h), n)[at];
        f64s(bp_params(h), n)[at] = bad;
        assert_eq!(bp_params_finite(h), 0, "{bad} at {at}");
        f64s(bp_params(h), n)[at] = kept;
    }
    assert_eq!(bp_params_finite(h), 1);
    assert_eq!(bp_destroy(h), STATUS_OK);
    assert_eq!(bp_params_finite(h), STATUS_INVALID_HANDLE);

    // Validation.
    let (h, n) = create();
    assert_eq!(bp_steps(h), 0.0);
    assert_eq!(bp_steps(0), -1.0);
    assert_eq!(bp_steps(h + 1), -1.0);
    assert_eq!(bp_moments(0, 0), 0);
    assert_eq!(bp_moments(h + 1, 0), 0);
    assert_ne!(bp_moments(h, 0), 0);
    assert_ne!(bp_moments(h, 1), 0);
    assert_eq!(bp_moments(h, 2), 0);
    assert_eq!(bp_moments(h, u32::MAX), 0);
    assert_eq!(bp_set_optimizer(h, 1, 0.1, 0.1, 0.9, 0.0, 0.0), STATUS_OK); // momentum: m only
    assert_ne!(bp_moments(h, 0), 0);
    assert_eq!(bp_moments(h, 1), 0);
    assert_eq!(bp_set_optimizer(h, 0, 0.1, 0.1, 0.0, 0.0, 0.0), STATUS_OK); // SGD: none
    assert_eq!(bp_moments(h, 0), 0);
    assert_eq!(bp_moments(h, 1), 0);
    for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, -0.5, 9_007_199_254_740_994.0, 1e300] {
        assert_eq!(bp_set_steps(h, bad), STATUS_INVALID_ARGUMENT, "steps {bad}");
    }
    for good in [0.0, 1.0, 12345.0, 9_007_199_254_740_992.0] {
        assert_eq!(bp_set_steps(h, good), STATUS_OK);
        assert_eq!(bp_steps(h), good);
    }
    assert_eq!(bp_set_steps(h + 1, 1.0), STATUS_INVALID_HANDLE);
    assert_eq!(bp_destroy(h), STATUS_OK);
    assert_eq!(bp_set_steps(h, 1.0), STATUS_INVALID_HANDLE);

    // k + m epochs at once, against k epochs, the state copied, m epochs.
    let (whole, _) = create();
    assert_eq!(bp_fit(whole, x, y, rows, perm, k + m, 3, losses), STATUS_OK);
    let (first, _) = create();
    assert_eq!(bp_fit(first, x, y, rows, perm, k, 3, losses), STATUS_OK);
    assert_eq!(bp_steps(first), (k * 2) as f64);
    let (resumed, _) = create();
    f64s(bp_params(resumed), n).copy_from_slice(f64s(bp_params(first), n));
    for which in 0..2 {
        f64s(bp_moments(resumed, which), n).copy_from_slice(f64s(bp_moments(first, which), n));
    }
    assert_eq!(bp_set_steps(resumed, bp_steps(first)), STATUS_OK);
    let rest = bp_alloc(m * rows * 4);
    write_u32(rest, &order[k * rows..]);
    assert_eq!(bp_fit(resumed, x, y, rows, rest, m, 3, losses), STATUS_OK);
    let bits = |h: i32| f64s(bp_params(h), n).iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(resumed), bits(whole));
    assert_eq!(bp_steps(resumed), bp_steps(whole));
    for h in [whole, first, resumed] {
        assert_eq!(bp_destroy(h), STATUS_OK);
    }
    for p in [sizes, acts, x, y, perm, losses, rest] {
        assert_eq!(bp_free(p), STATUS_OK);
    }
}
