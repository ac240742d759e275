/**
 * Trace folders on disk (Node only): `trace.json` and one `.npy` file per tensor
 * (docs/trace-format.md). Reading checks the configuration and every tensor the configuration
 * names, and says which file is missing or malformed.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fail } from '../errors.js';
import { makeFolder } from '../node/files.js';
import { checkTraceConfig, tensorNames, type Trace } from './format.js';
import { decodeNpy, encodeNpy, type NpyArray } from './npy.js';

/** Writes a trace into `folder` (created if needed; files of the same names are replaced). */
export async function writeTraceFolder(folder: string, trace: Trace): Promise<void> {
  await makeFolder(folder);
  await writeFile(join(folder, 'trace.json'), `${JSON.stringify(trace.config, null, 1)}\n`);
  for (const [name, array] of trace.tensors) {
    const path = join(folder, `${name}.npy`);
    await makeFolder(dirname(path));
    await writeFile(path, encodeNpy(array));
  }
}

/** Reads the trace in `folder`: its trace.json and every tensor it names; an error names the file. */
export async function readTraceFolder(folder: string): Promise<Trace> {
  const s = await stat(folder).catch(() => null);
  if (!s) fail(`${folder}: no such trace folder`);
  if (!s.isDirectory()) fail(`${folder} is not a folder (a trace is a folder holding trace.json)`);
  const where = join(folder, 'trace.json');
  const text = await readFile(where, 'utf8').catch(() => fail(`${folder}: no trace.json (is it a trace folder?)`));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(`${where}: not JSON (${(e as Error).message})`);
  }
  const config = checkTraceConfig(parsed, where);
  const tensors = new Map<string, NpyArray>();
  for (const t of tensorNames(config)) {
    const path = join(folder, `${t.name}.npy`);
    const bytes = await readFile(path).catch(() => null);
    // A missing tensor is left for compare to report in its place (a candidate may be partial).
    if (!bytes) continue;
    const array = decodeNpy(bytes, path);
    // A scalar saved as one value of shape (1,) is taken as the scalar it is.
    if (t.shape.length === 0 && array.shape.join(',') === '1') array.shape = [];
    if (array.shape.join(',') !== t.shape.join(',')) fail(`${path}: shape (${array.shape.join(', ')}), trace.json makes it (${t.shape.join(', ')})`);
    tensors.set(t.name, array);
  }
  return { config, tensors };
}
