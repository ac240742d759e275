/**
 * The package's .d.ts files as an app's compiler meets them: installed as `npm pack` packs them, in
 * a project with target ES2022, lib ES2022 + DOM, no @types/node and `skipLibCheck: false`, under
 * both module resolutions an app uses (NodeNext and Bundler). The browser entries only: the Node
 * entry (`wasm-backprop/node`) needs Node's types by nature.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { installLocal } from '../scripts/install-local.mjs';

const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
let folder = '';

const APP = `import { Network, loadWasm, toModel, ArgumentError, type NetworkOptions, type History } from 'wasm-backprop';
import { loadBuiltin } from 'wasm-backprop/datasets';
import { createNetworkSync } from 'wasm-backprop/sync';
import { Trainer, type TrainerProgress } from 'wasm-backprop/trainer';

const options: NetworkOptions = { layers: [4, 5, 3], optimizer: 'adam' };

export async function main(): Promise<number> {
  const iris = await loadBuiltin('iris');
  const net = await Network.create({ ...options, wasm: { instance: await loadWasm() } });
  const history: History = await net.fit(iris.x, iris.y, { epochs: 2 });
  const model = toModel(net, { history });
  net.dispose();
  const now: Network = createNetworkSync({ ...options, engine: 'educational' });
  now.dispose();
  const trainer = await Trainer.create(options);
  const seen: TrainerProgress[] = [];
  await trainer.fit(iris.x, iris.y, { epochs: 2, onProgress: (p) => seen.push(p) });
  const { accuracy } = await trainer.evaluate(iris.x, iris.y);
  trainer.dispose();
  if (!(new ArgumentError('x') instanceof TypeError)) throw new Error();
  return accuracy + model.parameters.base64.length + seen.length;
}
`;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'wbp-dts-'));
  installLocal(folder);
  writeFileSync(join(folder, 'app.ts'), APP);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the .d.ts files in an ES2022 + DOM project without @types/node, skipLibCheck off', () => {
  // The last: a lib that declares Symbol.dispose itself (the package's declaration merges with it).
  for (const [module, moduleResolution, lib] of [
    ['NodeNext', 'NodeNext', 'ES2022'],
    ['ESNext', 'Bundler', 'ES2022'],
    ['ESNext', 'Bundler', 'ESNext'],
  ]) {
    it(`type-check with moduleResolution ${moduleResolution}, lib ${lib} + DOM`, () => {
      const config = {
        compilerOptions: { target: 'ES2022', lib: [lib, 'DOM'], module, moduleResolution, strict: true, skipLibCheck: false, types: [], noEmit: true },
        files: ['app.ts'],
      };
      const file = join(folder, `tsconfig.${moduleResolution}.${lib}.json`);
      writeFileSync(file, JSON.stringify(config));
      const r = spawnSync(process.execPath, [tsc, '-p', file], { cwd: folder, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }
});
