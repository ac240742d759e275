/**
 * A runner's answers to the orchestrator's requests (bench/protocol.ts), whatever hosts it: the Node
 * runner (bench/runner.ts, a child process) and the browser runner (bench/browser/page.ts, a page)
 * wrap this one handler. It times its own chunks with `performance.now()` around the training call
 * only; messages are outside the timed region.
 */
import { createCase, type CaseEnv } from './cases/index.js';
import { NotRun, type CalibrateReply, type Case, type GuardReply, type Request, type RunReply, type SetupReply, type TeardownReply } from './protocol.js';
import type { SystemInfo } from './systems.js';
import type { WorkloadData, WorkloadSpec } from './workload-spec.js';

/** What a host gives the handler. */
export interface Host {
  system: SystemInfo;
  env: CaseEnv;
  /** Reads the workload's data files. */
  loadData(spec: WorkloadSpec): WorkloadData | Promise<WorkloadData>;
  /** Ends the runner (after the reply to 'exit' is on its way). */
  exit(): void;
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
 * seconds to reach its speed), or `maxWarmupMs` has passed. A chunk shorter than half its length
 * or longer than twice scales the units again (the doubling can end on a pause).
 */
async function calibrate(c: Case, chunkMs: number, warmupMs: number, maxWarmupMs: number): Promise<CalibrateReply> {
  const started = performance.now();
  let units = 1;
  let r = await timed(c, units);
  while (r.ms < chunkMs / 4) {
    units = Math.ceil(units * Math.min(8, Math.max(2, chunkMs / 4 / Math.max(r.ms, 1e-3))));
    r = await timed(c, units);
  }
  const scale = () => (units = Math.max(1, Math.round((units * chunkMs) / Math.max(r.ms, 1e-3))));
  scale();
  let previous = 0;
  for (;;) {
    r = await timed(c, units);
    const rate = r.samples / r.ms;
    const elapsed = performance.now() - started;
    // A chunk far from its length (the doubling ended on a pause of the JIT or the collector): scale again.
    if ((r.ms < chunkMs / 2 || r.ms > 2 * chunkMs) && elapsed < maxWarmupMs) {
      scale();
      previous = 0;
      continue;
    }
    if ((elapsed >= warmupMs && Math.abs(rate / previous - 1) < 0.05) || elapsed >= maxWarmupMs) break;
    previous = rate;
  }
  return { units, samples: r.samples };
}

/** The handler of one runner: one request at a time, one workload set up at a time. */
export function createHandler(host: Host): (req: Request) => Promise<unknown> {
  let current: { spec: WorkloadSpec; c: Case; units: number } | null = null;
  const live = () => {
    if (!current) throw new Error('no workload set up');
    return current;
  };
  return async (req) => {
    switch (req.op) {
      case 'setup': {
        current?.c.dispose();
        current = null;
        try {
          const c = await createCase(host.system, req.spec, await host.loadData(req.spec), host.env);
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
      case 'calibrate': {
        const cur = live();
        const reply = await calibrate(cur.c, req.chunkMs, req.warmupMs, req.maxWarmupMs);
        cur.units = reply.units;
        return reply;
      }
      case 'run': {
        const cur = live();
        return timed(cur.c, cur.units);
      }
      case 'ceiling': {
        const { measureCeiling } = await import('./ceiling.js');
        return measureCeiling(req.ms);
      }
      case 'teardown': {
        const leak = current?.c.dispose();
        current = null;
        return (leak ? { leak } : {}) satisfies TeardownReply;
      }
      case 'exit':
        host.exit();
        return {};
    }
  };
}
