/**
 * A growing series kept short and even: of the points appended, those at every `stride`-th place
 * are kept (the stride doubles each time they pass `cap`, dropping every other kept point), and
 * the latest point is shown too, so a chart of 100 000 XOR epochs costs what one of 2 000 does and
 * its first epochs are drawn as densely as its last. (Halving the whole series instead thinned the
 * oldest points again at every halving: after 30 000 epochs, the first 2 000 were one point.)
 */
interface Thinning {
  /** Points appended so far. */
  seen: number;
  /** The kept points are those appended at places 0, stride, 2·stride, … */
  stride: number;
  /** Whether the series ends with the latest point, which is not at such a place. */
  tail: boolean;
}

const thinning = new WeakMap<readonly unknown[], Thinning>();

/** The points `series` holds for its state, kept points and tail. */
const expectedLength = (s: Thinning) => (s.seen === 0 ? 0 : Math.floor((s.seen - 1) / s.stride) + 1) + (s.tail ? 1 : 0);

export function appendCapped<T>(series: T[], points: readonly T[], cap = 2000): void {
  let s = thinning.get(series);
  // New, or emptied or refilled by its owner since: its points are taken as appended one by one.
  if (s === undefined || expectedLength(s) !== series.length) {
    s = { seen: series.length, stride: 1, tail: false };
    thinning.set(series, s);
  }
  if (points.length === 0) return;
  if (s.tail) {
    series.pop();
    s.tail = false;
  }
  for (const p of points) {
    if (s.seen % s.stride === 0) series.push(p);
    s.seen++;
  }
  while (series.length > cap) {
    s.stride *= 2;
    let w = 0;
    for (let r = 0; r < series.length; r += 2) series[w++] = series[r];
    series.length = w;
  }
  if ((s.seen - 1) % s.stride !== 0) {
    series.push(points[points.length - 1]);
    s.tail = true;
  }
}

/**
 * A tick of the log-scale loss axis: 3 significant digits, in exponent form below 0.001 and from
 * 10 000 on (a fixed number of decimals writes 1e-7 as "0", a value a log scale never shows).
 */
export function logTick(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2).replace(/\.?0+e/, 'e');
}

/** The labels of a log axis's splits; uPlot passes null for those it leaves unlabelled (2 … 9 × 10ⁿ). */
export const logTicks = (ticks: readonly (number | null)[]): (string | null)[] => ticks.map((t) => (t == null ? null : logTick(t)));
