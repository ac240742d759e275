/**
 * The ceiling: what one core of this machine does in WebAssembly SIMD128 f32 when nothing waits for
 * memory, and what our GEMM kernel reaches on a square product that fits the caches.
 *
 * - `bp_peak_f32(iters)`: 12 independent chains of f32x4 multiply-then-add, 96 flops per iteration
 *   (`Peak::peak_f32` in crates/kernels/src/kernels/backend/simd128/mod.rs). WebAssembly SIMD128 has no fused multiply-add, so this is
 *   the arithmetic bound of any wasm f32 kernel, ours included.
 * - `bp_gemm` on 256 × 256 × 256 f32 (2·256³ flops per call; it packs its operands on each call).
 *
 * These are microbenchmarks of a few milliseconds per call, where tinybench fits: a fixed time
 * budget of calls, statistics of their latencies (the median is used). The suite measures the
 * ceiling several times (bench/run.ts) and reports the highest median: on a shared machine, load
 * from elsewhere can only lower it.
 */
import { Bench } from 'tinybench';
import { loadWasm } from '../ts/wasm/loader.js';

/** Iterations of one `bp_peak_f32` call: 96 flops each. */
const PEAK_ITERS = 2_000_000;
const PEAK_FLOPS = 96 * PEAK_ITERS;
const GEMM_N = 256;
const GEMM_FLOPS = 2 * GEMM_N ** 3;

export interface CeilingSample {
  /** GFLOP/s of each call of `bp_peak_f32`, median over the calls. */
  peak: number;
  /** GFLOP/s of `bp_gemm` 256³ f32, median over the calls. */
  gemm: number;
}

/** Measures the ceiling once, for about `ms` milliseconds per microbenchmark. */
export async function measureCeiling(ms: number): Promise<CeilingSample> {
  const inst = await loadWasm({ simd: true });
  const x = inst.exports;
  const bytes = GEMM_N * GEMM_N * 4;
  const [a, b, c] = [x.bp_alloc(bytes), x.bp_alloc(bytes), x.bp_alloc(bytes)];
  if (!a || !b || !c) throw new Error('could not allocate the GEMM operands in WebAssembly memory');
  try {
    new Float32Array(x.memory.buffer, a, GEMM_N * GEMM_N).fill(0.5);
    new Float32Array(x.memory.buffer, b, GEMM_N * GEMM_N).fill(0.25);
    let sink = 0;
    const bench = new Bench({ time: ms, iterations: 10, warmupTime: Math.min(200, ms / 2), warmupIterations: 5 });
    bench.add('peak', () => {
      sink += x.bp_peak_f32(PEAK_ITERS);
    });
    bench.add('gemm', () => {
      const s = x.bp_gemm(32, GEMM_N, GEMM_N, GEMM_N, 1, a, GEMM_N, 1, b, GEMM_N, 1, 0, c, GEMM_N, 1);
      if (s !== 0) throw new Error(`bp_gemm returned status ${s}`);
    });
    await bench.run();
    const rate = (name: string, flops: number): number => {
      const r = bench.getTask(name)?.result;
      if (!r || !('latency' in r)) throw new Error(`ceiling microbenchmark '${name}' did not complete: ${r && 'error' in r ? r.error.message : r?.state}`);
      return flops / (r.latency.p50 / 1000) / 1e9;
    };
    if (!Number.isFinite(sink)) throw new Error('bp_peak_f32 returned a non-finite value');
    return { peak: rate('peak', PEAK_FLOPS), gemm: rate('gemm', GEMM_FLOPS) };
  } finally {
    x.bp_free(a);
    x.bp_free(b);
    x.bp_free(c);
  }
}
