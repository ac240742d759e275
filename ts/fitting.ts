/**
 * The epoch loop of `Network.fit`, in time slices. Training runs in engine calls planned to last
 * about `SLICE_MS` together, then yields to the event loop, so a page stays responsive, progress
 * callbacks cost a few microseconds per slice, and an abort takes effect within a slice whatever
 * the engine. Whole epochs go in one call where they fit in a slice (several at once when nothing
 * reads the epochs one by one); an epoch longer than a slice is trained in spans of minibatches
 * (`Engine.fitSpan`). How the work is cut changes no bit of the result: a span is the minibatches
 * `fitEpochs` would train, and the epoch's loss total is carried from span to span.
 */
import { PendingCallbacks } from './callbacks.js';
import type { Rollback } from './divergence.js';
import type { Engine, PreparedData, StepSettings } from './engine.js';
import type { Log } from './log.js';
import { permutation, type Random } from './random.js';
import type { BatchProgress, EpochRecord, History } from './types.js';

/** Training between two yields to the event loop, in milliseconds (a frame is 16.7). */
export const SLICE_MS = 10;
/** Epochs go one at a time (no running ahead) until this long, in milliseconds, after a callback read the network. */
const QUIET_MS = 50;
/** Row visits per engine call at most (an order drawn in TypeScript, for threads, takes 4 bytes each). */
const MAX_VISITS = 1 << 24;

/** What one `fit` trains on, and with what. */
export interface FitRun {
  engine: Engine;
  rollback: Rollback;
  rng: Random;
  data: PreparedData;
  validation: PreparedData | null;
  epochs: number;
  batch: number;
  shuffle: boolean;
  step: StepSettings;
  /** Whether an accuracy means something (the network's outputs are class probabilities). */
  classifies: boolean;
  /** With validation: its mean loss and accuracy after each epoch, 2 per epoch (the accuracy NaN where the network does not classify); else null. */
  scores: Log | null;
  onEpoch?: (record: EpochRecord) => void | boolean | PromiseLike<unknown>;
  onBatch?: (progress: BatchProgress) => void | boolean | Promise<void | boolean>;
  signal?: AbortSignal;
  /** A loss above it counts as diverged (Infinity for none). */
  maxLoss: number;
  /** Throws where the network has been disposed (from a callback). */
  alive: () => void;
  /** The history of the losses and validation scores given, for a `TrainingDivergedError`. */
  history: (losses: Float64Array, scores: Float64Array | null) => History;
  /** Trains a span on several threads instead of `engine.fitSpan` (the same bits; ts/threads/), or null. */
  threads?: ((order: Uint32Array, total: number) => Promise<number>) | null;
  /** The network's cost of a row visit, kept from fit to fit (see `Cost`). */
  cost: Cost;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * A macrotask: `setImmediate` where there is one (Node), a message to itself elsewhere (browsers,
 * where `setTimeout(0)` waits at least 4 ms once nested), else `setTimeout`.
 */
function yielder(): () => Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') return () => new Promise<void>((resolve) => immediate(resolve));
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        channel.port2.postMessage(0);
      });
  }
  return () => new Promise<void>((resolve) => setTimeout(resolve, 0));
}

let yieldOnce: (() => Promise<void>) | null = null;

/**
 * The cost of a row visit as the last engine call measured it: row visits, milliseconds, and the
 * kind of call (`costKey`). A network keeps it from one `fit` to the next, so a fit like the last
 * one plans its first call from it, as it plans the others.
 */
export interface Cost {
  visits: number;
  spent: number;
  key: string;
}

/**
 * What the cost of a row visit depends on besides the network: the minibatch, threads, and the rows
 * trained and validated (a call of whole epochs evaluates the validation rows after each).
 */
const costKey = (run: FitRun) => `${run.batch} ${!run.threads} ${run.data.rows} ${run.validation?.rows}`;

/**
 * The time slice in progress, and the cost of a row visit measured by the last engine call (not
 * averaged over the fit: the first call on threads also starts them, which kept the spans of a
 * whole fit a minibatch long).
 */
class Clock {
  private start = now();

  /** The network's cost of a row visit: kept where its last fit trained as `run` does (the same key), else none yet. */
  private readonly c: Cost;

  constructor(run: FitRun) {
    const c = (this.c = run.cost);
    const key = costKey(run);
    if (c.key !== key) Object.assign(c, { visits: 0, spent: 0, key });
  }

  /** Whether no call has measured the cost yet (the next is the minibatch that measures it). */
  get measuring(): boolean {
    return this.c.visits === 0;
  }

  /** Milliseconds left in this slice. */
  left(): number {
    return SLICE_MS - (now() - this.start);
  }

