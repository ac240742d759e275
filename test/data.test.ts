/**
 * ts/data.ts and the files it re-exports (table.ts, columns.ts, scaling.ts), the browser-safe part
 * of reading data: labels as classes (no empty class for 1-based labels, no wrapping past 2³¹),
 * one-hot rows that refuse what is not a class index, the header decided or refused (a first row
 * of numbers is never lost), records to a data set or to features without a label with errors
 * that name line and column, one scaling fitted on chosen rows only and applied in place or to a
 * copy, and splits that say when there are too few rows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DatasetBuilder,
  datasetFromTable,
  fitScalingOn,
  guessTask,
  oneHot,
  parseCsv,
  quoteCell,
  scaleInPlace,
  split,
  splitInPlace,
  subset,
  type FeatureScaling,
  type FeatureTableOptions,
  type ScalingKind,
  type TableOptions,
} from '../ts/data.js';
import { loadBuiltin } from '../ts/datasets.js';
import { ArgumentError } from '../ts/errors.js';
import * as api from '../ts/index.js';
import { applyScaling, fitScaling } from '../ts/scaling.js';

/** A data set from CSV text split naively (no quotes), through the builder, line numbers as in the text. */
function build(text: string, options: TableOptions = {}, delimiter = ',') {
  const b = new DatasetBuilder('data.csv', options);
  text.split(/\r?\n/).forEach((line, i) => {
    if (line !== '') b.add(line.split(delimiter), i + 1);
  });
  return b.finish();
}

/** The same through the label-less mode. */
function features(text: string, options: FeatureTableOptions = {}) {
  const b = DatasetBuilder.features('data.csv', options);
  text.split(/\r?\n/).forEach((line, i) => {
    if (line !== '') b.add(line.split(','), i + 1);
  });
  return b.finish();
}

function error(f: () => unknown): ArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentError);
    return e as ArgumentError;
  }
  throw new Error('no error was thrown');
}

