/**
 * The threads of one network: workers started on first use (the caller's thread is thread 0 and
 * trains its own part on its own engine), the shared control block and exchange buffer, the
 * training data copied into shared memory when it changes, and the training state copied to the workers'
 * replicas whenever the network's engine changed it since they last saw it.
 *
 * The caller's thread waits at the barrier blocking (`Atomics.wait`) for up to `BLOCK_MS`, then
 * without blocking (`Atomics.waitAsync`), so that a worker's exit is seen and turns into an error.
 * On a browser page, where the main thread may not block, it waits without blocking only. A span
 * reaches each worker through shared memory where it still listens at the end of the last, else by
 * a message (./handoff.ts).
 */
import type { OptimizerState, PreparedData, StepSettings } from '../engine.js';
import type { WasmEngine } from '../engines/wasm.js';
import type { FloatArray } from '../matrix.js';
import { Layout } from '../parameters.js';
import { Barrier, CONTROL_BYTES, SPIN_MS, ThreadsFailed } from './barrier.js';
import { environment, spawn, type ThreadWorker } from './environment.js';
import { Handoff, LISTEN_MS } from './handoff.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { Replica, exchangeLayout, type SharedData } from './replica.js';
import type { NetworkThreads, ThreadsOption } from './settings.js';

/** Blocking wait at the barrier before the caller's thread waits without blocking (ms). */
const BLOCK_MS = 50;
/**
 * `'auto'` shares a minibatch when it is at least this much arithmetic (6 × weights × rows FLOPs)
 * and gives every thread `AUTO_MIN_ROWS` rows: below, the two meetings per minibatch cost more
 * than they save (bench/threads.ts measures it).
 */
export const AUTO_MIN_FLOPS = 4e6;
export const AUTO_MIN_ROWS = 8;
/** What a network says when used while its training threads are in the middle of a minibatch. */
const BUSY =
  "wasm-backprop: this network is in the middle of a minibatch on its training threads: read or change it in fit's callbacks (onEpoch, onBatch, validation) or once fit has resolved";

/** The workers of one thread count, their control block and exchange buffer. */
class Pool {
  readonly barrier: Barrier;
  readonly handoff: Handoff;
  readonly workers: ThreadWorker[] = [];
  failure: Error | null = null;
  /** The exchange's capacity in rows (0: none yet). */
  capacity = 0;
  data: PreparedData | null = null;
  /** The engine's count of changes when the replicas last received its state (-1: never). */
  synced = -1;
  private stopping = false;

  /**
   * Whether every thread has a core of its own: then a thread spins at the barrier for a while
   * before it sleeps, and a worker listens for the next span at the end of one (./handoff.ts),
   * taking no core another thread needs.
   */
  readonly own: boolean;

  constructor(readonly parts: number) {
    this.own = parts <= environment().cores;
    this.barrier = new Barrier(new SharedArrayBuffer(CONTROL_BYTES), parts, this.own ? SPIN_MS : 0);
    this.handoff = new Handoff(Handoff.buffer(parts - 1), new SharedArrayBuffer(0), parts - 1);
  }

  /** Starts the workers (threads 1 … parts − 1) and waits until each has its replica. */
  async start(engine: WasmEngine): Promise<void> {
    const control = this.barrier.buffer;
    const { buffer: handoff, rows } = this.handoff;
    const [listen, spin] = this.own ? [LISTEN_MS, SPIN_MS] : [0, 0];
    const ready: Promise<void>[] = [];
    for (let part = 1; part < this.parts; part++) {
      const w = spawn();
      this.workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.connect(
            (m: FromWorker) => (m.op === 'ready' ? resolve() : this.fail(new Error(m.message))),
            (e) => {
              reject(e);
              this.fail(e);
            },
          );
        }),
      );
      const { inst } = engine.raw();
      this.post(w, {
        op: 'init',
        module: inst.module,
        arch: engine.arch,
        precision: engine.precision,
        part,
        parts: this.parts,
        control,
        spin,
        handoff,
        rows,
        listen,
      });
    }
    await Promise.all(ready);
  }

  post(w: ThreadWorker, m: ToWorker): void {
    w.postMessage(m);
  }

  /**
   * Starts a span of `order` in minibatches of `batch` on the workers, after `messages` (each
   * worker gets them in this order): where every thread has a core of its own, handed over to
   * the workers listening where no message must go first, else by a message (./handoff.ts).
   */
  span(messages: ToWorker[], order: Uint32Array, batch: number): void {
    let got: boolean[] = [];
    if (this.own) {
      const handoff = this.handoff;
      if (order.length > handoff.capacity) messages.push({ op: 'rows', buffer: handoff.grow(Math.max(order.length, 2 * handoff.capacity)) });
      got = handoff.handOver(order, batch, messages.length > 0, () => {
        if (this.barrier.failed) throw new ThreadsFailed(this.barrier.message());
      });
    }
    this.workers.forEach((w, i) => {
      if (got[i]) return;
      for (const m of messages) this.post(w, m);
      this.post(w, { op: 'span', order, batch });
    });
  }

  /** A worker failed or exited: every thread waiting is woken and the training call in progress rejects. */
  fail(e: Error): void {
    if (this.stopping) return;
    this.failure ??= e;
    this.barrier.fail(e.message);
  }

  /** Workers referenced while a span runs only (an idle pool does not keep Node alive). */
  busy(busy: boolean): void {
    for (const w of this.workers) w.busy(busy);
  }

  stop(): void {
    this.stopping = true;
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}

