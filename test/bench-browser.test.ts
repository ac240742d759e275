/**
 * The benchmark's browser runner (bench/browser/): in headless Chromium, a page per system answers
 * the orchestrator's requests as a Node runner does. Smoke test on W1 (XOR): our SIMD128 engine and
 * one peer set up from the workload files, pass the guard against the js-f64 reference computed
 * here in Node, calibrate and train one short chunk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHost, CHROMIUM, hasChromium } from '../bench/browser/host.js';
import { computeReferences, judge } from '../bench/guard.js';
import type { CalibrateReply, GuardReply, RunReply, SetupReply } from '../bench/protocol.js';
import { systemById } from '../bench/systems.js';
import { buildWorkload, loadWorkloadData, type WorkloadSpec } from '../bench/workloads.js';

if (!hasChromium) console.warn(`bench-browser: skipped, no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

describe.skipIf(!hasChromium)('the benchmark in headless Chromium', () => {
  let dir: string;
  let host: BrowserHost;
  let spec: WorkloadSpec;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wbp-bench-browser-'));
    host = await BrowserHost.start(dir, { 'brain.js': 'test', synaptic: 'test' });
    spec = buildWorkload('W1', join(dir, 'data'));
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['wasm-simd-f32/fit', 'synaptic'])('%s trains W1 and passes the guard', async (id) => {
    const system = systemById(id);
    const runner = host.open(system);
    try {
      const setup = await runner.request<SetupReply>({ op: 'setup', spec }, 30_000);
      expect(setup.ready).toBe(true);
      if (!setup.ready) return;
      const refs = computeReferences(spec, loadWorkloadData(spec), new Set([setup.reference]));
      const guard = judge(await runner.request<GuardReply>({ op: 'guard' }, 30_000), setup.reference, refs, system.precision);
      expect(guard.initialRelError).toBeLessThanOrEqual(guard.tolerance);
      expect(guard.verdict).not.toBe('MISMATCH');
      if (id === 'wasm-simd-f32/fit') {
        expect(setup.info?.backend).toBe('simd128');
        expect(guard.verdict).toBe('ok');
      }
      const chunk = await runner.request<CalibrateReply>({ op: 'calibrate', chunkMs: 20, warmupMs: 40, maxWarmupMs: 200 }, 30_000);
      expect(chunk.units).toBeGreaterThan(0);
      const run = await runner.request<RunReply>({ op: 'run' }, 30_000);
      expect(run.samples).toBe(chunk.samples);
      expect(run.ms).toBeGreaterThan(0);
      // Millions of XOR rows a second in Node; anything above 10k/s shows it trains, not that it idles.
      expect(run.samples / run.ms).toBeGreaterThan(10);
      expect(host.missing).toEqual([]);
    } finally {
      await runner.close();
    }
  });
});