describe('the embedded data sets', () => {
  it('digits and iris keep their classes, now with names and a task', async () => {
    const digits = await loadBuiltin('digits');
    expect([digits.x.rows, digits.x.cols, digits.classes, digits.task]).toEqual([1797, 64, 10, 'classification']);
    expect(digits.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(digits.labelName).toBe('label');
    const iris = await loadBuiltin('iris');
    expect([iris.x.rows, iris.classes, iris.y.cols]).toEqual([150, 3, 3]);
    expect(iris.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    for (let i = 0; i < iris.x.rows; i++) expect(iris.y.data[i * 3 + iris.labels[i]]).toBe(1);
  });
});

describe('oneHot', () => {
  it('makes one-hot rows of class indices', () => {
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it.each([
    [1.5, 1],
    [5, 2],
    [-1, 0],
    [NaN, 1],
  ])('refuses label %s (in row %s) with 3 classes instead of a row of zeros', (bad, row) => {
    const labels = [0, 1, 2];
    labels[row] = bad;
    expect(() => oneHot(labels, 3)).toThrow(new RegExp(`oneHot: label ${bad} in row ${row} is not a class index: class indices are integers from 0 to 2`));
  });

  it('refuses a class count that is not a positive integer', () => {
    expect(() => oneHot([0], 0)).toThrow(/oneHot: classes must be between 1/);
  });
});

describe('labels as classes', () => {
  const table = (labels: number[]) => ({ header: ['a', 'label'], rows: labels.map((l, i) => [i, l]) });

  it('1-based labels make as many classes as they have values, with no empty class 0', () => {
    const ds = datasetFromTable(table([1, 2, 3, 1]));
    expect(ds.classes).toBe(3);
    expect(ds.classNames).toEqual(['1', '2', '3']);
    expect(ds.classValues).toEqual([1, 2, 3]);
    expect(Array.from(ds.labels)).toEqual([0, 1, 2, 0]);
    expect(Array.from(ds.y.data)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('labels from 2^31 up are classes of their own, not wrapped onto others', () => {
    const big = [2 ** 31, 2 ** 32 + 1, 0, 2 ** 31];
    const ds = datasetFromTable(table(big));
    expect(ds.classNames).toEqual(['0', '2147483648', '4294967297']);
    expect(Array.from(ds.labels)).toEqual([1, 2, 0, 1]);
    const b = build('x,label\n1,2147483648\n2,4294967297\n3,2147483648\n4,-2147483649');
    expect(b.classNames).toEqual(['-2147483649', '2147483648', '4294967297']);
    expect(Array.from(b.labels)).toEqual([1, 2, 1, 0]);
  });

  it('labels beyond 2^53 − 1, where integers blur, are refused', () => {
    expect(() => datasetFromTable(table([0, 2 ** 53 + 2]), { name: 'big.csv' })).toThrow(/big\.csv: data line 2: label 9007199254740994 is beyond 2\^53 − 1/);
    expect(error(() => build('x,label\n1,0\n2,9007199254740993')).message).toMatch(
      /label 9007199254740993 at line 3, column 2 \("label"\) is beyond 2\^53 − 1/,
    );
  });

  it('a classification refuses labels that are not integers; a regression keeps them', () => {
    expect(() => datasetFromTable(table([0, 1.5]), { name: 'f.csv' })).toThrow(/f\.csv: data line 2: label 1\.5 is not an integer/);
    const r = datasetFromTable(table([0, 1.5]), { task: 'regression' });
    expect([r.task, r.classes, r.y.cols, Array.from(r.y.data), r.labels.length]).toEqual(['regression', 0, 1, [0, 1.5], 0]);
    expect(datasetFromTable(table([0, 1.5]), { task: 'auto' }).task).toBe('regression');
  });

  it('guesses the task of a numeric label column', () => {
    expect(guessTask([1, 2, 3, 2])).toEqual({ task: 'classification', reason: 'the label holds 3 distinct integers (at most 50 make classes)' });
    expect(guessTask([1, 2.5], "'y'")).toEqual({ task: 'regression', reason: "'y' holds numbers that are not integers (such as 2.5)" });
    expect(guessTask(Array.from({ length: 51 }, (_, i) => i)).task).toBe('regression');
    expect(guessTask(Array.from({ length: 50 }, (_, i) => i)).task).toBe('classification');
  });
});

describe('parseCsv: the header line is decided, never silently dropped', () => {
  it('a first row of numbers is data, with the columns named column 1 …', () => {
    const t = parseCsv('1,2,0\n3,4,1\n', 'x.csv');
    expect(t.header).toEqual(['column 1', 'column 2', 'column 3']);
    expect(t.rows).toEqual([
      [1, 2, 0],
      [3, 4, 1],
    ]);
  });

  it('a header of names, with a byte-order mark and CRLF line ends', () => {
    const t = parseCsv('\ufeffa,b,label\r\n1,2,0\r\n3,4,1\r\n', 'x.csv');
    expect(t.header).toEqual(['a', 'b', 'label']);
    expect(t.rows).toHaveLength(2);
  });

  it('a first row of names and numbers is refused, naming line 1', () => {
    expect(() => parseCsv('a,2,label\n1,2,0\n', 'x.csv')).toThrow(
      /x\.csv: line 1 is neither a header nor data: column 2 \("2"\) is a number but column 1 \("a"\) is not/,
    );
  });

  it('±1e308 stays ±1e308, and min–max scaling of it is an error, not NaN', () => {
    const t = parseCsv('a,b,label\n1e308,1,0\n-1e308,2,1\n', 'x.csv');
    expect(t.rows[0][0]).toBe(1e308);
    expect(() => datasetFromTable(t, { scale: 'minmax' })).toThrow(/column 1 \("a"\): its values are too far apart to scale \('minmax' overflows a double\)/);
  });
});

describe('DatasetBuilder', () => {
  it('text labels become classes in the order they first appear; the numbers are float32', () => {
    const ds = build('f1,f2,species\n5.1,3.5,setosa\n7,3.2,versicolor\n6.3,3.3,virginica\n4.9,3,setosa');
    expect(ds.x.data).toBeInstanceOf(Float32Array);
    expect(Array.from(ds.x.data)).toEqual([5.1, 3.5, 7, 3.2, 6.3, 3.3, 4.9, 3].map(Math.fround));
    expect(ds.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(ds.classValues).toBeNull();
    expect(Array.from(ds.labels)).toEqual([0, 1, 2, 0]);
    expect([ds.task, ds.taskReason]).toEqual(['classification', 'the label column "species" holds text (such as "setosa")']);
    expect([ds.header, ds.labelName, ds.featureNames]).toEqual([true, 'species', ['f1', 'f2']]);
  });

  it('numeric labels that turn out to have text among them are classes by their text', () => {
    const ds = build('x,label\n1,3\n2,1\n3,other\n4,1.0\n5,3');
    expect(ds.classNames).toEqual(['3', '1', 'other']);
    expect(Array.from(ds.labels)).toEqual([0, 1, 2, 1, 0]);
  });

  it('the label column by name or by 0-based index', () => {
    expect(build('y,a,b\n0,1,2\n1,3,4', { label: 'y' }).featureNames).toEqual(['a', 'b']);
    const ds = build('0,1,2\n1,3,4', { label: 0 });
    expect([ds.header, ds.labelName, ds.featureNames, Array.from(ds.x.data)]).toEqual([false, 'column 1', ['column 2', 'column 3'], [1, 2, 3, 4]]);
  });

  it('a first row of numbers is data: no row is lost', () => {
    const ds = build('1,2,0\n3,4,1');
    expect([ds.header, ds.x.rows]).toEqual([false, 2]);
  });

  it('header: true and false override the guess', () => {
    expect(build('1,2,0\n3,4,1\n5,6,0', { header: true }).featureNames).toEqual(['1', '2']);
    expect(error(() => build('a,b,label\n3,4,1', { header: false })).message).toBe('data.csv: "a" at line 1, column 1 ("column 1") is not a number');
  });

  it('guesses regression for a column of fractions, and for many distinct integers', () => {
    const ds = build('x,price\n1,1.25\n2,3.5\n3,2');
    expect([ds.task, ds.taskReason, Array.from(ds.y.data)]).toEqual([
      'regression',
      'the label column "price" holds numbers that are not integers (such as 1.25 at line 2)',
      [1.25, 3.5, 2],
    ]);
    const many = build(['x,id', ...Array.from({ length: 60 }, (_, i) => `${i},${i}`)].join('\n'));
    expect([many.task, many.taskReason]).toEqual(['regression', 'the label column "id" holds 60 distinct integers (more than 50)']);
    expect(build('x,y\n1,0.5\n2,1', { task: 'regression' }).taskReason).toBe('asked for');
  });

  it('grows past its reservation without losing a number (also where buffers cannot be resized)', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},${i % 7},${-i / 8 || 0},${i % 3}`);
    const check = (ds: ReturnType<typeof build>) => {
      expect(ds.x.data.length).toBe(9000);
      for (let i = 0; i < 3000; i++)
        expect([ds.x.data[3 * i], ds.x.data[3 * i + 1], ds.x.data[3 * i + 2], ds.labels[i]]).toEqual([i, i % 7, -i / 8 || 0, i % 3]);
    };
    check(build(['a,b,c,label', ...rows].join('\n')));
    const resize = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resize');
    Object.defineProperty(ArrayBuffer.prototype, 'resize', { value: undefined, configurable: true });
    try {
      const ds = build(['a,b,c,label', ...rows].join('\n'));
      expect((ds.x.data.buffer as ArrayBuffer & { resizable?: boolean }).resizable).toBeFalsy();
      check(ds);
    } finally {
      if (resize) Object.defineProperty(ArrayBuffer.prototype, 'resize', resize);
    }
  });

  describe('errors name the source, line and column', () => {
    const cases: [string, string, TableOptions, string][] = [
      ['no records', '', {}, 'data.csv: the file is empty'],
      ['a header only', 'a,b,label', {}, 'data.csv: no data rows after the header (line 1)'],
      ['a ragged row', 'a,b,label\n1,2,0\n1,2', {}, 'data.csv: line 3 has 2 fields, line 1 (the header) has 3'],
      ['text in a numeric column', 'a,b,label\n1,2,0\n1,x y,1', {}, 'data.csv: "x y" at line 3, column 2 ("b") is not a number'],
      ['NaN', 'a,b,label\n1,NaN,0', {}, 'data.csv: "NaN" at line 2, column 2 ("b") is not a finite number'],
      ['Infinity', 'a,b,label\n-Infinity,1,0', {}, 'data.csv: "-Infinity" at line 2, column 1 ("a") is not a finite number'],
      ['an empty cell', 'a,b,label\n1, ,0', {}, 'data.csv: empty cell at line 2, column 2 ("b"); every feature needs a number'],
      [
        '1e308',
        'a,b,label\n1,2,0\n1,1e308,1',
        {},
        'data.csv: "1e308" is too large for float32 at line 3, column 2 ("b") (float32 holds magnitudes up to about 3.4e38)',
      ],
      [
        '-1e308',
        'a,b,label\n-1e308,2,0',
        {},
        'data.csv: "-1e308" is too large for float32 at line 2, column 1 ("a") (float32 holds magnitudes up to about 3.4e38)',
      ],
      [
        'a regression label too large for float32',
        'a,y\n1,0.5\n2,4e38',
        { task: 'regression' },
        'data.csv: "4e38" is too large for float32 at line 3, column 2 ("y") (float32 holds magnitudes up to about 3.4e38)',
      ],
      ['an empty label', 'a,label\n1,\n2,1', {}, 'data.csv: empty label at line 2, column 2 ("label")'],
      ['a label column name not found', 'a,b,label\n1,2,0', { label: 'class' }, 'data.csv: no column is named "class" (columns: "a", "b", "label")'],
      [
        'a label name without a header',
        '1,2,0\n1,2,1',
        { label: 'class' },
        'data.csv: line 1 is data, not a header, so no column is named "class": give the label column\'s 0-based index',
      ],
      ['a label index out of range', 'a,b,label\n1,2,0', { label: 3 }, 'data.csv: there is no label column 3: the file has 3 columns (0-based indices 0 … 2)'],
      [
        'a mixed first row',
        'a,2,label\n1,2,0',
        {},
        'data.csv: line 1 is neither a header nor data: column 2 ("2") is a number but column 1 ("a") is not; name every column or none, or say whether line 1 is a header (header: true or false)',
      ],
      [
        'one column',
        'label\n1\n2',
        {},
        'data.csv: line 1 has a single column; a data set needs at least one feature column and a label column (is the delimiter right?)',
      ],
      [
        'text labels in a regression',
        'a,y\n1,cat',
        { task: 'regression' },
        'data.csv: label "cat" at line 2, column 2 ("y") is not a number; a regression needs numeric labels (text labels are classes)',
      ],
      [
        'fractions in a classification',
        'a,y\n1,0\n2,0.5',
        { task: 'classification' },
        'data.csv: label 0.5 at line 3, column 2 ("y") is not an integer; a class label is a whole number or text (or make the task a regression)',
      ],
      ['one class', 'a,y\n1,4\n2,4', {}, 'data.csv: every row has the label "4" (the label column "y"); a classification needs at least two classes'],
      ['an unknown task', 'a,y\n1,4', { task: 'ranking' as never }, "task must be one of 'classification', 'regression', 'auto', got 'ranking'"],
    ];
    it.each(cases)('%s', (_, text, options, message) => {
      expect(error(() => build(text, options)).message).toBe(message);
    });

    it('a decimal comma gets a hint', () => {
      expect(error(() => build('a;b;label\n1;2,5;0', {}, ';')).message).toBe(
        'data.csv: "2,5" at line 2, column 2 ("b") is not a number (a decimal comma? numbers need a decimal point)',
      );
    });

    it('unprintable characters in a cell are escaped', () => {
      expect(error(() => build('a,b,label\n1,\u0007x\u00a0\ufeff\t,0')).message).toBe(
        'data.csv: "\\u0007x\\u00a0\\ufeff\\t" at line 2, column 2 ("b") is not a number',
      );
      expect(error(() => build('a,b,label\n1,"q"\\,0')).message).toBe('data.csv: "\\"q\\"\\\\" at line 2, column 2 ("b") is not a number');
    });
  });
});

describe('DatasetBuilder.features: a table without a label', () => {
  it('every column is a feature, float32, with the header kept as names', () => {
    const f = features('a,b,c\n1,2.5,3\n4,5,6');
    expect(f).toEqual({ name: 'data.csv', x: { data: Float32Array.of(1, 2.5, 3, 4, 5, 6), rows: 2, cols: 3 }, featureNames: ['a', 'b', 'c'], header: true });
    expect(Object.keys(f).sort()).toEqual(['featureNames', 'header', 'name', 'x']);
  });

  it('a first row of numbers is data; header: true and false override the guess', () => {
    expect([features('1,2\n3,4').header, features('1,2\n3,4').x.rows, features('1,2\n3,4').featureNames]).toEqual([false, 2, ['column 1', 'column 2']]);
    expect(features('1,2\n3,4', { header: true }).featureNames).toEqual(['1', '2']);
    expect(error(() => features('a,b\n1,2', { header: false })).message).toBe('data.csv: "a" at line 1, column 1 ("column 1") is not a number');
  });

  it('a column dropped by name or by index is left out, text and all', () => {
    const byName = features('f1,species,f2\n5.1,setosa,3.5\n7,versicolor,3.2', { drop: 'species' });
    expect([byName.featureNames, Array.from(byName.x.data), byName.x.cols]).toEqual([['f1', 'f2'], [5.1, 3.5, 7, 3.2].map(Math.fround), 2]);
    const byIndex = features('5.1,3.5,setosa\n7,3.2,versicolor', { drop: 2 });
    expect([byIndex.header, byIndex.featureNames, Array.from(byIndex.x.data)]).toEqual([false, ['column 1', 'column 2'], [5.1, 3.5, 7, 3.2].map(Math.fround)]);
    expect(features('a,b\n1,2', { drop: null }).featureNames).toEqual(['a', 'b']);
  });

  it('errors name the line, the column and the cell, as with a label', () => {
    const cases: [string, string, FeatureTableOptions, string][] = [
      ['text in a column', 'a,b\n1,2\n3,x y', {}, 'data.csv: "x y" at line 3, column 2 ("b") is not a number'],
      ['an empty cell', 'a,b\n1,', {}, 'data.csv: empty cell at line 2, column 2 ("b"); every feature needs a number'],
      ['a ragged row', 'a,b\n1,2\n1', {}, 'data.csv: line 3 has 1 field, line 1 (the header) has 2'],
      ['a header only', 'a,b', {}, 'data.csv: no data rows after the header (line 1)'],
      ['no records', '', {}, 'data.csv: the file is empty'],
      [
        'a mixed first row',
        'a,2\n1,2',
        {},
        'data.csv: line 1 is neither a header nor data: column 2 ("2") is a number but column 1 ("a") is not; name every column or none, or say whether line 1 is a header (header: true or false)',
      ],
      ['a name to drop not in the header', 'a,b\n1,2', { drop: 'label' }, 'data.csv: no column is named "label" (columns: "a", "b")'],
      ['an index to drop out of range', 'a,b\n1,2', { drop: 2 }, 'data.csv: there is no column 2 to drop: the file has 2 columns (0-based indices 0 … 1)'],
      [
        'a name to drop without a header',
        '1,2\n3,4',
        { drop: 'label' },
        'data.csv: line 1 is data, not a header, so no column is named "label": give the 0-based index of the column to drop',
      ],
      ['twice the name to drop', 'y,a,y\n1,2,3', { drop: 'y' }, 'data.csv: line 1 names two columns "y" (columns 1 and 3); column names must differ'],
      ['the only column dropped', 'a\n1', { drop: 0 }, 'data.csv: line 1 has a single column; dropping it leaves no feature (is the delimiter right?)'],
      ['a bad drop', 'a,b\n1,2', { drop: -1 }, 'drop must be a column name or a 0-based column index, got -1'],
      ['a drop of the wrong type', 'a,b\n1,2', { drop: true as never }, 'drop must be a column name or a 0-based column index, got true'],
      ['a bad header option', 'a,b\n1,2', { header: 'yes' as never }, "header must be 'auto', true or false, got 'yes'"],
    ];
    for (const [what, text, options, message] of cases) expect(error(() => features(text, options)).message, what).toBe(message);
    expect(features('a\n1\n2').x).toEqual({ data: Float32Array.of(1, 2), rows: 2, cols: 1 });
  });
});

describe('quoteCell', () => {
  it('quotes like JSON and escapes what cannot be seen', () => {
    expect(quoteCell('a\tb\n"c"')).toBe('"a\\tb\\n\\"c\\""');
    expect(quoteCell('\u200b\u2028\u007f')).toBe('"\\u200b\\u2028\\u007f"');
    expect(quoteCell('é ü 名')).toBe('"é ü 名"');
  });

  it('cuts a long cell and says how long it was', () => {
    expect(quoteCell('x'.repeat(100))).toBe(`"${'x'.repeat(40)}…" (100 characters)`);
  });
});

describe('scaling fitted on chosen rows', () => {
  const x = () => ({ data: Float64Array.of(0, 10, 2, 10, 4, 10, 100, 10), rows: 4, cols: 2 });

  it("'minmax' on rows 0–2 maps them to [0, 1] and leaves row 3 where it falls", () => {
    const m = x();
    const s = fitScalingOn(m, [0, 1, 2], 'minmax');
    expect(s).toEqual({ kind: 'minmax', offset: [0, 10], scale: [4, 1] });
    expect(Array.from(scaleInPlace(m, s).data)).toEqual([0, 0, 0.5, 0, 1, 0, 25, 0]);
  });

  it("'standard' uses the mean and the population standard deviation of the chosen rows", () => {
    const s = fitScalingOn(x(), [0, 1, 2], 'standard');
    if (s.kind === 'none') throw new Error('kind');
    expect(s.offset).toEqual([2, 10]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(s.scale[1]).toBe(1);
    const all = fitScalingOn(x(), null, 'standard');
    expect(all.kind === 'standard' && all.offset[0]).toBe(26.5);
  });

  it("'none' changes nothing, and the fitting rows must exist", () => {
    const m = x();
    expect(scaleInPlace(m, fitScalingOn(m, null, 'none')).data).toEqual(x().data);
    expect(() => fitScalingOn(m, [4], 'minmax')).toThrow(/rows\[0\] must be a row index below 4, got 4/);
    expect(() => fitScalingOn(m, [], 'minmax')).toThrow(/no rows/);
    expect(() => scaleInPlace({ data: new Float32Array(3), rows: 1, cols: 3 }, fitScalingOn(m, null, 'minmax'))).toThrow(
      /the scaling has 2 columns, the data 3/,
    );
  });

  it('float32 features scale in place', () => {
    const ds = build('a,b,label\n1,-2,0\n3,6,1');
    scaleInPlace(ds.x, fitScalingOn(ds.x, null, 'minmax', ds.featureNames));
    expect(Array.from(ds.x.data)).toEqual([0, 0, 1, 1]);
  });

  it("one record for every kind: 'custom' scales like any other, 'none' is x", () => {
    const custom: FeatureScaling = { kind: 'custom', offset: [1, -2], scale: [2, 0.5] };
    expect(Array.from(scaleInPlace({ data: Float64Array.of(3, 0, 5, -1), rows: 2, cols: 2 }, custom).data)).toEqual([1, 4, 2, 2]);
    const kinds: ScalingKind[] = ['minmax', 'standard', 'none'];
    expect(kinds.map((k) => fitScalingOn(x(), null, k).kind)).toEqual(kinds);
    expect(() => fitScalingOn(x(), null, 'custom' as never)).toThrow(/scaling kind must be one of 'minmax', 'standard', 'none', got 'custom'/);
  });

  it('applyScaling is scaleInPlace on an f64 copy; the data given is never changed', () => {
    const s = fitScalingOn(x(), [0, 1, 2], 'minmax');
    const m = x();
    const copy = applyScaling(s, m);
    expect(copy).toEqual(scaleInPlace(x(), s));
    expect(m).toEqual(x());
    const rows = [
      [0, 10],
      [100, 10],
    ];
    expect(Array.from(applyScaling(s, rows).data)).toEqual([0, 0, 25, 0]);
    const f32 = { data: Float32Array.of(1, 2), rows: 1, cols: 2 };
    expect(applyScaling(undefined, f32)).toEqual({ data: Float64Array.of(1, 2), rows: 1, cols: 2 });
    expect(applyScaling({ kind: 'none' }, rows).data).toEqual(Float64Array.of(0, 10, 100, 10));
    expect(() => applyScaling(s, [[1, 2, 3]])).toThrow(/x must have 2 columns \(the inputs of the scaling\), got 3 in row 0/);
  });

  it('fitScaling on rows of numbers is fitScalingOn over every row, to the bit', () => {
    const rows = [
      [5.1, 3.5],
      [4.9, 3],
      [6.3, 3.3],
      [5.8, 2.7],
    ];
    const m = { data: Float64Array.from(rows.flat()), rows: 4, cols: 2 };
    for (const kind of ['minmax', 'standard', 'none'] as const) expect(fitScaling(kind, rows)).toEqual(fitScalingOn(m, null, kind));
    expect(() => fitScaling('minmax', [[1, NaN]])).toThrow(/x row 0, column 1 must be a finite number, got NaN/);
    expect(() => fitScaling('minmax', [[1e308], [-1e308]])).toThrow(/column 1: its values are too far apart to scale/);
  });

  it('a column whose range overflows a double is an error naming it, never NaN', () => {
    const m = { data: Float64Array.of(1, 1e308, 2, -1e308), rows: 2, cols: 2 };
    expect(() => fitScalingOn(m, null, 'minmax', ['a', 'b'])).toThrow(/column 2 \("b"\): its values are too far apart to scale/);
    expect(() => fitScalingOn(m, null, 'standard')).toThrow(/column 2: its values are too far apart to scale \('standard'/);
  });
});

describe('split', () => {
  const ds = (rows: number, name = 'data.csv') =>
    datasetFromTable({ header: ['a', 'b', 'label'], rows: Array.from({ length: rows }, (_, i) => [i, -i, i % 2]) }, { name });

  it('too few rows to hold out the fraction asked for, in the user’s terms', () => {
    expect(() => split(ds(2), 0.8)).toThrow(/^data\.csv: 2 rows, too few to hold out 20 % for testing \(at least 3 needed\)$/);
    expect(() => split(ds(1), 0.5)).toThrow(/^data\.csv: 1 row, too few to hold out 50 % for testing \(at least 2 needed\)$/);
    expect(() => split(ds(4), 0.1)).toThrow(/^data\.csv: 4 rows, too few to train on 10 % of them \(at least 5 needed\)$/);
    expect(() => splitInPlace(ds(2), 0.8)).toThrow(/2 rows, too few to hold out 20 %/);
    const { train, test } = split(ds(3), 0.8);
    expect([train.x.rows, test.x.rows]).toEqual([2, 1]);
  });

  it('splitInPlace gives the rows split gives, as views of the data set reordered', () => {
    const a = ds(101);
    const b = ds(101);
    const copy = split(a, 0.7, 9);
    const view = splitInPlace(b, 0.7, 9);
    for (const part of ['train', 'test'] as const) {
      expect(view[part].x).toEqual(copy[part].x);
      expect(view[part].y).toEqual(copy[part].y);
      expect(view[part].labels).toEqual(copy[part].labels);
      expect(view[part].name).toBe(copy[part].name);
    }
    expect(view.train.x.data.buffer).toBe(b.x.data.buffer);
  });

  it('subset and split keep a regression’s empty labels and the float32 arrays', () => {
    const r = build('a,y\n1,0.5\n2,1.5\n3,2.5\n4,3.5\n5,4.5', { task: 'regression' });
    const { train, test } = split(r, 0.6, 2);
    expect([train.labels.length, test.labels.length, train.x.data instanceof Float32Array]).toEqual([0, 0, true]);
    expect(Array.from(subset(r, [4, 0]).y.data)).toEqual([4.5, 0.5]);
  });
});

describe('where the data API lives', () => {
  it('the package entry exports the browser-safe data API, the same objects as ts/data.ts', () => {
    expect([api.DatasetBuilder, api.fitScalingOn, api.scaleInPlace, api.splitInPlace, api.guessTask]).toEqual([
      DatasetBuilder,
      fitScalingOn,
      scaleInPlace,
      splitInPlace,
      guessTask,
    ]);
    expect([api.applyScaling, api.fitScaling, api.TASKS]).toEqual([applyScaling, fitScaling, ['classification', 'regression']]);
  });

  it('none of its files imports Node', () => {
    for (const file of ['data', 'table', 'columns', 'growable', 'scaling'])
      expect(readFileSync(new URL(`../ts/${file}.ts`, import.meta.url), 'utf8')).not.toMatch(/from 'node:|\bBuffer\.\w|\brequire\(/);
  });
});
