/**
 * What the results were measured on: CPU model and cores, memory, OS, Node and V8, the versions of
 * every library raced, and the commit of this repository.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface MachineInfo {
  cpu: string;
  /** Logical processors. */
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
}

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
  };
}

/** Installed versions of the packages the benchmark uses (from their package.json files). */
export function packageVersions(): Record<string, string> {
  const names = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'brain.js', 'synaptic', 'tinybench', 'tsx', 'typescript'];
  const out: Record<string, string> = {};
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  out[own.name] = own.version;
  for (const n of names) {
    const p = join(root, 'node_modules', n, 'package.json');
    out[n] = existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version : 'not installed';
  }
  return out;
}

/** The commit measured, with '+dirty' when the work tree has changes. */
export function gitRevision(): string {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (rev.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return rev.stdout.trim() + (dirty.stdout.trim() ? '+dirty' : '');
}
