/**
 * The TensorFlow.js Layers format against TensorFlow.js itself: our export, loaded by
 * `tf.loadLayersModel(tf.io.fromMemory(…))`, predicts what the network predicts (every
 * configuration, every activation); a model built and trained in TF.js predicts the same after
 * import; files written and read back; each unsupported export and malformed model one clear error.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromTfjs, readTfjs, toModel, toTfjs, type ActivationName, type LossName, type TfjsModelJson } from '../ts/index.js';
import { loadTfjs, loadTfjsArtifacts, saveModel, saveTfjs } from '../ts/node/index.js';
import { exportCommand } from '../ts/cli/export.js';
import { importCommand } from '../ts/cli/import.js';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { ENGINE_CASES, oneHotRows, randomMatrix, relErr } from './engines.js';

/** The agreement the format promises: TF.js computes in float32. */
const TOLERANCE = 1e-6;
const dir = mkdtempSync(join(tmpdir(), 'wbp-tfjs-'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A TF.js model from our export, through tfjs-core's in-memory IO handler. */
async function loadInTfjs(modelJson: TfjsModelJson, weightData: ArrayBuffer): Promise<tf.LayersModel> {
  const { modelTopology, format, generatedBy, convertedBy, weightsManifest } = JSON.parse(JSON.stringify(modelJson)) as TfjsModelJson;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology,
      format,
      generatedBy,
      convertedBy: convertedBy ?? undefined,
      weightSpecs: weightsManifest.flatMap((g) => g.weights),
      weightData,
    }),
  );
}

function tfjsPredict(model: tf.LayersModel, x: { data: Float64Array; rows: number; cols: number }): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols])) as tf.Tensor).dataSync() as Float32Array);
}

/** The architectures exported: every activation as a hidden layer and as an output. */
const ARCHITECTURES: { name: string; layers: number[]; activations: ActivationName[]; loss: LossName }[] = [
  { name: 'sigmoid, tanh → softmax', layers: [6, 9, 7, 4], activations: ['sigmoid', 'tanh', 'softmax'], loss: 'cross-entropy' },
  { name: 'relu, leaky-relu → linear', layers: [6, 9, 7, 3], activations: ['relu', 'leaky-relu', 'linear'], loss: 'mse' },
  { name: 'linear → leaky-relu, sigmoid', layers: [5, 8, 6, 2], activations: ['linear', 'leaky-relu', 'sigmoid'], loss: 'mse' },
  { name: 'tanh → relu, tanh', layers: [5, 17, 3], activations: ['relu', 'tanh'], loss: 'mse' },
];

