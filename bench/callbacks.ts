/**
 * What per-epoch work and the app's data path cost `fit`, on W1–W4 (wasm, f32): the fast path
 * (no callbacks, on typed data and on a prepared dataset) against `onEpoch` with `validation` (256
 * held-out rows, typed or prepared), and an app's path (rows as number[][] with `onEpoch`, every
 * call) against a prepared dataset. Medians side by side in one run; each path against the fast path
 * on data of its kind (rows and typed data are copied in by every call). `npx tsx bench/callbacks.ts [W1,W2,…]`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { buildWorkload, loadWorkloadData, WORKLOAD_IDS, activationsOf } from './workloads.js';
import { Network } from '../ts/network.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-'));
console.log(cpus()[0].model);
const only = process.argv[2]?.split(',') ?? WORKLOAD_IDS;
for (const id of WORKLOAD_IDS.filter((w) => only.includes(w))) {
  const spec = buildWorkload(id, dir);
  const d = loadWorkloadData(spec);
  const [n0, nL] = [spec.layers[0], spec.layers.at(-1)!];
  const x = { data: Float32Array.from(d.x), rows: spec.rows, cols: n0 };
  const y = { data: Float32Array.from(d.y), rows: spec.rows, cols: nL };
  const rows = Array.from({ length: spec.rows }, (_, r) => Array.from(d.x.subarray(r * n0, (r + 1) * n0)));
  const yrows = Array.from({ length: spec.rows }, (_, r) => Array.from(d.y.subarray(r * nL, (r + 1) * nL)));
  const vrows = Math.min(spec.rows, 256);
  const vx = { data: x.data.subarray(0, vrows * n0), rows: vrows, cols: n0 };
  const vy = { data: y.data.subarray(0, vrows * nL), rows: vrows, cols: nL };
  const acts = activationsOf(spec);
  const net = await Network.create({
    layers: spec.layers,
    activation: acts.slice(1, -1)[0] ?? 'sigmoid',
    output: 'sigmoid',
    loss: 'mse',
    learningRate: spec.learningRate,
    precision: 'f32',
  });
  const prepared = net.prepare(x, y);
  const pv = net.prepare(vx, vy);
  const epochs = Math.max(1, Math.round(200_000 / spec.rows / (spec.weights / 1000 + 1)));
  const visits = epochs * spec.rows;
  const bench = new Bench({ time: 3000, warmupTime: 500 });
  bench
    .add('fast: typed, no callbacks', async () => void (await net.fit(x, y, { epochs, batchSize: spec.batch })))
    .add('fast: prepared, no callbacks', async () => void (await net.fit(prepared, { epochs, batchSize: spec.batch })))
    .add(
      'onEpoch + validation (typed)',
      async () => void (await net.fit(x, y, { epochs, batchSize: spec.batch, validation: { x: vx, y: vy }, onEpoch: () => {} })),
    )
    .add('onEpoch + validation (prepared)', async () => void (await net.fit(prepared, { epochs, batchSize: spec.batch, validation: pv, onEpoch: () => {} })))
    .add('onEpoch only (prepared)', async () => void (await net.fit(prepared, { epochs, batchSize: spec.batch, onEpoch: () => {} })))
    .add('app: rows + onEpoch', async () => void (await net.fit(rows, yrows, { epochs, batchSize: spec.batch, onEpoch: () => {} })))
    .add('app: prepared + onEpoch', async () => void (await net.fit(prepared, { epochs, batchSize: spec.batch, onEpoch: () => {} })));
  await bench.run();
  const median = (t: (typeof bench.tasks)[number]): number => {
    const r = t.result;
    if (!r || !('latency' in r)) throw new Error(`'${t.name}' did not complete: ${r && 'error' in r ? r.error.message : r?.state}`);
    return r.latency.p50!;
  };
  // Each against the fast path on data of its kind: typed (copied in by every call), or prepared.
  const [fastTyped, fastPrepared] = [median(bench.tasks[0]), median(bench.tasks[1])];
  console.log(`${id} (${spec.layers.join('-')}, batch ${spec.batch}, ${epochs} epochs × ${spec.rows} rows per call)`);
  for (const t of bench.tasks) {
    const med = median(t);
    const [fast, kind] = t.name.includes('prepared') ? [fastPrepared, 'prepared'] : [fastTyped, 'typed'];
    console.log(
      `  ${t.name.padEnd(34)} median ${med.toFixed(2)} ms  ${(visits / med / 1000).toFixed(3)} M samples/s  ${(fast / med).toFixed(3)}× fast (${kind})`,
    );
  }
  net.dispose();
}
