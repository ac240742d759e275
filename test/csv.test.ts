/**
 * ts/node/csv.ts: CSV files read as data sets, streamed through csv-parse. Quoting (delimiters and
 * line breaks inside fields), detected delimiters, byte-order marks and CRLF; headers decided or
 * refused; every error naming the file, the line (counted through quoted line breaks) and the
 * column; and a ~50 MB file read in memory near the float32 size of its numbers, with the numbers
 * an in-memory parse of its start gives. Files of features without a label (a column dropped by
 * name or index), read the same way; line 1 alone.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../ts/data.js';
import { ArgumentError } from '../ts/errors.js';
import { detectDelimiter, firstLine, readCsvDataset, readCsvFeatures, readCsvHeader, type CsvFeatureOptions, type CsvOptions } from '../ts/node/csv.js';
import * as node from '../ts/node/index.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wbp-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
let last = '';
/** Writes `text` to a new file in the temporary folder and returns its path. */
async function file(text: string | Buffer): Promise<string> {
  last = join(dir, `t${++files}.csv`);
  await writeFile(last, text);
  return last;
}

async function read(text: string, options: CsvOptions = {}) {
  return readCsvDataset(await file(text), options);
}

/** The error `p` rejects with, which must be an ArgumentError; its message with the last file's path as `<file>`. */
async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ArgumentError);
  return (e as Error).message.split(last).join('<file>');
}

describe('CSV syntax', () => {
  it('quoted fields hold delimiters, quotes and line breaks; later lines are still counted right', async () => {
    const text = 'a,"b, the second",label\n1,2,"cat, black"\n3,4,"dog\nbrown"\n5,6,"say ""hi"""\n7,x,cat, black\n';
    expect(await failure(read(text))).toBe('<file>: line 6 has 4 fields, line 1 (the header) has 3');
    const ds = await read(text.replace('7,x,cat, black\n', '7,8,"dog\nbrown"\n'));
    expect(ds.featureNames).toEqual(['a', 'b, the second']);
    expect(ds.classNames).toEqual(['cat, black', 'dog\nbrown', 'say "hi"']);
    expect(Array.from(ds.labels)).toEqual([0, 1, 2, 1]);
    expect(Array.from(ds.x.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await failure(read('a,b,label\n"1\n\n",2,x\n3,bad,y\n'))).toBe('<file>: "bad" at line 5, column 2 ("b") is not a number');
  });

  it.each([
    ['semicolons', 'a;b;label\n1.5;2;x\n3;4;y\n', ';'],
    ['tabs', 'a\tb\tlabel\n1.5\t2\tx\n3\t4\ty\n', '\t'],
    ['commas', 'a,b,label\n1.5,2,x\n3,4,y\n', ','],
    ['semicolons, with commas in quotes', '"a,1";"b,2";label\n1.5;2;x\n3;4;y\n', ';'],
  ])('the delimiter is detected: %s', async (_, text, delimiter) => {
    const ds = await read(text);
    expect(ds.delimiter).toBe(delimiter);
    expect(Array.from(ds.x.data)).toEqual([1.5, 2, 3, 4]);
  });

  it('or given: any string, and \\t for a tab', async () => {
    expect(Array.from((await read('a|b|label\n1|2|x\n3|4|y\n', { delimiter: '|' })).x.data)).toEqual([1, 2, 3, 4]);
    expect((await read('a\tb,c\tlabel\n1\t2\tx\n3\t4\ty\n', { delimiter: '\\t' })).featureNames).toEqual(['a', 'b,c']);
    expect(await failure(read('a,b\n1,2\n', { delimiter: '"' }))).toMatch(/options\.delimiter must be one or more characters other than quotes/);
  });

  it('detectDelimiter and firstLine look outside quotes only', () => {
    expect(detectDelimiter('a;b;"c,d,e"')).toBe(';');
    expect(detectDelimiter('abc')).toBe(',');
    expect(firstLine('\ufeff"a\nb",c\r\nd')).toBe('"a\nb",c');
  });

  it('a byte-order mark and CRLF line ends', async () => {
    const ds = await read('\ufeffname,value,label\r\n1,2,a\r\n\r\n3,4,b\r\n');
    expect(ds.featureNames).toEqual(['name', 'value']);
    expect([ds.x.rows, ds.labelName]).toEqual([2, 'label']);
    expect(await failure(read('\ufeffa,b,label\r\n1,2,a\r\n\r\n3,,b\r\n'))).toBe('<file>: empty cell at line 4, column 2 ("b"); every feature needs a number');
  });

  it('a quote never closed is named where it opens (csv-parse names the end of the file); a quote inside a field, by its column counted from 1', async () => {
    const doubled = '(a field that holds a quote must be quoted as a whole, with the quotes inside it doubled)';
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${i},x`).join('\n');
    expect(await failure(read(`a,b,label\n1,2,x\n3,"4,y\n${rows}\n`))).toBe(
      `<file>: line 3, column 2: a quoted field opens there and is never closed, to the end of the file ${doubled}`,
    );
    // A doubled quote inside a closed field, and a line break inside one, are not the open quote.
    expect(await failure(read(`a,b,label\n1,2,"say ""x""\nnow"\n"3,4,y\n${rows}\n`))).toBe(
      `<file>: line 4, column 1: a quoted field opens there and is never closed, to the end of the file ${doubled}`,
    );
    expect(await failure(read('a,b,label\n1,2,x\n3,4 "5",y\n'))).toBe(`<file>: line 3, column 2: a quote inside a field ${doubled}`);
  });
});