describe('export → TensorFlow.js predicts the same', () => {
  const x = randomMatrix(64, 6, 11, -3, 3);
  for (const c of ENGINE_CASES) {
    for (const a of ARCHITECTURES) {
      it(`${c.name}: ${a.name}`, async () => {
        const net = await c.create({ layers: a.layers, activations: a.activations, loss: a.loss, seed: 5, learningRate: 0.05 });
        try {
          const xs = { ...x, cols: a.layers[0], data: x.data.subarray(0, 64 * a.layers[0]) };
          const outputs = a.layers.at(-1)!;
          // Trained a little, so that the parameters are not the initial ones.
          const y = a.loss === 'cross-entropy' ? oneHotRows(64, outputs, 3) : randomMatrix(64, outputs, 3);
          await net.fit(xs, y, { epochs: 2, batchSize: 8 });
          const { modelJson, weightData } = toTfjs(net);
          expect(weightData.byteLength).toBe(4 * net.getFlatParameters().length);
          const model = await loadInTfjs(modelJson, weightData);
          const ours = net.predictMatrix(xs).data;
          const theirs = tfjsPredict(model, xs);
          model.dispose();
          expect(relErr(theirs, ours)).toBeLessThanOrEqual(TOLERANCE);
          expect(Math.max(...theirs.map(Math.abs))).toBeGreaterThan(0.01); // not a degenerate comparison
        } finally {
          net.dispose();
        }
      });
    }
  }

  it('leaky-relu is a linear Dense and a LeakyReLU layer with alpha 0.01 written out', async () => {
    const net = await ENGINE_CASES[1].create({ layers: [2, 3, 1], activations: ['leaky-relu', 'linear'] });
    const layers = toTfjs(net).modelJson.modelTopology.config.layers;
    net.dispose();
    expect(layers.map((l) => [l.class_name, l.config.activation ?? l.config.alpha])).toEqual([
      ['Dense', 'linear'],
      ['LeakyReLU', 0.01],
      ['Dense', 'linear'],
    ]);
    expect(layers[0].config.batch_input_shape).toEqual([null, 2]);
  });

  it('a model file exports as its network does, with its data in userDefinedMetadata', async () => {
    const net = await ENGINE_CASES[4].create({ layers: [3, 4, 2], activations: ['tanh', 'softmax'], loss: 'cross-entropy', seed: 2 });
    const data = { task: 'classification' as const, classes: ['no', 'yes'], scaling: { kind: 'minmax' as const, offset: [0, 1, 2], scale: [1, 2, 3] } };
    const model = toModel(net, { data });
    const fromNet = toTfjs(net);
    const fromModel = toTfjs(model);
    net.dispose();
    expect(new Uint8Array(fromModel.weightData)).toEqual(new Uint8Array(fromNet.weightData));
    expect(fromModel.modelJson.userDefinedMetadata).toEqual({ 'wasm-backprop': { loss: 'cross-entropy', data } });
    expect(readTfjs(fromModel.modelJson, fromModel.weightData).data).toEqual(data);
  });
});

/** A model's artifacts as TF.js itself saves them (`model.save` through a save handler), as model.json and bytes. */
async function savedByTfjs(model: tf.LayersModel): Promise<{ modelJson: Record<string, unknown>; weightData: ArrayBuffer }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved!;
  const modelJson = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  // Through JSON text, as it would be read from a file.
  return { modelJson: JSON.parse(JSON.stringify(modelJson)) as Record<string, unknown>, weightData: a.weightData as ArrayBuffer };
}

describe('a model built and trained in TensorFlow.js → import → the same predictions', () => {
  const x = randomMatrix(48, 5, 21, -2, 2);
  let trained: {
    modelJson: Record<string, unknown>;
    weightData: ArrayBuffer;
    expected: Float32Array;
    unbiased: { modelJson: Record<string, unknown>; weightData: ArrayBuffer; expected: Float32Array };
  };

  beforeAll(async () => {
    // Every layer kind the import reads: Dense activations, an Activation layer, LeakyReLU, ReLU, Dropout, Softmax.
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5], units: 8, activation: 'tanh' }),
        tf.layers.dense({ units: 7 }),
        tf.layers.leakyReLU({ alpha: 0.01 }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 6 }),
        tf.layers.activation({ activation: 'sigmoid' }),
        tf.layers.dense({ units: 6 }),
        tf.layers.reLU(),
        tf.layers.dense({ units: 3 }),
        tf.layers.softmax(),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.3), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols]);
    const y = oneHotRows(48, 3, 4);
    const ys = tf.tensor2d(Float32Array.from(y.data), [y.rows, y.cols]);
    await model.fit(xs, ys, { epochs: 5, batchSize: 8, shuffle: false, verbose: 0 });
    const plain = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [5], units: 4, activation: 'relu', useBias: false }), tf.layers.dense({ units: 2, activation: 'linear' })],
    });
    trained = { ...(await savedByTfjs(model)), expected: tfjsPredict(model, x), unbiased: { ...(await savedByTfjs(plain)), expected: tfjsPredict(plain, x) } };
    for (const t of [xs, ys]) t.dispose();
    model.dispose();
    plain.dispose();
  });

  for (const c of CONFIGURATIONS) {
    it(c.name, async () => {
      const net = await fromTfjs(trained.modelJson, trained.weightData, { ...c.options });
      try {
        expect(net.layers).toEqual([5, 8, 7, 6, 6, 3]);
        expect(net.activations).toEqual(['tanh', 'leaky-relu', 'sigmoid', 'relu', 'softmax']);
        expect(net.loss).toBe('cross-entropy');
        expect(relErr(net.predictMatrix(x).data, trained.expected)).toBeLessThanOrEqual(TOLERANCE);
      } finally {
        net.dispose();
      }
    });
  }

  it('a Dense layer without bias gets zero biases', async () => {
    const { modelJson, weightData, expected } = trained.unbiased;
    const read = readTfjs(modelJson, weightData);
    expect(read.options).toEqual({ layers: [5, 4, 2], activations: ['relu', 'linear'], loss: 'mse' });
    const net = await fromTfjs(modelJson, weightData, { engine: 'js' });
    expect(net.getParameters().biases[0]).toEqual([0, 0, 0, 0]);
    expect(relErr(net.predictMatrix(x).data, expected)).toBeLessThanOrEqual(TOLERANCE);
    net.dispose();
  });
});

