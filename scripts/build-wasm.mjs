#!/usr/bin/env node
// Builds the three WebAssembly artefacts of crates/kernels, scalar, SIMD128 and relaxed SIMD, into
// ts/wasm/bin/.
//
// Toolchain, first that works:
//   1. a Rust toolchain on the PATH that has the wasm32-unknown-unknown target (rustup's, normally);
//   2. Debian's rustc-web + rust-web-src + lld, building std from source (-Zbuild-std, offline);
//   3. as root with apt-get: install those Debian packages, then 2;
//   4. otherwise: exit 1 with a message naming both ways to get a toolchain.
// Rebuilds only when the crate's sources, the build settings or the toolchain changed.
// Node built-ins only: this runs before `npm ci` may have.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'ts', 'wasm', 'bin');
const stampFile = join(root, '.build-stamps', 'wasm.json');
const TARGET = 'wasm32-unknown-unknown';
const DEBIAN_PACKAGES = ['rustc-web', 'cargo-web', 'rust-web-src', 'lld-16'];
const DEBIAN_VENDOR = '/usr/lib/rustlib/src/rust/library/vendor';

/**
 * The artefacts: file name, extra rustflags, and the features wasm-opt may use. The relaxed one
 * (f32x4.relaxed_madd, stable in Rust since 1.82) loads only where the engine has relaxed SIMD:
 * an engine refuses a whole module holding one relaxed opcode, hence a third file.
 */
export const ARTEFACTS = [
  { name: 'backprop.scalar.wasm', flags: [], features: [] },
  { name: 'backprop.simd.wasm', flags: ['-C', 'target-feature=+simd128'], features: ['--enable-simd'] },
  {
    name: 'backprop.relaxed.wasm',
    flags: ['-C', 'target-feature=+simd128,+relaxed-simd'],
    features: ['--enable-simd', '--enable-relaxed-simd'],
  },
];

// Features rustc's wasm32 target enables by default; wasm-opt must be told it may keep them.
const BASE_FEATURES = [
  '--enable-bulk-memory',
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-mutable-globals',
  '--enable-multivalue',
  '--enable-reference-types',
];

/**
 * binaryen's wasm-opt (the npm package `binaryen`, a devDependency), if installed. Measured here:
 * -O3 makes the artefacts ~10 % smaller and W1 (a 2-4-1 network, per-sample steps) 5–24 % faster,
 * W2–W4 unchanged (three interleaved runs of 7 against the artefact as cargo writes it).
 */
function findWasmOpt() {
  const p = join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt');
  if (!existsSync(p)) return null;
  const v = run(process.execPath, [p, '--version']);
  return v.status === 0 ? { path: p, id: v.stdout.trim() } : null;
}

const log = (msg) => console.log(`[wasm] ${msg}`);

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...opts });
}

function version(cmd) {
  const r = run(cmd, ['--version']);
  return r.status === 0 ? r.stdout.trim() : null;
}

/** 1: the rustc on the PATH has the wasm32 target installed. */
function rustupToolchain() {
  const rustc = version('rustc');
  if (!rustc) return null;
  const sysroot = run('rustc', ['--print', 'sysroot']).stdout?.trim();
  if (!sysroot || !existsSync(join(sysroot, 'lib', 'rustlib', TARGET, 'lib'))) return null;
  return { kind: 'rustup', id: rustc, cargo: 'cargo', env: {}, args: [] };
}

function findWasmLd() {
  for (const dir of ['/usr/lib/llvm-16/bin', '/usr/lib/llvm-17/bin', '/usr/lib/llvm-18/bin', '/usr/lib/llvm-19/bin', '/usr/bin']) {
    const p = join(dir, 'wasm-ld');
    if (existsSync(p)) return p;
  }
  return null;
}

const IMMEDIATE_ABORT = ['-Zunstable-options', '-Cpanic=immediate-abort'];

