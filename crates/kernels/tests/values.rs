//! `bp_values`: the z, a and δ of every layer after `bp_gradients` and `bp_train` are those of the
//! minibatch, computed with the parameters before the update, checked against the equations
//! written out here in plain f64 loops; the addresses that do not exist are 0.

#[path = "common/seeded.rs"]
mod seeded;

use backprop_kernels::abi::*;
use seeded::values;

fn write<T: Copy>(ptr: usize, v: &[T]) {
    // SAFETY: ptr is the address of a live buffer of at least v.len() elements (the caller's network).
    unsafe { core::slice::from_raw_parts_mut(ptr as *mut T, v.len()) }.copy_from_slice(v);
}

fn read(ptr: usize, len: usize) -> Vec<f64> {
    assert_ne!(ptr, 0);
    // SAFETY: ptr is the address of a live f64 buffer of at least len elements (bp_values' contract).
    unsafe { core::slice::from_raw_parts(ptr as *const f64, len) }.to_vec()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// z, a and δ of every layer of a sigmoid network with ½MSE and an activated input, one row at a
/// time: z_0 = x + b_in, z_{l+1} = W_l a_l + b_l, δ_L = (a_L − y) a_L (1 − a_L),
/// δ_l = (W_lᵀ δ_{l+1}) a_l (1 − a_l).
fn expected(sizes: &[usize], p: &[f64], x: &[f64], y: &[f64], rows: usize) -> [Vec<Vec<f64>>; 3] {
    let depth = sizes.len() - 1;
    let (mut w_off, mut b_off, mut off) = (vec![], vec![], 0);
    for l in 0..depth {
        w_off.push(off);
        off += sizes[l + 1] * sizes[l];
        b_off.push(off);
        off += sizes[l + 1];
    }
    let bin = off;
    let mut out: [Vec<Vec<f64>>; 3] = [vec![vec![]; depth + 1], vec![vec![]; depth + 1], vec![vec![]; depth + 1]];
    for r in 0..rows {
        let mut z = vec![(0..sizes[0]).map(|j| x[r * sizes[0] + j] + p[bin + j]).collect::<Vec<_>>()];
        let mut a = vec![z[0].iter().map(|&v| sigmoid(v)).collect::<Vec<_>>()];
        for l in 0..depth {
            let zl: Vec<f64> = (0..sizes[l + 1])
                .map(|k| p[b_off[l] + k] + (0..sizes[l]).map(|j| p[w_off[l] + k * sizes[l] + j] * a[l][j]).sum::<f64>())
                .collect();
            a.push(zl.iter().map(|&v| sigmoid(v)).collect());
            z.push(zl);
        }
        let n_last = sizes[depth];
        let mut d = vec![vec![]; depth + 1];
        d[depth] = (0..n_last).map(|k| (a[depth][k] - y[r * n_last + k]) * a[depth][k] * (1.0 - a[depth][k])).collect();
        for l in (0..depth).rev() {
            d[l] = (0..sizes[l])
                .map(|j| {
                    let s: f64 = (0..sizes[l + 1]).map(|k| p[w_off[l] + k * sizes[l] + j] * d[l + 1][k]).sum();
                    s * a[l][j] * (1.0 - a[l][j])
                })
                .collect();
        }
        for l in 0..=depth {
            out[0][l].extend(&z[l]);
            out[1][l].extend(&a[l]);
            out[2][l].extend(&d[l]);
        }
    }
    out
}

fn close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-13 * (1.0 + w.abs()), "{what}[{i}]: {g} vs {w}");
    }
}

#[test]
fn values_are_those_of_the_minibatch_before_the_update() {
    let sizes = [3usize, 5, 2];
    let (sz, acts) = (bp_alloc(12), bp_alloc(12));
    write(sz, &sizes.map(|s| s as u32));
    write(acts, &[1u32, 1, 1]);
    // Activated input (z_0 and δ_0 exist), sigmoid everywhere, ½MSE.
    let h = bp_create(64, 3, sz, acts, 1, 0, 4);
    assert!(h > 0);
    let count = bp_param_count(h) as usize;
    let p: Vec<f64> = values(count, 7);
    write(bp_params(h), &p);
    assert_eq!(bp_set_optimizer(h, 0, 0.5, 0.5, 0.0, 0.0, 0.0), STATUS_OK);
    for rows in [1, 3] {
        let x: Vec<f64> = values(rows * 3, 11);
        let y: Vec<f64> = values::<f64>(rows * 2, 13).iter().map(|v| v.abs()).collect();
        let want = expected(&sizes, &p, &x, &y, rows);
        for call in ["gradients", "train"] {
            write(bp_params(h), &p);
            write(bp_input(h), &x);
            write(bp_target(h), &y);
            let s = if call == "train" { bp_train(h, rows) } else { bp_gradients(h, rows) };
            assert_eq!(s, STATUS_OK);
            for (kind, name) in [(0u32, "z"), (1, "a"), (2, "delta")] {
                for (l, &n) in sizes.iter().enumerate() {
                    let got = read(bp_values(h, kind, l), rows * n);
                    close(&got, &want[kind as usize][l], &format!("{call} rows {rows}: {name}_{l}"));
                }
            }
        }
    }
    // What does not exist is 0: an unknown kind, a layer past the output, a stale handle.
    assert_eq!(bp_values(h, 3, 0), 0);
    assert_eq!(bp_values(h, 0, 3), 0);
    assert_eq!(bp_destroy(h), STATUS_OK);
    assert_eq!(bp_values(h, 1, 0), 0);

    // An identity input layer: a_0 is the staged input; z_0 and δ_0 are never computed.
    let h = bp_create(64, 3, sz, acts, 0, 0, 2);
    assert!(h > 0);
    let x: Vec<f64> = values(6, 3);
    write(bp_input(h), &x);
    assert_eq!(bp_gradients(h, 2), STATUS_OK);
    assert_eq!(read(bp_values(h, 1, 0), 6), x);
    assert_eq!(bp_values(h, 0, 0), 0);
    assert_eq!(bp_values(h, 2, 0), 0);
    assert_ne!(bp_values(h, 2, 1), 0);
    assert_eq!(bp_destroy(h), STATUS_OK);
    bp_free(sz);
    bp_free(acts);
}
