/**
 * Data sets: tables whose columns are features and one label, made into a matrix of features and
 * targets (one-hot rows of class indices, or the label's values for a regression); feature scaling
 * fitted on chosen rows; seeded train/test splits; the two embedded data sets (data/digits.csv,
 * data/iris.csv).
 *
 * Browser-safe: nothing here imports Node. Reading a CSV file from disk, streamed, is
 * ./node/csv.ts, which hands each parsed record to the `DatasetBuilder` below.
 *
 * Every error is an `ArgumentError` of one line that names the source, and where it can the line
 * (1-based, as an editor shows it), the column (1-based, with its name) and the cell, quoted with
 * its unprintable characters escaped.
 */
import { LIMITS } from './engine.js';
import { checkInteger, checkOneOf, fail, show } from './errors.js';
import type { FloatArray } from './matrix.js';
import { Random, permutation } from './random.js';

/** What a label column is for: classes (one-hot targets) or numbers to predict. */
export type Task = 'classification' | 'regression';
export const TASKS = ['classification', 'regression'] as const satisfies readonly Task[];

/** Most classes a classification may have: one output neuron each, and a layer has at most this many. */
export const MAX_CLASSES = LIMITS.maxLayerSize;

/** Integer label columns with at most this many distinct values are guessed to be classes (task 'auto'). */
export const AUTO_MAX_CLASSES = 50;

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
// Messages

/**
 * A cell as an error message shows it: in double quotes, JSON-escaped (control characters,
 * quotes, backslashes), with invisible characters (format, separator and non-ASCII space
 * characters such as a byte-order mark or a no-break space) as \uXXXX, cut after `max` characters.
 */
export function quoteCell(text: string, max = 40): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const quoted = JSON.stringify(cut).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\p{Co}\p{Cn}]/gu, (c) =>
    c
      .split('')
      .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join(''),
  );
  return text.length > max ? `${quoted.slice(0, -1)}…" (${text.length} characters)` : quoted;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// The header line

/** Whether a cell reads as a number (NaN and infinities included: they are numbers, if bad ones). */
function looksNumeric(cell: string): boolean {
  const t = cell.trim();
  return t !== '' && (!Number.isNaN(Number(t)) || /^[+-]?(nan|inf(inity)?)$/i.test(t));
}

/**
 * Whether line 1 (`cells`) is a header, as `header` says or, for 'auto', from its feature cells
 * (every cell but the label's): all text is a header, all numbers is data, a mix is refused.
 * Empty cells count as neither. A label given by name that line 1 holds makes it a header.
 */
function isHeader(cells: readonly string[], header: 'auto' | boolean, label: string | number | undefined, source: string, line = 1): boolean {
  if (header === true || header === false) return header;
  if (typeof label === 'string' && cells.some((c) => c.trim() === label)) return true;
  const labelAt = typeof label === 'number' ? label : label === undefined ? cells.length - 1 : -1;
  let number = -1;
  let text = -1;
  cells.forEach((c, j) => {
    if (j === labelAt || c.trim() === '') return;
    if (looksNumeric(c)) number = number < 0 ? j : number;
    else text = text < 0 ? j : text;
  });
  if (number >= 0 && text >= 0) {
    fail(
      `${source}: line ${line} is neither a header nor data: column ${number + 1} (${quoteCell(cells[number])}) is a number but column ${text + 1} ` +
        `(${quoteCell(cells[text])}) is not; name every column or none, or say whether line 1 is a header (header: true or false)`,
    );
  }
  if (number < 0 && text < 0 && cells.every((c) => c.trim() === '')) fail(`${source}: line ${line} has only empty cells`);
  return number < 0;
}

/** The names of the columns: the header's (trimmed; 'column N' where empty), or 'column 1' … */
function columnNames(cells: readonly string[], header: boolean): string[] {
  return cells.map((c, j) => (header && c.trim() !== '' ? c.trim() : `column ${j + 1}`));
}

