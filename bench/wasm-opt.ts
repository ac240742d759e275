// Side by side: the SIMD artefact as cargo writes it against the same after binaryen's wasm-opt -O3
// (what scripts/build-wasm.mjs ships), interleaved, median of 7 runs each.
// Run after a build: npx tsx bench/wasm-opt.ts [W1 W2 W3 W4]
import { readFileSync } from 'node:fs';
import { Network } from '../ts/network.js';
import { loadWasm } from '../ts/wasm/loader.js';
const rnd = (n: number) => { const a = new Float32Array(n); let s = 1; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = s / 4294967296; } return a; };
const variants = {
  cargo: await loadWasm({ simd: true, source: readFileSync('target/backprop-simd/wasm32-unknown-unknown/release/backprop_kernels.wasm') }),
  wasmopt: await loadWasm({ simd: true, source: readFileSync('ts/wasm/bin/backprop.simd.wasm') }),
};
const W = [
  { id: 'W1', layers: [2, 4, 1], batch: 1, N: 4, act: 'sigmoid', epochs: 100000 },
  { id: 'W2', layers: [64, 32, 10], batch: 16, N: 1437, act: 'sigmoid', epochs: 30 },
  { id: 'W3', layers: [784, 128, 10], batch: 64, N: 8192, act: 'sigmoid', epochs: 2 },
  { id: 'W4', layers: [784, 512, 512, 10], batch: 128, N: 4096, act: 'relu', epochs: 1 },
] as const;
for (const w of W.filter((w) => process.argv.includes(w.id) || process.argv.length < 3)) {
  const res: Record<string, number[]> = { cargo: [], wasmopt: [] };
  const x = { data: rnd(w.N * w.layers[0]), rows: w.N, cols: w.layers[0] };
  const y = { data: rnd(w.N * w.layers.at(-1)!), rows: w.N, cols: w.layers.at(-1)! };
  for (let r = 0; r < 7; r++) for (const [name, inst] of Object.entries(variants)) {
    const net = await Network.create({ layers: [...w.layers], activation: w.act, output: 'sigmoid', learningRate: 0.01, wasm: { instance: inst } });
    const t = performance.now();
    await net.fit(x, y, { epochs: w.epochs, batchSize: w.batch });
    res[name].push((w.epochs * w.N) / ((performance.now() - t) / 1000));
    net.dispose();
  }
  const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
  console.log(`${w.id}: cargo ${(med(res.cargo) / 1e3).toFixed(1)}k/s, wasm-opt ${(med(res.wasmopt) / 1e3).toFixed(1)}k/s, ratio ${(med(res.wasmopt) / med(res.cargo)).toFixed(3)}`);
}
