/**
 * Loads the kernels' WebAssembly artefact: in Node from the file beside this module, in browsers by
 * URL (streaming compilation where the server sends `application/wasm`), or from bytes, a
 * `WebAssembly.Module` or a URL the caller passes. Picks the SIMD128 artefact where the runtime
 * validates a tiny SIMD module, else the scalar one, and says which (`backend`): what the loaded
 * module reports of itself (`bp_backend`), not what was asked for. The relaxed-SIMD artefact
 * (multiply-adds fused where the CPU has FMA, so its bits depend on the CPU) only when asked for
 * with `simd: 'relaxed'`, checked the same way with a tiny `f32x4.relaxed_madd` module.
 *
 * No `import` of Node here, static or dynamic, so bundlers have nothing to resolve or warn about: a
 * `file:` URL is read through `process.getBuiltinModule('fs/promises')` (Node ≥ 20.16, Deno,
 * Bun), which a browser never reaches.
 */
import { fail, show } from '../errors.js';
import type { WasmBackend } from '../types.js';
import { ABI_VERSION, BACKEND_CODES, EXPORT_NAMES, type BackpropExports } from './exports.js';

/** Where the artefact comes from: bytes, a compiled module, a URL, or a fetch response. */
export type WasmSource = ArrayBuffer | ArrayBufferView | WebAssembly.Module | URL | string | Response | PromiseLike<Response>;

export interface LoadOptions {
  /**
   * `'auto'` (default): SIMD128 where supported. `true` insists on it, `false` loads the scalar
   * artefact. `'relaxed'` loads the relaxed-SIMD artefact (faster where the CPU fuses multiply-adds;
   * results reproducible per CPU and engine, not bit-identical to the other two), and fails where
   * the runtime lacks relaxed SIMD (Chrome ≥ 114, Firefox ≥ 145, Node ≥ 22; Node 20 with
   * `--experimental-wasm-relaxed-simd`). With a `source`, `true`, `false` and `'relaxed'` say which
   * artefact it must be: one that is another is refused with an error naming both (see `source`).
   */
  simd?: boolean | 'auto' | 'relaxed';
  /**
   * The artefact to load instead of the packaged one. Its `backend` is what the module itself
   * reports (`bp_backend`): with `simd` unset or `'auto'`, either artefact loads and is reported
   * truthfully; with `simd: true` a scalar artefact is refused, with `simd: false` a SIMD128 one.
   */
  source?: WasmSource;
  /** An instance already loaded (by `loadWasm`) to create the network on. */
  instance?: WasmInstance;
}

/** One instantiated artefact: its exports and memory, shared by the networks created on it. */
export class WasmInstance {
  /** Set when a call trapped: the instance's state is then unknown and it is not used again. */
  broken: Error | null = null;
  constructor(
    readonly exports: BackpropExports,
    /** The backend the module was compiled with, as it reports itself (`bp_backend`). */
    readonly backend: WasmBackend,
    readonly origin: string,
    /** The compiled module, to instantiate again elsewhere (a worker) without compiling it twice. */
    readonly module: WebAssembly.Module,
  ) {}

  get memory(): WebAssembly.Memory {
    return this.exports.memory;
  }
}

/** A minimal module using one SIMD instruction (i8x16.popcnt of a splat), as wasm-feature-detect does. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether this runtime supports WebAssembly SIMD128. */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** A minimal module using `f32x4.relaxed_madd` (the probe of jax-js and wasm-feature-detect). */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/** Whether this runtime supports WebAssembly relaxed SIMD (and so loads the relaxed-SIMD artefact). */
export function relaxedSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

function packagedUrl(backend: WasmBackend): URL {
  // Literal `new URL(…, import.meta.url)` so bundlers (Vite) find and emit every file.
  if (backend === 'relaxed-simd') return new URL('./bin/backprop.relaxed.wasm', import.meta.url);
  return backend === 'simd128' ? new URL('./bin/backprop.simd.wasm', import.meta.url) : new URL('./bin/backprop.scalar.wasm', import.meta.url);
}

const cache = new Map<WasmBackend, Promise<WasmInstance>>();

/**
 * The shared instance of the packaged artefact (one per backend, created on first use), or a new
 * instance of `options.source`. A trapped instance is dropped from the cache, so the next call
 * gets a fresh one.
 */
