/**
 * CSV files in Node: as data sets (`readCsvDataset`), as features without a label to predict on
 * (`readCsvFeatures`), or just their first line (`readCsvHeader`). The file is streamed through
 * csv-parse (RFC 4180 quoting, so fields may hold delimiters, quotes and line breaks; a byte-order
 * mark and CRLF line ends are understood) and each record goes straight into ../table.ts's
 * `DatasetBuilder`, which keeps the features in one float32 array that grows. Nothing holds the
 * file's text or an array of rows, so a file of any size reads in memory near 4 bytes per number
 * it holds.
 *
 * Node only (node:fs, and csv-parse, a dependency the browser bundle must not have): nothing
 * reachable from ../index.ts imports this file.
 */
import { parse, type CsvError } from 'csv-parse';
import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { readsAsHeader } from '../columns.js';
import { ArgumentError, fail, show } from '../errors.js';
import { checkOptionNames } from '../options.js';
import { DatasetBuilder, type FeatureTableOptions, type TableDataset, type TableFeatures, type TableOptions } from '../table.js';

/** How a CSV file is read, besides the table's own options. */
interface CsvReading {
  /**
   * The field delimiter (one or more characters; the two characters `\t` mean a tab). Default:
   * whichever of ',', ';' and tab line 1 holds most often outside quotes (',' if none).
   */
  delimiter?: string;
  /** Called as the file is read (about once a megabyte) and once at the end, with bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** How `readCsvDataset` reads a file: the table's options (label, task, header), the delimiter and progress. */
export interface CsvOptions extends TableOptions, CsvReading {}

/** How `readCsvFeatures` reads a file: header and the column to drop, the delimiter and progress. */
export interface CsvFeatureOptions extends FeatureTableOptions, CsvReading {}

const CSV_OPTIONS: Record<keyof CsvOptions, true> = { label: true, task: true, header: true, classes: true, delimiter: true, onProgress: true };
const FEATURE_OPTIONS: Record<keyof CsvFeatureOptions, true> = { header: true, drop: true, delimiter: true, onProgress: true };

/** A data set read from a CSV file: `TableDataset` (features as float32) and the delimiter used. */
export interface CsvDataset extends TableDataset {
  /** The field delimiter, as given or as detected. */
  delimiter: string;
}

/** Features read from a CSV file without a label: `TableFeatures` (float32) and the delimiter used. */
export interface CsvFeatures extends TableFeatures {
  /** The field delimiter, as given or as detected. */
  delimiter: string;
}

/** Line 1 of a CSV file (the first that is not blank). */
export interface CsvHeader {
  /** Its fields, trimmed (as `label` and `drop` match column names). */
  fields: string[];
  /** Whether it reads as a header: a field of text and none that is a number (header 'auto' also refuses a mix). */
  header: boolean;
  /** The field delimiter, as given or as detected. */
  delimiter: string;
}

/** How many bytes of the file's start are read to find the delimiter and guess the size of the data. */
const HEAD_BYTES = 1 << 20;

/**
 * Reads a CSV file as a data set, streamed. Errors are `ArgumentError`s of one line naming the
 * file, and where it applies the line (1-based, counting every line of the file), the column
 * (1-based, with its name) and the cell; see `DatasetBuilder` and `TableOptions` for the header,
 * the label column and the task. The task decided and why are in `task` and `taskReason`.
 *
 * Every number is stored as float32: |v| ≥ 3.4e38 is refused as too large for float32, and other
 * values are rounded to float32's 24 significant bits.
 */
export async function readCsvDataset(path: string, options: CsvOptions = {}): Promise<CsvDataset> {
  const file = await openCsv('readCsvDataset', path, options, CSV_OPTIONS);
  const ds = await build(file, new DatasetBuilder(path, options, file.reserve), options.onProgress);
  return { ...ds, delimiter: file.delimiter };
}

/**
 * Reads a CSV file of features without a label (data to predict on), streamed: every column is a
 * feature but `options.drop` (a name or 0-based index; such as the label column of a file that
 * has one). The same reading, checks and errors as `readCsvDataset`, by the same `DatasetBuilder`.
 */
export async function readCsvFeatures(path: string, options: CsvFeatureOptions = {}): Promise<CsvFeatures> {
  const file = await openCsv('readCsvFeatures', path, options, FEATURE_OPTIONS);
  const features = await build(file, DatasetBuilder.features(path, options, file.reserve), options.onProgress);
  return { ...features, delimiter: file.delimiter };
}

/**
 * Line 1 of a CSV file (the first that is not blank), parsed as `readCsvDataset` parses it
 * (quoted fields too), and nothing after it: the columns, before choosing the label or the column
 * to drop.
 */
export async function readCsvHeader(path: string, options: { delimiter?: string; header?: 'auto' | boolean } = {}): Promise<CsvHeader> {
  const file = await openCsv('readCsvHeader', path, options, { delimiter: true, header: true });
  const given = options.header ?? 'auto';
  if (given !== 'auto' && given !== true && given !== false) fail(`header must be 'auto', true or false, got ${show(given)}`);
  let first: string[] | null = null;
  await eachRecord(file, (record) => {
    if (record.length === 1 && record[0].trim() === '') return true;
    first = record;
    return false;
  });
  if (first === null) fail(`${path}: the file is empty`);
  const fields = (first as string[]).map((f) => f.trim());
  return { fields, header: given === 'auto' ? readsAsHeader(fields) : given, delimiter: file.delimiter };
}

/** A CSV file about to be read: its path, size, delimiter, and how many numbers to reserve room for. */
interface CsvFile {
  path: string;
  total: number;
  delimiter: string;
  reserve: number;
}

/** The options checked (`known` names them), the file found and not empty, and its delimiter decided. */
async function openCsv(reader: string, path: string, options: CsvReading, known: Record<string, true>): Promise<CsvFile> {
  if (typeof path !== 'string' || path === '') fail(`${reader} needs a file path, got ${show(path)}`);
  if (typeof options !== 'object' || options === null) fail(`options must be an object, got ${show(options)}`);
  checkOptionNames(options, Object.keys(known));
  const { onProgress } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') fail(`options.onProgress must be a function, got ${show(onProgress)}`);
  let delimiter = options.delimiter === '\\t' ? '\t' : options.delimiter;
  if (delimiter !== undefined && (typeof delimiter !== 'string' || delimiter === '' || /["\r\n]/.test(delimiter))) {
    fail(`options.delimiter must be one or more characters other than quotes and line breaks, got ${show(options.delimiter)}`);
  }
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(e.code === 'ENOENT' ? `${path}: no such file` : `${path}: ${e.message}`, { cause: e });
  });
  if (info.isDirectory()) fail(`${path} is a directory, not a CSV file`);
  // A pipe (/dev/stdin, <(…)) can be read once, and a CSV is read more than once (its start for
  // the delimiter, then whole; the CLI reads line 1 apart).
  if (!info.isFile())
    fail(
      `${path} is not a file but ${info.isFIFO() ? 'a pipe' : info.isSocket() ? 'a socket' : 'a device'}, which can be read only once: save the data to a file and give its path`,
    );
  const total = info.size;
  const head = await readHead(path, Math.min(total, HEAD_BYTES));
  if (head.replace(/^\ufeff/, '').trim() === '') fail(`${path}: the file is empty`);
  delimiter ??= detectDelimiter(firstLine(head));
  return { path, total, delimiter, reserve: reserveFor(head, total, delimiter) };
}

/** Every record of the file into `builder`, then what it makes; progress by bytes read. */
async function build<R extends TableFeatures>(file: CsvFile, builder: DatasetBuilder<R>, onProgress?: CsvReading['onProgress']): Promise<R> {
  await eachRecord(
    file,
    (record, line) => {
      builder.add(record, line);
      return true;
    },
    onProgress,
  );
  const made = builder.finish();
  onProgress?.(file.total, file.total);
  return made;
}

/**
 * Streams the file's records to `take`, with the line each starts on (1-based), until the end or
 * until `take` returns false. An error thrown by `take` or `onProgress` stops the reading and rejects.
 */
function eachRecord(file: CsvFile, take: (record: string[], line: number) => boolean, onProgress?: CsvReading['onProgress']): Promise<void> {
  const { path, total, delimiter } = file;
  return new Promise<void>((resolve, reject) => {
    const input = createReadStream(path, { highWaterMark: HEAD_BYTES });
    const parser = parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: false });
    let settled = false;
    let bytes = 0;
    const stop = (e: unknown) => {
      if (settled) return;
      settled = true;
      input.destroy();
      parser.destroy();
      if (e === null) resolve();
      else reject(e);
    };
    // The line each record starts on: records are counted here (csv-parse's own per-record
    // `info` costs half as much again as the parsing), so line breaks inside quoted fields count.
    let line = 1;
    const utf8 = new Utf8Check();
    input.on('data', (chunk) => {
      const at = bytes;
      bytes += chunk.length;
      try {
        // Before the parser sees the chunk (it is piped after this listener): text that is not
        // UTF-8 would reach it as U+FFFD, and labels that differ there become one class.
        const bad = utf8.check(chunk as Buffer, at);
        if (bad === -1)
          return stop(new ArgumentError(`${path} is UTF-16 big-endian text (its byte-order mark says so), which is not read: save it as UTF-8 (or UTF-16LE)`));
        if (bad !== null) return stop(notUtf8(path, bad));
        onProgress?.(bytes, total);
      } catch (e) {
        stop(e);
      }
    });
    input.on('error', (e) => stop(new Error(`${path}: ${e.message}`, { cause: e })));
    parser.on('error', (e) => void csvError(path, e as CsvError, delimiter).then(stop));
    parser.on('readable', () => {
      try {
        for (let record: string[] | null; !settled && (record = parser.read() as string[] | null) !== null;) {
          if (!take(record, line)) return stop(null);
          line += 1 + lineBreaks(record);
        }
      } catch (e) {
        stop(e);
      }
    });
    parser.on('end', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    input.pipe(parser);
  });
}