/** The 0-based index of the label column `label` (name or index; default: the last). */
function labelIndex(label: string | number | undefined, names: readonly string[], header: boolean, source: string, line = 1): number {
  const n = names.length;
  if (label === undefined) return n - 1;
  if (typeof label === 'number') {
    if (!Number.isInteger(label) || label < 0) fail(`label must be a column name or a 0-based column index, got ${show(label)}`);
    if (label >= n) fail(`${source}: there is no label column ${label}: the file has ${plural(n, 'column')} (0-based indices 0 … ${n - 1})`);
    return label;
  }
  if (typeof label !== 'string' || label === '') fail(`label must be a column name or a 0-based column index, got ${show(label)}`);
  const digits = /^\d+$/.test(label) ? ` (for the column at index ${label}, give the number ${label})` : '';
  if (!header) fail(`${source}: line ${line} is data, not a header, so no column is named ${quoteCell(label)}: give the label column's 0-based index`);
  const at = names.flatMap((name, j) => (name === label ? [j] : []));
  if (at.length === 0) fail(`${source}: no column is named ${quoteCell(label)}${digits} (columns: ${names.map((c) => quoteCell(c)).join(', ')})`);
  if (at.length > 1)
    fail(
      `${source}: ${plural(at.length, 'column')} are named ${quoteCell(label)} (columns ${at.map((j) => j + 1).join(', ')}): give the label column's 0-based index`,
    );
  return at[0];
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
  const hasHeader = isHeader(first, 'auto', undefined, source);
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
        if (c.trim() === '' || !Number.isFinite(v)) fail(`${source}: line ${i + 1}, column ${j + 1} ('${header[j]}') is not a finite number: ${quoteCell(c)}`);
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
  const classValues = [...distinct].sort((a, b) => a - b);
  const index = new Map(classValues.map((v, k) => [v, k]));
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) labels[i] = index.get(values[i])!;
  return { labels, classNames: classValues.map(String), classValues };
}

/**
 * What a numeric label column is, when not told: a classification when its labels are integers
 * with at most `AUTO_MAX_CLASSES` distinct values, else a regression. (A column of text is always a
 * classification: `DatasetBuilder` decides that.) The reason says why, in words for the user.
 */
export function guessTask(values: ArrayLike<number>, labelName = 'the label'): { task: Task; reason: string } {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) return { task: 'regression', reason: `${labelName} holds numbers that are not integers (such as ${v})` };
    if (distinct.size <= AUTO_MAX_CLASSES) distinct.add(v);
  }
  if (distinct.size > AUTO_MAX_CLASSES) return { task: 'regression', reason: `${labelName} holds more than ${AUTO_MAX_CLASSES} distinct integers` };
  return { task: 'classification', reason: `${labelName} holds ${plural(distinct.size, 'distinct integer')} (at most ${AUTO_MAX_CLASSES} make classes)` };
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
// Records to a data set

/** How `DatasetBuilder` (and `readCsvDataset`) read a table. */
export interface TableOptions {
  /** The label column: its name (from the header) or its 0-based index. Default: the last column. */
  label?: string | number;
  /**
   * 'classification', 'regression' or 'auto' (default): a classification when the label column
   * holds text, or integers with at most 50 distinct values; else a regression.
   */
  task?: Task | 'auto';
  /** Whether line 1 is a header. Default 'auto': a header when its feature cells are all text, data when all numbers. */
  header?: 'auto' | boolean;
}

/** A data set read from a table, with what was decided on the way. */
export interface TableDataset extends Dataset<Float32Array> {
  /** Why the task is what it is: the guess's reason for task 'auto', else 'asked for'. */
  taskReason: string;
  /** Whether line 1 was a header (else the columns are named 'column 1' …). */
  header: boolean;
}

/** Magnitudes from here up round to ±Infinity in float32 (2¹²⁸ − 2¹⁰³, halfway past the largest float32). */
const F32_OVERFLOW = 3.4028235677973366e38;

interface ResizableArrayBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}

