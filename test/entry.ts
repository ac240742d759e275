/**
 * How the tests that start Node processes run the library: the built dist/ where it is newer than
 * every source (`npm test` builds first; a process then starts in a fraction of the time), else the
 * sources through tsx's loader (a test run right after an edit tests the edit).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** tsx's loader by path: the temporary folders the processes run in have no node_modules. */
export const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The newest modification time of the files under `folder` (of the names `keep` accepts). */
function newest(folder: string, keep: (name: string) => boolean): number {
  let t = 0;
  for (const e of readdirSync(folder, { withFileTypes: true })) {
    const p = join(folder, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, keep));
    else if (keep(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Whether dist/ holds the sources as they are (checked once: dist/cli.js newer than every source and artefact). */
export const built = ((): boolean => {
  const cli = join(root, 'dist', 'cli.js');
  return existsSync(cli) && statSync(cli).mtimeMs >= newest(join(root, 'ts'), (n) => n.endsWith('.ts') || n.endsWith('.wasm'));
})();

/** The module `file` of ts/ (such as 'node/index.ts') as a path to import: built, or the source. */
export function modulePath(file: string): string {
  return built ? join(root, 'dist', file.replace(/\.ts$/, '.js')) : join(root, 'ts', file);
}

/** Node's arguments that run `script`: a built module, or a script that imports `modulePath`s (through tsx's loader where the build is stale). */
export function nodeArgs(script: string): string[] {
  return built ? [script] : ['--import', tsx, script];
}

/** Node's arguments that run the CLI. */
export const cliArgs = nodeArgs(modulePath('cli.ts'));

/** The CLI as one line of shell. */
export const cliShell = `"${process.execPath}" ${cliArgs.map((a) => `"${a}"`).join(' ')}`;
