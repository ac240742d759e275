/**
 * Exported models as files, in Node (re-exported by `wasm-backprop/node`): a TF.js Layers model as
 * a folder holding model.json and weights.bin, read back with the weight files its manifest names;
 * an ONNX model as one .onnx file. The formats are those of ./tfjs.ts and ./onnx.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { ArgumentError, fail, show } from '../errors.js';
import type { Model } from '../model.js';
import type { Network } from '../network.js';
import { makeFolder, writeAtomically, writeError } from '../node/files.js';
import { toOnnx, type OnnxExportOptions } from './onnx.js';
import { readTfjs, toTfjs, type TfjsArtifacts, type TfjsNetwork } from './tfjs.js';

export { toOnnx, ONNX_OPSET, ONNX_IR_VERSION, type OnnxExportOptions } from './onnx.js';

/** The longest model.json read (its weights are in separate files). */
const MAX_MODEL_JSON = 64 << 20;

function checkPath(path: unknown, what: string): string {
  if (typeof path !== 'string' || path === '') fail(`${what} needs a path, got ${show(path)}`);
  return path;
}

/** An error of `e`'s kind whose message starts with the path. */
function inFile(path: string, e: unknown): Error {
  if (!(e instanceof Error)) return new Error(`${path}: ${String(e)}`);
  const code = (e as NodeJS.ErrnoException).code;
  const message = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : e.message;
  const Kind = e instanceof ArgumentError ? ArgumentError : Error;
  return new Kind(message.startsWith(path) ? message : `${path}: ${message}`, { cause: e });
}

/**
 * Writes a network (or a model file's network) as a TF.js Layers model into folder `dir` (created
 * if missing): `model.json` and `weights.bin`. Resolves to the paths written.
 */
export async function saveTfjs(dir: string, source: Network | Model): Promise<{ modelJson: string; weights: string }> {
  checkPath(dir, 'saveTfjs');
  const { modelJson, weightData } = toTfjs(source);
  if ((await stat(dir).catch(() => null))?.isFile()) fail(`saveTfjs: ${dir} is a file; give a folder for model.json and weights.bin`);
  const paths = { modelJson: join(dir, 'model.json'), weights: join(dir, 'weights.bin') };
  await makeFolder(dir).catch((e: unknown) => {
    throw writeError(dir, e);
  });
  // Both written whole before either replaces the old one: a full disk leaves the old pair.
  await writeAtomically([
    [paths.weights, new Uint8Array(weightData)],
    [paths.modelJson, JSON.stringify(modelJson)],
  ]).catch((e: { path?: string }) => {
    throw writeError(e.path ?? dir, e);
  });
  return paths;
}

/**
 * Reads a TF.js Layers model from its model.json and the weight files its manifest names (paths
 * relative to model.json's folder, concatenated in manifest order).
 */
export async function loadTfjsArtifacts(path: string): Promise<TfjsArtifacts> {
  checkPath(path, 'loadTfjsArtifacts');
  let text: string;
  try {
    const s = await stat(path);
    if (s.isDirectory()) fail(`${path} is a folder: give its model.json`);
    if (s.size > MAX_MODEL_JSON) fail(`${path}: ${s.size} bytes, more than a model.json of Dense layers needs`);
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw inFile(path, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // The parser's message can quote the file's bytes: say what the file is not, in words.
    const onnx = /\.onnx$/i.test(path) ? ' (ONNX files can be exported, not imported)' : '';
    throw new ArgumentError(`${path} is not a TensorFlow.js model.json: it is not JSON text${onnx}`, { cause: e });
  }
  // The manifest itself is checked by readTfjs (after the format and the layers); here, only its paths.
  const manifest = (json as { weightsManifest?: unknown })?.weightsManifest;
  const files: Uint8Array[] = [];
  for (const [gi, group] of (Array.isArray(manifest) ? manifest : []).entries()) {
    const paths = (group as { paths?: unknown })?.paths;
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string'))
      fail(`${path}: weightsManifest[${gi}].paths must be a list of file names, got ${show(paths)}`);
    for (const p of paths as string[]) {
      const file = normalize(p);
      // The weights sit beside model.json: a manifest cannot point elsewhere on the disk.
      if (isAbsolute(file) || file.split(sep).includes('..') || /^[a-z]+:/i.test(p))
        fail(`${path}: weight file '${p}' is not a path inside model.json's folder`);
      const at = join(dirname(path), file);
      try {
        files.push(await readFile(at));
      } catch (e) {
        throw inFile(at, e);
      }
    }
  }
  const weightData = new Uint8Array(files.reduce((n, f) => n + f.byteLength, 0));
  let at = 0;
  for (const f of files) {
    weightData.set(f, at);
    at += f.byteLength;
  }
  return { modelJson: json as TfjsArtifacts['modelJson'], weightData: weightData.buffer };
}

/** A TF.js Layers model read from its model.json and weight files (see `readTfjs`); errors name the file. */
export async function loadTfjs(path: string): Promise<TfjsNetwork> {
  const { modelJson, weightData } = await loadTfjsArtifacts(path);
  return readTfjs(modelJson, weightData, path);
}

/** Writes a network (or a model file's network) as an ONNX model to `path`. Resolves to the bytes written. */
export async function saveOnnx(path: string, source: Network | Model, options?: OnnxExportOptions): Promise<Uint8Array> {
  checkPath(path, 'saveOnnx');
  const bytes = toOnnx(source, options);
  if ((await stat(path).catch(() => null))?.isDirectory()) fail(`saveOnnx: ${path} is a folder: give a file name, such as ${join(path, 'model.onnx')}`);
  await writeAtomically([[path, bytes]]).catch((e: unknown) => {
    throw writeError(path, e);
  });
  return bytes;
}
