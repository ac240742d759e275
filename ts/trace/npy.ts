/**
 * NumPy's `.npy` format (version 1.0 written; 1.0, 2.0 and 3.0 read), for the tensors of a trace:
 * readable by NumPy, PyTorch, Julia (NPZ.jl), C++ (cnpy) and Rust (ndarray-npy) without this package.
 * Little-endian float32 ('<f4') and float64 ('<f8'), C order. No Node imports: bytes in, bytes out.
 */
import { fail } from '../errors.js';

export type NpyArray = { shape: number[]; data: Float32Array | Float64Array };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The bytes of a `.npy` file holding `data` with `shape` (C order). */
export function encodeNpy(a: NpyArray): Uint8Array {
  const count = a.shape.reduce((p, n) => p * n, 1);
  if (count !== a.data.length) fail(`encodeNpy: shape [${a.shape.join(', ')}] holds ${count} values, the data ${a.data.length}`);
  const descr = a.data instanceof Float32Array ? '<f4' : '<f8';
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic, version, header length, header padded with spaces and ended by \n to a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + a.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  out.set(body, 10 + header.length); // little-endian hosts (every WebAssembly host is)
  return out;
}

/** The array in a `.npy` file; `name` (the file) starts every error. */
export function decodeNpy(bytes: Uint8Array, name: string): NpyArray {
  const bad = (why: string): never => fail(`${name}: not a .npy file this reader takes: ${why}`);
  const unread = (why: string): never => fail(`${name}: a .npy file this reader does not take: ${why}`);
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) bad('it does not start with \\x93NUMPY');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3 || bytes[7] !== 0) unread(`format version ${major}.${bytes[7]} (1.0, 2.0 and 3.0 are read)`);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLen > bytes.length) bad('the header runs past the end of the file');
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  // A Python dict literal of exactly descr, fortran_order and shape, as NumPy writes and reads it.
  const entry = String.raw`'(\w+)'\s*:\s*(?:'[^']*'|True|False|\([^)]*\))`;
  if (!new RegExp(String.raw`^\{\s*${entry}\s*,\s*${entry}\s*,\s*${entry}\s*,?\s*\}\s*$`).test(header))
    bad(`the header is not a dict of descr, fortran_order and shape: ${JSON.stringify(header.trim().slice(0, 80))}`);
  const keys = [...header.matchAll(new RegExp(entry, 'g'))].map((m) => m[1]).sort();
  if (keys.join() !== 'descr,fortran_order,shape') bad(`the header's keys are ${keys.join(', ')}, not descr, fortran_order and shape`);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? bad('the header has no descr');
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? bad('the header has no fortran_order');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? bad('the header has no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : bad(`the shape (${shapeText}) is not a tuple of sizes`)));
  if (fortran === 'True') unread('Fortran order (write it in C order, e.g. numpy.ascontiguousarray)');
  const width =
    descr === '<f4' || descr === '=f4' || descr === '|f4'
      ? 4
      : descr === '<f8' || descr === '=f8'
        ? 8
        : unread(`dtype '${descr}' (little-endian float32 '<f4' or float64 '<f8' are read)`);
  const count = shape.reduce((p, n) => p * n, 1);
  const body = start + headerLen;
  if (bytes.length - body !== count * width) bad(`shape (${shapeText}) needs ${count * width} bytes of data, the file has ${bytes.length - body}`);
  // Copied: the file's bytes need not be aligned for a typed array.
  const data = width === 4 ? new Float32Array(count) : new Float64Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(body, body + count * width));
  return { shape, data };
}
