/**
 * `trace`: trains a seeded network for a number of minibatch steps and records what its engine
 * computed (docs/trace-format.md): the data, the initial parameters, and for every step z and a of
 * every layer, the loss, every δ, the gradients and the updated parameters. The values are the
 * engine's own (`Engine.values`, then `trainBatch` for the update), never recomputed here. No Node
 * imports: ./folder.ts writes a trace to disk.
 */
import { fail } from '../errors.js';
import { checkOptionNames, shuffleSeed } from '../options.js';
import { takeRows, toMatrix, type Matrix } from '../matrix.js';
import { Network, type NetworkOptions } from '../network.js';
import { permutation, Random } from '../random.js';
import type { Rows } from '../types.js';
import { parameterTensors, stepFolder, TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceConfig } from './format.js';
import type { NpyArray } from './npy.js';

export interface TraceOptions {
  /** The network, as `Network.create` takes it (engine, precision, seed, optimizer and rates included). */
  network: NetworkOptions;
  /** The data: inputs and targets, one row per sample. */
  x: Rows;
  y: Rows;
  /** Rows per minibatch. Default 16. */
  batchSize?: number;
  /** Minibatch steps. Default 20. */
  steps?: number;
  /** Where the data comes from, for trace.json (e.g. 'digits', a file name). Default 'given'. */
  source?: string;
  /** Who computes, for trace.json. Default: 'wasm-backprop' with the engine, precision and backend. */
  producer?: string;
}

const TRACE_OPTIONS: Record<keyof TraceOptions, true> = { network: true, x: true, y: true, batchSize: true, steps: true, source: true, producer: true };

/**
 * The minibatches `fit({ batchSize, shuffle: true })` visits from `seed`: each epoch a permutation of
 * the rows drawn from the network's shuffling generator, cut into minibatches (the last of an epoch
 * may be shorter); the first `steps` of them.
 */
export function traceBatches(rows: number, batchSize: number, steps: number, seed: number): number[][] {
  const rng = new Random(shuffleSeed(seed));
  const batches: number[][] = [];
  while (batches.length < steps) {
    const perm = permutation(rows, rng);
    for (let i = 0; i < rows && batches.length < steps; i += batchSize) batches.push(Array.from(perm.subarray(i, Math.min(rows, i + batchSize))));
  }
  return batches;
}

/** Trains `steps` minibatches of a new seeded network and records every value it computed. */
export async function trace(options: TraceOptions): Promise<Trace> {
  checkOptionNames(options, Object.keys(TRACE_OPTIONS), 'trace options');
  const batchSize = options.batchSize ?? 16;
  const steps = options.steps ?? 20;
  if (!Number.isInteger(batchSize) || batchSize < 1) fail(`trace: batchSize must be an integer ≥ 1, got ${batchSize}`);
  if (!Number.isInteger(steps) || steps < 1) fail(`trace: steps must be an integer ≥ 1, got ${steps}`);
  const net = await Network.create(options.network);
  try {
    const engine = net.engineInstance;
    if (!engine.values) fail(`trace: the ${net.engine} engine cannot report the values of a step`);
    const L = net.layers.length - 1;
    const x64 = toMatrix(options.x, 'x', net.layers[0], 'f64', 'the input layer size');
    const y64 = toMatrix(options.y, 'y', net.layers[L], 'f64', 'the output layer size');
    if (x64.rows !== y64.rows) fail(`trace: x has ${x64.rows} rows, y ${y64.rows}`);
    const x = toMatrix(x64, 'x', net.layers[0], net.precision, 'the input layer size');
    const y = toMatrix(y64, 'y', net.layers[L], net.precision, 'the output layer size');
    const s = net.settings;
    const arch = engine.layout.arch;
    const config: TraceConfig = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      producer: options.producer ?? `wasm-backprop ${net.engine} ${net.precision} (${net.backend})`,
      precision: net.precision,
      network: {
        layers: [...net.layers],
        activations: [...net.activations],
        inputLayer: net.inputLayer,
        inputActivation: arch.inputActivated ? arch.activations[0] : null,
        loss: net.loss,
      },
      optimizer: { ...s.optimizer },
      learningRate: s.learningRate,
      biasLearningRate: s.biasLearningRate,
      batchSize,
      steps,
      seed: net.seed,
      data: { source: options.source ?? 'given', rows: x.rows },
      batches: traceBatches(x.rows, batchSize, steps, net.seed),
    };
    const tensors = new Map<string, NpyArray>();
    tensors.set('x', { shape: [x64.rows, x64.cols], data: Float64Array.from(x64.data) });
    tensors.set('y', { shape: [y64.rows, y64.cols], data: Float64Array.from(y64.data) });
    const n = config.network.layers;
    /** W_l, b_l (and b_in) of a flat array, with a prefix: '' for parameters, 'd' for gradients. */
    const parameters = (folder: string, prefix: '' | 'd', flat: Float64Array) => {
      for (const [name, array] of parameterTensors(config, folder, prefix, flat, net.precision)) tensors.set(name, array);
    };
    parameters('initial/', '', engine.readParameters());
    config.batches.forEach((rows, i) => {
      const f = `${stepFolder(i + 1)}/`;
      const bx: Matrix = takeRows(x, rows);
      const by: Matrix = takeRows(y, rows);
      const v = engine.values!(bx, by);
      for (let l = 0; l <= L; l++) {
        const shape = [rows.length, n[l]];
        const [z, d] = [v.z[l], v.delta[l]];
        if (z) tensors.set(`${f}z${l}`, { shape, data: z });
        tensors.set(`${f}a${l}`, { shape, data: v.a[l] });
        if (d) tensors.set(`${f}delta${l}`, { shape, data: d });
      }
      tensors.set(`${f}loss`, { shape: [], data: Float64Array.of(v.loss) });
      parameters(f, 'd', v.grads);
      net.trainBatch(bx, by);
      parameters(f, '', engine.readParameters());
    });
    return { config, tensors };
  } finally {
    net.dispose();
  }
}