describe('labels and tasks', () => {
  it('text labels are classes; names kept in order of appearance', async () => {
    const ds = await read('x,y,animal\n1,2,dog\n3,4,cat\n5,6,dog\n');
    expect([ds.task, ds.classNames, ds.classes, Array.from(ds.labels)]).toEqual(['classification', ['dog', 'cat'], 2, [0, 1, 0]]);
    expect(ds.taskReason).toBe('the label column "animal" holds text (such as "dog")');
  });

  it('1-based labels: three classes named 1, 2, 3, no empty class 0', async () => {
    const ds = await read('x,label\n0.5,1\n0.25,2\n1,3\n2,2\n');
    expect([ds.classes, ds.classNames, ds.classValues, ds.y.cols]).toEqual([3, ['1', '2', '3'], [1, 2, 3], 3]);
    expect(Array.from(ds.y.data)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0]);
  });

  it('labels ≥ 2^31 are classes of their own', async () => {
    const ds = await read('x,id\n1,2147483648\n2,4294967296\n3,2147483648\n');
    expect([ds.classNames, Array.from(ds.labels)]).toEqual([
      ['2147483648', '4294967296'],
      [0, 1, 0],
    ]);
  });

  it('regression is guessed for fractional labels, and the reason given', async () => {
    const ds = await read('rooms,area,price\n3,70,250.5\n4,95,310\n2,50,180.25\n');
    expect([ds.task, ds.classes, ds.y.cols, Array.from(ds.y.data), ds.labels.length]).toEqual(['regression', 0, 1, [250.5, 310, 180.25], 0]);
    expect(ds.taskReason).toBe('the label column "price" holds numbers that are not integers (such as 250.5 at line 2)');
  });

  it('given classes: y in their order, with a column for each even where no row has it; one class alone is fine; a label not among them is named with its line', async () => {
    const ds = await read('x,animal\n1,dog\n3,dog\n5,cat\n', { classes: ['cat', 'bird', 'dog'] });
    expect([ds.task, ds.classNames, ds.classValues, Array.from(ds.labels), ds.y.cols]).toEqual(['classification', ['cat', 'bird', 'dog'], null, [2, 2, 0], 3]);
    expect(Array.from(ds.y.data)).toEqual([0, 0, 1, 0, 0, 1, 1, 0, 0]);
    const one = await read('x,label\n1,2\n3,2\n', { classes: [1, 2, 3] });
    expect([one.classNames, one.classValues, Array.from(one.labels)]).toEqual([
      ['1', '2', '3'],
      [1, 2, 3],
      [1, 1],
    ]);
    expect(await failure(read('x,animal\n1,dog\n\n3,dog\n5,tulip\n', { classes: ['cat', 'dog'] }))).toBe(
      '<file>: label "tulip" at line 5, column 2 ("animal") is not one of the classes "cat", "dog"',
    );
    expect(await failure(read('x,label\n1,2\n3,7\n', { classes: [1, 2] }))).toBe(
      '<file>: label "7" at line 3, column 2 ("label") is not one of the classes "1", "2"',
    );
    expect(await failure(read('x,y\n1,2\n', { classes: [] }))).toBe(
      'classes must be a non-empty array of class labels (text or numbers), got an array of length 0',
    );
    expect(await failure(read('x,y\n1,2\n', { classes: ['a', 'a'] }))).toBe('classes must be distinct: "a" is there twice');
    expect(await failure(read('x,y\n1,2\n', { classes: ['a'], task: 'regression' }))).toBe("classes are given for a classification; task is 'regression'");
  });

  it('the task and the label column can be given', async () => {
    const ds = await read('a,b,c\n1,2,3\n4,5,6\n', { label: 'a', task: 'regression' });
    expect([ds.labelName, ds.featureNames, Array.from(ds.y.data), ds.taskReason]).toEqual(['a', ['b', 'c'], [1, 4], 'asked for']);
    expect((await read('a,b,c\n1,2,3\n4,5,6\n', { label: 1, task: 'classification' })).classNames).toEqual(['2', '5']);
  });
});

