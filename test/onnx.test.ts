/**
 * ONNX export against onnxruntime-web (its WebAssembly backend, in Node): the exported graph predicts
 * what the network predicts, on every configuration and every activation, the activated input
 * layer included; FLOAT for f32 networks (within 1e-6), DOUBLE for f64 ones (within 1e-12); the
 * graph is the documented one (opset, ops, names); the CLI writes the file; errors are one line.
 */
import * as ort from 'onnxruntime-web';
import protobuf from 'protobufjs/light.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toModel, type ActivationName, type InputLayer, type LossName, type Network, type NetworkOptions } from '../ts/index.js';
import { saveModel, saveOnnx, toOnnx, ONNX_OPSET } from '../ts/node/index.js';
import { ONNX_SCHEMA } from '../ts/export/onnx-schema.js';
import { exportCommand } from '../ts/cli/export.js';
import { ENGINE_CASES, oneHotRows, randomMatrix, relErr } from './engines.js';
import { pythonWith } from './python.js';

const TOLERANCE = { f32: 1e-6, f64: 1e-12 };
const dir = mkdtempSync(join(tmpdir(), 'wbp-onnx-'));

beforeAll(() => {
  ort.env.wasm.numThreads = 1; // one core; and Node has no cross-origin isolation for threads
});

/** The architectures exported: every activation as a hidden layer and as an output, both input layers. */
const ONNX_ARCHITECTURES: {
  name: string;
  layers: number[];
  activations: ActivationName[];
  loss: LossName;
  inputLayer?: InputLayer;
  inputActivation?: ActivationName;
}[] = [
  { name: 'sigmoid, tanh → softmax', layers: [6, 9, 7, 4], activations: ['sigmoid', 'tanh', 'softmax'], loss: 'cross-entropy' },
  { name: 'relu, leaky-relu → linear', layers: [6, 9, 7, 3], activations: ['relu', 'leaky-relu', 'linear'], loss: 'mse' },
  { name: 'linear → leaky-relu, sigmoid', layers: [5, 8, 6, 2], activations: ['linear', 'leaky-relu', 'sigmoid'], loss: 'mse' },
  {
    name: 'activated input (tanh) → relu, tanh',
    layers: [5, 17, 3],
    activations: ['relu', 'tanh'],
    loss: 'mse',
    inputLayer: 'activated',
    inputActivation: 'tanh',
  },
  {
    name: 'activated input (leaky-relu) → sigmoid',
    layers: [4, 3],
    activations: ['sigmoid'],
    loss: 'mse',
    inputLayer: 'activated',
    inputActivation: 'leaky-relu',
  },
  { name: 'activated input (linear) → linear', layers: [4, 3], activations: ['linear'], loss: 'mse', inputLayer: 'activated', inputActivation: 'linear' },
];

/** The network's predictions through onnxruntime-web. */
async function runOnnx(
  bytes: Uint8Array,
  x: { data: Float64Array; rows: number; cols: number },
  precision: 'f32' | 'f64',
): Promise<Float32Array | Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input =
      precision === 'f64'
        ? new ort.Tensor('float64', Float64Array.from(x.data), [x.rows, x.cols])
        : new ort.Tensor('float32', Float32Array.from(x.data), [x.rows, x.cols]);
    const out = await session.run({ input });
    return out.output.data as Float32Array | Float64Array;
  } finally {
    await session.release();
  }
}

/** A network of an architecture, trained a little so that its parameters are not the initial ones. */
async function trainedNetwork(
  create: (o: NetworkOptions) => Promise<Network>,
  a: (typeof ONNX_ARCHITECTURES)[number],
  x: { data: Float64Array; rows: number; cols: number },
): Promise<Network> {
  const net = await create({
    layers: a.layers,
    activations: a.activations,
    loss: a.loss,
    inputLayer: a.inputLayer,
    inputActivation: a.inputActivation,
    seed: 5,
    learningRate: 0.05,
  });
  const outputs = a.layers.at(-1)!;
  const y = a.loss === 'cross-entropy' ? oneHotRows(x.rows, outputs, 3) : randomMatrix(x.rows, outputs, 3);
  await net.fit(x, y, { epochs: 2, batchSize: 8 });
  return net;
}

