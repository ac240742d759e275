#!/usr/bin/env node
// `npm run fixtures`: regenerates the cross-language fixtures test/fixtures/*.json with the NumPy
// reference implementation (tools/reference.py). Needs python3 with numpy; where there is none it
// says so and exits 0 (the committed fixtures stay as they are). Node built-ins only.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'tools', 'reference.py');

/** The first Python interpreter on the PATH that can import numpy, with its numpy version. */
function findPython() {
  const candidates = process.env.PYTHON ? [process.env.PYTHON, 'python3', 'python'] : ['python3', 'python'];
  for (const cmd of candidates) {
    const r = spawnSync(cmd, ['-c', 'import sys, numpy; assert sys.version_info >= (3, 8); print(numpy.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { cmd, numpy: r.stdout.trim() };
  }
  return null;
}

const python = findPython();
if (!python) {
  console.log('[fixtures] cannot regenerate the fixtures: no python3 with numpy found on the PATH (set PYTHON to choose one).');
  console.log('[fixtures] the committed test/fixtures/*.json are left as they are.');
  process.exit(0);
}
console.log(`[fixtures] ${python.cmd} ${script} (numpy ${python.numpy})`);
const r = spawnSync(python.cmd, [script], { cwd: root, stdio: 'inherit' });
if (r.error) {
  console.error(`[fixtures] could not run ${python.cmd}: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
