/**
 * A Node runner: the child process that hosts one system (its id is the first argument) and answers
 * the orchestrator's requests (bench/protocol.ts, answered by bench/handler.ts) over the IPC channel.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createHandler } from './handler.js';
import { packageVersions } from './machine.js';
import type { Reply, Request } from './protocol.js';
import { systemById } from './systems.js';
import { loadWorkloadData } from './workloads.js';

const require = createRequire(import.meta.url);
const handle = createHandler({
  system: systemById(process.argv[2] ?? ''),
  env: {
    versions: packageVersions(),
    // The .wasm binaries sit beside the package's Node entry (dist/); under Node the path is a file path.
    tfjsWasmPaths: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`,
  },
  loadData: loadWorkloadData,
  exit: () => setImmediate(() => process.exit(0)),
});

process.on('message', (msg: Request & { id: number }) => {
  handle(msg).then(
    (value) => process.send!({ id: msg.id, ok: true, value } satisfies Reply),
    (e: unknown) => process.send!({ id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Reply),
  );
});
process.on('disconnect', () => process.exit(0));
