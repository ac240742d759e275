/**
 * Going back after training diverged. While training stays finite this costs one copy of the
 * parameters per run of epochs that `fit` hands the engine, and for `trainBatch` one copy every
 * 1024 calls (sooner when their minibatches hold more than 2^22 values), a few stores and a scan of
 * the parameters for finiteness per call:
 * the last state known to be finite (a *mark*) is kept with references to the minibatches of the
 * `trainBatch` calls made since (so those arrays stay alive until the next mark).
 *
 * When a loss or a parameter is not finite, the mark is put back and the steps since are replayed
 * one at a time, checking the loss and every parameter after each. The engines are deterministic,
 * and `trainBatch` on the gathered rows computes exactly what `fitEpochs` computes for that
 * minibatch, so the replay finds the first step that went non-finite and the network stops just
 * before it: `fit` at the end of the last finite epoch, `trainBatch` before the failing update.
 * The parameters are then finite; after a loss that was not, they can still be too large for the
 * rows it was computed on. A `trainBatch` minibatch changed in place after the call shows when
 * its replayed loss differs from the one returned; the replay stops there, further back.
 */
import type { Engine, OptimizerState, PreparedData, StepSettings } from './engine.js';
import { allFinite, type FloatArray, type Matrix } from './matrix.js';
import type { Layout } from './parameters.js';
import { permutation, type Random } from './random.js';
import { TrainingDivergedError, type DivergedValue, type History } from './types.js';

/** `trainBatch` calls between two marks at most, and the input and target values they hold on to (about). */
const MAX_CALLS = 1024;
const MAX_VALUES = 1 << 22;

/** Everything training continues from: a network put back to it trains on exactly as it did. */
interface State {
  params: Float64Array;
  optimizer: OptimizerState;
  /** The optimizer and rates in force. */
  step: StepSettings;
  /** The shuffling generator's words. */
  shuffle: number[];
}

/**
 * A state known to be finite, and the `trainBatch` calls since (room for `capacity`, none for the
 * marks `fit` takes): their minibatches (the arrays themselves and their rows, not the matrix
 * objects, which are new at every call), settings and losses, in arrays that later marks reuse.
 */
class Mark {
  calls = 0;
  /** The calls it takes before the next mark. */
  limit = 0;
  readonly xs: FloatArray[];
  readonly ys: FloatArray[];
  readonly rows: Uint32Array;
  readonly steps: StepSettings[];
  readonly losses: Float64Array;

  constructor(
    public state: State,
    readonly capacity: number,
  ) {
    this.xs = new Array<FloatArray>(capacity);
    this.ys = new Array<FloatArray>(capacity);
    this.rows = new Uint32Array(capacity);
    this.steps = new Array<StepSettings>(capacity);
    this.losses = new Float64Array(capacity);
  }

  /** A mark at `state`, with no calls since, that takes up to `limit` calls. */
  reset(state: State, limit = 0): this {
    this.state = state;
    this.calls = 0;
    this.limit = limit;
    return this;
  }

  log(x: Matrix, y: Matrix, step: StepSettings, loss: number): void {
    const i = this.calls++;
    this.xs[i] = x.data;
    this.ys[i] = y.data;
    this.rows[i] = x.rows;
    this.steps[i] = step;
    this.losses[i] = loss;
  }

  /** Call i's minibatch. */
  batch(i: number): { x: Matrix; y: Matrix; step: StepSettings } {
    const [x, y, rows] = [this.xs[i], this.ys[i], this.rows[i]];
    return { x: { data: x, rows, cols: x.length / rows }, y: { data: y, rows, cols: y.length / rows }, step: this.steps[i] };
  }
}

/** What a run of epochs of `fit` trained on, to replay it. */
export interface EpochRun {
  data: PreparedData;
  batch: number;
  shuffle: boolean;
  /** The run's epoch losses, as `fitEpochs` returned them, and their number. */
  losses: Float64Array;
  n: number;
  /** The fit's settings, and the epochs it trained before the run. */
  step: StepSettings;
  done: number;
  /** A loss above it counts as diverged (`FitOptions.maxLoss`; Infinity for none). */
  maxLoss: number;
}

/** The first non-finite value of the parameters, by layer (the input layer's biases first) and neuron. */
interface Place {
  layer: number | null;
  neuron: number | null;
  parameter: DivergedValue;
  value: number;
}

/** The first failing step of a replay: its loss and the parameters after it (null where it did not replay). */
interface Failure {
  index: number;
  loss: number;
  params: Float64Array | null;
  /** The state before it, which the network is back at. */
  before: State;
}

type ParameterKind = 'weights' | 'bias' | 'input bias';

