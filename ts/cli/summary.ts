/**
 * What the CLI reports after training or on `evaluate`: for classification the mean loss, accuracy
 * and a confusion matrix; for regression the mean loss, RMSE and R². Computed from the network's
 * outputs, so every engine reports the same way.
 */
import { plural } from '../columns.js';
import { fail } from '../errors.js';
import type { Matrix } from '../matrix.js';
import type { ModelData } from '../model.js';
import type { Network } from '../network.js';
import { PreparedDataset } from '../prepared.js';
import type { MatrixInput } from '../types.js';
import { unscaleInPlace } from '../scaling.js';

export interface ClassificationSummary {
  task: 'classification';
  rows: number;
  loss: number;
  accuracy: number;
  /** confusion[actual][predicted]: counts. */
  confusion: number[][];
  classes: string[];
}

export interface RegressionSummary {
  task: 'regression';
  rows: number;
  loss: number;
  /** √(mean of (prediction − target)² over every output). */
  rmse: number;
  /** 1 − Σ(prediction − target)² / Σ(target − mean target)², over every output. */
  r2: number;
}

export type Summary = ClassificationSummary | RegressionSummary;

function argmax(m: Matrix, r: number): number {
  if (m.cols === 1) return m.data[r] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < m.cols; k++) if (m.data[r * m.cols + k] > m.data[r * m.cols + best]) best = k;
  return best;
}

/** Accuracy and confusion matrix of outputs against one-hot (or 0/1) targets. */
export function classify(outputs: Matrix, targets: Matrix, loss: number, classes: string[]): ClassificationSummary {
  const n = Math.max(classes.length, outputs.cols === 1 ? 2 : outputs.cols);
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let correct = 0;
  for (let r = 0; r < outputs.rows; r++) {
    const [actual, predicted] = [argmax(targets, r), argmax(outputs, r)];
    confusion[actual][predicted]++;
    if (actual === predicted) correct++;
  }
  return { task: 'classification', rows: outputs.rows, loss, accuracy: correct / outputs.rows, confusion, classes };
}

/** RMSE and R² of outputs against targets (every output column pooled). */
export function regress(outputs: Matrix, targets: Matrix, loss: number): RegressionSummary {
  const t = targets.data;
  let mean = 0;
  for (let i = 0; i < t.length; i++) mean += t[i];
  mean /= t.length;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < t.length; i++) {
    sse += (outputs.data[i] - t[i]) ** 2;
    sst += (t[i] - mean) ** 2;
  }
  return { task: 'regression', rows: outputs.rows, loss, rmse: Math.sqrt(sse / t.length), r2: sst > 0 ? 1 - sse / sst : NaN };
}

/** The confusion matrix as aligned text: rows actual, columns predicted. */
export function confusionTable(s: ClassificationSummary, maxClasses = 20): string {
  const n = s.confusion.length;
  if (n > maxClasses) return `(confusion matrix of ${n} classes left out; at most ${maxClasses} are printed)`;
  const names = Array.from({ length: n }, (_, k) => s.classes[k] ?? String(k));
  const width = Math.max(5, ...names.map((c) => c.length), ...s.confusion.flat().map((v) => String(v).length));
  const label = Math.max(20, ...names.map((c) => c.length + 2));
  const lines = [`${'actual \\ predicted'.padEnd(label)}${names.map((c) => c.padStart(width)).join(' ')}`];
  s.confusion.forEach((row, k) => lines.push(`${names[k].padEnd(label)}${row.map((v) => String(v).padStart(width)).join(' ')}`));
  return lines.join('\n');
}

/** The summary as a few lines of text. */
export function formatSummary(s: Summary, what: string): string {
  if (s.task === 'regression') {
    return `${what}: ${plural(s.rows, 'row')}, loss ${s.loss.toPrecision(6)}, RMSE ${s.rmse.toPrecision(6)}, R² ${Number.isNaN(s.r2) ? 'undefined (constant targets)' : s.r2.toFixed(4)}`;
  }
  return [`${what}: ${plural(s.rows, 'row')}, loss ${s.loss.toPrecision(6)}, accuracy ${(100 * s.accuracy).toFixed(2)} %`, confusionTable(s)].join('\n');
}

/**
 * Refuses outputs that are not finite (a model whose weights overflow on these inputs): printed,
 * they became a class and NaN probabilities, or a loss of NaN, with exit code 0.
 */
export function finiteOutputs(out: { data: ArrayLike<number>; cols: number }, what: string): void {
  for (let i = 0; i < out.data.length; i++) {
    if (!Number.isFinite(out.data[i]))
      fail(
        `${what}: the model's output for row ${Math.floor(i / out.cols) + 1} is ${out.data[i]}: its parameters overflow on these inputs, so nothing it predicts there can be trusted`,
      );
  }
}

/** The summary of `net` on x, y (targets as training saw them), as text. */
export function summarize(net: Network, d: { x: MatrixInput; y: MatrixInput } | PreparedDataset, data: ModelData, what: string): string {
  // A prepared dataset is read where the network holds it: only the targets are copied out.
  const prepared = d instanceof PreparedDataset;
  const outputs = net.predictMatrix(prepared ? d : d.x);
  finiteOutputs(outputs, what);
  const targets = prepared ? d.read('y') : { ...d.y, data: Float64Array.from(d.y.data) };
  // A regression's RMSE in the target's units (the loss stays the network's, of the scaled targets).
  if (data.task === 'regression' && data.targetScaling) {
    unscaleInPlace(outputs, data.targetScaling);
    unscaleInPlace(targets, data.targetScaling);
  }
  const { loss } = prepared ? net.evaluate(d) : net.evaluate(d.x, d.y);
  const s = data.task === 'regression' ? regress(outputs, targets, loss) : classify(outputs, targets, loss, (data.classes ?? []).map(String));
  return formatSummary(s, what);
}
