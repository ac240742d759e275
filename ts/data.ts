/**
 * Data sets: tables whose columns are features and one label, made into a matrix of features and
 * targets (one-hot rows of class indices, or the label's values for a regression); seeded
 * train/test splits, copied or in place; small CSV texts of numbers held in memory. The two
 * embedded data sets are ./datasets.ts (`wasm-backprop/datasets`), apart so that the main entry
 * never reaches their files.
 *
 * The rest of the data API lives beside this file and is re-exported from it: ./table.ts
 * (`DatasetBuilder`: records, as a streaming parser yields them, to a data set or to features
 * alone; `guessTask`), ./columns.ts (the header line, columns by name or index, `quoteCell`) and
 * ./scaling.ts (feature scaling fitted on chosen rows). Reading a CSV file from disk, streamed, is
 * ./node/csv.ts.
 *
 * Browser-safe: nothing here imports Node. Every error is an `ArgumentError` of one line that names
 * the source, and where it can the line, the column and the cell.
 */
import { columnNames, isHeader, nonDecimal, plural, quoteCell } from './columns.js';
import { checkInteger, checkOneOf, fail, show } from './errors.js';
import type { FloatArray } from './matrix.js';
import { Random, permutation } from './random.js';
import { fitScalingOn, scaleInPlace } from './scaling.js';
import { guessTask, MAX_CLASSES, numericClassIndex } from './table.js';

export { quoteCell } from './columns.js';
export { fitScalingOn, scaleInPlace, type FeatureScaling, type ScalingKind } from './scaling.js';
export {
  AUTO_MAX_CLASSES,
  DatasetBuilder,
  guessTask,
  MAX_CLASSES,
  type FeatureTableOptions,
  type TableDataset,
  type TableFeatures,
  type TableOptions,
} from './table.js';

/** What a label column is for: classes (one-hot targets) or numbers to predict. */
export type Task = 'classification' | 'regression';
export const TASKS = ['classification', 'regression'] as const satisfies readonly Task[];

/**
 * A data set: features and targets, with what the targets mean.
 *
 * `A` is the features' and targets' array type: Float64Array for the embedded sets and
 * `datasetFromTable`, Float32Array for what `DatasetBuilder` (and so `readCsvDataset`) reads.
 */
export interface Dataset<A extends FloatArray = Float64Array> {
  name: string;
  /** rows × features, row-major. */
  x: { data: A; rows: number; cols: number };
  /** Classification: rows × classes, one-hot. Regression: rows × 1, the label's values. */
  y: { data: A; rows: number; cols: number };
  /** Classification: each row's class index, 0 … classes − 1 (into `classNames`). Regression: empty. */
  labels: Int32Array;
  /** The number of classes; 0 for a regression. */
  classes: number;
  featureNames: string[];
  task: Task;
  /** The label column's name (from the header, else 'column N'). */
  labelName: string;
  /**
   * Each class's label as the data wrote it: text labels in the order they first appear, numeric
   * labels in increasing order as `String(value)` (labels 1, 2, 3 are the classes '1', '2', '3',
   * with no empty class 0). Empty for a regression.
   */
  classNames: string[];
  /** The classes' numeric values when every label is a number (`classNames` as numbers), else null. */
  classValues: number[] | null;
}

// ---------------------------------------------------------------------------------------------
// CSV text in memory

export interface CsvTable {
  header: string[];
  rows: number[][];
}

/**
 * Parses a small CSV of numbers held in memory (fields split at commas; no quoting). Line 1 is a
 * header of column names when its cells (all but the last, the label's) are text, and data when
 * they are numbers (the columns are then named 'column 1' …); a mix is refused, so a first row of
 * data is never lost. Errors name the source, line and column. For files, with quoting, other
 * delimiters and text labels, see ./node/csv.ts.
 */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const first = lines[0]?.split(',') ?? [];
  if (first.length === 0 || first.every((h) => h.trim() === '')) fail(`${source}: line 1 must be a header of column names or a row of numbers`);
  const hasHeader = isHeader(first, 'auto', first.length - 1, source);
  const header = columnNames(first, hasHeader);
  const rows: number[][] = [];
  for (let i = hasHeader ? 1 : 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) fail(`${source}: line ${i + 1} has ${cells.length} fields, line 1 has ${header.length}`);
    rows.push(
      cells.map((c, j) => {
        const v = Number(c.trim());
        if (c.trim() === '' || !Number.isFinite(v) || nonDecimal(c))
          fail(`${source}: line ${i + 1}, column ${j + 1} ('${header[j]}') is not a finite number: ${quoteCell(c)}`);
        return v;
      }),
    );
  }
  if (rows.length === 0) fail(`${source}: no data lines${hasHeader ? ' after the header' : ''}`);
  return { header, rows };
}

