/**
 * Results: their JSON shape, the statistics (medians over interleaved rounds, ratios paired by
 * round), the goals, and the two renderings: a plain-text table for the terminal and Markdown for
 * README.md (between `<!-- bench:start -->` and `<!-- bench:end -->`; a `--browser` run's Chromium
 * tables, with the Node figures of the same run beside them, between `<!-- bench-browser:start -->`
 * and `<!-- bench-browser:end -->`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { CeilingSample } from './ceiling.js';
import type { GuardResult } from './guard.js';
import type { MachineInfo } from './machine.js';
import type { RunReply } from './protocol.js';
import { REFERENCE_SYSTEM, systemById } from './systems.js';
import type { WorkloadId, WorkloadSpec } from './workloads.js';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface SystemResult {
  id: string;
  name: string;
  path: string;
  family: 'ours' | 'peer';
  status: 'ok' | 'not run' | 'failed';
  reason?: string;
  /** Rows per update as the system trained them. */
  batch?: number;
  note?: string;
  info?: Record<string, string>;
  /** Work per timed chunk. */
  chunk?: { units: number; samples: number };
  /** One timed chunk per round (null where the system had failed by then). */
  rounds: (RunReply | null)[];
  samplesPerSec?: Spread;
  /** Median GFLOP/s = 6 × weights × median samples/s / 1e9. */
  gflops?: number;
  /** WebAssembly systems: median GFLOP/s as a percentage of the SIMD128 f32 ceiling. */
  pctPeak?: number;
  /** wasm-simd-f32 (fit) samples/s ÷ this system's, per round: median and range. */
  ratio?: Spread;
  guard?: GuardResult;
  leak?: string;
  /** `--browser` runs, Chromium systems: this system's samples/s in Chromium ÷ in Node, per round. */
  vsNode?: Spread;
}

export interface WorkloadResult extends Omit<WorkloadSpec, 'files'> {
  flopsPerSample: number;
  /** The systems in Node (and Python). */
  systems: SystemResult[];
  /** `--browser` runs: the same systems in headless Chromium, timed in the same rounds. */
  chromium?: SystemResult[];
}

/** A ceiling: every measurement, and the highest medians (the estimates used). */
export interface Ceiling {
  runs: CeilingSample[];
  peakGflops: number;
  gemmGflops: number;
}

export interface Goal {
  id: string;
  text: string;
  workload: WorkloadId;
  /** Measured ratio (×) or percentage (%); null when a side was not measured. */
  measured: number | null;
  /** null: a ratio reported without a verdict (a retired goal). */
  target: number | null;
  unit: '×' | '%';
  met: boolean | null;
  detail: string;
}

export interface BenchResults {
  schema: 1;
  mode: 'full' | 'quick';
  /** Only some workloads or systems were run (--only / --systems). */
  partial: boolean;
  date: string;
  revision: string;
  command: string;
  machine: MachineInfo;
  versions: Record<string, string>;
  settings: { rounds: number; chunkMs: number; warmupMs: number; maxWarmupMs: number; learningRate: number; seed: number };
  /** Every measurement of the ceiling (in Node), and the highest medians (the estimates used). */
  ceiling: Ceiling;
  workloads: WorkloadResult[];
  goals: Goal[];
  /** `--browser` runs: the browser, the ceiling measured in a page, and the goals on its figures. */
  chromium?: { version: string; userAgent: string; ceiling: Ceiling; goals: Goal[] };
  notes: string[];
  elapsedSeconds: number;
}

export function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function spread(v: readonly number[]): Spread | undefined {
  return v.length === 0 ? undefined : { median: median(v), min: Math.min(...v), max: Math.max(...v) };
}

const rate = (r: RunReply | null): number => (r && r.ms > 0 ? (r.samples / r.ms) * 1000 : NaN);