/**
 * Checks a file's bytes, chunk by chunk, for UTF-8 (a character may be cut between chunks); a file
 * that starts with a UTF-16 byte-order mark is left to csv-parse, which reads it as UTF-16.
 */
class Utf8Check {
  private carry: Buffer = Buffer.alloc(0);
  private utf16 = false;

  /** The file offset of the first byte that is not UTF-8 (or is a NUL) in `chunk` (which starts at `offset`), or null; -1 for UTF-16 big-endian. */
  check(chunk: Buffer, offset: number): number | null {
    if (offset === 0 && chunk.length >= 2 && chunk[0] === 0xfe && chunk[1] === 0xff) return -1; // UTF-16 big-endian: not read
    if (offset === 0 && chunk.length >= 2 && chunk[0] === 0xff && chunk[1] === 0xfe) this.utf16 = true;
    if (this.utf16) return null;
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const start = offset - this.carry.length;
    const end = completeUtf8(bytes);
    this.carry = Buffer.from(bytes.subarray(end));
    if (!isUtf8(bytes.subarray(0, end))) return start + firstNonUtf8(bytes.subarray(0, end));
    // A NUL is UTF-8, but no text's: it would end up inside a label or a column name.
    const nul = bytes.subarray(0, end).indexOf(0);
    return nul < 0 ? null : start + nul;
  }
}