/**
 * A typed array that grows as rows arrive. Where the platform has resizable ArrayBuffers (Node 20,
 * current browsers) it reserves address space once and grows in place, so memory stays at the size
 * of the numbers held; elsewhere (or past the reservation) it doubles and trims at the end.
 */
class Growable<A extends Float32Array | Float64Array> {
  private array: A;
  length = 0;

  constructor(
    private readonly Type: { new (n: number): A; new (b: ArrayBuffer, offset?: number, length?: number): A; BYTES_PER_ELEMENT: number },
    reserve: number,
  ) {
    this.array = this.allocate(1024, Math.max(1024, reserve));
  }

  private allocate(n: number, reserve: number): A {
    // At most 4 GiB reserved (the largest resizable buffer); growing past it copies.
    const bytes = Math.min(2 ** 32, Math.max(n, reserve) * this.Type.BYTES_PER_ELEMENT);
    if (bytes >= n * this.Type.BYTES_PER_ELEMENT) {
      try {
        const buffer = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableArrayBuffer)(n * this.Type.BYTES_PER_ELEMENT, {
          maxByteLength: bytes,
        });
        if (typeof buffer.resize === 'function') return new this.Type(buffer);
      } catch {
        // No resizable buffers, or no room to reserve: grow by copying.
      }
    }
    return new this.Type(n);
  }

  /** The array, with room for `n` more elements from `length` on. */
  room(n: number): A {
    const need = this.length + n;
    if (need <= this.array.length) return this.array;
    const size = Math.max(need, 2 * this.array.length);
    const buffer = this.array.buffer as ResizableArrayBuffer;
    if (buffer.resizable && size * this.Type.BYTES_PER_ELEMENT <= buffer.maxByteLength) {
      buffer.resize(size * this.Type.BYTES_PER_ELEMENT); // the length-tracking view follows
      return this.array;
    }
    const grown = this.allocate(size, 2 * size);
    grown.set(this.array.subarray(0, this.length));
    this.array = grown;
    return grown;
  }

  /** The elements held, in an array of exactly that length; the buffer is given back where it can be. */
  finish(): A {
    const buffer = this.array.buffer as ResizableArrayBuffer;
    if (buffer.resizable) {
      buffer.resize(this.length * this.Type.BYTES_PER_ELEMENT);
      return new this.Type(buffer, 0, this.length);
    }
    return this.array.length === this.length ? this.array : (this.array.slice(0, this.length) as A);
  }
}

/**
 * Builds a data set from the records of a table, one at a time, as a streaming CSV parser yields
 * them: the features go straight into a float32 array that grows (no array of rows is ever
 * made), so memory stays near 4 bytes per feature value, plus 8 per row for the label until the end.
 *
 * Line 1 decides the columns: a header or data (see `TableOptions.header`), the label column, and
 * the number of fields every later record must have. Features must be finite numbers that float32
 * holds (|v| < 3.4e38). Labels: see `TableOptions.task`; text labels become classes in the order
 * they first appear, numeric ones keep their values (see `Dataset.classNames`).
 */
export class DatasetBuilder {
  private readonly label: string | number | undefined;
  private readonly task: Task | 'auto';
  private readonly header: 'auto' | boolean;
  private readonly reserve: number;
  private names: string[] | null = null;
  private hasHeader = false;
  private labelAt = -1;
  /** The line of the first record (the header, or the first row of data): 1 unless blank lines come first. */
  private firstLine = 1;
  private features: Growable<Float32Array> | null = null;
  /** Per row: the label's value (numeric labels) or its class index (text labels). */
  private labelValues = new Growable(Float64Array, 0);
  /** Distinct numeric labels, each with its order of first appearance; null past MAX_CLASSES. */
  private numbers: Map<number, number> | null = new Map();
  /** Text labels by class index; non-null once a label is not a number. */
  private texts: Map<string, number> | null = null;
  private firstText: string | null = null;
  private firstNonInteger: { line: number; cell: string } | null = null;
  private firstUnsafe: { line: number; cell: string } | null = null;
  private firstTooLarge: { line: number; cell: string } | null = null;
  private rowCount = 0;