describe('export → onnxruntime-web predicts the same', () => {
  for (const c of ENGINE_CASES) {
    for (const a of ONNX_ARCHITECTURES) {
      it(`${c.name}: ${a.name}`, async () => {
        const x = randomMatrix(64, a.layers[0], 11, -3, 3);
        const net = await trainedNetwork(c.create, a, x);
        try {
          const theirs = await runOnnx(toOnnx(net), x, c.precision);
          expect(theirs).toBeInstanceOf(c.precision === 'f64' ? Float64Array : Float32Array);
          const ours = net.predictMatrix(x).data;
          expect(relErr(theirs, ours)).toBeLessThanOrEqual(TOLERANCE[c.precision]);
          expect(Math.max(...theirs.map(Math.abs))).toBeGreaterThan(0.01);
        } finally {
          net.dispose();
        }
      });
    }
  }
});

describe('the graph', () => {
  const decode = (bytes: Uint8Array) =>
    protobuf.Root.fromJSON(ONNX_SCHEMA)
      .lookupType('onnx.ModelProto')
      .toObject(protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto').decode(bytes), { longs: Number, bytes: Array }) as {
      ir_version: number;
      opset_import: { domain?: string; version: number }[];
      producer_name: string;
      graph: { node: { op_type: string; input: string[]; output: string[] }[]; initializer: { name: string; dims: number[]; data_type: number }[] };
      metadata_props: { key: string; value: string }[];
    };

  it('opset 13, Gemm with W as kept (n_out × n_in, transB), the activations, the metadata', async () => {
    const net = await ENGINE_CASES[1].create({
      layers: [3, 4, 2],
      activations: ['leaky-relu', 'softmax'],
      loss: 'cross-entropy',
      inputLayer: 'activated',
      inputActivation: 'sigmoid',
    });
    const m = decode(toOnnx(toModel(net, { data: { task: 'classification', classes: ['x', 'y'] } })));
    net.dispose();
    expect(m.ir_version).toBe(7);
    expect(m.opset_import).toEqual([{ version: ONNX_OPSET }]);
    expect(ONNX_OPSET).toBe(13);
    expect(m.producer_name).toBe('wasm-backprop');
    // f64: leaky-relu as max(z, 0.01·z) with a double slope.
    expect(m.graph.node.map((n) => `${n.op_type}(${n.input.join(',')})→${n.output.join(',')}`)).toEqual([
      'Add(input,b_in)→z0',
      'Sigmoid(z0)→a0',
      'Gemm(a0,W0,b0)→z1',
      'Mul(z1,leaky_slope)→z1_scaled',
      'Max(z1,z1_scaled)→a1',
      'Gemm(a1,W1,b1)→z2',
      'Softmax(z2)→output',
    ]);
    expect(m.graph.initializer.map((t) => [t.name, t.dims ?? [], t.data_type])).toEqual([
      ['b_in', [3], 11],
      ['W0', [4, 3], 11],
      ['b0', [4], 11],
      ['leaky_slope', [], 11],
      ['W1', [2, 4], 11],
      ['b1', [2], 11],
    ]);
    expect(JSON.parse(m.metadata_props[0].value)).toEqual({ loss: 'cross-entropy', data: { task: 'classification', classes: ['x', 'y'] } });
  });

  it('f32: FLOAT tensors and a LeakyRelu node', async () => {
    const net = await ENGINE_CASES[4].create({ layers: [3, 4, 2], activations: ['leaky-relu', 'linear'] });
    const m = decode(toOnnx(net));
    net.dispose();
    expect(m.graph.node.map((n) => n.op_type)).toEqual(['Gemm', 'LeakyRelu', 'Gemm']);
    expect(m.graph.node.at(-1)!.output).toEqual(['output']);
    expect(new Set(m.graph.initializer.map((t) => t.data_type))).toEqual(new Set([1]));
  });
});

