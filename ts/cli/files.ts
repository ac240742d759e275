/**
 * The files the commands write: a path given by an option is checked before any work is done, so
 * a long training never ends on a path that cannot take its result.
 */
import { open, rm, stat } from 'node:fs/promises';
import { failure, makeFolder, writeError } from '../node/files.js';
import { basename, dirname, join } from 'node:path';
import { fail } from '../errors.js';

/**
 * The file `path` (from `option`) names, its folder made where missing. A path that names a folder
 * (an existing one, or one ending in a separator) becomes the file `inFolder` in it where one is
 * given, else it is refused, suggesting `example` in that folder.
 */
export async function outputFile(path: string, option: string, example: string, inFolder?: string): Promise<string> {
  const found = await stat(path).catch(() => null);
  // A pipe or a device (/dev/stdout) is written in place, as it is (../node/files.ts).
  if (found && !found.isFile() && !found.isDirectory()) return path;
  const folder = /[\\/]$/.test(path) || found?.isDirectory() === true;
  if (folder) {
    if (inFolder === undefined) fail(`${option} ${path} is a folder: give a file name, such as ${join(path, example)}`);
    path = join(path, inFolder);
  }
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