describe('model.json as other writers lay it out', () => {
  it("the Python converter's nesting (model_config), an InputLayer with Keras 3's batch_shape, scoped weight names, weights in a list of buffers", async () => {
    const net = await ENGINE_CASES[4].create({ layers: [3, 4, 2], activations: ['leaky-relu', 'sigmoid'], seed: 8 });
    const { modelJson, weightData } = toTfjs(net);
    const layers = modelJson.modelTopology.config.layers.map((l) => {
      const { batch_input_shape: _, ...config } = l.config;
      return { ...l, config: l.class_name === 'LeakyReLU' ? { name: config.name, negative_slope: 0.009999999776482582 } : config };
    });
    const converted = {
      format: 'layers-model',
      modelTopology: {
        keras_version: '3.5.0',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Sequential',
          config: { name: 'sequential', layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 3], name: 'input_layer' } }, ...layers] },
        },
      },
      weightsManifest: [
        { paths: ['group1-shard1of1.bin'], weights: modelJson.weightsManifest[0].weights.map((w) => ({ ...w, name: `sequential/${w.name}` })) },
      ],
    };
    const read = readTfjs(JSON.stringify(converted), [weightData.slice(0, 20), weightData.slice(20)]);
    expect(read.options).toEqual({ layers: [3, 4, 2], activations: ['leaky-relu', 'sigmoid'], loss: 'mse' });
    expect(read.flat).toEqual(Float64Array.from(net.getFlatParameters()));
    net.dispose();
  });
});

