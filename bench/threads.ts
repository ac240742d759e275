/**
 * Training on threads (`threads: n | 'auto'`, ts/threads/): samples/s of `fit` on workloads W2–W4
 * (docs/ARCHITECTURE.md, "10 Workloads") with 1 thread, 2, every core and 'auto', the speed-up over
 * one thread and the scaling efficiency (speed-up / threads used), on the SIMD128 f32 engine.
 * `npm run bench` runs it after its single-thread tables (bench/run.ts: `--no-threads` skips it) and
 * writes its table into README.md between `<!-- bench-threads:start -->` and `<!-- bench-threads:end -->`.
 *
 * Protocol: every configuration is created once and warmed (workers started, one fit); each round
 * then runs every configuration once, in a freshly shuffled order, for one `fit` over the same rows
 * and epochs; speed-ups are taken within a round and the medians over rounds reported. Every
 * configuration must end a round with the parameters of one thread, bit for bit, or the run fails.
 *
 *   npm run bench:threads [-- --workloads W2,W3,W4] [--rounds 9] [--quick] [--json file] [--readme]
 *   (--readme: the table into README.md, its numbers into --json or bench/results/threads.json)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import '../ts/threads/index.js';
import { Network } from '../ts/network.js';
import type { PreparedDataset } from '../ts/prepared.js';
import { Random } from '../ts/random.js';
import { gitRevision, machineInfo, type MachineInfo } from './machine.js';
import { fmtNum, fmtRate, fmtRatio, median, updateReadme } from './report.js';
import { WORKLOAD_IDS, activationsOf, buildWorkload, loadWorkloadData, weightCount, type WorkloadId } from './workloads.js';

/** The workloads whose minibatches can be shared between threads (W1's are one row). */
export const THREADS_WORKLOADS: readonly WorkloadId[] = ['W2', 'W3', 'W4'];

/**
 * What each timed `fit` trains: `rows` (the first of the workload's; W2 1437 of its 1438, W3 and W4
 * 8192) for `epochs`. A full run's fit takes about 0.05 s (W2) to 0.8 s (W4) on one thread of an
 * AMD EPYC core, a quick run's a fifth of that or less.
 */
export const WORK: Record<'full' | 'quick', Partial<Record<WorkloadId, { rows: number; epochs: number }>>> = {
  full: { W2: { rows: 1437, epochs: 20 }, W3: { rows: 8192, epochs: 3 }, W4: { rows: 8192, epochs: 1 } },
  quick: { W2: { rows: 1437, epochs: 5 }, W3: { rows: 4096, epochs: 1 }, W4: { rows: 1024, epochs: 1 } },
};

export interface ThreadsResult {
  workload: WorkloadId;
  layers: number[];
  batch: number;
  /** Rows each timed fit trains on, for `epochs`. */
  rows: number;
  epochs: number;
  threads: number | 'auto';
  /** Threads `'auto'` (or the count) actually used, and why fewer where so (`Network.threads`). */
  used: number;
  reason: string | null;
  /** Median over rounds. */
  samplesPerSecond: number;
  gflops: number;
  /** This configuration's speed ÷ one thread's speed in the same round: median, min and max over rounds. */
  speedup: number;
  speedupMin: number;
  speedupMax: number;
  /** speedup / threads used. */
  efficiency: number;
}

/** A run of `benchThreads`, as the results files hold it (under "threads"). */
export interface ThreadsRun {
  mode: 'full' | 'quick';
  rounds: number;
  /** Logical processors: the "every core" count. */
  cores: number;
  results: ThreadsResult[];
  elapsedSeconds: number;
}

/** What a table of threads figures names of its measurement (the top level of a results file). */
export interface Measured {
  date: string;
  revision: string;
  command: string;
  machine: MachineInfo;
}

/**
 * Measures `ids` (those of them that threads apply to: W2–W4) on 1, 2, every core and 'auto'
 * threads for `rounds` rounds; `mode` 'quick' trains less per timed fit.
 */
