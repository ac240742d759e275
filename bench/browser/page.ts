/**
 * The browser runner: the script of a page that hosts one system, as a Node runner process does
 * (bench/runner.ts). The orchestrator (bench/browser/host.ts) opens one page per system, each in a
 * browser context of its own (its own renderer process, so its own heap, garbage collector and
 * JIT), calls `benchInit` once and then `benchRequest` with the requests of bench/protocol.ts; the
 * answers come from the same handler as in Node (bench/handler.ts).
 *
 * Everything a page loads comes from the orchestrator's loopback server: this bundle, our .wasm
 * artefacts under `bin/` (where the library's loader looks for them beside its module), TensorFlow.js's
 * under `tfjs/` and the workload files under `data/`.
 */
import { createHandler } from '../handler.js';
import type { Request } from '../protocol.js';
import { systemById } from '../systems.js';
import { float32Values, type WorkloadSpec } from '../workload-spec.js';

/** What the orchestrator passes to `benchInit`. */
export interface PageInit {
  system: string;
  versions: Record<string, string>;
}

declare global {
  var benchInit: (init: PageInit) => void;
  var benchRequest: (req: Request) => Promise<unknown>;
}

/** A workload file, by the name the orchestrator gave it (they are all served from data/). */
async function fetchValues(file: string): Promise<Float64Array> {
  const url = new URL(`data/${file.split(/[\\/]/).pop()}`, location.href);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return float32Values(new Uint8Array(await res.arrayBuffer()));
}

globalThis.benchInit = ({ system, versions }) => {
  const handle = createHandler({
    system: systemById(system),
    env: { versions, tfjsWasmPaths: new URL('tfjs/', location.href).href },
    loadData: async (spec: WorkloadSpec) => {
      const [x, y, p0] = await Promise.all([fetchValues(spec.files.x), fetchValues(spec.files.y), fetchValues(spec.files.p0)]);
      return { x, y, p0 };
    },
    // The orchestrator closes the page.
    exit: () => {},
  });
  globalThis.benchRequest = handle;
};
