/**
 * One Python virtual environment for the tests that run Python packages (onnxruntime, onnx, torch):
 * git-ignored, in node_modules/.cache/wasm-backprop-venv, made with `python3 -m venv` the first time
 * and kept, so that a package is installed once (from pip's configured index: on this project's
 * machines a local mirror) and later runs only import it. Installs are serialised with `flock` where
 * it exists, so test files running in parallel do not install into the venv at the same time.
 *
 * `pythonWith(['numpy', 'torch'])` returns the venv's python with those modules importable, or the
 * reason they cannot be had (no python3, no venv module, pip failed), for the test to skip with.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The venv's folder (git-ignored: under node_modules); WASM_BACKPROP_VENV names another. */
export const VENV = process.env.WASM_BACKPROP_VENV ?? join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules', '.cache', 'wasm-backprop-venv');
const PYTHON = join(VENV, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
const LOCK = `${VENV}.lock`;

/** A package to install: its name on pip, and the module that shows it is there (the same by default). */
export type Requirement = string | { pip: string; module: string };

export type PythonEnv = { python: string } | { reason: string };

const pipName = (r: Requirement) => (typeof r === 'string' ? r : r.pip);
const moduleName = (r: Requirement) => (typeof r === 'string' ? r : r.module);

/** The modules among `modules` the venv's python cannot import (all of them without a venv). */
function missing(modules: string[]): string[] {
  if (!existsSync(PYTHON)) return modules;
  // One interpreter for all: importing torch alone takes seconds.
  const probe = `import importlib.util as u, sys\nprint(' '.join(m for m in sys.argv[1:] if u.find_spec(m) is None))`;
  const r = spawnSync(PYTHON, ['-c', probe, ...modules], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split(/\s+/).filter(Boolean) : modules;
}

/** Runs a command holding the venv's lock (with flock where it exists, else directly). */
function locked(command: string, args: string[], timeout: number) {
  const hasFlock = spawnSync('flock', ['--version']).status === 0;
  return hasFlock ? spawnSync('flock', [LOCK, command, ...args], { encoding: 'utf8', timeout }) : spawnSync(command, args, { encoding: 'utf8', timeout });
}

/** What went wrong, in one line: pip's last error line (its warnings left out), else its last line. */
function lastLine(r: ReturnType<typeof spawnSync>): string {
  if (r.error) return r.error.message;
  const lines = String(r.stderr ?? '')
    .trim()
    .split('\n');
  return lines.filter((l) => l.startsWith('ERROR')).at(-1) ?? (lines.at(-1) || `exit ${r.status ?? r.signal}`);
}

/**
 * The venv's python with every module of `requirements` importable, installing what is missing
 * (`timeout` ms at most: torch's first install takes about a minute from a local index), or the
 * reason why not.
 */
export function pythonWith(requirements: Requirement[], timeout = 600_000): PythonEnv {
  const modules = requirements.map(moduleName);
  if (missing(modules).length === 0) return { python: PYTHON };
  mkdirSync(dirname(VENV), { recursive: true });
  if (!existsSync(PYTHON)) {
    // Made under the lock, unless another test file made it while this one waited.
    const made = locked('sh', ['-c', '[ -x "$0" ] || python3 -m venv "$1"', PYTHON, VENV], 120_000);
    if (!existsSync(PYTHON)) return { reason: `no Python virtual environment (python3 -m venv: ${lastLine(made)})` };
  }
  const absent = missing(modules);
  const wanted = requirements.filter((r) => absent.includes(moduleName(r))).map(pipName);
  // No retries: where the index cannot be reached, fail in seconds rather than minutes.
  const pip = locked(PYTHON, ['-m', 'pip', 'install', '-q', '--retries', '0', '--timeout', '20', ...wanted], timeout);
  const still = missing(modules);
  return still.length === 0 ? { python: PYTHON } : { reason: `pip could not install ${still.join(', ')} (${lastLine(pip)})` };
}