/** The length of the longest start of `b` that does not end inside a multi-byte character. */
function completeUtf8(b: Buffer): number {
  for (let i = b.length - 1; i >= Math.max(0, b.length - 4); i--) {
    const c = b[i];
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return b.length - i < need ? i : b.length;
  }
  return b.length;
}

/** Where the first byte of `b` that is not valid UTF-8 is (b is known to hold one). */
function firstNonUtf8(b: Buffer): number {
  for (let i = 0; i < b.length;) {
    const n = b[i] < 0x80 ? 1 : b[i] >= 0xc2 && b[i] < 0xe0 ? 2 : b[i] >= 0xe0 && b[i] < 0xf0 ? 3 : b[i] >= 0xf0 && b[i] < 0xf5 ? 4 : 0;
    if (n === 0 || !isUtf8(b.subarray(i, i + n))) return i;
    i += n;
  }
  return b.length;
}

/** The error of a file that is not UTF-8 at byte `offset`, naming its line. */
function notUtf8(path: string, offset: number): Error {
  const head = Buffer.alloc(offset + 1);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, offset + 1, 0);
  } finally {
    closeSync(fd);
  }
  let line = 1;
  for (let i = head.indexOf(10); i >= 0 && i < offset; i = head.indexOf(10, i + 1)) line++;
  if (head[offset] === 0)
    return new ArgumentError(`${path}: line ${line} holds a NUL byte (${offset} bytes in): not a text file, or UTF-16 text without its byte-order mark`);
  const byte = head[offset].toString(16).toUpperCase().padStart(2, '0');
  return new ArgumentError(
    `${path}: line ${line} is not UTF-8 text (byte 0x${byte}, ${offset} bytes in): save the file as UTF-8 (a spreadsheet's "CSV UTF-8"); in Latin-1 or Windows-1252, different labels would become one`,
  );
}

