/**
 * The benchmark suite: races every engine of ours, on both training paths, against TensorFlow.js
 * (cpu and wasm backends), brain.js, synaptic and NumPy on the four workloads of docs/ARCHITECTURE.md ("10 Workloads"), measures
 * the machine's WebAssembly ceiling, checks every system's loss after a fixed number of updates,
 * and reports samples/s, GFLOP/s, ratios and the goals. Then it trains W2–W4 on threads (1, 2, every
 * core, 'auto': bench/threads.ts) and reports samples/s, the speed-up over one thread and the
 * scaling efficiency (not with --browser; `--no-threads` skips it).
 *
 *   npm run bench              full run (a few minutes): bench/results/latest.json and README.md
 *                              (the threads table between its own markers, in the section "Threads")
 *   npm run bench:quick        a glance (under 30 s): bench/results/latest-quick.json, README untouched
 *   npm run bench -- --browser the same workloads in headless Chromium and in Node, side by side in
 *                              the same rounds: bench/results/browser.json and README's Chromium tables
 *   tsx bench/run.ts [--quick] [--browser] [--readme | --no-readme] [--only W1,W3] [--systems wasm,numpy]
 *                    [--rounds N] [--chunk-ms N] [--out file.json] [--no-threads]
 *
 * Why not tinybench's `Bench.run()` for the race: it runs each task's iterations back to back, one
 * task after another, so on a shared, noisy machine a burst of load lands on whichever system runs
 * at that moment and the comparison inherits it. Here every round visits every system once, in a
 * freshly shuffled (seeded) order, each for a calibrated chunk of ~`chunkMs`; medians over rounds
 * are reported, and ratios are taken within a round before their median. Each system lives in its
 * own process (bench/runner.ts), so its garbage, JIT state and memory are its own, and runners idle
 * while another one runs: nothing competes for a core. tinybench measures the ceiling, whose
 * millisecond-long microbenchmarks it fits (bench/ceiling.ts).
 *
 * `--browser` runs each JavaScript system twice, in a page of headless Chromium (bench/browser/)
 * and in a Node process, all of them in the same shuffled rounds, so the two runtimes are compared
 * on the same machine under the same load; the ceiling is measured in both.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Random } from '../ts/random.js';
import { measureCeiling, type CeilingSample } from './ceiling.js';
import { computeReferences, judge } from './guard.js';
import { gitRevision, machineInfo, packageVersions } from './machine.js';
import type { BrowserHost, Runner } from './browser/host.js';
import { RunnerProcess, pythonWithNumpy } from './processes.js';
import type { CalibrateReply, GuardReference, GuardReply, RunReply, SetupReply, TeardownReply } from './protocol.js';
import {
  README_BROWSER,
  evaluateGoals,
  fmtNum,
  renderBrowserMarkdown,
  renderMarkdown,
  renderText,
  summarize,
  updateReadme,
  type BenchResults,
  type Ceiling,
  type SystemResult,
  type WorkloadResult,
} from './report.js';
import { BROWSER_SYSTEMS, REFERENCE_SYSTEM, SYSTEMS, systemById, type SystemInfo } from './systems.js';
import { THREADS_WORKLOADS, benchThreads, renderThreadsText, updateThreadsReadme, type ThreadsRun } from './threads.js';
import { LEARNING_RATE, SEED, WORKLOAD_IDS, buildWorkload, loadWorkloadData, type WorkloadId } from './workloads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (msg: string) => console.error(`[bench] ${msg}`);

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    browser: { type: 'boolean', default: false },
    readme: { type: 'boolean' },
    'no-readme': { type: 'boolean', default: false },
    'no-threads': { type: 'boolean', default: false },
    only: { type: 'string' },
    systems: { type: 'string' },
    rounds: { type: 'string' },
    'chunk-ms': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(
    [
      'usage: tsx bench/run.ts [options]',
      '  --quick            a glance in under 30 s (fewer systems and rounds, shorter chunks)',
      '  --browser          every JavaScript system in headless Chromium and in Node, in the same rounds',
      '  --readme           write the results into README.md (default for full runs of everything)',
      '  --no-readme        do not touch README.md',
      '  --only W1,W3       workloads to run',
      '  --systems a,b      systems whose id contains one of these (e.g. wasm,numpy)',
      '  --rounds N         interleaved rounds (default 7, quick 3; threads 9, quick 3)',
      '  --chunk-ms N       length of a timed chunk (default 200, quick 50)',
      '  --out file.json    where the JSON goes',
      "  --no-threads       skip training on threads (W2-W4 on 1, 2, every core and 'auto' threads, after the tables)",
    ].join('\n'),
  );
  process.exit(0);
}

function positiveInt(v: string | undefined, what: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got '${v}'`);
  return n;
}

const quick = args.quick;
const rounds = positiveInt(args.rounds, '--rounds', quick ? 3 : 7);
/** Rounds of the threads part: two threads on two cores are at the mercy of any other process, so more. */
const threadsRounds = args.rounds !== undefined ? rounds : quick ? 3 : 9;
const chunkMs = positiveInt(args['chunk-ms'], '--chunk-ms', quick ? 50 : 200);
const warmupMs = quick ? 150 : 600;
const maxWarmupMs = quick ? 400 : 4000;
const ceilingMs = quick ? 150 : 1000;
/** Time limits of the requests to a runner. */
const LIMIT = { setup: quick ? 60_000 : 180_000, guard: 120_000, calibrate: 60_000, run: Math.max(30_000, 50 * chunkMs), teardown: 30_000 };