export interface DatasetOptions {
  name?: string;
  /** Column holding the label (0-based). Default: the last. */
  labelColumn?: number;
  /** What the label is. Default 'classification' ('auto': see `guessTask`). */
  task?: Task | 'auto';
  /** Scale features: divide by a number, 'minmax' to [0, 1] or 'standard' per column (over every row). Default: none. */
  scale?: number | 'minmax' | 'standard';
}

/**
 * A data set from a parsed table. Numeric class labels keep their values: the classes are the
 * distinct labels in increasing order (labels 1, 2, 3 make three classes, '1', '2', '3'), so
 * labels need not start at 0 nor be contiguous, and labels beyond 2³¹ are classes like any other.
 * A classification's labels must be integers.
 */
export function datasetFromTable(t: CsvTable, opts: DatasetOptions = {}): Dataset {
  const name = opts.name ?? 'data';
  const labelCol = opts.labelColumn ?? t.header.length - 1;
  if (!Number.isInteger(labelCol) || labelCol < 0 || labelCol >= t.header.length) {
    fail(`labelColumn must be a column index below ${t.header.length}, got ${labelCol}`);
  }
  const rows = t.rows.length;
  const cols = t.header.length - 1;
  const values = new Float64Array(rows);
  const x = new Float64Array(rows * cols);
  t.rows.forEach((r, i) => {
    values[i] = r[labelCol];
    let c = 0;
    r.forEach((v, j) => {
      if (j !== labelCol) x[i * cols + c++] = v;
    });
  });
  const labelName = t.header[labelCol];
  const requested = checkOneOf(opts.task ?? 'classification', 'task', ['classification', 'regression', 'auto'] as const);
  const task = requested === 'auto' ? guessTask(values).task : requested;
  const featureNames = t.header.filter((_, j) => j !== labelCol);
  const xm = { data: x, rows, cols };
  if (opts.scale === 'minmax' || opts.scale === 'standard') scaleInPlace(xm, fitScalingOn(xm, null, opts.scale, featureNames));
  else if (opts.scale !== undefined) {
    if (typeof opts.scale !== 'number' || !(opts.scale > 0) || !Number.isFinite(opts.scale))
      fail(`scale must be a positive number, 'minmax' or 'standard', got ${show(opts.scale)}`);
    for (let i = 0; i < x.length; i++) x[i] /= opts.scale;
  }
  const base = { name, x: xm, featureNames, labelName };
  if (task === 'regression') {
    return { ...base, y: { data: values, rows, cols: 1 }, labels: new Int32Array(0), classes: 0, task, classNames: [], classValues: null };
  }
  const coded = numericClasses(values, (i) => `${name}: data line ${i + 1}`);
  const classes = coded.classValues.length;
  return { ...base, y: { data: oneHot(coded.labels, classes), rows, cols: classes }, classes, task, ...coded };
}

// ---------------------------------------------------------------------------------------------
// Labels

/**
 * Numeric labels as classes: the distinct values in increasing order, each row's index among them.
 * Every label must be an integer that a double holds exactly (|v| ≤ 2⁵³ − 1); `where(i)` names row i.
 */
function numericClasses(values: ArrayLike<number>, where: (row: number) => string): { labels: Int32Array; classNames: string[]; classValues: number[] } {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) fail(`${where(i)}: label ${v} is not an integer; a class label is a whole number or text (or make the task a regression)`);
    if (!Number.isSafeInteger(v))
      fail(`${where(i)}: label ${v} is beyond 2^53 − 1, where neighbouring integers are the same double; write such labels as text`);
    if (!distinct.has(v)) {
      if (distinct.size === MAX_CLASSES) fail(`${where(i)}: more than ${MAX_CLASSES} distinct labels; a classification has at most ${MAX_CLASSES} classes`);
      distinct.add(v);
    }
  }
  return numericClassIndex(distinct, values);
}

/**
 * rows × classes one-hot matrix of class indices. Each label must be an integer in
 * [0, classes); anything else (1.5, −1, a label ≥ classes) is an `ArgumentError` naming its row,
 * never a row of zeros.
 */
export function oneHot(labels: ArrayLike<number>, classes: number): Float64Array {
  checkInteger(classes, 'oneHot: classes', 1);
  const y = new Float64Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      fail(`oneHot: label ${show(k)} in row ${i} is not a class index: class indices are integers from 0 to ${classes - 1}`);
    }
    y[i * classes + k] = 1;
  }
  return y;
}

