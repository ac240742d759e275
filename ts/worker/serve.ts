/**
 * The worker's side of a `Trainer`: one `Network`, created from the caller's options (or loaded from
 * a model document) on the kernels the caller compiled, and the requests of ./protocol.ts answered
 * in order. `pause`, `resume` and `cancel` are answered at once, even while `fit` runs; requests that
 * only read the network (`predict`, `evaluate`, the parameters, the model) are answered at `fit`'s
 * next safe point rather than after it.
 *
 * `fit` prepares the data once (`Network.prepare`) and trains on it in spans of epochs, each one
 * `Network.fit` call, so that progress can be reported and control requests read between spans: a
 * span starts at one epoch and doubles while it takes under 25 ms (halves above 100 ms). The network's shuffling generator and optimizer state carry
 * over from one call to the next, so the spans give the bits one `fit` call of all the epochs gives;
 * epoch numbers and a divergence's epoch are counted from the start of the whole call. A cancel
 * aborts the running span as `fit`'s signal does: between epochs, or within a time slice in an
 * epoch longer than one (the minibatches trained stay trained; that epoch is not in the history).
 * Each span's epoch records go to the trainer as progress, and only there (or, for the span that
 * diverged, in the error): the reply to `fit` says
 * how many epochs it trained (a history of millions of records cloned at the end took seconds and
 * held the page's thread for as long as it took to read).
 *
 * Safe points (no engine call under way, the network between two steps): between spans; in an
 * epoch longer than a time slice, after each slice (`onBatch`, whose promise holds the epoch still
 * while paused: a pause there changes no bit); after each epoch where the training accuracy is
 * measured (`onEpoch`, which ends the span early when a pause is asked for). Waiting reads are
 * answered at each; while paused, at once.
 *
 * Runs in a Web Worker (./worker.ts) or a worker_threads worker (./node-worker.ts); nothing here
 * knows which.
 */
