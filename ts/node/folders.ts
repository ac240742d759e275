/**
 * Folders made on disk (Node only), for the files the CLI and the Node helpers write.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Makes the folder `path` and every missing folder above it, one at a time from the top, as
 * `mkdir -p` does; an error is that of the first folder that cannot be made (its `code`: ENOENT,
 * EACCES, ENOTDIR…). Not `mkdir(path, { recursive: true })`: where a folder exists that cannot hold
 * folders (`/proc`), Node's retries it forever, between ENOENT and EEXIST.
 */
export async function makeFolder(path: string): Promise<void> {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    const found = await stat(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${p} is not a folder`), { code: 'ENOTDIR', path: p });
      break;
    }
    missing.push(p);
    if (dirname(p) === p) break; // a root that does not exist: mkdir says why
  }
  for (const p of missing.reverse()) {
    await mkdir(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e; // made meanwhile by another process
    });
  }
}
