//! Capacity follows the minibatch in use and changes no result: an MLP created for one row and
//! grown on demand trains to the bits of one created large, through staged steps and `fit`, with
//! every optimizer, in f32 and f64, with and without an activated input (which keeps z₀ and δ₀);
//! `predict` and `evaluate` give the same bits whatever the capacity, in blocks of `BLOCK_ROWS`.

use backprop_kernels::kernels::activation::Activation;
use backprop_kernels::kernels::backend::Real;
use backprop_kernels::kernels::loss::Loss;
use backprop_kernels::kernels::optimizer::Optimizer;
use backprop_kernels::mlp::{Mlp, BLOCK_ROWS};
#[path = "common/seeded.rs"]
mod seeded;
use seeded::{bits, values, OPTIMIZERS};

const SIZES: [usize; 4] = [5, 11, 7, 3];
/// Minibatch sizes in the order they are staged: one row, the tile's remainders, past MC (64).
const BATCHES: [usize; 8] = [1, 2, 3, 1, 17, 9, 70, 5];

fn fresh<T: Real>(capacity: usize, opt: Optimizer, input_activated: bool) -> Mlp<T> {
    let (s, t) = (Activation::Sigmoid, Activation::Tanh);
    let mut mlp = Mlp::<T>::try_new(&SIZES, &[t, t, s, s], input_activated, Loss::Mse, capacity).unwrap();
    let init = values::<T>(mlp.params().len(), 11);
    mlp.params_mut().copy_from_slice(&init);
    mlp.set_optimizer(opt, 0.3, 0.2).unwrap();
    mlp
}

/// Staged steps of every size in `BATCHES` (growing the capacity where it is short), then two
/// epochs of `fit` with batch 33; returns the losses.
fn train<T: Real>(mlp: &mut Mlp<T>) -> Vec<u64> {
    let (n0, nl) = (SIZES[0], SIZES[3]);
    let mut losses = Vec::new();
    for (i, &rows) in BATCHES.iter().enumerate() {
        mlp.reserve(rows).unwrap();
        let x = values::<T>(rows * n0, 100 + i as u64);
        let y: Vec<T> = values::<T>(rows * nl, 200 + i as u64).iter().map(|v| T::from_f64(v.to_f64().abs())).collect();
        mlp.input_mut()[..rows * n0].copy_from_slice(&x);
        mlp.target_mut()[..rows * nl].copy_from_slice(&y);
        losses.push(mlp.train_staged(rows).to_bits());
    }
    let rows = 100;
    let x = values::<T>(rows * n0, 300);
    let y: Vec<T> = values::<T>(rows * nl, 301).iter().map(|v| T::from_f64(v.to_f64().abs())).collect();
    let perm: Vec<u32> = (0..2 * rows).map(|i| ((i * 37) % rows) as u32).collect();
    let mut epochs = [f64::NAN; 2];
    mlp.reserve(33).unwrap();
    mlp.fit(&x, &y, rows, &perm, 33, &mut epochs).unwrap();
    losses.extend(epochs.map(f64::to_bits));
    losses
}

fn grown_equals_large<T: Real>() {
    for opt in OPTIMIZERS {
        for input_activated in [false, true] {
            let mut grown = fresh::<T>(1, opt, input_activated);
            let mut large = fresh::<T>(300, opt, input_activated);
            assert_eq!(grown.capacity(), 1);
            let (lg, ll) = (train(&mut grown), train(&mut large));
            assert_eq!(grown.capacity(), 70);
            assert_eq!(lg, ll, "losses, {opt:?}, input activated {input_activated}");
            assert_eq!(bits(grown.params()), bits(large.params()), "{opt:?}, input activated {input_activated}");
            for which in 0..2 {
                assert_eq!(grown.moments(which).map(bits), large.moments(which).map(bits));
            }
        }
    }
}

#[test]
fn an_mlp_grown_on_demand_trains_to_the_bits_of_one_created_large_f32() {
    grown_equals_large::<f32>();
}

#[test]
fn an_mlp_grown_on_demand_trains_to_the_bits_of_one_created_large_f64() {
    grown_equals_large::<f64>();
}

fn predictions_ignore_capacity<T: Real>() {
    let (n0, nl) = (SIZES[0], SIZES[3]);
    for input_activated in [false, true] {
        let mut mlps = [1, 2, 16, BLOCK_ROWS, 600].map(|c| fresh::<T>(c, Optimizer::Sgd, input_activated));
        for rows in [1, 2, 3, 255, BLOCK_ROWS, BLOCK_ROWS + 1, 2 * BLOCK_ROWS + 1, 600] {
            let x = values::<T>(rows * n0, rows as u64);
            let y = values::<T>(rows * nl, 7 + rows as u64);
            let mut outputs = Vec::new();
            let mut scores = Vec::new();
            for mlp in mlps.iter_mut() {
                let capacity = mlp.capacity();
                let mut out = vec![T::from_f64(f64::NAN); rows * nl];
                mlp.predict(&x, rows, &mut out).unwrap();
                outputs.push(bits(&out));
                let (loss, correct) = mlp.evaluate(&x, &y, rows).unwrap();
                scores.push((loss.to_bits(), correct));
                assert_eq!(mlp.capacity(), capacity, "predict and evaluate leave the capacity as it was");
            }
            assert!(outputs.windows(2).all(|w| w[0] == w[1]), "{rows} rows, input activated {input_activated}");
            assert!(scores.windows(2).all(|w| w[0] == w[1]), "{rows} rows, input activated {input_activated}");
        }
        // A block of one row takes the matrix-vector path: the last row of 257 is the row alone.
        let rows = BLOCK_ROWS + 1;
        let x = values::<T>(rows * n0, 5);
        let mut all = vec![T::ZERO; rows * nl];
        let mut alone = vec![T::ZERO; nl];
        mlps[0].predict(&x, rows, &mut all).unwrap();
        mlps[0].predict(&x[(rows - 1) * n0..], 1, &mut alone).unwrap();
        assert_eq!(bits(&all[(rows - 1) * nl..]), bits(&alone));
    }
}

#[test]
fn predictions_and_evaluations_do_not_depend_on_the_capacity_f32() {
    predictions_ignore_capacity::<f32>();
}

#[test]
fn predictions_and_evaluations_do_not_depend_on_the_capacity_f64() {
    predictions_ignore_capacity::<f64>();
}
