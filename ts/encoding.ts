/**
 * The text encodings of the model file (./model.ts), without Node's Buffer (browser builds have
 * none): numbers as little-endian IEEE 754 bytes in base64 (RFC 4648, padded), exact to the bit
 * (−0 included); JSON written for reading and parsed with errors that name the position; UTF-8.
 */
import { fail, printable, show } from './errors.js';

/** The element types a model file stores. */
export type Dtype = 'float32' | 'float64';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Base64 of `bytes` (RFC 4648, padded), without Node's Buffer. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const codes = new Uint16Array(4 * 4096);
  for (let start = 0; start < bytes.length; start += 3 * 4096) {
    const end = Math.min(bytes.length, start + 3 * 4096);
    let o = 0;
    for (let i = start; i < end; i += 3) {
      const n = (bytes[i] << 16) | ((i + 1 < end ? bytes[i + 1] : 0) << 8) | (i + 2 < end ? bytes[i + 2] : 0);
      codes[o++] = B64.charCodeAt(n >>> 18);
      codes[o++] = B64.charCodeAt((n >>> 12) & 63);
      codes[o++] = i + 1 < end ? B64.charCodeAt((n >>> 6) & 63) : 61;
      codes[o++] = i + 2 < end ? B64.charCodeAt(n & 63) : 61;
    }
    parts.push(String.fromCharCode.apply(null, codes.subarray(0, o) as unknown as number[]));
  }
  return parts.join('');
}

/** How many bytes a base64 text holds, from its length and padding alone (so before any allocation). */
function base64Bytes(text: string, what: string): number {
  if (text.length % 4 !== 0) fail(`${what}: not base64: ${text.length} characters, not a multiple of 4`);
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - pad;
}

/** The bytes of a base64 text whose length `base64Bytes` has checked. */
export function fromBase64(text: string, what = 'base64'): Uint8Array {
  const out = new Uint8Array(base64Bytes(text, what));
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      let d = c < 128 ? B64_VALUE[c] : -1;
      // '=' only as the padding of the last group (base64Bytes counted it)
      if (d < 0 && c === 61 && i + 4 === text.length && (k === 3 || (k === 2 && text.charCodeAt(i + 3) === 61))) d = 0;
      if (d < 0) fail(`${what}: not base64: character ${i + k} is ${show(text[i + k])}`);
      n = (n << 6) | d;
    }
    for (let s = 16; s >= 0 && o < out.length; s -= 8) out[o++] = (n >>> s) & 255;
  }
  return out;
}

/** `values` in `dtype`, little-endian, base64. */
export function encodeNumbers(values: ArrayLike<number>, dtype: Dtype): string {
  const size = dtype === 'float32' ? 4 : 8;
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (size === 4) view.setFloat32(i * 4, values[i], true);
    else view.setFloat64(i * 8, values[i], true);
  }
  return toBase64(bytes);
}

/** `count` finite numbers of `dtype` from base64: the length is checked before anything is allocated. */
export function decodeNumbers(text: unknown, dtype: Dtype, count: number, what: string, counted: string): Float64Array {
  if (typeof text !== 'string') fail(`${what}.base64 must be a string, got ${show(text)}`);
  const size = dtype === 'float32' ? 4 : 8;
  const bytes = base64Bytes(text, `${what}.base64`);
  if (bytes !== count * size) fail(`${what}: ${bytes} bytes of ${dtype} data, expected ${count * size} (${count} ${counted})`);
  const view = new DataView(fromBase64(text, `${what}.base64`).buffer);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = size === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    if (!Number.isFinite(v)) fail(`${what}[${i}] is ${v}; every value must be finite`);
    out[i] = v;
  }
  return out;
}

/** JSON indented by one space, with arrays of numbers or strings and objects of them on one line each. */
export function formatJson(value: unknown, indent = ''): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const inner = `${indent} `;
  const flat = Object.values(value).every((v) => typeof v !== 'object' || v === null);
  if (Array.isArray(value)) {
    if (flat) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  const line = `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
  if (flat && line.length <= 120) return line;
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

/**
 * Where JSON.parse stopped, from its message: a position (V8, most messages), the end (unexpected
 * end), a line and column (Firefox), or V8's context snippet around an unexpected token (10
 * characters either side); −1 if the message says none of these.
 */
function errorPosition(message: string, text: string): number {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (/end of (JSON|data)/i.test(message)) return text.length;
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return text.split('\n', Number(lineColumn[1]) - 1).reduce((n, l) => n + l.length + 1, 0) + Number(lineColumn[2]) - 1;
  const token = /Unexpected token '(.)', (\.\.\.)?"([^]*?)"(\.\.\.)? is not valid JSON/.exec(message);
  if (!token) return -1;
  const [, char, before, snippet, after] = token;
  return before ? text.indexOf(snippet) + 10 : after ? snippet.length - 10 : text.indexOf(char);
}

/**
 * The value of a JSON text, or an error "`what`: the text is not JSON at position p of n (line l,
 * column c) (the engine's message)"; for a text that is empty or ends inside its value, says so.
 */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (text.trim() === '') return fail(`${what}: the text is ${text === '' ? 'empty' : 'only white space'}`);
    const message = (e as Error).message;
    const pos = errorPosition(message, text);
    const lines = text.slice(0, Math.max(0, pos)).split('\n');
    const where = `position ${pos} of ${text.length} (line ${lines.length}, column ${lines[lines.length - 1].length + 1})`;
    if (pos === text.length) return fail(`${what}: the text ends inside its JSON value, at ${where}: truncated?`);
    // One line: the engine's message may quote the text, line breaks and control characters all;
    // the position it names is said once, above.
    const said = printable(message.replace(/ (?:in|after) JSON at position \d+(?: \(line \d+ column \d+\))?/, ''));
    return fail(`${what}: the text is not JSON${pos < 0 ? '' : ` at ${where}`} (${said})`);
  }
}

/** The text of UTF-8 bytes (a byte order mark dropped), or an error "`what`: the bytes are not UTF-8 text". */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  if (!(bytes instanceof Uint8Array)) fail(`${what}: expected a Uint8Array, got ${show(bytes)}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(`${what}: the bytes are not UTF-8 text`);
  }
}