describe('text encodings', () => {
  it('UTF-8 whose characters fall across the chunks the file is read in; Latin-1 refused with the line of its first byte that is not UTF-8', async () => {
    // 3 labels of 2-, 3- and 4-byte characters over ~600 KB: many fall across a chunk boundary.
    const labels = ['é', '€uro', '𝄞clef'];
    const label = (i: number) => `${labels[i % 3]}${'ü'.repeat(50 + (i % 5))}`;
    const lines = ['x,label', ...Array.from({ length: 30_000 }, (_, i) => `${i % 97},${label(i)}`)]; // 3.3 MB: 3 chunks of 1 MiB
    const ds = await read(lines.join('\n') + '\n');
    expect(ds.x.rows).toBe(30_000);
    expect(ds.classNames).toEqual(Array.from({ length: 15 }, (_, i) => label(i)));
    expect(Array.from(ds.labels.subarray(0, 20))).toEqual(Array.from({ length: 20 }, (_, i) => i % 15));
    // The same in Latin-1: é is the byte 0xE9, at line 2.
    const latin1 = Buffer.from('x,grade\n0.1,\xe9\n0.2,\xe8\n0.3,a\n', 'latin1');
    expect(await failure(readCsvDataset(await file(latin1)))).toBe(
      '<file>: line 2 is not UTF-8 text (byte 0xE9, 12 bytes in): save the file as UTF-8 (a spreadsheet\'s "CSV UTF-8"); in Latin-1 or Windows-1252, different labels would become one',
    );
    // Far into a large file: the line is counted over every chunk before it.
    const deep = Buffer.concat([Buffer.from(lines.slice(0, 20_001).join('\n') + '\n'), Buffer.from('1,caf\xe9\n', 'latin1')]);
    expect(await failure(readCsvDataset(await file(deep)))).toMatch(/^<file>: line 20002 is not UTF-8 text \(byte 0xE9, \d+ bytes in\)/);
    // A UTF-16 file (its byte-order mark says so) is read as such.
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('x,grade\n0.1,é\n0.2,è\n', 'utf16le')]);
    expect((await readCsvDataset(await file(utf16))).classNames).toEqual(['é', 'è']);
    const be = Buffer.from(utf16.subarray(0));
    be.swap16(); // big-endian, its byte-order mark FE FF
    expect(await failure(readCsvDataset(await file(be)))).toBe(
      '<file> is UTF-16 big-endian text (its byte-order mark says so), which is not read: save it as UTF-8 (or UTF-16LE)',
    );
  });

  it('a NUL byte is refused with its line (it became part of a label: "no" and "no\\0" two classes), in a header too; UTF-16 without a byte-order mark is named', async () => {
    for (const [text, line] of [
      ['x,label\n0.1,yes\n0.2,no\n0.3,no\0\n', 4],
      ['x,lab\0el\n0.1,yes\n0.2,no\n', 1],
    ] as const)
      expect(await failure(readCsvDataset(await file(text)))).toMatch(
        new RegExp(`^<file>: line ${line} holds a NUL byte \\(\\d+ bytes in\\): not a text file, or UTF-16 text without its byte-order mark$`),
      );
    expect(await failure(readCsvDataset(await file(Buffer.from('x,label\n0.1,yes\n', 'utf16le'))))).toMatch(/^<file>: line 1 holds a NUL byte \(1 bytes in\)/);
  });
});

