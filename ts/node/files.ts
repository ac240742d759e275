/**
 * Files and folders written on disk (Node only): by the model files of ./index.ts, the exports of
 * ../export/node.ts, the traces of ../trace/folder.ts and the CLI.
 *
 * Writing is atomic: each file is written to a temporary file in the same folder, flushed to disk
 * (fsync), renamed over the target (an atomic replacement on POSIX and on NTFS), and the folder is
 * flushed where the platform allows it, so a crash or a full disk leaves either the old file or the
 * new one, never part of one. A crash can leave the temporary file (`.<name>.<pid>.<random>.tmp`)
 * beside it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, write } from 'node:fs';
import { lstat, mkdir, open, readlink, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

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

/** Flushes a folder's entries (the renames) to disk; Windows cannot open a folder for that. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch (e) {
    // Some file systems cannot fsync a directory (EINVAL); the rename is then as durable as they make it.
    if (!['EINVAL', 'ENOTSUP', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await handle.close();
  }
}

/** What `writeAtomically` writes into a file: its bytes, or a function writing them through the handle. */
export type FileContents = Uint8Array | string | ((write: (text: string) => Promise<void>) => Promise<void>);

/**
 * The open file descriptor a path names, or null: /dev/stdout, /dev/stderr, /dev/fd/N and
 * /proc/self/fd/N (also through a link to one). Writing goes to the descriptor itself: opening the
 * path again would start a new file there (`--out /dev/stdout >> log` would empty the log), and
 * following its link to the file behind it would replace that file. Only 1 and 2 are written:
 * the others may be the runtime's own (Node's event loop; writing there crashed it).
 */
export async function descriptorOf(path: string): Promise<number | null> {
  return written(await linkChain(path));
}

/** `descriptorOf` on a path's chain of links. */
function written(chain: readonly string[]): number | null {
  const fd = namedDescriptor(chain);
  if (fd !== null && fd !== 1 && fd !== 2)
    throw Object.assign(new Error(`descriptor ${fd} is not written to: only standard output and standard error (1 and 2) are; give a file`), {
      code: 'EBADFD',
    });
  return fd;
}

/** Paths of this process's open descriptors: /dev/fd/N, /proc/self/fd/N (and by its process id). */
const DESCRIPTOR = new RegExp(`^/(?:dev|proc/(?:self|${process.pid})|proc/thread-self)/fd/(\\d+)$`);

/** The first descriptor a path on the chain names, or null. */
function namedDescriptor(chain: readonly string[]): number | null {
  for (const target of chain) {
    const named = { '/dev/stdout': 1, '/dev/stderr': 2 }[target];
    if (named !== undefined) return named;
    const fd = DESCRIPTOR.exec(target);
    if (fd) return Number(fd[1]);
  }
  return null;
}

/** `path` (absolute) and each target its symbolic links lead to, in order (at most 40 links). */
async function linkChain(path: string): Promise<string[]> {
  const chain = [resolve(path)];
  for (let hops = 0; hops < 40; hops++) {
    const last = chain[chain.length - 1];
    const link = await lstat(last).catch(() => null);
    if (!link?.isSymbolicLink()) break;
    chain.push(resolve(dirname(last), await readlink(last)));
  }
  return chain;
}

/**
 * Where `path` is written: an open descriptor (`descriptorOf`), else a symbolic link's target
 * (followed, as writing through it would), and whether it is a file replaced atomically (a regular
 * file, or none yet) or one written in place (a pipe, a terminal: renaming over those would
 * replace them by a file).
 */
async function destination(path: string): Promise<{ target: string; fd: number | null; inPlace: boolean; mode: number | null }> {
  const chain = await linkChain(path);
  const fd = written(chain);
  if (fd !== null) return { target: path, fd, inPlace: true, mode: null };
  const target = chain[chain.length - 1];
  const found = await stat(target).catch(() => null);
  return { target, fd: null, inPlace: found !== null && !found.isFile(), mode: found ? found.mode & 0o7777 : null };
}

