/**
 * The README's JavaScript examples (its ```js blocks) run as written: each saved as an .mjs file in
 * an app folder where the package is installed as `npm pack` packs it, and run by this Node (20,
 * no flags, no TypeScript). The Trainer's example so runs the built worker_threads script too. The
 * folder is under node_modules/.cache, so the package's own dependencies (those of its Node entry)
 * resolve from this repository's node_modules, as an install would have put them beside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { installLocal } from '../scripts/install-local.mjs';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
/** Each ```js block with the line it starts on. */
const BLOCKS = [...README.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => ({
  line: README.slice(0, m.index).split('\n').length,
  code: m[1],
}));
let folder = '';

beforeAll(() => {
  const cache = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  folder = mkdtempSync(join(cache, 'wbp-readme-'));
  installLocal(folder);
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("the README's JavaScript examples", () => {
  it('are there', () => expect(BLOCKS.length).toBeGreaterThanOrEqual(3));

  it.each(BLOCKS)('README.md line $line runs in plain Node', ({ line, code }) => {
    const file = join(folder, `readme-${line}.mjs`);
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, [file], { cwd: folder, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toBe('');
  });
});
