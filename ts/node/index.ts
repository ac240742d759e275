/**
 * The Node entry (`wasm-backprop/node`): model files, saved atomically and loaded back (the
 * formats and checks are those of ../model.ts; this file adds only the file system), and CSV files
 * read streamed (./csv.ts, re-exported).
 *
 * Saving is atomic (./files.ts, `writeAtomically`): a crash or a full disk leaves either the old
 * model or the new one, never part of one.
 */
import { readFile, stat } from 'node:fs/promises';
import { ArgumentError, fail, show } from '../errors.js';
import {
  checkModel,
  loadNetwork,
  MAX_MODEL_TEXT,
  modelFromBytes,
  modelToBytes,
  toModel,
  type LoadNetworkOptions,
  type Model,
  type ModelExtra,
} from '../model.js';
import { Network } from '../network.js';
import { writeAtomically, writeError } from './files.js';

export type { Model, ModelExtra, LoadNetworkOptions } from '../model.js';
export {
  readCsvDataset,
  readCsvFeatures,
  readCsvHeader,
  type CsvOptions,
  type CsvFeatureOptions,
  type CsvDataset,
  type CsvFeatures,
  type CsvHeader,
} from './csv.js';
export {
  verify,
  formatReport,
  relativeError,
  DEFAULT_CASES,
  TARGETS,
  type VerifyCase,
  type VerifyReport,
  type VerifyRow,
  type VerifyOptions,
} from '../verify.js';
export { nodeWorker, fromNodeWorker, nodeWorkerScript } from '../worker/node.js';
// Threads for Network.create({ threads }) and fit (importing them registers them).
export { environment as threadsEnvironment } from '../threads/index.js';
export * from '../export/node.js';

/** An error of `e`'s kind whose message starts with the file's path. */
function inFile(path: string, e: unknown): Error {
  if (!(e instanceof Error)) return new Error(`${path}: ${String(e)}`);
  const Kind = e instanceof ArgumentError ? ArgumentError : Error;
  return new Kind(e.message.startsWith(path) ? e.message : `${path}: ${e.message}`, { cause: e });
}

function checkPath(path: unknown, what: string): string {
  if (typeof path !== 'string' || path === '') fail(`${what} needs a file path, got ${show(path)}`);
  return path;
}

/** `path`'s stat, or null if nothing is there. */
async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw inFile(path, e);
  }
}

/**
 * Writes a model (or a network, as `toModel(network, extra)`) to `path`, atomically: the file holds
 * the old model or the new one at every moment. Resolves to the model written.
 */
export async function saveModel(path: string, source: Model | Network, extra?: ModelExtra): Promise<Model> {
  checkPath(path, 'saveModel');
  if (!(source instanceof Network) && extra !== undefined) fail('saveModel: extra applies to a network only (a model holds its history and data already)');
  const model = source instanceof Network ? toModel(source, extra) : checkModel(source);
  const bytes = modelToBytes(model);
  if ((await stat(path).catch(() => null))?.isDirectory()) fail(`saveModel: ${path} is a directory, not a model file`);
  await writeAtomically([[path, bytes]]).catch((e: unknown) => {
    throw writeError(path, e);
  });
  return model;
}

/** Reads and checks the model in `path`; an error names the file and the field. */
export async function loadModel(path: string): Promise<Model> {
  checkPath(path, 'loadModel');
  const s = await statOrNull(path);
  if (!s) throw new Error(`${path}: no such model file`);
  if (s.isDirectory()) fail(`${path} is a directory, not a model file`);
  if (s.size > 3 * MAX_MODEL_TEXT) fail(`${path}: ${s.size} bytes, more than a model text can hold`);
  try {
    return modelFromBytes(await readFile(path));
  } catch (e) {
    throw inFile(path, e);
  }
}

/** A network from the model in `path` (see `loadNetwork`). */
export async function loadNetworkFile(path: string, options?: LoadNetworkOptions): Promise<Network> {
  const model = await loadModel(path);
  try {
    return await loadNetwork(model, options);
  } catch (e) {
    throw inFile(path, e);
  }
}
export { readTraceFolder, writeTraceFolder } from '../trace/folder.js';