/**
 * The rustflags that build std and the crate without panic messages, where the toolchain builds
 * std and its rustc knows the strategy (rustc 1.92 and later; an older one refuses the flag): a
 * panic is then a trap at once (`unreachable`), as it is anyway on wasm32-unknown-unknown, whose
 * std prints them nowhere. It drops core::fmt and the panics' texts and locations: the SIMD128
 * artefact gzips to 52 KiB where it was 62.
 */
function panicFlags(toolchain) {
  if (!toolchain.buildsStd) return [];
  const r = run('/usr/bin/rustc', [...IMMEDIATE_ABORT, '--print', 'cfg', '--target', TARGET], { env: { ...process.env, RUSTC_BOOTSTRAP: '1' } });
  return r.status === 0 ? IMMEDIATE_ABORT : [];
}

/** 2: Debian's rustc-web with the std sources and lld. */
function debianToolchain() {
  if (!existsSync('/usr/bin/rustc') || !existsSync('/usr/bin/cargo') || !existsSync(DEBIAN_VENDOR)) return null;
  const linker = findWasmLd();
  if (!linker) return null;
  const id = `${version('/usr/bin/rustc')} + ${linker}`;
  return {
    kind: 'debian',
    id,
    cargo: '/usr/bin/cargo',
    env: { RUSTC: '/usr/bin/rustc', RUSTC_BOOTSTRAP: '1' },
    // std is built here, so it can be built without panic messages (`panicFlags`).
    buildsStd: true,
    args: [
      '-Zbuild-std=std,panic_abort',
      '--config',
      'source.crates-io.replace-with="vendored-std"',
      '--config',
      `source.vendored-std.directory="${DEBIAN_VENDOR}"`,
      '--config',
      `target.${TARGET}.linker="${linker}"`,
    ],
  };
}