export function loadWasm(options: LoadOptions = {}): Promise<WasmInstance> {
  try {
    return loadOrReuse(options);
  } catch (e) {
    return Promise.reject(e);
  }
}

function loadOrReuse(options: LoadOptions): Promise<WasmInstance> {
  if (options.instance !== undefined) {
    if (!(options.instance instanceof WasmInstance)) return Promise.reject(new TypeError('options.instance must be a WasmInstance from loadWasm'));
    if (options.instance.broken)
      return Promise.reject(new Error(`options.instance trapped earlier (${options.instance.broken.message}) and can no longer be used`));
    return Promise.resolve(options.instance);
  }
  const simd = options.simd ?? 'auto';
  const backend = chooseBackend(simd);
  if (options.source !== undefined) {
    // An explicit choice is a requirement on the module given; 'auto' takes it as it is.
    const required: Required | null =
      simd === 'auto' ? null : { backend, fix: `simd: ${simd} asks for the ${backend} one; pass that artefact, or leave simd unset to use this one` };
    return instantiate(options.source, required, describe(options.source));
  }
  let p = cache.get(backend);
  if (!p) {
    const url = packagedUrl(backend);
    p = instantiate(url, { backend, fix: `the packaged ${backend} file should hold it: rebuild them (npm run build:wasm)` }, url.href);
    p.catch(() => cache.delete(backend));
    cache.set(backend, p);
  }
  return p.then((inst) => {
    if (!inst.broken) return inst;
    cache.delete(backend);
    return loadOrReuse(options);
  });
}

/** Refuses a `simd` option other than true, false, 'auto' or 'relaxed' (`what` names it). */
export function checkSimd(simd: unknown, what: string): asserts simd is LoadOptions['simd'] {
  if (simd !== undefined && simd !== true && simd !== false && simd !== 'auto' && simd !== 'relaxed')
    fail(`${what} must be true, false, 'auto' or 'relaxed', got ${show(simd)}`);
}

function chooseBackend(simd: boolean | 'auto' | 'relaxed'): WasmBackend {
  checkSimd(simd, 'options.simd');
  if (simd === 'relaxed') {
    if (!relaxedSimdSupported()) {
      throw new Error(
        'WebAssembly relaxed SIMD was required (simd: "relaxed") but this runtime does not support it (Chrome ≥ 114, Firefox ≥ 145, ' +
          'Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd); pass simd: true or "auto" to use the SIMD128 artefact',
      );
    }
    return 'relaxed-simd';
  }
  const supported = simdSupported();
  if (simd === true && !supported) {
    throw new Error(
      'WebAssembly SIMD128 was required (simd: true) but this runtime does not support it; pass simd: false or "auto" to use the scalar artefact',
    );
  }
  return simd === false || !supported ? 'scalar' : 'simd128';
}

function describe(source: WasmSource): string {
  if (source instanceof URL) return source.href;
  if (typeof source === 'string') return source;
  if (source instanceof WebAssembly.Module) return 'a WebAssembly.Module';
  if (typeof Response !== 'undefined' && source instanceof Response) return source.url || 'a Response';
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return `${source.byteLength} bytes`;
  return 'a Response promise';
}

function hint(backend: WasmBackend | null): string {
  return (
    'Check that the file exists at that path (the package ships it in dist/wasm/bin/), that a web server sends it ' +
    'with Content-Type application/wasm, and that this runtime supports WebAssembly' +
    (backend === 'simd128'
      ? ' SIMD128 (or pass { simd: false } for the scalar artefact)'
      : backend === 'relaxed-simd'
        ? ' relaxed SIMD (or pass { simd: true } for the SIMD128 artefact)'
        : backend === null
          ? ' (and SIMD128, for the SIMD128 artefact)'
          : '') +
    '.'
  );
}

/** The backend a module must report, and what to do when it reports the other. */
interface Required {
  backend: WasmBackend;
  fix: string;
}

/**
 * Instantiates `source` and checks it is our kernels at this ABI version. `required`: the backend
 * the module must report (the packaged file of that backend, or an explicit `simd` option), or
 * null to take whichever it is.
 */
