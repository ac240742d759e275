/**
 * How a span of minibatches reaches the workers. A message takes a while to arrive (0.1–0.4 ms
 * here: the worker's thread sleeps in its event loop until the operating system wakes it), and the
 * caller's thread waits for it at the first meeting: on W4, whose spans are one minibatch of about
 * 6.5 ms on 2 threads, that was the largest of the costs a span adds. So, where every thread has a
 * core of its own (listening takes no core another thread needs), a worker that ends a span stays
 * listening for the next for a while (`listen`), and the caller's thread hands the next span to the
 * workers still listening through shared memory; the others get it by a message, as before.
 *
 * ```text
 *   Int32 [0] rows in the span handed over   [1] its minibatch size
 *         per worker w (thread w + 1), at 2 + 3w: its state, the spans it has ended, and the
 *         spans posted to it by a message
 *   the span's rows: a Uint32Array over a buffer of its own (`capacity`)
 * ```
 *
 * A worker's state: IDLE (handling messages), LISTENING (at the end of a span, for up to
 * `listen` ms), GO (a span is handed over: it trains it), RELEASED (sent back to its messages).
 * The caller's thread moves a listening worker to GO or RELEASED, the worker itself to IDLE (its
 * time up, a failure of the threads, or a span message on its way): each by a compare-and-exchange,
 * so one of them wins.
 *
 * The caller's thread writes the rows once every worker has ended every span given to it (so no
 * worker still reads the rows of the last: a span's last minibatch of one row is staged after its
 * last meeting), and hands the span over only where it goes to no worker by a message: it goes to
 * all by messages where any other message must go first (the training state, new data, a larger
 * exchange or rows buffer: messages are handled in order, so the listening workers are sent back to
 * them) or where a worker has not ended its last span in time. A worker listening with a span
 * message on its way (the count posted to it is ahead of those it received) goes back to its
 * messages at once.
 */
const LENGTH = 0;
const BATCH = 1;
const SLOTS = 2;
const IDLE = 0;
const LISTENING = 1;
const GO = 2;
const RELEASED = 3;
/** How long a worker listens for the next span (ms): the caller's thread ends its span with the workers, then yields to the event loop (about 0.1 ms here, longer when the app's code runs). */
export const LISTEN_MS = 2;
/**
 * How long the caller's thread waits for every worker to end its last span before it gives the
 * next one by messages instead (ms, all workers together; they end it with the caller's thread).
 */
export const SETTLE_MS = 1;

const now = (): number => performance.now();

export class Handoff {
  private readonly ctl: Int32Array;
  /** The buffer of a span's rows, and a view of it. */
  rows!: SharedArrayBuffer;
  private orders!: Uint32Array;
  /** Caller's thread: spans given to each worker (either way). */
  private readonly given: number[];
  /** Worker: span messages received. */
  private received = 0;

  constructor(
    /** The control words, to send to the workers. */
    readonly buffer: SharedArrayBuffer,
    /** The buffer of a span's rows, to send to the workers. */
    rows: SharedArrayBuffer,
    workers: number,
  ) {
    this.ctl = new Int32Array(buffer as unknown as ArrayBuffer);
    this.adopt(rows);
    this.given = new Array<number>(workers).fill(0);
  }

  /** The control words for `workers` workers. */
  static buffer(workers: number): SharedArrayBuffer {
    return new SharedArrayBuffer(4 * (SLOTS + 3 * workers));
  }

  /** Rows a span handed over can hold. */
  get capacity(): number {
    return this.orders.length;
  }

  /** Caller's thread: a new buffer for spans of `rows` rows, to send to the workers (by a message, with the span). */
  grow(rows: number): SharedArrayBuffer {
    this.adopt(new SharedArrayBuffer(4 * rows));
    return this.rows;
  }

  /** Worker: the buffer of a span's rows from now on. */
  adopt(rows: SharedArrayBuffer): void {
    this.rows = rows;
    this.orders = new Uint32Array(rows as unknown as ArrayBuffer);
  }

  /** Where worker `w`'s state is (then its spans ended, then its span messages). */
  private at(w: number): number {
    return SLOTS + 3 * w;
  }

  /**
   * Caller's thread: waits (spinning, `ms` at most) until every worker has ended every span given
   * to it; whether they have. `failed` throws where a thread failed.
   */
  private settled(ms: number, failed: () => void): boolean {
    const end = now() + ms;
    for (let w = 0; w < this.given.length; w++) {
      for (let i = 0; Atomics.load(this.ctl, this.at(w) + 1) !== this.given[w]; i++) {
        if ((i & 255) === 0) {
          failed();
          if (now() > end) return false;
        }
      }
    }
    return true;
  }

  /**
   * Caller's thread, before a span of `order` in minibatches of `batch`: hands it to every worker
   * still listening, unless `messages` must go first or a worker has not ended its last span within
   * `settle` ms (then the listening workers are sent back to their messages). Returns for each
   * worker whether it got the span; the others must be posted the messages and the span, in that
   * order, right after (counted here as span messages on their way).
   */
  handOver(order: Uint32Array, batch: number, messages: boolean, failed: () => void, settle = SETTLE_MS): boolean[] {
    const got = this.given.map(() => false);
    const handing = !messages && this.settled(settle, failed);
    if (handing) {
      if (order.length > this.orders.length) throw new RangeError(`a span of ${order.length} rows handed over where ${this.orders.length} fit`);
      this.orders.set(order);
      Atomics.store(this.ctl, LENGTH, order.length);
      Atomics.store(this.ctl, BATCH, batch);
    }
    for (let w = 0; w < got.length; w++) {
      const s = this.at(w);
      this.given[w]++;
      got[w] = Atomics.compareExchange(this.ctl, s, LISTENING, handing ? GO : RELEASED) === LISTENING && handing;
      // A span message for it: a worker still at its last span goes back to its messages when it listens.
      if (!got[w]) Atomics.add(this.ctl, s + 2, 1);
    }
    return got;
  }

  /** Worker: a span arrived by a message. */
  receivedMessage(): void {
    this.received++;
  }

  /**
   * Worker `w` (0 for thread 1), at the end of a span: listens for the next for up to `ms`; the
   * span handed over (its rows and minibatch size), or null to go back to its messages (its time
   * up, `failed()`, sent back, or a span message on its way).
   */
  listen(w: number, ms: number, failed: () => boolean): { order: Uint32Array; batch: number } | null {
    const s = this.at(w);
    Atomics.store(this.ctl, s, LISTENING);
    Atomics.add(this.ctl, s + 1, 1);
    const end = now() + ms;
    for (let i = 0; ; i++) {
      const state = Atomics.load(this.ctl, s);
      if (state === GO) {
        const order = this.orders.subarray(0, Atomics.load(this.ctl, LENGTH));
        return { order, batch: Atomics.load(this.ctl, BATCH) };
      }
      if (state === RELEASED) break;
      const leave = Atomics.load(this.ctl, s + 2) !== this.received || ((i & 255) === 0 && (failed() || now() > end));
      if (leave && Atomics.compareExchange(this.ctl, s, LISTENING, IDLE) === LISTENING) return null;
    }
    Atomics.store(this.ctl, s, IDLE);
    return null;
  }
}
