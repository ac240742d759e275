/**
 * Trace folders on disk (Node only): `trace.json` and one `.npy` file per tensor
 * (docs/trace-format.md). Reading checks the configuration and every tensor the configuration
 * names, and says which file is missing or malformed.
 */
import { readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeUtf8, parseJson } from '../encoding.js';
import { fail } from '../errors.js';
import { failure, makeFolder } from '../node/files.js';
import { checkTraceConfig, tensorNames, type Trace } from './format.js';
import { decodeNpy, encodeNpy, type NpyArray } from './npy.js';

/**
 * Writes a trace into `folder` (created if needed; files of the same names are replaced). Where the
 * folder held a trace, its tensors that this one does not have (the later steps of a longer trace)
 * are removed, and the step folders they leave empty: nothing else in the folder is touched.
 */
export async function writeTraceFolder(folder: string, trace: Trace): Promise<void> {
  if ((await stat(folder).catch(() => null))?.isFile()) fail(`${folder} is a file: a trace is written into a folder (trace.json and .npy files)`);
  await makeFolder(folder).catch((e: unknown) => fail(`${folder}: cannot make the trace folder: ${failure(e)}`));
  const before = await formerTensors(folder);
  await writeFile(join(folder, 'trace.json'), `${JSON.stringify(trace.config, null, 1)}\n`);
  for (const [name, array] of trace.tensors) {
    const path = join(folder, `${name}.npy`);
    await makeFolder(dirname(path));
    await writeFile(path, encodeNpy(array));
  }
  const stale = before.filter((name) => !trace.tensors.has(name));
  for (const name of stale) await rm(join(folder, `${name}.npy`), { force: true });
  for (const sub of new Set(stale.map((name) => dirname(name)).filter((d) => d !== '.'))) await rmdir(join(folder, sub)).catch(() => undefined); // kept where not empty
}

/** The tensors the trace already in `folder` names (none where there is none, or it cannot be read). */
async function formerTensors(folder: string): Promise<string[]> {
  try {
    const config = checkTraceConfig(JSON.parse(await readFile(join(folder, 'trace.json'), 'utf8')), folder);
    return tensorNames(config).map((t) => t.name);
  } catch {
    return [];
  }
}

/** Reads the trace in `folder`: its trace.json and every tensor it names; an error names the file. */
export async function readTraceFolder(folder: string): Promise<Trace> {
  const s = await stat(folder).catch(() => null);
  if (!s) fail(`${folder}: no such trace folder`);
  if (!s.isDirectory()) fail(`${folder} is not a folder (a trace is a folder holding trace.json)`);
  const where = join(folder, 'trace.json');
  const bytes = await readFile(where).catch(() => fail(`${folder}: no trace.json (is it a trace folder?)`));
  // As a model file's text: a byte-order mark dropped, a syntax error named by line and column.
  const config = checkTraceConfig(parseJson(decodeUtf8(bytes, where), where), where);
  const tensors = new Map<string, NpyArray>();
  for (const t of tensorNames(config)) {
    const path = join(folder, `${t.name}.npy`);
    // A missing tensor is left for compare to report in its place (a candidate may be partial);
    // one that cannot be read (a folder of that name, no permission) is named.
    const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) =>
      e.code === 'ENOENT' ? null : fail(`${path}: ${e.code === 'EISDIR' ? 'is a folder, not a .npy file' : e.message}`),
    );
    if (!bytes) continue;
    const array = decodeNpy(bytes, path);
    // A scalar saved as one value of shape (1,) is taken as the scalar it is.
    if (t.shape.length === 0 && array.shape.join(',') === '1') array.shape = [];
    if (array.shape.join(',') !== t.shape.join(',')) fail(`${path}: shape (${array.shape.join(', ')}), trace.json makes it (${t.shape.join(', ')})`);
    tensors.set(t.name, array);
  }
  return { config, tensors };
}
