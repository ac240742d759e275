/**
 * Results: their JSON shape, the statistics (medians over interleaved rounds, ratios paired by
 * round), the goals, and the two renderings: a plain-text table for the terminal and Markdown for
 * README.md (between `<!-- bench:start -->` and `<!-- bench:end -->`).
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
}

export interface WorkloadResult extends Omit<WorkloadSpec, 'files'> {
  flopsPerSample: number;
  systems: SystemResult[];
}

export interface Goal {
  id: string;
  text: string;
  workload: WorkloadId;
  /** Measured ratio (×) or percentage (%); null when a side was not measured. */
  measured: number | null;
  target: number;
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
  /** Every measurement of the ceiling, and the highest medians (the estimates used). */
  ceiling: { runs: CeilingSample[]; peakGflops: number; gemmGflops: number };
  workloads: WorkloadResult[];
  goals: Goal[];
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
export function pairedRatio(w: WorkloadResult, a: string, b: string): Spread | undefined {
  const sa = w.systems.find((s) => s.id === a);
  const sb = w.systems.find((s) => s.id === b);
  if (!sa || !sb || sa.status !== 'ok' || sb.status !== 'ok') return undefined;
  const r: number[] = [];
  sa.rounds.forEach((x, i) => {
    const q = rate(x) / rate(sb.rounds[i] ?? null);
    if (Number.isFinite(q)) r.push(q);
  });
  return spread(r);
}

/** Fills in the statistics of every system of a workload. */
export function summarize(w: WorkloadResult, peakGflops: number): void {
  for (const s of w.systems) {
    if (s.status !== 'ok') continue;
    s.samplesPerSec = spread(s.rounds.map(rate).filter(Number.isFinite));
    if (!s.samplesPerSec) continue;
    // FLOPs per trained sample = 6 × weights: forward 2 (multiply, add), backward 2 for δ of the
    // layer below and 2 for ∇W, per weight; biases and activation functions are not counted.
    s.gflops = (w.flopsPerSample * s.samplesPerSec.median) / 1e9;
    if (systemById(s.id).wasm) s.pctPeak = (100 * s.gflops) / peakGflops;
    if (s.id !== REFERENCE_SYSTEM) s.ratio = pairedRatio(w, REFERENCE_SYSTEM, s.id);
  }
}