import { checkInteger } from '../errors.js';
import { loadNetwork, toModel } from '../model.js';
import { Network } from '../network.js';
import type { PreparedDataset } from '../prepared.js';
import { TrainingDivergedError, type BatchProgress, type Divergence, type History } from '../types.js';
import { loadWasm } from '../wasm/loader.js';
import { buffersOf, CONTROL_OPS, HELLO, packRecords, READ_OPS, type ErrorData, type FitEnd, type NetworkInfo, type Reply, type Request } from './protocol.js';

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
  /** The fit training (its request id), the last one ended, and fits cancelled before they trained. */
  let running = -1;
  let ended = -1;
  const doomed = new Set<number>();
  /** Who waits for training to hold (a pause) or to end (a cancel). */
  let waitingToHalt: { id: number; op: string }[] = [];
  let wake: (() => void) | null = null;
  /** Stops the running span within a time slice (as `fit`'s signal does), mid-epoch in a long epoch. */
  let stop: AbortController | null = null;
  /** Reads that came while `fit` runs, answered at its next safe point. */
  let reads: Request[] = [];
  /** Whether `fit` is held at a safe point (paused): a read is answered at once. */
  let holding = false;

  const reply = (id: number, value: unknown, transfer: Transferable[] = []) => side.post({ id, ok: true, value }, transfer);
  const refuse = (id: number, e: unknown) => side.post({ id, ok: false, error: errorData(e) }, []);
  /** Answers those waiting for training to halt: every one, or (`pauses`) the pauses only. */
  const halted = (pauses = false) => {
    for (const w of waitingToHalt) if (!pauses || w.op === 'pause') reply(w.id, undefined);
    waitingToHalt = pauses ? waitingToHalt.filter((w) => w.op !== 'pause') : [];
  };
  const live = (): Network => {
    if (!net) throw new Error("the trainer's network was not created");
    return net;
  };

  function control(req: Request): void {
    const { id, op } = req;
    if (op === 'hello') return side.post({ hello: HELLO }, []);
    // A cancel for a fit not training yet (waiting its turn, or being checked): that fit ends as
    // soon as it starts, checked first. One for a fit that has ended does nothing.
    const target = op === 'cancel' ? req.fit : undefined;
    if (target !== undefined && !(training && target === running)) {
      if (target > ended) doomed.add(target);
      return reply(id, undefined);
    }
    if (op === 'pause') paused = true;
    else if (op === 'resume') {
      paused = false;
      halted(true); // a pause lifted before training held
    } else {
      cancelled = training; // a cancel between fits has nothing to stop
      paused = false;
      stop?.abort();
    }
    // A pause resolves once training holds (at once where it holds already), a cancel once it has ended.
    if (training && (op === 'cancel' || (op === 'pause' && !holding))) waitingToHalt.push({ id, op });
    else reply(id, undefined);
    if (op !== 'pause') wake?.();
  }

  /** Answers a request that reads the network (./protocol.ts READ_OPS). */
  function read(req: Request): void {
    try {
      switch (req.op) {
        case 'predict': {
          const m = live().predictMatrix(req.x);
          return reply(req.id, m, buffersOf(m));
        }
        case 'evaluate':
          return reply(req.id, live().evaluate(req.x, req.y));
        case 'getParameters':
          return reply(req.id, live().getParameters());
        case 'getFlatParameters': {
          const p = live().getFlatParameters();
          return reply(req.id, p, buffersOf(p));
        }
        case 'getTrainingState': {
          const s = live().getTrainingState();
          return reply(req.id, s, buffersOf(s.m, s.v));
        }
        case 'toModel':
          return reply(req.id, toModel(live(), req.extra));
        default:
          throw new Error(`'${req.op}' is not a request that reads the network`);
      }
    } catch (e) {
      refuse(req.id, e);
    }
  }

  /** At a safe point of `fit`: the waiting reads answered. */
  function drain(): void {
    const waiting = reads;
    reads = [];
    for (const req of waiting) read(req);
  }

  /** At a safe point of `fit`: the reads answered, then, while paused, a halt reported and held until resume or cancel. */
  async function safePoint(): Promise<void> {
    drain();
    if (!paused || cancelled) return;
    halted();
    holding = true;
    try {
      await new Promise<void>((resolve) => (wake = resolve));
    } finally {
      wake = null;
      holding = false;
    }
  }

  async function fit(id: number, x: Request & { op: 'fit' }): Promise<Omit<FitEnd, 'threads'>> {
    const n = live();
    const { trainingAccuracy = false, ...options } = x.options;
    const epochs = checkInteger(options.epochs ?? 50, 'options.epochs', 0, 1e9);
    let done = 0;
    let span = 1;
    if (epochs === 0) return { trained: 0, stopped: (await n.fit(x.x, x.y, options)).stopped };
    // The data checked, converted and (wasm) copied into the kernels' memory once for every span.
    // Where it is refused, `fit` itself says why, as it would (options first, then the data).
    let data: PreparedDataset;
    try {
      data = n.prepare(x.x, x.y);
    } catch (e) {
      await n.fit(x.x, x.y, { ...options, epochs: 0 });
      throw e;
    }
    try {
      // The options checked before a pause or a cancel can hold the fit, as Network.fit checks them.
      await n.fit(data, { ...options, epochs: 0 });
    } catch (e) {
      data.dispose();
      throw e;
    }
    training = true;
    running = id;
    cancelled = doomed.delete(id) || x.aborted === true;
    // Inside a span: after each time slice of a long epoch, a safe point that holds while paused
    // (and the caller's onBatch told); after each epoch, with the training accuracy, a safe point
    // that ends the span where a pause is asked for.
    const onBatch = (p: BatchProgress): boolean | Promise<boolean> => {
      if (x.batches) side.post({ id, batch: { ...p, epoch: p.epoch + done } }, []);
      if (!paused || cancelled) return (drain(), !cancelled);
      return safePoint().then(() => !cancelled);
    };
    let accuracies: number[] = [];
    let cut = false;
    const onEpoch = (): boolean => {
      accuracies.push(n.evaluate(data).accuracy);
      drain();
      cut = paused;
      return !cut;
    };
    try {
      do {
        if (paused) await checkpoint();
        if (cancelled) break;
        const k = Math.min(span, epochs - done);
        const started = performance.now();
        let h: History;
        stop = new AbortController();
        accuracies = [];
        cut = false;
        try {
          h = await n.fit(data, { ...options, epochs: k, signal: stop.signal, onBatch, ...(trainingAccuracy ? { onEpoch } : {}) });
        } catch (e) {
          throw e instanceof TrainingDivergedError ? shifted(e, done) : e;
        } finally {
          stop = null;
        }
        const trained = h.losses.length; // fewer than k when cancelled or cut for a pause
        if (trained > 0) {
          // Packed from the span's records as they are: epochs counted on from `done`, the training accuracies beside.
          const records = packRecords(h.epochs, done, trainingAccuracy ? accuracies : undefined);
          done += trained;
          side.post({ id, progress: { epoch: done, epochs, loss: h.losses[trained - 1], records } }, buffersOf(...Object.values(records)));
        }
        if (h.stopped && !cut) break;
        const ms = performance.now() - started;
        if (!cut) span = ms < SPAN_MS.grow ? span * 2 : ms > SPAN_MS.shrink ? Math.max(1, span >> 1) : span;
        if (done < epochs) await checkpoint();
      } while (done < epochs);
    } finally {
      data.dispose();
      training = false;
      running = -1;
      cancelled = false;
      halted();
      drain();
    }
    return { trained: done, stopped: done < epochs };
  }

  /** Between two spans: the messages waiting read, then a safe point. */
  async function checkpoint(): Promise<void> {
    await nextTask();
    await safePoint();
  }

  const infoOf = (n: Network): NetworkInfo => ({ backend: n.backend, engine: n.engine, precision: n.precision, layers: [...n.layers], threads: n.threads });

  async function handle(req: Request): Promise<void> {
    const { id } = req;
    switch (req.op) {
      case 'create':
      case 'load': {
        if (net) throw new Error("the trainer's network exists already");
        const wasm = req.module ? { instance: await loadWasm({ source: req.module }) } : undefined;
        net =
          req.op === 'create'
            ? await Network.create({ ...req.options, ...(wasm ? { wasm } : {}) })
            : await loadNetwork(req.model, { ...req.options, ...(wasm ? { wasm } : {}) });
        return reply(id, infoOf(net));
      }
      case 'fit': {
        try {
          const end: FitEnd = { ...(await fit(id, req)), threads: live().threads };
          return reply(id, end);
        } finally {
          ended = id;
          doomed.delete(id);
        }
      }
      default:
        if (READ_OPS.has(req.op)) return read(req);
        throw new Error(`unknown trainer request '${(req as { op: string }).op}'`);
    }
  }

  side.listen((req) => {
    if (CONTROL_OPS.has(req.op)) return control(req);
    if (training && READ_OPS.has(req.op)) {
      if (holding) read(req);
      else reads.push(req);
      return;
    }
    queue = queue
      .then(() => handle(req))
      .catch((e: unknown) => refuse(req.id, e))
      // A reply that could not be posted (a value that cannot be cloned) still answers the request.
      .catch((e: unknown) => side.post({ id: req.id, ok: false, error: { name: 'Error', message: `the trainer's worker could not reply: ${String(e)}` } }, []));
  });
  side.post({ hello: HELLO }, []);
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

/**
 * A divergence in a span, its epochs counted from the fit's start: its history holds the span's
 * epochs only (the trainer puts those of the earlier spans, which it was sent as progress, before them).
 */
function shifted(e: TrainingDivergedError, done: number): TrainingDivergedError {
  const h = e.history;
  const history: History = {
    losses: [...(h?.losses ?? [])],
    epochs: (h?.epochs ?? []).map((r) => ({ ...r, epoch: r.epoch + done })),
    stopped: h?.stopped ?? false,
  };
  return new TrainingDivergedError({ ...divergenceOf(e), epoch: e.epoch === null ? null : e.epoch + done }, history);
}

function divergenceOf(e: TrainingDivergedError): Divergence {
  const { epoch, batch, rows, layer, neuron, parameter, value, maxLoss, largest, callsAgo, undone, learningRate, biasLearningRate } = e;
  return { epoch, batch, rows, layer, neuron, parameter, value, maxLoss, largest, callsAgo, undone, learningRate, biasLearningRate };
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
