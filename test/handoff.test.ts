/**
 * The handoff of a span to the workers (ts/threads/handoff.ts), with real worker threads playing
 * ts/threads/worker.ts's part: each answers every message it handles, trains nothing (a worker
 * can be told to hold a span for a while before it reads the span's rows), and at the end of each
 * span listens for the next. Every span must reach every worker once, in the order given, with its
 * own rows: through shared memory where every worker had ended its last span and no message was to
 * go first, else by a message.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Handoff } from '../ts/threads/handoff.js';

/** What a worker reports: a span (how it came, its rows and minibatch size), another message, or its return to its messages. */
type Report = { via: 'message' | 'handoff'; order: number[]; batch: number } | { op: string } | { back: true };

const handoffModule = new URL('../ts/threads/handoff.ts', import.meta.url).href;
const tsxApi = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs'),
).href;

const code = `
const { register } = await import(${JSON.stringify(tsxApi)});
register();
const { Handoff } = await import(${JSON.stringify(handoffModule)});
const { parentPort } = process.getBuiltinModule('worker_threads');
let handoff = null, listen = 0, failed = null, holds = null, w = 0;
const sleep = new Int32Array(new SharedArrayBuffer(4));
parentPort.on('message', (m) => {
  if (m.op === 'init') {
    handoff = new Handoff(m.control, m.rows, m.workers);
    ({ listen, w } = m);
    failed = new Int32Array(m.failed);
    holds = new Int32Array(m.holds);
    parentPort.postMessage({ op: 'ready' });
    return;
  }
  if (m.op === 'rows') handoff.adopt(m.buffer);
  if (m.op !== 'span') return parentPort.postMessage({ op: m.op });
  handoff.receivedMessage();
  let span = m, via = 'message';
  while (span) {
    const hold = Atomics.exchange(holds, w, 0);
    if (hold > 0) Atomics.wait(sleep, 0, 0, hold); // a slow worker: the span's rows read only after
    parentPort.postMessage({ via, order: Array.from(span.order), batch: span.batch });
    span = handoff.listen(w, listen, () => Atomics.load(failed, 0) !== 0);
    via = 'handoff';
  }
  parentPort.postMessage({ back: true });
});`;

