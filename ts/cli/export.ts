/**
 * `wasm-backprop export <model> --format tfjs|onnx --out <path>`: a model file as a TensorFlow.js
 * Layers model (a folder holding model.json and weights.bin) or as an ONNX model (one file). The
 * formats: docs/export.md.
 */
import { ArgumentError } from '../errors.js';
import { loadModel, saveOnnx, saveTfjs, ONNX_OPSET } from '../node/index.js';
import { outputFile } from './files.js';

export const EXPORT_FORMATS = ['tfjs', 'onnx'] as const;

export interface ExportOptions {
  format: (typeof EXPORT_FORMATS)[number];
  out: string;
}

/** Errors of the exporters name the call (toTfjs: …); on the command line they name the model file. */
function inModel(path: string, e: unknown): unknown {
  if (!(e instanceof ArgumentError)) return e;
  return new ArgumentError(`${path}: ${e.message.replace(/^(toTfjs|toOnnx): /, '')}`, { cause: e });
}

export async function exportCommand(modelPath: string, o: ExportOptions): Promise<void> {
  const model = await loadModel(modelPath);
  const layers = model.architecture.layers.join('-');
  const kind = model.parameters.dtype;
  try {
    if (o.format === 'tfjs') {
      const written = await saveTfjs(o.out, model);
      console.error(`${layers} network written as a TF.js Layers model: ${written.modelJson} and ${written.weights} (float32)`);
    } else {
      const path = await outputFile(o.out, '--out', 'model.onnx', 'model.onnx');
      const bytes = await saveOnnx(path, model);
      console.error(`${layers} network written as ONNX (opset ${ONNX_OPSET}, ${kind}, input 'input', output 'output'): ${path}, ${bytes.length} bytes`);
    }
  } catch (e) {
    throw inModel(modelPath, e);
  }
}