/** 3: install Debian's packages (root with apt-get only). */
function installDebian() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || run('apt-get', ['--version']).status !== 0) return false;
  log(`installing ${DEBIAN_PACKAGES.join(' ')} with apt-get (once)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // The package lists first: a machine's stale lists offer an older rustc-web (1.85) whose std
  // sources lack the vendored crates that -Zbuild-std needs; with fresh lists apt installs (or
  // upgrades to) the current one.
  run('apt-get', ['update'], { env, stdio: 'inherit' });
  return run('apt-get', ['install', '-y', '--no-install-recommends', ...DEBIAN_PACKAGES], { env, stdio: 'inherit' }).status === 0;
}

export function findToolchain({ allowInstall = true } = {}) {
  const found = rustupToolchain() ?? debianToolchain();
  if (found || !allowInstall) return found;
  return installDebian() ? debianToolchain() : null;
}

const NO_TOOLCHAIN = `No Rust toolchain that can build WebAssembly was found. Either:
  - with rustup:  rustup target add ${TARGET}
  - on Debian/Ubuntu (offline-capable):  sudo apt-get install ${DEBIAN_PACKAGES.join(' ')}
then run this command again.`;

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'target' ? [] : listFiles(join(dir, e.name))) : [join(dir, e.name)],
  );
}

/** Hash of everything the artefacts depend on. */
function inputsHash(toolchain) {
  const h = createHash('sha256');
  const files = [
    join(root, 'Cargo.toml'),
    ...(existsSync(join(root, 'Cargo.lock')) ? [join(root, 'Cargo.lock')] : []),
    fileURLToPath(import.meta.url),
    ...listFiles(join(root, 'crates', 'kernels')).filter((f) => !f.includes(`${join('crates', 'kernels', 'tests')}`)),
  ].sort();
  for (const f of files) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  h.update(toolchain.id)
    .update(JSON.stringify(ARTEFACTS))
    .update(findWasmOpt()?.id ?? 'no wasm-opt');
  return h.digest('hex');
}

/** Runs a command, its output kept; resolves to its exit status and that output. */
function runCaptured(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ status: -1, output: `${output}${e.message}\n` }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** Builds one artefact (cargo, then wasm-opt where installed); exits the process on a failure, with the tool's output. */
async function buildArtefact(art, toolchain, wasmOpt, rustflags) {
  const targetDir = join(root, 'target', art.name.replace(/\.wasm$/, '').replace('.', '-'));
  const args = ['build', '--release', '--target', TARGET, '-p', 'backprop-kernels', '--target-dir', targetDir, ...toolchain.args];
  const started = Date.now();
  // CARGO_ENCODED_RUSTFLAGS outranks RUSTFLAGS and every config file, so the artefact gets exactly
  // these flags (a CI's RUSTFLAGS could otherwise drop +simd128 from the SIMD build).
  const env = { ...process.env, ...toolchain.env, CARGO_ENCODED_RUSTFLAGS: [...art.flags, ...rustflags].join('\x1f') };
  delete env.RUSTFLAGS;
  const r = await runCaptured(toolchain.cargo, args, { cwd: root, env });
  if (r.status !== 0) {
    process.stderr.write(r.output);
    console.error(`[wasm] cargo failed building ${art.name} (exit ${r.status})`);
    process.exit(1);
  }
  const built = join(targetDir, TARGET, 'release', 'backprop_kernels.wasm');
  const out = join(outDir, art.name);
  if (wasmOpt) {
    const o = await runCaptured(process.execPath, [wasmOpt.path, '-O3', ...BASE_FEATURES, ...art.features, built, '-o', out], {});
    if (o.status !== 0) {
      process.stderr.write(o.output);
      console.error(`[wasm] wasm-opt failed on ${art.name} (exit ${o.status})`);
      process.exit(1);
    }
  } else {
    copyFileSync(built, out);
  }
  const size = statSync(out).size;
  log(`${art.name}: ${size} bytes${wasmOpt ? ` (cargo ${statSync(built).size}, then wasm-opt -O3)` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Builds the artefacts whose inputs changed (all of them: they share the sources), two at a time
 * where there are two cores: each build is one thread (codegen-units = 1, LTO). Resolves to whether
 * it built.
 */
export async function buildWasm({ force = false } = {}) {
  const toolchain = findToolchain();
  if (!toolchain) {
    console.error(NO_TOOLCHAIN);
    process.exit(1);
  }
  const hash = inputsHash(toolchain);
  const outputs = ARTEFACTS.map((a) => join(outDir, a.name));
  const stamp = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : null;
  if (!force && stamp?.hash === hash && outputs.every((o) => existsSync(o))) {
    log('artefacts up to date, nothing rebuilt');
    return false;
  }
  log(`building with ${toolchain.kind} toolchain (${toolchain.id})`);
  const wasmOpt = findWasmOpt();
  if (!wasmOpt) log('wasm-opt (npm package binaryen) not installed yet: artefacts left as cargo writes them');
  mkdirSync(outDir, { recursive: true });
  const parallel = Math.min(2, availableParallelism());
  log(`building ${ARTEFACTS.map((a) => a.name).join(', ')}, ${parallel} at a time (cargo's output shown only on a failure; 2–3 minutes on 2 cores)`);
  const rustflags = panicFlags(toolchain);
  const queue = [...ARTEFACTS];
  const builder = async () => {
    for (let art = queue.shift(); art; art = queue.shift()) await buildArtefact(art, toolchain, wasmOpt, rustflags);
  };
  await Promise.all(Array.from({ length: parallel }, builder));
  mkdirSync(dirname(stampFile), { recursive: true });
  // `panic`: how a panic ends, which the size of the artefacts depends on (test/artefacts.test.ts).
  const panic = rustflags === IMMEDIATE_ABORT ? 'immediate-abort' : 'abort';
  writeFileSync(stampFile, JSON.stringify({ hash, toolchain: toolchain.id, panic, built: new Date().toISOString() }, null, 2));
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWasm({ force: process.argv.includes('--force') });
}
