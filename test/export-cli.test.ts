/**
 * `wasm-backprop export` and `import` as a person runs them: a model trained by the CLI goes out to
 * TF.js and comes back with its scaling and classes, so `predict` on raw data prints what the
 * original model prints; `--format onnx` writes a file; mistakes are one line on stderr and exit 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toModel } from '../ts/index.js';
import { saveModel } from '../ts/node/index.js';
import { createNetworkSync } from '../ts/sync.js';
import { cliArgs, root } from './entry.js';

const dir = mkdtempSync(join(tmpdir(), 'wbp-export-cli-'));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...cliArgs, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('export and import on the command line', () => {
  const model = join(dir, 'iris.json');
  beforeAll(() => {
    const r = cli('train', join(root, 'data', 'iris.csv'), '--hidden', '6', '--activation', 'leaky-relu', '--epochs', '20', '--out', model, '--quiet');
    expect(r.status, r.stderr).toBe(0);
  });

  it('export --format tfjs, import, predict: the same predictions on raw data', () => {
    const e = cli('export', model, '--format', 'tfjs', '--out', 'tfjs');
    expect(e.status, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/4-6-3 network written as a TF\.js Layers model: tfjs\/model\.json and tfjs\/weights\.bin/);
    const i = cli('import', 'tfjs', '--out', 'back.json');
    expect(i.status, i.stderr).toBe(0);
    expect(i.stderr).toContain('4-6-3 network (leaky-relu, softmax; loss cross-entropy) written to back.json');
    const before = cli('predict', model, join(root, 'data', 'iris.csv'));
    const after = cli('predict', 'back.json', join(root, 'data', 'iris.csv'));
    expect(after.status, after.stderr).toBe(0);
    // The classes and probabilities (6 significant digits) as printed: float32 parameters both ways.
    expect(after.stdout.split('\n').length).toBeGreaterThan(150);
    expect(after.stdout).toBe(before.stdout);
  });

  it('export --format onnx writes an ONNX file', () => {
    const r = cli('export', model, '--format', 'onnx', '--out', 'iris.onnx');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/written as ONNX \(opset 13, float32, input 'input', output 'output'\): iris\.onnx, \d+ bytes/);
    expect(readFileSync(join(dir, 'iris.onnx')).length).toBeGreaterThan(100);
  });

  it('one line and exit 1: an activated input layer to TF.js, a missing model, a format, a graph model', async () => {
    const net = createNetworkSync({ layers: [2, 3, 1], engine: 'js', inputLayer: 'activated', inputActivation: 'sigmoid' });
    await saveModel(join(dir, 'activated.json'), toModel(net));
    const checks: [string[], string][] = [
      [
        ['export', 'activated.json', '--format', 'tfjs', '--out', 'x'],
        "wasm-backprop: activated.json: the activated input layer (inputLayer 'activated': a_0 = sigmoid(x + b_in)) has no TF.js Layers equivalent; export to ONNX instead, which expresses it",
      ],
      [['export', 'nothere.json', '--format', 'onnx', '--out', 'x.onnx'], 'wasm-backprop: nothere.json: no such model file'],
      [
        ['export', 'activated.json', '--format', 'tfjs', '--out', 'activated.json'],
        'wasm-backprop: --out activated.json is a file: --format tfjs writes a folder (model.json and weights.bin)',
      ],
      [
        ['export', 'activated.json', '--format', 'keras', '--out', 'x'],
        "wasm-backprop: option '--format <format>' argument 'keras' is invalid. Allowed choices are tfjs, onnx.",
      ],
      [
        ['import', 'graph.json', '--out', 'y.json'],
        "wasm-backprop: graph.json: format 'graph-model'; only TF.js Layers models ('layers-model') can be imported, not graph models",
      ],
    ];
    writeFileSync(join(dir, 'graph.json'), JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest: [] }));
    for (const [args, line] of checks) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.split('\n')[0]).toBe(line);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    // The activated network exports to ONNX, which expresses it.
    expect(cli('export', 'activated.json', '--format', 'onnx', '--out', 'activated.onnx').status).toBe(0);
    expect(existsSync(join(dir, 'activated.onnx'))).toBe(true);
  });
});
