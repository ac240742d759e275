/**
 * The live charts (uPlot): training and test loss on a log scale, training and test accuracy in
 * per cent, against the epoch. uPlot draws at the screen's pixel ratio itself; the charts follow
 * their container's width.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EpochPoint } from './settings.js';
import { appendCapped, logTicks } from './series.js';

const HEIGHT = 210;
/** Training curves blue, test curves orange (dashed), on both charts. */
const [TRAINING, TEST] = ['#2f6fb0', '#e0782f'];
const axis = { stroke: '#4a5566', grid: { stroke: '#e6eaef', width: 1 }, ticks: { stroke: '#d5dbe2', width: 1 } };

/** The width inside the box's padding, where the chart goes (at least 240 px). */
function innerWidth(box: HTMLElement): number {
  const style = getComputedStyle(box);
  return Math.max(240, Math.floor(box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)));
}

function chart(parent: HTMLElement, title: string, yLabel: string, series: uPlot.Series[], y: uPlot.Scale, values?: uPlot.Axis['values']): uPlot {
  const opts: uPlot.Options = {
    title,
    width: innerWidth(parent),
    height: HEIGHT,
    scales: { x: { time: false }, y },
    axes: [
      { ...axis, label: 'epoch' },
      { ...axis, label: yLabel, size: 56, ...(values ? { values } : {}) },
    ],
    series: [{ label: 'epoch' }, ...series],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  };
  const u = new uPlot(opts, [[], ...series.map(() => [])], parent);
  // The legend below holds the values as text; the drawing is named for screen readers.
  u.ctx.canvas.setAttribute('role', 'img');
  u.ctx.canvas.setAttribute('aria-label', `${title} by epoch, training and test (the values are in the legend)`);
  new ResizeObserver(() => {
    const width = innerWidth(parent);
    if (width !== u.width) u.setSize({ width, height: HEIGHT });
  }).observe(parent);
  return u;
}

export class Charts {
  private points: EpochPoint[] = [];
  private readonly loss: uPlot;
  private readonly accuracy: uPlot;

  constructor(lossBox: HTMLElement, accuracyBox: HTMLElement) {
    const line = (label: string, stroke: string, dash?: number[]): uPlot.Series => ({
      label,
      stroke,
      width: 2,
      ...(dash ? { dash } : {}),
      value: (_u, v) => (v == null ? '–' : v.toPrecision(4)),
    });
    this.loss = chart(lossBox, 'Loss', 'loss (log scale)', [line('training', TRAINING), line('test', TEST, [6, 4])], { distr: 3 }, (_u, ticks) =>
      logTicks(ticks),
    );
    const pct = (label: string, stroke: string, dash?: number[]): uPlot.Series => ({
      ...line(label, stroke, dash),
      value: (_u, v) => (v == null ? '–' : `${(100 * v).toFixed(1)} %`),
    });
    this.accuracy = chart(accuracyBox, 'Accuracy', 'accuracy', [pct('training', TRAINING), pct('test', TEST, [6, 4])], { range: [0, 1] }, (_u, ticks) =>
      ticks.map((t) => `${Math.round(100 * t)} %`),
    );
  }

  clear(): void {
    this.points = [];
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.redraw();
  }

  /** Adds points; the charts are redrawn once at the next animation frame, however many arrive before it. */
  add(points: readonly EpochPoint[]): void {
    if (points.length === 0) return;
    appendCapped(this.points, points);
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.redraw();
    });
  }

  private frame = 0;

  /** The last point drawn. */
  get last(): EpochPoint | undefined {
    return this.points[this.points.length - 1];
  }

  private redraw(): void {
    const p = this.points;
    const epochs = p.map((q) => q.epoch);
    // A log scale cannot show 0: a loss that reached it is drawn at the smallest positive double.
    // What was not measured (a loaded model's training accuracy) is a gap.
    const positive = (v: number) => (Number.isNaN(v) ? null : Math.max(v, Number.MIN_VALUE));
    const known = (v: number) => (Number.isNaN(v) ? null : v);
    this.loss.setData([epochs, p.map((q) => positive(q.loss)), p.map((q) => positive(q.testLoss))]);
    this.accuracy.setData([epochs, p.map((q) => known(q.trainAccuracy)), p.map((q) => known(q.testAccuracy))]);
    // Without a cursor on a chart, its legend shows the latest epoch.
    for (const u of [this.loss, this.accuracy]) if (u.cursor.idx == null && epochs.length > 0) u.setLegend({ idx: epochs.length - 1 });
  }
}
