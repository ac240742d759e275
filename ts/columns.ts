/**
 * Line 1 of a table and its columns: whether it is a header or data, the columns' names, a column
 * chosen by name or 0-based index (the label, or a column to drop); and cells as error messages
 * show them. Used by ./table.ts (`DatasetBuilder`) and ./data.ts (`parseCsv`).
 *
 * Browser-safe: nothing here imports Node.
 */
import { fail, show } from './errors.js';

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

/** The index of the first item that repeats one before it, or -1 (names, classes and inputs must differ). */
export function firstRepeated<T>(items: readonly T[]): number {
  const seen = new Set<T>();
  for (let i = 0; i < items.length; i++) {
    if (seen.has(items[i])) return i;
    seen.add(items[i]);
  }
  return -1;
}

/** `n word` or `n words`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Whether JavaScript reads `cell` as a hexadecimal, binary or octal number (0x10, 0b11, 0o7), which
 * a CSV file does not mean as one. Cheap for the cells of numbers: the pattern runs only where the
 * second character is a letter above 'a' or the cell starts with a space.
 */
export function nonDecimal(cell: string): boolean {
  return ((cell.charCodeAt(1) | 32) > 97 || cell.charCodeAt(0) <= 32) && /^\s*0[box]/i.test(cell);
}

/** Whether a cell reads as a number (NaN and infinities included: they are numbers, if bad ones; 0x10 is not). */
export function looksNumeric(cell: string): boolean {
  const t = cell.trim();
  return t !== '' && !nonDecimal(t) && (!Number.isNaN(Number(t)) || /^[+-]?(nan|inf(inity)?)$/i.test(t));
}

/** Whether line 1 reads as a header without being told: it has a cell of text and none that reads as a number. */
export function readsAsHeader(cells: readonly string[]): boolean {
  return cells.some((c) => c.trim() !== '') && !cells.some(looksNumeric);
}

/**
 * Whether line 1 (`cells`) is a header, as `header` says or, for 'auto', from its cells but the
 * column `skip` (the label's, or the one to drop; a name or a 0-based index; null: none): all text
 * is a header, all numbers is data, a mix is refused. Empty cells count as neither. A column given
 * by name that line 1 holds makes it a header.
 */
export function isHeader(cells: readonly string[], header: 'auto' | boolean, skip: string | number | null, source: string, line = 1): boolean {
  if (header === true || header === false) return header;
  if (typeof skip === 'string' && cells.some((c) => c.trim() === skip)) return true;
  const skipAt = typeof skip === 'number' ? skip : -1;
  let number = -1;
  let text = -1;
  cells.forEach((c, j) => {
    if (j === skipAt || c.trim() === '') return;
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
export function columnNames(cells: readonly string[], header: boolean): string[] {
  return cells.map((c, j) => (header && c.trim() !== '' ? c.trim() : `column ${j + 1}`));
}

/**
 * The 0-based index of the column `column` (a name from the header, or an index), which is the
 * option `role`: 'label' (the label column) or 'drop' (a column to leave out). Errors name the
 * source and list the columns.
 */
export function columnIndex(column: string | number, role: 'label' | 'drop', names: readonly string[], header: boolean, source: string, line = 1): number {
  const n = names.length;
  const give = role === 'label' ? "the label column's 0-based index" : 'the 0-based index of the column to drop';
  if (typeof column === 'number') {
    if (!Number.isInteger(column) || column < 0) fail(`${role} must be a column name or a 0-based column index, got ${show(column)}`);
    if (column >= n) {
      const none = role === 'label' ? `there is no label column ${column}` : `there is no column ${column} to drop`;
      fail(`${source}: ${none}: the file has ${plural(n, 'column')} (0-based indices 0 … ${n - 1})`);
    }
    return column;
  }
  if (typeof column !== 'string' || column === '') fail(`${role} must be a column name or a 0-based column index, got ${show(column)}`);
  const digits = /^\d+$/.test(column) ? ` (for the column at index ${column}, give the number ${column})` : '';
  if (!header) fail(`${source}: line ${line} is data, not a header, so no column is named ${quoteCell(column)}: give ${give}`);
  const at = names.flatMap((name, j) => (name === column ? [j] : []));
  if (at.length === 0) fail(`${source}: no column is named ${quoteCell(column)}${digits} (columns: ${names.map((c) => quoteCell(c)).join(', ')})`);
  return at[0]; // one: a header naming two columns alike is refused before (../table.ts)
}