const workloads: WorkloadId[] = args.only
  ? args.only.split(',').map((w) => {
      const id = w.trim().toUpperCase() as WorkloadId;
      if (!WORKLOAD_IDS.includes(id)) throw new Error(`--only: unknown workload '${w}' (known: ${WORKLOAD_IDS.join(', ')})`);
      return id;
    })
  : [...WORKLOAD_IDS];
const filters = args.systems
  ?.split(',')
  .map((f) => f.trim())
  .filter(Boolean);
const browser = args.browser;
/** Where the systems run: each in Node (or Python), and with --browser each in Chromium too. */
type Runtime = 'node' | 'chromium';
const runtimes: readonly Runtime[] = browser ? ['node', 'chromium'] : ['node'];
const candidates = browser ? BROWSER_SYSTEMS : SYSTEMS;
const systems = candidates.filter((s) => (!quick || s.quick.length > 0) && (!filters || filters.some((f) => s.id.includes(f))));
if (systems.length === 0) throw new Error(`--systems '${args.systems}' matches no system (ids: ${candidates.map((s) => s.id).join(', ')})`);
const partial = args.only !== undefined || filters !== undefined;
const writeReadme = !args['no-readme'] && (args.readme ?? (!quick && !partial));
const outName = browser
  ? partial
    ? 'partial-browser.tmp.json'
    : quick
      ? 'browser-quick.tmp.json'
      : 'browser.json'
  : partial
    ? 'partial.tmp.json'
    : quick
      ? 'latest-quick.json'
      : 'latest.json';
const outFile = args.out ?? join(root, 'bench', 'results', outName);
const extra = process.argv.slice(2).filter((a) => a !== '--quick');
const command = `npm run bench${quick ? ':quick' : ''}${extra.length ? ` -- ${extra.join(' ')}` : ''}`;

/** Why the threads part is not run, or null: it trains wasm-simd-f32 on the selected workloads among W2–W4. */
const threadIds = THREADS_WORKLOADS.filter((w) => workloads.includes(w));
const noThreads = args['no-threads']
  ? '--no-threads'
  : browser
    ? 'not measured in --browser runs'
    : threadIds.length === 0
      ? `none of ${THREADS_WORKLOADS.join(', ')} is selected`
      : filters && !filters.some((f) => REFERENCE_SYSTEM.includes(f))
        ? `--systems does not select ${REFERENCE_SYSTEM}, which it trains`
        : null;

const numpy = systems.some((s) => s.runner === 'python') ? pythonWithNumpy() : { ok: true as const };
if (!numpy.ok) log(`NumPy skipped: ${numpy.reason}`);

