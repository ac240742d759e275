//! A minibatch's step in parts (`mlp/parts.rs`), as several instances compute it side by side,
//! done here in turn on one MLP: the forward pass and δ of each range of rows, the gradients of
//! each share of the neurons, one update, gives the parameters and loss of `train_staged` bit for
//! bit, for every way of cutting it, every optimizer, f32 and f64, both input layers and losses.

use backprop_kernels::kernels::activation::Activation;
use backprop_kernels::kernels::backend::Real;
use backprop_kernels::kernels::loss::Loss;
use backprop_kernels::kernels::optimizer::Optimizer;
use backprop_kernels::mlp::Mlp;
#[path = "common/seeded.rs"]
mod seeded;
use seeded::{bits, values, OPTIMIZERS};

const SIZES: [usize; 4] = [13, 9, 5, 3];

fn fresh<T: Real>(opt: Optimizer, input_activated: bool, loss: Loss, rows: usize) -> Mlp<T> {
    let out = if loss == Loss::CrossEntropy { Activation::Softmax } else { Activation::Sigmoid };
    let acts = [Activation::Tanh, Activation::Relu, Activation::Sigmoid, out];
    let mut mlp = Mlp::<T>::try_new(&SIZES, &acts, input_activated, loss, rows).unwrap();
    let init = values::<T>(mlp.params().len(), 5);
    mlp.params_mut().copy_from_slice(&init);
    mlp.set_optimizer(opt, 0.3, 0.2).unwrap();
    mlp
}

fn stage<T: Real>(mlp: &mut Mlp<T>, rows: usize, seed: u64) {
    let x = values::<T>(rows * SIZES[0], seed);
    let mut y = vec![T::ZERO; rows * SIZES[3]];
    for (r, row) in y.chunks_exact_mut(SIZES[3]).enumerate() {
        row[(r * 7 + seed as usize) % SIZES[3]] = T::ONE; // one-hot: a distribution for cross-entropy
    }
    mlp.input_mut()[..x.len()].copy_from_slice(&x);
    mlp.target_mut()[..y.len()].copy_from_slice(&y);
}

