/**
 * The engine race: the same digits network (64-h-10, sigmoid hidden layers, softmax output,
 * cross-entropy, SGD) trained by the educational, js and wasm engines, each in a worker of its own
 * through the library's `Trainer`. The engines take turns of about 250 ms of training (the epochs
 * per turn follow each engine's speed), so they do not share the cores while timed; samples per
 * second count each engine's own turns only, until each has trained for the same time.
 */
import type { Precision } from '../../ts/index.js';
import { Trainer } from '../../ts/worker/trainer.js';
import { loadSplit } from './datasets.js';
import { networkOptions } from './settings.js';
import { trainerWorker } from './trainer-worker.js';

const NAMES: Record<string, string> = {
  educational: 'educational (one object per neuron)',
  js: 'js (matrices in TypeScript)',
  wasm: 'wasm (Rust → WebAssembly)',
};
const ENGINES = ['educational', 'js', 'wasm'] as const;
const TURN_S = 0.25;

export interface RaceConfig {
  hidden: number[];
  batchSize: number;
  learningRate: number;
  precision: Precision;
  simd: 'auto' | false;
  /** Training time each engine gets. */
  seconds: number;
}

/** One engine's standing. */
interface Lane {
  engine: (typeof ENGINES)[number];
  precision: Precision;
  backend: string;
  samples: number;
  seconds: number;
  epochs: number;
  loss: number;
}

export class Race {
  private trainers: Trainer[] = [];
  private run = 0;

  constructor(
    private readonly list: HTMLElement,
    private readonly summary: HTMLElement,
    private readonly finished: () => void,
  ) {}

  /** The engines that could not start in this race, with why. */
  private missing: string[] = [];

  get running(): boolean {
    return this.run > 0 && this.trainers.length > 0;
  }

  async start(config: RaceConfig): Promise<void> {
    this.stop();
    const run = ++this.run;
    this.list.replaceChildren();
    this.summary.textContent = `Racing: ${config.seconds} s of training for each engine…`;
    delete this.summary.dataset.done;
    try {
      const { train } = await loadSplit('digits', 1);
      const settings = { ...config, activation: 'sigmoid', loss: 'cross-entropy', optimizer: 'sgd', seed: 1 } as const;
      // An engine that cannot start (the wasm engine where its .wasm does not load) sits out, said so.
      const started = await Promise.allSettled(
        ENGINES.map((engine) => Trainer.create(networkOptions({ ...settings, engine }, 64, 10), { worker: trainerWorker })),
      );
      const ready = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      if (run !== this.run) return ready.forEach((t) => t.dispose()); // another race began meanwhile
      this.trainers = ready;
      this.missing = started.flatMap((s, i) => (s.status === 'rejected' ? [`${ENGINES[i]} (${(s.reason as Error).message})`] : []));
      if (this.trainers.length === 0) throw new Error(`no engine could start: ${this.missing.join('; ')}`);
      if (this.missing.length > 0) this.summary.textContent = `Racing without ${this.missing.join('; ')}…`;
      const lanes: Lane[] = this.trainers.map((t) => ({
        engine: t.engine,
        precision: t.precision,
        backend: t.backend,
        samples: 0,
        seconds: 0,
        epochs: 0,
        loss: NaN,
      }));
      const perTurn = lanes.map(() => 1);
      while (run === this.run && lanes.some((l) => l.seconds < config.seconds)) {
        for (let i = 0; i < lanes.length && run === this.run; i++) {
          const lane = lanes[i];
          if (lane.seconds >= config.seconds) continue;
          const started = performance.now();
          const h = await this.trainers[i].fit(train.x, train.y, { epochs: perTurn[i], batchSize: config.batchSize });
          const seconds = (performance.now() - started) / 1000;
          lane.seconds += seconds;
          lane.samples += perTurn[i] * train.x.rows;
          lane.epochs += perTurn[i];
          lane.loss = h.losses[h.losses.length - 1];
          perTurn[i] = Math.max(1, Math.min(1000, Math.round((perTurn[i] * TURN_S) / seconds)));
          this.show(lanes);
        }
      }
      if (run !== this.run) return;
      this.done(lanes);
    } catch (e) {
      if (run === this.run) this.summary.textContent = `The race stopped: ${(e as Error).message}`;
    } finally {
      if (run === this.run) {
        this.stop();
        this.finished();
      }
    }
  }

  stop(): void {
    for (const t of this.trainers) t.dispose();
    this.trainers = [];
  }

  private show(lanes: Lane[]): void {
    const best = Math.max(...lanes.map(rate), 1);
    this.list.replaceChildren(
      ...lanes.map((l) => {
        const li = document.createElement('li');
        li.dataset.engine = l.engine;
        li.dataset.samplesPerSecond = String(rate(l));
        const backend = l.engine === 'wasm' ? `, ${l.backend === 'simd128' ? 'SIMD128' : 'scalar'}` : '';
        li.innerHTML =
          `<div class="lane-head"><b>${NAMES[l.engine]}</b><span>${l.precision}${backend}</span></div>` +
          `<div class="bar"><span class="lane-${l.engine}" style="width:${((100 * rate(l)) / best).toFixed(1)}%"></span></div>` +
          `<div class="lane-numbers"><b>${Math.round(rate(l)).toLocaleString('en')}</b> samples/s · ${l.epochs.toLocaleString('en')} epoch${l.epochs === 1 ? '' : 's'} in ${l.seconds.toFixed(2)} s · loss ${Number.isFinite(l.loss) ? l.loss.toFixed(4) : '–'}</div>`;
        return li;
      }),
    );
  }

  private done(lanes: Lane[]): void {
    const [edu, js, wasm] = ENGINES.map((e) => rate(lanes.find((l) => l.engine === e) ?? ({ samples: 0, seconds: 0 } as Lane)));
    this.summary.textContent =
      wasm > 0
        ? `Done: wasm trained ${(wasm / edu).toFixed(0)}× as many samples per second as educational and ${(wasm / js).toFixed(1)}× as many as js.`
        : `Done: js trained ${(js / edu).toFixed(1)}× as many samples per second as educational.`;
    if (this.missing.length > 0) this.summary.textContent += ` Not in the race: ${this.missing.join('; ')}.`;
    this.summary.dataset.done = 'true';
  }
}

const rate = (l: Lane) => (l.seconds > 0 ? l.samples / l.seconds : 0);