const started = performance.now();
const tmp = mkdtempSync(join(os.tmpdir(), 'wasm-backprop-bench-'));
/** Where the workload files go: with --browser, the data/ folder of the site the pages load. */
const dataDir = browser ? join(tmp, 'data') : tmp;
const runners = new Map<string, Runner>();
/** With --browser: Chromium and the server of the pages (started by main). */
let host: BrowserHost | null = null;

/** The runner of `s` in `rt`, started (again, if an earlier one died or was stopped) when needed. */
function runnerOf(s: SystemInfo, rt: Runtime): Runner {
  const key = `${rt}:${s.id}`;
  let r = runners.get(key);
  if (!r || !r.alive) {
    r = rt === 'chromium' ? host!.open(s) : RunnerProcess.start(s);
    runners.set(key, r);
  }
  return r;
}

async function shutdown(): Promise<void> {
  await Promise.all([...runners.values()].map((r) => r.close()));
  await host?.close();
  rmSync(tmp, { recursive: true, force: true });
}

process.on('SIGINT', () => {
  for (const r of runners.values()) r.kill();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(130);
});

/** Runs `f` on the items, `n` at a time. */
async function pool<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(n, queue.length) }, async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) await f(t);
    }),
  );
}

interface Active {
  s: SystemInfo;
  rt: Runtime;
  /** The system's name in the log. */
  label: string;
  res: SystemResult;
  /** The guard reference the system's setup named. */
  ref?: GuardReference;
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const line = m.split('\n').find((l) => l.trim() !== '' && !/^\s*at /.test(l)) ?? m;
  return line.length > 200 ? `${line.slice(0, 197)}…` : line;
}

