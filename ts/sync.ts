/**
 * The entry `wasm-backprop/sync`: networks of the engines that need nothing loaded (`js`,
 * `educational`), made without awaiting anything. An entry of its own so that an app that trains
 * with the wasm engine does not ship the js and educational engines (`Network.create` loads them on
 * demand); importing this one brings them in. The educational engine's classes (`EducationalEngine`,
 * `Neuron`, `Layer`, `NeuronGraph`) are exported here as values; the main entry exports their types.
 */
import { makeEngine } from './engines/local.js';
export { EducationalEngine, Neuron, Layer, NeuronGraph } from './engines/educational.js';
import { fail, show } from './errors.js';
import { Network } from './network.js';
import { checkOptionsObject, resolveOptions, type NetworkOptions } from './options.js';

/**
 * Creates a network of the js (the default here) or educational engine at once, as
 * `await Network.create(options)` would. The wasm engine needs its WebAssembly loaded first:
 * `engine: 'wasm'` or `'auto'` is refused (use `await Network.create(...)`).
 */
export function createNetworkSync(options: NetworkOptions): Network {
  checkOptionsObject(options, 'createNetworkSync');
  if (options.engine === 'wasm' || options.engine === 'auto') {
    fail(`createNetworkSync cannot load WebAssembly, which engine '${options.engine}' needs: use 'await Network.create(...)'`);
  }
  if (options.engine === undefined && options.threads !== undefined && options.threads !== 1) {
    fail(
      `createNetworkSync makes js networks unless told otherwise, and they train on one thread: options.threads (${show(options.threads)}) needs the wasm engine and 'await Network.create(...)'`,
    );
  }
  const cfg = resolveOptions({ ...options, engine: options.engine ?? 'js' });
  return Network.fromEngine(makeEngine(cfg), cfg);
}
