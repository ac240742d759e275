/**
 * The engine race: the same digits network (64-h-10, sigmoid hidden layers, softmax output,
 * cross-entropy, SGD) trained by the educational, js and wasm engines in turn, one epoch per turn
 * in a worker of its own, each for the same training time; samples per second counted over each
 * engine's own time only, so turns taken by the others do not count against it.
 */
import type { RaceConfig, RaceLane } from './protocol.js';
import { Trainer } from './training.js';

const NAMES: Record<string, string> = {
  educational: 'educational (one object per neuron)',
  js: 'js (matrices in TypeScript)',
  wasm: 'wasm (Rust → WebAssembly)',
};

export class Race {
  private trainer: Trainer | null = null;

  constructor(
    private readonly list: HTMLElement,
    private readonly summary: HTMLElement,
    private readonly finished: () => void,
  ) {}

  get running(): boolean {
    return this.trainer !== null;
  }

  start(config: RaceConfig): void {
    this.stop();
    this.list.replaceChildren();
    this.summary.textContent = `Racing: ${config.seconds} s of training for each engine…`;
    delete this.summary.dataset.done;
    this.trainer = new Trainer({
      race: (lanes, done) => this.show(lanes, done),
      error: (message) => {
        this.summary.textContent = `The race stopped: ${message}`;
        this.stop();
      },
    });
    this.trainer.race(config);
  }

  stop(): void {
    this.trainer?.dispose();
    this.trainer = null;
  }

  private show(lanes: RaceLane[], done: boolean): void {
    const rate = (l: RaceLane) => (l.seconds > 0 ? l.samples / l.seconds : 0);
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
          `<div class="lane-numbers"><b>${Math.round(rate(l)).toLocaleString('en')}</b> samples/s · ${l.epochs} epoch${l.epochs === 1 ? '' : 's'} in ${l.seconds.toFixed(2)} s · loss ${Number.isFinite(l.loss) ? l.loss.toFixed(4) : '–'}</div>`;
        return li;
      }),
    );
    if (!done) return;
    const [edu, wasm] = [lanes.find((l) => l.engine === 'educational')!, lanes.find((l) => l.engine === 'wasm')!];
    const js = lanes.find((l) => l.engine === 'js')!;
    this.summary.textContent = `Done: wasm trained ${(rate(wasm) / rate(edu)).toFixed(0)}× as many samples per second as educational and ${(rate(wasm) / rate(js)).toFixed(1)}× as many as js.`;
    this.summary.dataset.done = 'true';
    this.stop();
    this.finished();
  }
}
