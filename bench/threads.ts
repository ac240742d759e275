/**
 * Training on threads (`threads: n | 'auto'`, ts/threads/): samples/s of `fit` on workloads W2–W4
 * (docs/ARCHITECTURE.md, "10 Workloads") with 1 thread, 2, every core and 'auto', the speed-up over
 * one thread and the scaling efficiency (speed-up / threads), on the SIMD128 f32 engine.
 *
 * Protocol: every configuration is created once and warmed (workers started, one fit); each round
 * then runs every configuration once, in a freshly shuffled order, for one `fit` over the same rows;
 * speed-ups are taken within a round and the medians over rounds reported. Every configuration
 * must end a round with the parameters of one thread, bit for bit, or the run fails.
 *
 *   npx tsx bench/threads.ts [--workloads W2,W3,W4] [--rounds 5] [--json file]
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import '../ts/threads/index.js';
import { Network } from '../ts/network.js';
import type { PreparedDataset } from '../ts/prepared.js';
import { Random } from '../ts/random.js';
import { activationsOf, buildWorkload, loadWorkloadData, weightCount, type WorkloadId } from './workloads.js';

/** Rows each timed fit trains on (a multiple of every workload's batch; W2 has 1437 rows in all). */
const ROWS: Record<string, number> = { W2: 1437, W3: 8192, W4: 2048 };

export interface ThreadsResult {
  workload: WorkloadId;
  threads: number | 'auto';
  /** Threads `'auto'` (or the count) actually used. */
  used: number;
  samplesPerSecond: number;
  gflops: number;
  /** Median over rounds of (this configuration's speed / one thread's speed in the same round). */
  speedup: number;
  /** speedup / threads used. */
  efficiency: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export async function benchThreads(ids: WorkloadId[], rounds: number, log = console.log): Promise<ThreadsResult[]> {
  const cores = availableParallelism();
  const counts: (number | 'auto')[] = [...new Set([1, 2, cores])].filter((n) => n >= 1);
  counts.push('auto');
  const dir = mkdtempSync(join(tmpdir(), 'wbp-threads-'));
  const results: ThreadsResult[] = [];
  try {
    for (const id of ids) {
      const spec = buildWorkload(id, dir);
      const data = loadWorkloadData(spec);
      const rows = Math.min(ROWS[id] ?? spec.rows, spec.rows);
      const n0 = spec.layers[0];
      const nL = spec.layers[spec.layers.length - 1];
      const x = { data: data.x.subarray(0, rows * n0), rows, cols: n0 };
      const y = { data: data.y.subarray(0, rows * nL), rows, cols: nL };
      const nets: { threads: number | 'auto'; net: Network; set: PreparedDataset }[] = [];
      for (const threads of counts) {
        const net = await Network.create({ layers: spec.layers, activations: activationsOf(spec), learningRate: spec.learningRate, threads, precision: 'f32' });
        const set = net.prepare(x, y);
        await net.fit(set, { epochs: 1, batchSize: spec.batch }); // warm: workers started, data shared
        nets.push({ threads, net, set });
      }
      const times = new Map<number | 'auto', number[]>(counts.map((c) => [c, []]));
      const ratios = new Map<number | 'auto', number[]>(counts.map((c) => [c, []]));
      const rng = new Random(7);
      for (let round = 0; round < rounds; round++) {
        const order = [...nets];
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rng.next() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        const t: Map<number | 'auto', number> = new Map();
        for (const c of order) {
          c.net.setFlatParameters(data.p0);
          c.net.resetOptimizer();
          const start = performance.now();
          await c.net.fit(c.set, { epochs: 1, batchSize: spec.batch, shuffle: false });
          t.set(c.threads, performance.now() - start);
        }
        const one = nets[0].net.getFlatParameters();
        for (const c of nets) {
          const p = c.net.getFlatParameters();
          if (!p.every((v, i) => Object.is(v, one[i]))) throw new Error(`${id}: threads ${c.threads} trained other parameters than one thread`);
          times.get(c.threads)!.push(t.get(c.threads)!);
          ratios.get(c.threads)!.push(t.get(1)! / t.get(c.threads)!);
        }
      }
      for (const c of nets) {
        const ms = median(times.get(c.threads)!);
        const sps = rows / (ms / 1000);
        const used = c.net.threads.used;
        const speedup = median(ratios.get(c.threads)!);
        const r: ThreadsResult = {
          workload: id,
          threads: c.threads,
          used,
          samplesPerSecond: sps,
          gflops: (sps * 6 * weightCount(spec.layers)) / 1e9,
          speedup,
          efficiency: speedup / used,
        };
        results.push(r);
        log(
          `${id} ${spec.layers.join('-')} batch ${spec.batch}  threads ${String(c.threads).padStart(4)} (used ${used})  ${sps.toFixed(0).padStart(8)} samples/s  ${r.gflops.toFixed(2).padStart(6)} GFLOP/s  ×${speedup.toFixed(2)}  efficiency ${(r.efficiency * 100).toFixed(0)} %`,
        );
        c.net.dispose();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { workloads: { type: 'string', default: 'W2,W3,W4' }, rounds: { type: 'string', default: '5' }, json: { type: 'string' } },
  });
  const ids = values.workloads.split(',') as WorkloadId[];
  const results = await benchThreads(ids, Number(values.rounds));
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
}
