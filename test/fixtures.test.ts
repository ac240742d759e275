/**
 * The cross-language fixtures (test/fixtures/*.json, written by the NumPy reference
 * tools/reference.py; `npm run fixtures`) replayed on every engine × precision: educational, js f64
 * and f32, wasm f64 and f32 with and without SIMD128. The Rust network replays the same files
 * natively in crates/kernels/tests/fixtures.rs.
 *
 * Each fixture gives a configuration, initial parameters (flat layout [W_0 | b_0 | … | b_in]), data,
 * and the reference's mean loss of every step, the mean gradient of step 1 and the parameters after 1
 * and after 100 steps. Step s trains on rows (s·batch + i) mod rows, i = 0 … batch−1 (`batch_rule`).
 *
 * Targets (docs/ARCHITECTURE.md, "9 Numerical agreement"), relative error
 * = max|a − b| / max(1, max|b|):
 * - f64 engines: ≤ 1e-12 after one step (gradient, loss, parameters), ≤ 1e-9 after 100 steps;
 * - f32 engines against the f64 reference: ≤ 1e-5 after one step, and ≤ 1e-4 after 100 steps (a
 *   loose sanity bound: f32 drifts from f64 over many steps).
 *
 * The relaxed-SIMD configurations (multiply-adds fused where the CPU has FMA) are held to the same
 * targets: their bits are not those of the others, their distance to the reference is of the same
 * order. They run where the runtime has relaxed SIMD and are skipped elsewhere (Node 20 without
 * --experimental-wasm-relaxed-simd; test/relaxed.test.ts runs them there under the flag).
 *
 * The wasm cases load the artefacts ts/wasm/bin/*.wasm, which `npm test` builds first
 * (scripts/bootstrap.mjs). Nothing else is skipped: run on its own without the artefacts (before
 * `npm run build:wasm`), each wasm case fails with the loader's error naming the missing file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OPTIMIZERS, type ActivationName, type Gradients, type LossName, type MatrixInput, type OptimizerSettings } from '../ts/types.js';
import { OPTIONAL_CONFIGURATIONS, configurationSupported } from '../ts/configurations.js';
import { Network } from '../ts/network.js';
import { ENGINE_CASES, flatGradients, relErr } from './engines.js';

const F64_ONE_STEP = 1e-12;
const F64_ALL_STEPS = 1e-9;
const F32_ONE_STEP = 1e-5;
const F32_ALL_STEPS_SANITY = 1e-4;

interface Fixture {
  format: number;
  name: string;
  sizes: number[];
  /** f_0 … f_L; f_0 acts on the input layer only when `input_activated`. */
  activations: ActivationName[];
  input_activated: boolean;
  loss: LossName;
  batch: number;
  learning_rate: number;
  bias_learning_rate: number;
  optimizer: OptimizerSettings;
  steps: number;
  rows: number;
  x: number[][];
  y: number[][];
  initial_parameters: number[];
  losses: number[];
  gradient_step1: number[];
  parameters_step1: number[];
  [key: `parameters_step${number}`]: number[];
}

const dir = new URL('./fixtures/', import.meta.url);
const fixtures: Fixture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Fixture);

const cases = [
  ...ENGINE_CASES.map((c) => ({ ...c, supported: true })),
  ...OPTIONAL_CONFIGURATIONS.map((c) => ({
    name: c.name,
    precision: c.precision,
    create: (o: Parameters<typeof Network.create>[0]) => Network.create({ ...o, ...c.options }),
    supported: configurationSupported(c),
  })),
];

/** Rows `(s·batch + i) mod rows` of a fixture's x and y, as row-major matrices. */
function minibatch(f: Fixture, s: number): { x: MatrixInput; y: MatrixInput } {
  const n0 = f.sizes[0];
  const nL = f.sizes[f.sizes.length - 1];
  const x = new Float64Array(f.batch * n0);
  const y = new Float64Array(f.batch * nL);
  for (let i = 0; i < f.batch; i++) {
    const r = (s * f.batch + i) % f.rows;
    x.set(f.x[r], i * n0);
    y.set(f.y[r], i * nL);
  }
  return { x: { data: x, rows: f.batch, cols: n0 }, y: { data: y, rows: f.batch, cols: nL } };
}

/** The same number as `v` after a round trip through f32. */
const toF32 = (v: readonly number[]) => Array.from(Float32Array.from(v));

interface Measured {
  gradient1: number;
  loss1: number;
  params1: number;
  losses: number;
  paramsLast: number;
}
const measured = new Map<string, Map<string, Measured>>();

