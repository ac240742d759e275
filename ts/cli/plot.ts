/**
 * Training curves as a standalone SVG file: loss per epoch (training and held-out) beside held-out
 * accuracy, with axes, ticks, grid and a legend. Drawn by Observable Plot on linkedom's DOM, so no
 * browser is needed. Node only (the CLI's).
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { EpochRecord } from '../types.js';

const COLORS = { training: '#1f77b4', 'held-out': '#d62728' } as const;
type Series = keyof typeof COLORS;
interface Point {
  epoch: number;
  value: number;
  series: Series;
}

const PANEL = { width: 520, height: 340 };
const TOP = 64;
const MARGIN = 12;

/** One panel: a line per series, a dot on each epoch when there are few. */
function panel(document: Document, points: Point[], y: { label: string; domain?: [number, number]; percent?: boolean }): string {
  const few = new Set(points.map((p) => p.epoch)).size <= 40;
  const svg = Plot.plot({
    document,
    width: PANEL.width,
    height: PANEL.height,
    marginLeft: 64,
    marginBottom: 44,
    style: { fontSize: '12px', background: 'white' },
    x: { label: 'epoch', labelAnchor: 'center', labelArrow: 'none', grid: true, tickFormat: 'd' },
    y: { label: y.label, labelArrow: 'none', grid: true, domain: y.domain, percent: y.percent, nice: true },
    color: { domain: Object.keys(COLORS), range: Object.values(COLORS) },
    marks: [
      Plot.lineY(points, { x: 'epoch', y: 'value', z: 'series', stroke: 'series', strokeWidth: 2 }),
      ...(few ? [Plot.dot(points, { x: 'epoch', y: 'value', fill: 'series', r: 2.5 })] : []),
    ],
  }) as unknown as Element;
  return svg.outerHTML;
}

function legend(entries: [string, Series][]): string {
  return entries
    .map(([label, series], i) => {
      const x = 24 + i * 190;
      return `<g transform="translate(${x},44)"><line x1="0" y1="0" x2="28" y2="0" stroke="${COLORS[series]}" stroke-width="3"/><text x="36" y="4" font-size="13">${escape(label)}</text></g>`;
    })
    .join('');
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * The curves of `history` as an SVG document: loss on the left, held-out accuracy on the right
 * (when the history has it). `trainingAccuracy`, if given, is drawn beside the held-out accuracy.
 */
export function curvesSvg(history: readonly EpochRecord[], title: string): string {
  const { document } = parseHTML('<!DOCTYPE html><html><body></body></html>');
  const loss: Point[] = [];
  const accuracy: Point[] = [];
  for (const r of history) {
    loss.push({ epoch: r.epoch, value: r.loss, series: 'training' });
    if (r.validationLoss !== undefined) loss.push({ epoch: r.epoch, value: r.validationLoss, series: 'held-out' });
    if (r.validationAccuracy !== undefined) accuracy.push({ epoch: r.epoch, value: r.validationAccuracy, series: 'held-out' });
  }
  const panels = [panel(document as unknown as Document, loss, { label: 'loss (mean per sample)' })];
  if (accuracy.length > 0) panels.push(panel(document as unknown as Document, accuracy, { label: 'held-out accuracy (%)', domain: [0, 100], percent: true }));
  const hasHeldOut = loss.some((p) => p.series === 'held-out');
  const entries: [string, Series][] = [['training loss', 'training']];
  if (hasHeldOut) entries.push(['held-out loss' + (accuracy.length ? ' and accuracy' : ''), 'held-out']);
  const width = PANEL.width * panels.length + 2 * MARGIN;
  const height = PANEL.height + TOP;
  const body = panels.map((p, i) => `<g transform="translate(${MARGIN + i * PANEL.width},${TOP})">${p}</g>`).join('');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="24" y="26" font-size="16" font-weight="600">${escape(title)}</text>`,
    legend(entries),
    body,
    '</svg>',
    '',
  ].join('\n');
}
