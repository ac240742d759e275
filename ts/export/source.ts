/**
 * What an exporter reads from a network or a model file: the architecture, the parameters in the
 * flat layout (ts/parameters.ts) and the precision, with what the model file knows of the data.
 * Pure, no Node imports: the TF.js exporter that browser apps bundle reads through it.
 */
import { fail, show } from '../errors.js';
import { checkModel, type Model, type ModelData } from '../model.js';
import { decodeNumbers } from '../encoding.js';
import { Network } from '../network.js';
import { Layout, type Architecture } from '../parameters.js';
import type { LossName, Precision } from '../types.js';

/** A network as an exporter sees it. */
export interface ExportSource {
  arch: Architecture;
  layout: Layout;
  /** [W_0 | b_0 | … | b_in]; W_l is row-major n_{l+1} × n_l (row = destination neuron). */
  flat: Float64Array;
  precision: Precision;
  data?: ModelData;
}

/** The network, or the model file's network, to export; `what` names the call in errors. */
export function exportSource(source: Network | Model, what: string): ExportSource {
  if (source instanceof Network) {
    const flat = source.getFlatParameters(); // throws on a disposed network
    const layout = source.engineInstance.layout;
    return { arch: layout.arch, layout, flat, precision: source.precision };
  }
  if (typeof source !== 'object' || source === null) fail(`${what} needs a Network or a model (toModel, loadModel), got ${show(source)}`);
  const model = checkModel(source);
  const a = model.architecture;
  const inputActivated = a.inputLayer === 'activated';
  const arch: Architecture = {
    sizes: a.layers,
    activations: [inputActivated ? (a.inputActivation ?? 'sigmoid') : 'sigmoid', ...a.activations],
    inputActivated,
    loss: a.loss,
  };
  const layout = new Layout(arch);
  const p = model.parameters;
  const flat = decodeNumbers(p.base64, p.dtype, layout.length, 'model.parameters', 'parameters');
  return { arch, layout, flat, precision: model.options.precision, ...(model.data ? { data: model.data } : {}) };
}

/** W_l (row-major n_{l+1} × n_l) and b_l of connection l, as views of the flat parameters. */
export function layerParameters(s: ExportSource, l: number): { weights: Float64Array; biases: Float64Array; inputs: number; outputs: number } {
  const n = s.arch.sizes;
  const w = s.layout.weightOffsets[l];
  const b = s.layout.biasOffsets[l];
  return { weights: s.flat.subarray(w, w + n[l + 1] * n[l]), biases: s.flat.subarray(b, b + n[l + 1]), inputs: n[l], outputs: n[l + 1] };
}

/** The input biases b_in of an activated input layer. */
export function inputBiases(s: ExportSource): Float64Array {
  return s.flat.subarray(s.layout.inputBiasOffset, s.layout.inputBiasOffset + s.arch.sizes[0]);
}

/** What an exported file records for this library beside the network: the loss it trained with and the model's data. */
export interface ExportMetadata {
  loss: LossName;
  data?: ModelData;
}

/** The key under which exported files keep `ExportMetadata` (TF.js userDefinedMetadata, ONNX metadata_props). */
export const METADATA_KEY = 'wasm-backprop';

export function exportMetadata(s: ExportSource): ExportMetadata {
  return { loss: s.arch.loss, ...(s.data ? { data: s.data } : {}) };
}
