/**
 * A runner: the child process that hosts one system (its id is the first argument) and answers the
 * orchestrator's requests (bench/protocol.ts) over the IPC channel. It times its own chunks with
 * `performance.now()` around the training call only; messages are outside the timed region.
 */
import {
  NotRun,
  type CalibrateReply,
  type Case,
  type GuardReply,
  type Reply,
  type Request,
  type RunReply,
  type SetupReply,
  type TeardownReply,
} from './protocol.js';
import { systemById, type SystemInfo } from './systems.js';
import { loadWorkloadData, type WorkloadData, type WorkloadSpec } from './workloads.js';

const system = systemById(process.argv[2] ?? '');
let current: { spec: WorkloadSpec; c: Case; units: number } | null = null;

async function createCase(s: SystemInfo, spec: WorkloadSpec, data: WorkloadData): Promise<Case> {
  if (s.family === 'ours') {
    const { createOurCase } = await import('./cases/ours.js');
    return createOurCase(s.engine!, s.api!, spec, data);
  }
  switch (s.id) {
    case 'tfjs-cpu':
    case 'tfjs-wasm': {
      const { createTfjsCase } = await import('./cases/tfjs.js');
      return createTfjsCase(s.id === 'tfjs-cpu' ? 'cpu' : 'wasm', spec, data);
    }
    case 'brain': {
      const { createBrainCase } = await import('./cases/brain.js');
      return createBrainCase(spec, data);
    }
    case 'synaptic': {
      const { createSynapticCase } = await import('./cases/synaptic.js');
      return createSynapticCase(spec, data);
    }
    default:
      throw new Error(`no Node implementation of system '${s.id}'`);
  }
}

function live(): { spec: WorkloadSpec; c: Case; units: number } {
  if (!current) throw new Error('no workload set up');
  return current;
}

/** Times one call of `run(units)`. */
async function timed(c: Case, units: number): Promise<RunReply> {
  const t = performance.now();
  const samples = await c.run(units);
  return { ms: performance.now() - t, samples };
}

/**
 * Warm-up and calibration: doubles the units per call until a call takes a quarter of a chunk, then
 * scales to the chunk length and keeps training chunks until `warmupMs` has passed and the rate has
 * settled (two chunks in a row within 5 %; the JIT of a large library like TensorFlow.js takes
 * seconds to reach its speed), or `maxWarmupMs` has passed.
 */
async function calibrate(chunkMs: number, warmupMs: number, maxWarmupMs: number): Promise<CalibrateReply> {
  const cur = live();
  const started = performance.now();
  let units = 1;
  let r = await timed(cur.c, units);
  while (r.ms < chunkMs / 4) {
    units = Math.ceil(units * Math.min(8, Math.max(2, chunkMs / 4 / Math.max(r.ms, 1e-3))));
    r = await timed(cur.c, units);
  }
  units = Math.max(1, Math.round((units * chunkMs) / r.ms));
  let previous = 0;
  for (;;) {
    r = await timed(cur.c, units);
    const rate = r.samples / r.ms;
    const elapsed = performance.now() - started;
    if ((elapsed >= warmupMs && Math.abs(rate / previous - 1) < 0.05) || elapsed >= maxWarmupMs) break;
    previous = rate;
  }
  cur.units = units;
  return { units, samples: r.samples };
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'setup': {
      current?.c.dispose();
      current = null;
      try {
        const c = await createCase(system, req.spec, loadWorkloadData(req.spec));
        current = { spec: req.spec, c, units: 1 };
        return { ready: true, batch: c.batch, reference: c.reference, note: c.note, info: c.info } satisfies SetupReply;
      } catch (e) {
        if (e instanceof NotRun) return { ready: false, reason: e.message } satisfies SetupReply;
        throw e;
      }
    }
    case 'guard': {
      const { spec, c } = live();
      const initialLoss = await c.evalLoss();
      await c.trainGuard(spec.guardSteps);
      return { initialLoss, loss: await c.evalLoss(), steps: spec.guardSteps, batch: c.batch } satisfies GuardReply;
    }
    case 'calibrate':
      return calibrate(req.chunkMs, req.warmupMs, req.maxWarmupMs);
    case 'run': {
      const cur = live();
      return timed(cur.c, cur.units);
    }
    case 'teardown': {
      const leak = current?.c.dispose();
      current = null;
      return (leak ? { leak } : {}) satisfies TeardownReply;
    }
    case 'exit':
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on('message', (msg: Request & { id: number }) => {
  handle(msg).then(
    (value) => process.send!({ id: msg.id, ok: true, value } satisfies Reply),
    (e: unknown) => process.send!({ id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Reply),
  );
});
process.on('disconnect', () => process.exit(0));
