#!/usr/bin/env node
// Set-up that `npm start`, `npm test` and `npm run bench` run first, on a fresh machine or a warm one:
//   1. npm ci when node_modules is missing or older than package-lock.json;
//   2. the WebAssembly artefacts (scripts/build-wasm.mjs: toolchain, then build if inputs changed);
//   3. the TypeScript build into dist/ (with the artefacts beside it) if its inputs changed;
//   4. with --browser (npm test): Debian's Chromium for the browser test, if missing and installable.
// Node built-ins only: it runs before the npm packages may be there.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTEFACTS, buildWasm } from './build-wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const log = (msg) => console.log(`[bootstrap] ${msg}`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`[bootstrap] ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

// 1. npm packages
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  log('installing npm packages (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
} else {
  log('npm packages up to date');
}

// 2. WebAssembly artefacts
const wasmBuilt = await buildWasm();

// 3. TypeScript → dist/
function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}
const stampFile = join(root, '.build-stamps', 'ts.json');
const inputs = [...listFiles(join(root, 'ts')), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), join(root, 'package-lock.json')]
  .filter((f) => !f.includes(join('ts', 'wasm', 'bin')))
  .sort();
const h = createHash('sha256');
for (const f of inputs) h.update(relative(root, f)).update('\0').update(readFileSync(f));
for (const a of ARTEFACTS) {
  const p = join(root, 'ts', 'wasm', 'bin', a.name);
  h.update(a.name).update(existsSync(p) ? readFileSync(p) : '');
}
const hash = h.digest('hex');
const stamp = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : null;
if (stamp?.hash === hash && existsSync(join(root, 'dist', 'index.js')) && !wasmBuilt) {
  log('TypeScript build up to date');
} else {
  log('building TypeScript into dist/…');
  // From empty: a file whose source is gone (or a map no longer made) must not ship in the package.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  mkdirSync(join(root, 'dist', 'wasm', 'bin'), { recursive: true });
  for (const a of ARTEFACTS) copyFileSync(join(root, 'ts', 'wasm', 'bin', a.name), join(root, 'dist', 'wasm', 'bin', a.name));
  if (existsSync(join(root, 'dist', 'cli.js'))) chmodSync(join(root, 'dist', 'cli.js'), 0o755);
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, JSON.stringify({ hash }, null, 2));
}
// 4. a browser for test/browser.test.ts
if (process.argv.includes('--browser')) {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (existsSync(chromium)) {
    log('Chromium present');
  } else if (isRoot && spawnSync('apt-get', ['--version']).status === 0) {
    log("installing Debian's chromium for the browser test (once)…");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, stdio: 'inherit' }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update'], { env, stdio: 'inherit' });
      if (!install()) log('could not install chromium: the browser test will be skipped');
    }
  } else {
    log(`no Chromium at ${chromium} (set CHROMIUM_PATH, or install the chromium package): the browser test will be skipped`);
  }
}
log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
