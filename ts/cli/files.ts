/**
 * The files the commands write: a path given by an option is checked before any work is done, so
 * a long training never ends on a path that cannot take its result.
 */
import { existsSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { descriptorOf, failure, makeFolder, writeError } from '../node/files.js';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from '../errors.js';

/** The data sets built in: the package's CSV files. */
export const BUILTIN = { digits: new URL('../../data/digits.csv', import.meta.url), iris: new URL('../../data/iris.csv', import.meta.url) };

/** The file of the data `spec` names: 'digits', 'iris' (the files built in) or a CSV path, which must exist. */
export function dataFile(spec: string): string {
  if (Object.hasOwn(BUILTIN, spec)) return fileURLToPath(BUILTIN[spec as keyof typeof BUILTIN]);
  if (!existsSync(spec)) fail(`${spec}: no such file (the data is 'digits' or 'iris', the data sets built in, or a CSV file)`);
  return spec;
}

/** Files a command reads or writes already, each with what it is in the user's terms ('the data file being read'); undefined where not given. */
export type Reads = ReadonlyArray<readonly [what: string, path: string | undefined]>;

/** Whether `a` and `b` name the same file: the same path, or (through links too) the same device and inode. */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [s, t] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  return s !== null && t !== null && s.isFile() && s.dev === t.dev && s.ino === t.ino;
}

/**
 * Refuses to write `path` (from `option`) where it is one of the files the command reads (what is
 * made from a file would replace it: an export over its own model, predictions over their data)
 * or writes otherwise.
 */
export async function notRead(path: string, option: string, reads: Reads): Promise<void> {
  for (const [what, file] of reads) {
    if (file !== undefined && (await sameFile(path, file))) fail(`${option} ${path} is ${what}: give another file`);
  }
}

/**
 * The file `path` (from `option`) names, its folder made where missing. A path that names a folder
 * (an existing one, or one ending in a separator) becomes the file `inFolder` in it where one is
 * given, else it is refused, suggesting `example` in that folder. It may not be one of `reads`.
 */
export async function outputFile(path: string, option: string, example: string, inFolder: string | undefined, reads: Reads): Promise<string> {
  // An open descriptor (/dev/stdout), a pipe or a device is written in place, as it is (../node/files.ts).
  const fd = await descriptorOf(path).catch((e: Error) => fail(`${option} ${path}: ${e.message}`));
  if (fd !== null) return path;
  const found = await stat(path).catch(() => null);
  if (found && !found.isFile() && !found.isDirectory()) return path;
  const folder = /[\\/]$/.test(path) || found?.isDirectory() === true;
  if (folder) {
    if (inFolder === undefined) fail(`${option} ${path} is a folder: give a file name, such as ${join(path, example)}`);
    path = join(path, inFolder);
  }
  await notRead(path, option, reads);
  try {
    await makeFolder(dirname(path));
  } catch (e) {
    fail(`${option} ${path}: cannot make its folder ${dirname(path)}: ${failure(e)}`);
  }
  // A file can be made there (the result is written beside, then renamed over it): found now, not
  // after a long training.
  const probe = join(dirname(path), `.${basename(path)}.${process.pid}.probe.tmp`);
  try {
    await (await open(probe, 'wx')).close();
  } catch (e) {
    fail(`${option} ${writeError(path, e).message}`);
  } finally {
    await rm(probe, { force: true });
  }
  return path;
}