  /**
   * @param source names the data in every error (a file's path).
   * @param reserve how many feature values to reserve room for at once (a guess from the file's
   *   size; growing past it is only slower).
   */
  constructor(
    readonly source: string,
    options: TableOptions = {},
    reserve = 0,
  ) {
    if (typeof options !== 'object' || options === null) fail(`options must be an object, got ${show(options)}`);
    this.label = options.label;
    this.task = checkOneOf(options.task ?? 'auto', 'task', ['classification', 'regression', 'auto'] as const);
    const header = options.header ?? 'auto';
    if (header !== 'auto' && header !== true && header !== false) fail(`header must be 'auto', true or false, got ${show(header)}`);
    this.header = header;
    if (options.label !== undefined && typeof options.label !== 'string' && typeof options.label !== 'number')
      fail(`label must be a column name or a 0-based column index, got ${show(options.label)}`);
    this.reserve = reserve;
  }

  /** Rows of data taken so far. */
  get rows(): number {
    return this.rowCount;
  }

  /** Takes one record: its cells, and the line it starts on (1-based). A record of one blank cell (an empty line) is skipped. */
  add(cells: readonly string[], line: number): void {
    if (cells.length === 1 && cells[0].trim() === '') return;
    if (this.names === null) {
      this.start(cells, line);
      if (this.hasHeader) return;
    }
    const names = this.names!;
    const n = names.length;
    if (cells.length !== n) {
      fail(`${this.source}: line ${line} has ${plural(cells.length, 'field')}, line ${this.firstLine} ${this.hasHeader ? '(the header) ' : ''}has ${n}`);
    }
    const features = this.features!;
    const out = features.room(n - 1);
    let k = features.length;
    for (let j = 0; j < n; j++) {
      if (j === this.labelAt) continue;
      const cell = cells[j];
      const v = +cell;
      // v − v is 0 for every finite number, NaN otherwise; +'' and +'  ' are 0.
      if (v - v !== 0 || (v === 0 && cell.trim() === '')) this.badFeature(cell, line, j);
      if (v >= F32_OVERFLOW || v <= -F32_OVERFLOW) {
        fail(`${this.source}: ${quoteCell(cell)} is too large for float32 at ${this.where(line, j)} (float32 holds magnitudes up to about 3.4e38)`);
      }
      out[k++] = v;
    }
    features.length = k;
    this.addLabel(cells[this.labelAt], line);
    this.rowCount++;
  }

  private where(line: number, j: number): string {
    return `line ${line}, column ${j + 1} (${quoteCell(this.names![j])})`;
  }

  private badFeature(cell: string, line: number, j: number): never {
    const t = cell.trim();
    if (t === '') fail(`${this.source}: empty cell at ${this.where(line, j)}; every feature needs a number`);
    if (looksNumeric(t)) fail(`${this.source}: ${quoteCell(cell)} at ${this.where(line, j)} is not a finite number`);
    const hint = /^[+-]?\d*,\d+$/.test(t) ? ' (a decimal comma? numbers need a decimal point)' : '';
    fail(`${this.source}: ${quoteCell(cell)} at ${this.where(line, j)} is not a number${hint}`);
  }

  private start(cells: readonly string[], line: number): void {
    this.firstLine = line;
    this.hasHeader = isHeader(cells, this.header, this.label, this.source, line);
    const names = columnNames(cells, this.hasHeader);
    if (names.length < 2) {
      fail(`${this.source}: line ${line} has a single column; a data set needs at least one feature column and a label column (is the delimiter right?)`);
    }
    if (names.length - 1 > LIMITS.maxLayerSize) {
      fail(`${this.source}: ${names.length - 1} feature columns, more than a network's input layer takes (${LIMITS.maxLayerSize})`);
    }
    this.labelAt = labelIndex(this.label, names, this.hasHeader, this.source, line);
    this.names = names;
    this.features = new Growable(Float32Array, this.reserve);
    // About one label per (columns − 1) feature values.
    this.labelValues = new Growable(Float64Array, Math.ceil(this.reserve / (names.length - 1)));
  }