describe('the fixtures', () => {
  it('exist and cover the contract', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const act of ['sigmoid', 'relu', 'tanh', 'linear', 'leaky-relu']) {
      expect(
        fixtures.some((f) => f.activations.slice(1, -1).includes(act as ActivationName)),
        `a ${act} hidden layer`,
      ).toBe(true);
    }
    for (const loss of ['mse', 'cross-entropy'])
      expect(
        fixtures.some((f) => f.loss === loss),
        loss,
      ).toBe(true);
    for (const activated of [true, false]) expect(fixtures.some((f) => f.input_activated === activated)).toBe(true);
    for (const opt of OPTIMIZERS)
      expect(
        fixtures.some((f) => f.optimizer.type === opt),
        opt,
      ).toBe(true);
    expect(fixtures.some((f) => f.batch === 1) && fixtures.some((f) => f.batch === 16)).toBe(true);
    for (const f of fixtures) {
      expect(f.format).toBe(1);
      expect(f.x.length).toBe(f.rows);
      expect(f.losses.length).toBe(f.steps);
    }
  });
});

describe.each(cases)('$name replays the NumPy reference', (engine) => {
  const f64 = engine.precision === 'f64';
  const [oneStep, allSteps] = f64 ? [F64_ONE_STEP, F64_ALL_STEPS] : [F32_ONE_STEP, F32_ALL_STEPS_SANITY];

  it.skipIf(!engine.supported).each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    const step = { learningRate: f.learning_rate, biasLearningRate: f.bias_learning_rate, optimizer: f.optimizer };
    const net = await engine.create({
      layers: f.sizes,
      activations: f.activations.slice(1),
      inputLayer: f.input_activated ? 'activated' : 'identity',
      ...(f.input_activated ? { inputActivation: f.activations[0] } : {}),
      loss: f.loss,
      ...step,
    });
    try {
      net.setFlatParameters(f.initial_parameters);
      expect(Array.from(net.getFlatParameters())).toEqual(f64 ? f.initial_parameters : toF32(f.initial_parameters));

      // The mean gradient of step 1's minibatch, without an update.
      const first = minibatch(f, 0);
      const g = net.gradients(first.x, first.y);
      const m: Measured = {
        gradient1: relErr(flatGradients(g), f.gradient_step1),
        loss1: relErr([g.loss], [f.losses[0]]),
        params1: NaN,
        losses: NaN,
        paramsLast: NaN,
      };

      const losses: number[] = [];
      for (let s = 0; s < f.steps; s++) {
        const { x, y } = minibatch(f, s);
        losses.push(net.trainBatch(x, y, step));
        if (s === 0) m.params1 = relErr(net.getFlatParameters(), f.parameters_step1);
      }
      m.losses = relErr(losses, f.losses);
      m.paramsLast = relErr(net.getFlatParameters(), f[`parameters_step${f.steps}`]);
      if (!measured.has(engine.name)) measured.set(engine.name, new Map());
      measured.get(engine.name)!.set(f.name, m);

      expect(m.gradient1, 'gradient of step 1').toBeLessThanOrEqual(oneStep);
      expect(m.loss1, 'loss of step 1').toBeLessThanOrEqual(oneStep);
      expect(m.params1, 'parameters after step 1').toBeLessThanOrEqual(oneStep);
      expect(m.losses, 'losses of every step').toBeLessThanOrEqual(allSteps);
      expect(m.paramsLast, `parameters after step ${f.steps}`).toBeLessThanOrEqual(allSteps);
    } finally {
      net.dispose();
    }
  });
});

afterAll(() => {
  // The measured errors, one line per engine (the worst over the fixtures).
  const fmt = (v: number) => v.toExponential(1).padStart(9);
  const lines = [
    'relative errors against the NumPy reference (worst over the fixtures)',
    `  ${'engine'.padEnd(20)}   grad 1   loss 1 params 1   losses params N`,
  ];
  for (const [name, byFixture] of measured) {
    const worst = [0, 0, 0, 0, 0];
    for (const m of byFixture.values()) [m.gradient1, m.loss1, m.params1, m.losses, m.paramsLast].forEach((v, i) => (worst[i] = Math.max(worst[i], v)));
    lines.push(`  ${`${name} (${byFixture.size})`.padEnd(20)}${worst.map(fmt).join('')}`);
  }
  if (measured.size > 0) console.log(lines.join('\n'));
});