  /**
   * Row visits that fill what is left of the slice, at least `least` (a minibatch): one minibatch
   * first (the code may not be compiled yet), growing fourfold while the calls are too short for
   * the clock, then planned from the last call's cost.
   */
  plan(least: number): number {
    const { visits, spent } = this.c;
    if (visits === 0) return least;
    if (spent <= 0) return Math.max(least, 4 * visits);
    return Math.max(least, Math.floor((this.left() * visits) / spent));
  }

  /** Runs one engine call of `visits` row visits, timing it. */
  timed<T>(visits: number, f: () => T): T {
    const t = now();
    const v = f();
    this.c.spent = now() - t;
    this.c.visits = visits;
    return v;
  }

  /** `timed` for a call that resolves later (training on threads). */
  async timedAsync<T>(visits: number, f: () => Promise<T>): Promise<T> {
    const t = now();
    const v = await f();
    this.c.spent = now() - t;
    this.c.visits = visits;
    return v;
  }

  /** Whether `visits` row visits fit in a whole slice, by the measured cost (false before any measurement). */
  fits(visits: number): boolean {
    const c = this.c;
    return c.spent > 0 && (visits * c.spent) / c.visits <= SLICE_MS;
  }

  /** Yields to the event loop where the slice is used up, or where `force` says (calling `before` first), and starts the next one. */
  async next(before?: () => void, force = false): Promise<void> {
    if (!force && this.left() > 0) return;
    before?.();
    await (yieldOnce ??= yielder())();
    this.start = now();
  }
}

/** Whether a loss is finite (`v − v` is 0) and not above `maxLoss`. */
const inBounds = (loss: number, maxLoss: number): boolean => loss - loss === 0 && loss <= maxLoss;

/** Whether every value of `a` is `inBounds`. */
function allBounded(a: Float64Array, maxLoss: number): boolean {
  let ok = true;
  for (let e = 0; e < a.length; e++) ok = ok && inBounds(a[e], maxLoss);
  return ok;
}

/** An epoch's record: with validation, its loss there and, unless NaN (the network does not classify), its accuracy. */
export function epochRecord(epoch: number, loss: number, validationLoss?: number, validationAccuracy = NaN): EpochRecord {
  const record: EpochRecord = { epoch, loss };
  if (validationLoss !== undefined) record.validationLoss = validationLoss;
  if (validationAccuracy === validationAccuracy) record.validationAccuracy = validationAccuracy;
  return record;
}

/**
 * Trains `run.epochs` epochs, pushing each epoch's loss to `losses` (and its validation scores to
 * `run.scores`). Resolves to whether training stopped early: `onEpoch` or `onBatch` returned
 * false, or the signal aborted (in the middle of an epoch where one is longer than a slice: the
 * minibatches trained stay trained, and the epoch is not in the history).
 */
