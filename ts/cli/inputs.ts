/**
 * The model's inputs and a file's columns, matched by name (the CLI's train --resume, predict and
 * evaluate): where the file has a header and the model names its inputs, in any order.
 */
import { fail } from '../errors.js';
import type { Model } from '../model.js';
import type { TableFeatures } from '../table.js';

/** A column name a file without a header line gets ('column 3'). */
export const unnamed = (name: string): boolean => /^column \d+$/.test(name);

/** The model's inputs by name: its features, where it records names and not the 'column k' of a file without a header. */
export function namedInputs(model: Model): string[] | null {
  const features = model.data?.features;
  return features && !features.every(unnamed) ? features : null;
}

/** The feature columns `x` (named `names`) in the order of the model's inputs, where the model names them and the file did. */
export function inModelOrder(model: Model, x: TableFeatures['x'], names: string[], header: boolean, path: string): TableFeatures['x'] {
  const named = header ? namedInputs(model) : null;
  if (!named || named.join('\u0000') === names.join('\u0000')) return x;
  const at = named.map((f) => names.indexOf(f));
  const missing = named.filter((_, k) => at[k] < 0);
  if (missing.length > 0 || names.length !== named.length)
    fail(`${path}: the feature columns ${names.join(', ')} are not the model's inputs (${named.join(', ')})`);
  const data = new Float32Array(x.rows * x.cols);
  for (let r = 0; r < x.rows; r++) for (let k = 0; k < x.cols; k++) data[r * x.cols + k] = x.data[r * x.cols + at[k]];
  return { data, rows: x.rows, cols: x.cols };
}

/**
 * The model's label column in a file of `columns` columns: its name where this file has a header
 * and the model a name for it; else its 0-based position in the file trained on (`labelColumn`, or
 * the 'column 3' of a file without a header); else undefined (the last column, as training takes it).
 */
export function modelLabel(model: Model, columns: number, header: boolean): string | number | undefined {
  const { label, labelColumn } = model.data ?? {};
  const at = /^column (\d+)$/.exec(label ?? '');
  if (header && label !== undefined && !at) return label;
  const index = at ? Number(at[1]) - 1 : labelColumn;
  return index !== undefined && index < columns ? index : undefined;
}
