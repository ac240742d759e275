//! The training state is the parameters, the optimizer's moments and the step count: copied into a
//! fresh MLP configured with the same optimizer, training resumes exactly. k epochs, a copy,
//! m more epochs give the parameters of k + m uninterrupted epochs bit for bit, for SGD, momentum
//! and Adam, in f32 and f64, per sample (batch 1) and by minibatch, through `fit`.

use backprop_kernels::kernels::activation::Activation;
use backprop_kernels::kernels::backend::Real;
use backprop_kernels::kernels::loss::Loss;
use backprop_kernels::kernels::optimizer::Optimizer;
use backprop_kernels::mlp::Mlp;
#[path = "common/seeded.rs"]
mod seeded;
use seeded::{bits, values, OPTIMIZERS};

const SIZES: [usize; 4] = [3, 9, 5, 2];
const ROWS: usize = 7;
const K: usize = 3;
const M: usize = 4;

/// Epoch `e` visits the rows in a rotated, reversed-every-other-epoch order.
fn permutation(epochs: usize) -> Vec<u32> {
    (0..epochs)
        .flat_map(|e| {
            (0..ROWS).map(move |i| if e % 2 == 0 { (i + e) % ROWS } else { (ROWS - 1 - i + e) % ROWS } as u32)
        })
        .collect()
}

/// A fresh MLP with the same starting parameters each time (`input_activated` gives the input
/// layer a tanh and a bias, which takes batch 1 off the per-sample path).
fn fresh<T: Real>(opt: Optimizer, input_activated: bool) -> Mlp<T> {
    let (s, t) = (Activation::Sigmoid, Activation::Tanh);
    let mut mlp = Mlp::<T>::try_new(&SIZES, &[t, t, s, s], input_activated, Loss::Mse, 4).unwrap();
    let init = values::<T>(mlp.params().len(), 11);
    mlp.params_mut().copy_from_slice(&init);
    mlp.set_optimizer(opt, 0.3, 0.2).unwrap();
    mlp
}

/// The rows trained on: x, and y in the sigmoid's range.
fn data<T: Real>() -> (Vec<T>, Vec<T>) {
    let (x, y) = (values::<T>(ROWS * SIZES[0], 1), values::<T>(ROWS * SIZES[3], 2));
    (x, y.iter().map(|&v| T::from_f64(v.to_f64().abs())).collect())
}

/// Trains `epochs` epochs of the permutation starting at epoch `from`; returns the epoch losses.
fn train<T: Real>(mlp: &mut Mlp<T>, batch: usize, from: usize, epochs: usize) -> Vec<f64> {
    let (x, y) = data::<T>();
    let perm = &permutation(from + epochs)[from * ROWS..];
    let mut losses = vec![f64::NAN; epochs];
    mlp.fit(&x, &y, ROWS, perm, batch, &mut losses).unwrap();
    losses
}

/// Copies the whole training state (or only the parameters) of `from` into `to`.
fn copy_state<T: Real>(from: &Mlp<T>, to: &mut Mlp<T>, params_only: bool) {
    to.params_mut().copy_from_slice(from.params());
    if params_only {
        return;
    }
    for which in 0..2 {
        match (from.moments(which), to.moments_mut(which)) {
            (Some(src), Some(dst)) => dst.copy_from_slice(src),
            (None, None) => {}
            _ => panic!("moment buffer {which} kept by one MLP only"),
        }
    }
    to.set_steps(from.steps());
}

fn describe<T: Real>(opt: Optimizer, batch: usize, input_activated: bool) -> String {
    format!("{opt:?}, batch {batch}, input activated {input_activated}, {}", core::any::type_name::<T>())
}

/// The state of `b` is that of `a`, bit for bit.
fn same_state<T: Real>(a: &Mlp<T>, b: &Mlp<T>, what: &str) {
    assert_eq!(bits(b.params()), bits(a.params()), "{what}: parameters");
    assert_eq!(b.steps(), a.steps(), "{what}: steps");
    for which in 0..2 {
        assert_eq!(b.moments(which).map(bits), a.moments(which).map(bits), "{what}: moments {which}");
    }
}