describe('numbers JavaScript reads and a CSV file does not mean', () => {
  it('hexadecimal, binary and octal cells are refused as features, and are no numeric label (0x10 was read as 16)', async () => {
    for (const cell of ['0x10', '0b11', '0o7', ' 0X1F'])
      expect(await failure(readCsvDataset(await file(`a,b,label\n1,${cell},2\n3,4,5\n`)))).toBe(
        `<file>: ${JSON.stringify(cell)} at line 2, column 2 ("b") is not a number (hexadecimal, binary and octal numbers are not read: write it in decimal)`,
      );
    // A label 0x10 is text: a class of its own beside 16, and no number a regression takes.
    expect((await readCsvDataset(await file('a,label\n1,0x10\n2,16\n3,0x10\n'))).classNames).toEqual(['0x10', '16']);
    expect(await failure(readCsvDataset(await file('a,label\n1,0x10\n2,16.5\n3,17.25\n'), { task: 'regression' }))).toMatch(
      /^<file>: label "0x10" at line 2, column 2 \("label"\) is not a number; a regression needs numeric labels/,
    );
  });
});

describe('the header line', () => {
  it('a first row of numbers is data, named column 1 …, and kept', async () => {
    const ds = await read('1,2,0\n3,4,1\n');
    expect([ds.header, ds.x.rows, ds.featureNames, ds.labelName]).toEqual([false, 2, ['column 1', 'column 2'], 'column 3']);
  });

  it('a first row of names and numbers is refused', async () => {
    expect(await failure(read('id,2021,label\n1,2,0\n'))).toBe(
      '<file>: line 1 is neither a header nor data: column 2 ("2021") is a number but column 1 ("id") is not; name every column or none, or say whether line 1 is a header (header: true or false)',
    );
    expect((await read('id,2021,label\n1,2,0\n3,4,1\n', { header: true })).featureNames).toEqual(['id', '2021']);
  });
});

describe('errors name the file, line and column', () => {
  it.each<[string, string | Buffer, CsvOptions, string]>([
    ['an empty file', '', {}, 'the file is empty'],
    ['a file of a byte-order mark and blank lines', '\ufeff\n\r\n  \n', {}, 'the file is empty'],
    ['a header only', 'a,b,label\n', {}, 'no data rows after the header (line 1)'],
    ['a ragged row', 'a,b,label\n1,2,x\n3,4\n', {}, 'line 3 has 2 fields, line 1 (the header) has 3'],
    ['text in a numeric column', 'a,b,label\n1,2,x\n3,four,y\n', {}, '"four" at line 3, column 2 ("b") is not a number'],
    ['a missing label column', 'a,b,label\n1,2,x\n', { label: 'class' }, 'no column is named "class" (columns: "a", "b", "label")'],
    [
      'a label index given as text',
      'a,b,label\n1,2,x\n',
      { label: '0' },
      'no column is named "0" (for the column at index 0, give the number 0) (columns: "a", "b", "label")',
    ],
    ['NaN', 'a,b,label\n1,2,x\nnan,4,y\n', {}, '"nan" at line 3, column 1 ("a") is not a finite number'],
    ['an empty cell', 'a,b,label\n1,,x\n', {}, 'empty cell at line 2, column 2 ("b"); every feature needs a number'],
    ['1e308', 'a,b,label\n1,2,x\n3,1e308,y\n', {}, '"1e308" is too large for float32 at line 3, column 2 ("b") (float32 holds magnitudes up to about 3.4e38)'],
    ['-1e308', 'a,b,label\n-1e308,2,x\n', {}, '"-1e308" is too large for float32 at line 2, column 1 ("a") (float32 holds magnitudes up to about 3.4e38)'],
    ['unprintable characters', 'a,b,label\n1,"\u0001\u001b[31m",x\n', {}, '"\\u0001\\u001b[31m" at line 2, column 2 ("b") is not a number'],
    [
      'text labels in a regression',
      'a,y\n1,2\n2,high\n',
      { task: 'regression' },
      'label "high" at line 3, column 2 ("y") is not a number; a regression needs numeric labels (text labels are classes)',
    ],
  ])('%s', async (_, text, options, message) => {
    expect(await failure(readCsvDataset(await file(text), options))).toBe(`<file>: ${message}`);
  });

  it('two columns of one name (columns are found by name: the second would be taken for the first)', async () => {
    expect(await failure(read('x,y,x,label\n1,2,3,a\n4,5,6,b\n'))).toBe('<file>: line 1 names two columns "x" (columns 1 and 3); column names must differ');
  });

  it('a file that is not there, a folder, a misspelt option', async () => {
    await expect(readCsvDataset(join(dir, 'none.csv'))).rejects.toThrow(/none\.csv: no such file/);
    await expect(readCsvDataset(dir)).rejects.toThrow(/is a directory, not a CSV file/);
    // A pipe (such as /dev/stdin from `cat data.csv |`) is named as one, not called empty.
    const fifo = join(dir, 'pipe.csv');
    if (spawnSync('mkfifo', [fifo]).status === 0)
      await expect(readCsvDataset(fifo)).rejects.toThrow(
        `${fifo} is not a file but a pipe, which can be read only once: save the data to a file and give its path`,
      );
    const path = await file('a,b\n1,2\n');
    expect(await failure(readCsvDataset(path, { delimter: ';' } as never))).toBe(
      "unknown option 'delimter' (known: label, task, header, classes, delimiter, onProgress)",
    );
  });
});

