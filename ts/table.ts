/**
 * Tables to data sets, one record at a time: `DatasetBuilder` takes the records a streaming CSV
 * parser yields (./node/csv.ts) and makes a data set (features, and targets from a label column),
 * or, without a label, the features alone (data to predict on). What a label column is for, when
 * not told: `guessTask`.
 *
 * Browser-safe: nothing here imports Node. Every error is an `ArgumentError` of one line that names
 * the source, and where it can the line (1-based, as an editor shows it), the column (1-based, with
 * its name) and the cell, quoted with its unprintable characters escaped.
 */
import { columnIndex, columnNames, firstRepeated, isHeader, looksNumeric, nonDecimal, plural, quoteCell } from './columns.js';
import type { Dataset, Task } from './data.js';
import { LIMITS } from './engine.js';
import { checkOneOf, fail, show } from './errors.js';
import { Growable, resizableArray } from './growable.js';

/** Most classes a classification may have: one output neuron each, and a layer has at most this many. */
export const MAX_CLASSES = LIMITS.maxLayerSize;

/** Integer label columns with at most this many distinct values are guessed to be classes (task 'auto'). */
export const AUTO_MAX_CLASSES = 50;

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
 * Numeric labels as classes: the labels' `distinct` values in increasing order are the classes
 * (named by `String(value)`), and each of `values` becomes its index among them.
 */
export function numericClassIndex(distinct: Iterable<number>, values: ArrayLike<number>): { labels: Int32Array; classNames: string[]; classValues: number[] } {
  const classValues = [...distinct].sort((a, b) => a - b);
  const index = new Map(classValues.map((v, k) => [v, k]));
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) labels[i] = index.get(values[i])!;
  return { labels, classNames: classValues.map(String), classValues };
}

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
  /**
   * The classes the labels are among, in order (such as a model's): `y` has a column for each, in
   * this order, even those no row has (one class alone is then fine), and a label not among them is
   * refused, with the line where it first appears. Implies a classification. Default: the classes
   * the labels make.
   */
  classes?: readonly (string | number)[];
}

/** How `DatasetBuilder.features` (and `readCsvFeatures`) read a table without a label. */
export interface FeatureTableOptions {
  /** Whether line 1 is a header. Default 'auto': a header when its cells (but `drop`'s) are all text, data when all numbers. */
  header?: 'auto' | boolean;
  /**
   * A column to leave out (such as the label column of a file that has one): its name (from the
   * header) or its 0-based index. Default null: every column is a feature.
   */
  drop?: string | number | null;
}

/** The features read from a table. */
export interface TableFeatures {
  name: string;
  /** rows × features, row-major, float32. */
  x: { data: Float32Array; rows: number; cols: number };
  featureNames: string[];
  /** Whether line 1 was a header (else the columns are named 'column 1' …). */
  header: boolean;
}

/** A data set read from a table, with what was decided on the way. */
export interface TableDataset extends Dataset<Float32Array>, TableFeatures {
  /** Why the task is what it is: the guess's reason for task 'auto', else 'asked for'. */
  taskReason: string;
  /** The label's column in the table (0-based): the features are the other columns, in order. */
  labelColumn: number;
}

/** Magnitudes from here up round to ±Infinity in float32 (2¹²⁸ − 2¹⁰³, halfway past the largest float32). */
const F32_OVERFLOW = 3.4028235677973366e38;

/**
 * Builds a data set from the records of a table, one at a time, as a streaming CSV parser yields
 * them: the features go straight into a float32 array that grows (no array of rows is ever
 * made), so memory stays near 4 bytes per feature value, plus 8 per row for the label until the end.
 *
 * Line 1 decides the columns: a header or data (see `TableOptions.header`), the label column, and
 * the number of fields every later record must have. Features must be finite numbers that float32
 * holds (|v| < 3.4e38). Labels: see `TableOptions.task`; text labels become classes in the order
 * they first appear, numeric ones keep their values (see `Dataset.classNames`).
 *
 * `DatasetBuilder.features` is the same reading without a label: every column is a feature but
 * the one to drop, and `finish` gives the features alone (`R` is then `TableFeatures`).
 */
