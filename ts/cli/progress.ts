/**
 * Progress of a training run: on a terminal a progress bar (epoch, loss, held-out accuracy,
 * samples/s, ETA) from cli-progress, moving inside epochs longer than a time slice too; one plain line per epoch when the output is a file or a pipe;
 * nothing with `--quiet`.
 */
import cliProgress from 'cli-progress';
import type { BatchProgress, EpochRecord } from '../types.js';

export interface Progress {
  /** After each epoch. */
  epoch(record: EpochRecord): void;
  /** Inside an epoch longer than a time slice: its minibatches done so far (`epoch` numbered as the run numbers it). */
  batch(progress: BatchProgress): void;
  /** Ends the bar (or nothing). */
  stop(): void;
}

export interface ProgressOptions {
  epochs: number;
  /** Training rows per epoch, for samples/s. */
  rows: number;
  quiet: boolean;
  /** Where lines go (default: stdout). */
  stream?: NodeJS.WriteStream;
  /** The first epoch's number (after a resume, the epochs already done + 1). */
  firstEpoch?: number;
}

function metrics(r: EpochRecord): string {
  const acc = r.validationAccuracy !== undefined ? `  held-out accuracy ${(100 * r.validationAccuracy).toFixed(2)} %` : '';
  const val = r.validationLoss !== undefined ? `  held-out loss ${r.validationLoss.toFixed(6)}` : '';
  return `loss ${r.loss.toFixed(6)}${val}${acc}`;
}

export function progress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stdout;
  const first = o.firstEpoch ?? 1;
  const started = performance.now();
  const rate = (done: number) => (done * o.rows) / Math.max(1e-9, (performance.now() - started) / 1000);
  if (o.quiet) return { epoch() {}, batch() {}, stop() {} };
  if (!stream.isTTY) {
    const pad = String(first + o.epochs - 1).length;
    return {
      epoch(r) {
        stream.write(`epoch ${String(r.epoch).padStart(pad)}  ${metrics(r)}  ${Math.round(rate(r.epoch - first + 1))} samples/s\n`);
      },
      batch() {},
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'epoch {epoch}/{epochs}{part} [{bar}] {percentage}% | {metrics} | {speed} samples/s | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  // The bar counts hundredths of epochs, so that it moves inside long epochs too.
  const last = first + o.epochs - 1;
  bar.start(100 * o.epochs, 0, { epoch: first - 1, epochs: last, part: '', metrics: 'starting', speed: '–' });
  return {
    epoch(r) {
      bar.update(100 * (r.epoch - first + 1), { epoch: r.epoch, part: '', metrics: metrics(r), speed: String(Math.round(rate(r.epoch - first + 1))) });
    },
    batch(p) {
      const done = p.epoch - first + p.batch / p.batches; // epochs of this run, the current one in part
      bar.update(Math.floor(100 * done), {
        epoch: p.epoch,
        part: ` (${Math.floor((100 * p.batch) / p.batches)} %)`,
        metrics: `loss so far ${p.loss.toFixed(6)}`,
        speed: String(Math.round(rate(done))),
      });
    },
    stop() {
      bar.stop();
    },
  };
}
