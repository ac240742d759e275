/**
 * What fused multiply-add can gain on this CPU: the arithmetic peak of f32x4 multiply-then-add (the
 * SIMD128 artefact's `bp_peak_f32`: 12 independent chains, 96 flops an iteration) against the same
 * loop with `f32x4.relaxed_madd` (the relaxed-SIMD artefact's), calls alternated in one process,
 * medians of 41 calls each. The relaxed artefact's kernels cannot gain more over SIMD128's than its
 * peak does over SIMD128's: where the engine's FMA runs at the rate of a multiply and an add (a
 * core whose additions have units of their own), the two peaks are alike.
 *
 *   npx tsx bench/fma-peak.ts        (Node 20 is restarted with --experimental-wasm-relaxed-simd)
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadWasm, relaxedSimdSupported } from '../ts/wasm/loader.js';

const FLAG = '--experimental-wasm-relaxed-simd';

if (!relaxedSimdSupported()) {
  if (process.execArgv.includes(FLAG)) throw new Error('this runtime does not run relaxed SIMD, even with ' + FLAG);
  const r = spawnSync(process.execPath, [FLAG, '--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const ITERS = 2_000_000;
const FLOPS = 96 * ITERS;
const [simd, relaxed] = [(await loadWasm({ simd: true })).exports, (await loadWasm({ simd: 'relaxed' })).exports];
let sink = 0;
const gflops = (peak: (iters: number) => number): number => {
  const t = performance.now();
  sink += peak(ITERS);
  return FLOPS / ((performance.now() - t) / 1000) / 1e9;
};
for (let i = 0; i < 5; i++) (gflops(simd.bp_peak_f32), gflops(relaxed.bp_peak_f32)); // warm-up
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < 41; i++) {
  a.push(gflops(simd.bp_peak_f32));
  b.push(gflops(relaxed.bp_peak_f32));
}
if (!Number.isFinite(sink)) throw new Error('bp_peak_f32 returned a non-finite value');
const median = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
const best = (v: number[]) => Math.max(...v);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}`);
console.log(`f32x4 multiply-then-add (SIMD128):  median ${median(a).toFixed(1)} GFLOP/s, best ${best(a).toFixed(1)}`);
console.log(`f32x4.relaxed_madd (relaxed SIMD):  median ${median(b).toFixed(1)} GFLOP/s, best ${best(b).toFixed(1)}`);
console.log(`relaxed ÷ SIMD128: ${(median(b) / median(a)).toFixed(2)}× (medians), ${(best(b) / best(a)).toFixed(2)}× (best)`);