  private addLabel(cell: string, line: number): void {
    const values = this.labelValues;
    const out = values.room(1);
    const v = +cell;
    if (v - v === 0 && !(v === 0 && cell.trim() === '')) {
      if (this.texts !== null) {
        out[values.length++] = this.textClass(String(v), line);
        return;
      }
      out[values.length++] = v;
      if (this.numbers !== null && !this.numbers.has(v)) {
        if (this.numbers.size === MAX_CLASSES) this.numbers = null;
        else this.numbers.set(v, this.numbers.size);
      }
      if (!Number.isInteger(v)) this.firstNonInteger ??= { line, cell: cell.trim() };
      else if (!Number.isSafeInteger(v)) this.firstUnsafe ??= { line, cell: cell.trim() };
      if (v >= F32_OVERFLOW || v <= -F32_OVERFLOW) this.firstTooLarge ??= { line, cell: cell.trim() };
      return;
    }
    const t = cell.trim();
    if (t === '') fail(`${this.source}: empty label at ${this.where(line, this.labelAt)}`);
    if (looksNumeric(t)) fail(`${this.source}: label ${quoteCell(cell)} at ${this.where(line, this.labelAt)} is not a finite number`);
    if (this.task === 'regression') {
      fail(
        `${this.source}: label ${quoteCell(cell)} at ${this.where(line, this.labelAt)} is not a number; a regression needs numeric labels (text labels are classes)`,
      );
    }
    if (this.texts === null) this.toTextClasses(t, line);
    out[values.length++] = this.textClass(t, line);
  }

  /** The first text label: the numeric labels so far become classes of their own, in order of appearance. */
  private toTextClasses(t: string, line: number): void {
    if (this.numbers === null) {
      fail(
        `${this.source}: label ${quoteCell(t)} at ${this.where(line, this.labelAt)} is text, after more than ${MAX_CLASSES} distinct numbers; a classification has at most ${MAX_CLASSES} classes`,
      );
    }
    const numbers = this.numbers;
    this.texts = new Map([...numbers.keys()].map((v, k) => [String(v), k]));
    const a = this.labelValues.room(0);
    for (let i = 0; i < this.labelValues.length; i++) a[i] = numbers.get(a[i])!;
    this.firstText = t;
  }

  private textClass(key: string, line: number): number {
    const texts = this.texts!;
    let k = texts.get(key);
    if (k === undefined) {
      if (texts.size === MAX_CLASSES) {
        fail(
          `${this.source}: label ${quoteCell(key)} at ${this.where(line, this.labelAt)} is class ${MAX_CLASSES + 1}; a classification has at most ${MAX_CLASSES} classes`,
        );
      }
      k = texts.size;
      texts.set(key, k);
    }
    return k;
  }