fn check<T: Real>(opt: Optimizer, batch: usize, input_activated: bool) {
    let what = describe::<T>(opt, batch, input_activated);
    let mut whole = fresh::<T>(opt, input_activated);
    let whole_losses = train(&mut whole, batch, 0, K + M);

    let mut first = fresh::<T>(opt, input_activated);
    train(&mut first, batch, 0, K);
    let mut resumed = fresh::<T>(opt, input_activated);
    copy_state(&first, &mut resumed, false);
    let resumed_losses = train(&mut resumed, batch, K, M);

    same_state(&whole, &resumed, &what);
    assert_eq!(bits(&resumed_losses), bits(&whole_losses[K..]), "{what}: losses");

    // The test can tell: where the optimizer keeps moments, the parameters alone do not resume.
    if opt.moment_count() > 0 {
        let mut params_only = fresh::<T>(opt, input_activated);
        copy_state(&first, &mut params_only, true);
        train(&mut params_only, batch, K, M);
        assert_ne!(bits(params_only.params()), bits(whole.params()), "{what}: moments made no difference");
    }
}

/// Epochs trained in spans of 1, 2, 1, … minibatches (`fit_span`, each given the loss total so
/// far) train and sum as `fit` does, bit for bit.
fn check_spans<T: Real>(opt: Optimizer, batch: usize, input_activated: bool) {
    let what = format!("spans: {}", describe::<T>(opt, batch, input_activated));
    let epochs = 2;
    let mut whole = fresh::<T>(opt, input_activated);
    let whole_losses = train(&mut whole, batch, 0, epochs);

    let (x, y) = data::<T>();
    let mut pieces = fresh::<T>(opt, input_activated);
    let mut losses = Vec::new();
    for order in permutation(epochs).chunks_exact(ROWS) {
        let (mut total, mut start) = (0.0, 0);
        for cut in [1, 2].iter().cycle() {
            if start == ROWS {
                break;
            }
            let end = ROWS.min(start + cut * batch);
            total = pieces.fit_span(&x, &y, ROWS, &order[start..end], batch, total).unwrap();
            start = end;
        }
        losses.push(total / ROWS as f64);
    }
    same_state(&whole, &pieces, &what);
    assert_eq!(bits(&losses), bits(&whole_losses), "{what}: losses");
}

#[test]
fn resumes_bit_for_bit() {
    for opt in OPTIMIZERS {
        for (batch, input_activated) in [(1, false), (1, true), (3, false), (4, true)] {
            check::<f32>(opt, batch, input_activated);
            check::<f64>(opt, batch, input_activated);
            check_spans::<f32>(opt, batch, input_activated);
            check_spans::<f64>(opt, batch, input_activated);
        }
    }
}

#[test]
fn a_span_is_checked() {
    let (x, y) = data::<f64>();
    let mut mlp = fresh::<f64>(OPTIMIZERS[0], false);
    assert!(mlp.fit_span(&x, &y, ROWS, &[0, 1, ROWS as u32], 2, 0.0).is_err(), "row index out of range");
    assert!(mlp.fit_span(&x, &y, ROWS, &[0, 1, 2, 3, 4], 5, 0.0).is_err(), "minibatch beyond the capacity");
    assert!(mlp.fit_span(&x, &y, ROWS + 1, &[0], 1, 0.0).is_err(), "x too short for rows");
    assert!(mlp.fit_span(&x, &y, ROWS, &[], 1, 0.0).is_err(), "no rows");
}

#[test]
fn moment_buffers_follow_the_optimizer() {
    for opt in OPTIMIZERS {
        let mut mlp = fresh::<f64>(opt, false);
        let len = mlp.params().len();
        for which in 0..3 {
            let kept = which < opt.moment_count();
            assert_eq!(mlp.moments(which).map(<[f64]>::len), kept.then_some(len), "{opt:?} buffer {which}");
            assert_eq!(mlp.moments_mut(which).is_some(), kept, "{opt:?} buffer {which}");
        }
    }
    // Adam counts its steps; a change of kind clears them with the moments.
    let mut mlp = fresh::<f64>(OPTIMIZERS[2], false);
    train(&mut mlp, 3, 0, 2);
    assert_eq!(mlp.steps(), 2 * ROWS.div_ceil(3) as u64);
    assert!(mlp.moments(1).unwrap().iter().any(|&v| v != 0.0));
    mlp.set_optimizer(OPTIMIZERS[1], 0.1, 0.1).unwrap();
    assert_eq!(mlp.steps(), 0);
    assert!(mlp.moments(0).unwrap().iter().all(|&v| v == 0.0));
}
