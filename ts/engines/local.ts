/**
 * The engines that run in JavaScript, made from a resolved configuration: `js` and `educational`.
 * `Network.create` loads this module with a dynamic `import()` only when a network asks for one
 * (or `engine: 'auto'` falls back to js), so an app that trains with the wasm engine does not ship
 * them; `createNetworkSync` (ts/sync.ts, the entry `wasm-backprop/sync`) imports it statically.
 */
import type { Engine } from '../engine.js';
import { fail } from '../errors.js';
import type { NetworkConfig } from '../options.js';
import { EducationalEngine } from './educational.js';
import { JsEngine } from './js.js';

/** The js or educational engine `cfg` asks for. */
export function makeEngine(cfg: NetworkConfig): Engine {
  if (cfg.engine === 'js') return new JsEngine(cfg.arch, cfg.precision);
  if (cfg.engine === 'educational') return new EducationalEngine(cfg.arch);
  return fail(`engine '${cfg.engine}' is not one of the JavaScript engines ('js', 'educational'): use 'await Network.create(...)'`);
}
