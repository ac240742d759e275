#!/usr/bin/env node
// Every check and test suite, in order: the formatters' checks (Prettier, rustfmt), clippy, type-checking,
// vitest (TypeScript and both wasm artefacts), cargo test (the Rust crate, natively). Runs them all and
// exits non-zero if any failed, naming the file to fix.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const hasCargo = spawnSync('cargo', ['--version']).status === 0;
const cargo = hasCargo ? 'cargo' : existsSync('/usr/bin/cargo') ? '/usr/bin/cargo' : null;

/** The TypeScript and JavaScript sources the formatter keeps (package.json's `format` writes them). */
const FORMATTED = ['{ts,test,bench,demo,examples,scripts}/**/*.{ts,mjs}', '*.ts'];

// [name, command, arguments, what to do when it fails]
const steps = [
  ['format (Prettier)', bin('prettier'), ['--check', ...FORMATTED], 'the files above are not formatted: run `npm run format`'],
  ['format (rustfmt)', cargo, ['fmt', '--all', '--', '--check'], 'the Rust files above are not formatted: run `npm run format`'],
  [
    'lint (clippy)',
    cargo,
    ['clippy', '--release', '-p', 'backprop-kernels', '--all-targets', '--', '-D', 'warnings'],
    'fix the warnings above (file and line are named)',
  ],
  ['type-check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], 'fix the type errors above'],
  ['vitest', bin('vitest'), ['run'], null],
  ['cargo test', cargo, ['test', '--profile', 'native-test', '-p', 'backprop-kernels'], null],
];

const failed = [];
for (const [name, cmd, args, hint] of steps) {
  console.log(`\n[test] ── ${name} ──`);
  if (!cmd) {
    console.error(`[test] ${name}: no cargo found (install Rust: https://rustup.rs, or apt-get install cargo-web)`);
    failed.push(name);
    continue;
  }
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) failed.push(name);
  console.log(`[test] ${name}: ${r.status === 0 ? 'passed' : `FAILED (exit ${r.status ?? r.signal})${hint ? `: ${hint}` : ''}`} in ${secs} s`);
}
console.log(failed.length ? `\n[test] failed: ${failed.join(', ')}` : '\n[test] all suites passed');
process.exit(failed.length ? 1 : 0);
