/**
 * The promises that async callbacks return to a training call (`onEpoch` of `Network.fit`,
 * `onProgress` and `onBatch` of `Trainer.fit`), which the call does not wait for one by one: each is
 * watched, so that its rejection becomes the call's error instead of an unhandled rejection (which
 * ends a Node process), and the call waits for those still pending before it settles.
 */
export class PendingCallbacks {
  private readonly pending = new Set<PromiseLike<unknown>>();
  /** The first rejection's error, or null. */
  failed: { error: unknown } | null = null;

  /** `onFail`: called with the first rejection's error, as it comes. */
  constructor(private readonly onFail?: (error: unknown) => void) {}

  /** Watches what a callback returned where it is a promise (and says so); anything else is left to the caller. */
  watch(returned: unknown): boolean {
    if (typeof (returned as PromiseLike<unknown> | undefined)?.then !== 'function') return false;
    const p = returned as PromiseLike<unknown>;
    this.pending.add(p);
    p.then(
      () => this.pending.delete(p),
      (error: unknown) => {
        this.pending.delete(p);
        if (this.failed !== null) return;
        this.failed = { error };
        this.onFail?.(error);
      },
    );
    return true;
  }

  /** Resolves once every promise watched has settled. */
  async settled(): Promise<void> {
    if (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