/** The first `n` bytes of a file, as text (a character cut at the end becomes U+FFFD). */
async function readHead(path: string, n: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(n);
    const { bytesRead } = await file.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

/** Line 1 of a CSV text: up to the first line break outside quotes, without a byte-order mark. */
export function firstLine(text: string): string {
  let quoted = false;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) return text.slice(start, i);
  }
  return text.slice(start);
}

/** The delimiter of a CSV line: whichever of ',', ';' and tab it holds most often outside quotes (',' on a tie or none). */
export function detectDelimiter(line: string): string {
  const counts = new Map([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

/**
 * Feature values to reserve room for: from the bytes per value at the file's start, for the whole
 * file, with a margin (a reservation is address space, not memory, where buffers are resizable).
 */
function reserveFor(head: string, total: number, delimiter: string): number {
  let fields = 1;
  for (let i = head.indexOf(delimiter); i >= 0; i = head.indexOf(delimiter, i + delimiter.length)) fields++;
  for (let i = head.indexOf('\n'); i >= 0; i = head.indexOf('\n', i + 1)) fields++;
  return Math.ceil((1.5 * total * fields) / Math.max(1, head.length)) + 1024;
}

/** Line breaks inside a record's fields (\r\n, \n or \r; only quoted fields can hold them). */
function lineBreaks(record: readonly string[]): number {
  let n = 0;
  for (const cell of record) {
    if (cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) continue;
    for (let i = 0; i < cell.length; i++) {
      const c = cell.charCodeAt(i);
      if (c === 10 || (c === 13 && cell.charCodeAt(i + 1) !== 10)) n++;
    }
  }
  return n;
}

/**
 * csv-parse's error as ours: the file, the line and column (counted from 1), what is wrong and what
 * to do. A quote never closed is named where it opens, found by `openQuote` (csv-parse names the
 * file's end); other errors keep csv-parse's message.
 */
async function csvError(path: string, e: CsvError, delimiter: string): Promise<Error> {
  const code = e.code as string | undefined;
  const info = e as unknown as { lines?: number; column?: number | string };
  const doubled = 'a field that holds a quote must be quoted as a whole, with the quotes inside it doubled';
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    const at = await openQuote(path, delimiter).catch(() => null);
    const where = at ? `line ${at.line}, column ${at.column}: a quoted field opens there` : `a quoted field opens before line ${info.lines}`;
    return new ArgumentError(`${path}: ${where} and is never closed, to the end of the file (${doubled})`, { cause: e });
  }
  if ((code === 'INVALID_OPENING_QUOTE' || code === 'CSV_INVALID_CLOSING_QUOTE') && typeof info.column === 'number')
    return new ArgumentError(`${path}: line ${info.lines}, column ${info.column + 1}: a quote inside a field (${doubled})`, { cause: e });
  if (code === undefined) return new Error(`${path}: ${e.message}`, { cause: e });
  return new ArgumentError(`${path}: ${e.message}`, { cause: e });
}

/** Where the quoted field that is never closed opens: quotes counted through the file (a doubled quote inside a field counts twice). */
async function openQuote(path: string, delimiter: string): Promise<{ line: number; column: number } | null> {
  let [line, column, quoted, open] = [1, 1, false, null as { line: number; column: number } | null];
  let fieldStart = true;
  for await (const chunk of createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === '"') {
        if (!quoted && fieldStart) open = { line, column };
        quoted = !quoted;
      } else if (!quoted && c === '\n') [line, column] = [line + 1, 1];
      else if (quoted && c === '\n') line++;
      else if (!quoted && c === delimiter[0]) column++;
      fieldStart = !quoted && (c === delimiter[0] || c === '\n');
    }
  }
  return quoted ? open : null;
}
