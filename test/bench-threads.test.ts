/**
 * `npm run bench`'s threads part (bench/run.ts, bench/threads.ts), cheaply: a quick run of W2 with
 * one system and one round writes the figures of 1, 2, every core and 'auto' threads into its
 * results file beside the machine, and the README table is generated from them between its
 * markers; a run of W1 alone has no threads part.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { README_THREADS, updateThreadsReadme, type Measured, type ThreadsRun } from '../bench/threads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wbp-bench-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs bench/run.ts quickly on `only`, one system, one round, README untouched; its results file. */
async function bench(only: string): Promise<Measured & { threads?: ThreadsRun }> {
  const out = join(dir, `${only}.json`);
  const args = [
    '--import',
    'tsx',
    join(root, 'bench', 'run.ts'),
    '--quick',
    '--only',
    only,
    '--systems',
    'wasm-simd-f32/fit',
    '--rounds',
    '1',
    '--no-readme',
    '--out',
    out,
  ];
  await promisify(execFile)(process.execPath, args, { cwd: root, timeout: 90_000 });
  return JSON.parse(readFileSync(out, 'utf8')) as Measured & { threads?: ThreadsRun };
}

describe('npm run bench on threads', () => {
  it("measures W2 on 1, 2, every core and 'auto' threads into the results and the README table", async () => {
    const r = await bench('W2');
    const cores = availableParallelism();
    expect(r.machine.cores).toBe(cores);
    expect(r.machine.cpu).not.toBe('');
    const t = r.threads!;
    expect(t).toMatchObject({ mode: 'quick', rounds: 1, cores });
    expect(t.results.map((x) => x.threads)).toEqual([...new Set([1, 2, cores]), 'auto']);
    // W2 is 64-32-10: 64·32 + 32·10 weights; a minibatch of 16 rows is 6 · 2368 · 16 = 0.23 MFLOP,
    // under the 4 MFLOP 'auto' shares, so 'auto' keeps one thread.
    for (const x of t.results) {
      expect(x).toMatchObject({ workload: 'W2', layers: [64, 32, 10], batch: 16, rows: 1437, epochs: 5 });
      expect(x.used).toBe(x.threads === 'auto' ? 1 : x.threads);
      expect(x.samplesPerSecond).toBeGreaterThan(1000);
      expect(x.gflops).toBeCloseTo((x.samplesPerSecond * 6 * 2368) / 1e9, 9);
      expect(x.efficiency).toBeCloseTo(x.speedup / x.used, 12);
    }
    expect(t.results[0].speedup).toBe(1);
    expect(t.results.at(-1)!.reason).toMatch(/too little work/);

    const readme = join(dir, 'README.md');
    writeFileSync(readme, `# x\n\nbefore\n\n${README_THREADS.start}\nold\n${README_THREADS.end}\n\nafter\n`);
    updateThreadsReadme(readme, r, t, 'bench/results/x.json');
    const text = readFileSync(readme, 'utf8');
    expect(text.startsWith('# x\n\nbefore\n\n<!-- bench-threads:start -->\nMeasured ')).toBe(true);
    expect(text.endsWith('<!-- bench-threads:end -->\n\nafter\n')).toBe(true);
    expect(text).not.toContain('old');
    expect(text).toContain(`with \`${r.command}\``);
    expect(text).toContain(`on ${r.machine.cpu}, ${cores} cores, Node ${process.version}`);
    expect(text).toContain(r.date.slice(0, 10));
    const auto = t.results.at(-1)!;
    expect(text).toContain(`| W2 64-32-10, batch 16, 1,437 rows × 5 epochs | auto | 1 |`);
    expect(text).toContain(`${(auto.efficiency * 100).toFixed(0)} % |`);
  }, 90_000);

  it('has no threads part for W1 alone (its minibatches are one row)', async () => {
    expect((await bench('W1')).threads).toBeUndefined();
  }, 90_000);
});
