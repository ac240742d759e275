//! W1 (xor 2-4-1, sigmoid, ½MSE, per-sample SGD) natively, for instruction counts:
//! `cargo build --release --example w1 && valgrind --tool=callgrind target/release/examples/w1`.
use backprop_kernels::kernels::activation::Activation;
use backprop_kernels::kernels::loss::Loss;
use backprop_kernels::kernels::optimizer::Optimizer;
use backprop_kernels::mlp::Mlp;

fn main() {
    let epochs: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let s = Activation::Sigmoid;
    let mut mlp = Mlp::<f32>::try_new(&[2, 4, 1], &[s, s, s], false, Loss::Mse, 16).unwrap();
    for (i, p) in mlp.params_mut().iter_mut().enumerate() {
        *p = ((i * 7919) % 13) as f32 / 13.0 - 0.5;
    }
    mlp.set_optimizer(Optimizer::Sgd, 0.5, 0.5).unwrap();
    let x = [0.0f32, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let y = [0.0f32, 1.0, 1.0, 0.0];
    let perm: Vec<u32> = (0..epochs)
        .flat_map(|e| [(e % 4) as u32, ((e + 1) % 4) as u32, ((e + 2) % 4) as u32, ((e + 3) % 4) as u32])
        .collect();
    let mut losses = vec![0.0; epochs];
    let t = std::time::Instant::now();
    mlp.fit(&x, &y, 4, &perm, 1, &mut losses).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!("{:.2}M samples/s natively, last loss {}", (epochs * 4) as f64 / secs / 1e6, losses[epochs - 1]);
}
