/**
 * The worker's side of a `Trainer`: one `Network`, created from the caller's options on the kernels
 * the caller compiled, and the requests of ./protocol.ts answered in order. `pause`, `resume` and
 * `cancel` are answered at once, even while `fit` runs.
 *
 * `fit` prepares the data once (`Network.prepare`) and trains on it in spans of epochs, each one
 * `Network.fit` call, so that progress can be reported and control requests read between spans: a
 * span starts at one epoch and doubles while it takes under 25 ms (halves above 100 ms). The network's shuffling generator and optimizer state carry
 * over from one call to the next, so the spans give the bits one `fit` call of all the epochs gives;
 * epoch numbers and a divergence's epoch are counted from the start of the whole call. A cancel
 * aborts the running span as `fit`'s signal does: between epochs, or within a time slice in an
 * epoch longer than one (the minibatches trained stay trained; that epoch is not in the history).
 *
 * Runs in a Web Worker (./worker.ts) or a worker_threads worker (./node-worker.ts); nothing here
 * knows which.
 */
import { checkInteger } from '../errors.js';
import { toModel } from '../model.js';
import { Network } from '../network.js';
import type { PreparedDataset } from '../prepared.js';
import { TrainingDivergedError, type BatchProgress, type Divergence, type EpochRecord, type History } from '../types.js';
import { loadWasm } from '../wasm/loader.js';
import { buffersOf, CONTROL_OPS, type ErrorData, type Reply, type Request, type WorkerFitOptions } from './protocol.js';

/** How the worker talks to its trainer. */
export interface WorkerSide {
  post(message: Reply, transfer: Transferable[]): void;
  listen(handler: (message: Request) => void): void;
}

/** Spans of epochs aim at this many milliseconds of training between two reports. */
const SPAN_MS = { grow: 25, shrink: 100 };

