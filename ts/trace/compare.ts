/**
 * `compare`: two traces of the same configuration, tensor by tensor and step by step, against the
 * tolerances of ./tolerance.ts: per tensor the largest absolute difference, the largest relative one
 * (`max |c − r| / max(1, max |r|)`, docs/ARCHITECTURE.md section 9's measure), the largest difference
 * in ULPs and where it is, and the first tensor, step and index where a tolerance is missed. No Node
 * imports.
 */
import { checkOneOf, fail, show } from '../errors.js';
import type { Precision } from '../types.js';
import { tensorNames, type TensorName, type Trace, type TraceConfig } from './format.js';
import { tolerances, ulpOf } from './tolerance.js';

export interface TensorComparison extends TensorName {
  maxAbs: number;
  maxRel: number;
  maxUlps: number;
  /** The index of the largest difference in ULPs, one number per axis ([] for a scalar). */
  index: number[];
  reference: number;
  candidate: number;
  tolerance: number;
  ok: boolean;
  /** Why the tensor could not be compared (missing from the reference, another shape); it then fails. */
  problem?: string;
  /** The candidate does not hold it: left out of the comparison (a candidate may write a part). */
  skipped?: boolean;
}

export interface CompareReport {
  referenceProducer: string;
  candidateProducer: string;
  /** The coarser precision of the two, in whose ULPs differences are counted. */
  precision: Precision;
  /** Configuration fields that differ (then no tensor is compared). */
  mismatches: string[];
  tensors: TensorComparison[];
  /** The first tensor, in the order they are computed, that misses its tolerance. */
  firstMiss: TensorComparison | null;
  ok: boolean;
}

