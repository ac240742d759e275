/**
 * Raw data as training saw it, and outputs as labels: the input scaling a model file records
 * (./model.ts, `data.scaling`) and the class labels (`data.classes`), applied the way training did.
 */
import { checkOneOf } from './errors.js';
import { toMatrix } from './matrix.js';
import type { MatrixInput, Rows } from './types.js';

/** The input scaling training saw: x' = (x − offset) / scale, per input column. */
export interface Scaling {
  /** How offset and scale were found: 'minmax' (min, max − min), 'standard' (mean, standard deviation), 'custom', or 'none' (x' = x). */
  kind: 'minmax' | 'standard' | 'custom' | 'none';
  /** n_0 finite numbers; absent with kind 'none'. */
  offset?: number[];
  /** n_0 finite numbers, none zero; absent with kind 'none'. */
  scale?: number[];
}

/** The columns of rows (those of the first) or of a matrix. */
function columns(x: Rows): number {
  return Array.isArray(x) ? ((x[0] as readonly number[] | undefined)?.length ?? 0) : (x as MatrixInput).cols;
}

/**
 * The scaling of `kind` fitted to the columns of x: 'minmax' (offset = min, scale = max − min, 1
 * where they are equal: the same numbers as ts/data.ts's 'minmax') or 'standard' (offset = mean,
 * scale = population standard deviation, 1 where it is 0).
 */
export function fitScaling(kind: 'minmax' | 'standard', x: Rows): Scaling {
  checkOneOf(kind, 'kind', ['minmax', 'standard'] as const);
  const cols = columns(x);
  const { data, rows } = toMatrix(x, 'x', cols, 'f64', 'the first row');
  const offset: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < cols; c++) {
    let [lo, hi, sum] = [Infinity, -Infinity, 0];
    for (let r = 0; r < rows; r++) [lo, hi, sum] = [Math.min(lo, data[r * cols + c]), Math.max(hi, data[r * cols + c]), sum + data[r * cols + c]];
    const mean = sum / rows;
    let ss = 0;
    for (let r = 0; r < rows; r++) ss += (data[r * cols + c] - mean) ** 2;
    offset.push(kind === 'minmax' ? lo : mean);
    scale.push((kind === 'minmax' ? hi - lo : Math.sqrt(ss / rows)) || 1);
  }
  return { kind, offset, scale };
}

/** Raw rows prepared as training saw them: x' = (x − offset) / scale per column (no scaling: a copy). */
export function applyScaling(scaling: Scaling | undefined, x: Rows): { data: Float64Array; rows: number; cols: number } {
  const cols = scaling?.offset?.length ?? columns(x);
  const m = toMatrix(x, 'x', cols, 'f64', 'the inputs of the scaling');
  const data = Float64Array.from(m.data);
  if (scaling?.offset && scaling.scale) for (let i = 0; i < data.length; i++) data[i] = (data[i] - scaling.offset[i % cols]) / scaling.scale[i % cols];
  return { data, rows: m.rows, cols };
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