describe('features without a label (readCsvFeatures)', () => {
  const features = async (text: string, options: CsvFeatureOptions = {}) => readCsvFeatures(await file(text), options);

  it('a file of features only: every column, with its name, as float32', async () => {
    const f = await features('"width, cm";height\n1.5;2\n3;4.25\n');
    expect(f).toEqual({
      name: last,
      x: { data: Float32Array.of(1.5, 2, 3, 4.25), rows: 2, cols: 2 },
      featureNames: ['width, cm', 'height'],
      header: true,
      delimiter: ';',
    });
  });

  it('the label column of a labelled file dropped by name or by 0-based index', async () => {
    const text = 'f1,species,f2\n5.1,setosa,3.5\n7,"versi\ncolor",3.2\n';
    for (const drop of ['species', 1]) {
      const f = await features(text, { drop });
      expect([f.featureNames, Array.from(f.x.data), f.x.rows]).toEqual([['f1', 'f2'], [5.1, 3.5, 7, 3.2].map(Math.fround), 2]);
    }
    expect(await failure(features(text, { drop: 'label' }))).toBe('<file>: no column is named "label" (columns: "f1", "species", "f2")');
    expect(await failure(features(text))).toBe('<file>: "setosa" at line 2, column 2 ("species") is not a number');
  });

  it('no header: a first row of numbers is data, the columns are column 1 …', async () => {
    const f = await features('1,2,0\n3,4,1\n');
    expect([f.header, f.featureNames, f.x.rows, Array.from(f.x.data)]).toEqual([false, ['column 1', 'column 2', 'column 3'], 2, [1, 2, 0, 3, 4, 1]]);
    const dropped = await features('1,2,cat\n3,4,dog\n', { drop: 2 });
    expect([dropped.header, dropped.featureNames, Array.from(dropped.x.data)]).toEqual([false, ['column 1', 'column 2'], [1, 2, 3, 4]]);
    expect(await failure(features('1,2,cat\n', { drop: 'cat', header: false }))).toBe(
      '<file>: line 1 is data, not a header, so no column is named "cat": give the 0-based index of the column to drop',
    );
  });

  it('a bad cell is named by line (through quoted line breaks), column and escaped text', async () => {
    expect(await failure(features('a,b,note\n1,2,"x\ny"\n3,"4\u0007",z\n', { drop: 'note' }))).toBe(
      '<file>: "4\\u0007" at line 4, column 2 ("b") is not a number',
    );
    expect(await failure(features('a,b\n1,2\n3\n'))).toBe('<file>: line 3 has 1 field, line 1 (the header) has 2');
    expect(await failure(features('a,b\n1,1e39\n'))).toBe(
      '<file>: "1e39" is too large for float32 at line 2, column 2 ("b") (float32 holds magnitudes up to about 3.4e38)',
    );
    expect(await failure(features(''))).toBe('<file>: the file is empty');
  });

  it('progress, and the options checked by name', async () => {
    const path = await file('a,b\n1,2\n');
    const seen: number[] = [];
    await readCsvFeatures(path, { onProgress: (done) => seen.push(done) });
    expect(seen.at(-1)).toBe(8);
    expect(await failure(readCsvFeatures(path, { label: 'a' } as never))).toBe("unknown option 'label' (known: header, drop, delimiter, onProgress)");
    await expect(readCsvFeatures('')).rejects.toThrow(/readCsvFeatures needs a file path, got ''/);
  });
});

