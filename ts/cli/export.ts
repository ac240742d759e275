/**
 * `wasm-backprop export <model> --format tfjs|onnx --out <path>`: a model file as a TensorFlow.js
 * Layers model (a folder holding model.json and weights.bin) or as an ONNX model (one file). The
 * formats: docs/export.md.
 */
import { stat } from 'node:fs/promises';
import { ArgumentError, fail } from '../errors.js';
import { loadModel, saveOnnx, saveTfjs, ONNX_OPSET } from '../node/index.js';
import { join } from 'node:path';
import { notRead, outputFile } from './files.js';

export const EXPORT_FORMATS = ['tfjs', 'onnx'] as const;

export interface ExportOptions {
  format: (typeof EXPORT_FORMATS)[number];
  out: string;
}

/** Errors of the exporters name the call (toTfjs: …); on the command line they name the model file. */
function inModel(path: string, e: unknown): unknown {
  if (!(e instanceof ArgumentError)) return e;
  return new ArgumentError(`${path}: ${e.message.replace(/^(toTfjs|toOnnx|saveTfjs|saveOnnx): /, '')}`, { cause: e });
}

export async function exportCommand(modelPath: string, o: ExportOptions): Promise<void> {
  const model = await loadModel(modelPath);
  // Neither writes over the model it reads (a model.json exported as TF.js into its own folder).
  const reads = [['the model being read', modelPath]] as const;
  if (o.format === 'tfjs') {
    if ((await stat(o.out).catch(() => null))?.isFile()) fail(`--out ${o.out} is a file: --format tfjs writes a folder (model.json and weights.bin)`);
    for (const file of ['model.json', 'weights.bin']) await notRead(join(o.out, file), '--out', reads);
  }
  const onnxPath = o.format === 'onnx' ? await outputFile(o.out, '--out', 'model.onnx', 'model.onnx', reads) : '';
  const layers = model.architecture.layers.join('-');
  const kind = model.parameters.dtype;
  try {
    if (o.format === 'tfjs') {
      const written = await saveTfjs(o.out, model);
      console.error(`${layers} network written as a TF.js Layers model: ${written.modelJson} and ${written.weights} (float32)`);
    } else {
      const bytes = await saveOnnx(onnxPath, model);
      console.error(`${layers} network written as ONNX (opset ${ONNX_OPSET}, ${kind}, input 'input', output 'output'): ${onnxPath}, ${bytes.length} bytes`);
    }
  } catch (e) {
    throw inModel(modelPath, e);
  }
}
