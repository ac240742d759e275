/**
 * A growing series kept short: once it passes `cap` points, every other point is dropped (the last
 * one kept), so a chart of 100 000 XOR epochs costs what one of 2 000 does.
 */
export function appendCapped<T>(series: T[], points: readonly T[], cap = 2000): void {
  for (const p of points) series.push(p);
  if (series.length <= cap) return;
  const last = series[series.length - 1];
  let w = 0;
  for (let r = 0; r < series.length; r += 2) series[w++] = series[r];
  series.length = w;
  if (series[w - 1] !== last) series.push(last);
}
