/**
 * The correctness guard: every system starts from the same initial parameters, trains the same rows
 * for a fixed number of updates, and reports its loss (mean per-sample ½Σ(a−y)² over the first
 * rows). Fast by skipping work shows up as a loss that does not match. The reference is our js
 * engine in f64, run in the orchestrator, for each form of training a system performs.
 */
import { createNetworkSync } from '../ts/sync.js';
import type { GuardReference, GuardReply } from './protocol.js';
import { SEED, activationsOf, gather, guardRows, type WorkloadData, type WorkloadSpec } from './workloads.js';

/** The reference loss before and after the guard's updates. */
export interface ReferenceLoss {
  initial: number;
  loss: number;
}

export type References = Partial<Record<GuardReference, ReferenceLoss>>;

/** Tolerance of the relative difference from the reference, by the system's precision. */
export const TOLERANCE = { f64: 1e-9, f32: 1e-3 } as const;

/**
 * js-f64 from the initial parameters: `steps` updates of `batch` rows of the guard sequence. The
 * loss before them is computed once per activation list (`initial` caches it).
 */
function referenceLoss(
  spec: WorkloadSpec,
  data: WorkloadData,
  batch: number,
  activations: ('sigmoid' | 'relu')[],
  initial: Map<string, number>,
): ReferenceLoss {
  const net = createNetworkSync({ layers: spec.layers, activations, engine: 'js', precision: 'f64', learningRate: spec.learningRate, seed: SEED });
  try {
    net.setFlatParameters(data.p0);
    const [nIn, nOut] = [spec.layers[0], spec.layers[spec.layers.length - 1]];
    const e = spec.evalRows;
    const evalX = { data: data.x.subarray(0, e * nIn), rows: e, cols: nIn };
    const evalY = { data: data.y.subarray(0, e * nOut), rows: e, cols: nOut };
    const key = activations.join();
    if (!initial.has(key)) initial.set(key, net.evaluate(evalX, evalY).loss);
    const idx = guardRows(spec, spec.guardSteps, batch);
    const gx = gather(data.x, nIn, idx, Float64Array);
    const gy = gather(data.y, nOut, idx, Float64Array);
    for (let s = 0; s < spec.guardSteps; s++) {
      net.trainBatch(
        { data: gx.subarray(s * batch * nIn, (s + 1) * batch * nIn), rows: batch, cols: nIn },
        { data: gy.subarray(s * batch * nOut, (s + 1) * batch * nOut), rows: batch, cols: nOut },
      );
    }
    return { initial: initial.get(key)!, loss: net.evaluate(evalX, evalY).loss };
  } finally {
    net.dispose();
  }
}

/**
 * The references of the kinds asked for: minibatch, per-sample (also the one synaptic is shown
 * beside), and per-sample with sigmoid in every layer (brain.js on W4).
 */
export function computeReferences(spec: WorkloadSpec, data: WorkloadData, kinds: ReadonlySet<GuardReference>): References {
  const acts = activationsOf(spec);
  const initial = new Map<string, number>();
  const refs: References = {};
  refs.batch = referenceLoss(spec, data, spec.batch, acts, initial);
  if (kinds.has('per-sample') || kinds.has('other-gradient')) {
    refs['per-sample'] = refs['other-gradient'] = spec.batch === 1 ? refs.batch : referenceLoss(spec, data, 1, acts, initial);
  }
  if (kinds.has('per-sample-sigmoid')) {
    refs['per-sample-sigmoid'] = referenceLoss(
      spec,
      data,
      1,
      acts.map(() => 'sigmoid' as const),
      initial,
    );
  }
  return refs;
}

/** A guard result beside its reference, and the verdict. */
export interface GuardResult extends GuardReply {
  reference: GuardReference;
  referenceInitial: number;
  referenceLoss: number;
  /** |loss − reference| / |reference| after the updates. */
  relError: number;
  /** The same, before any update (checks that the initial parameters were imported). */
  initialRelError: number;
  tolerance: number;
  /** 'ok' within tolerance, 'MISMATCH' outside it, 'loose' for a system with another gradient (only the start is checked). */
  verdict: 'ok' | 'MISMATCH' | 'loose';
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

export function judge(reply: GuardReply, reference: GuardReference, refs: References, precision: 'f32' | 'f64'): GuardResult {
  const ref = refs[reference];
  if (!ref) throw new Error(`no reference loss of kind '${reference}'`);
  const tolerance = TOLERANCE[precision];
  const relError = rel(reply.loss, ref.loss);
  const initialRelError = rel(reply.initialLoss, ref.initial);
  const startOk = initialRelError <= tolerance && Number.isFinite(reply.loss);
  const verdict = reference === 'other-gradient' ? (startOk ? 'loose' : 'MISMATCH') : startOk && relError <= tolerance ? 'ok' : 'MISMATCH';
  return { ...reply, reference, referenceInitial: ref.initial, referenceLoss: ref.loss, relError, initialRelError, tolerance, verdict };
}