/**
 * Visits every parameter with its layer, neuron and kind, in the order errors name them: b_in,
 * then for each layer its neurons in order, each neuron's weights then its bias; stops where
 * `visit` returns true.
 */
function eachParameter(
  params: Float64Array,
  lay: Layout,
  visit: (value: number, layer: number, neuron: number, parameter: ParameterKind) => boolean | void,
): void {
  const n = lay.arch.sizes;
  if (lay.arch.inputActivated) for (let j = 0; j < n[0]; j++) if (visit(params[lay.inputBiasOffset + j], 0, j, 'input bias')) return;
  for (let l = 0; l < lay.depth; l++) {
    for (let k = 0; k < n[l + 1]; k++) {
      const row = lay.weightOffsets[l] + k * n[l];
      for (let j = 0; j < n[l]; j++) if (visit(params[row + j], l + 1, k, 'weights')) return;
      if (visit(params[lay.biasOffsets[l] + k], l + 1, k, 'bias')) return;
    }
  }
}

/** Where the first non-finite parameter is (in the order of `eachParameter`). */
export function firstNonFinite(params: Float64Array, lay: Layout): Place | null {
  let found: Place | null = null;
  eachParameter(params, lay, (value, layer, neuron, parameter) => {
    if (Number.isFinite(value)) return false;
    found = { layer, neuron, parameter, value };
    return true;
  });
  return found;
}

/** The parameter of largest magnitude (the first such, in the order of `eachParameter`): where a finite loss blew up. */
export function largestParameter(params: Float64Array, lay: Layout): { layer: number; neuron: number; parameter: ParameterKind; value: number } {
  let best = { layer: 0, neuron: 0, parameter: 'weights' as ParameterKind, value: 0 };
  eachParameter(params, lay, (value, layer, neuron, parameter) => {
    if (Math.abs(value) > Math.abs(best.value)) best = { layer, neuron, parameter, value };
  });
  return best;
}

/** The place of a failure: its first non-finite parameter, or else its loss. */
function placeOf(f: { loss: number; params: Float64Array | null }, lay: Layout): Place {
  return (f.params && firstNonFinite(f.params, lay)) ?? { layer: null, neuron: null, parameter: 'loss', value: f.loss };
}

const notReproduced = (): Error => new Error('training diverged, but replaying the steps from the last finite state did not reproduce it');

/** The last finite state of one network, and the way back to it. */
export class Rollback {
  private mark: Mark | null = null;
  /**
   * The state the last mark let go of: the next mark is read into its arrays. `fit` takes a mark
   * per run of epochs, and on a large network new memory for a copy of the parameters costs
   * more than the copy itself (W4, 670 k parameters: 25 ms new, 0.2 ms reused).
   */
  private spare: State | null = null;
  /** The check of a run of `fit`'s epochs still open (./fitting.ts), to make before a `trainBatch` call. */
  private open: (() => void) | null = null;

  /** `configure` sets the optimizer and rates in force through the network (which remembers them); `configured` reads them. */
  constructor(
    private readonly engine: Engine,
    private readonly rng: Random,
    private readonly net: { configure(step: StepSettings): void; configured(): StepSettings },
  ) {}

  /**
   * Where `fit` trained past the epoch whose record a callback is being given (./fitting.ts runs
   * ahead): what takes the network back to that epoch, or null.
   */
  private ahead: (() => void) | null = null;

  /** `fit` has trained past the epoch it reports: `back` returns the network to it (null: it is there). */
  behind(back: (() => void) | null): void {
    this.ahead = back;
  }

  /** Whether the network was read or changed since `fit` cleared this (every `Network` method calls `settle`). */
  read = false;

  /** Takes the network back to the epoch `fit` reports, where it has trained past it: before anything reads or changes it. */
  settle(): void {
    this.read = true;
    const back = this.ahead;
    if (back === null) return;
    this.ahead = null;
    back();
  }

  /**
   * The network at the end of the first `losses.length` epochs of the open run of `fit`'s epochs:
   * the mark's state, then those epochs again, which give the same bits (their losses are checked
   * against `losses`).
   */
  replay(data: PreparedData, shuffle: boolean, batch: number, losses: Float64Array): void {
    this.restore(this.mark!.state);
    if (losses.length === 0) return;
    const again = new Float64Array(losses.length);
    this.engine.fitEpochs(data, shuffle ? this.rng : null, batch, again);
    for (let e = 0; e < again.length; e++) {
      if (!Object.is(again[e], losses[e]))
        throw new Error(`epoch ${e + 1} of the run, trained again from its start, gave the loss ${again[e]}, not ${losses[e]}`);
    }
  }

  /** Drops the mark: the parameters or the state were changed other than by training. */
  forget(): void {
    this.mark = null;
    this.open = null;
  }