export async function trainEpochs(run: FitRun, losses: Log): Promise<boolean> {
  const { engine, rollback, data, epochs, batch, scores: kept } = run;
  /** Whether each epoch is read as it comes (validation, onEpoch). */
  const reads = run.validation !== null || run.onEpoch !== undefined;
  const rows = data.rows;
  const clock = new Clock(run);
  let perm = new Uint32Array(0);
  const single = new Float64Array(1);
  // Running ahead: where each epoch's record is given as it comes (onEpoch, validation), epochs
  // still go in calls that fill the slice (the engine evaluates the validation data after each),
  // and the records are given after; a callback that reads the network has it taken back to its
  // epoch first (Rollback.settle, called by every Network method), which trains those epochs again
  // from the run's mark. After such a read, epochs go one at a time until QUIET_MS pass without
  // one (a callback that reads every few epochs would otherwise have each slice trained twice).
  // Not with threads, nor the educational engine, whose neurons an app may hold.
  const ahead = reads && !run.threads && engine.name !== 'educational';
  // The promises an async `onEpoch` returns: a rejection ends the fit with its error (while it
  // trains, at the next check), and the fit settles once they have.
  const callbacks = new PendingCallbacks();
  /** After a yield to the event loop: throws where the network was disposed meanwhile (the js engines' arrays would train on) or a callback's promise rejected. */
  const awake = () => {
    run.alive();
    if (callbacks.failed) throw callbacks.failed.error;
  };
  let lastRead = -Infinity; // when a callback last read the network (performance.now())
  // The validation scores of a call's epochs (2 each), and whether the engine computed them.
  let scores = new Float64Array(0);
  let scored = false;
  const validation = run.validation ? { data: run.validation, scores } : null;
  // This call's first epoch (an index into losses), its epochs that stand (fewer where a callback
  // took the network back to its own), and the one whose record is being given.
  let start = 0;
  let stand = 0;
  let at = 0;
  // The callback reads the network while it is past the epoch reported: back to that epoch.
  const back = () => {
    stand = at + 1;
    losses.length = start + stand;
    rollback.replay(data, run.shuffle, batch, losses.held(from, losses.length));
  };
  const order = (n: number): Uint32Array => {
    if (perm.length < n * rows) perm = new Uint32Array(n * rows);
    for (let e = 0; e < n; e++) permutation(rows, run.shuffle ? run.rng : null, perm, e * rows);
    return perm.subarray(0, n * rows);
  };
  // The run of epochs since the last check (Rollback: a mark at its start, the parameters and
  // every loss checked at its end). A run lasts at most a time slice: each epoch's loss is checked
  // as it comes, the parameters (a copy of them all) once per run, before any yield, when training
  // stops, and before a trainBatch call from a callback.
  const maxLoss = run.maxLoss;
  // The run's losses are those of `losses` from `from` on.
  let from = -1; // the run's first epoch (an index into losses), -1 when none is open
  const open = () => {
    // A run goes on while its mark stands: the network changed other than by training (from a
    // callback, onBatch, or other code while fit yields) drops the mark, and a new run starts here.
    if (from >= 0 && rollback.marked) return;
    rollback.begin();
    from = losses.length;
    rollback.opened(close);
  };
  /** Checks the run: the network goes back, and this throws, where it went non-finite (or above maxLoss). */
  function close(): void {
    if (from < 0) return;
    const first = from;
    const epochLosses = losses.held(first); // read by check() alone, before more epochs
    from = -1;
    rollback.opened(null);
    rollback.check({ data, batch, shuffle: run.shuffle, losses: epochLosses, n: epochLosses.length, step: run.step, done: first, maxLoss }, (k) => {
      if (kept !== null) kept.length = Math.min(kept.length, 2 * (first + k)); // epochs undone leave the history
      return run.history(losses.held(0, first + k).slice(), kept?.held().slice() ?? null);
    });
  }
  /** Epoch `e` of the call's validation scores into `run.scores` (with validation only): its loss there and, unless the network does not classify (NaN), its accuracy. */
  function keep(e: number): void {
    const v = run.validation!;
    let loss: number, correct: number;
    if (scored) {
      loss = scores[2 * e];
      correct = scores[2 * e + 1];
    } else ({ loss, correct } = engine.evaluatePrepared(v));
    // In a typed array: records kept as objects as they came cost W1 as much as its training.
    const i = kept!.length;
    const room = kept!.room(2);
    room[i] = loss;
    room[i + 1] = run.classifies ? correct / v.rows : NaN;
    kept!.length = i + 2;
  }
  /** The record of epoch `e` of the call (its loss `loss`) with its validation scores, those `keep` kept last. */
  function validatedRecord(e: number, loss: number): EpochRecord {
    const i = kept!.length - 2;
    return epochRecord(start + e + 1, loss, kept!.at(i), kept!.at(i + 1));
  }
  /**
   * Gives the records of the call's `n` epochs (their losses `epochLosses`), one by one, each
   * checked first; sets `stand` to those that stand. Returns whether `onEpoch` asked to stop, or
   * aborted the signal.
   */
  function report(n: number, epochLosses: Float64Array): boolean {
    stand = n;
    const { onEpoch, signal } = run;
    const validated = run.validation !== null;
    // Where the network is past the epoch reported (every epoch of the call but its last),
    // whatever reads or changes it from the callback (every Network method), or a stop, first
    // takes it back there, and the epochs after it go (set once for the call: the way back reads
    // `at`, and taking it ends the call's records).
    rollback.behind(n > 1 ? back : null);
    try {
      for (let e = 0; e < stand; e++) {
        const loss = epochLosses[e];
        if (!inBounds(loss, maxLoss)) close(); // the run diverged: throws (where a run is open)
        if (validated) keep(e);
        at = e;
        if (e === n - 1) rollback.behind(null);
        let stop = false;
        rollback.read = false;
        try {
          // A record made only for a callback (on W1, where an epoch takes about 0.4 µs, making it is
          // most of what onEpoch costs).
          const returned = onEpoch?.(validated ? validatedRecord(e, loss) : { epoch: start + e + 1, loss });
          // A stop, or an abort from the callback, at this epoch: the network back here.
          stop = (!callbacks.watch(returned) && returned === false) || signal?.aborted === true;
          if (stop) rollback.settle();
        } catch (error) {
          rollback.settle(); // the network is at the epoch whose callback threw
          throw error;
        }
        // Every Network method (dispose too) marks the network read: only then can the callback
        // have disposed it, or changed it (the run is then void, and the next starts from here;
        // changed by other code between two calls, `open` finds the mark dropped).
        if (rollback.read) {
          lastRead = now();
          run.alive();
          if (!rollback.marked) from = -1;
        }
        if (stop) return true;
      }
      return false;
    } finally {
      rollback.behind(null);
    }
  }
  try {
    const stopped = await loop();
    await callbacks.settled();
    if (callbacks.failed) throw callbacks.failed.error;
    return stopped;
  } finally {
    // Ended by an error with a run open (a callback threw): its start is no longer the state.
    if (from >= 0) rollback.forget();
  }

  async function loop(): Promise<boolean> {
    await null; // the caller gets its promise (and runs on) before the first slice trains
    let halt = false; // onBatch said stop at the end of an epoch
    for (let done = 0; done < epochs;) {
      if (clock.left() <= 0) {
        await clock.next(close); // the run checked before the yield: other code may change the network meanwhile
        awake();
      }
      if (halt || run.signal?.aborted) return (close(), true);
      // This call's epochs go to the end of the log, `n` of them from `start`.
      start = losses.length;
      let n = 1;
      scored = false;
      let visits = clock.plan(batch);
      if (visits < rows && clock.fits(rows)) {
        // What is left of the slice cannot hold an epoch that a slice of its own can: start that
        // slice rather than cut the epoch (reads during fit are then answered between epochs).
        await clock.next(close, true);
        awake();
        if (run.signal?.aborted) return (close(), true);
        visits = clock.plan(batch);
      }
      if (visits >= rows) {
        // Whole epochs: as many as fill the slice, unless each is read as it comes and running ahead is off.
        if (!reads || (ahead && now() - lastRead > QUIET_MS))
          n = Math.max(1, Math.min(epochs - done, Math.floor(visits / rows), Math.floor(MAX_VISITS / rows)));
        open();
        // One epoch's loss goes through `single` (no view made per epoch where epochs are read one by one).
        const out = n === 1 ? single : losses.room(n).subarray(start, start + n);
        const threads = run.threads;
        if (threads) {
          await clock.timedAsync(n * rows, async () => {
            // Each epoch a span from a total of 0, as fitEpochs trains and sums it.
            const p = order(n);
            for (let e = 0; e < n; e++) out[e] = (await threads(p.subarray(e * rows, (e + 1) * rows), 0)) / rows;
          });
          awake(); // other code ran while the threads trained
        } else {
          if (validation && scores.length < 2 * n) validation.scores = scores = new Float64Array(2 * n);
          clock.timed(n * rows, () => engine.fitEpochs(data, run.shuffle ? run.rng : null, batch, out, validation));
          scored = validation !== null;
        }
      } else {
        // An epoch longer than a slice: spans of whole minibatches, yielding between them (a run of its own).
        close();
        open();
        const p = order(1);
        let total = 0;
        // No stop before the next span (see below).
        let quiet = false;
        for (let pos = 0; pos < rows;) {
          // On threads, a slice of its own for each span: a span reaches each worker by a handoff
          // or a message (0.1–0.4 ms, to a worker no longer listening) and, cut by neurons, ends by
          // gathering the first layer, so what is left of a slice is not worth one.
          await clock.next(undefined, !!run.threads);
          awake();
          if (!quiet && run.signal?.aborted) {
            rollback.forget(); // the network is in the middle of an epoch, past the last check
            return true;
          }
          const measuring = clock.measuring; // this span is the minibatch that measures the cost
          const end = Math.min(rows, pos + Math.floor(clock.plan(batch) / batch) * batch);
          const span = p.subarray(pos, end);
          const threads = run.threads;
          total = threads
            ? await clock.timedAsync(end - pos, () => threads(span, total))
            : clock.timed(end - pos, () => engine.fitSpan(data, span, batch, total));
          pos = end;
          // No stop (onBatch, the signal) where the minibatch trained alone to measure the cost ends
          // with the slice not used up: an epoch shorter than a slice is not stopped in its middle.
          // After any other span, a stop can come (on threads every span has a slice of its own).
          quiet = measuring && pos < rows && clock.left() > 0;
          if (quiet) continue;
          let said = run.onBatch?.({ epoch: done + 1, batch: Math.ceil(pos / batch), batches: Math.ceil(rows / batch), loss: total / pos });
          if (said instanceof Promise) said = await said; // a pause inside the epoch: nothing of it changes
          awake();
          if (said === false) {
            // At the epoch's end: it is trained whole, and stands; training stops after it.
            if (pos === rows) halt = true;
            else {
              rollback.forget();
              return true;
            }
          }
        }
        single[0] = total / rows;
      }
      if (n === 1) losses.room(1)[start] = single[0];
      // The epochs join the run, each checked at once where it is not finite or above maxLoss.
      losses.length = start + n;
      const epochLosses = n === 1 ? single : losses.held(start);
      if (!reads) {
        if (!allBounded(epochLosses, maxLoss)) close();
        done += n;
        continue;
      }
      const stop = report(n, epochLosses);
      done += stand;
      if (stop) return (close(), done < epochs);
    }
    close();
    return false;
  }
}
