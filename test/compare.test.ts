/**
 * `compare` catches what it is for: one perturbed value, named by tensor, step and index; a user's
 * own NumPy MLP (written here, in another style than ours: per-sample loops) with a sign error in its
 * bias update, reported at the first step by the tensor it breaks, while the same MLP without the error
 * holds; traces of different trainings are refused as such.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareTraces, describeMiss, formatComparison } from '../ts/trace/compare.js';
import { readTraceFolder, writeTraceFolder } from '../ts/trace/folder.js';
import { trace } from '../ts/trace/record.js';
import { randomMatrix, oneHotRows } from './engines.js';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'wbp-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = { x: randomMatrix(40, 6, 1, 0, 1), y: oneHotRows(40, 3, 2) };
const options = {
  network: { layers: [6, 5, 3], engine: 'js' as const, precision: 'f64' as const, optimizer: 'adam' as const, learningRate: 0.01 },
  ...data,
  batchSize: 8,
  steps: 6,
};

describe('compare', () => {
  it('catches one perturbed value and names its tensor, step and index', async () => {
    const reference = await trace(options);
    const candidate = await trace({ ...options, network: { ...options.network, engine: 'educational' } });
    expect(compareTraces(reference, candidate).ok).toBe(true);
    const dW = candidate.tensors.get('step-0003/dW1')!;
    dW.data[2 * 5 + 4] *= 1 + 1e-9;
    const report = compareTraces(reference, candidate);
    expect(report.ok).toBe(false);
    expect(report.firstMiss).toMatchObject({ name: 'step-0003/dW1', step: 3, kind: 'dW', layer: 1, index: [2, 4] });
    expect(describeMiss(report.firstMiss!)).toMatch(/^step-0003\/dW1\[2, 4\] \(step 3\): candidate .*, reference .* ULPs .* where .* are allowed/);
    expect(formatComparison(report)).toMatch(/first miss: step-0003\/dW1\[2, 4\]/);
  });

  it('leaves out what the candidate does not hold; a tensor only the candidate holds fails', async () => {
    const reference = await trace(options);
    const candidate = await trace({ ...options, network: { ...options.network, engine: 'educational' } });
    for (const t of [reference, candidate]) t.tensors.delete('step-0002/z1');
    const both = compareTraces(reference, candidate);
    expect(both.ok).toBe(true);
    expect(both.tensors.find((t) => t.name === 'step-0002/z1')).toMatchObject({ skipped: true });
    reference.tensors.delete('step-0004/a2');
    const report = compareTraces(reference, candidate);
    expect(report.firstMiss).toMatchObject({ name: 'step-0004/a2', problem: 'missing from the reference' });
    expect(describeMiss(report.firstMiss!)).toBe('step-0004/a2 (step 4): missing from the reference');
  });

  it("what the candidate must hold: 'parameters' fails one that stopped early or wrote only the data, 'all' one without an intermediate value, 'none' neither", async () => {
    const reference = await trace(options);
    const cut = await trace(options);
    for (const name of [...cut.tensors.keys()]) if (/^step-000[4-6]\//.test(name)) cut.tensors.delete(name);
    expect(compareTraces(reference, cut).ok).toBe(true); // the API's default: 'none'
    const stopped = compareTraces(reference, cut, { require: 'parameters' });
    expect(stopped.ok).toBe(false);
    expect(describeMiss(stopped.firstMiss!)).toBe('step-0004/W0 (step 4): missing from the candidate (the parameters of every step are required)');
    const dataOnly = await trace(options);
    for (const name of [...dataOnly.tensors.keys()]) if (name !== 'x' && name !== 'y') dataOnly.tensors.delete(name);
    expect(compareTraces(reference, dataOnly, { require: 'parameters' }).firstMiss).toMatchObject({ name: 'initial/W0' });
    const noZ = await trace(options);
    noZ.tensors.delete('step-0002/z1');
    expect(compareTraces(reference, noZ, { require: 'parameters' }).ok).toBe(true);
    expect(compareTraces(reference, noZ, { require: 'all' }).firstMiss).toMatchObject({
      name: 'step-0002/z1',
      problem: 'missing from the candidate (every tensor is required)',
    });
    expect(() => compareTraces({} as never, reference)).toThrow(
      /^compareTraces: the reference must be a trace \(from trace\(\) or readTraceFolder\), got Object$/,
    );
    expect(() => compareTraces(reference, reference, { require: 'some' as never })).toThrow(
      /^options\.require must be one of 'none', 'parameters', 'all', got 'some'$/,
    );
  });

  it('refuses traces of different trainings, naming the field', async () => {
    const reference = await trace(options);
    const other = await trace({ ...options, network: { ...options.network, learningRate: 0.02 } });
    const report = compareTraces(reference, other);
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual(['learningRate: 0.01 vs 0.02', 'biasLearningRate: 0.01 vs 0.02']);
    expect(formatComparison(report)).toMatch(/not of the same training/);
  });
});

/** A user's MLP: per-sample loops over the rows, its own names; SIGN = -1 adds the bias gradient (the error). */
const USER_MLP = String.raw`
import json, os, sys
import numpy as np
src, dst, SIGN = sys.argv[1], sys.argv[2], float(sys.argv[3])
cfg = json.load(open(os.path.join(src, 'trace.json')))
ld = lambda n: np.load(os.path.join(src, n + '.npy'))
X, Y = ld('x'), ld('y')
Ws = [ld('initial/W%d' % i) for i in range(2)]
bs = [ld('initial/b%d' % i) for i in range(2)]
lr = cfg['learningRate']
b1, b2, eps = cfg['optimizer']['beta1'], cfg['optimizer']['beta2'], cfg['optimizer']['epsilon']
mom = [np.zeros_like(p) for p in Ws + bs]
vel = [np.zeros_like(p) for p in Ws + bs]
sig = lambda z: 1 / (1 + np.exp(-z))
out = {}
for step, rows in enumerate(cfg['batches'], 1):
    gW = [np.zeros_like(w) for w in Ws]
    gb = [np.zeros_like(b) for b in bs]
    for i in rows:
        h = sig(Ws[0] @ X[i] + bs[0])
        o = sig(Ws[1] @ h + bs[1])
        do = (o - Y[i]) * o * (1 - o)
        dh = (Ws[1].T @ do) * h * (1 - h)
        gW[1] += np.outer(do, h); gb[1] += do
        gW[0] += np.outer(dh, X[i]); gb[0] += dh
    grads = [g / len(rows) for g in gW + gb]
    params = Ws + bs
    for k in range(4):
        mom[k] = b1 * mom[k] + (1 - b1) * grads[k]
        vel[k] = b2 * vel[k] + (1 - b2) * grads[k] ** 2
        upd = lr * (mom[k] / (1 - b1 ** step)) / (np.sqrt(vel[k] / (1 - b2 ** step)) + eps)
        params[k] = params[k] - upd if k < 2 else params[k] - SIGN * upd
    Ws, bs = params[:2], params[2:]
    for l in range(2):
        out['step-%04d/W%d' % (step, l)] = Ws[l]
        out['step-%04d/b%d' % (step, l)] = bs[l]
os.makedirs(dst, exist_ok=True)
json.dump(dict(cfg, producer='my own MLP'), open(os.path.join(dst, 'trace.json'), 'w'))
for name, v in out.items():
    os.makedirs(os.path.dirname(os.path.join(dst, name)), exist_ok=True)
    np.save(os.path.join(dst, name + '.npy'), v)
`;

