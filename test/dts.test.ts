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
import ts from 'typescript';
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

/** The browser entries, each imported alone: an app that imports only one of them meets its .d.ts files alone. */
const ENTRIES = ['wasm-backprop', 'wasm-backprop/datasets', 'wasm-backprop/sync', 'wasm-backprop/trainer', 'wasm-backprop/threads', 'wasm-backprop/onnx'];

describe('each browser entry imported alone, lib ES2022 + DOM, no @types/node, skipLibCheck off', () => {
  it.each(['NodeNext', 'Bundler'] as const)('type-checks with moduleResolution %s', (resolution) => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      module: resolution === 'NodeNext' ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext,
      moduleResolution: resolution === 'NodeNext' ? ts.ModuleResolutionKind.NodeNext : ts.ModuleResolutionKind.Bundler,
      strict: true,
      skipLibCheck: false,
      types: [],
      noEmit: true,
    };
    // One program an entry (a global declaration one .d.ts file makes is seen by the whole program);
    // the files they share are parsed once.
    const host = ts.createCompilerHost(options);
    const parsed = new Map<string, ts.SourceFile | undefined>();
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language) => (parsed.has(file) ? parsed.get(file) : parsed.set(file, read(file, language)).get(file));
    const errors = ENTRIES.flatMap((entry, i) => {
      const file = join(folder, `entry-${resolution}-${i}.ts`);
      writeFileSync(file, `import * as entry from '${entry}';\nexport const names: string[] = Object.keys(entry);\n`);
      const program = ts.createProgram([file], options, host);
      return ts.getPreEmitDiagnostics(program).map((d) => `${entry}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')} (${d.file?.fileName ?? ''})`);
    });
    expect(errors).toEqual([]);
  });
});