  /** Whether a mark is held (`forget` drops it). */
  get marked(): boolean {
    return this.mark !== null;
  }

  /**
   * A run of `fit`'s epochs is open: `close` checks it (`check`), and is called before any
   * `trainBatch` call made meanwhile (from a callback), so that call starts from a checked state.
   */
  opened(close: (() => void) | null): void {
    this.open = close;
  }

  private save(params: Float64Array, into?: OptimizerState): State {
    return { params, optimizer: this.engine.readOptimizerState(into), step: this.net.configured(), shuffle: this.rng.state };
  }

  /** The state now, read into the spare state's arrays (taken: a state in use is never written). */
  private saveNow(): State {
    const spare = this.spare;
    this.spare = null;
    return this.save(this.engine.readParameters(spare?.params), spare?.optimizer);
  }

  private restore(s: State): void {
    this.net.configure(s.step);
    this.engine.writeParameters(s.params);
    this.engine.writeOptimizerState(s.optimizer);
    this.rng.state = s.shuffle;
  }

  /** `old` is no longer a mark's state (unless it is `kept`): the next mark is read into its arrays. */
  private letGo(old: State | undefined, kept: State): void {
    if (old !== undefined && old !== kept) this.spare = old;
  }

  private remember(s: State): State {
    this.letGo(this.mark?.state, s);
    this.mark = this.mark?.reset(s) ?? new Mark(s, 0);
    return s;
  }

  /**
   * Before a run of epochs of `fit` (its settings in force, its orders not yet drawn): the mark
   * holds the state now; it is kept when nothing has happened since it was taken, else read again.
   */
  begin(): void {
    const m = this.mark;
    if (m === null || m.calls > 0 || m.state.step !== this.net.configured()) this.remember(this.saveNow());
  }

  /**
   * After a run of epochs: the new mark when its losses and every parameter are finite; else the
   * network goes back (see `diverged`) and this throws.
   */
  check(run: EpochRun, history: (kept: number) => History): void {
    const now = this.saveNow();
    const bounded = (l: number) => Number.isFinite(l) && l <= run.maxLoss;
    let losses = true;
    for (let e = 0; e < run.n; e++) losses &&= bounded(run.losses[e]);
    if (!losses || !allFinite(now.params)) throw this.diverged(this.mark!.state, run, history, bounded);
    this.remember(now);
  }

  /**
   * A run of epochs from `start` went non-finite: replays its epochs from `start`, one at a time,
   * up to the first whose loss is not finite, then the failing epoch minibatch by minibatch in the
   * same order; leaves the network at the end of the last finite epoch (the shuffling generator
   * too). Returns the error naming the epoch (counted from the fit's first), minibatch, rows and
   * place, with `history(kept)`: the history with the run's first `kept` epochs.
   */
  private diverged(start: State, run: EpochRun, history: (kept: number) => History, bounded: (loss: number) => boolean): TrainingDivergedError {
    const { data, batch, losses } = run;
    const rows = data.rows;
    let count = 1;
    while (count < run.n && bounded(losses[count - 1])) count++;
    const perm = new Uint32Array(rows);
    const order = () => permutation(rows, run.shuffle ? this.rng : null, perm);
    this.restore(start);
    const loss = new Float64Array(1);
    const epoch = this.firstFailure(count, 1, start, () => (this.engine.fitEpochs(data, run.shuffle ? this.rng : null, batch, loss), loss[0]), bounded);
    if (epoch === null) throw notReproduced();
    order();
    const bounds = (i: number): [number, number] => [i * batch, Math.min(rows, (i + 1) * batch)];
    const step = this.firstFailure(
      Math.ceil(rows / batch),
      Math.max(1, Math.floor(256 / batch)),
      epoch.before,
      (i) => {
        const minibatch = data.gather(perm, ...bounds(i));
        return this.engine.trainBatch(minibatch.x, minibatch.y);
      },
      bounded,
    );
    this.restore(this.remember(epoch.before));
    const [from, to] = step ? bounds(step.index) : [0, 0];
    const place = placeOf(step ?? epoch, this.engine.layout);
    const where = {
      ...place,
      maxLoss: place.parameter === 'loss' && Number.isFinite(place.value) ? run.maxLoss : null,
      largest:
        place.parameter === 'loss' && Number.isFinite(place.value) && (step ?? epoch).params
          ? largestParameter((step ?? epoch).params!, this.engine.layout)
          : null,
      epoch: run.done + epoch.index + 1,
      batch: step ? step.index + 1 : null,
      rows: step ? Array.from(perm.subarray(from, to)) : null,
    };
    const rates = { learningRate: run.step.learningRate, biasLearningRate: run.step.biasLearningRate };
    return new TrainingDivergedError({ ...where, callsAgo: null, undone: null, ...rates }, history(epoch.index));
  }

