/**
 * The case of a system: the one place that maps a system to its implementation in bench/cases/,
 * shared by the Node runner (bench/runner.ts) and the browser runner (bench/browser/page.ts). Each
 * implementation is imported when its system is set up, so a runner loads only its own library.
 */
import type { Case } from '../protocol.js';
import type { SystemInfo } from '../systems.js';
import type { WorkloadData, WorkloadSpec } from '../workload-spec.js';

/** What differs between the runtimes a case runs in. */
export interface CaseEnv {
  /** Installed versions of the peer libraries (package name → version), for the report. */
  versions: Record<string, string>;
  /** The folder of TensorFlow.js's wasm binaries, ending in '/': a file path under Node, a URL in a browser. */
  tfjsWasmPaths: string;
}

export async function createCase(s: SystemInfo, spec: WorkloadSpec, data: WorkloadData, env: CaseEnv): Promise<Case> {
  if (s.family === 'ours') {
    const { createOurCase } = await import('./ours.js');
    return createOurCase(s.engine!, s.api!, spec, data);
  }
  switch (s.id) {
    case 'tfjs-cpu':
    case 'tfjs-wasm': {
      const { createTfjsCase } = await import('./tfjs.js');
      return createTfjsCase(s.id === 'tfjs-cpu' ? 'cpu' : 'wasm', spec, data, env.tfjsWasmPaths);
    }
    case 'brain': {
      const { createBrainCase } = await import('./brain.js');
      return createBrainCase(spec, data, env.versions['brain.js'] ?? 'unknown');
    }
    case 'synaptic': {
      const { createSynapticCase } = await import('./synaptic.js');
      return createSynapticCase(spec, data, env.versions.synaptic ?? 'unknown');
    }
    default:
      throw new Error(`no JavaScript implementation of system '${s.id}'`);
  }
}
