/**
 * What any two threads can reach on this machine: one process training a workload's network on
 * one thread, against two such processes at once, each timing the same `fit` over and over for the
 * same seconds. The speed-up is the two processes' samples/s summed, over one process's alone, in
 * the same round. Threads that share a minibatch do all of one process's work and meet besides, so
 * on the same cores they cannot beat it.
 *
 *   npx tsx bench/two-processes.ts [--workloads W3,W4] [--rounds 5] [--seconds 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Network } from '../ts/network.js';
import { machineInfo } from './machine.js';
import { fmtRatio, median } from './report.js';
import { THREADS_WORKLOADS, WORK } from './threads.js';
import { WORKLOAD_IDS, activationsOf, buildWorkload, loadWorkloadData, type WorkloadId } from './workloads.js';

/** A child: sets the workload up, says `ready`, waits for `go`, trains for `seconds`, prints its samples/s. */
async function child(id: WorkloadId, seconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wbp-two-'));
  try {
    const spec = buildWorkload(id, dir);
    const data = loadWorkloadData(spec);
    const work = WORK.full[id]!;
    const rows = Math.min(work.rows, spec.rows);
    const [n0, nL] = [spec.layers[0], spec.layers[spec.layers.length - 1]];
    const net = await Network.create({ layers: spec.layers, activations: activationsOf(spec), learningRate: spec.learningRate, precision: 'f32' });
    const set = net.prepare({ data: data.x.subarray(0, rows * n0), rows, cols: n0 }, { data: data.y.subarray(0, rows * nL), rows, cols: nL });
    const options = { epochs: work.epochs, batchSize: spec.batch, shuffle: false };
    await net.fit(set, options); // warm
    console.log('ready');
    await new Promise<void>((go) => createInterface({ input: process.stdin }).once('line', () => go()));
    let samples = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      net.setFlatParameters(data.p0);
      await net.fit(set, options);
      samples += rows * work.epochs;
    }
    console.log(JSON.stringify({ samplesPerSecond: samples / ((performance.now() - start) / 1000) }));
    net.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `count` children on `id` at once; their samples/s. */
async function together(id: WorkloadId, count: number, seconds: number): Promise<number[]> {
  const script = fileURLToPath(import.meta.url);
  const kids: ChildProcess[] = [];
  const lines = (k: ChildProcess) => createInterface({ input: k.stdout! });
  const ready: Promise<void>[] = [];
  const done: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    const k = spawn(process.execPath, [...process.execArgv, script, '--child', id, '--seconds', String(seconds)], { stdio: ['pipe', 'pipe', 'inherit'] });
    kids.push(k);
    const out = lines(k);
    ready.push(new Promise((resolve) => out.once('line', () => resolve())));
    done.push(
      new Promise((resolve, reject) => {
        let last = '';
        out.on('line', (l) => (last = l));
        k.on('exit', (code) =>
          code === 0
            ? resolve((JSON.parse(last) as { samplesPerSecond: number }).samplesPerSecond)
            : reject(new Error(`a child process on ${id} exited with ${code}`)),
        );
      }),
    );
  }
  await Promise.all(ready);
  for (const k of kids) k.stdin!.end('go\n');
  return Promise.all(done);
}

const { values } = parseArgs({
  options: {
    workloads: { type: 'string', default: 'W3,W4' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '2' },
    child: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got '${values.seconds}'`);
if (values.child) {
  await child(values.child as WorkloadId, seconds);
} else {
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got '${values.rounds}'`);
  const ids = values.workloads.split(',').map((w) => w.trim());
  for (const w of ids) {
    if (!THREADS_WORKLOADS.includes(w as WorkloadId))
      throw new Error(`--workloads: '${w}' is not one of ${THREADS_WORKLOADS.join(', ')} (known workloads: ${WORKLOAD_IDS.join(', ')})`);
  }
  const m = machineInfo();
  console.log(
    `${m.cpu}, ${m.cores} logical processors, Node ${process.versions.node}: one process alone, then two at once, ${seconds} s each, ${rounds} rounds`,
  );
  for (const id of ids as WorkloadId[]) {
    const ratios: number[] = [];
    const rates: string[] = [];
    for (let r = 0; r < rounds; r++) {
      const [one] = await together(id, 1, seconds);
      const two = await together(id, 2, seconds);
      ratios.push((two[0] + two[1]) / one);
      rates.push(`${Math.round(one)} | ${two.map(Math.round).join(' + ')}`);
    }
    console.log(
      `${id}: two processes ÷ one: ${fmtRatio(median(ratios))} (rounds ${ratios.map((v) => v.toFixed(2)).join(', ')}); samples/s alone | together: ${rates.join('; ')}`,
    );
  }
}
