/**
 * The demo's charts keep their series short (demo/src/series.ts): every epoch range drawn as densely
 * as every other, however long training goes, with the latest point shown.
 */
import { describe, expect, it } from 'vitest';
import { appendCapped, logTick, logTicks } from '../demo/src/series.js';

describe('appendCapped', () => {
  it('keeps evenly spaced points over the whole run, the first epochs as dense as the last, and the latest point', () => {
    const s: number[] = [];
    for (let e = 0; e < 30_000; e += 100)
      appendCapped(
        s,
        Array.from({ length: 100 }, (_, i) => e + i),
      );
    expect(s.length).toBeLessThanOrEqual(2001);
    expect(s[0]).toBe(0);
    expect(s.at(-1)).toBe(29_999);
    const gaps = s.slice(1, -1).map((v, i) => v - s[i]);
    expect(new Set(gaps)).toEqual(new Set([16])); // one stride throughout (the last step may be shorter)
    expect(s.filter((v) => v < 2000)).toHaveLength(125);
  });

  it('starts again when its owner empties the series, and keeps what it was given below the cap', () => {
    const s: number[] = [];
    appendCapped(
      s,
      Array.from({ length: 5000 }, (_, i) => i),
      100,
    );
    expect(s.length).toBeLessThanOrEqual(101);
    s.length = 0;
    appendCapped(s, [1, 2, 3], 100);
    expect(s).toEqual([1, 2, 3]);
    appendCapped(s, [], 100);
    expect(s).toEqual([1, 2, 3]);
  });
});

describe('logTick', () => {
  it('writes every tick of a log scale as a distinct nonzero value', () => {
    const ticks = [3e-9, 1e-7, 2e-5, 0.001, 0.002, 0.05, 0.5, 1, 2.5, 10, 300, 9990, 1e4, 2e6];
    expect(ticks.map(logTick)).toEqual(['3e-9', '1e-7', '2e-5', '0.001', '0.002', '0.05', '0.5', '1', '2.5', '10', '300', '9990', '1e+4', '2e+6']);
    expect(logTick(1.23456e-6)).toBe('1.23e-6');
    expect(logTick(1.5e-4)).toBe('1.5e-4');
    // Each written value reads back as the tick (to 3 digits).
    for (const t of ticks) expect(Number(logTick(t))).toBeCloseTo(t, 12);
    // The splits uPlot leaves unlabelled stay so (labelled "null", they covered the axis).
    expect(logTicks([0.01, 0.02, null, 0.1, null])).toEqual(['0.01', '0.02', null, '0.1', null]);
  });
});
