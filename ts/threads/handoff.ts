/**
 * How a span of minibatches reaches the workers. A message takes a while to arrive (0.1–0.4 ms
 * here: the worker's thread sleeps in its event loop until the operating system wakes it), and the
 * caller's thread waits for it at the first meeting: on W4, whose spans are one minibatch of about
 * 6.5 ms on 2 threads, that was the largest of the costs a span adds. So a worker that ends a span
 * stays listening for the next one for a while (`listen`, where the threads are no more than the
 * cores, so that listening takes no core another thread needs), and the caller's thread hands it
 * the next span through shared memory where it finds it still listening; else by a message, as
 * before. Any other message (the training state, new data) goes after the workers are sent back
 * to their messages, and the span with it: messages are handled in order.
 *
 * ```text
 *   Int32 [0] rows in the span handed over   [1] its minibatch size
 *         per worker (thread p ≥ 1, at 2 + 2(p − 1)): its state, and the spans it has ended
 *   the span's rows: a Uint32Array over a buffer of its own (`capacity`)
 * ```
 *
 * A worker's state: IDLE (handling messages), LISTENING (at the end of a span, for up to
 * `listen` ms), CLAIMED (the caller's thread is writing a span for it), GO (the span is there; it
 * trains it), RELEASED (sent back to its messages). Only the caller's thread moves a worker out of
 * LISTENING (CLAIMED or RELEASED), except the worker itself when its time is up (IDLE): each by a
 * compare-and-exchange, so one of them wins. The caller's thread hands over or releases only once
 * every worker has ended every span posted to it (no message of a span is left in its queue).
 */
const LENGTH = 0;
const BATCH = 1;
const SLOTS = 2;
const IDLE = 0;
const LISTENING = 1;
const CLAIMED = 2;
const GO = 3;
const RELEASED = 4;
/** How long a worker listens for the next span (ms): the caller's thread ends its span with the workers, then yields to the event loop (about 0.1 ms here, longer when the app's code runs). */
export const LISTEN_MS = 2;
/** How long the caller's thread waits for the workers to end their last span before it posts the next (ms). */
const SETTLE_MS = 20;

const now = (): number => performance.now();

export class Handoff {
  private readonly ctl: Int32Array;
  /** The buffer of a span's rows, and a view of it. */
  rows!: SharedArrayBuffer;
  private orders!: Uint32Array;
  /** Spans posted to each worker (either way), on the caller's thread. */
  private readonly posted: number[];

  constructor(
    /** The control words, to send to the workers. */
    readonly buffer: SharedArrayBuffer,
    /** The buffer of a span's rows, to send to the workers. */
    rows: SharedArrayBuffer,
    workers: number,
  ) {
    this.ctl = new Int32Array(buffer as unknown as ArrayBuffer);
    this.adopt(rows);
    this.posted = new Array<number>(workers).fill(0);
  }

  /** The control words for `workers` workers. */
  static buffer(workers: number): SharedArrayBuffer {
    return new SharedArrayBuffer(4 * (SLOTS + 2 * workers));
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

  private state(w: number): number {
    return SLOTS + 2 * w;
  }

  /**
   * Caller's thread: waits (briefly, spinning) until worker `w` (0 for thread 1) has ended every
   * span posted to it; whether it has. `failed` throws where a thread failed.
   */
  private settled(w: number, failed: () => void): boolean {
    const end = now() + SETTLE_MS;
    for (let i = 0; Atomics.load(this.ctl, this.state(w) + 1) !== this.posted[w]; i++) {
      if ((i & 255) === 0) {
        failed();
        if (now() > end) return false;
      }
    }
    return true;
  }

  /**
   * Caller's thread, before a span: the workers that can be handed `order` (listening, all their
   * spans ended, no message to go first), which it hands it; returns for each worker whether it
   * got it (the others need a message with the span). With `messages`, every listening worker is
   * sent back to its messages instead.
   */
  handOver(order: Uint32Array, batch: number, messages: boolean, failed: () => void): boolean[] {
    if (!messages && order.length > this.orders.length) throw new RangeError(`a span of ${order.length} rows handed over where ${this.orders.length} fit`);
    const got = this.posted.map(() => false);
    let written = false;
    for (let w = 0; w < got.length; w++) {
      const settled = this.settled(w, failed);
      this.posted[w]++;
      if (!settled) continue;
      const s = this.state(w);
      if (messages) {
        Atomics.compareExchange(this.ctl, s, LISTENING, RELEASED);
        continue;
      }
      if (Atomics.compareExchange(this.ctl, s, LISTENING, CLAIMED) !== LISTENING) continue;
      if (!written) {
        this.orders.set(order);
        Atomics.store(this.ctl, LENGTH, order.length);
        Atomics.store(this.ctl, BATCH, batch);
        written = true;
      }
      got[w] = true;
    }
    got.forEach((g, w) => g && Atomics.store(this.ctl, this.state(w), GO));
    return got;
  }

  /**
   * Worker `w` (0 for thread 1), at the end of a span: listens for the next for up to `ms`; the
   * span handed over (rows and minibatch size), or null to go back to its messages.
   */
  listen(w: number, ms: number, failed: () => boolean): { order: Uint32Array; batch: number } | null {
    const s = this.state(w);
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
      if (state === LISTENING && (i & 255) === 0 && (failed() || now() > end)) {
        if (Atomics.compareExchange(this.ctl, s, LISTENING, IDLE) === LISTENING) return null;
      }
    }
    Atomics.store(this.ctl, s, IDLE);
    return null;
  }
}