fn check<T: Real>() {
    for &opt in OPTIMIZERS.iter() {
        for input_activated in [false, true] {
            for loss in [Loss::Mse, Loss::CrossEntropy] {
                for rows in [2, 5, 16, 37] {
                    for parts in [1, 2, 3, 4, 7] {
                        let (mut whole, mut cut) = (
                            fresh::<T>(opt, input_activated, loss, rows),
                            fresh::<T>(opt, input_activated, loss, rows),
                        );
                        for step in 0..3 {
                            stage(&mut whole, rows, step + 1);
                            stage(&mut cut, rows, step + 1);
                            let expected = whole.train_staged(rows);
                            let bounds: Vec<usize> =
                                (0..=parts.min(rows)).map(|p| rows * p / parts.min(rows)).collect();
                            for w in bounds.windows(2) {
                                cut.forward_part(rows, w[0], w[1]).unwrap();
                            }
                            for p in 0..parts {
                                cut.gradients_part(rows, p, parts).unwrap();
                            }
                            cut.apply_gradients();
                            let loss_sum = cut.loss_staged(rows).unwrap();
                            let what = format!(
                                "{opt:?} activated {input_activated} {loss:?} rows {rows} parts {parts} step {step}"
                            );
                            assert_eq!(loss_sum.to_bits(), expected.to_bits(), "loss: {what}");
                            assert_eq!(bits(cut.params()), bits(whole.params()), "parameters: {what}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_step_in_parts_gives_the_bits_of_the_whole_step_f32() {
    check::<f32>();
}

#[test]
fn the_step_in_parts_gives_the_bits_of_the_whole_step_f64() {
    check::<f64>();
}

/// The first layer's neurons of part `part` of `parts` as ts/threads/replica.ts cuts them
/// (`neurons`): `n·part/parts` rounded down to a multiple of 4, the last part to `n`.
fn share(n: usize, part: usize, parts: usize) -> (usize, usize) {
    let bound = |p: usize| if p == parts { n } else { n * p / parts / 4 * 4 };
    (bound(part), bound(part + 1))
}

/// The step cut by the first layer's neurons, one instance per part: each computes its columns of
/// Z_1 and A_1, takes the others' columns of A_1, and finishes the step. Each instance's rows of W_0 (and entries of
/// b_0), every later parameter, their moments and the loss are those of `train_staged`, bit for bit,
/// for the GEMM path and the narrow one, every optimizer, both losses, parts with no neuron at all.
fn check_columns<T: Real>() {
    let value = backprop_kernels::mlp::RowValues::A;
    for sizes in [&[13, 9, 5, 3][..], &[6, 7, 4, 2], &[40, 37, 3]] {
        let (n0, n1, depth) = (sizes[0], sizes[1], sizes.len() - 1);
        for &opt in OPTIMIZERS.iter() {
            for loss in [Loss::Mse, Loss::CrossEntropy] {
                let out = if loss == Loss::CrossEntropy { Activation::Softmax } else { Activation::Sigmoid };
                let first = if depth == 2 { Activation::Sigmoid } else { Activation::Tanh };
                let mut acts = vec![Activation::Linear, first, Activation::Relu, Activation::Sigmoid];
                acts.truncate(depth);
                acts.push(out);
                let fresh = |rows: usize| {
                    let mut mlp = Mlp::<T>::try_new(sizes, &acts, false, loss, rows).unwrap();
                    let init = values::<T>(mlp.params().len(), 5);
                    mlp.params_mut().copy_from_slice(&init);
                    mlp.set_optimizer(opt, 0.3, 0.2).unwrap();
                    mlp
                };
                for rows in [2, 5, 37] {
                    for parts in [1, 2, 3, 4, 7, n1 + 2] {
                        let mut whole = fresh(rows);
                        let mut cut: Vec<Mlp<T>> = (0..parts).map(|_| fresh(rows)).collect();
                        for step in 0..3u64 {
                            let stage = |mlp: &mut Mlp<T>| {
                                let (x, n_last) = (values::<T>(rows * n0, step + 1), sizes[depth]);
                                mlp.input_mut()[..x.len()].copy_from_slice(&x);
                                for (r, row) in mlp.target_mut()[..rows * n_last].chunks_exact_mut(n_last).enumerate() {
                                    row.fill(T::ZERO);
                                    row[(r * 7 + step as usize) % n_last] = T::ONE;
                                }
                            };
                            stage(&mut whole);
                            cut.iter_mut().for_each(stage);
                            let expected = whole.train_staged(rows);
                            for (p, mlp) in cut.iter_mut().enumerate() {
                                let (k0, k1) = share(n1, p, parts);
                                mlp.first_columns_part(rows, k0, k1).unwrap();
                            }
                            let a1: Vec<Vec<T>> =
                                cut.iter().map(|m| m.row_values(value, 1).unwrap().to_vec()).collect();
                            for (p, mlp) in cut.iter_mut().enumerate() {
                                let a = mlp.row_values_mut(value, 1).unwrap();
                                for (q, theirs) in a1.iter().enumerate().filter(|&(q, _)| q != p) {
                                    let (k0, k1) = share(n1, q, parts);
                                    for r in 0..rows {
                                        a[r * n1 + k0..r * n1 + k1].copy_from_slice(&theirs[r * n1 + k0..r * n1 + k1]);
                                    }
                                }
                            }
                            for (p, mlp) in cut.iter_mut().enumerate() {
                                let (k0, k1) = share(n1, p, parts);
                                let what =
                                    format!("{sizes:?} {opt:?} {loss:?} rows {rows} part {p} of {parts} step {step}");
                                let loss_sum = mlp.finish_columns_part(rows, k0, k1).unwrap();
                                assert_eq!(loss_sum.to_bits(), expected.to_bits(), "loss: {what}");
                                // Its rows of W_0, its entries of b_0, and everything after.
                                let b0 = n1 * n0;
                                let mine = [k0 * n0..k1 * n0, b0 + k0..b0 + k1, b0 + n1..whole.params().len()];
                                for range in mine {
                                    let (a, b) = (&mlp.params()[range.clone()], &whole.params()[range.clone()]);
                                    assert_eq!(bits(a), bits(b), "parameters {range:?}: {what}");
                                    for which in 0..2 {
                                        if let (Some(a), Some(b)) = (mlp.moments(which), whole.moments(which)) {
                                            assert_eq!(
                                                bits(&a[range.clone()]),
                                                bits(&b[range.clone()]),
                                                "moments {which}: {what}"
                                            );
                                        }
                                    }
                                }
                                assert_eq!(mlp.steps(), whole.steps(), "steps: {what}");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_step_cut_by_the_first_layers_neurons_gives_the_bits_of_the_whole_step_f32() {
    check_columns::<f32>();
}

#[test]
fn the_step_cut_by_the_first_layers_neurons_gives_the_bits_of_the_whole_step_f64() {
    check_columns::<f64>();
}

#[test]
fn the_step_is_not_cut_by_neurons_where_it_cannot_be() {
    let sizes = [5, 4, 2];
    let mut mlp =
        Mlp::<f64>::try_new(&sizes, &[Activation::Linear, Activation::Tanh, Activation::Sigmoid], false, Loss::Mse, 8)
            .unwrap();
    assert!(mlp.first_columns_part(1, 0, 2).is_err(), "one row");
    assert!(mlp.first_columns_part(9, 0, 2).is_err(), "more rows than the capacity");
    assert!(mlp.first_columns_part(4, 3, 2).is_err(), "k0 > k1");
    assert!(mlp.finish_columns_part(4, 0, 5).is_err(), "beyond the first layer");
    let acts = [Activation::Sigmoid, Activation::Tanh, Activation::Sigmoid];
    let mut activated = Mlp::<f64>::try_new(&sizes, &acts, true, Loss::Mse, 8).unwrap();
    assert!(activated.first_columns_part(4, 0, 2).is_err(), "an activated input");
    let mut single =
        Mlp::<f64>::try_new(&[5, 2], &[Activation::Linear, Activation::Sigmoid], false, Loss::Mse, 8).unwrap();
    assert!(single.first_columns_part(4, 0, 1).is_err(), "one layer");
    assert!(mlp.first_columns_part(4, 0, 2).is_ok());
}

#[test]
fn stage_copies_the_rows_named_and_refuses_others() {
    use backprop_kernels::mlp::Error;
    let mut mlp = fresh::<f32>(Optimizer::Sgd, false, Loss::Mse, 3);
    let rows = 5;
    let x = values::<f32>(rows * SIZES[0], 11);
    let y = values::<f32>(rows * SIZES[3], 12);
    mlp.stage(&x, &y, rows, &[4, 0, 4]).unwrap();
    for (r, &i) in [4usize, 0, 4].iter().enumerate() {
        assert_eq!(bits(&mlp.input_mut()[r * SIZES[0]..][..SIZES[0]]), bits(&x[i * SIZES[0]..][..SIZES[0]]));
        assert_eq!(bits(&mlp.target_mut()[r * SIZES[3]..][..SIZES[3]]), bits(&y[i * SIZES[3]..][..SIZES[3]]));
    }
    assert_eq!(mlp.stage(&x, &y, rows, &[1, 5]), Err(Error::IndexOutOfRange));
    assert_eq!(mlp.stage(&x, &y, rows, &[0, 1, 2, 3]), Err(Error::BatchTooLarge));
    assert_eq!(mlp.stage(&x, &y, rows, &[]), Err(Error::InvalidArgument));
    assert_eq!(mlp.stage(&x[1..], &y, rows, &[0]), Err(Error::InvalidArgument));
}
