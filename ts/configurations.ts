/**
 * Every way this library can train: engine × precision × backend, written once. The shared test
 * suites run against each row, `verify` compares them, and the benchmarks race them; a new
 * artefact is one more row here. Rows that need a runtime feature beyond SIMD128 (relaxed SIMD)
 * are apart, in `OPTIONAL_CONFIGURATIONS`: swept, compared and raced where `configurationSupported`.
 */
import type { Backend, EngineName, Precision, WasmBackend } from './types.js';
import type { NetworkOptions } from './options.js';
import { relaxedSimdSupported, simdSupported, type LoadOptions } from './wasm/loader.js';

export interface Configuration {
  /** The name in tests, reports and benchmark tables, e.g. 'wasm-simd-f32'. */
  readonly name: string;
  readonly engine: EngineName;
  readonly precision: Precision;
  /** Where its arithmetic runs (`Network.backend` reports it). */
  readonly backend: Backend;
  /** The network options that select it. */
  readonly options: Readonly<Pick<NetworkOptions, 'engine' | 'precision' | 'wasm'>>;
}

/** The `simd` load option that selects each artefact. */
export const SIMD_OPTION = { simd128: true, scalar: false, 'relaxed-simd': 'relaxed' } as const satisfies Record<WasmBackend, LoadOptions['simd']>;

function row<N extends string>(name: N, engine: EngineName, precision: Precision, backend: Backend): Configuration & { name: N } {
  const wasm = backend !== 'js' ? { wasm: { simd: SIMD_OPTION[backend] } } : {};
  return { name, engine, precision, backend, options: { engine, precision, ...wasm } };
}

/** The reference precision first (f64), then f32; within each, the engines from the simplest. */
export const CONFIGURATIONS = [
  row('educational', 'educational', 'f64', 'js'),
  row('js-f64', 'js', 'f64', 'js'),
  row('wasm-simd-f64', 'wasm', 'f64', 'simd128'),
  row('wasm-scalar-f64', 'wasm', 'f64', 'scalar'),
  row('js-f32', 'js', 'f32', 'js'),
  row('wasm-simd-f32', 'wasm', 'f32', 'simd128'),
  row('wasm-scalar-f32', 'wasm', 'f32', 'scalar'),
] as const;

/**
 * The configurations of the relaxed-SIMD artefact: by opt-in (`wasm: { simd: 'relaxed' }`), where
 * the runtime has relaxed SIMD. Their bits depend on the CPU (fused multiply-adds or not), so they
 * are held to the fixtures' tolerance, not to the bits of the others.
 */
export const OPTIONAL_CONFIGURATIONS = [
  row('wasm-relaxed-f64', 'wasm', 'f64', 'relaxed-simd'),
  row('wasm-relaxed-f32', 'wasm', 'f32', 'relaxed-simd'),
] as const;

export type ConfigurationName = (typeof CONFIGURATIONS)[number]['name'] | (typeof OPTIONAL_CONFIGURATIONS)[number]['name'];

/** Whether this runtime can load the artefact of `backend` (JavaScript: always). */
export function backendSupported(backend: Backend): boolean {
  return backend === 'relaxed-simd' ? relaxedSimdSupported() : backend === 'simd128' ? simdSupported() : true;
}

/** Whether this runtime runs configuration `c`. */
export function configurationSupported(c: Configuration): boolean {
  return backendSupported(c.backend);
}

/** The configuration of that name, or an error listing the names. */
export function configuration(name: string): Configuration {
  const all: readonly Configuration[] = [...CONFIGURATIONS, ...OPTIONAL_CONFIGURATIONS];
  const c = all.find((x) => x.name === name);
  if (!c) throw new RangeError(`unknown configuration '${name}' (known: ${all.map((x) => x.name).join(', ')})`);
  return c;
}
