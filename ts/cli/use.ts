/**
 * Using a model file from the command line: `predict` (classes with their probabilities, or
 * values, as CSV), `evaluate` (the held-out summary on labelled data) and `info`. Raw data is
 * prepared as training prepared it: the model's scaling, its classes, its label column left out.
 */
import { once } from 'node:events';
import { scaleInPlace, unscaleInPlace, type FeatureScaling } from '../scaling.js';
import { plural } from '../columns.js';
import { fail, listed } from '../errors.js';
import { loadNetwork, type Model } from '../model.js';
import { loadModel } from '../node/index.js';
import { readCsvDataset, readCsvFeatures, readCsvHeader, type CsvHeader } from '../node/csv.js';
import { descriptorOf, writeAtomically, writeError } from '../node/files.js';
import { dataFile, outputFile } from './files.js';
import { finiteOutputs, summarize } from './summary.js';
import { inModelOrder, modelLabel, namedInputs } from './inputs.js';

interface DataOptions {
  delimiter?: string;
  /** --header / --no-header: whether line 1 is a header (default: decided by whether it is text). */
  header?: boolean;
}

/**
 * Line 1 of a data file, and whether it is a header: as --header / --no-header say; else a header
 * where it is text, or where it names every one of the model's inputs (names that are numbers, as
 * '1,2,label', read as data otherwise, and line 1 was predicted on).
 */
async function dataHead(model: Model, path: string, o: DataOptions): Promise<CsvHeader> {
  const head: CsvHeader = await readCsvHeader(path, { delimiter: o.delimiter, header: o.header });
  const named = namedInputs(model);
  if (o.header === undefined && !head.header && named !== null && named.every((f) => head.fields.includes(f))) head.header = true;
  return head;
}

/** Names a message lists before "and N more" (a digits model has 64 inputs). */
const NAMES_SHOWN = 8;

function scalingOf(model: Model): FeatureScaling {
  return (model.data?.scaling as FeatureScaling | undefined) ?? { kind: 'none' };
}

/**
 * The column of a file to leave out (its label), if it has one beside the model's inputs. With a
 * header and a model that names its inputs, the columns are found by name, in any order; else by
 * position, the inputs first.
 */
function columnToDrop(model: Model, fields: string[], header: boolean, path: string): string | number | null {
  const inputs = model.architecture.layers[0];
  const named = header ? namedInputs(model) : null;
  if (named) {
    const missing = named.filter((f) => !fields.includes(f));
    if (missing.length === named.length)
      fail(`${path}: none of the model's inputs (${listed(named, NAMES_SHOWN)}) is a column of this file (its columns: ${listed(fields, NAMES_SHOWN)})`);
    if (missing.length > 0)
      fail(
        `${path}: no column${missing.length > 1 ? 's' : ''} ${listed(
          missing.map((f) => `'${f}'`),
          NAMES_SHOWN,
        )} (the model's inputs are ${listed(named, NAMES_SHOWN)})`,
      );
    const other = fields.filter((f) => !named.includes(f));
    if (other.length > 1)
      fail(
        `${path}: the columns ${listed(
          other.map((f) => `'${f}'`),
          NAMES_SHOWN,
        )} are not the model's inputs (${listed(named, NAMES_SHOWN)}); one other column, the label, can be left out`,
      );
    return other[0] ?? null;
  }
  if (fields.length === inputs) return null;
  if (fields.length !== inputs + 1) {
    fail(`${path}: line 1 has ${fields.length} fields; the model takes ${inputs} inputs (and the file may add its label column)`);
  }
  const label = modelLabel(model, fields.length, header);
  return label !== undefined && (typeof label === 'number' || fields.includes(label)) ? label : fields.length - 1;
}

/**
 * Resolves when stdout takes writes again, or fails: the reader closed its pipe (EPIPE), or another
 * error, which ts/cli.ts reports (and then drops what is left to print).
 */
async function drained(): Promise<void> {
  await once(process.stdout, 'drain').catch(() => undefined);
}