describe('files and the command line', () => {
  it('saveTfjs writes model.json and weights.bin that loadTfjs reads back to the same float32 parameters', async () => {
    const net = await ENGINE_CASES[1].create({ layers: [4, 6, 3], activations: ['leaky-relu', 'softmax'], loss: 'cross-entropy', seed: 9 });
    const paths = await saveTfjs(join(dir, 'saved'), net);
    expect(JSON.parse(readFileSync(paths.modelJson, 'utf8')).format).toBe('layers-model');
    const read = await loadTfjs(paths.modelJson);
    expect(read.flat).toEqual(Float64Array.from(net.getFlatParameters(), Math.fround));
    expect(read.options).toEqual({ layers: [4, 6, 3], activations: ['leaky-relu', 'softmax'], loss: 'cross-entropy' });
    net.dispose();
  });

  it('weights split over several files in manifest order', async () => {
    const net = await ENGINE_CASES[1].create({ layers: [3, 2, 2], seed: 4 });
    const { modelJson, weightData } = toTfjs(net);
    const [kernel0, ...rest] = modelJson.weightsManifest[0].weights;
    const folder = mkdtempSync(join(dir, 'split-'));
    modelJson.weightsManifest = [
      { paths: ['part1.bin'], weights: [kernel0] },
      { paths: ['part2.bin'], weights: rest },
    ];
    writeFileSync(join(folder, 'part1.bin'), new Uint8Array(weightData, 0, 24));
    writeFileSync(join(folder, 'part2.bin'), new Uint8Array(weightData, 24));
    writeFileSync(join(folder, 'model.json'), JSON.stringify(modelJson));
    const artifacts = await loadTfjsArtifacts(join(folder, 'model.json'));
    expect(new Uint8Array(artifacts.weightData)).toEqual(new Uint8Array(weightData));
    net.dispose();
  });

  it('export --format tfjs, then import, gives a model file that predicts the same', async () => {
    const net = await ENGINE_CASES[4].create({ layers: [4, 5, 3], activations: ['relu', 'softmax'], loss: 'cross-entropy', seed: 7 });
    const data = { task: 'classification' as const, classes: ['a', 'b', 'c'] };
    const file = join(dir, 'cli-model.json');
    await saveModel(file, net, { data });
    await exportCommand(file, { format: 'tfjs', out: join(dir, 'cli-tfjs') });
    await importCommand(join(dir, 'cli-tfjs', 'model.json'), { out: join(dir, 'cli-back.json'), engine: 'js' });
    const back = JSON.parse(readFileSync(join(dir, 'cli-back.json'), 'utf8'));
    expect(back.architecture).toEqual({ layers: [4, 5, 3], activations: ['relu', 'softmax'], inputLayer: 'identity', loss: 'cross-entropy' });
    expect(back.data).toEqual(data);
    const x = randomMatrix(10, 4, 2);
    const { modelJson, weightData } = await loadTfjsArtifacts(join(dir, 'cli-tfjs', 'model.json'));
    const imported = await fromTfjs(modelJson, weightData, { engine: 'js' });
    expect(relErr(imported.predictMatrix(x).data, net.predictMatrix(x).data)).toBeLessThanOrEqual(TOLERANCE);
    imported.dispose();
    net.dispose();
  });
});

