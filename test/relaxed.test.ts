/**
 * The relaxed-SIMD artefact (`wasm: { simd: 'relaxed' }`): chosen only when asked for, reported as
 * `'relaxed-simd'`, refused with a one-line error where the runtime lacks relaxed SIMD, and within
 * the f32 (f64) rounding of the SIMD128 artefact, whose bits it need not share (its multiply-adds
 * are fused where the CPU has FMA). Its fixtures run in test/fixtures.test.ts, its instructions are
 * checked in test/artefacts.test.ts.
 *
 * Node 20 has relaxed SIMD only behind --experimental-wasm-relaxed-simd: there the last test runs
 * every relaxed-SIMD test of those files in a child vitest whose workers get the flag, so they run
 * somewhere in `npm test` on any Node (on Node ≥ 22 and in Chromium they run in place).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Network } from '../ts/network.js';
import { loadWasm, relaxedSimdSupported } from '../ts/wasm/loader.js';
import { randomMatrix, relErr } from './engines.js';

const supported = relaxedSimdSupported();
const relaxedBytes = readFileSync(new URL('../ts/wasm/bin/backprop.relaxed.wasm', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const FLAG = '--experimental-wasm-relaxed-simd';
const fixtureCount = readdirSync(new URL('./fixtures/', import.meta.url)).filter((f) => f.endsWith('.json')).length;

/** A 16-64-32-4 network trained 20 minibatches of 32 rows from the same start; its parameters. */
async function trained(simd: true | 'relaxed', precision: 'f32' | 'f64'): Promise<{ backend: string; params: Float64Array }> {
  const net = await Network.create({ layers: [16, 64, 32, 4], activations: ['tanh', 'relu', 'sigmoid'], precision, seed: 3, wasm: { simd } });
  try {
    const x = randomMatrix(32, 16, 11);
    const y = randomMatrix(32, 4, 12, 0, 1);
    for (let s = 0; s < 20; s++) net.trainBatch(x, y, { learningRate: 0.1 });
    return { backend: net.backend, params: Float64Array.from(net.getFlatParameters()) };
  } finally {
    net.dispose();
  }
}

describe('the relaxed-SIMD artefact where the runtime has relaxed SIMD', () => {
  it.skipIf(!supported)("loads with simd: 'relaxed' only; the default stays SIMD128", async () => {
    expect((await loadWasm({ simd: 'relaxed' })).backend).toBe('relaxed-simd');
    expect((await loadWasm()).backend).toBe('simd128');
    const net = await Network.create({ layers: [2, 3, 1], wasm: { simd: 'relaxed' } });
    expect(net.backend).toBe('relaxed-simd');
    net.dispose();
  });

  it.skipIf(!supported)('trains within the rounding of SIMD128, and to the same bits twice', async () => {
    for (const precision of ['f32', 'f64'] as const) {
      const simd = await trained(true, precision);
      const relaxed = await trained('relaxed', precision);
      expect(relaxed.backend).toBe('relaxed-simd');
      expect(relErr(relaxed.params, simd.params), precision).toBeLessThan(precision === 'f32' ? 1e-5 : 1e-13);
      expect(Array.from((await trained('relaxed', precision)).params)).toEqual(Array.from(relaxed.params));
    }
  });

  it.skipIf(!supported)('as a source: reported as what it is; refused when simd names another artefact', async () => {
    expect((await loadWasm({ source: relaxedBytes })).backend).toBe('relaxed-simd');
    expect((await loadWasm({ source: relaxedBytes, simd: 'relaxed' })).backend).toBe('relaxed-simd');
    await expect(loadWasm({ source: relaxedBytes, simd: true })).rejects.toThrow(
      `are the relaxed-simd artefact, not the simd128 one: simd: true asks for the simd128 one; pass that artefact, or leave simd unset to use this one`,
    );
  });
});

describe('the relaxed-SIMD artefact where the runtime lacks relaxed SIMD', () => {
  it.runIf(!supported)('simd: "relaxed" is refused in one line naming what to do instead', async () => {
    const message =
      'WebAssembly relaxed SIMD was required (simd: "relaxed") but this runtime does not support it (Chrome ≥ 114, Firefox ≥ 145, ' +
      'Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd); pass simd: true or "auto" to use the SIMD128 artefact';
    await expect(loadWasm({ simd: 'relaxed' })).rejects.toThrow(message);
    await expect(Network.create({ layers: [2, 1], wasm: { simd: 'relaxed' } })).rejects.toThrow(message);
  });

  /** Whether this Node runs relaxed SIMD under the flag (Node 20 does; later ones have it on). */
  const underFlag = () =>
    spawnSync(process.execPath, [
      FLAG,
      '-e',
      `process.exit(WebAssembly.validate(Buffer.from('${Buffer.from(relaxedProbe()).toString('hex')}', 'hex')) ? 0 : 1)`,
    ]).status === 0;

  it.runIf(!supported && !process.env.WBP_RELAXED_CHILD && underFlag())(
    `every relaxed-SIMD test passes under node ${FLAG} (a child vitest)`,
    () => {
      const files = ['test/relaxed.test.ts', 'test/fixtures.test.ts', 'test/artefacts.test.ts', 'test/abi.test.ts'];
      const r = spawnSync(
        process.execPath,
        [`${root}node_modules/vitest/vitest.mjs`, 'run', ...files, `--execArgv=${FLAG}`, '-t', 'relaxed', '--reporter=json', '--maxWorkers=1'],
        { cwd: root, encoding: 'utf8', env: { ...process.env, WBP_RELAXED_CHILD: '1' }, maxBuffer: 64 << 20 },
      );
      const start = r.stdout.indexOf('{');
      expect(start, `no JSON report from the child vitest:\n${r.stdout}\n${r.stderr}`).toBeGreaterThanOrEqual(0);
      const report = JSON.parse(r.stdout.slice(start)) as {
        numPassedTests: number;
        numFailedTests: number;
        testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
      };
      const results = report.testResults.flatMap((f) => f.assertionResults);
      const failed = results.filter((t) => t.status === 'failed').map((t) => `${t.fullName}: ${t.failureMessages[0]?.split('\n')[0]}`);
      expect(failed).toEqual([]);
      const passed = results.filter((t) => t.status === 'passed').map((t) => t.fullName);
      // This file's three, a fixture replay per configuration and fixture, the artefact's four, the ABI's two.
      expect(passed.filter((n) => n.startsWith('the relaxed-SIMD artefact where the runtime has'))).toHaveLength(3);
      expect(passed.filter((n) => n.startsWith("'wasm-relaxed-f32' replays"))).toHaveLength(fixtureCount);
      expect(passed.filter((n) => n.startsWith("'wasm-relaxed-f64' replays"))).toHaveLength(fixtureCount);
      expect(passed.filter((n) => n.startsWith('artefact relaxed-simd'))).toHaveLength(4);
      expect(passed.filter((n) => n.includes('the relaxed-simd artefact'))).toHaveLength(2);
      expect(r.status).toBe(0);
    },
    120_000,
  );
});

/** The bytes of the loader's relaxed-SIMD probe (a module with one `f32x4.relaxed_madd`). */
function relaxedProbe(): Uint8Array {
  return Uint8Array.from(Buffer.from('0061736d0100000001080160037b7b7b017b030201000a0d010b00200020012002fd85020b', 'hex'));
}
