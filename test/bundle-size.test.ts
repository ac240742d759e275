/**
 * What a web app that trains with the wasm engine ships of the library's JavaScript: the minimal
 * app of README.md ("Bundling"), bundled by esbuild from the TypeScript sources as a production
 * build bundles it (minified, ES modules, code splitting), then gzip -9. Its size is held under a
 * budget, and the modules in it are those `Network` needs: nothing of model files, exports,
 * traces, data sets, workers or the threads machinery. A size, not a timing: it is the same on
 * every machine. (test/bundle.test.ts measures the package as npm packs it, built by Vite and
 * webpack.)
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type OutputFile, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Gzipped bytes the app's JavaScript may take (the main chunk and what it imports statically):
 * 20,729 bytes (20.2 KiB) when measured last (20,700 before fit made the records for onEpoch without
 * validation in place; 20,653 at a measure before that; 20,534 before a network kept the cost of a row visit
 * from one fit to the next; 20,474 before a stop asked at the end of a long
 * epoch kept that epoch, an epoch found shorter than a slice was no longer cut by a stop, spans
 * were planned from the last call's cost and a refused `threads` was no longer kept; 20,105 before empty array slots were refused by
 * index, the js engines copied the data they keep, an f32 network's loss was bounded by the largest
 * f32 and running out of WebAssembly memory said what the network takes; 19,933 before a softmax over one output was refused,
 * Network.inputActivation and the check of a training state's fields; 19,863 before parameters too
 * large for f32 were named by their place; 18,842 before the checks of trainBatch's parameters, of
 * `signal`, of f32 parameters and of more option mistakes, and before async onEpoch rejections were
 * watched; 18,741 before validation scores were kept apart from the records made for onEpoch); 18,120 before `fit` ran ahead of its callbacks,
 * evaluated validation data in the engine's call and refused a second fit at a time. The js and educational engines are in a chunk of
 * their own, which `Network.create` imports only when a network asks for one (`createNetworkSync`,
 * the synchronous way to them, is the entry `wasm-backprop/sync`): 21,301 bytes before. The main
 * entry exports the educational engine's classes as types only: exported as values, esbuild's code
 * splitting kept them in every app (3,148 bytes), as it puts a module in the chunk of every entry
 * that imports it, used or not.
 */
const BUDGET = 20 * 1024 + 256;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The first ```js block after README's mention of this test: the app it measures. */
function readmeApp(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const at = readme.indexOf('test/bundle-size.test.ts');
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block) throw new Error("README.md has no ```js block after its mention of test/bundle-size.test.ts (section 'Bundling')");
  return block[1];
}

/** `import … from 'wasm-backprop'` resolved to the sources of the main entry. */
const sources: Plugin = {
  name: 'wasm-backprop sources',
  setup(b) {
    b.onResolve({ filter: /^wasm-backprop$/ }, () => ({ path: join(root, 'ts', 'index.ts') }));
  },
};

interface Bundle {
  /** The chunks the app loads when it starts: the entry and what it imports statically. */
  loaded: OutputFile[];
  /** Chunks imported dynamically only (loaded when asked for). */
  lazy: OutputFile[];
  /** The source files in the loaded chunks, relative to the repository, with their minified bytes. */
  inputs: Map<string, number>;
}

async function bundle(app: string): Promise<Bundle> {
  const out = await build({
    stdin: { contents: app, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2022',
    outdir: join(root, 'out', 'bundle-size'),
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [sources],
  });
  expect(out.warnings).toEqual([]);
  const meta: Metafile = out.metafile;
  const name = (f: OutputFile) => f.path.slice(root.length + 1).replace(/\\/g, '/');
  const entry = Object.keys(meta.outputs).find((o) => meta.outputs[o].entryPoint !== undefined)!;
  // The entry chunk and, transitively, the chunks it imports statically.
  const loaded = new Set<string>([entry]);
  for (const o of loaded) for (const i of meta.outputs[o].imports) if (i.kind === 'import-statement' && !i.external) loaded.add(i.path);
  const js = out.outputFiles.filter((f) => f.path.endsWith('.js'));
  const inputs = new Map<string, number>();
  for (const o of loaded) for (const [file, { bytesInOutput }] of Object.entries(meta.outputs[o].inputs)) inputs.set(file, bytesInOutput);
  return { loaded: js.filter((f) => loaded.has(name(f))), lazy: js.filter((f) => !loaded.has(name(f))), inputs };
}

const gzipped = (files: OutputFile[]) => files.reduce((n, f) => n + gzipSync(f.contents, { level: 9 }).length, 0);

describe("the README's minimal app that trains with the wasm engine, bundled by esbuild (minified, gzip -9)", () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundle(readmeApp());
  });

  it(`ships at most ${BUDGET} bytes of the library's JavaScript, gzipped`, () => {
    const size = gzipped(b.loaded);
    const minified = b.loaded.reduce((n, f) => n + f.contents.length, 0);
    const largest = [...b.inputs].sort((p, q) => q[1] - p[1]).map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(1)} KiB`);
    console.log(
      `[bundle-size] ${size} bytes gzipped (${(size / 1024).toFixed(1)} KiB; ${minified} minified) in ${b.loaded.length} chunk(s), ` +
        `${gzipped(b.lazy)} more in ${b.lazy.length} chunk(s) loaded when asked for; minified by module: ${largest.join(', ')}`,
    );
    expect(size).toBeLessThanOrEqual(BUDGET);
  });

  it('holds what Network trains with and nothing of the js or educational engines, models, exports, traces, data sets, workers or threads', () => {
    const files = [...b.inputs.keys()];
    for (const needed of ['ts/network.ts', 'ts/engines/wasm.ts', 'ts/wasm/loader.ts', 'ts/fitting.ts']) expect(files).toContain(needed);
    const unneeded =
      /^ts\/(model|encoding|verify|data|table|columns|scaling|datasets|configurations|cli|sync)\.ts$|^ts\/engines\/(js|local|educational|neurons)\.ts$|^ts\/(trace|export|worker|node|cli)\/|^ts\/threads\/(?!settings\.ts$)/;
    expect(files.filter((f) => unneeded.test(f))).toEqual([]);
  });

  it('loads the js and educational engines on demand: a chunk of their own that only a dynamic import() reaches', () => {
    expect(b.lazy).toHaveLength(1);
    expect(b.lazy[0].text).toContain('is not one of the JavaScript engines');
  });

  it('has no node: import and references the .wasm artefacts as bundlers find them', () => {
    const code = b.loaded.map((f) => f.text).join('\n');
    expect(code).not.toMatch(/["'`]node:/);
    expect(code).toMatch(/new URL\(["']\.\/bin\/backprop\.simd\.wasm["'],\s*import\.meta\.url\)/);
  });
});
