/**
 * Traces (docs/trace-format.md): the .npy files round-trip and NumPy reads them; every configuration's
 * trace of digits 64-32-10, 20 steps of Adam, holds against the trace the NumPy example
 * (examples/agreement/numpy_mlp.py) writes from the same configuration, data and initial
 * parameters; malformed trace folders give one clear error each.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readData } from '../ts/cli/train.js';
import { CONFIGURATIONS } from '../ts/configurations.js';
import { JsEngine } from '../ts/engines/js.js';
import { compareTraces, formatComparison } from '../ts/trace/compare.js';
import { readTraceFolder, writeTraceFolder } from '../ts/trace/folder.js';
import { decodeNpy, encodeNpy } from '../ts/trace/npy.js';
import { trace, type TraceOptions } from '../ts/trace/record.js';

const root = join(import.meta.dirname, '..');
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'wbp-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** digits / 16, one-hot, the first 320 rows; 64-32-10 sigmoid, ½MSE, Adam, batch 16, 20 steps. */
let digits: Pick<TraceOptions, 'x' | 'y'>;
beforeAll(async () => {
  const ds = await readData('digits', { quiet: true });
  digits = {
    x: { data: Float64Array.from(ds.x.data.subarray(0, 320 * 64), (v) => v / 16), rows: 320, cols: 64 },
    y: { data: Float64Array.from(ds.y.data.subarray(0, 3200)), rows: 320, cols: 10 },
  };
});
const network = { layers: [64, 32, 10], seed: 1, optimizer: 'adam' as const };