describe.skipIf(!hasNumpy)("a user's own NumPy MLP (skipped without python3 and numpy)", () => {
  it('holds where it is right; a sign error in its bias update is reported at step 1, naming the tensor', async () => {
    const ref = join(tmp, 'ref');
    await writeTraceFolder(ref, await trace(options));
    const script = join(tmp, 'user_mlp.py');
    writeFileSync(script, USER_MLP);
    const run = (sign: number, out: string) => {
      const r = spawnSync('python3', [script, ref, out, String(sign)], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return readTraceFolder(out);
    };
    const reference = await readTraceFolder(ref);
    // It writes only the parameters after each step: the rest is left out of the comparison.
    const right = compareTraces(reference, await run(1, join(tmp, 'right')));
    expect(right.tensors.filter((t) => !t.skipped).length).toBe(options.steps * 4);
    expect(right.ok).toBe(true);
    expect(formatComparison(right)).toMatch(/tensors are not in the candidate and were not compared/);
    const wrong = compareTraces(reference, await run(-1, join(tmp, 'wrong')));
    expect(wrong.firstMiss).toMatchObject({ name: 'step-0001/b0', step: 1, kind: 'b', layer: 0 });
    expect(formatComparison(wrong)).toMatch(/first miss: step-0001\/b0\[\d+\] \(step 1\)/);
    expect(wrong.ok).toBe(false);
  });
});
