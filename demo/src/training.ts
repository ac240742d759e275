/**
 * The page's one door to training: a `Trainer` sends requests to a Web Worker (./worker.ts) and
 * hands its replies to callbacks. Nothing here computes; the page's main thread only draws.
 */
import type { DatasetName } from './datasets.js';
import type { Boundary, EpochPoint, NetInfo, Reply, Request, TrainConfig } from './protocol.js';

export interface TrainerEvents {
  ready(info: NetInfo): void;
  progress(points: EpochPoint[], samplesPerSecond: number, boundary: Boundary | undefined): void;
  state(running: boolean): void;
  error(message: string): void;
}

export class Trainer {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(r: Reply): void; reject(e: Error): void }>();

  constructor(private readonly on: Partial<TrainerEvents>) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'wasm-backprop trainer' });
    this.worker.onmessage = (e: MessageEvent<Reply>) => this.receive(e.data);
    this.worker.onerror = (e) => this.on.error?.(e.message || 'the training worker failed to start');
  }

  private receive(m: Reply): void {
    const id = 'id' in m ? m.id : undefined;
    const waiter = id !== undefined ? this.waiting.get(id) : undefined;
    if (waiter) {
      this.waiting.delete(id!);
      if (m.type === 'error') waiter.reject(new Error(m.message));
      else waiter.resolve(m);
      if (m.type !== 'ready') return;
    }
    switch (m.type) {
      case 'ready':
        return this.on.ready?.(m.info);
      case 'progress':
        return this.on.progress?.(m.points, m.samplesPerSecond, m.boundary);
      case 'state':
        return this.on.state?.(m.running);
      case 'error':
        return this.on.error?.(m.message);
    }
  }

  private send(m: Request): void {
    this.worker.postMessage(m);
  }

  /** A request answered by one reply of the same id. */
  private ask<T extends Reply['type']>(make: (id: number) => Request): Promise<Extract<Reply, { type: T }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: Reply) => void, reject });
      this.send(make(id));
    });
  }

  /** A new network for these settings (training stops). */
  reset(config: TrainConfig): void {
    this.send({ type: 'reset', config });
  }

  start(): void {
    this.send({ type: 'start' });
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  /** One epoch. */
  step(): void {
    this.send({ type: 'step' });
  }

  /** Settings that apply from the next minibatch on, without a new network. */
  configure(learningRate: number, batchSize: number): void {
    this.send({ type: 'configure', learningRate, batchSize });
  }

  async predict(x: number[]): Promise<number[]> {
    return (await this.ask<'prediction'>((id) => ({ type: 'predict', id, x }))).y;
  }

  /** The network as a model file's text. */
  async save(): Promise<string> {
    return (await this.ask<'model'>((id) => ({ type: 'save', id }))).text;
  }

  /** Replaces the network by a model file's; `ready` reports the settings it brings. */
  async load(text: string, dataset: DatasetName, simd: 'auto' | false): Promise<NetInfo> {
    return (await this.ask<'ready'>((id) => ({ type: 'load', id, text, dataset, simd }))).info;
  }

  dispose(): void {
    this.worker.terminate();
  }
}
