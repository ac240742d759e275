/**
 * Input scaling, x′ = (x − offset) / scale per feature column: fitted on chosen rows of a matrix
 * (the training rows alone, without copying them), applied in place (training, the CLI) or to a
 * copy of raw rows (predicting with a trained model), by one loop. The record is the one a model
 * file keeps as `data.scaling` (./model.ts, docs/model-format.md). And outputs as class labels
 * (`data.classes`), as training named them.
 *
 * Browser-safe: nothing here imports Node.
 */
import { quoteCell } from './columns.js';
import { checkOneOf, fail, show } from './errors.js';
import { toMatrix } from './matrix.js';
import type { MatrixInput, Rows } from './types.js';

/** The scalings `fitScalingOn` fits: 'minmax', 'standard', or 'none' (x′ = x). */
export type ScalingKind = 'minmax' | 'standard' | 'none';

/**
 * The input scaling training saw: per feature column, x′ = (x − offset) / scale; the shape a model
 * file records as `data.scaling`. `kind` says how offset and scale were found: 'minmax' (min,
 * max − min), 'standard' (mean, standard deviation), 'custom' (by the user: any finite offsets,
 * scales other than 0), or 'none' (x′ = x, no offset and scale).
 */
export type FeatureScaling = { kind: 'none' } | { kind: 'minmax' | 'standard' | 'custom'; offset: number[]; scale: number[] };

type Columns = { data: ArrayLike<number>; rows: number; cols: number };

/**
 * The scaling of `kind` fitted on the rows `rows` of x (every row when null), so that it can be
 * fitted on the training rows alone and applied to all: 'minmax' (offset = min, scale = max − min)
 * maps the fitted rows to [0, 1]; 'standard' (offset = mean, scale = population standard
 * deviation) to mean 0 and deviation 1; a constant column gets scale 1. Columns whose range
 * overflows a double are an error naming the column (`names`), never NaN.
 */
export function fitScalingOn(x: Columns, rows: ArrayLike<number> | null, kind: ScalingKind, names?: readonly string[]): FeatureScaling {
  checkOneOf(kind, 'scaling kind', ['minmax', 'standard', 'none'] as const);
  if (kind === 'none') return { kind };
  const { data, cols } = x;
  const n = rows === null ? x.rows : rows.length;
  if (n === 0) fail('cannot fit a scaling on no rows');
  const a = new Float64Array(cols).fill(kind === 'minmax' ? Infinity : 0); // min, or mean
  const b = new Float64Array(cols).fill(kind === 'minmax' ? -Infinity : 0); // max, or Σ(x − mean)²
  for (let i = 0; i < n; i++) {
    const r = rows === null ? i : rows[i];
    if (!(r >= 0 && r < x.rows && Number.isInteger(r))) fail(`rows[${i}] must be a row index below ${x.rows}, got ${show(r)}`);
    const at = r * cols;
    if (kind === 'minmax') {
      for (let c = 0; c < cols; c++) {
        const v = data[at + c];
        if (v < a[c]) a[c] = v;
        if (v > b[c]) b[c] = v;
      }
    } else {
      // Welford: the running mean never overflows where the sum would.
      for (let c = 0; c < cols; c++) {
        const d = data[at + c] - a[c];
        a[c] += d / (i + 1);
        b[c] += d * (data[at + c] - a[c]);
      }
    }
  }
  const offset: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < cols; c++) {
    const s = kind === 'minmax' ? b[c] - a[c] : Math.sqrt(b[c] / n);
    if (!Number.isFinite(s) || !Number.isFinite(a[c])) {
      const name = names?.[c] !== undefined ? ` (${quoteCell(names[c])})` : '';
      fail(`column ${c + 1}${name}: its values are too far apart to scale ('${kind}' overflows a double)`);
    }
    offset.push(a[c]);
    scale.push(s === 0 ? 1 : s);
  }
  return { kind, offset, scale };
}

/** Data of `cols` columns has the columns `s` scales. */
function checkWidth(s: { offset: number[]; scale: number[] }, cols: number): void {
  if (s.offset.length !== cols || s.scale.length !== cols) fail(`the scaling has ${s.offset.length} columns, the data ${cols}`);
}

/** Applies a scaling to x in place (x′ = (x − offset) / scale per column, in f64, stored in x's type) and returns x. */
export function scaleInPlace<M extends { data: Float32Array | Float64Array; rows: number; cols: number }>(x: M, s: FeatureScaling): M {
  if (s.kind === 'none') return x;
  const { data, cols } = x;
  checkWidth(s, cols);
  for (let i = 0; i < data.length; i += cols) for (let c = 0; c < cols; c++) data[i + c] = (data[i + c] - s.offset[c]) / s.scale[c];
  return x;
}

/** Undoes a scaling in place (x = x′ · scale + offset per column, in f64, stored in x's type) and returns x. */
export function unscaleInPlace<M extends { data: Float32Array | Float64Array; rows: number; cols: number }>(x: M, s: FeatureScaling): M {
  if (s.kind === 'none') return x;
  const { data, cols } = x;
  checkWidth(s, cols);
  for (let i = 0; i < data.length; i += cols) for (let c = 0; c < cols; c++) data[i + c] = data[i + c] * s.scale[c] + s.offset[c];
  return x;
}

/** The columns of rows (those of the first) or of a matrix. */
function columns(x: Rows): number {
  return Array.isArray(x) ? ((x[0] as readonly number[] | undefined)?.length ?? 0) : (x as MatrixInput).cols;
}

/** `fitScalingOn` for rows of numbers (or a matrix) as the API takes them: every row, each value checked finite. */
export function fitScaling(kind: ScalingKind, x: Rows): FeatureScaling {
  return fitScalingOn(toMatrix(x, 'x', columns(x), 'f64', 'the first row'), null, kind);
}

/**
 * Raw rows (or a matrix) prepared as training saw them: `scaleInPlace` on an f64 copy (no
 * scaling: the copy as it is). The rows must have the scaling's number of columns.
 */
export function applyScaling(scaling: FeatureScaling | undefined, x: Rows): { data: Float64Array; rows: number; cols: number } {
  const cols = scaling !== undefined && scaling.kind !== 'none' ? scaling.offset.length : columns(x);
  const m = toMatrix(x, 'x', cols, 'f64', 'the inputs of the scaling');
  // toMatrix keeps a Float64Array it is given: copy it, never scale the caller's data.
  const data = m.data === (x as MatrixInput).data ? Float64Array.from(m.data) : (m.data as Float64Array);
  return scaleInPlace({ data, rows: m.rows, cols }, scaling ?? { kind: 'none' });
}

/** The class of each row of outputs: the label of its largest output (one output: classes[1] from ½ up, else classes[0]); its index without labels. */
export function classify(
  classes: readonly (string | number)[] | undefined,
  outputs: { data: ArrayLike<number>; rows: number; cols: number },
): (string | number)[] {
  const { rows, cols } = outputs;
  return Array.from({ length: rows }, (_, r) => {
    let k = cols === 1 ? Number(outputs.data[r] >= 0.5) : 0;
    for (let j = 1; j < cols; j++) if (outputs.data[r * cols + j] > outputs.data[r * cols + k]) k = j;
    return classes?.[k] ?? k;
  });
}