async function runWorkload(id: WorkloadId, peakSoFar: number, chromiumPeakSoFar: number): Promise<WorkloadResult> {
  const t0 = performance.now();
  const spec = buildWorkload(id, dataDir);
  const { files: _files, ...described } = spec;
  const w: WorkloadResult = { ...described, flopsPerSample: 6 * spec.weights, systems: [], ...(browser ? { chromium: [] } : {}) };
  let active: Active[] = [];
  for (const rt of runtimes) {
    for (const s of systems) {
      const res: SystemResult = { id: s.id, name: s.name, path: s.path, family: s.family, status: 'ok', rounds: [] };
      (rt === 'chromium' ? w.chromium! : w.systems).push(res);
      if (quick && !s.quick.includes(id)) Object.assign(res, { status: 'not run', reason: 'full runs only' });
      else if (s.runner === 'python' && !numpy.ok) Object.assign(res, { status: 'not run', reason: `not run: ${numpy.reason}` });
      else active.push({ s, rt, label: rt === 'chromium' ? `chromium:${s.id}` : s.id, res });
    }
  }
  const fail = (a: Active, e: unknown) => {
    Object.assign(a.res, { status: 'failed', reason: `failed: ${firstLine(e)}` });
    log(`${id} ${a.label} ${a.res.reason}`);
    runners.get(`${a.rt}:${a.s.id}`)?.kill();
  };
  const step = async (label: string, conc: number, f: (a: Active) => Promise<void>) => {
    await pool(active, conc, (a) => f(a).catch((e: unknown) => fail(a, e)));
    active = active.filter((a) => a.res.status === 'ok');
    log(`${id} ${label} done (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  };

  log(`${id} ${spec.name} ${spec.layers.join('-')}: ${active.length} systems`);
  // Set-up and guard are not timed. Every runner sets up at once, while this process computes the
  // guard's reference losses (synchronously: the requests are on their way before it starts).
  const setups = step('setup', active.length, async (a) => {
    const r = await runnerOf(a.s, a.rt).request<SetupReply>({ op: 'setup', spec }, LIMIT.setup);
    if (!r.ready) Object.assign(a.res, { status: 'not run', reason: r.reason });
    else {
      Object.assign(a.res, { batch: r.batch, note: r.note, info: r.info });
      a.ref = r.reference;
    }
  });
  // Which references the peers need (the batch one is always computed): see bench/cases/.
  const peers = new Set(active.map((a) => a.s.id));
  const kinds = new Set<GuardReference>(['batch']);
  if (peers.has('brain') || peers.has('synaptic')) kinds.add('per-sample');
  if (peers.has('brain') && spec.hidden !== 'sigmoid') kinds.add('per-sample-sigmoid');
  const refs = computeReferences(spec, loadWorkloadData(spec), kinds);
  await setups;
  // Guards two at a time, one per core.
  await step('guard', 2, async (a) => {
    a.res.guard = judge(await runnerOf(a.s, a.rt).request<GuardReply>({ op: 'guard' }, LIMIT.guard), a.ref!, refs, a.s.precision);
  });
  // Calibration measures speed: one at a time.
  await step('calibrate', 1, async (a) => {
    a.res.chunk = await runnerOf(a.s, a.rt).request<CalibrateReply>({ op: 'calibrate', chunkMs, warmupMs, maxWarmupMs }, LIMIT.calibrate);
  });
  const rng = new Random(SEED * 1000 + WORKLOAD_IDS.indexOf(id));
  for (let r = 0; r < rounds; r++) {
    for (const a of rng.shuffle(active.map((_, i) => i)).map((i) => active[i])) {
      if (a.res.status !== 'ok') continue;
      try {
        a.res.rounds[r] = await runnerOf(a.s, a.rt).request<RunReply>({ op: 'run' }, LIMIT.run);
      } catch (e) {
        fail(a, e);
      }
    }
  }
  for (const a of active) for (let r = 0; r < rounds; r++) a.res.rounds[r] ??= null;
  active = active.filter((a) => a.res.status === 'ok');
  log(`${id} ${rounds} rounds done (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  await step('teardown', 4, async (a) => {
    const t = await runnerOf(a.s, a.rt).request<TeardownReply>({ op: 'teardown' }, LIMIT.teardown);
    if (t.leak) a.res.leak = t.leak;
  });
  summarize(w, peakSoFar, chromiumPeakSoFar);
  for (const [prefix, list] of [['', w.systems] as const, ['chromium:', w.chromium ?? []] as const]) {
    for (const s of list) {
      const v = s.samplesPerSec ? `${Math.round(s.samplesPerSec.median)} samples/s` : `${s.status}${s.reason ? ` (${s.reason})` : ''}`;
      log(`${id} ${(prefix + s.id).padEnd(31)} ${v}${s.guard ? `, guard ${s.guard.verdict}` : ''}`);
    }
  }
  return w;
}

/** The notes under the tables; `peaks`: the SIMD128 f32 peaks of a --browser run, in GFLOP/s. */
function notes(ws: WorkloadResult[], peaks?: { node: number; chromium: number }): string[] {
  const info = (id: string) => ws.flatMap((w) => w.systems).find((s) => s.id === id && s.info)?.info;
  const tfw = info('tfjs-wasm');
  const np = info('numpy');
  const n = [
    'GFLOP/s = 6 × weights × samples/s (per weight and sample: 2 flops forward, 2 for the δ of the layer below, 2 for ∇W; biases and activations not counted).',
    '"simd-f32 fit ÷": wasm-simd-f32 (fit) samples/s divided by the row\'s, taken within each round, median over rounds; above 1 means ours is faster.',
    '"% ceiling": GFLOP/s of the WebAssembly systems against the SIMD128 f32 peak (f64 vectors hold half the lanes: their own ceiling is half of it).',
    'fit (epoch): `Network.fit`, one call per run of shuffled epochs; where one epoch outlasts a chunk (W3, W4), one epoch on a window of consecutive rows, windows in turn. trainBatch: one call per minibatch of consecutive rows.',
    'guard: ✓ within 1e-9 (f64) or 1e-3 (f32) of the js-f64 loss after the same updates from the same initial parameters; per-sample systems against js-f64 trained one row at a time; ≈ synaptic (another gradient: only its loss before training is checked).',
    `Same learning rate everywhere: η = η_b = ${LEARNING_RATE}, plain SGD.`,
    `Before its rounds each system warms up: at least ${warmupMs} ms, until two chunks in a row agree within 5 %, at most ${maxWarmupMs} ms.`,
  ];
  if (tfw)
    n.push(
      `TensorFlow.js ${tfw.version}: wasm backend with SIMD ${tfw.simd === 'true' ? 'on' : 'off'}, threads ${tfw.threads === 'true' ? 'on' : 'off (unavailable under Node)'}; cpu backend is plain JavaScript (no tfjs-node).`,
    );
  if (np) n.push(`NumPy ${np.numpy} (${np.blas}), Python ${np.python}, float32, BLAS threads ${np.threads}.`);
  else if (!numpy.ok) n.push(`NumPy not run: ${numpy.reason}.`);
  if (browser) {
    const ctfw = ws.flatMap((w) => w.chromium ?? []).find((s) => s.id === 'tfjs-wasm' && s.info)?.info;
    n.push(
      "Chromium: each page loads one bundle (esbuild, from bench/browser/page.ts) of the same bench/cases/ code as Node, our .wasm artefacts, TensorFlow.js's and the workload files from a loopback HTTP server; brain.js is its own browser build (browser.js). Timing is `performance.now()`, which Chromium rounds to 0.1 ms in a page that is not cross-origin isolated: under 0.1 % of a chunk.",
    );
    if (ctfw)
      n.push(
        `TensorFlow.js in Chromium: wasm backend with SIMD ${ctfw.simd === 'true' ? 'on' : 'off'}, threads ${ctfw.threads === 'true' ? 'on' : 'off (the pages are not cross-origin isolated, as on a plain static host: one core, as every other system)'}.`,
      );
    n.push(
      ...(peaks
        ? [
            `"% ceiling" in Chromium: against the higher of the SIMD128 f32 peaks measured in Node (${fmtNum(peaks.node)} GFLOP/s) and in Chromium (${fmtNum(peaks.chromium)} GFLOP/s): the same core, where the peak microbenchmark measures the compiler as much as the core.`,
          ]
        : []),
      '"Chromium ÷ Node": the system\'s samples/s in Chromium divided by its samples/s in Node, within each round, median over rounds; above 1 means faster in Chromium.',
    );
  }
  return n;
}

async function main(): Promise<void> {
  log(`${quick ? 'quick' : 'full'} run: ${workloads.join(' ')}; ${systems.length} systems; ${rounds} rounds of ~${chunkMs} ms`);
  // The ceiling is measured at the start, before every workload (full runs) and at the end; load
  // from elsewhere only ever lowers it, so the highest of these medians is the estimate.
  const versions = packageVersions();
  let ceilingPage: Runner | null = null;
  let chromium: { version: string; userAgent: string } | null = null;
  if (browser) {
    const { BrowserHost } = await import('./browser/host.js');
    host = await BrowserHost.start(tmp, versions);
    chromium = await host.describe();
    log(`Chromium ${chromium.version}: site built and served`);
    // A page of its own for the ceiling in Chromium (the library's kernels, as every page loads them).
    ceilingPage = host.open(systemById(REFERENCE_SYSTEM));
  }
  const ceiling: CeilingSample[] = [];
  const chromiumCeiling: CeilingSample[] = [];
  const measure = async () => {
    const c = await measureCeiling(ceilingMs);
    ceiling.push(c);
    log(`ceiling: peak ${c.peak.toFixed(1)} GFLOP/s, GEMM 256³ ${c.gemm.toFixed(1)} GFLOP/s`);
    if (ceilingPage) {
      const b = await ceilingPage.request<CeilingSample>({ op: 'ceiling', ms: ceilingMs }, LIMIT.setup);
      chromiumCeiling.push(b);
      log(`Chromium ceiling: peak ${b.peak.toFixed(1)} GFLOP/s, GEMM 256³ ${b.gemm.toFixed(1)} GFLOP/s`);
    }
  };
  // The Chromium tables' "% ceiling" is against the higher peak of the two runtimes: it is the same
  // core, and the peak loop's speed depends on the compiler too (Chromium's V8 has measured it
  // slower than Node's while our GEMM ran as fast in both).
  const machinePeak = () => Math.max(...ceiling.map((c) => c.peak), ...chromiumCeiling.map((c) => c.peak));
  const best = (cs: CeilingSample[]): Ceiling => ({ runs: cs, peakGflops: Math.max(...cs.map((c) => c.peak)), gemmGflops: Math.max(...cs.map((c) => c.gemm)) });
  await measure();
  const results: WorkloadResult[] = [];
  for (const [i, id] of workloads.entries()) {
    if (!quick && i > 0) await measure();
    results.push(await runWorkload(id, best(ceiling).peakGflops, machinePeak()));
  }
  await measure();
  const { peakGflops, gemmGflops } = best(ceiling);
  const inChromium = chromiumCeiling.length ? best(chromiumCeiling) : null;
  for (const w of results) summarize(w, peakGflops, machinePeak());

  let threads: ThreadsRun | undefined;
  if (noThreads) log(`threads: not run (${noThreads})`);
  else {
    // The race is over: its runners stop, so that nothing else holds memory while threads train.
    await Promise.all([...runners.values()].map((r) => r.close()));
    runners.clear();
    const t0 = performance.now();
    log(`threads: ${threadIds.join(' ')} on 1, 2, every core and 'auto' threads, ${threadsRounds} rounds`);
    const measured = await benchThreads(threadIds, threadsRounds, (m) => log(`threads ${m}`), quick ? 'quick' : 'full');
    threads = {
      mode: quick ? 'quick' : 'full',
      rounds: threadsRounds,
      cores: availableParallelism(),
      results: measured,
      elapsedSeconds: (performance.now() - t0) / 1000,
    };
    log(`threads done (${threads.elapsedSeconds.toFixed(1)} s)`);
  }

  const np = results.flatMap((w) => w.systems).find((s) => s.id === 'numpy' && s.info)?.info;
  if (np) Object.assign(versions, { numpy: np.numpy, 'numpy BLAS': np.blas, python: np.python });
  const report: BenchResults & { threads?: ThreadsRun } = {
    schema: 1,
    mode: quick ? 'quick' : 'full',
    partial,
    date: new Date().toISOString(),
    revision: gitRevision(),
    command,
    machine: machineInfo(),
    versions,
    settings: { rounds, chunkMs, warmupMs, maxWarmupMs, learningRate: LEARNING_RATE, seed: SEED },
    ceiling: { runs: ceiling, peakGflops, gemmGflops },
    workloads: results,
    goals: evaluateGoals(results, { peakGflops, gemmGflops }),
    ...(chromium && inChromium
      ? {
          chromium: {
            ...chromium,
            ceiling: inChromium,
            goals: evaluateGoals(
              results.map((w) => ({ ...w, systems: w.chromium ?? [] })),
              { peakGflops: machinePeak(), gemmGflops: inChromium.gemmGflops },
            ),
          },
        }
      : {}),
    ...(threads ? { threads } : {}),
    notes: notes(results, inChromium ? { node: peakGflops, chromium: inChromium.peakGflops } : undefined),
    elapsedSeconds: (performance.now() - started) / 1000,
  };
  mkdirSync(join(outFile, '..'), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderText(report));
  if (threads) console.log(`\n${renderThreadsText(threads)}`);
  log(`results: ${outFile}`);
  if (writeReadme) {
    const file = relative(root, outFile).split(sep).join('/');
    if (browser) updateReadme(join(root, 'README.md'), renderBrowserMarkdown(report, file), README_BROWSER);
    else updateReadme(join(root, 'README.md'), renderMarkdown(report, file));
    log(`README.md updated between the ${browser ? 'bench-browser' : 'bench'} markers`);
    if (threads) {
      updateThreadsReadme(join(root, 'README.md'), report, threads, file);
      log('README.md updated between the bench-threads markers');
    }
  }
  log(`done in ${report.elapsedSeconds.toFixed(0)} s`);
}

try {
  await main();
} finally {
  await shutdown();
}