async function instantiate(source: WasmSource, required: Required | null, origin: string): Promise<WasmInstance> {
  let module: WebAssembly.Module;
  let instance: WebAssembly.Instance;
  try {
    module = checkImports(await compileFrom(source));
    instance = await WebAssembly.instantiate(module, {});
  } catch (cause) {
    const what = required ? ` (${required.backend})` : '';
    throw new Error(`Could not load the WebAssembly kernels${what} from ${origin}: ${(cause as Error).message}. ${hint(required?.backend ?? null)}`, {
      cause,
    });
  }
  // A plain copy of the (frozen) exports object, so the functions can be wrapped, e.g. to count calls.
  const exports = { ...instance.exports } as unknown as BackpropExports;
  const has = (name: string) => typeof (exports as unknown as Record<string, unknown>)[name] === 'function';
  // The version first: an artefact built for another version lacks or adds exports for that reason.
  const version = has('bp_abi_version') ? exports.bp_abi_version() : null;
  if (version !== null && version !== ABI_VERSION) {
    throw new Error(`The WebAssembly kernels from ${origin} have ABI version ${version}, this library needs ${ABI_VERSION}: rebuild them (npm run build:wasm)`);
  }
  const missing = EXPORT_NAMES.filter((n) => !has(n));
  if (!(exports.memory instanceof WebAssembly.Memory) || missing.length > 0) {
    throw new Error(`The WebAssembly module from ${origin} is not the wasm-backprop kernels: missing ${missing.length ? missing.join(', ') : 'memory'}`);
  }
  const code = exports.bp_backend();
  const backend = (Object.keys(BACKEND_CODES) as WasmBackend[]).find((b) => BACKEND_CODES[b] === code);
  if (backend === undefined) throw new Error(`The WebAssembly kernels from ${origin} report an unknown backend (code ${code})`);
  if (required !== null && backend !== required.backend) {
    throw new Error(`The WebAssembly kernels from ${origin} are the ${backend} artefact, not the ${required.backend} one: ${required.fix}`);
  }
  return new WasmInstance(exports, backend, origin, module);
}

async function compileFrom(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  }
  if (source instanceof URL || typeof source === 'string') {
    const url = source instanceof URL ? source : toUrl(source);
    return compileFrom(url.protocol === 'file:' ? await readFileUrl(url) : fetch(url));
  }
  const response = await source;
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  // Streaming compilation needs Content-Type application/wasm; without it, compile the bytes.
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('Content-Type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return compileFrom(await response.arrayBuffer());
}

/** What this file needs of Node's built-in modules. */
interface NodeBuiltins {
  'fs/promises': { readFile(url: URL): Promise<Uint8Array> };
  url: { pathToFileURL(path: string): URL };
}

/**
 * One of Node's built-in modules, through `process.getBuiltinModule` (Node ≥ 20.16, Deno, Bun), or
 * null where there is none (a browser). Not an `import`: a bundler has nothing to resolve; and named
 * without the `node:` scheme, so a bundle holds no `node:` at all (test/bundle.test.ts checks it).
 */
function nodeBuiltin<K extends keyof NodeBuiltins>(id: K): NodeBuiltins[K] | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof p?.getBuiltinModule === 'function' ? (p.getBuiltinModule(id) as NodeBuiltins[K]) : null;
}

/** The bytes of a `file:` URL: read from disk where the runtime has Node's fs, else fetched (Deno, Bun). */
export async function readFileUrl(url: URL): Promise<Uint8Array> {
  const fs = nodeBuiltin('fs/promises');
  if (fs) return fs.readFile(url);
  const response = await fetch(url).catch((cause: unknown) => {
    throw new Error(`this runtime can read ${url.href} neither from disk (no process.getBuiltinModule: Node ≥ 20.16 has it) nor by fetch`, { cause });
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A URL string (relative to the page in a browser), or in Node also a file path. */
function toUrl(source: string): URL {
  const url = nodeBuiltin('url');
  // A Windows path (C:\…) parses as a URL with scheme "c:": in Node it is a file path.
  if (!(url && /^[a-zA-Z]:[\\/]/.test(source))) {
    try {
      return new URL(source, globalThis.location?.href);
    } catch (e) {
      if (!url) throw e;
    }
  }
  return url!.pathToFileURL(source);
}

/** The kernels import nothing; a module that does is not ours. */
function checkImports(module: WebAssembly.Module): WebAssembly.Module {
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) {
    throw new Error(`the module imports ${imports.map((i) => `${i.module}.${i.name}`).join(', ')}, the kernels import nothing`);
  }
  return module;
}
