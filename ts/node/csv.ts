/**
 * CSV files as data sets, in Node: the file is streamed through csv-parse (RFC 4180 quoting, so
 * fields may hold delimiters, quotes and line breaks; a byte-order mark and CRLF line ends are
 * understood) and each record goes straight into ../data.ts's `DatasetBuilder`, which keeps the
 * features in one float32 array that grows. Nothing holds the file's text or an array of rows, so
 * a file of any size reads in memory near 4 bytes per number it holds.
 *
 * Node only (node:fs, and csv-parse, a dependency the browser bundle must not have): nothing
 * reachable from ../index.ts imports this file.
 */
import { parse, type CsvError } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { DatasetBuilder, type TableDataset, type TableOptions } from '../data.js';
import { ArgumentError, fail, show } from '../errors.js';
import { checkOptionNames } from '../options.js';

export interface CsvOptions extends TableOptions {
  /**
   * The field delimiter (one or more characters; the two characters `\t` mean a tab). Default:
   * whichever of ',', ';' and tab line 1 holds most often outside quotes (',' if none).
   */
  delimiter?: string;
  /** Called as the file is read (about once a megabyte) and once at the end, with bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const CSV_OPTIONS: Record<keyof CsvOptions, true> = { label: true, task: true, header: true, delimiter: true, onProgress: true };

/** A data set read from a CSV file: `TableDataset` (features as float32) and the delimiter used. */
export interface CsvDataset extends TableDataset {
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
  if (typeof path !== 'string' || path === '') fail(`readCsvDataset needs a file path, got ${show(path)}`);
  checkOptionNames(options, Object.keys(CSV_OPTIONS));
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
  const total = info.size;
  const head = await readHead(path, Math.min(total, HEAD_BYTES));
  if (head.replace(/^\ufeff/, '').trim() === '') fail(`${path}: the file is empty`);
  delimiter ??= detectDelimiter(firstLine(head));

  const builder = new DatasetBuilder(path, options, reserveFor(head, total, delimiter));
  await new Promise<void>((resolve, reject) => {
    const input = createReadStream(path, { highWaterMark: HEAD_BYTES });
    const parser = parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: false });
    let settled = false;
    let bytes = 0;
    const stop = (e: unknown) => {
      if (settled) return;
      settled = true;
      input.destroy();
      parser.destroy();
      reject(e);
    };
    // The line each record starts on: records are counted here (csv-parse's own per-record
    // `info` costs half as much again as the parsing), so line breaks inside quoted fields count.
    let line = 1;
    input.on('data', (chunk) => {
      bytes += chunk.length;
      try {
        onProgress?.(bytes, total);
      } catch (e) {
        stop(e);
      }
    });
    input.on('error', (e) => stop(new Error(`${path}: ${e.message}`, { cause: e })));
    parser.on('error', (e) => stop(csvError(path, e as CsvError)));
    parser.on('readable', () => {
      try {
        for (let record: string[] | null; !settled && (record = parser.read() as string[] | null) !== null;) {
          builder.add(record, line);
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
  const ds = builder.finish();
  onProgress?.(total, total);
  return { ...ds, delimiter };
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

/** csv-parse's error as ours: the file first, then its message (which names the line), then what to do. */
function csvError(path: string, e: CsvError): Error {
  const hint: Record<string, string> = {
    CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
    INVALID_OPENING_QUOTE: 'a field that holds a quote must be quoted as a whole, with the quotes inside it doubled',
    CSV_INVALID_CLOSING_QUOTE: 'a field that holds a quote must be quoted as a whole, with the quotes inside it doubled',
  };
  const code = e.code as string | undefined;
  if (code === undefined) return new Error(`${path}: ${e.message}`, { cause: e });
  return new ArgumentError(`${path}: ${e.message}${hint[code] ? ` (${hint[code]})` : ''}`, { cause: e });
}