  /**
   * The engine's `trainBatch` (the settings in force), logged since the mark; a new mark first when
   * there is none or the calls since fill it. A loss that is not finite, or an update that made a
   * parameter not finite, puts the network back and throws. (Kept small: it is on
   * the path of every call.)
   */
  trainBatch(x: Matrix, y: Matrix): number {
    if (this.open !== null) this.open();
    let m = this.mark;
    if (m === null || m.calls >= m.limit) m = this.renew(m, x.data.length + y.data.length);
    const loss = this.engine.trainBatch(x, y);
    const step = this.net.configured();
    if (!Number.isFinite(loss)) throw this.replayCalls(m, { x, y, step }, { layer: null, neuron: null, parameter: 'loss', value: loss });
    // The update can overflow a parameter that the loss does not see yet (a weight into a ReLU
    // that stays off): the call that did it is refused, not a later one.
    if (!this.engine.parametersFinite()) throw this.replayCalls(m, { x, y, step }, firstNonFinite(this.engine.readParameters(), this.engine.layout)!);
    m.log(x, y, step, loss);
    return loss;
  }

  /**
   * A mark with room for `trainBatch` calls, at the state now: the old mark's when nothing has
   * happened since, else read (every parameter is finite: each call checked its update).
   */
  private renew(old: Mark | null, values: number): Mark {
    let s: State;
    if (old !== null && old.calls === 0) {
      s = old.state;
    } else {
      s = this.saveNow();
      this.letGo(old?.state, s);
    }
    // As many calls as fit MAX_VALUES if their minibatches are of this one's size.
    const limit = Math.max(1, Math.min(MAX_CALLS, Math.floor(MAX_VALUES / values)));
    this.mark = (old !== null && old.capacity > 0 ? old : new Mark(s, MAX_CALLS)).reset(s, limit);
    return this.mark;
  }

  /**
   * Replays the calls since mark `m` and the current one (whose loss or update was not finite) from the
   * mark, each with its settings; a call whose loss comes out other than it did (its minibatch was
   * changed in place since) ends the replay there. Leaves the network before the first call that
   * went non-finite or did not replay, and returns the error to throw (`seen`: what was observed).
   */
  private replayCalls(m: Mark, current: { x: Matrix; y: Matrix; step: StepSettings }, seen: Place): TrainingDivergedError {
    const n = m.calls;
    const total = n + 1;
    this.restore(m.state);
    const f = this.firstFailure(total, 1, m.state, (i) => {
      const c = i < n ? m.batch(i) : current;
      this.net.configure(c.step);
      const loss = this.engine.trainBatch(c.x, c.y);
      return i < n && loss !== m.losses[i] ? null : loss;
    });
    if (f === null) throw notReproduced();
    this.remember(f.before);
    const step = f.index < n ? m.steps[f.index] : current.step;
    // A call that did not replay: the place is what was seen, the call is unknown.
    const place = f.params ? placeOf(f, this.engine.layout) : seen;
    const callsAgo = f.params ? n - f.index : 0;
    return new TrainingDivergedError({
      epoch: null,
      batch: null,
      rows: null,
      ...place,
      maxLoss: null,
      callsAgo,
      undone: total - f.index,
      learningRate: step.learningRate,
      biasLearningRate: step.biasLearningRate,
    });
  }

  /**
   * Runs steps 0 … count−1 from `start` (the network's state now), step i by `run(i)`, which
   * returns its loss, or null when it did not compute what it did the first time. Checks the
   * parameters after every `group` steps while all is finite and, from the last good check, after
   * every step once something is not. Returns the first step after which the loss or a parameter
   * is not finite (or which did not replay), with the network back at the state before it; null
   * when every step stays finite.
   */
  private firstFailure(count: number, group: number, start: State, run: (i: number) => number | null, bounded = Number.isFinite): Failure | null {
    let good = start;
    for (let i = 0; i < count;) {
      const end = Math.min(count, i + group);
      let j = i;
      let clean = true;
      while (clean && j < end) {
        const loss = run(j++);
        clean = loss !== null && bounded(loss);
      }
      const params = clean ? this.engine.readParameters() : null;
      if (params && allFinite(params)) {
        good = this.save(params);
        i = end;
        continue;
      }
      this.restore(good);
      for (; i < j; i++) {
        const loss = run(i);
        const after = loss === null ? null : this.engine.readParameters();
        if (loss === null || after === null || !bounded(loss) || !allFinite(after)) {
          this.restore(good);
          return { index: i, loss: loss ?? NaN, params: after, before: good };
        }
        good = this.save(after);
      }
    }
    return null;
  }
}
