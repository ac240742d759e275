/**
 * The handoff of a span to a worker (ts/threads/handoff.ts), with a real worker thread playing
 * ts/threads/worker.ts's part: it answers every message it handles, trains nothing, and at the end
 * of each span listens for the next. Every span must reach it once, in the order posted, by shared
 * memory where it was listening and no message was to go first, else by a message.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Handoff } from '../ts/threads/handoff.js';

/** What the worker reports: a span (how it came, its rows and minibatch size), another message, or its return to its messages. */
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
let handoff = null, listen = 0, failed = null;
parentPort.on('message', (m) => {
  if (m.op === 'init') {
    handoff = new Handoff(m.control, m.rows, 1);
    listen = m.listen;
    failed = new Int32Array(m.failed);
    parentPort.postMessage({ op: 'ready' });
    return;
  }
  if (m.op === 'rows') handoff.adopt(m.buffer);
  if (m.op !== 'span') return parentPort.postMessage({ op: m.op });
  let span = m, via = 'message';
  while (span) {
    parentPort.postMessage({ via, order: Array.from(span.order), batch: span.batch });
    span = handoff.listen(0, listen, () => Atomics.load(failed, 0) !== 0);
    via = 'handoff';
  }
  parentPort.postMessage({ back: true });
});`;

let worker: Worker | null = null;

afterEach(async () => {
  await worker?.terminate();
  worker = null;
});

async function start(listen: number) {
  const w = (worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`)));
  const reports: Report[] = [];
  const waiting: (() => void)[] = [];
  w.on('message', (m: Report | { op: 'ready' }) => {
    if ('op' in m && m.op === 'ready') return waiting.shift()?.();
    reports.push(m);
    waiting.splice(0).forEach((f) => f());
  });
  const handoff = new Handoff(Handoff.buffer(1), new SharedArrayBuffer(4 * 8), 1);
  const failed = new Int32Array(new SharedArrayBuffer(4));
  const ready = new Promise<void>((resolve) => waiting.push(resolve));
  w.postMessage({ op: 'init', control: handoff.buffer, rows: handoff.rows, listen, failed: failed.buffer });
  await ready;
  /** The reports once there are `n`. */
  const next = async (n: number): Promise<Report[]> => {
    while (reports.length < n) await new Promise<void>((resolve) => waiting.push(resolve));
    return reports.slice(0, n);
  };
  const never = () => {};
  /** A span as ts/threads/pool.ts starts it: handed over, or after `messages` by a message. */
  const span = (order: number[], batch: number, messages: object[] = []): boolean => {
    const rows = Uint32Array.from(order);
    if (rows.length > handoff.capacity) messages.push({ op: 'rows', buffer: handoff.grow(rows.length) });
    const [got] = handoff.handOver(rows, batch, messages.length > 0, never);
    if (!got) {
      for (const m of messages) w.postMessage(m);
      w.postMessage({ op: 'span', order: rows, batch });
    }
    return got;
  };
  return { handoff, failed, span, next, reports };
}

describe('handing a span over to a worker', () => {
  it('hands each span to a worker still listening, in order, and by a message where another message goes first', async () => {
    const t = await start(10_000);
    expect(t.span([3, 1, 2], 2)).toBe(false); // the worker has not listened yet
    expect(await t.next(1)).toEqual([{ via: 'message', order: [3, 1, 2], batch: 2 }]);
    // It listens now: the next spans are handed over (the caller waits for it to end the last).
    expect(t.span([7, 6, 5, 4], 4)).toBe(true);
    expect(t.span([0, 1], 1)).toBe(true);
    expect((await t.next(3)).slice(1)).toEqual([
      { via: 'handoff', order: [7, 6, 5, 4], batch: 4 },
      { via: 'handoff', order: [0, 1], batch: 1 },
    ]);
    // A training state to go first: the worker is sent back to its messages, and they come in order.
    expect(t.span([9, 8], 2, [{ op: 'state' }])).toBe(false);
    expect((await t.next(6)).slice(3)).toEqual([{ back: true }, { op: 'state' }, { via: 'message', order: [9, 8], batch: 2 }]);
    // More rows than the buffer holds: a new buffer, by a message with the span; then handed over again.
    const long = Array.from({ length: 20 }, (_, i) => 19 - i);
    expect(t.span(long, 5)).toBe(false);
    expect(t.span([4, 4, 4], 3)).toBe(true);
    expect((await t.next(10)).slice(6)).toEqual([
      { back: true },
      { op: 'rows' },
      { via: 'message', order: long, batch: 5 },
      { via: 'handoff', order: [4, 4, 4], batch: 3 },
    ]);
    expect(t.handoff.capacity).toBe(20);
  });

  it('a worker whose time to listen is up goes back to its messages, and the next span goes by one', async () => {
    const t = await start(5);
    t.span([1, 2], 2);
    await t.next(2); // the span, then back to its messages after 5 ms
    expect(t.reports[1]).toEqual({ back: true });
    expect(t.span([2, 1], 2)).toBe(false);
    expect((await t.next(3))[2]).toEqual({ via: 'message', order: [2, 1], batch: 2 });
  });

  it('a failure of the threads sends a listening worker back to its messages at once', async () => {
    const t = await start(60_000);
    t.span([1, 2], 2);
    await t.next(1);
    const at = performance.now();
    Atomics.store(t.failed, 0, 1);
    await t.next(2);
    expect(t.reports[1]).toEqual({ back: true });
    expect(performance.now() - at).toBeLessThan(5_000);
  });

  it('refuses to hand over more rows than its buffer holds', () => {
    const h = new Handoff(Handoff.buffer(1), new SharedArrayBuffer(8), 1);
    expect(() => h.handOver(Uint32Array.of(1, 2, 3), 1, false, () => {})).toThrow(/a span of 3 rows handed over where 2 fit/);
  });
});
