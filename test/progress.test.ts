/**
 * The CLI's progress: on a terminal a bar that moves inside long epochs (`batch`) and shows each
 * epoch's metrics; elsewhere one plain line per epoch and nothing inside epochs; nothing when quiet.
 */
import { describe, expect, it } from 'vitest';
import { progress } from '../ts/cli/progress.js';

/** A stream that keeps what is written (a terminal of 120 columns, or a pipe). */
function stream(tty: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY: tty,
    columns: 120,
    write: (s: string) => (chunks.push(s), true),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    text: () => chunks.join(''),
  } as unknown as NodeJS.WriteStream & { text: () => string };
}

describe('progress', () => {
  it('on a terminal, moves inside an epoch, then shows the epoch', () => {
    const out = stream(true);
    const p = progress({ epochs: 2, rows: 100, quiet: false, stream: out });
    p.batch({ epoch: 1, batch: 3, batches: 10, loss: 0.5 });
    p.stop();
    expect(out.text()).toMatch(/epoch 1\/2 \(30 %\) \[[█░]+\] 15% \| loss so far 0\.500000/);
    const again = stream(true);
    const q = progress({ epochs: 2, rows: 100, quiet: false, stream: again });
    q.batch({ epoch: 1, batch: 3, batches: 10, loss: 0.5 });
    q.epoch({ epoch: 1, loss: 0.25, validationLoss: 0.5, validationAccuracy: 0.875 });
    q.stop();
    expect(again.text()).toMatch(/epoch 1\/2 \[[█░]+\] 50% \| loss 0\.250000 {2}held-out loss 0\.500000 {2}held-out accuracy 87\.50 %/);
  });

  it('in a pipe, one line per epoch and nothing inside epochs; quiet, nothing', () => {
    const out = stream(false);
    const p = progress({ epochs: 12, rows: 100, quiet: false, stream: out, firstEpoch: 3 });
    p.batch({ epoch: 3, batch: 3, batches: 10, loss: 0.5 });
    p.epoch({ epoch: 3, loss: 0.25 });
    p.stop();
    expect(out.text()).toMatch(/^epoch {2}3 {2}loss 0\.250000 {2}\d+ samples\/s\n$/);
    const quiet = stream(true);
    const q = progress({ epochs: 2, rows: 100, quiet: true, stream: quiet });
    q.batch({ epoch: 1, batch: 3, batches: 10, loss: 0.5 });
    q.epoch({ epoch: 1, loss: 0.25 });
    q.stop();
    expect(quiet.text()).toBe('');
  });
});