/** Writes all of `contents` to the open descriptor `fd`, from where it is (appending where it was opened so), leaving it open. */
async function writeDescriptor(fd: number, contents: FileContents): Promise<void> {
  const all = async (data: Uint8Array | string) => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length;) {
      try {
        at += await new Promise<number>((done, fail) => write(fd, bytes, at, bytes.length - at, null, (e, n) => (e ? fail(e) : done(n))));
      } catch (e) {
        // A pipe held non-blocking (Node's own standard output) is full: wait for its reader.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  };
  try {
    if (typeof contents === 'function') await contents(all);
    else await all(contents);
  } catch (e) {
    // The reader went away (`| head`): what it did not read is dropped, as for printing.
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
  }
}

/**
 * Writes the files `files` (path → contents), atomically each: every file is written whole to a
 * temporary file beside it first (with the mode of the file it replaces), and only when all are
 * written are they renamed over their targets, in the order given. An error (a full disk, no such
 * folder, no right to write) before the renames leaves every target as it was and no temporary
 * file; its `path` is the target whose writing failed. A symbolic link is followed (the file it
 * points to is replaced, the link kept); a pipe or a device is written in place, and an open
 * descriptor (/dev/stdout) through itself (`descriptorOf`).
 */
export async function writeAtomically(files: [string, FileContents][]): Promise<void> {
  const written: [string, string][] = []; // [temporary, target]
  const write = async (path: string, file: string, flags: string, contents: FileContents, mode: number | null) => {
    const handle = await open(file, flags, mode ?? 0o666).catch((e: NodeJS.ErrnoException) => {
      throw Object.assign(e, { path });
    });
    try {
      if (mode !== null && flags === 'wx') await handle.chmod(mode); // the mode of the file replaced, whatever the umask
      // writeFile on a handle writes all it is given, from where the last write ended.
      if (typeof contents === 'function') await contents((text) => handle.writeFile(text));
      else await handle.writeFile(contents);
      if (flags === 'wx') await handle.sync();
    } catch (e) {
      throw Object.assign(e as Error, { path });
    } finally {
      await handle.close();
    }
  };
  const folders = new Set<string>();
  try {
    for (const [path, contents] of files) {
      const { target, fd, inPlace, mode } = await destination(path);
      if (fd !== null) {
        await writeDescriptor(fd, contents).catch((e: NodeJS.ErrnoException) => {
          throw Object.assign(e, { path });
        });
        continue;
      }
      if (inPlace) {
        await write(path, target, 'w', contents, null);
        continue;
      }
      const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      written.push([temporary, target]);
      folders.add(dirname(target));
      await write(path, temporary, 'wx', contents, mode);
    }
    for (const [temporary, target] of written) await rename(temporary, target);
  } catch (e) {
    await Promise.all(written.map(([temporary]) => rm(temporary, { force: true })));
    throw e;
  }
  for (const folder of folders) await syncFolder(folder);
}

/** What the system's error codes of writing mean, in words. */
const CAUSES: Record<string, string> = {
  ENOENT: 'no such folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file would be larger than allowed',
  EACCES: 'no permission to write there',
  EPERM: 'no permission to write there',
  EROFS: 'the file system is read-only',
};

/** A failed write's cause in words, the system's code in brackets (its message where the code is not one of CAUSES). */
export function failure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && CAUSES[code] !== undefined) return `${CAUSES[code]} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * The error of a failed write of `path`, in one line that starts with the path and says what went
 * wrong in words (the system's code in brackets), the original as its `cause`.
 */
export function writeError(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  // ENOENT: no folder, or one that holds no files of ours (/proc/self).
  const missing = (folder: string) =>
    existsSync(folder) ? `its folder ${folder} cannot hold a new file (ENOENT)` : `its folder ${folder} does not exist (ENOENT)`;
  const said = code === 'ENOENT' ? missing(dirname(path)) : failure(e);
  return new Error(said.startsWith(path) ? said : `${path}: ${said}`, { cause: e });
}