/** Per-round ratio of system a's samples/s to b's (rounds where both ran), as a spread. */
export function pairedRatio(w: Pick<WorkloadResult, 'systems'>, a: string, b: string): Spread | undefined {
  return roundRatio(
    w.systems.find((s) => s.id === a),
    w.systems.find((s) => s.id === b),
  );
}

/** Per-round ratio of sa's samples/s to sb's (rounds where both ran), as a spread. */
function roundRatio(sa: SystemResult | undefined, sb: SystemResult | undefined): Spread | undefined {
  if (!sa || !sb || sa.status !== 'ok' || sb.status !== 'ok') return undefined;
  const r: number[] = [];
  sa.rounds.forEach((x, i) => {
    const q = rate(x) / rate(sb.rounds[i] ?? null);
    if (Number.isFinite(q)) r.push(q);
  });
  return spread(r);
}

/**
 * Fills in the statistics of every system of a workload; `chromiumPeak`: the ceiling measured in
 * Chromium, for the Chromium systems of a `--browser` run.
 */
export function summarize(w: WorkloadResult, peakGflops: number, chromiumPeak = peakGflops): void {
  summarizeSystems(w.systems, w.flopsPerSample, peakGflops);
  if (!w.chromium) return;
  summarizeSystems(w.chromium, w.flopsPerSample, chromiumPeak);
  for (const s of w.chromium) {
    s.vsNode = roundRatio(
      s,
      w.systems.find((n) => n.id === s.id),
    );
  }
}

function summarizeSystems(systems: SystemResult[], flopsPerSample: number, peakGflops: number): void {
  const w = { systems };
  for (const s of systems) {
    if (s.status !== 'ok') continue;
    s.samplesPerSec = spread(s.rounds.map(rate).filter(Number.isFinite));
    if (!s.samplesPerSec) continue;
    // FLOPs per trained sample = 6 × weights: forward 2 (multiply, add), backward 2 for δ of the
    // layer below and 2 for ∇W, per weight; biases and activation functions are not counted.
    s.gflops = (flopsPerSample * s.samplesPerSec.median) / 1e9;
    if (systemById(s.id).wasm) s.pctPeak = (100 * s.gflops) / peakGflops;
    if (s.id !== REFERENCE_SYSTEM) s.ratio = pairedRatio(w, REFERENCE_SYSTEM, s.id);
  }
}

function goalRatio(id: string, text: string, w: WorkloadResult | undefined, wid: WorkloadId, a: string | string[], b: string, target: number | null): Goal {
  const base = { id, text, workload: wid, target, unit: '×' as const };
  if (!w) return { ...base, measured: null, met: null, detail: `${wid} not run` };
  // Several candidates for a: the one with the best median ratio (e.g. the faster js precision).
  const cands = (Array.isArray(a) ? a : [a]).map((x) => ({ x, r: pairedRatio(w, x, b) })).filter((c) => c.r);
  if (cands.length === 0)
    return { ...base, measured: null, met: null, detail: `not measured (${[...(Array.isArray(a) ? a : [a]), b].join(' or ')} did not run)` };
  const best = cands.reduce((p, c) => (c.r!.median > p.r!.median ? c : p));
  const m = best.r!.median;
  return {
    ...base,
    measured: m,
    met: target === null ? null : m >= target,
    detail: `${best.x} ÷ ${b}: ${fmtRatio(m)} (rounds ${fmtRatio(best.r!.min)}–${fmtRatio(best.r!.max)})`,
  };
}

