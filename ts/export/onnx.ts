/**
 * ONNX export (docs/export.md): a network as an ONNX model, opset 13 (IR version 7), that
 * onnxruntime runs in any language it serves. Entry `wasm-backprop/onnx` (and `wasm-backprop/node`);
 * not reachable from the package entry, because it needs protobufjs.
 *
 * The graph, for layers n_0 … n_L, input `input` [batch, n_0] and output `output` [batch, n_L]:
 *
 *     activated input layer only:  z0 = Add(input, b_in)          a0 = f_0(z0)
 *     every connection l:          z{l+1} = Gemm(a_l, W_l, b_l, transB = 1)     a{l+1} = f_{l+1}(z{l+1})
 *
 * Gemm with transB = 1 computes A·Bᵀ + C, so W_l is written as this library keeps it: n_{l+1} × n_l,
 * a row per destination neuron. Activations: Sigmoid, Tanh, Relu, Softmax (axis 1), nothing for
 * linear, and LeakyRelu (alpha 0.01) in f32. LeakyRelu's alpha is a float32 attribute, so f64
 * networks write leaky-relu as Max(z, Mul(z, 0.01)) with a double constant instead: the slope
 * stays 0.01 exactly. Tensors are FLOAT for f32 networks and DOUBLE for f64 ones, so an f64 network
 * keeps every bit of its parameters. The loss and the model file's data (scaling, classes) are kept
 * as JSON in metadata_props under the key 'wasm-backprop'.
 */
import protobuf from 'protobufjs/light.js';
import { fail } from '../errors.js';
import { checkOptionNames } from '../options.js';
import { LIBRARY, type Model } from '../model.js';
import type { Network } from '../network.js';
import { LEAKY_SLOPE } from '../engines/math.js';
import type { ActivationName } from '../types.js';
import { ONNX_ATTRIBUTE, ONNX_DOUBLE, ONNX_FLOAT, ONNX_SCHEMA } from './onnx-schema.js';
import { exportMetadata, exportSource, inputBiases, layerParameters, METADATA_KEY } from './source.js';

/** The ONNX operator set the graph is written against, and the IR version that goes with it. */
export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;
/** protobuf's limit on a message, so on an ONNX file without external data (2 GiB less a margin for the graph). */
const MAX_PROTOBUF_BYTES = 2 ** 31 - 2 ** 20;

export interface OnnxExportOptions {
  /** The graph's name. Default 'wasm-backprop'. */
  name?: string;
}

let modelType: protobuf.Type | null = null;

/** The ModelProto message type, built once from the shipped descriptor. */
function modelProto(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

interface Node {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute?: { name: string; type: number; f?: number; i?: number }[];
}

/** The little-endian bytes of `values` as FLOAT or DOUBLE. */
function rawData(values: ArrayLike<number>, double: boolean, what: (i: number) => string): Uint8Array {
  const size = double ? 8 : 4;
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (double) view.setFloat64(i * 8, values[i], true);
    else {
      const f = Math.fround(values[i]);
      if (!Number.isFinite(f)) fail(`toOnnx: ${what(i)} = ${values[i]} does not fit in float32`);
      view.setFloat32(i * 4, f, true);
    }
  }
  return bytes;
}

