/** Conversion of user data to validated row-major matrices of one precision. */
import { fail, show } from './errors.js';
import type { MatrixInput, Precision, Rows } from './types.js';

export type FloatArray = Float32Array | Float64Array;

/** A validated row-major matrix: `rows × cols` finite numbers. */
export interface Matrix<A extends FloatArray = FloatArray> {
  data: A;
  rows: number;
  cols: number;
}

/**
 * `from` as doubles: into `into` where it is given and of the same length, else into a new array.
 * (Reusing an array saves the new memory a large network's copy costs; `Float64Array.from` would
 * also go through the iterator.)
 */
export function copyInto(from: FloatArray, into?: Float64Array | null): Float64Array {
  const out = into?.length === from.length ? into : new Float64Array(from.length);
  out.set(from);
  return out;
}

export function arrayType(precision: Precision): Float32ArrayConstructor | Float64ArrayConstructor {
  return precision === 'f32' ? Float32Array : Float64Array;
}

export function isMatrixInput(v: unknown): v is MatrixInput {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'data' in v && 'rows' in v && 'cols' in v;
}

/**
 * Checks `input` (rows of numbers, or a typed row-major matrix with its shape) against the expected
 * number of columns and converts it to `precision`. Throws an error naming the argument, and the row
 * and column of a bad value.
 */
export function toMatrix(input: Rows, what: string, cols: number, precision: Precision, colsMeaning: string): Matrix {
  const Arr = arrayType(precision);
  if (isMatrixInput(input)) {
    const { data, rows } = input;
    if (!(data instanceof Float32Array || data instanceof Float64Array || Array.isArray(data))) {
      fail(`${what}.data must be a Float32Array, Float64Array or number[], got ${show(data)}`);
    }
    if (!Number.isInteger(rows) || rows < 1) fail(`${what}.rows must be a positive integer, got ${show(rows)}`);
    if (input.cols !== cols) fail(`${what} must have ${cols} columns (${colsMeaning}), got ${show(input.cols)}`);
    if (data.length !== rows * cols) {
      fail(`${what}.data must hold rows × cols = ${rows} × ${cols} = ${rows * cols} numbers, got ${data.length}`);
    }
    if (Array.isArray(data)) {
      const out = new Arr(data.length);
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (typeof v !== 'number') badValue(what, Math.floor(i / cols), i % cols, v);
        out[i] = v;
      }
      return { data: checkFinite(out, data, what, cols), rows, cols };
    }
    // Typed arrays hold numbers only; converting to the engine's precision is the only copy.
    const out = data instanceof Arr ? data : Arr.from(data);
    return { data: checkFinite(out, data, what, cols), rows, cols };
  }
  if (!Array.isArray(input)) fail(`${what} must be an array of rows or { data, rows, cols }, got ${show(input)}`);
  const rows = input.length;
  if (rows === 0) fail(`${what} must have at least one row`);
  const out = new Arr(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = input[r] as ArrayLike<unknown>;
    if (!Array.isArray(row) && !(row instanceof Float32Array || row instanceof Float64Array))
      fail(`${what} row ${r} must be an array of numbers, got ${show(row)}`);
    if (row.length !== cols) fail(`${what} must have ${cols} columns (${colsMeaning}), got ${row.length} in row ${r}`);
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) badValue(what, r, c, v);
      out[r * cols + c] = v;
    }
  }
  return { data: checkFinite(out, null, what, cols), rows, cols };
}

/**
 * One pass over the converted values: `v − v` is 0 for every finite number and NaN otherwise. A bad
 * value is named by row and column, as the source had it, or as too large for f32 where only the
 * conversion overflowed.
 */
function checkFinite<A extends FloatArray>(out: A, source: ArrayLike<number> | null, what: string, cols: number): A {
  if (allFinite(out)) return out;
  for (let i = 0; i < out.length; i++) {
    if (Number.isFinite(out[i])) continue;
    const [r, c] = [Math.floor(i / cols), i % cols];
    // null: every source value was checked finite already, so only the conversion overflowed.
    const v = source ? source[i] : 0;
    if (Number.isFinite(v) && out instanceof Float32Array) fail(`${what} row ${r}, column ${c} is too large for f32 precision (|value| > 3.4e38)`);
    badValue(what, r, c, v);
  }
  return out;
}

function badValue(what: string, row: number, col: number, v: unknown): never {
  fail(`${what} row ${row}, column ${col} must be a finite number, got ${typeof v === 'number' ? String(v) : show(v)}`);
}

/** The matrix of rows `idx` of `m`. */
export function takeRows<A extends FloatArray>(m: Matrix<A>, idx: ArrayLike<number>, start = 0, end = idx.length): Matrix<A> {
  const out = new (m.data.constructor as new (n: number) => A)((end - start) * m.cols);
  for (let r = start; r < end; r++) out.set(m.data.subarray(idx[r] * m.cols, (idx[r] + 1) * m.cols), (r - start) * m.cols);
  return { data: out, rows: end - start, cols: m.cols };
}

/** Whether the first `n` values are finite (`v − v` is 0 for a finite number, NaN otherwise). */
export function allFinite(a: ArrayLike<number>, n = a.length): boolean {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] - a[i];
  return s === 0;
}