// ---------------------------------------------------------------------------------------------
// Subsets and splits

/** The rows `idx` of a data set (copies). */
export function subset<A extends FloatArray>(ds: Dataset<A>, idx: ArrayLike<number>, name = ds.name): Dataset<A> {
  const take = (m: { data: A; cols: number }) => {
    const out = new (m.data.constructor as new (n: number) => A)(idx.length * m.cols);
    for (let r = 0; r < idx.length; r++) out.set(m.data.subarray(idx[r] * m.cols, (idx[r] + 1) * m.cols), r * m.cols);
    return { data: out, rows: idx.length, cols: m.cols };
  };
  const labels = ds.labels.length === 0 ? ds.labels : Int32Array.from(idx, (i) => ds.labels[i]);
  return { ...ds, name, x: take(ds.x), y: take(ds.y), labels };
}

/** Training rows of a split of `rows` rows; an error in the user's terms when either side would be empty. */
function trainRows(name: string, rows: number, trainFraction: number): number {
  if (!(trainFraction > 0 && trainFraction < 1)) fail(`trainFraction must be a number between 0 and 1, got ${show(trainFraction)}`);
  const cut = (n: number) => Math.round(n * trainFraction);
  const fits = (n: number) => cut(n) >= 1 && n - cut(n) >= 1;
  if (!fits(rows)) {
    let least = rows + 1;
    while (!fits(least) && least < 1e9) least++;
    const pct = (f: number) => `${+(100 * f).toFixed(2)} %`;
    const what = cut(rows) < 1 ? `train on ${pct(trainFraction)} of them` : `hold out ${pct(1 - trainFraction)} for testing`;
    fail(`${name}: ${plural(rows, 'row')}, too few to ${what} (at least ${least} needed)`);
  }
  return cut(rows);
}

/**
 * A seeded shuffle split: the first `trainFraction` of the rows (rounded) for training, the rest
 * for testing, both copies. Either side empty is an error that says how many rows it would take.
 */
export function split<A extends FloatArray>(ds: Dataset<A>, trainFraction = 0.8, seed = 1): { train: Dataset<A>; test: Dataset<A> } {
  const cut = trainRows(ds.name, ds.x.rows, trainFraction);
  const order = permutation(ds.x.rows, new Random(seed));
  return { train: subset(ds, order.subarray(0, cut), `${ds.name} (train)`), test: subset(ds, order.subarray(cut), `${ds.name} (test)`) };
}

/**
 * The same split as `split`, without copying: `ds`'s rows are put in the split's order in place
 * (train rows first), and train and test are views of its arrays. For data too large to hold twice.
 */
export function splitInPlace<A extends FloatArray>(ds: Dataset<A>, trainFraction = 0.8, seed = 1): { train: Dataset<A>; test: Dataset<A> } {
  const rows = ds.x.rows;
  const cut = trainRows(ds.name, rows, trainFraction);
  const order = permutation(rows, new Random(seed));
  permuteRows(ds.x, order);
  permuteRows(ds.y, order);
  if (ds.labels.length === rows) permuteRows({ data: ds.labels, rows, cols: 1 }, order);
  const part = (from: number, to: number, name: string): Dataset<A> => {
    const view = (m: { data: A; cols: number }) => ({ data: m.data.subarray(from * m.cols, to * m.cols) as A, rows: to - from, cols: m.cols });
    return { ...ds, name, x: view(ds.x), y: view(ds.y), labels: ds.labels.length === rows ? ds.labels.subarray(from, to) : ds.labels };
  };
  return { train: part(0, cut, `${ds.name} (train)`), test: part(cut, rows, `${ds.name} (test)`) };
}

/** Row r of m becomes the old row order[r], in place: each cycle of the permutation with one row of scratch. */
function permuteRows(m: { data: Float32Array | Float64Array | Int32Array; rows: number; cols: number }, order: Uint32Array): void {
  const { data, rows, cols } = m;
  const done = new Uint8Array(rows);
  const scratch = data.slice(0, cols);
  for (let start = 0; start < rows; start++) {
    if (done[start]) continue;
    scratch.set(data.subarray(start * cols, (start + 1) * cols));
    let r = start;
    for (;;) {
      done[r] = 1;
      const from = order[r];
      if (from === start) {
        data.set(scratch, r * cols);
        break;
      }
      data.copyWithin(r * cols, from * cols, (from + 1) * cols);
      r = from;
    }
  }
}
