/**
 * The control block the threads of one network share (an Int32Array over a SharedArrayBuffer): a
 * barrier every thread passes twice per minibatch, and a failure flag with its message, which
 * wakes every waiting thread.
 *
 * ```text
 *   [0] arrivals at the barrier in progress     [1] the barrier's generation (passes so far)
 *   [2] failed (0 or 1)                         [3] the failure message's length in bytes
 *   bytes 64 … 64 + 1024: the failure message (UTF-8)
 * ```
 */
const COUNT = 0;
const GENERATION = 1;
const FAILED = 2;
const MESSAGE_LENGTH = 3;
const MESSAGE_AT = 64;
const MESSAGE_BYTES = 1024;
/** Bytes of the control block. */
export const CONTROL_BYTES = MESSAGE_AT + MESSAGE_BYTES;
/** Loads of the generation at least before a thread sleeps on it (a few microseconds; then `spinMs`). */
const SPIN = 4000;
/**
 * Milliseconds a thread spins at the barrier before it sleeps where every thread has a core of its
 * own: a thread that slept is woken by the operating system some time after the last arrival
 * (tens to hundreds of microseconds on a virtual machine), and the others then wait for it at the
 * next meeting.
 */
export const SPIN_MS = 1;

/** `Atomics.waitAsync` (ES2024; in Node since 16, Chromium since 87, Firefox since 145). */
export const waitAsync = (
  Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number, ms: number) => { async: boolean; value: Promise<unknown> | string } }
).waitAsync;

/** Thrown by a thread that finds the others failed. */
export class ThreadsFailed extends Error {}

export class Barrier {
  private readonly ctl: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(
    /** The control block itself, to send to the other threads. */
    readonly buffer: SharedArrayBuffer,
    /** Threads that pass it together. */
    readonly parties: number,
    /** Milliseconds to spin before sleeping (after `SPIN` loads at least). */
    private readonly spinMs = 0,
  ) {
    // The library's TypeScript lib types typed arrays over ArrayBuffers only.
    this.ctl = new Int32Array(buffer as unknown as ArrayBuffer, 0, MESSAGE_AT / 4);
    this.bytes = new Uint8Array(buffer as unknown as ArrayBuffer, MESSAGE_AT, MESSAGE_BYTES);
  }

  /** Arrives; returns the generation to wait for the end of, or null when this was the last arrival. */
  arrive(): number | null {
    const generation = Atomics.load(this.ctl, GENERATION);
    if (Atomics.add(this.ctl, COUNT, 1) === this.parties - 1) {
      Atomics.store(this.ctl, COUNT, 0);
      Atomics.add(this.ctl, GENERATION, 1);
      Atomics.notify(this.ctl, GENERATION);
      return null;
    }
    return generation;
  }

  /** Whether the barrier of `generation` has been passed (throws if a thread failed). */
  private passed(generation: number): boolean {
    if (Atomics.load(this.ctl, FAILED) !== 0) throw new ThreadsFailed(this.message());
    return Atomics.load(this.ctl, GENERATION) !== generation;
  }

  /** Waits, blocking the thread, until the barrier of `generation` is passed or `ms` have gone by; whether it was passed. */
  waitSync(generation: number, ms = Infinity): boolean {
    const start = performance.now();
    const spinEnd = start + Math.min(ms, this.spinMs);
    for (let i = 0; ; i++) {
      if (this.passed(generation)) return true;
      if (i >= SPIN && (i & 255) === 0 && performance.now() >= spinEnd) break;
    }
    const end = start + ms;
    for (;;) {
      if (this.passed(generation)) return true;
      const left = end - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.ctl, GENERATION, generation, Math.min(left, 100));
    }
  }

  /** Waits without blocking the thread (`Atomics.waitAsync`), so that its events (a worker's exit) are handled meanwhile. */
  async waitAsync(generation: number): Promise<void> {
    while (!this.passed(generation)) {
      const w = waitAsync!(this.ctl, GENERATION, generation, 100);
      if (w.async) await w.value;
    }
  }

  /** Arrives and waits (blocking): the barrier of a worker. */
  pass(): void {
    const generation = this.arrive();
    if (generation !== null) this.waitSync(generation);
  }

  /** Marks the threads failed with `message` (the first failure's is kept) and wakes every waiting thread. */
  fail(message: string): void {
    if (Atomics.compareExchange(this.ctl, FAILED, 0, 1) === 0) {
      const text = new TextEncoder().encode(message).subarray(0, MESSAGE_BYTES);
      this.bytes.set(text);
      Atomics.store(this.ctl, MESSAGE_LENGTH, text.length);
    }
    Atomics.notify(this.ctl, GENERATION);
  }

  get failed(): boolean {
    return Atomics.load(this.ctl, FAILED) !== 0;
  }

  /** The first failure's message. */
  message(): string {
    const n = Atomics.load(this.ctl, MESSAGE_LENGTH);
    return new TextDecoder().decode(this.bytes.slice(0, n)) || 'a training thread failed';
  }
}
