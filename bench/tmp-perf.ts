import { Network } from '/work/main/ts/network.js';
import { loadWasm } from '/work/main/ts/wasm/loader.js';
const rnd = (n: number) => { const a = new Float32Array(n); let s = 1; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = s / 4294967296; } return a; };
const W = [
  { id: 'W1', layers: [2, 4, 1], batch: 1, N: 4, act: 'sigmoid', out: 'sigmoid' },
  { id: 'W2', layers: [64, 32, 10], batch: 16, N: 1437, act: 'sigmoid', out: 'sigmoid' },
  { id: 'W3', layers: [784, 128, 10], batch: 64, N: 8192, act: 'sigmoid', out: 'sigmoid' },
  { id: 'W4', layers: [784, 512, 512, 10], batch: 128, N: 8192, act: 'relu', out: 'sigmoid' },
] as const;
const inst = await loadWasm();
for (let i = 0; i < 3; i++) { const t = performance.now(); const it = 20_000_000; inst.exports.bp_peak_f32(it); const s = (performance.now() - t) / 1000; console.log(`peak ${(it * 96 / s / 1e9).toFixed(1)} GFLOP/s`); }
for (const precision of ['f32', 'f64'] as const) for (const w of W) {
  const net = await Network.create({ layers: [...w.layers], activation: w.act, output: w.out, precision, learningRate: 0.01 });
  const x = { data: rnd(w.N * w.layers[0]), rows: w.N, cols: w.layers[0] };
  const y = { data: rnd(w.N * w.layers.at(-1)!), rows: w.N, cols: w.layers.at(-1)! };
  const weights = w.layers.slice(1).reduce((s, n, i) => s + n * w.layers[i], 0);
  const epochs = w.id === 'W1' ? 100000 : w.id === 'W2' ? 50 : w.id === 'W3' ? 3 : 1;
  const res = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    await net.fit(x, y, { epochs, batchSize: w.batch, shuffle: true });
    const s = (performance.now() - t) / 1000;
    res.push(epochs * w.N / s);
  }
  const best = Math.max(...res);
  console.log(`${w.id} ${precision}: ${(best / 1e3).toFixed(1)}k samples/s, ${(best * 6 * weights / 1e9).toFixed(2)} GFLOP/s`);
  net.dispose();
}