describe('.npy files', () => {
  it('round-trip f32, f64 and scalars, and name what is wrong with a bad one', () => {
    for (const data of [Float32Array.of(1.5, -2, 3e-30, 4, 5, 6), Float64Array.of(Math.PI, -0, 1e300, 2, 3, 4)]) {
      const back = decodeNpy(encodeNpy({ shape: [2, 3], data }), 'a.npy');
      expect(back.shape).toEqual([2, 3]);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      expect(encodeNpy({ shape: [2, 3], data }).length % 64).toBe((data.byteLength % 64) % 64);
    }
    expect(decodeNpy(encodeNpy({ shape: [], data: Float64Array.of(7) }), 's.npy').shape).toEqual([]);
    expect(() => decodeNpy(new Uint8Array(20), 'z.npy')).toThrow(/^z\.npy: .*\\x93NUMPY/);
    const ints = encodeNpy({ shape: [1], data: Float32Array.of(1) });
    ints.set(new TextEncoder().encode("'<i4'"), new TextDecoder().decode(ints).indexOf("'<f4'"));
    expect(() => decodeNpy(ints, 'i.npy')).toThrow(/i\.npy: .*dtype '<i4'/);
  });

  it.skipIf(!hasNumpy)('NumPy reads ours and we read NumPy’s (skipped without python3 and numpy)', () => {
    const ours = join(tmp, 'ours.npy');
    writeFileSync(ours, encodeNpy({ shape: [2, 2], data: Float32Array.of(1, 2, 3, 4.5) }));
    const theirs = join(tmp, 'theirs.npy');
    const py = `import numpy as np; a = np.load('${ours}'); assert a.dtype == np.float32 and a.shape == (2, 2) and a[1, 1] == 4.5; np.save('${theirs}', np.arange(6.0).reshape(3, 2))`;
    const r = spawnSync('python3', ['-c', py], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const back = decodeNpy(readFileSync(theirs), theirs);
    expect(back.shape).toEqual([3, 2]);
    expect(Array.from(back.data)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe.skipIf(!hasNumpy)('every configuration against the NumPy example (skipped without python3 and numpy)', () => {
  let numpyTrace: Awaited<ReturnType<typeof readTraceFolder>>;
  beforeAll(async () => {
    const input = join(tmp, 'js-f64');
    await writeTraceFolder(input, await trace({ network: { ...network, engine: 'js', precision: 'f64' }, ...digits, source: 'digits' }));
    const r = spawnSync('python3', [join(root, 'examples/agreement/numpy_mlp.py'), input, join(tmp, 'numpy')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    numpyTrace = await readTraceFolder(join(tmp, 'numpy'));
  });

  it.each(CONFIGURATIONS.map((c) => [c.name, c] as const))('%s holds', async (name, c) => {
    const t = await trace({ network: { ...network, ...c.options }, ...digits, source: 'digits' });
    expect(t.config.producer).toContain(c.engine);
    const report = compareTraces(numpyTrace, t);
    if (!report.ok) console.log(formatComparison(report, true));
    expect(report.mismatches).toEqual([]);
    expect(report.tensors.length).toBe(t.tensors.size);
    expect(report.firstMiss).toBeNull();
    // The recorded values are the engine's (the f32 engines' in f32), within 64 ULPs of NumPy's.
    expect(t.tensors.get('step-0001/z1')!.data).toBeInstanceOf(c.precision === 'f32' ? Float32Array : Float64Array);
    expect(Math.max(...report.tensors.map((r) => r.maxUlps))).toBeLessThan(64);
  });
});

describe('writing a trace', () => {
  it('over a longer one removes the steps it no longer has, and nothing else; a file in place of the folder is refused', async () => {
    const folder = join(tmp, 'rewritten');
    const small = (steps: number) => trace({ network: { layers: [3, 2], engine: 'js', precision: 'f64' }, x: [[0, 1, 2]], y: [[0, 1]], steps, batchSize: 1 });
    await writeTraceFolder(folder, await small(5));
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    expect(readdirSync(folder).sort()).toEqual([
      'initial',
      'notes.txt',
      'step-0001',
      'step-0002',
      'step-0003',
      'step-0004',
      'step-0005',
      'trace.json',
      'x.npy',
      'y.npy',
    ]);
    await writeTraceFolder(folder, await small(2));
    expect(readdirSync(folder).sort()).toEqual(['initial', 'notes.txt', 'step-0001', 'step-0002', 'trace.json', 'x.npy', 'y.npy']);
    expect((await readTraceFolder(folder)).config.steps).toBe(2);
    await expect(writeTraceFolder(join(folder, 'notes.txt'), await small(1))).rejects.toThrow(
      `${join(folder, 'notes.txt')} is a file: a trace is written into a folder`,
    );
  });
});

describe('malformed trace folders give one clear error', () => {
  it('names the folder or file and the problem', async () => {
    const good = join(tmp, 'small');
    await writeTraceFolder(
      good,
      await trace({ network: { layers: [3, 2], engine: 'js', precision: 'f64' }, x: [[0, 1, 2]], y: [[0, 1]], steps: 2, batchSize: 1 }),
    );
    await expect(readTraceFolder(join(tmp, 'nothing'))).rejects.toThrow(/nothing: no such trace folder/);
    await expect(readTraceFolder(join(good, 'x.npy'))).rejects.toThrow(/x\.npy is not a folder/);
    await expect(readTraceFolder(tmp)).rejects.toThrow(/no trace\.json/);
    const config = readFileSync(join(good, 'trace.json'), 'utf8');
    const bad = (text: string) => {
      writeFileSync(join(good, 'trace.json'), text);
      return readTraceFolder(good);
    };
    await expect(bad('{ not json')).rejects.toThrow(/trace\.json: the text is not JSON at position 2 of 10 \(line 1, column 3\)/);
    await expect(bad('')).rejects.toThrow(/trace\.json: the text is empty$/);
    await expect(bad('{ "seed": 1')).rejects.toThrow(
      /trace\.json: the text ends inside its JSON value, at position 11 of 11 \(line 1, column 12\): truncated\?$/,
    );
    // A byte-order mark (as some editors save) is dropped, as in model files.
    expect((await bad(`\ufeff${config}`)).config).toEqual((await bad(config)).config);
    await expect(bad(config.replace('"version": 1', '"version": 9'))).rejects.toThrow(/trace\.json: version 9 is not one this library reads/);
    await expect(bad(config.replace('"mse"', '"hinge"'))).rejects.toThrow(/network\.loss must be one of .* got 'hinge'/);
    await expect(bad(config.replace('"steps": 2', '"steps": 3'))).rejects.toThrow(/batches must hold one row list per step \(3\), got 2/);
    writeFileSync(join(good, 'trace.json'), config);
    writeFileSync(join(good, 'step-0001', 'dW0.npy'), encodeNpy({ shape: [3, 2], data: new Float64Array(6) }));
    await expect(readTraceFolder(good)).rejects.toThrow(/step-0001\/dW0\.npy: shape \(3, 2\), trace\.json makes it \(2, 3\)/);
    writeFileSync(join(good, 'step-0001', 'dW0.npy'), 'not numpy');
    await expect(readTraceFolder(good)).rejects.toThrow(/dW0\.npy: not a \.npy file/);
    // A folder where a tensor's file goes is named (it was taken for a tensor left out).
    rmSync(join(good, 'step-0001', 'dW0.npy'));
    mkdirSync(join(good, 'step-0001', 'dW0.npy'));
    await expect(readTraceFolder(good)).rejects.toThrow(/step-0001\/dW0\.npy: is a folder, not a \.npy file$/);
  });
});

describe('what cannot be traced gives one clear error', () => {
  it('an engine without values (Engine.values is optional)', async () => {
    const values = Object.getOwnPropertyDescriptor(JsEngine.prototype, 'values')!;
    delete (JsEngine.prototype as Partial<JsEngine>).values;
    try {
      await expect(trace({ network: { layers: [3, 2], engine: 'js', precision: 'f64' }, x: [[0, 1, 2]], y: [[0, 1]] })).rejects.toThrow(
        /^trace: the js engine cannot report the values of a step$/,
      );
    } finally {
      Object.defineProperty(JsEngine.prototype, 'values', values);
    }
  });

  it('a .npy header NumPy would refuse is refused: bytes after its dict, a list, a version x.1, another key', () => {
    const good = encodeNpy({ shape: [1, 3], data: new Float64Array(3) });
    const text = new TextDecoder().decode(good);
    const spoilt = (edit: (header: string) => string) => {
      const b = Uint8Array.from(good);
      const at = text.indexOf('{');
      const header = edit(text.slice(at, text.indexOf('\n', at)));
      b.set(new TextEncoder().encode(header), at);
      return b;
    };
    expect(decodeNpy(good, 'x.npy').shape).toEqual([1, 3]);
    expect(() =>
      decodeNpy(
        spoilt((h) => h.replace(/} /, '}x')),
        'x.npy',
      ),
    ).toThrow(/^x\.npy: not a \.npy file this reader takes: the header is not a dict of descr/);
    expect(() =>
      decodeNpy(
        spoilt((h) => h.replace('{', '[').replace('}', ']')),
        'x.npy',
      ),
    ).toThrow(/the header is not a dict of descr, fortran_order and shape/);
    expect(() =>
      decodeNpy(
        spoilt((h) => h.replace("'shape'", "'shope'")),
        'x.npy',
      ),
    ).toThrow(/the header's keys are descr, fortran_order, shope/);
    const minor = Uint8Array.from(good);
    minor[7] = 144;
    expect(() => decodeNpy(minor, 'x.npy')).toThrow(/^x\.npy: a \.npy file this reader does not take: format version 1\.144 \(1\.0, 2\.0 and 3\.0 are read\)$/);
  });

  it('a .npy of a dtype other than float32 or float64, or of another shape than trace.json makes it', async () => {
    const folder = join(tmp, 'dtype');
    await writeTraceFolder(
      folder,
      await trace({ network: { layers: [3, 2], engine: 'js', precision: 'f64' }, x: [[0, 1, 2]], y: [[0, 1]], steps: 1, batchSize: 1 }),
    );
    const ints = encodeNpy({ shape: [2], data: new Float64Array(2) });
    ints.set(new TextEncoder().encode("'<i8'"), new TextDecoder().decode(ints).indexOf("'<f8'"));
    writeFileSync(join(folder, 'initial', 'b0.npy'), ints);
    await expect(readTraceFolder(folder)).rejects.toThrow(
      /^.*initial\/b0\.npy: a \.npy file this reader does not take: dtype '<i8' \(little-endian float32 '<f4' or float64 '<f8' are read\)$/,
    );
    writeFileSync(join(folder, 'initial', 'b0.npy'), encodeNpy({ shape: [1, 2], data: new Float64Array(2) }));
    await expect(readTraceFolder(folder)).rejects.toThrow(/initial\/b0\.npy: shape \(1, 2\), trace\.json makes it \(2\)$/);
  });
});