/** A copy of a network's training state. */
interface TrainingCopy {
  params: Float64Array;
  optimizer: OptimizerState;
}

/**
 * The pool of a network garbage-collected without `dispose()` is stopped (the wasm engine frees the
 * network's memory the same way): its workers would otherwise stay, idle, for the process's life.
 */
const unreached = new FinalizationRegistry<{ pool: Pool | null }>((held) => held.pool?.stop());

export class Threads implements NetworkThreads {
  /** The pool in use, in an object the finalizer holds (it must not hold this). */
  private readonly held: { pool: Pool | null } = { pool: null };
  private get pool(): Pool | null {
    return this.held.pool;
  }
  private set pool(pool: Pool | null) {
    this.held.pool = pool;
  }
  private replica: Replica | null = null;
  private readonly layout: Layout;
  /** The prepared data whose rows the shared buffers hold. */
  private shared: { data: PreparedData; rows: SharedData } | null = null;
  /** The training state last sent to the workers. */
  private sent: TrainingCopy | null = null;
  /** Cut by neurons: the training state at the start of the last span. */
  private start: TrainingCopy | null = null;
  private disposed = false;

  constructor(private readonly engine: WasmEngine) {
    this.layout = new Layout(engine.arch);
    unreached.register(this, this.held);
  }

  unavailable(): string | null {
    return environment().reason;
  }

  plan(requested: ThreadsOption, batch: number): { threads: number; reason: string | null } {
    if (requested === 1) return { threads: 1, reason: null };
    const env = environment();
    if (env.reason) return { threads: 1, reason: env.reason };
    if (batch < 2) return { threads: 1, reason: 'a minibatch of one row is not shared between threads' };
    // More threads than rows would start workers that never get one (64 on a 4-row XOR: 63 workers, 0.6 GB).
    if (requested !== 'auto')
      return requested <= batch
        ? { threads: requested, reason: null }
        : { threads: batch, reason: `a minibatch of ${batch} rows is shared by ${batch} threads at most` };
    const flops = 6 * (this.layout.length - this.layout.arch.sizes.slice(1).reduce((a, b) => a + b, 0)) * batch;
    const most = Math.min(env.cores, Math.floor(batch / AUTO_MIN_ROWS));
    if (env.cores < 2) return { threads: 1, reason: `'auto': this machine has ${env.cores} core` };
    if (flops < AUTO_MIN_FLOPS || most < 2) {
      return { threads: 1, reason: `'auto': a minibatch of ${batch} rows on this network (${(flops / 1e6).toPrecision(3)} MFLOP) is too little work to share` };
    }
    return { threads: most, reason: null };
  }

  /** The pool of `parts` threads, started (a pool of another count, or a failed one, is stopped first). */
  private async poolOf(parts: number): Promise<Pool> {
    if (this.disposed) throw new Error('wasm-backprop: this network has been disposed');
    const failure = this.pool?.failure;
    if (this.pool && (this.pool.parts !== parts || failure)) this.stopPool();
    // A thread that failed between two calls is reported once; the next call starts new ones.
    if (failure) throw new Error(`wasm-backprop: a training thread failed: ${failure.message}`, { cause: failure });
    if (!this.pool) {
      const pool = new Pool(parts);
      this.pool = pool;
      try {
        await pool.start(this.engine);
      } catch (e) {
        this.stopPool();
        throw new Error(`wasm-backprop: the training threads could not start: ${(e as Error).message}`, { cause: e });
      }
      this.replica = new Replica(this.engine, this.layout);
    }
    return this.pool;
  }