function goalRatio(id: string, text: string, w: WorkloadResult | undefined, wid: WorkloadId, a: string | string[], b: string, target: number): Goal {
  const base = { id, text, workload: wid, target, unit: '×' as const };
  if (!w) return { ...base, measured: null, met: null, detail: `${wid} not run` };
  // Several candidates for a: the one with the best median ratio (e.g. the faster js precision).
  const cands = (Array.isArray(a) ? a : [a]).map((x) => ({ x, r: pairedRatio(w, x, b) })).filter((c) => c.r);
  if (cands.length === 0)
    return { ...base, measured: null, met: null, detail: `not measured (${[...(Array.isArray(a) ? a : [a]), b].join(' or ')} did not run)` };
  const best = cands.reduce((p, c) => (c.r!.median > p.r!.median ? c : p));
  const m = best.r!.median;
  return { ...base, measured: m, met: m >= target, detail: `${best.x} ÷ ${b}: ${fmtRatio(m)} (rounds ${fmtRatio(best.r!.min)}–${fmtRatio(best.r!.max)})` };
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
    goalRatio('W2-js-educational', 'W2: js engine ≥ 20× educational', w('W2'), 'W2', ['js-f64/fit', 'js-f32/fit'], 'educational/fit', 20),
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
  if (g.met === null || g.measured === null) return 'not measured';
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

/** The plain-text report for the terminal. */
export function renderText(r: BenchResults): string {
  const out: string[] = [];
  out.push(`wasm-backprop benchmark (${r.mode}${r.partial ? ', partial' : ''}) ${r.date}  ${r.revision}`);
  out.push(`${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB; Node ${r.machine.node}`);
  out.push(
    `ceiling (highest of ${r.ceiling.runs.length} medians): SIMD128 f32 peak ${fmtNum(r.ceiling.peakGflops)} GFLOP/s; our GEMM 256³ ${fmtNum(r.ceiling.gemmGflops)} GFLOP/s (${((100 * r.ceiling.gemmGflops) / r.ceiling.peakGflops).toFixed(0)} % of peak)`,
  );
  out.push(`${r.settings.rounds} interleaved rounds of ~${r.settings.chunkMs} ms chunks per system; medians`);
  for (const w of r.workloads) {
    out.push('', workloadTitle(w), guardLine(w));
    const rows = [COLUMNS.map((c) => c.head), ...w.systems.map((s) => COLUMNS.map((c) => c.cell(s, w)))];
    const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
    const line = (row: string[]) =>
      row
        .map((v, i) => (COLUMNS[i].right ? v.padStart(widths[i]) : i === row.length - 1 ? v : v.padEnd(widths[i])))
        .join('  ')
        .trimEnd();
    out.push(line(rows[0]), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line));
  }
  out.push('', 'goals:');
  for (const g of r.goals) out.push(`  ${g.text}: ${fmtGoalMeasured(g)} → ${goalVerdict(g)}  [${g.detail}]`);
  out.push('', ...r.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

const md = (v: string) => v.replace(/\|/g, '\\|');

/** The Markdown that goes between the README markers; `resultsFile` is the JSON's path from the repository root. */
export function renderMarkdown(r: BenchResults, resultsFile: string): string {
  const out: string[] = [];
  out.push(
    `Measured ${r.date.slice(0, 10)} at ${r.revision} with \`${r.command}\` (${r.mode}${r.partial ? ', partial' : ''}, ${r.elapsedSeconds.toFixed(0)} s) on ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}. ` +
      `Every system runs in its own process; ${r.settings.rounds} rounds visit all of them in a shuffled order, ~${r.settings.chunkMs} ms of training each; figures are medians. ` +
      `All the numbers, rounds and versions: \`${resultsFile}\`. ` +
      'This section is rewritten by `npm run bench`; `npm run bench:quick` (a glance in under 30 s) writes `bench/results/latest-quick.json` and leaves it alone unless run as `npm run bench:quick -- --readme`.',
    '',
    `**Ceiling** (one core, WebAssembly SIMD128 f32, no FMA; highest of ${r.ceiling.runs.length} medians): \`bp_peak_f32\` ${fmtNum(r.ceiling.peakGflops)} GFLOP/s; our GEMM on 256³: ${fmtNum(r.ceiling.gemmGflops)} GFLOP/s (${((100 * r.ceiling.gemmGflops) / r.ceiling.peakGflops).toFixed(0)} %).`,
    '',
    '| goal | measured | verdict | how |',
    '|---|---:|---|---|',
    ...r.goals.map((g) => `| ${md(g.text)} | ${fmtGoalMeasured(g)} | ${goalVerdict(g)} | ${md(g.detail)} |`),
  );
  for (const w of r.workloads) {
    out.push('', `#### ${md(workloadTitle(w))}`, '', md(guardLine(w)) + '.', '');
    out.push(`| ${COLUMNS.map((c) => c.head).join(' | ')} |`, `|${COLUMNS.map((c) => (c.right ? '---:' : '---')).join('|')}|`);
    for (const s of w.systems) out.push(`| ${COLUMNS.map((c) => md(c.cell(s, w))).join(' | ')} |`);
  }
  out.push('', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/**
 * Puts `body` between the markers of README.md. Without markers, appends a "## Benchmarks" section
 * holding them at the end (creating the file if there is none); nothing else is touched.
 */
export function updateReadme(file: string, body: string): void {
  const block = `${README_START}\n${body}\n${README_END}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const i = text.indexOf(README_START);
  const j = text.indexOf(README_END, i);
  if (i >= 0 && j > i) {
    writeFileSync(file, text.slice(0, i) + block + text.slice(j + README_END.length));
  } else {
    const sep = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    writeFileSync(file, `${text}${sep}## Benchmarks\n\n${block}\n`);
  }
}