/** Writes lines to stdout, waiting when it asks to, or to the file `path` (atomically: see ../node/files.ts). */
async function writeLines(path: string | undefined, lines: Iterable<string>): Promise<void> {
  const chunks = function* (): Generator<string> {
    let chunk = '';
    for (const line of lines) {
      chunk += line + '\n';
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  };
  if (path) {
    await writeAtomically([
      [
        path,
        async (write) => {
          for (const chunk of chunks()) await write(chunk);
        },
      ],
    ]).catch((e: unknown) => fail(`--out ${writeError(path, e).message}`));
    return;
  }
  for (const chunk of chunks()) {
    if (!process.stdout.write(chunk)) await drained();
    if (process.stdout.destroyed) return; // the reader closed the pipe (head): nothing more to print
  }
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export async function predict(modelPath: string, dataSpec: string, o: DataOptions & { out?: string }): Promise<void> {
  const dataPath = dataFile(dataSpec);
  const model = await loadModel(modelPath);
  const head = await dataHead(model, dataPath, o);
  const drop = columnToDrop(model, head.fields, head.header, dataPath);
  const data = await readCsvFeatures(dataPath, { delimiter: head.delimiter, header: head.header, drop });
  data.x = inModelOrder(model, data.x, data.featureNames, data.header, dataPath);
  scaleInPlace(data.x, scalingOf(model));
  const net = await loadNetwork(model);
  try {
    const out = net.predictMatrix(data.x);
    finiteOutputs(out, dataPath);
    const classification = model.data?.task !== 'regression' && (model.data?.classes !== undefined || net.activations.at(-1) !== 'linear');
    // A regression's outputs in the target's units, where training scaled the targets.
    if (!classification && model.data?.targetScaling) unscaleInPlace(out, model.data.targetScaling);
    const { rows, cols } = out;
    const classes = (model.data?.classes ?? Array.from({ length: Math.max(cols, 2) }, (_, k) => k)).map(String);
    const lines = function* (): Generator<string> {
      if (!classification) {
        yield cols === 1 ? csvCell(`predicted ${model.data?.label ?? 'value'}`) : Array.from({ length: cols }, (_, k) => `output ${k}`).join(',');
        for (let r = 0; r < rows; r++) yield Array.from(out.data.subarray(r * cols, (r + 1) * cols), (v) => String(v)).join(',');
        return;
      }
      // One output: the probability of the second class.
      const probs = (r: number) => (cols === 1 ? [1 - out.data[r], out.data[r]] : Array.from(out.data.subarray(r * cols, (r + 1) * cols)));
      // Softmax outputs (and one sigmoid output) are probabilities; other outputs are scores.
      const probabilities = net.activations.at(-1) === 'softmax' || (cols === 1 && net.activations.at(-1) === 'sigmoid');
      yield ['predicted', ...classes.map((c) => (probabilities ? `p(${c})` : `score(${c})`))].map(csvCell).join(',');
      for (let r = 0; r < rows; r++) {
        const p = probs(r);
        let k = 0;
        for (let j = 1; j < p.length; j++) if (p[j] > p[k]) k = j;
        yield [csvCell(classes[k]), ...p.map((v) => Number(v.toPrecision(6)).toString())].join(',');
      }
    };
    await writeLines(
      o.out === undefined
        ? undefined
        : await outputFile(o.out, '--out', 'predictions.csv', undefined, [
            ['the model being read', modelPath],
            ['the data file being read', dataPath],
          ]),
      lines(),
    );
    // Said of a file; on standard output or error the predictions speak for themselves (and a reader may have stopped early).
    if (o.out && (await descriptorOf(o.out)) === null) console.error(`${plural(rows, 'prediction')} written to ${o.out}`);
  } finally {
    net.dispose();
  }
}

/** The rows' targets as the model's outputs: its classes one-hot (in the model's order), or the values. */
async function labelled(model: Model, path: string, o: DataOptions) {
  const d = model.data ?? {};
  // The label by name where the file has a header and the model a name for it; by position where
  // the model's file had no header ('column 5'); else the last column.
  const head = await dataHead(model, path, o);
  const label = modelLabel(model, head.fields.length, head.header);
  const outputs = model.architecture.layers.at(-1)!;
  if (head.fields.length === model.architecture.layers[0])
    fail(`${path}: ${plural(head.fields.length, 'column')}, as many as the model's inputs: no label column to evaluate against (predict takes such a file)`);
  // A classifier's rows as its classes, in its order: a file may hold some of them only (one too).
  const classes = d.classes ?? (d.task === 'classification' ? Array.from({ length: Math.max(outputs, 2) }, (_, k) => k) : undefined);
  const ds = await readCsvDataset(path, { delimiter: head.delimiter, header: head.header, label, task: d.task ?? 'auto', classes });
  if (ds.x.cols !== model.architecture.layers[0])
    fail(`${path}: ${plural(ds.x.cols, 'feature column')}, the model takes ${plural(model.architecture.layers[0], 'input')}`);
  const x = inModelOrder(model, ds.x, ds.featureNames, ds.header, path);
  // A regression's targets scaled as training scaled them: the loss is the network's (summarize gives RMSE in the target's units).
  if (ds.task === 'regression') return { x, y: scaleInPlace(ds.y, d.targetScaling ?? { kind: 'none' }) };
  if (outputs === 1) return { x, y: { data: Float32Array.from(ds.labels), rows: ds.x.rows, cols: 1 } }; // one sigmoid output: p(class 1)
  return { x, y: ds.y };
}

export async function evaluateCommand(modelPath: string, dataSpec: string, o: DataOptions): Promise<void> {
  const dataPath = dataFile(dataSpec);
  const model = await loadModel(modelPath);
  const d = await labelled(model, dataPath, o);
  scaleInPlace(d.x, scalingOf(model));
  const net = await loadNetwork(model);
  try {
    console.log(summarize(net, d, model.data ?? {}, dataPath));
  } finally {
    net.dispose();
  }
}

export async function info(modelPath: string): Promise<void> {
  const m = await loadModel(modelPath);
  const a = m.architecture;
  const t = m.training;
  const d = m.data ?? {};
  const opt = Object.entries(t.optimizer)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `${modelPath}: ${m.format} version ${m.version}${m.createdBy ? `, written by ${m.createdBy.library} ${m.createdBy.version}` : ''}`,
    `layers        ${a.layers.join('-')} (${m.parameters.length} parameters, ${m.parameters.dtype})`,
    `activations   ${a.activations.join(', ')}; input layer ${a.inputLayer}${a.inputActivation ? ` (${a.inputActivation})` : ''}; loss ${a.loss}`,
    `options       engine ${m.options.engine}, precision ${m.options.precision}, seed ${m.options.seed}, init ${m.options.init}, bias init ${m.options.biasInit}`,
    `training      ${t.epochs} epochs, ${t.step} updates; ${t.optimizer.type}${opt ? ` (${opt})` : ''}, η ${t.learningRate}, η_b ${t.biasLearningRate}`,
  ];
  if (m.data) {
    const features = d.features ?? [];
    lines.push(`data          ${d.task ?? 'task not recorded'} of '${d.label ?? '?'}'${d.classes ? `: classes ${d.classes.join(', ')}` : ''}`);
    if (features.length) lines.push(`features      ${listed(features, NAMES_SHOWN)}`);
    const target = d.targetScaling && d.targetScaling.kind !== 'none' ? d.targetScaling : null;
    const y = target
      ? `; target ${target.kind} (y = output · ${target.scale.map((v) => v.toPrecision(6)).join(', ')} + ${target.offset.map((v) => v.toPrecision(6)).join(', ')})`
      : '';
    lines.push(`scaling       ${d.scaling?.kind ?? 'none'}${y}`);
    // What train --resume goes on with.
    const split = d.testFraction !== undefined ? `${d.testFraction} of the rows held out (seed ${m.options.seed})` : null;
    const batch = d.batchSize !== undefined ? `minibatches of ${d.batchSize} rows` : null;
    if (split || batch) lines.push(`trained with  ${[batch, split].filter((v) => v !== null).join('; ')}`);
  }
  const h = m.history;
  if (h.length > 0) {
    const fmt = (r: (typeof h)[number]) =>
      `epoch ${r.epoch}: loss ${r.loss.toPrecision(5)}` +
      (r.validationLoss !== undefined ? `, held-out loss ${r.validationLoss.toPrecision(5)}` : '') +
      (r.validationAccuracy !== undefined ? `, held-out accuracy ${(100 * r.validationAccuracy).toFixed(2)} %` : '');
    lines.push(`history       ${fmt(h[0])}`, `              ${fmt(h[h.length - 1])}`);
    const best = h.reduce((b, r) => ((r.validationLoss ?? Infinity) < (b.validationLoss ?? Infinity) ? r : b), h[0]);
    if (best.validationLoss !== undefined && best !== h[h.length - 1]) lines.push(`   best       ${fmt(best)}`);
  }
  console.log(lines.join('\n'));
}
