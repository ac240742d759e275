/**
 * Every way this library can train: engine × precision × backend, written once. The shared test
 * suites run against each row, `verify` compares them, and the benchmarks race them; a new
 * artefact is one more row here.
 */
import type { Backend, EngineName, Precision } from './types.js';
import type { NetworkOptions } from './options.js';

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

function row<N extends string>(name: N, engine: EngineName, precision: Precision, backend: Backend): Configuration & { name: N } {
  const wasm = engine === 'wasm' ? { wasm: { simd: backend === 'simd128' } } : {};
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

export type ConfigurationName = (typeof CONFIGURATIONS)[number]['name'];

/** The configuration of that name, or an error listing the names. */
export function configuration(name: string): Configuration {
  const c = CONFIGURATIONS.find((x) => x.name === name);
  if (!c) throw new RangeError(`unknown configuration '${name}' (known: ${CONFIGURATIONS.map((x) => x.name).join(', ')})`);
  return c;
}