const workers: Worker[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

/** `n` workers listening `listen` ms, and the caller's side of their handoff. */
async function start(n: number, listen: number) {
  const handoff = new Handoff(Handoff.buffer(n), new SharedArrayBuffer(4 * 8), n);
  const failed = new Int32Array(new SharedArrayBuffer(4));
  const holds = new Int32Array(new SharedArrayBuffer(4 * n));
  const reports: Report[][] = [];
  const waiting: (() => void)[] = [];
  for (let w = 0; w < n; w++) {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
    workers.push(worker);
    reports.push([]);
    const ready = new Promise<void>((resolve) =>
      worker.on('message', (m: Report | { op: 'ready' }) => {
        if ('op' in m && m.op === 'ready') return resolve();
        reports[w].push(m);
        waiting.splice(0).forEach((f) => f());
      }),
    );
    worker.postMessage({ op: 'init', control: handoff.buffer, rows: handoff.rows, workers: n, w, listen, failed: failed.buffer, holds: holds.buffer });
    await ready;
  }
  /** Worker `w`'s reports once there are `count`. */
  const next = async (w: number, count: number): Promise<Report[]> => {
    while (reports[w].length < count) await new Promise<void>((resolve) => waiting.push(resolve));
    return reports[w].slice(0, count);
  };
  /** A span as ts/threads/pool.ts starts it: handed over, or after `messages` by a message; which workers got it handed over. */
  const span = (order: number[], batch: number, messages: object[] = [], settle = 10_000): boolean[] => {
    const rows = Uint32Array.from(order);
    if (rows.length > handoff.capacity) messages.push({ op: 'rows', buffer: handoff.grow(rows.length) });
    const got = handoff.handOver(rows, batch, messages.length > 0, () => {}, settle);
    workers.forEach((worker, w) => {
      if (got[w]) return;
      for (const m of messages) worker.postMessage(m);
      worker.postMessage({ op: 'span', order: rows, batch });
    });
    return got;
  };
  return { handoff, failed, holds, span, next, reports };
}

describe('handing a span over to the workers', () => {
  it('hands each span to a worker still listening, in order, and by a message where another message goes first', async () => {
    const t = await start(1, 10_000);
    expect(t.span([3, 1, 2], 2)).toEqual([false]); // the worker has not listened yet
    expect(await t.next(0, 1)).toEqual([{ via: 'message', order: [3, 1, 2], batch: 2 }]);
    // It listens now: the next spans are handed over (the caller waits for it to end the last).
    expect(t.span([7, 6, 5, 4], 4)).toEqual([true]);
    expect(t.span([0, 1], 1)).toEqual([true]);
    expect((await t.next(0, 3)).slice(1)).toEqual([
      { via: 'handoff', order: [7, 6, 5, 4], batch: 4 },
      { via: 'handoff', order: [0, 1], batch: 1 },
    ]);
    // A training state to go first: the worker is sent back to its messages, and they come in order.
    expect(t.span([9, 8], 2, [{ op: 'state' }])).toEqual([false]);
    expect((await t.next(0, 6)).slice(3)).toEqual([{ back: true }, { op: 'state' }, { via: 'message', order: [9, 8], batch: 2 }]);
    // More rows than the buffer holds: a new buffer, by a message with the span; then handed over again.
    const long = Array.from({ length: 20 }, (_, i) => 19 - i);
    expect(t.span(long, 5)).toEqual([false]);
    expect(t.span([4, 4, 4], 3)).toEqual([true]);
    expect((await t.next(0, 10)).slice(6)).toEqual([
      { back: true },
      { op: 'rows' },
      { via: 'message', order: long, batch: 5 },
      { via: 'handoff', order: [4, 4, 4], batch: 3 },
    ]);
    expect(t.handoff.capacity).toBe(20);
  });

  it('hands a span to every worker, or, where one has not ended its last, to none: the rows it still reads are left alone', async () => {
    const t = await start(2, 60_000);
    expect(t.span([5, 6], 2)).toEqual([false, false]);
    await t.next(0, 1);
    await t.next(1, 1);
    expect(t.span([1, 2, 3], 3)).toEqual([true, true]);
    expect((await t.next(0, 2))[1]).toEqual({ via: 'handoff', order: [1, 2, 3], batch: 3 });
    expect((await t.next(1, 2))[1]).toEqual({ via: 'handoff', order: [1, 2, 3], batch: 3 });
    // Worker 1 holds its next span 300 ms before it reads the rows; the span after it cannot wait
    // for it (1 ms), so it goes to both by messages, and the rows handed over stay as they were.
    Atomics.store(t.holds, 1, 300);
    expect(t.span([4, 3, 2, 1], 2)).toEqual([true, true]);
    await t.next(0, 3);
    const at = performance.now();
    expect(t.span([8, 9], 1, [], 1)).toEqual([false, false]);
    expect((await t.next(0, 5)).slice(2)).toEqual([
      { via: 'handoff', order: [4, 3, 2, 1], batch: 2 },
      { back: true },
      { via: 'message', order: [8, 9], batch: 1 },
    ]);
    expect((await t.next(1, 5)).slice(2)).toEqual([
      { via: 'handoff', order: [4, 3, 2, 1], batch: 2 },
      { back: true },
      { via: 'message', order: [8, 9], batch: 1 },
    ]);
    // Worker 1 went back to its messages as soon as it listened (a span message was on its way),
    // not after listening its 60 s.
    expect(performance.now() - at).toBeLessThan(10_000);
  });

  it('a worker whose time to listen is up goes back to its messages, and the next span goes by one', async () => {
    const t = await start(1, 5);
    t.span([1, 2], 2);
    await t.next(0, 2); // the span, then back to its messages after 5 ms
    expect(t.reports[0][1]).toEqual({ back: true });
    expect(t.span([2, 1], 2)).toEqual([false]);
    expect((await t.next(0, 3))[2]).toEqual({ via: 'message', order: [2, 1], batch: 2 });
  });

  it('a failure of the threads sends a listening worker back to its messages at once', async () => {
    const t = await start(1, 60_000);
    t.span([1, 2], 2);
    await t.next(0, 1);
    const at = performance.now();
    Atomics.store(t.failed, 0, 1);
    await t.next(0, 2);
    expect(t.reports[0][1]).toEqual({ back: true });
    expect(performance.now() - at).toBeLessThan(10_000);
  });

  it('refuses to hand over more rows than its buffer holds', () => {
    const h = new Handoff(Handoff.buffer(1), new SharedArrayBuffer(8), 1);
    expect(() => h.handOver(Uint32Array.of(1, 2, 3), 1, false, () => {})).toThrow(/a span of 3 rows handed over where 2 fit/);
  });
});