/** The fields of a configuration both traces must share (producer and precision may differ). */
function configMismatches(a: TraceConfig, b: TraceConfig): string[] {
  const fields: [string, unknown, unknown][] = [
    ['network', a.network, b.network],
    ['optimizer', a.optimizer, b.optimizer],
    ['learningRate', a.learningRate, b.learningRate],
    ['biasLearningRate', a.biasLearningRate, b.biasLearningRate],
    ['batchSize', a.batchSize, b.batchSize],
    ['steps', a.steps, b.steps],
    ['data.rows', a.data.rows, b.data.rows],
  ];
  const out = fields.filter(([, x, y]) => JSON.stringify(x) !== JSON.stringify(y)).map(([k, x, y]) => `${k}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  const s = a.batches.findIndex((rows, i) => JSON.stringify(rows) !== JSON.stringify(b.batches[i]));
  if (out.length === 0 && s >= 0) out.push(`batches: the rows of step ${s + 1} differ`);
  return out;
}

/** Row-major index → one index per axis. */
function unravel(i: number, shape: number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return out;
}

/**
 * What a candidate must hold (`compareTraces`'s `require`): 'none', any part of the trace;
 * 'parameters', the initial parameters and every step's updated ones (what every implementation
 * has: a candidate that stopped early or wrote nothing fails); 'all', every tensor.
 */
export type Required = 'none' | 'parameters' | 'all';
const PARAMETER_KINDS = new Set(['W', 'b', 'b_in']);

function compareTensor(t: TensorName, ref: Trace, cand: Trace, precision: Precision, tolerance: number, required: Required): TensorComparison {
  const base = { ...t, maxAbs: 0, maxRel: 0, maxUlps: 0, index: [] as number[], reference: NaN, candidate: NaN, tolerance, ok: true };
  const r = ref.tensors.get(t.name);
  const c = cand.tensors.get(t.name);
  const shape = (a: { shape: number[] }) => `(${a.shape.join(', ')})`;
  // Left out when the candidate does not hold it (whether the reference does or not).
  if (!c && ref.tensors.has(t.name) && (required === 'all' || (required === 'parameters' && PARAMETER_KINDS.has(t.kind))))
    return {
      ...base,
      ok: false,
      problem: `missing from the candidate (${required === 'all' ? 'every tensor is' : 'the parameters of every step are'} required)`,
    };
  if (!c) return { ...base, skipped: true };
  if (!r) return { ...base, ok: false, problem: 'missing from the reference' };
  if (shape(r) !== shape(c)) return { ...base, ok: false, problem: `shape ${shape(c)} in the candidate, ${shape(r)} in the reference` };
  let [maxAbs, scale, worst, at] = [0, 1, -1, 0];
  for (let i = 0; i < r.data.length; i++) {
    const d = Math.abs(c.data[i] - r.data[i]);
    const diff = Number.isNaN(d) ? (Number.isNaN(c.data[i]) && Number.isNaN(r.data[i]) ? 0 : Infinity) : d;
    const ulps = diff / ulpOf(r.data[i], precision);
    if (ulps > worst) [worst, at] = [ulps, i];
    maxAbs = Math.max(maxAbs, diff);
    scale = Math.max(scale, Math.abs(r.data[i]));
  }
  const maxUlps = Math.max(0, worst);
  return {
    ...base,
    maxAbs,
    maxRel: maxAbs / scale,
    maxUlps,
    index: unravel(at, r.shape),
    reference: r.data[at] ?? NaN,
    candidate: c.data[at] ?? NaN,
    ok: maxUlps <= tolerance,
  };
}

/**
 * Compares `candidate` with `reference` (see the file's comment). `options.require` says what the
 * candidate must hold (`Required`; default 'none': what it does not hold is left out, and counted).
 */
export function compareTraces(reference: Trace, candidate: Trace, options: { require?: Required } = {}): CompareReport {
  for (const [what, t] of [
    ['reference', reference],
    ['candidate', candidate],
  ] as const) {
    if (typeof t !== 'object' || t === null || typeof t.config !== 'object' || t.config === null || !(t.tensors instanceof Map))
      fail(`compareTraces: the ${what} must be a trace (from trace() or readTraceFolder), got ${show(t)}`);
  }
  const required = checkOneOf(options.require ?? 'none', 'options.require', ['none', 'parameters', 'all'] as const);
  const precision: Precision = reference.config.precision === 'f32' || candidate.config.precision === 'f32' ? 'f32' : 'f64';
  const mismatches = configMismatches(reference.config, candidate.config);
  const tol = tolerances(reference.config);
  const tensors = mismatches.length > 0 ? [] : tensorNames(reference.config).map((t) => compareTensor(t, reference, candidate, precision, tol(t), required));
  const compared = tensors.filter((t) => !t.skipped).length;
  if (mismatches.length === 0 && compared === 0) mismatches.push('the candidate holds none of the tensors its trace.json names');
  const firstMiss = tensors.find((t) => !t.ok) ?? null;
  return {
    referenceProducer: reference.config.producer,
    candidateProducer: candidate.config.producer,
    precision,
    mismatches,
    tensors,
    firstMiss,
    ok: mismatches.length === 0 && firstMiss === null,
  };
}

/** Where a tensor's largest difference is, as a sentence. */
export function describeMiss(t: TensorComparison): string {
  const where = t.step === 0 ? (t.kind === 'x' || t.kind === 'y' ? 'the data' : 'the initial parameters') : `step ${t.step}`;
  if (t.problem) return `${t.name} (${where}): ${t.problem}`;
  const index = t.index.length > 0 ? `[${t.index.join(', ')}]` : '';
  return (
    `${t.name}${index} (${where}): candidate ${t.candidate}, reference ${t.reference}, ` +
    `${fmt(t.maxUlps)} ULPs (${t.maxAbs.toExponential(2)} absolute) where ${fmt(t.tolerance)} are allowed`
  );
}

function fmt(v: number): string {
  return v === 0 ? '0' : v < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

/** The report as text: one line per tensor and step (only the misses with `missesOnly`), then the verdict. */
export function formatComparison(r: CompareReport, missesOnly = false): string {
  const lines = [`reference: ${r.referenceProducer}`, `candidate: ${r.candidateProducer}`, `ULPs of ${r.precision}`];
  if (r.mismatches.length > 0) {
    lines.push('', 'the traces are not of the same training:', ...r.mismatches.map((m) => `  ${m}`));
    return lines.join('\n');
  }
  lines.push('', `${'tensor'.padEnd(20)} ${'max abs'.padStart(10)} ${'max rel'.padStart(10)} ${'max ULPs'.padStart(10)} ${'allowed'.padStart(10)}  at`);
  for (const t of r.tensors) {
    if ((missesOnly && t.ok) || t.skipped) continue;
    const e = (v: number) => (v === 0 ? '0' : v.toExponential(2));
    const status = t.problem ?? (t.ok ? '' : 'MISSED');
    lines.push(
      `${t.name.padEnd(20)} ${e(t.maxAbs).padStart(10)} ${e(t.maxRel).padStart(10)} ${fmt(t.maxUlps).padStart(10)} ${fmt(t.tolerance).padStart(10)}  [${t.index.join(', ')}] ${status}`.trimEnd(),
    );
  }
  lines.push('');
  const skipped = r.tensors.filter((t) => t.skipped).length;
  if (skipped > 0) lines.push(`${skipped} of ${r.tensors.length} tensors are not in the candidate and were not compared`);
  lines.push(
    r.firstMiss ? `first miss: ${describeMiss(r.firstMiss)}` : `every tensor compared is within its tolerance (${r.tensors.length - skipped} tensors)`,
  );
  return lines.join('\n');
}
