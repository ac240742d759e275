/**
 * The `verify` report: every engine and precision meets its agreement target against the
 * reference and holds the trace tolerances (verify compares through ts/trace), and an engine with
 * the wrong sign convention is caught, its first miss named by tensor, step and index.
 */
import { describe, expect, it } from 'vitest';
import { createNetworkSync } from '../ts/sync.js';
import { DEFAULT_CASES, formatReport, verify, type VerifyCase } from '../ts/verify.js';

describe('verify', () => {
  it('every engine and precision meets its target', async () => {
    const report = await verify();
    console.log(formatReport(report));
    expect(report.rows.map((r) => r.name)).toEqual(DEFAULT_CASES.map((c) => c.name));
    for (const row of report.rows) {
      expect(row.afterOne, row.name).toBeLessThanOrEqual(row.targetOne);
      expect(row.afterAll, row.name).toBeLessThanOrEqual(row.targetAll);
      expect(row.allowance, row.name).toBeLessThanOrEqual(1);
      expect(row.firstMiss, row.name).toBeNull();
    }
    expect(report.ok).toBe(true);
  });

  it('an engine that climbs the gradient (sign flipped) misses its target', async () => {
    // js-f64, except that each step adds η·∇ instead of subtracting it.
    const flipped: VerifyCase = {
      name: 'js-f64-flipped',
      precision: 'f64',
      create: async (o) => {
        const net = createNetworkSync({ ...o, engine: 'js', precision: 'f64' });
        net.trainBatch = (x, y) => {
          const g = net.gradients(x, y);
          const p = net.getParameters();
          p.weights.forEach((w, l) => w.forEach((row, k) => row.forEach((_, j) => (row[j] += 0.5 * g.weights[l][k][j]))));
          p.biases.forEach((b, l) => b.forEach((_, k) => (b[k] += 0.5 * g.biases[l][k])));
          net.setParameters(p);
          return g.loss;
        };
        return net;
      },
    };
    const report = await verify({ cases: [DEFAULT_CASES[0], flipped], steps: 10, python: false });
    expect(report.rows[0].ok).toBe(true);
    expect(report.rows[1].ok).toBe(false);
    expect(report.rows[1].afterOne).toBeGreaterThan(1e-6);
    expect(report.ok).toBe(false);
    expect(report.rows[1].allowance).toBeGreaterThan(1);
    // The first tensor the update writes, at the first step: compareTraces' first miss.
    expect(report.rows[1].firstMiss).toMatch(/^step-0001\/W0\[\d+, \d+\] \(step 1\): candidate .* where .* are allowed$/);
    expect(formatReport(report)).toMatch(/js-f64-flipped .* MISSED/);
    expect(formatReport(report)).toMatch(/js-f64-flipped: first miss: step-0001\/W0\[/);
  });
});
