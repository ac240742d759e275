/**
 * `wasm-backprop import <model.json> --out <model>`: a TensorFlow.js Layers model (a Sequential of
 * Dense layers; docs/export.md) as a model file of this library, which predict, evaluate, info and
 * train --resume then use.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Network } from '../network.js';
import { loadTfjsArtifacts } from '../export/node.js';
import { readTfjs } from '../export/tfjs.js';
import { saveModel } from '../node/index.js';
import type { EngineName, Precision } from '../types.js';
import { notRead, outputFile } from './files.js';

export interface ImportOptions {
  out: string;
  engine: EngineName;
  precision?: Precision;
}

export async function importCommand(path: string, o: ImportOptions): Promise<void> {
  const file = (await stat(path).catch(() => null))?.isDirectory() ? join(path, 'model.json') : path;
  const imported = 'the TF.js model being imported';
  const out = await outputFile(o.out, '--out', 'model.json', undefined, [[imported, file]]);
  const { modelJson, weightData } = await loadTfjsArtifacts(file);
  const read = readTfjs(modelJson, weightData, file);
  // Nor one of its weight files (the manifest, checked by readTfjs, names them beside model.json).
  await notRead(
    out,
    '--out',
    modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => [`a weight file of ${imported}`, join(dirname(file), p)] as const)),
  );
  const net = await Network.create({ ...read.options, engine: o.engine, ...(o.precision ? { precision: o.precision } : {}) });
  try {
    net.setFlatParameters(read.flat);
    await saveModel(out, net, read.data ? { data: read.data } : {}); // read.data checked by readTfjs
    const { layers, activations, loss } = read.options;
    console.error(`${file}: ${layers.join('-')} network (${activations.join(', ')}; loss ${loss}) written to ${out}`);
  } finally {
    net.dispose();
  }
}