export class DatasetBuilder<R extends TableFeatures = TableDataset> {
  private readonly label: string | number | undefined;
  private readonly task: Task | 'auto';
  private readonly header: 'auto' | boolean;
  /** `TableOptions.classes` as text, or null; and as numbers where they all are. */
  private readonly known: string[] | null = null;
  private readonly knownValues: number[] | null = null;
  /** The line each class label first appears on, for the error of one not `known`. */
  private readonly classLines = new Map<string, number>();
  private readonly reserve: number;
  /** False in the label-less mode (`DatasetBuilder.features`). */
  private labelled = true;
  /** The label-less mode's column to leave out (name or index), or null. */
  private drop: string | number | null = null;
  private names: string[] | null = null;
  private hasHeader = false;
  /** The label's column, and the column dropped (-1: none); the other columns are the features. */
  private labelAt = -1;
  private dropAt = -1;
  /** Features per row. */
  private cols = 0;
  /** The line of the first record (the header, or the first row of data): 1 unless blank lines come first. */
  private firstLine = 1;
  private featureValues: Growable<Float32Array> | null = null;
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
    if (options.classes !== undefined) {
      const c = options.classes;
      if (!Array.isArray(c) || c.length === 0 || c.some((v) => typeof v !== 'string' && typeof v !== 'number'))
        fail(`classes must be a non-empty array of class labels (text or numbers), got ${show(c)}`);
      if (this.task === 'regression') fail("classes are given for a classification; task is 'regression'");
      this.known = c.map(String);
      if (c.every((v) => typeof v === 'number')) this.knownValues = c.slice() as number[];
      const twice = firstRepeated(this.known);
      if (twice >= 0) fail(`classes must be distinct: ${quoteCell(this.known[twice])} is there twice`);
      this.task = 'classification';
    }
    const header = options.header ?? 'auto';
    if (header !== 'auto' && header !== true && header !== false) fail(`header must be 'auto', true or false, got ${show(header)}`);
    this.header = header;
    if (options.label !== undefined && typeof options.label !== 'string' && typeof options.label !== 'number')
      fail(`label must be a column name or a 0-based column index, got ${show(options.label)}`);
    this.reserve = reserve;
  }

  /** A builder of features without a label, for data to predict on (`readCsvFeatures`); see `FeatureTableOptions`. */
  static features(source: string, options: FeatureTableOptions = {}, reserve = 0): DatasetBuilder<TableFeatures> {
    if (typeof options !== 'object' || options === null) fail(`options must be an object, got ${show(options)}`);
    const b = new DatasetBuilder<TableFeatures>(source, { header: options.header }, reserve);
    const drop = options.drop ?? null;
    if (drop !== null && typeof drop !== 'string' && typeof drop !== 'number') fail(`drop must be a column name or a 0-based column index, got ${show(drop)}`);
    b.labelled = false;
    b.drop = drop;
    return b;
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
    const features = this.featureValues!;
    const out = features.room(this.cols);
    let k = features.length;
    for (let j = 0; j < n; j++) {
      if (j === this.labelAt || j === this.dropAt) continue;
      const cell = cells[j];
      const v = +cell;
      // v − v is 0 for every finite number, NaN otherwise; +'' and +'  ' are 0.
      if (v - v !== 0 || (v === 0 && cell.trim() === '') || nonDecimal(cell)) this.badFeature(cell, line, j);
      if (v >= F32_OVERFLOW || v <= -F32_OVERFLOW) {
        fail(`${this.source}: ${quoteCell(cell)} is too large for float32 at ${this.where(line, j)} (float32 holds magnitudes up to about 3.4e38)`);
      }
      out[k++] = v;
    }
    features.length = k;
    if (this.labelled) this.addLabel(cells[this.labelAt], line);
    this.rowCount++;
  }

  private where(line: number, j: number): string {
    return `line ${line}, column ${j + 1} (${quoteCell(this.names![j])})`;
  }

  private badFeature(cell: string, line: number, j: number): never {
    const t = cell.trim();
    if (t === '') fail(`${this.source}: empty cell at ${this.where(line, j)}; every feature needs a number`);
    if (looksNumeric(t)) fail(`${this.source}: ${quoteCell(cell)} at ${this.where(line, j)} is not a finite number`);
    const hint = /^[+-]?\d*,\d+$/.test(t)
      ? ' (a decimal comma? numbers need a decimal point)'
      : nonDecimal(t)
        ? ' (hexadecimal, binary and octal numbers are not read: write it in decimal)'
        : '';
    fail(`${this.source}: ${quoteCell(cell)} at ${this.where(line, j)} is not a number${hint}`);
  }

  private start(cells: readonly string[], line: number): void {
    this.firstLine = line;
    // The label (by default the last column) or the column to drop is left out of the header guess.
    const skip = this.labelled ? (this.label ?? cells.length - 1) : this.drop;
    this.hasHeader = isHeader(cells, this.header, skip, this.source, line);
    const names = columnNames(cells, this.hasHeader);
    // Columns are found by name (a label, the model's inputs in another file): two of one name would be taken for each other.
    const twice = this.hasHeader ? firstRepeated(names) : -1;
    if (twice >= 0)
      fail(
        `${this.source}: line ${line} names two columns ${quoteCell(names[twice])} (columns ${names.indexOf(names[twice]) + 1} and ${twice + 1}); column names must differ`,
      );
    if (skip !== null && names.length < 2) {
      const needs = this.labelled ? 'a data set needs at least one feature column and a label column' : 'dropping it leaves no feature';
      fail(`${this.source}: line ${line} has a single column; ${needs} (is the delimiter right?)`);
    }
    this.cols = skip === null ? names.length : names.length - 1;
    if (this.cols > LIMITS.maxLayerSize) fail(`${this.source}: ${this.cols} feature columns, more than a network's input layer takes (${LIMITS.maxLayerSize})`);
    if (this.labelled) {
      const label = this.label;
      this.labelAt = label === undefined ? names.length - 1 : columnIndex(label, 'label', names, this.hasHeader, this.source, line);
      // About one label per row of `cols` feature values.
      this.labelValues = new Growable(Float64Array, Math.ceil(this.reserve / Math.max(1, this.cols)));
    } else if (this.drop !== null) {
      this.dropAt = columnIndex(this.drop, 'drop', names, this.hasHeader, this.source, line);
    }
    this.names = names;
    this.featureValues = new Growable(Float32Array, this.reserve);
  }

  private addLabel(cell: string, line: number): void {
    const values = this.labelValues;
    const out = values.room(1);
    const v = +cell;
    if (v - v === 0 && !(v === 0 && cell.trim() === '') && !nonDecimal(cell)) {
      if (this.texts !== null) {
        out[values.length++] = this.textClass(String(v), line);
        return;
      }
      out[values.length++] = v;
      if (this.numbers !== null && !this.numbers.has(v)) {
        if (this.numbers.size === MAX_CLASSES) this.numbers = null;
        else {
          this.numbers.set(v, this.numbers.size);
          this.classLines.set(String(v), line);
        }
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
      if (!this.classLines.has(key)) this.classLines.set(key, line);
    }
    return k;
  }

  /** The rows' classes as indices into `TableOptions.classes` (checked: every label is one of them). */
  private inKnownClasses(labels: Int32Array, found: string[]): { labels: Int32Array; classNames: string[]; classValues: number[] | null } {
    const known = this.known!;
    const to = found.map((c) => {
      const k = known.indexOf(c);
      const line = this.classLines.get(c);
      if (k < 0)
        fail(
          `${this.source}: label ${quoteCell(c)}${line === undefined ? '' : ` at ${this.where(line, this.labelAt)}`} is not one of the classes ${known.map((k) => quoteCell(k)).join(', ')}`,
        );
      return k;
    });
    return { labels: labels.map((l) => to[l]), classNames: known, classValues: this.knownValues };
  }

  /** The data set (the features alone, without a label). Throws if there were no data rows, or the labels do not fit the task. */
  finish(): R {
    if (this.names === null) fail(`${this.source}: the file is empty`);
    if (this.rowCount === 0) fail(`${this.source}: no data rows after the header (line ${this.firstLine})`);
    const x = { data: this.featureValues!.finish(), rows: this.rowCount, cols: this.cols };
    const featureNames = this.names.filter((_, j) => j !== this.labelAt && j !== this.dropAt);
    const features: TableFeatures = { name: this.source, x, featureNames, header: this.hasHeader };
    return (this.labelled ? this.withTargets(features) : features) as R;
  }

  /** The features with the label's targets, for the task asked for or guessed. */
  private withTargets(features: TableFeatures): TableDataset {
    const rows = features.x.rows;
    const labelName = this.names![this.labelAt];
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
    const base = { ...features, labelName, labelColumn: this.labelAt, task, taskReason };
    if (task === 'regression') {
      if (this.firstTooLarge) {
        const { line, cell } = this.firstTooLarge;
        fail(`${this.source}: ${quoteCell(cell)} is too large for float32 at ${this.where(line, this.labelAt)} (float32 holds magnitudes up to about 3.4e38)`);
      }
      return { ...base, y: { data: float32Resizable(values), rows, cols: 1 }, labels: new Int32Array(0), classes: 0, classNames: [], classValues: null };
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
      ({ labels, classNames, classValues } = numericClassIndex(this.numbers.keys(), values));
    }
    if (this.known !== null) ({ labels, classNames, classValues } = this.inKnownClasses(labels, classNames));
    const classes = classNames.length;
    if (classes < 2 && this.known === null)
      fail(`${this.source}: every row has the label ${quoteCell(classNames[0])} (${quoted}); a classification needs at least two classes`);
    const y = resizableArray(Float32Array, rows * classes); // given back as it is copied (drainFromEnd)
    for (let i = 0; i < rows; i++) y[i * classes + labels[i]] = 1;
    return { ...base, y: { data: y, rows, cols: classes }, labels, classes, classNames, classValues };
  }
}

/** The values as float32, in a buffer that can be given back as it is copied (./growable.ts `drainFromEnd`). */
function float32Resizable(values: Float64Array): Float32Array {
  const out = resizableArray(Float32Array, values.length);
  out.set(values);
  return out;
}