/** The goals of the benchmark issue, each with its measurement. */
export function evaluateGoals(ws: WorkloadResult[], ceiling?: { peakGflops: number; gemmGflops: number }): Goal[] {
  const w = (id: WorkloadId) => ws.find((x) => x.id === id);
  const ref = REFERENCE_SYSTEM;
  const w4 = w('W4')?.systems.find((s) => s.id === ref);
  const pct = w4?.pctPeak;
  const gemmPct = ceiling ? (100 * ceiling.gemmGflops) / ceiling.peakGflops : undefined;
  return [
    goalRatio('W1-synaptic', 'W1: wasm-simd-f32 ≥ 2× synaptic', w('W1'), 'W1', ref, 'synaptic', 2),
    // What is asked for now, the 2× above staying the goal.
    goalRatio('W1-synaptic-now', 'W1: wasm-simd-f32 ≥ 1.6× synaptic', w('W1'), 'W1', ref, 'synaptic', 1.6),
    goalRatio('W2-numpy', 'W2: wasm-simd-f32 ≥ 2× NumPy f32', w('W2'), 'W2', ref, 'numpy', 2),
    goalRatio('W3-tfjs-wasm', 'W3: wasm-simd-f32 ≥ 6× TensorFlow.js wasm', w('W3'), 'W3', ref, 'tfjs-wasm', 6),
    {
      id: 'W4-ceiling',
      text: 'W4: wasm-simd-f32 ≥ 60 % of the measured ceiling',
      workload: 'W4',
      target: 60,
      unit: '%',
      measured: pct ?? null,
      met: pct === undefined ? null : pct >= 60,
      detail: pct === undefined ? 'not measured' : `${fmtNum(w4!.gflops!)} GFLOP/s of the SIMD128 f32 ceiling`,
    },
    // Retired as a goal (V8 runs the per-neuron objects well; slowing them to meet a ratio would be
    // wrong): the ratio is reported without a verdict.
    goalRatio('W2-js-educational', 'W2: js engine ÷ educational', w('W2'), 'W2', ['js-f64/fit', 'js-f32/fit'], 'educational/fit', null),
    goalRatio('W3-wasm-js', 'W3: wasm-f32 ≥ 5× js-f32', w('W3'), 'W3', ref, 'js-f32/fit', 5),
    goalRatio('W4-relaxed', 'W4: wasm-relaxed-f32 ≥ 1.25× wasm-simd-f32', w('W4'), 'W4', 'wasm-relaxed-f32/fit', ref, 1.25),
    {
      id: 'GEMM-ceiling',
      text: 'GEMM 256³ f32 ≥ 75 % of the measured SIMD128 ceiling',
      workload: 'W4',
      target: 75,
      unit: '%',
      measured: gemmPct ?? null,
      met: gemmPct === undefined ? null : gemmPct >= 75,
      detail: ceiling ? `${fmtNum(ceiling.gemmGflops)} of ${fmtNum(ceiling.peakGflops)} GFLOP/s` : 'not measured',
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

export function fmtRate(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  return v.toPrecision(3);
}

export function fmtRatio(v: number): string {
  return Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}×` : '–';
}

function fmtGuard(s: SystemResult): string {
  const g = s.guard;
  if (!g) return '–';
  if (g.verdict === 'loose') return `${g.loss.toPrecision(6)} ≈ (other gradient; start Δ ${g.initialRelError.toExponential(0)})`;
  const mark = g.verdict === 'ok' ? '✓' : '✗';
  const ref = g.reference === 'batch' ? '' : ', per-sample ref';
  return `${g.loss.toPrecision(6)} ${mark} (Δ ${g.relError.toExponential(0)}${ref})`;
}

function goalVerdict(g: Goal): string {
  if (g.measured === null) return 'not measured';
  if (g.target === null) return 'reported, no target';
  if (g.met === null) return 'not measured';
  const pct = Math.round((g.measured / g.target - 1) * 100);
  return g.met ? `met (+${pct} %)` : `not met (${-pct} % short)`;
}

function fmtGoalMeasured(g: Goal): string {
  if (g.measured === null) return '–';
  return g.unit === '×' ? fmtRatio(g.measured) : `${g.measured.toFixed(0)} %`;
}

interface Column {
  head: string;
  cell: (s: SystemResult, w: WorkloadResult) => string;
  right?: boolean;
}

const COLUMNS: Column[] = [
  { head: 'system', cell: (s) => s.name },
  { head: 'path', cell: (s) => s.path },
  { head: 'batch', cell: (s) => (s.batch !== undefined ? String(s.batch) : ''), right: true },
  { head: 'samples/s', cell: (s) => (s.samplesPerSec ? fmtRate(s.samplesPerSec.median) : s.status), right: true },
  { head: 'min–max', cell: (s) => (s.samplesPerSec ? `${fmtRate(s.samplesPerSec.min)}–${fmtRate(s.samplesPerSec.max)}` : '') },
  { head: 'GFLOP/s', cell: (s) => (s.gflops !== undefined ? fmtNum(s.gflops) : ''), right: true },
  { head: '% ceiling', cell: (s) => (s.pctPeak !== undefined ? `${s.pctPeak.toFixed(0)} %` : ''), right: true },
  { head: 'simd-f32 fit ÷', cell: (s) => (s.id === REFERENCE_SYSTEM && s.status === 'ok' ? '1 (ref)' : s.ratio ? fmtRatio(s.ratio.median) : ''), right: true },
  { head: 'guard loss', cell: (s) => fmtGuard(s) },
  { head: 'notes', cell: (s) => [s.status !== 'ok' ? s.reason : s.note, s.leak ? `LEAK: ${s.leak}` : ''].filter(Boolean).join('; ') },
];

/**
 * The columns of a Chromium table: the Node figures of the same system in the same run beside its
 * own, after its samples/s.
 */
const CHROMIUM_COLUMNS: Column[] = [
  ...COLUMNS.slice(0, 5),
  {
    head: 'Node samples/s',
    cell: (s, w) => {
      const n = w.systems.find((x) => x.id === s.id);
      return n?.samplesPerSec ? fmtRate(n.samplesPerSec.median) : (n?.status ?? '');
    },
    right: true,
  },
  { head: 'Chromium ÷ Node', cell: (s) => (s.vsNode ? fmtRatio(s.vsNode.median) : ''), right: true },
  ...COLUMNS.slice(5),
];

function workloadTitle(w: WorkloadResult): string {
  const acts = w.hidden === w.output ? w.output : `${w.hidden} hidden, ${w.output} out`;
  return `${w.id} ${w.name}: ${w.layers.join('-')} ${acts}, mse, batch ${w.batch}, ${w.data}; ${w.weights.toLocaleString('en')} weights, ${w.flopsPerSample.toLocaleString('en')} flops/sample`;
}

function guardLine(w: WorkloadResult): string {
  const ref = w.systems.find((s) => s.guard?.reference === 'batch')?.guard;
  return (
    `guard: loss over the first ${w.evalRows} rows after ${w.guardSteps} updates from the same parameters` +
    (ref ? ` (initial ${ref.referenceInitial.toPrecision(6)}, js-f64 reference ${ref.referenceLoss.toPrecision(6)})` : '')
  );
}

/** A table of `systems` in plain text, one line per system. */
function textTable(columns: Column[], w: WorkloadResult, systems: SystemResult[]): string[] {
  const rows = [columns.map((c) => c.head), ...systems.map((s) => columns.map((c) => c.cell(s, w)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  const line = (row: string[]) =>
    row
      .map((v, i) => (columns[i].right ? v.padStart(widths[i]) : i === row.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)];
}

/**
 * The GEMM's share of `peak`: its runtime's own peak, or (Chromium in a `--browser` run) the
 * higher peak of the two runtimes, which the Chromium tables' "% ceiling" uses too.
 */
function gemmShare(c: Ceiling, peak = c.peakGflops): string {
  const pct = ((100 * c.gemmGflops) / peak).toFixed(0);
  return peak === c.peakGflops ? `${pct} % of peak` : `${pct} % of the higher peak, ${fmtNum(peak)}`;
}

/** The peak of the two runtimes of a `--browser` run that the Chromium figures are held against. */
const chromiumPeak = (r: BenchResults) => Math.max(r.ceiling.peakGflops, r.chromium?.ceiling.peakGflops ?? 0);

function ceilingText(c: Ceiling, peak?: number): string {
  return `ceiling (highest of ${c.runs.length} medians): SIMD128 f32 peak ${fmtNum(c.peakGflops)} GFLOP/s; our GEMM 256³ ${fmtNum(c.gemmGflops)} GFLOP/s (${gemmShare(c, peak)})`;
}

const goalText = (g: Goal) => `  ${g.text}: ${fmtGoalMeasured(g)} → ${goalVerdict(g)}  [${g.detail}]`;

/** The plain-text report for the terminal (a `--browser` run: the Node tables, then the Chromium ones). */
export function renderText(r: BenchResults): string {
  const out: string[] = [];
  out.push(`wasm-backprop benchmark (${r.mode}${r.partial ? ', partial' : ''}) ${r.date}  ${r.revision}`);
  out.push(`${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB; Node ${r.machine.node}`);
  out.push(`${r.chromium ? 'Node ' : ''}${ceilingText(r.ceiling)}`);
  out.push(`${r.settings.rounds} interleaved rounds of ~${r.settings.chunkMs} ms chunks per system; medians`);
  for (const w of r.workloads) out.push('', `${r.chromium ? 'Node: ' : ''}${workloadTitle(w)}`, guardLine(w), ...textTable(COLUMNS, w, w.systems));
  out.push('', `${r.chromium ? 'Node ' : ''}goals:`, ...r.goals.map(goalText));
  if (r.chromium) {
    out.push('', `Chromium ${r.chromium.version} (headless), in the same rounds as Node`, `Chromium ${ceilingText(r.chromium.ceiling, chromiumPeak(r))}`);
    for (const w of r.workloads) out.push('', `Chromium: ${workloadTitle(w)}`, guardLine(w), ...textTable(CHROMIUM_COLUMNS, w, w.chromium ?? []));
    out.push('', 'Chromium goals:', ...r.chromium.goals.map(goalText));
  }
  out.push('', ...r.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

const md = (v: string) => v.replace(/\|/g, '\\|');

/** A workload's heading, guard line and table of `systems` in Markdown. */
function mdWorkload(columns: Column[], w: WorkloadResult, systems: SystemResult[]): string[] {
  return [
    '',
    `#### ${md(workloadTitle(w))}`,
    '',
    md(guardLine(w)) + '.',
    '',
    `| ${columns.map((c) => c.head).join(' | ')} |`,
    `|${columns.map((c) => (c.right ? '---:' : '---')).join('|')}|`,
    ...systems.map((s) => `| ${columns.map((c) => md(c.cell(s, w))).join(' | ')} |`),
  ];
}

function ceilingMarkdown(c: Ceiling, peak?: number): string {
  return `\`bp_peak_f32\` ${fmtNum(c.peakGflops)} GFLOP/s; our GEMM on 256³: ${fmtNum(c.gemmGflops)} GFLOP/s (${gemmShare(c, peak).replace(' of peak', '')})`;
}

/** The Markdown that goes between the README markers; `resultsFile` is the JSON's path from the repository root. */
export function renderMarkdown(r: BenchResults, resultsFile: string): string {
  const out: string[] = [];
  out.push(
    `Measured ${r.date.slice(0, 10)} at ${r.revision} with \`${r.command}\` (${r.mode}${r.partial ? ', partial' : ''}, ${r.elapsedSeconds.toFixed(0)} s) on ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}. ` +
      `Every system runs in its own process; ${r.settings.rounds} rounds visit all of them in a shuffled order, ~${r.settings.chunkMs} ms of training each; figures are medians. ` +
      `All the numbers, rounds and versions: \`${resultsFile}\`. ` +
      'This section is rewritten by `npm run bench`; `npm run bench:quick` (a glance, about 40 s) writes `bench/results/latest-quick.json` and leaves it alone unless run as `npm run bench:quick -- --readme`.',
    '',
    `**Ceiling** (one core, WebAssembly SIMD128 f32, no FMA; highest of ${r.ceiling.runs.length} medians): ${ceilingMarkdown(r.ceiling)}.`,
    '',
    '| goal | measured | verdict | how |',
    '|---|---:|---|---|',
    ...r.goals.map((g) => `| ${md(g.text)} | ${fmtGoalMeasured(g)} | ${goalVerdict(g)} | ${md(g.detail)} |`),
  );
  for (const w of r.workloads) out.push(...mdWorkload(COLUMNS, w, w.systems));
  out.push('', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

/**
 * The Markdown of a `--browser` run, for its own README markers: the Chromium tables, each with the
 * Node figures of the same systems in the same rounds, the goals on both, the notes.
 */
export function renderBrowserMarkdown(r: BenchResults, resultsFile: string): string {
  const c = r.chromium;
  if (!c) throw new Error('renderBrowserMarkdown: these results have no Chromium figures (run with --browser)');
  const out: string[] = [];
  const nodeGoal = (id: string) => r.goals.find((g) => g.id === id);
  out.push(
    `Measured ${r.date.slice(0, 10)} at ${r.revision} with \`${r.command}\` (${r.mode}${r.partial ? ', partial' : ''}, ${r.elapsedSeconds.toFixed(0)} s) on ${r.machine.cpu}, ${r.machine.cores} cores: ` +
      `headless Chromium ${c.version} (Debian's, driven by playwright-core) beside Node ${r.machine.node}, in the same run. ` +
      `Each system runs in a page of its own (a browser context of its own, so a renderer process of its own) and in a Node process of its own; ${r.settings.rounds} rounds visit all of them, Chromium and Node, in a shuffled order, ~${r.settings.chunkMs} ms of training each; figures are medians, "Chromium ÷ Node" is taken within each round. ` +
      `Same workload files, initial parameters and guard as in Node. All the numbers, rounds and versions: \`${resultsFile}\`. This section is rewritten by \`npm run bench -- --browser\`.`,
    '',
    `**Ceiling** (one core, WebAssembly SIMD128 f32, no FMA; highest of ${c.ceiling.runs.length} medians): in Chromium ${ceilingMarkdown(c.ceiling, chromiumPeak(r))}; in Node ${ceilingMarkdown(r.ceiling)}.`,
    '',
    '| goal | Node | Chromium | verdict in Chromium | how (Chromium) |',
    '|---|---:|---:|---|---|',
    // Goals neither runtime measured (NumPy's: it has no browser) are left out.
    ...c.goals
      .filter((g) => g.measured !== null || nodeGoal(g.id)?.measured != null)
      .map((g) => {
        const n = nodeGoal(g.id);
        return `| ${md(g.text)} | ${n ? fmtGoalMeasured(n) : '–'} | ${fmtGoalMeasured(g)} | ${goalVerdict(g)} | ${md(g.detail)} |`;
      }),
  );
  for (const w of r.workloads) out.push(...mdWorkload(CHROMIUM_COLUMNS, w, w.chromium ?? []));
  out.push('', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';
/** The markers of a `--browser` run's section. */
export const README_BROWSER = { start: '<!-- bench-browser:start -->', end: '<!-- bench-browser:end -->', heading: '### In Chromium' };

/**
 * Puts `body` between the markers of README.md. Without markers, appends a section holding them
 * at the end (`heading`, "## Benchmarks" by default; creating the file if there is none); nothing
 * else is touched.
 */
export function updateReadme(file: string, body: string, markers = { start: README_START, end: README_END, heading: '## Benchmarks' }): void {
  const block = `${markers.start}\n${body}\n${markers.end}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const i = text.indexOf(markers.start);
  const j = text.indexOf(markers.end, i);
  if (i >= 0 && j > i) {
    writeFileSync(file, text.slice(0, i) + block + text.slice(j + markers.end.length));
  } else {
    const sep = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    writeFileSync(file, `${text}${sep}${markers.heading}\n\n${block}\n`);
  }
}