/** A network (or a model file's network) as the bytes of an ONNX model (see the file's comment for the graph). */
export function toOnnx(source: Network | Model, options: OnnxExportOptions = {}): Uint8Array {
  checkOptionNames(options, ['name'], 'toOnnx options');
  const graphName = options.name ?? 'wasm-backprop';
  if (typeof graphName !== 'string' || graphName === '') fail(`toOnnx options.name must be a non-empty string`);
  const s = exportSource(source, 'toOnnx');
  const double = s.precision === 'f64';
  const bytes = s.layout.length * (double ? 8 : 4);
  if (bytes > MAX_PROTOBUF_BYTES) {
    fail(`toOnnx: the ${s.layout.length} parameters take ${bytes} bytes, beyond the 2 GB a protobuf message (one ONNX file) can hold`);
  }
  const elemType = double ? ONNX_DOUBLE : ONNX_FLOAT;
  const initializer: { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }[] = [];
  const nodes: Node[] = [];
  const tensor = (name: string, dims: number[], values: ArrayLike<number>, what: (i: number) => string) => {
    initializer.push({ name, dims, data_type: elemType, raw_data: rawData(values, double, what) });
    return name;
  };
  const L = s.layout.depth;
  const last = (l: number) => l === L;
  /** f applied to `z`, the value of layer l; returns the name of a_l. */
  const activate = (f: ActivationName, z: string, l: number): string => {
    const a = last(l) ? 'output' : `a${l}`;
    const node = (op: string, input: string[], output = a, attribute?: Node['attribute']) =>
      nodes.push({ input, output: [output], name: `${op.toLowerCase()}_${l}`, op_type: op, ...(attribute ? { attribute } : {}) });
    switch (f) {
      case 'linear':
        return z; // Gemm's (or Add's) output is a_l itself; see the naming below
      case 'sigmoid':
        node('Sigmoid', [z]);
        break;
      case 'tanh':
        node('Tanh', [z]);
        break;
      case 'relu':
        node('Relu', [z]);
        break;
      case 'softmax':
        node('Softmax', [z], a, [{ name: 'axis', type: ONNX_ATTRIBUTE.INT, i: 1 }]);
        break;
      case 'leaky-relu':
        if (!double) node('LeakyRelu', [z], a, [{ name: 'alpha', type: ONNX_ATTRIBUTE.FLOAT, f: LEAKY_SLOPE }]);
        else {
          // max(z, 0.01·z) is z for z > 0 and 0.01·z below: leaky-relu with a double slope.
          const slope = initializer.some((t) => t.name === 'leaky_slope') ? 'leaky_slope' : tensor('leaky_slope', [], [LEAKY_SLOPE], () => 'slope');
          node('Mul', [z, slope], `${z}_scaled`);
          node('Max', [z, `${z}_scaled`]);
        }
        break;
    }
    return a;
  };
  // A linear layer's value is its pre-activation: name it a_l (or 'output') where it is produced.
  const valueName = (l: number, f: ActivationName) => (f === 'linear' ? (last(l) ? 'output' : `a${l}`) : `z${l}`);

  let a = 'input';
  if (s.arch.inputActivated) {
    const f0 = s.arch.activations[0];
    const b = tensor('b_in', [s.arch.sizes[0]], inputBiases(s), (j) => `inputBiases[${j}]`);
    const z = valueName(0, f0);
    nodes.push({ input: [a, b], output: [z], name: 'add_0', op_type: 'Add' });
    a = activate(f0, z, 0);
  }
  for (let l = 0; l < L; l++) {
    const { weights, biases, inputs, outputs } = layerParameters(s, l);
    const f = s.arch.activations[l + 1];
    const w = tensor(`W${l}`, [outputs, inputs], weights, (i) => `weights[${l}][${Math.floor(i / inputs)}][${i % inputs}]`);
    const b = tensor(`b${l}`, [outputs], biases, (k) => `biases[${l}][${k}]`);
    const z = valueName(l + 1, f);
    nodes.push({ input: [a, w, b], output: [z], name: `gemm_${l + 1}`, op_type: 'Gemm', attribute: [{ name: 'transB', type: ONNX_ATTRIBUTE.INT, i: 1 }] });
    a = activate(f, z, l + 1);
  }
  const valueInfo = (name: string, n: number) => ({
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: [{ dim_param: 'batch' }, { dim_value: n }] } } },
  });
  const type = modelProto();
  const message = type.fromObject({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ version: ONNX_OPSET }], // no domain: the default ONNX operator set
    producer_name: LIBRARY.library,
    producer_version: LIBRARY.version,
    graph: {
      name: graphName,
      node: nodes,
      initializer,
      input: [valueInfo('input', s.arch.sizes[0])],
      output: [valueInfo('output', s.arch.sizes[L])],
    },
    metadata_props: [{ key: METADATA_KEY, value: JSON.stringify(exportMetadata(s)) }],
  });
  return type.encode(message).finish();
}
