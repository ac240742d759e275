/** Argument checks that throw one clear error naming the problem, before any engine sees the input. */

/** An argument that does not meet the API's contract. */
export class ArgumentError extends TypeError {
  override name = 'ArgumentError';
}

export function fail(message: string): never {
  throw new ArgumentError(message);
}

/** `what` must be an integer in [min, max]. */
export function checkInteger(value: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(`${what} must be an integer, got ${show(value)}`);
  if (value < min || value > max) fail(`${what} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** `what` must be a finite number ≥ 0 (or > 0 when `positive`). */
export function checkRate(value: unknown, what: string, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${what} must be a finite number, got ${show(value)}`);
  if (value < 0 || (positive && value === 0)) fail(`${what} must be ${positive ? '> 0' : '≥ 0'}, got ${value}`);
  return value;
}

/** `value` must be one of `allowed`. */
export function checkOneOf<T extends string>(value: unknown, what: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    fail(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

/** An error's message on one line (webpack's failed chunk load spans two). */
export const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');

/** Why the wasm engine could not load, from the loader's error (for `engine: 'auto'`'s fallback). */
export const wasmUnavailable = (e: unknown): string => `the wasm engine could not load (${oneLine(e).replace(/\.$/, '')})`;

/** `text` with its control characters (a binary file read as text, line breaks) as escapes, not as themselves. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Items for a message: the first `max`, and how many more ("1, 2, 3, 4 and 7 more"). */
export function listed(items: readonly (string | number)[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

export function show(value: unknown): string {
  if (typeof value === 'string') return `'${printable(value)}'`;
  if (typeof value === 'bigint') return `${value}n (a BigInt)`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return String(value);
}