/** Serves trainer requests on `side` until the worker is terminated. */
export function serve(side: WorkerSide): void {
  let net: Network | null = null;
  let queue: Promise<void> = Promise.resolve();
  // Control: whether training may go on, and who waits for it to halt or to go on.
  let training = false;
  let paused = false;
  let cancelled = false;
  let waitingToHalt: number[] = [];
  let wake: (() => void) | null = null;
  /** Stops the running span within a time slice (as `fit`'s signal does), mid-epoch in a long epoch. */
  let stop: AbortController | null = null;

  const reply = (id: number, value: unknown, transfer: Transferable[] = []) => side.post({ id, ok: true, value }, transfer);
  const halted = () => {
    for (const id of waitingToHalt) reply(id, undefined);
    waitingToHalt = [];
  };
  const live = (): Network => {
    if (!net) throw new Error("the trainer's network was not created");
    return net;
  };

  function control(id: number, op: string): void {
    if (op === 'pause') paused = true;
    else if (op === 'resume') paused = false;
    else cancelled = training; // a cancel between fits has nothing to stop
    if (op === 'cancel') {
      paused = false;
      stop?.abort();
    }
    if (op !== 'resume' && training) waitingToHalt.push(id);
    else reply(id, undefined);
    if (op !== 'pause') wake?.();
  }

  /** Between two spans: report a halt, and wait while paused. */
  async function checkpoint(): Promise<void> {
    await nextTask();
    if (paused && !cancelled) {
      halted();
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  }

  async function fit(id: number, x: Request & { op: 'fit' }): Promise<History> {
    const n = live();
    const options: WorkerFitOptions = x.options;
    const epochs = checkInteger(options.epochs ?? 50, 'options.epochs', 0, 1e9);
    const losses: number[] = [];
    const records: EpochRecord[] = [];
    let done = 0;
    let span = 1;
    if (epochs === 0) return n.fit(x.x, x.y, options);
    // The data checked, converted and (wasm) copied into the kernels' memory once for every span.
    // Where it is refused, `fit` itself says why, as it would (options first, then the data).
    let data: PreparedDataset;
    try {
      data = n.prepare(x.x, x.y);
    } catch (e) {
      await n.fit(x.x, x.y, { ...options, epochs: 0 });
      throw e;
    }
    training = true;
    cancelled = false;
    try {
      do {
        if (paused) await checkpoint();
        if (cancelled) break;
        const k = Math.min(span, epochs - done);
        const started = performance.now();
        let h: History;
        stop = new AbortController();
        try {
          const onBatch = x.batches ? (p: BatchProgress) => side.post({ id, batch: { ...p, epoch: p.epoch + done } }, []) : undefined;
          h = await n.fit(data, { ...options, epochs: k, signal: stop.signal, ...(onBatch ? { onBatch } : {}) });
        } catch (e) {
          throw e instanceof TrainingDivergedError ? shifted(e, done, losses, records) : e;
        } finally {
          stop = null;
        }
        const fresh = h.epochs.map((r) => ({ ...r, epoch: r.epoch + done }));
        const trained = h.losses.length; // fewer than k when cancelled
        losses.push(...h.losses);
        records.push(...fresh);
        done += trained;
        if (trained > 0) side.post({ id, progress: { epoch: done, epochs, loss: h.losses[trained - 1], records: fresh } }, []);
        if (h.stopped) break;
        const ms = performance.now() - started;
        span = ms < SPAN_MS.grow ? span * 2 : ms > SPAN_MS.shrink ? Math.max(1, span >> 1) : span;
        if (done < epochs) await checkpoint();
      } while (done < epochs);
    } finally {
      data.dispose();
      training = false;
      cancelled = false;
      halted();
    }
    return { losses, epochs: records, stopped: done < epochs };
  }

  async function handle(req: Request): Promise<void> {
    const { id } = req;
    switch (req.op) {
      case 'create': {
        if (net) throw new Error("the trainer's network exists already");
        const wasm = req.module ? { instance: await loadWasm({ source: req.module }) } : undefined;
        net = await Network.create({ ...req.options, ...(wasm ? { wasm } : {}) });
        return reply(id, { backend: net.backend });
      }
      case 'fit': {
        const h = await fit(id, req);
        return reply(id, { losses: [...h.losses], epochs: h.epochs, stopped: h.stopped });
      }
      case 'predict': {
        const m = live().predictMatrix(req.x);
        return reply(id, m, buffersOf(m));
      }
      case 'evaluate':
        return reply(id, live().evaluate(req.x, req.y));
      case 'getParameters':
        return reply(id, live().getParameters());
      case 'getFlatParameters': {
        const p = live().getFlatParameters();
        return reply(id, p, buffersOf(p));
      }
      case 'getTrainingState': {
        const s = live().getTrainingState();
        return reply(id, s, buffersOf(s.m, s.v));
      }
      case 'toModel':
        return reply(id, toModel(live(), req.extra));
      default:
        throw new Error(`unknown trainer request '${(req as { op: string }).op}'`);
    }
  }

  side.listen((req) => {
    if (CONTROL_OPS.has(req.op)) return control(req.id, req.op);
    queue = queue
      .then(() => handle(req))
      .catch((e: unknown) => side.post({ id: req.id, ok: false, error: errorData(e) }, []))
      // A reply that could not be posted (a value that cannot be cloned) still answers the request.
      .catch((e: unknown) => side.post({ id: req.id, ok: false, error: { name: 'Error', message: `the trainer's worker could not reply: ${String(e)}` } }, []));
  });
}

/** A task boundary, so that messages waiting for the worker are read (setImmediate in Node, a MessageChannel in browsers). */
function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** A divergence in a span, as one `fit` call over all the epochs would have reported it. */
function shifted(e: TrainingDivergedError, done: number, losses: number[], records: EpochRecord[]): TrainingDivergedError {
  const h = e.history;
  const history: History = {
    losses: [...losses, ...(h?.losses ?? [])],
    epochs: [...records, ...(h?.epochs ?? []).map((r) => ({ ...r, epoch: r.epoch + done }))],
    stopped: h?.stopped ?? false,
  };
  return new TrainingDivergedError({ ...divergenceOf(e), epoch: e.epoch === null ? null : e.epoch + done }, history);
}

function divergenceOf(e: TrainingDivergedError): Divergence {
  const { epoch, batch, rows, layer, neuron, parameter, value, callsAgo, undone, learningRate, biasLearningRate } = e;
  return { epoch, batch, rows, layer, neuron, parameter, value, callsAgo, undone, learningRate, biasLearningRate };
}

/** An error as it crosses to the trainer (./protocol.ts). */
export function errorData(e: unknown): ErrorData {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  if (e instanceof TrainingDivergedError) {
    const h = e.history;
    return {
      name: e.name,
      message: e.message,
      divergence: divergenceOf(e),
      ...(h ? { history: { losses: [...h.losses], epochs: h.epochs, stopped: h.stopped } } : {}),
    };
  }
  return { name: e.name, message: e.message };
}
