/**
 * Progress of a training run: on a terminal a progress bar (epoch, loss, held-out accuracy,
 * samples/s, ETA) from cli-progress; one plain line per epoch when the output is a file or a pipe;
 * nothing with `--quiet`.
 */
import cliProgress from 'cli-progress';
import type { EpochRecord } from '../types.js';

export interface Progress {
  /** After each epoch. */
  epoch(record: EpochRecord): void;
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
  if (o.quiet) return { epoch() {}, stop() {} };
  if (!stream.isTTY) {
    const pad = String(first + o.epochs - 1).length;
    return {
      epoch(r) {
        stream.write(`epoch ${String(r.epoch).padStart(pad)}  ${metrics(r)}  ${Math.round(rate(r.epoch - first + 1))} samples/s\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'epoch {value}/{total} [{bar}] {percentage}% | {metrics} | {speed} samples/s | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(first + o.epochs - 1, first - 1, { metrics: 'starting', speed: '–' });
  return {
    epoch(r) {
      bar.update(r.epoch, { metrics: metrics(r), speed: String(Math.round(rate(r.epoch - first + 1))) });
    },
    stop() {
      bar.stop();
    },
  };
}