  /** The engine's parameters and optimizer state, read into the arrays of `into` where given. */
  private readState(into: TrainingCopy | null): TrainingCopy {
    return { params: this.engine.readParameters(into?.params), optimizer: this.engine.readOptimizerState(into?.optimizer) };
  }

  private stopPool(): void {
    this.pool?.stop();
    this.pool = null;
    this.replica?.release();
    this.replica = null;
  }

  /**
   * The rows of `data` in shared memory, copied when the data changes into the same buffers
   * (grown where too small): a buffer's pages cost far more to touch the first time than to copy
   * into again (W3's 25 MB here: 85–190 ms into new buffers, about 2 ms into the same), and a `fit`
   * given matrices prepares new data every call.
   */
  private sharedData(data: PreparedData): SharedData {
    const s = this.shared;
    if (s?.data === data) return s.rows;
    const F = this.engine.precision === 'f32' ? Float32Array : Float64Array;
    const { sizes } = this.layout.arch;
    const copy = (which: 'x' | 'y', cols: number, old: FloatArray | undefined): FloatArray => {
      const n = data.rows * cols;
      const fits = old !== undefined && old.buffer.byteLength >= n * F.BYTES_PER_ELEMENT;
      const buffer = fits ? old.buffer : new SharedArrayBuffer(n * F.BYTES_PER_ELEMENT);
      return data.read(which, new F(buffer as ArrayBuffer, 0, n)).data;
    };
    const rows = { x: copy('x', sizes[0], s?.rows.x), y: copy('y', sizes[sizes.length - 1], s?.rows.y) };
    this.shared = { data, rows };
    return rows;
  }

  async fitSpan(data: PreparedData, order: Uint32Array, batch: number, total: number, threads: number, step: StepSettings): Promise<number> {
    const pool = await this.poolOf(threads);
    const replica = this.replica!;
    const rows = Math.min(batch, order.length);
    pool.busy(true);
    let start: TrainingCopy | null = null;
    try {
      // What the workers need before this span (each in its own message), then the span; in the
      // try, so that where any of it throws the pool is stopped (its workers may not have been
      // sent what it now says they hold).
      const messages: ToWorker[] = [];
      if (rows > pool.capacity) {
        const bits = this.engine.precision === 'f32' ? 32 : 64;
        const ex = exchangeLayout(this.layout, rows, bits);
        const buffer = new SharedArrayBuffer(ex.bytes);
        replica.attach(buffer, ex, rows);
        messages.push({ op: 'exchange', buffer, capacity: rows });
        pool.capacity = rows;
      }
      if (pool.data !== data) {
        replica.local = data;
        messages.push({ op: 'data', data: this.sharedData(data) });
        pool.data = data;
      }
      const changes = this.engine.raw().changes;
      if (pool.synced !== changes) {
        // Read into the arrays of the last state sent (posting copies them): no new memory per fit.
        const sent = (this.sent = this.readState(this.sent));
        messages.push({ op: 'state', params: sent.params, step, optimizer: sent.optimizer });
        pool.synced = changes;
        replica.whole = true;
      }
      pool.span(messages, order, batch);
      // Cut by neurons, a span leaves the network's engine whole only at its end (each thread holds
      // its own rows of W_0 until then): its state from the start, read while the message travels,
      // is where a span that fails leaves the network.
      if (replica.cut === 'columns') start = this.start = this.readState(this.start);
      // Where the caller's thread waits without blocking, the app's code runs between the
      // minibatches of a span: the engine, in the middle of one, refuses it (no read of a state
      // between minibatches, no call that would overwrite the minibatch's values).
      this.engine.busy = BUSY;
      const steps = replica.span(order, batch, total, 0, threads);
      for (let r = steps.next(); ; r = steps.next()) {
        if (r.done) return r.value;
        const generation = pool.barrier.arrive();
        if (generation === null) continue;
        const block = environment().canBlock;
        if (!(block && pool.barrier.waitSync(generation, BLOCK_MS))) await pool.barrier.waitAsync(generation);
      }
    } catch (e) {
      this.engine.busy = null;
      const failure = pool.failure ?? (e instanceof ThreadsFailed ? new Error(e.message) : (e as Error));
      pool.fail(failure);
      this.stopPool();
      if (start) {
        this.engine.writeParameters(start.params);
        this.engine.writeOptimizerState(start.optimizer);
      }
      throw new Error(`wasm-backprop: training on ${threads} threads failed: ${failure.message}`, { cause: failure });
    } finally {
      this.engine.busy = null;
      pool.busy(false);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.stopPool();
  }
}