describe('line 1 alone (readCsvHeader)', () => {
  it('the fields of line 1, quoted ones too, and whether it reads as a header', async () => {
    expect(await readCsvHeader(await file('\ufeff"a;b";" c ";"d\ne"\n1;2;3\n'))).toEqual({ fields: ['a;b', 'c', 'd\ne'], header: true, delimiter: ';' });
    expect(await readCsvHeader(await file('1,2,setosa\n3,4,x\n'))).toEqual({ fields: ['1', '2', 'setosa'], header: false, delimiter: ',' });
    expect(await readCsvHeader(await file('a|b\n'), { delimiter: '|' })).toEqual({ fields: ['a', 'b'], header: true, delimiter: '|' });
  });

  it('reads nothing after line 1 (the first that is not blank)', async () => {
    const path = await file('\n\nx,y\n1,"unclosed\n');
    expect(await readCsvHeader(path)).toEqual({ fields: ['x', 'y'], header: true, delimiter: ',' });
    expect(await failure(readCsvDataset(path))).toMatch(/^<file>: line 4, column 2: a quoted field opens there and is never closed/);
  });

  it('errors: an empty file, a misspelt option', async () => {
    expect(await failure(readCsvHeader(await file('\n\n')))).toBe('<file>: the file is empty');
    expect(await failure(readCsvHeader(await file('a,b\n'), { drop: 1 } as never))).toBe("unknown option 'drop' (known: delimiter, header)");
  });

  it('the Node entry re-exports the three readers', () => {
    expect([node.readCsvDataset, node.readCsvFeatures, node.readCsvHeader]).toEqual([readCsvDataset, readCsvFeatures, readCsvHeader]);
  });
});

describe('a ~50 MB file', () => {
  // value(r, c) = (r·7 + c·3) mod 16 / 4: short text ("2.25"), exact in float32; label r mod 5.
  const cols = 12;
  const value = (r: number, c: number) => ((r * 7 + c * 3) % 16) / 4;
  let path = '';
  let rows = 0;

  beforeAll(async () => {
    path = join(dir, 'big.csv');
    const out = createWriteStream(path);
    out.write(`${Array.from({ length: cols }, (_, c) => `f${c}`).join(',')},label\n`);
    let bytes = 0;
    while (bytes < 50e6) {
      let chunk = '';
      for (let k = 0; k < 4096; k++, rows++) {
        for (let c = 0; c < cols; c++) chunk += `${value(rows, c)},`;
        chunk += `${rows % 5}\n`;
      }
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }, 60_000);

  it('reads in memory near the float32 size of its numbers, with the numbers of an in-memory parse', async () => {
    const size = (await stat(path)).size;
    const float32 = rows * (cols + 1) * 4;
    const before = process.memoryUsage().rss;
    let peak = before;
    const progress: number[] = [];
    const ds = await readCsvDataset(path, {
      onProgress: (done, total) => {
        expect(total).toBe(size);
        progress.push(done);
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = peak - before;
    console.log(
      `${(size / 1e6).toFixed(1)} MB of CSV, ${rows} rows × ${cols + 1} numbers = ${(float32 / 1e6).toFixed(1)} MB as float32; ` +
        `peak RSS growth ${(growth / 1e6).toFixed(1)} MB (${(growth / float32).toFixed(2)}×)`,
    );
    expect(growth).toBeLessThan(3 * float32);
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toBe(size);
    expect(progress.every((b, i) => i === 0 || b >= progress[i - 1])).toBe(true);

    expect([ds.x.rows, ds.x.cols, ds.classes, ds.task]).toEqual([rows, cols, 5, 'classification']);
    expect(ds.x.data.length).toBe(rows * cols);
    let wrong = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) if (ds.x.data[r * cols + c] !== value(r, c)) wrong++;
      if (ds.labels[r] !== r % 5) wrong++;
    }
    expect(wrong).toBe(0);

    // The first 2000 lines, parsed in memory by the other reader.
    const { createReadStream } = await import('node:fs');
    let head = '';
    for await (const chunk of createReadStream(path, { end: 200_000, encoding: 'utf8' })) head += chunk;
    const table = parseCsv(head.split('\n').slice(0, 2001).join('\n'), 'head');
    expect(table.rows).toHaveLength(2000);
    table.rows.forEach((row, r) => {
      expect(Array.from(ds.x.data.subarray(r * cols, (r + 1) * cols))).toEqual(row.slice(0, cols));
      expect(Number(ds.classNames[ds.labels[r]])).toBe(row[cols]);
    });
  }, 60_000);
});