describe('files, the command line and errors', () => {
  it('export --format onnx writes a file onnxruntime runs; a folder gets model.onnx', async () => {
    const net = await ENGINE_CASES[4].create({ layers: [4, 5, 3], activations: ['relu', 'softmax'], loss: 'cross-entropy', seed: 7 });
    const file = join(dir, 'cli-model.json');
    await saveModel(file, net);
    await exportCommand(file, { format: 'onnx', out: join(dir, 'cli.onnx') });
    await exportCommand(file, { format: 'onnx', out: dir });
    const x = randomMatrix(10, 4, 2);
    for (const p of [join(dir, 'cli.onnx'), join(dir, 'model.onnx')]) {
      expect(relErr(await runOnnx(readFileSync(p), x, 'f32'), net.predictMatrix(x).data)).toBeLessThanOrEqual(TOLERANCE.f32);
    }
    net.dispose();
  });

  it('one clear error: no network, a disposed one, a bad option, an unwritable path', async () => {
    expect(() => toOnnx({ format: 'other' } as never)).toThrow("not a wasm-backprop model: model.format must be 'wasm-backprop-model', got 'other'");
    const net = await ENGINE_CASES[4].create({ layers: [2, 2] });
    expect(() => toOnnx(net, { opset: 17 } as never)).toThrow("unknown option 'opset' (known: name)");
    await expect(saveOnnx(join(dir, 'no', 'such', 'folder', 'm.onnx'), net)).rejects.toThrow(
      `${join(dir, 'no', 'such', 'folder', 'm.onnx')}: its folder ${join(dir, 'no', 'such', 'folder')} does not exist (ENOENT)`,
    );
    await expect(saveOnnx(dir, net)).rejects.toThrow(`saveOnnx: ${dir} is a folder: give a file name, such as ${join(dir, 'model.onnx')}`);
    net.dispose();
    expect(() => toOnnx(net)).toThrow(/disposed/);
    const f64 = await ENGINE_CASES[1].create({ layers: [2, 2] });
    const p = f64.getParameters();
    p.weights[0][1][0] = 1e300;
    f64.setParameters(p);
    expect(() => toOnnx(f64)).not.toThrow(); // an f64 network is written in DOUBLE: beyond float32 is no problem
    f64.dispose();
  });
});

/**
 * Python's onnxruntime, in the tests' virtual environment (test/python.ts: git-ignored, under
 * node_modules/.cache) installed from the configured pip index; the reason where Python or the
 * package cannot be had.
 */
function pythonOnnxruntime(): { python: string; checker: boolean } | { reason: string } {
  const env = pythonWith(['onnxruntime', 'numpy'], 240_000);
  if ('reason' in env) return env;
  // The ONNX checker too, where it installs: it validates the file against the specification.
  return { python: env.python, checker: !('reason' in pythonWith(['onnx'], 240_000)) };
}

/** Runs each .onnx file on its inputs in Python's onnxruntime (after onnx.checker where present); prints the outputs as JSON. */
const PYTHON_RUNNER = `
import json, sys
import numpy as np
import onnxruntime as ort
try:
    import onnx
except ImportError:
    onnx = None
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    if onnx is not None:
        onnx.checker.check_model(onnx.load(c["file"]), full_check=True)
    s = ort.InferenceSession(c["file"], providers=["CPUExecutionProvider"])
    x = np.array(c["x"], dtype=np.float64 if c["precision"] == "f64" else np.float32).reshape(c["rows"], c["cols"])
    y = s.run(["output"], {"input": x})[0]
    out.append({"dtype": str(y.dtype), "y": y.ravel().astype(np.float64).tolist()})
print(json.dumps({"onnxruntime": ort.__version__, "onnx": onnx.__version__ if onnx else None, "outputs": out}))
`;

describe('export → Python onnxruntime predicts the same', () => {
  it('every configuration and architecture', { timeout: 300_000 }, async (ctx) => {
    const py = pythonOnnxruntime();
    if ('reason' in py) {
      console.warn(`Python onnxruntime check skipped: ${py.reason}`);
      ctx.skip();
      return;
    }
    const folder = mkdtempSync(join(dir, 'python-'));
    const cases: { file: string; precision: 'f32' | 'f64'; rows: number; cols: number; x: number[]; expected: Float32Array | Float64Array; name: string }[] =
      [];
    for (const c of ENGINE_CASES) {
      for (const [i, a] of ONNX_ARCHITECTURES.entries()) {
        const x = randomMatrix(32, a.layers[0], 17, -3, 3);
        const net = await trainedNetwork(c.create, a, x);
        const file = join(folder, `${c.name}-${i}.onnx`);
        await saveOnnx(file, net);
        cases.push({
          file,
          precision: c.precision,
          rows: x.rows,
          cols: x.cols,
          x: Array.from(x.data),
          expected: net.predictMatrix(x).data,
          name: `${c.name}: ${a.name}`,
        });
        net.dispose();
      }
    }
    writeFileSync(join(folder, 'cases.json'), JSON.stringify(cases.map(({ expected: _, name: __, ...rest }) => rest)));
    writeFileSync(join(folder, 'run.py'), PYTHON_RUNNER);
    const r = spawnSync(py.python, [join(folder, 'run.py'), join(folder, 'cases.json')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { onnx: string | null; outputs: { dtype: string; y: number[] }[] };
    expect(result.onnx !== null).toBe(py.checker);
    cases.forEach((c, i) => {
      const got = result.outputs[i];
      expect(got.dtype, c.name).toBe(c.precision === 'f64' ? 'float64' : 'float32');
      expect(relErr(got.y, c.expected), c.name).toBeLessThanOrEqual(TOLERANCE[c.precision]);
    });
  });
});
