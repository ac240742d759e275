/**
 * The paper's section 4.1.1 example: fit y = a + b·x + c·x² + d·x³ to sin(x) on [−π, π] (2000
 * points) by gradient descent, learning rate 1e-6, 2000 steps, from normally distributed
 * coefficients. Here the cubic is a network with one linear neuron: inputs (x, x², x³), weights
 * (b, c, d), bias a.
 *
 * The paper's loss is L = Σ_n (ŷ_n − y_n)² with plain gradients; this library's is the batch mean
 * of ½(ŷ − y)², whose gradient is 1/(2N) of the paper's. So η = 1e-6 · 2N makes every step the
 * paper's step exactly.
 *
 * Run: npx tsx examples/sin-cubic.ts [engine]   (engine: js (default), wasm or educational)
 */
import { Network, Random, type EngineName } from '../ts/index.js';

const N = 2000;
const STEPS = 2000;
const PAPER_RATE = 1e-6;
const engine = (process.argv[2] ?? 'js') as EngineName;

const xs = Array.from({ length: N }, (_, i) => -Math.PI + (2 * Math.PI * i) / (N - 1)); // np.linspace(−π, π, 2000)
const inputs = xs.map((x) => [x, x * x, x * x * x]);
const targets = xs.map((x) => [Math.sin(x)]);

const net = await Network.create({ layers: [3, 1], activation: 'linear', engine, precision: 'f64', learningRate: PAPER_RATE * 2 * N });
try {
  // a, b, c, d ~ N(0, 1), as np.random.randn() in the paper (seeded here).
  const rng = new Random(2024);
  const [a0, b0, c0, d0] = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  net.setParameters({ weights: [[[b0, c0, d0]]], biases: [[a0]] });

  for (let t = 0; t < STEPS; t++) net.trainBatch(inputs, targets);

  const p = net.getParameters();
  const [b, c, d] = p.weights[0][0];
  const a = p.biases[0][0];
  const fmt = (v: number[]) =>
    `y = ${v[0].toFixed(4)} + ${v[1].toFixed(4)}x ${v[2] < 0 ? '−' : '+'} ${Math.abs(v[2]).toFixed(4)}x² ${v[3] < 0 ? '−' : '+'} ${Math.abs(v[3]).toFixed(4)}x³`;
  console.log(`start (seeded randn):      ${fmt([a0, b0, c0, d0])}`);
  console.log(`${`after ${STEPS} steps (${engine}):`.padEnd(27)}${fmt([a, b, c, d])}`);
  console.log(`the paper's result:        y = 0.0237 + 0.8476x − 0.0040x² − 0.0920x³`);
  console.log(`least-squares optimum:     ${fmt(leastSquares())}`);
} finally {
  net.dispose();
}

/** The cubic that minimises Σ(ŷ − y)²: the normal equations (XᵀX)θ = Xᵀy, by Gaussian elimination. */
function leastSquares(): number[] {
  const A = Array.from({ length: 4 }, () => new Array<number>(5).fill(0));
  for (let n = 0; n < N; n++) {
    const row = [1, xs[n], xs[n] ** 2, xs[n] ** 3];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) A[i][j] += row[i] * row[j];
      A[i][4] += row[i] * targets[n][0];
    }
  }
  for (let i = 0; i < 4; i++) {
    const piv = A.slice(i).reduce((best, r, k) => (Math.abs(r[i]) > Math.abs(A[best][i]) ? i + k : best), i);
    [A[i], A[piv]] = [A[piv], A[i]];
    for (let k = i + 1; k < 4; k++) {
      const f = A[k][i] / A[i][i];
      for (let j = i; j < 5; j++) A[k][j] -= f * A[i][j];
    }
  }
  const theta = new Array<number>(4).fill(0);
  for (let i = 3; i >= 0; i--) {
    let s = A[i][4];
    for (let j = i + 1; j < 4; j++) s -= A[i][j] * theta[j];
    theta[i] = s / A[i][i];
  }
  return theta;
}
