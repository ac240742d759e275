/**
 * Data sets: CSV parsing with errors that name the line and column, one-hot targets, feature
 * scaling, seeded train/test splits, and the two embedded data sets (data/digits.csv, data/iris.csv).
 */
import { fail } from './errors.js';
import { Random, permutation } from './random.js';

/** A classification data set: features, one-hot targets and the labels they come from. */
export interface Dataset {
  name: string;
  /** rows × features, row-major. */
  x: { data: Float64Array; rows: number; cols: number };
  /** rows × classes, one-hot. */
  y: { data: Float64Array; rows: number; cols: number };
  labels: Int32Array;
  classes: number;
  featureNames: string[];
}

export interface CsvTable {
  header: string[];
  rows: number[][];
}

/** Parses a numeric CSV with a header line. Errors name the source, line and column. */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.split(',').map((h) => h.trim()) ?? [];
  if (header.length === 0 || header.every((h) => h === '')) fail(`${source}: line 1 must be a header of column names`);
  const rows: number[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) fail(`${source}: line ${i + 1} has ${cells.length} fields, the header has ${header.length}`);
    rows.push(
      cells.map((c, j) => {
        const v = Number(c.trim());
        if (c.trim() === '' || !Number.isFinite(v)) fail(`${source}: line ${i + 1}, column ${j + 1} ('${header[j]}') is not a finite number: '${c}'`);
        return v;
      }),
    );
  }
  if (rows.length === 0) fail(`${source}: no data lines after the header`);
  return { header, rows };
}

export interface DatasetOptions {
  name?: string;
  /** Column holding the class label (integers 0 … classes−1). Default: the last. */
  labelColumn?: number;
  /** Scale features: divide by a number, or 'minmax' to [0, 1] per column. Default: none. */
  scale?: number | 'minmax';
}

/** A classification data set from a parsed table. */
export function datasetFromTable(t: CsvTable, opts: DatasetOptions = {}): Dataset {
  const name = opts.name ?? 'data';
  const labelCol = opts.labelColumn ?? t.header.length - 1;
  if (!Number.isInteger(labelCol) || labelCol < 0 || labelCol >= t.header.length) {
    fail(`labelColumn must be a column index below ${t.header.length}, got ${labelCol}`);
  }
  const rows = t.rows.length;
  const cols = t.header.length - 1;
  const labels = new Int32Array(rows);
  const x = new Float64Array(rows * cols);
  t.rows.forEach((r, i) => {
    const label = r[labelCol];
    if (!Number.isInteger(label) || label < 0) fail(`${name}: data line ${i + 1}: label ${label} must be a non-negative integer`);
    labels[i] = label;
    let c = 0;
    r.forEach((v, j) => {
      if (j !== labelCol) x[i * cols + c++] = v;
    });
  });
  const classes = labels.reduce((m, v) => Math.max(m, v), 0) + 1; // (a spread would overflow the stack on big files)
  if (opts.scale === 'minmax') {
    for (let c = 0; c < cols; c++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < rows; i++) [lo, hi] = [Math.min(lo, x[i * cols + c]), Math.max(hi, x[i * cols + c])];
      const span = hi - lo || 1;
      for (let i = 0; i < rows; i++) x[i * cols + c] = (x[i * cols + c] - lo) / span;
    }
  } else if (opts.scale !== undefined) {
    if (typeof opts.scale !== 'number' || !(opts.scale > 0) || !Number.isFinite(opts.scale))
      fail(`scale must be a positive number or 'minmax', got ${opts.scale}`);
    for (let i = 0; i < x.length; i++) x[i] /= opts.scale;
  }
  return {
    name,
    x: { data: x, rows, cols },
    y: { data: oneHot(labels, classes), rows, cols: classes },
    labels,
    classes,
    featureNames: t.header.filter((_, j) => j !== labelCol),
  };
}

/** rows × classes one-hot matrix of integer labels. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float64Array {
  const y = new Float64Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) y[i * classes + labels[i]] = 1;
  return y;
}

/** The rows `idx` of a data set. */
export function subset(ds: Dataset, idx: ArrayLike<number>, name = ds.name): Dataset {
  const take = (m: { data: Float64Array; cols: number }) => {
    const out = new Float64Array(idx.length * m.cols);
    for (let r = 0; r < idx.length; r++) out.set(m.data.subarray(idx[r] * m.cols, (idx[r] + 1) * m.cols), r * m.cols);
    return { data: out, rows: idx.length, cols: m.cols };
  };
  return { ...ds, name, x: take(ds.x), y: take(ds.y), labels: Int32Array.from(idx, (i) => ds.labels[i]) };
}

/** A seeded shuffle split: the first `trainFraction` of the rows for training, the rest for testing. */
export function split(ds: Dataset, trainFraction = 0.8, seed = 1): { train: Dataset; test: Dataset } {
  if (!(trainFraction > 0 && trainFraction < 1)) fail(`trainFraction must be between 0 and 1, got ${trainFraction}`);
  const order = permutation(ds.x.rows, new Random(seed));
  const cut = Math.round(ds.x.rows * trainFraction);
  return { train: subset(ds, order.subarray(0, cut), `${ds.name} (train)`), test: subset(ds, order.subarray(cut), `${ds.name} (test)`) };
}

/** URLs of the embedded files: literal `new URL(…, import.meta.url)` so bundlers (Vite) emit them. */
function packagedUrl(file: 'digits.csv' | 'iris.csv'): URL {
  return file === 'digits.csv' ? new URL('../data/digits.csv', import.meta.url) : new URL('../data/iris.csv', import.meta.url);
}

async function readPackaged(file: 'digits.csv' | 'iris.csv'): Promise<string> {
  const url = packagedUrl(file);
  if (url.protocol === 'file:') {
    const fsName = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
    return fs.readFile(url, 'utf8');
  }
  const r = await fetch(url);
  if (!r.ok) throw new Error(`could not fetch ${url.href}: HTTP ${r.status}`);
  return r.text();
}

/** The embedded data sets: 'digits' (8×8 pixels / 16, 10 classes) and 'iris' (min–max scaled, 3 classes). */
export async function loadBuiltin(name: 'digits' | 'iris'): Promise<Dataset> {
  if (name === 'digits') return datasetFromTable(parseCsv(await readPackaged('digits.csv'), 'digits.csv'), { name, scale: 16 });
  if (name === 'iris') return datasetFromTable(parseCsv(await readPackaged('iris.csv'), 'iris.csv'), { name, scale: 'minmax' });
  return fail(`unknown built-in data set '${String(name)}' (known: digits, iris)`);
}
