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
