// Installs this package, as `npm pack` would pack it (the files package.json's "files" lists, from
// the current dist/), into <folder>/node_modules/wasm-backprop: what an app that ran
// `npm install wasm-backprop` would have. For the bundling and type tests (test/bundle.test.ts,
// test/dts.test.ts); it builds nothing, so run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The files `npm pack` would put in the package (without running prepack). */
export function packedFiles() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed: ${r.stderr}`);
  return JSON.parse(r.stdout)[0].files.map((f) => f.path);
}

/** Copies the packed files into folder/node_modules/wasm-backprop; returns that path. */
export function installLocal(folder) {
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('no dist/: run `npm run build` first');
  const target = join(folder, 'node_modules', 'wasm-backprop');
  for (const file of packedFiles()) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(root, file), join(target, file));
  }
  return target;
}