export async function benchThreads(ids: readonly WorkloadId[], rounds: number, log = console.log, mode: 'full' | 'quick' = 'full'): Promise<ThreadsResult[]> {
  const cores = availableParallelism();
  const counts: (number | 'auto')[] = [...new Set([1, 2, cores])];
  counts.push('auto');
  const dir = mkdtempSync(join(tmpdir(), 'wbp-threads-'));
  const results: ThreadsResult[] = [];
  try {
    for (const id of ids.filter((w) => THREADS_WORKLOADS.includes(w))) {
      const spec = buildWorkload(id, dir);
      const data = loadWorkloadData(spec);
      const work = WORK[mode][id]!;
      const rows = Math.min(work.rows, spec.rows);
      const n0 = spec.layers[0];
      const nL = spec.layers[spec.layers.length - 1];
      const x = { data: data.x.subarray(0, rows * n0), rows, cols: n0 };
      const y = { data: data.y.subarray(0, rows * nL), rows, cols: nL };
      const fitOptions = { epochs: work.epochs, batchSize: spec.batch, shuffle: false };
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
        const t: Map<number | 'auto', number> = new Map();
        for (const c of rng.shuffle(nets.map((_, i) => i)).map((i) => nets[i])) {
          c.net.setFlatParameters(data.p0);
          c.net.resetOptimizer();
          const start = performance.now();
          await c.net.fit(c.set, fitOptions);
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
        const sps = (rows * work.epochs) / (median(times.get(c.threads)!) / 1000);
        const { used, reason } = c.net.threads;
        const r = ratios.get(c.threads)!;
        const speedup = median(r);
        const result: ThreadsResult = {
          workload: id,
          layers: [...spec.layers],
          batch: spec.batch,
          rows,
          epochs: work.epochs,
          threads: c.threads,
          used,
          reason,
          samplesPerSecond: sps,
          gflops: (sps * 6 * weightCount(spec.layers)) / 1e9,
          speedup,
          speedupMin: Math.min(...r),
          speedupMax: Math.max(...r),
          efficiency: speedup / used,
        };
        results.push(result);
        log(
          `${id} ${spec.layers.join('-')} batch ${spec.batch}  threads ${String(c.threads).padStart(4)} (used ${used})  ${sps.toFixed(0).padStart(8)} samples/s  ${result.gflops.toFixed(2).padStart(6)} GFLOP/s  ×${speedup.toFixed(2)}  efficiency ${(result.efficiency * 100).toFixed(0)} %`,
        );
        c.net.dispose();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Tables

const HEAD = ['workload', 'threads', 'used', 'samples/s', 'GFLOP/s', 'speed-up', 'min–max', 'efficiency'];
/** Right-aligned columns. */
const RIGHT = new Set(['used', 'samples/s', 'GFLOP/s', 'speed-up', 'efficiency']);

function cells(r: ThreadsResult): string[] {
  return [
    `${r.workload} ${r.layers.join('-')}, batch ${r.batch}, ${r.rows.toLocaleString('en')} rows × ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}`,
    String(r.threads),
    String(r.used),
    fmtRate(r.samplesPerSecond),
    fmtNum(r.gflops),
    fmtRatio(r.speedup),
    `${fmtRatio(r.speedupMin)}–${fmtRatio(r.speedupMax)}`,
    `${(r.efficiency * 100).toFixed(0)} %`,
  ];
}

/** The table in plain text, for the terminal. */
export function renderThreadsText(run: ThreadsRun): string {
  const rows = [HEAD, ...run.results.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  const line = (row: string[]) =>
    row
      .map((v, i) => (RIGHT.has(HEAD[i]) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    `threads (SIMD128 f32 fit; ${run.rounds} rounds, medians; speed-up over one thread within a round; efficiency = speed-up / threads used):`,
    line(HEAD),
    widths.map((n) => '-'.repeat(n)).join('  '),
    ...run.results.map((r) => line(cells(r))),
  ].join('\n');
}

/** The README markers of the table. */
export const README_THREADS = { start: '<!-- bench-threads:start -->', end: '<!-- bench-threads:end -->', heading: '### Threads measured' };

/** The Markdown between the README markers; `resultsFile`: the JSON's path from the repository root. */
export function renderThreadsMarkdown(m: Measured, run: ThreadsRun, resultsFile: string): string {
  // Where 'auto' kept one thread: which workload, and why (its reason without the "'auto': ").
  const single = run.results.filter((r) => r.threads === 'auto' && r.used === 1);
  const why = single.map((r) => `${r.workload}${r.reason ? `, ${r.reason.replace(/^'auto': /, '')}` : ''}`);
  return [
    `Measured ${m.date.slice(0, 10)} at ${m.revision} with \`${m.command}\` (${run.mode}, threads part ${run.elapsedSeconds.toFixed(0)} s) on ${m.machine.cpu}, ${m.machine.cores} cores, Node ${m.machine.node}. ` +
      `SIMD128 f32 \`fit\` (\`shuffle: false\`) over the rows and epochs named, on 1 thread, 2${run.cores > 2 ? `, every core (${run.cores})` : ' (every core here)'} and 'auto'. ` +
      `Each configuration is warmed first (workers started, one fit); then ${run.rounds} rounds run each configuration once, in a shuffled order. ` +
      "samples/s: median over rounds; speed-up: one thread's time ÷ the configuration's in the same round, median and range over rounds; efficiency: speed-up ÷ threads used. " +
      "Every configuration ended every round with one thread's parameters, bit for bit. " +
      (why.length ? `'auto' took one thread on ${why.join('; on ')}: its speed-up there is the noise between two runs of the same path. ` : '') +
      `All the numbers: \`${resultsFile}\` ("threads"). This table is rewritten by \`npm run bench\` (after its single-thread tables; \`--no-threads\` skips it) and by \`npm run bench:threads -- --readme\` alone.`,
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((h) => (RIGHT.has(h) ? '---:' : '---')).join('|')}|`,
    ...run.results.map((r) => `| ${cells(r).join(' | ')} |`),
  ].join('\n');
}

/** Puts the table of `run` into `readme` between its markers. */
export function updateThreadsReadme(readme: string, m: Measured, run: ThreadsRun, resultsFile: string): void {
  updateReadme(readme, renderThreadsMarkdown(m, run, resultsFile), README_THREADS);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { values } = parseArgs({
    options: {
      workloads: { type: 'string', default: THREADS_WORKLOADS.join(',') },
      rounds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      readme: { type: 'boolean', default: false },
    },
  });
  const ids = values.workloads.split(',').map((w) => {
    const id = w.trim().toUpperCase() as WorkloadId;
    if (!THREADS_WORKLOADS.includes(id))
      throw new Error(`--workloads: '${w}' is not one of ${THREADS_WORKLOADS.join(', ')} (known workloads: ${WORKLOAD_IDS.join(', ')})`);
    return id;
  });
  const rounds = Number(values.rounds ?? (values.quick ? 3 : 9));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got '${values.rounds}'`);
  const mode = values.quick ? 'quick' : 'full';
  const started = performance.now();
  const results = await benchThreads(ids, rounds, console.log, mode);
  const run: ThreadsRun = { mode, rounds, cores: availableParallelism(), results, elapsedSeconds: (performance.now() - started) / 1000 };
  const extra = process.argv.slice(2);
  const measured: Measured = {
    date: new Date().toISOString(),
    revision: gitRevision(),
    command: `npm run bench:threads${extra.length ? ` -- ${extra.join(' ')}` : ''}`,
    machine: machineInfo(),
  };
  console.log(`\n${renderThreadsText(run)}`);
  // With --readme, the table's numbers go to a file the README names.
  const json = values.json ?? (values.readme ? join(root, 'bench', 'results', 'threads.json') : undefined);
  if (json) {
    writeFileSync(json, `${JSON.stringify({ ...measured, threads: run }, null, 2)}\n`);
    console.log(`results: ${json}`);
  }
  if (values.readme && json) {
    updateThreadsReadme(join(root, 'README.md'), measured, run, relative(root, json).split(sep).join('/'));
    console.log('README.md updated between the bench-threads markers');
  }
}