  /** The data set. Throws if there were no data rows, or the labels do not fit the task. */
  finish(): TableDataset {
    if (this.names === null) fail(`${this.source}: the file is empty`);
    const rows = this.rowCount;
    if (rows === 0) fail(`${this.source}: no data rows after the header (line ${this.firstLine})`);
    const names = this.names;
    const labelName = names[this.labelAt];
    const quoted = `the label column ${quoteCell(labelName)}`;
    let task: Task;
    let taskReason = 'asked for';
    if (this.texts !== null) {
      task = 'classification';
      if (this.task === 'auto') taskReason = `${quoted} holds text (such as ${quoteCell(this.firstText!)})`;
    } else if (this.task !== 'auto') {
      task = this.task;
    } else if (this.firstNonInteger) {
      task = 'regression';
      taskReason = `${quoted} holds numbers that are not integers (such as ${this.firstNonInteger.cell} at line ${this.firstNonInteger.line})`;
    } else if (this.numbers === null || this.numbers.size > AUTO_MAX_CLASSES) {
      task = 'regression';
      taskReason = `${quoted} holds ${this.numbers === null ? `more than ${MAX_CLASSES}` : this.numbers.size} distinct integers (more than ${AUTO_MAX_CLASSES})`;
    } else {
      task = 'classification';
      taskReason = `${quoted} holds ${plural(this.numbers.size, 'distinct integer')} (at most ${AUTO_MAX_CLASSES} make classes)`;
    }

    const values = this.labelValues.finish();
    this.labelValues = new Growable(Float64Array, 0);
    const x = { data: this.features!.finish(), rows, cols: names.length - 1 };
    const base = { name: this.source, x, featureNames: names.filter((_, j) => j !== this.labelAt), labelName, task, taskReason, header: this.hasHeader };
    if (task === 'regression') {
      if (this.firstTooLarge) {
        const { line, cell } = this.firstTooLarge;
        fail(`${this.source}: ${quoteCell(cell)} is too large for float32 at ${this.where(line, this.labelAt)} (float32 holds magnitudes up to about 3.4e38)`);
      }
      return { ...base, y: { data: Float32Array.from(values), rows, cols: 1 }, labels: new Int32Array(0), classes: 0, classNames: [], classValues: null };
    }

    let labels: Int32Array;
    let classNames: string[];
    let classValues: number[] | null = null;
    if (this.texts !== null) {
      labels = Int32Array.from(values);
      classNames = [...this.texts.keys()];
    } else {
      const bad = this.firstNonInteger ?? this.firstUnsafe;
      if (bad) {
        const why =
          bad === this.firstNonInteger
            ? 'is not an integer; a class label is a whole number or text (or make the task a regression)'
            : 'is beyond 2^53 − 1, where neighbouring integers are the same double; write such labels as text';
        fail(`${this.source}: label ${bad.cell} at ${this.where(bad.line, this.labelAt)} ${why}`);
      }
      if (this.numbers === null)
        fail(`${this.source}: ${quoted} holds more than ${MAX_CLASSES} distinct labels; a classification has at most ${MAX_CLASSES} classes`);
      classValues = [...this.numbers.keys()].sort((a, b) => a - b);
      const index = new Map(classValues.map((v, k) => [v, k]));
      labels = new Int32Array(rows);
      for (let i = 0; i < rows; i++) labels[i] = index.get(values[i])!;
      classNames = classValues.map(String);
    }
    const classes = classNames.length;
    if (classes < 2) fail(`${this.source}: every row has the label ${quoteCell(classNames[0])} (${quoted}); a classification needs at least two classes`);
    const y = new Float32Array(rows * classes);
    for (let i = 0; i < rows; i++) y[i * classes + labels[i]] = 1;
    return { ...base, y: { data: y, rows, cols: classes }, labels, classes, classNames, classValues };
  }
}

// ---------------------------------------------------------------------------------------------
// Feature scaling

export type ScalingKind = 'minmax' | 'standard' | 'none';

/**
 * Per feature column, x' = (x − offset) / scale. The shape a model file records as `data.scaling`
 * (kind 'none' has no offset and scale).
 */
export type FeatureScaling = { kind: 'none' } | { kind: 'minmax' | 'standard'; offset: number[]; scale: number[] };

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

/** Applies a scaling to x in place (x' = (x − offset) / scale per column) and returns x. */
export function scaleInPlace<M extends { data: Float32Array | Float64Array; rows: number; cols: number }>(x: M, s: FeatureScaling): M {
  if (s.kind === 'none') return x;
  const { data, cols } = x;
  if (s.offset.length !== cols || s.scale.length !== cols) fail(`the scaling has ${s.offset.length} columns, the data ${cols}`);
  for (let i = 0; i < data.length; i += cols) for (let c = 0; c < cols; c++) data[i + c] = (data[i + c] - s.offset[c]) / s.scale[c];
  return x;
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
  if (!(trainFraction > 0 && trainFraction < 1)) fail(`trainFraction must be between 0 and 1, got ${trainFraction}`);
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

// ---------------------------------------------------------------------------------------------
// The embedded data sets

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
