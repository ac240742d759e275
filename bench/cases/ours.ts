/**
 * Our engines as benchmark cases, through the public `Network` API only: `trainBatch` once per
 * minibatch (the caller's loop), or `fit` (one call into the engine per run of epochs; the wasm
 * engine copies the rows in once per call and crosses the boundary once).
 */
import { configuration, configurationSupported } from '../../ts/configurations.js';
import { Network } from '../../ts/network.js';
import type { MatrixInput } from '../../ts/types.js';
import { loadWasm, type WasmInstance } from '../../ts/wasm/loader.js';
import { NotRun, type Case } from '../protocol.js';
import type { OurEngine } from '../systems.js';
import { SEED, activationsOf, gather, guardRows, type WorkloadData, type WorkloadSpec } from '../workload-spec.js';

type Arr = Float32Array | Float64Array;

/** A contiguous run of rows, as the API takes it (a view: no copy). */
function rowsView(m: Arr, cols: number, start: number, rows: number): MatrixInput {
  return { data: m.subarray(start * cols, (start + rows) * cols), rows, cols };
}

class OurCase implements Case {
  readonly unit: number;
  readonly reference = 'batch' as const;
  readonly info: Record<string, string>;
  private readonly x: Arr;
  private readonly y: Arr;
  private readonly nIn: number;
  private readonly nOut: number;
  private cursor = 0;
  /** The minibatches of the trainBatch path (every full batch of the data, in order). */
  private readonly batches: { x: MatrixInput; y: MatrixInput }[] = [];
  /** The fit path's plan for the current number of units. */
  private plan: { units: number; epochs: number; windows: { x: MatrixInput; y: MatrixInput }[] } | null = null;

  constructor(
    private readonly net: Network,
    private readonly api: 'batch' | 'fit',
    private readonly spec: WorkloadSpec,
    data: WorkloadData,
    private readonly wasm: WasmInstance | null,
    private readonly liveBefore: number,
  ) {
    const Make = net.precision === 'f32' ? Float32Array : Float64Array;
    this.x = Make.from(data.x);
    this.y = Make.from(data.y);
    this.nIn = spec.layers[0];
    this.nOut = spec.layers[spec.layers.length - 1];
    this.unit = spec.batch;
    for (let s = 0; s + spec.batch <= spec.rows; s += spec.batch) {
      this.batches.push({ x: rowsView(this.x, this.nIn, s, spec.batch), y: rowsView(this.y, this.nOut, s, spec.batch) });
    }
    this.info = { backend: net.backend, precision: net.precision };
  }

  get batch(): number {
    return this.spec.batch;
  }

  evalLoss(): number {
    const e = this.spec.evalRows;
    return this.net.evaluate(rowsView(this.x, this.nIn, 0, e), rowsView(this.y, this.nOut, 0, e)).loss;
  }

  async trainGuard(steps: number): Promise<void> {
    const b = this.spec.batch;
    const idx = guardRows(this.spec, steps, b);
    const Make = this.x.constructor as new (n: number) => Arr;
    const gx = gather(this.x, this.nIn, idx, Make);
    const gy = gather(this.y, this.nOut, idx, Make);
    if (this.api === 'batch') {
      for (let s = 0; s < steps; s++) this.net.trainBatch(rowsView(gx, this.nIn, s * b, b), rowsView(gy, this.nOut, s * b, b));
    } else {
      await this.net.fit(rowsView(gx, this.nIn, 0, idx.length), rowsView(gy, this.nOut, 0, idx.length), { epochs: 1, batchSize: b, shuffle: false });
    }
  }

  run(units: number): number | Promise<number> {
    return this.api === 'batch' ? this.runBatches(units) : this.runFit(units);
  }

  private runBatches(units: number): number {
    const bs = this.batches;
    for (let u = 0; u < units; u++) {
      const b = bs[this.cursor];
      this.net.trainBatch(b.x, b.y);
      this.cursor = this.cursor + 1 === bs.length ? 0 : this.cursor + 1;
    }
    return units * this.spec.batch;
  }

  /**
   * `fit` on the whole data for as many epochs as the chunk holds (shuffled each epoch, as users
   * call it); when one epoch is longer than a chunk (W3, W4), `fit` for one epoch on a window of
   * `units` minibatches of consecutive rows, the windows taking turns. Either way every call pays
   * what an epoch pays: validation and copy-in of its rows, the shuffle, the boundary crossing.
   */
  private async runFit(units: number): Promise<number> {
    const { rows, batch } = this.spec;
    if (this.plan?.units !== units) {
      const wanted = units * batch;
      if (wanted >= rows) {
        this.plan = {
          units,
          epochs: Math.max(1, Math.round(wanted / rows)),
          windows: [{ x: rowsView(this.x, this.nIn, 0, rows), y: rowsView(this.y, this.nOut, 0, rows) }],
        };
      } else {
        const windows = [];
        for (let s = 0; s + wanted <= rows; s += wanted) windows.push({ x: rowsView(this.x, this.nIn, s, wanted), y: rowsView(this.y, this.nOut, s, wanted) });
        this.plan = { units, epochs: 1, windows };
      }
      this.cursor = 0;
    }
    const { epochs, windows } = this.plan;
    const w = windows[this.cursor];
    this.cursor = (this.cursor + 1) % windows.length;
    await this.net.fit(w.x, w.y, { epochs, batchSize: batch, shuffle: true });
    return epochs * w.x.rows;
  }

  dispose(): string | undefined {
    this.net.dispose();
    if (!this.wasm) return undefined;
    const live = this.wasm.exports.bp_live_allocations();
    return live === this.liveBefore ? undefined : `${live - this.liveBefore} WebAssembly allocations still live after dispose()`;
  }
}

const primed = new WeakSet<WasmInstance>();
/** A buffer size from which the kernels give a buffer wasm pages of its own (`PAGES_FROM`). */
const SPARE_LIST_BYTES = 16 << 20;

/** Our engine `engine` on path `api`, from the workload's initial parameters. */
export async function createOurCase(engine: OurEngine, api: 'batch' | 'fit', spec: WorkloadSpec, data: WorkloadData): Promise<Case> {
  const config = configuration(engine);
  if (!configurationSupported(config))
    throw new NotRun(`not run: this runtime has no ${config.backend} (Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd)`);
  const opts = config.options;
  const wasm = opts.engine === 'wasm' ? await loadWasm(opts.wasm) : null;
  if (wasm && !primed.has(wasm)) {
    // The first network on an instance allocates the kernels' bookkeeping (the handle table, the
    // buffer registry), which stays: count live allocations from after that, so only leaks show.
    (await Network.create({ layers: [1, 1], ...opts })).dispose();
    // So does the first free of a buffer that took wasm pages of its own (16 MiB and more, e.g.
    // W3's 8192 rows × 784 inputs in f32): the list of spare page blocks (crates/kernels/src/abi/buffers.rs).
    const big = wasm.exports.bp_alloc(SPARE_LIST_BYTES);
    if (big !== 0) wasm.exports.bp_free(big);
    primed.add(wasm);
  }
  const liveBefore = wasm ? wasm.exports.bp_live_allocations() : 0;
  const net = await Network.create({ layers: spec.layers, activations: activationsOf(spec), learningRate: spec.learningRate, seed: SEED, ...opts });
  net.setFlatParameters(data.p0);
  return new OurCase(net, api, spec, data, wasm, liveBefore);
}