describe('metadata', () => {
  it("import checks the data kept in userDefinedMetadata as a model file's, naming the field", async () => {
    const net = await ENGINE_CASES[4].create({ layers: [3, 2], activations: ['softmax'], loss: 'cross-entropy' });
    const folder = join(dir, 'bad-metadata');
    await saveTfjs(folder, toModel(net, { data: { task: 'classification', classes: ['a', 'b'] } }));
    net.dispose();
    const file = join(folder, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as TfjsModelJson;
    (json.userDefinedMetadata!['wasm-backprop'] as { data: { classes: string[] } }).data.classes = ['a', 'a'];
    writeFileSync(file, JSON.stringify(json));
    await expect(importCommand(file, { out: join(dir, 'never.json'), engine: 'js' })).rejects.toThrow(
      `${file}: userDefinedMetadata['wasm-backprop'].data.classes[1] repeats 'a'`,
    );
    // Read by the library too (loadTfjs, readTfjs): a scaling of one column for 3 inputs was taken.
    const meta = json.userDefinedMetadata!['wasm-backprop'] as { data: object };
    meta.data = { scaling: { kind: 'custom', offset: [0], scale: [1] } };
    writeFileSync(file, JSON.stringify(json));
    await expect(loadTfjs(file)).rejects.toThrow(
      `${file}: userDefinedMetadata['wasm-backprop'].data.scaling.offset must have 3 entries (one per input), got an array of length 1`,
    );
  });
});

describe('one clear error for each unsupported export and malformed model', () => {
  let good: { modelJson: TfjsModelJson; weightData: ArrayBuffer };
  beforeAll(async () => {
    const net = await ENGINE_CASES[1].create({ layers: [3, 4, 2], activations: ['leaky-relu', 'sigmoid'] });
    good = toTfjs(net);
    net.dispose();
  });
  const edited = (edit: (m: TfjsModelJson) => void): TfjsModelJson => {
    const m = JSON.parse(JSON.stringify(good.modelJson)) as TfjsModelJson;
    edit(m);
    return m;
  };
  const layer = (m: TfjsModelJson, i: number) => m.modelTopology.config.layers[i];

  it('the activated input layer is refused by name', async () => {
    const net = await ENGINE_CASES[1].create({ layers: [3, 2], inputLayer: 'activated', inputActivation: 'tanh' });
    expect(() => toTfjs(net)).toThrow(
      /activated input layer \(inputLayer 'activated': a_0 = tanh\(x \+ b_in\)\) has no TF\.js Layers equivalent; export to ONNX/,
    );
    net.dispose();
  });

  it('a disposed network, a value that is not a network, an unknown option', async () => {
    const net = await ENGINE_CASES[1].create({ layers: [3, 2] });
    net.dispose();
    expect(() => toTfjs(net)).toThrow(/disposed/);
    expect(() => toTfjs({} as never)).toThrow(/not a wasm-backprop model/);
    expect(() => toTfjs(good as never)).toThrow(/not a wasm-backprop model/);
    const live = await ENGINE_CASES[1].create({ layers: [3, 2] });
    expect(() => toTfjs(live, { weightPath: 'w.bin' } as never)).toThrow("unknown option 'weightPath' (known: weightsPath)");
    live.dispose();
  });

  it('an f64 parameter beyond float32 is named', async () => {
    const net = await ENGINE_CASES[1].create({ layers: [2, 2] });
    const p = net.getParameters();
    p.weights[0][1][0] = 1e300;
    net.setParameters(p);
    expect(() => toTfjs(net)).toThrow('weights[0][1][0] = 1e+300 does not fit in float32, the only precision of TF.js');
    net.dispose();
  });

  const cases: [string, () => unknown, string | RegExp][] = [
    ['text that is not JSON', () => readTfjs('{"format": ', good.weightData), /^model\.json is not JSON/],
    [
      'a graph model',
      () => readTfjs({ ...good.modelJson, format: 'graph-model' }, good.weightData),
      "model.json: format 'graph-model'; only TF.js Layers models ('layers-model') can be imported, not graph models",
    ],
    [
      'a model file of this library',
      () => readTfjs({ format: 'wasm-backprop-model', version: 1 }, good.weightData),
      'model.json: this is a wasm-backprop model file already; use it as it is (predict, evaluate, train --resume)',
    ],
    [
      'a topology without a model class',
      () => readTfjs({ ...good.modelJson, modelTopology: {} }, good.weightData),
      'model.json: modelTopology names no model class (class_name); only Sequential models of Dense layers can be imported',
    ],
    [
      'a functional model',
      () =>
        readTfjs(
          edited((m) => ((m.modelTopology as { class_name: string }).class_name = 'Model')),
          good.weightData,
        ),
      "model.json: the model is a 'Model'; only Sequential models of Dense layers can be imported",
    ],
    [
      'a Conv2D layer',
      () =>
        readTfjs(
          edited((m) => m.modelTopology.config.layers.splice(1, 0, { class_name: 'Conv2D', config: { name: 'conv2d_1' } })),
          good.weightData,
        ),
      "model.json: layer 2 'conv2d_1' (Conv2D): Conv2D layers cannot be imported (only Dense, Activation, LeakyReLU, ReLU, Softmax, Dropout and InputLayer)",
    ],
    [
      'an activation without equivalent',
      () =>
        readTfjs(
          edited((m) => (layer(m, 2).config.activation = 'elu')),
          good.weightData,
        ),
      /layer 3 'dense_2' \(Dense\): activation 'elu' has no equivalent here/,
    ],
    [
      "LeakyReLU with Keras' default slope",
      () =>
        readTfjs(
          edited((m) => delete layer(m, 1).config.alpha),
          good.weightData,
        ),
      /LeakyReLU without alpha has Keras' default slope 0\.3; this library's leaky-relu has slope 0\.01/,
    ],
    [
      'LeakyReLU with another slope',
      () =>
        readTfjs(
          edited((m) => (layer(m, 1).config.alpha = 0.2)),
          good.weightData,
        ),
      /layer 2 'leaky_re_lu_1' \(LeakyReLU\): LeakyReLU with alpha 0\.2/,
    ],
    [
      'softmax in a hidden layer',
      () =>
        readTfjs(
          edited((m) => m.modelTopology.config.layers.splice(1, 1, { class_name: 'Softmax', config: { name: 's' } })),
          good.weightData,
        ),
      /'dense_1' \(Dense\): softmax in a hidden layer/,
    ],
    [
      'an image input',
      () =>
        readTfjs(
          edited((m) => (layer(m, 0).config.batch_input_shape = [null, 28, 28])),
          good.weightData,
        ),
      /input shape \[null,28,28\] is not \[batch, features\]/,
    ],
    [
      'a missing weight',
      () =>
        readTfjs(
          edited((m) => (m.weightsManifest[0].weights[3].name = 'other/bias')),
          good.weightData,
        ),
      "model.json: layer 3 'dense_2' (Dense): its bias 'dense_2/bias' is not in the weights manifest",
    ],
    [
      'a kernel of the wrong shape',
      () =>
        readTfjs(
          edited((m) => (m.weightsManifest[0].weights[0].shape = [4, 3])),
          good.weightData,
        ),
      "model.json.weightsManifest[0].weights[0] ('dense_1/kernel'): shape [4, 3], expected [3, 4] (inputs, units)",
    ],
    [
      'weight data too short',
      () => readTfjs(good.modelJson, good.weightData.slice(4)),
      /^model\.json: the manifest's weights take 104 bytes, the weight data has 100$/,
    ],
    [
      'quantized weights',
      () =>
        readTfjs(
          edited((m) => (m.weightsManifest[0].weights[0].quantization = { dtype: 'uint8' })),
          good.weightData,
        ),
      /\('dense_1\/kernel'\) is quantized: only float32 weights can be imported/,
    ],
    [
      'a layer without its class_name',
      () =>
        readTfjs(
          edited((m) => delete (layer(m, 0) as Partial<ReturnType<typeof layer>>).class_name),
          good.weightData,
        ),
      /^model\.json: layer 1 '\w+' has no class_name \(its kind: Dense, Activation, …\)$/,
    ],
    [
      'a Dense layer without units',
      () =>
        readTfjs(
          edited((m) => delete (layer(m, 0).config as { units?: number }).units),
          good.weightData,
        ),
      /^model\.json: layer 1 '\w+' \(Dense\): its config has no units \(the number of neurons\)$/,
    ],
    [
      'a float16 weight',
      () =>
        readTfjs(
          edited((m) => (m.weightsManifest[0].weights[1].dtype = 'float16')),
          good.weightData,
        ),
      /\('dense_1\/bias'\) has dtype 'float16': only float32 weights/,
    ],
    [
      'a layer of a billion units',
      () =>
        readTfjs(
          edited((m) => (layer(m, 2).config.units = 1e9)),
          good.weightData,
        ),
      /^model\.json: the model's layers\[2\] must be between 1 and 65536, got 1000000000$/,
    ],
    [
      'a non-finite weight',
      () => readTfjs(good.modelJson, new Float32Array(new Float32Array(good.weightData).map((v, i) => (i === 5 ? NaN : v))).buffer),
      "model.json: weight 'dense_1/kernel' [5] is NaN; every value must be finite",
    ],
  ];
  for (const [name, run, message] of cases) {
    it(name, () => {
      expect(run).toThrow(message);
    });
  }

  it('a missing weight file is named with its path', async () => {
    const folder = mkdtempSync(join(dir, 'missing-'));
    writeFileSync(join(folder, 'model.json'), JSON.stringify(good.modelJson));
    await expect(loadTfjs(join(folder, 'model.json'))).rejects.toThrow(`${join(folder, 'weights.bin')}: no such file`);
    writeFileSync(join(folder, 'model.json'), JSON.stringify({ ...good.modelJson, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }));
    await expect(loadTfjs(join(folder, 'model.json'))).rejects.toThrow("weight file '../../etc/passwd' is not a path inside model.json's folder");
  });
});
