/**
 * The command-line tool as a person uses it: train with a model file and curves, predict,
 * evaluate and info with that file, resume exactly, and one clear line (no stack trace, a non-zero
 * exit) for each kind of bad input.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNetworkFile } from '../ts/node/index.js';
import { cliArgs, cliShell, root } from './entry.js';

const dir = mkdtempSync(join(tmpdir(), 'wbp-cli-'));
const iris = join(root, 'data', 'iris.csv');
/** Runs the CLI; returns its exit status, stdout and stderr. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...cliArgs, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('train, predict, evaluate, info', () => {
  const model = join(dir, 'iris.json');
  beforeAll(() => {
    const r = cli(
      'train',
      iris,
      '--hidden',
      '8',
      '--epochs',
      '60',
      '--optimizer',
      'adam',
      '--learning-rate',
      '0.05',
      '--out',
      model,
      '--plot',
      join(dir, 'iris.svg'),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('writes a model that predicts every row of the file it came from, dropping the label column', () => {
    const r = cli('predict', model, iris);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('predicted,p(0),p(1),p(2)');
    expect(lines).toHaveLength(151);
    const right = lines.slice(1).filter((l, i) => l.split(',')[0] === readFileSync(iris, 'utf8').trim().split('\n')[i + 1].split(',').at(-1)).length;
    expect(right / 150).toBeGreaterThan(0.9);
    for (const l of lines.slice(1))
      expect(
        l
          .split(',')
          .slice(1)
          .reduce((s, v) => s + Number(v), 0),
      ).toBeCloseTo(1, 4);
  });

  it('evaluate prints accuracy and a confusion matrix; info describes the file', () => {
    const e = cli('evaluate', model, iris);
    expect(e.status).toBe(0);
    // The built-in data set by its name, as train takes it: the same file.
    expect(cli('evaluate', model, 'iris')).toEqual(e);
    expect(e.stdout).toMatch(/150 rows, loss [\d.]+, accuracy (9\d|100)\.\d\d %/);
    expect(e.stdout).toMatch(/actual \\ predicted/);
    const i = cli('info', model);
    expect(i.status).toBe(0);
    expect(i.stdout).toMatch(/layers +4-8-3 \(67 parameters, float32\)/);
    expect(i.stdout).toMatch(/training +60 epochs/);
    expect(i.stdout).toMatch(/scaling +minmax/);
    expect(i.stdout).toMatch(/trained with +minibatches of 16 rows; 0\.2 of the rows held out \(seed 1\)/);
  });

  it('writes an SVG of the curves with axes and a legend', () => {
    const svg = readFileSync(join(dir, 'iris.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const text of ['training loss', 'held-out loss', 'epoch', 'held-out accuracy (%)']) expect(svg).toContain(text);
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('train 3 epochs, --resume 2 more = 5 uninterrupted, bit for bit', () => {
    const [whole, half] = [join(dir, 'whole.json'), join(dir, 'half.json')];
    const common = ['--hidden', '5', '--optimizer', 'adam', '--learning-rate', '0.01', '-q'];
    expect(cli('train', iris, ...common, '--epochs', '5', '--out', whole).status).toBe(0);
    expect(cli('train', iris, ...common, '--epochs', '3', '--out', half).status).toBe(0);
    expect(cli('train', iris, ...common, '--epochs', '2', '--resume', half, '--out', half).status).toBe(0);
    const [a, b] = [whole, half].map((p) => JSON.parse(readFileSync(p, 'utf8')));
    expect(b.parameters).toEqual(a.parameters);
    expect(b.training).toEqual(a.training);
    expect(b.history).toEqual(a.history);
    expect(cli('predict', half, iris).stdout).toBe(cli('predict', whole, iris).stdout);
  });

  it('--threads: 2 threads train to the bits of one, --resume takes it too, and bad values are refused by name', () => {
    const [one, two] = [join(dir, 'threads-1.json'), join(dir, 'threads-2.json')];
    const common = ['--hidden', '40', '--batch-size', '32', '--epochs', '3', '-q'];
    expect(cli('train', 'digits', ...common, '--out', one).status).toBe(0);
    const r = cli('train', 'digits', ...common.slice(0, -1), '--threads', '2', '--out', two);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(', threads 2');
    expect(r.stdout).toContain('trained on 2 threads');
    const [a, b] = [one, two].map((p) => JSON.parse(readFileSync(p, 'utf8')));
    expect(b.parameters).toEqual(a.parameters);
    expect(cli('train', 'digits', '--epochs', '1', '--resume', two, '--threads', 'auto', '--out', two, '-q').status).toBe(0);
    expect(cli('train', iris, '--threads', '0').stderr).toContain("threads must be an integer ≥ 1, got '0'");
    expect(cli('train', iris, '--threads', '65').stderr).toContain('--threads must be between 1 and 64, got 65');
    expect(cli('train', iris, '--threads', '2', '-e', 'js').stderr).toContain("--threads applies to the wasm engine only, got engine 'js'");
  });

  it('--resume goes on with the engine that trained the model (js, educational): 2 + 1 epochs = 3, bit for bit; --engine names another', () => {
    for (const engine of ['js', 'educational']) {
      const [whole, half] = [join(dir, `${engine}-whole.json`), join(dir, `${engine}-half.json`)];
      const common = ['--hidden', '4', '-e', engine, '-p', 'f64', '-q'];
      expect(cli('train', iris, ...common, '--epochs', '3', '--out', whole).status).toBe(0);
      expect(cli('train', iris, ...common, '--epochs', '2', '--out', half).status).toBe(0);
      // Without -e: it said "options.wasm applies to the wasm engine only", an option never given.
      const r = cli('train', iris, '--epochs', '1', '--resume', half, '--out', half, '-q');
      expect(r.stderr).toBe('');
      const [a, b] = [whole, half].map((p) => JSON.parse(readFileSync(p, 'utf8')));
      expect([b.options.engine, b.parameters]).toEqual([engine, a.parameters]);
    }
    const moved = join(dir, 'moved.json');
    expect(cli('train', iris, '--epochs', '1', '--resume', join(dir, 'js-half.json'), '-e', 'wasm', '--out', moved, '-q').status).toBe(0);
    expect(JSON.parse(readFileSync(moved, 'utf8')).options.engine).toBe('wasm');
  });

  it("--resume keeps the model's seed, settings and class order: without the options repeated, a file with the classes in another order, a class it does not know, a setting changed", () => {
    // iris with text classes, which are numbered as they first appear.
    const [header, ...rows] = readFileSync(iris, 'utf8').trim().split('\n');
    const names = ['setosa', 'versicolor', 'virginica'];
    const named = rows.map((r) => r.replace(/,(\d)$/, (_, k: string) => `,${names[Number(k)]}`));
    const data = file('iris-named.csv', [header, ...named].join('\n'));
    const [whole, half] = [join(dir, 'seed-whole.json'), join(dir, 'seed-half.json')];
    const common = ['--hidden', '4', '--optimizer', 'adam', '--learning-rate', '0.01', '--seed', '7', '-q'];
    expect(cli('train', data, ...common, '--epochs', '30', '--out', whole).status).toBe(0);
    expect(cli('train', data, ...common, '--epochs', '15', '--out', half).status).toBe(0);
    // Only what the model cannot know is given: the same split (its seed), the same training.
    expect(cli('train', data, '--epochs', '15', '--resume', half, '--out', half, '-q').status).toBe(0);
    const [a, b] = [whole, half].map((p) => JSON.parse(readFileSync(p, 'utf8')));
    expect(b.parameters).toEqual(a.parameters);
    expect(b.history).toEqual(a.history);
    expect(a.data.classes).toEqual(names);
    // The same rows with the classes first seen in another order: each output stays its class.
    const reordered = file('iris-reordered.csv', [header, ...[...named].reverse()].join('\n'));
    const again = join(dir, 'reordered.json');
    expect(cli('train', reordered, '--epochs', '1', '--resume', whole, '--out', again, '-q').status).toBe(0);
    expect(JSON.parse(readFileSync(again, 'utf8')).data.classes).toEqual(names);
    const accuracy = (m: string) => Number(/accuracy ([\d.]+) %/.exec(cli('evaluate', m, data).stdout)?.[1]);
    expect(accuracy(whole)).toBeGreaterThan(60);
    expect(accuracy(again)).toBeGreaterThan(accuracy(whole) - 10);
    const renamed = file('iris-renamed.csv', [header, ...named.map((r) => r.replace(/setosa$/, 'rose'))].join('\n'));
    const r = cli('train', renamed, '--epochs', '1', '--resume', whole);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`wasm-backprop: ${renamed}: the class 'rose' of 'label' is not one of the model's (${names.join(', ')}), in ${whole}`);
    for (const [option, value, its] of [
      ['--optimizer', 'sgd', 'adam'],
      ['--learning-rate', '0.5', '0.01'],
      ['--hidden', '3', '4'],
      ['--seed', '8', '7'],
      ['--scale', 'none', 'minmax'],
    ]) {
      const r = cli('train', data, '--epochs', '1', '--resume', whole, option, value);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`wasm-backprop: ${option} ${value}: ${whole} resumes with its own (${its}); leave ${option} out, or train a new model`);
    }
  });

  it("predict and evaluate take the model's inputs by name from a header, in any order; columns it does not know are refused", () => {
    const rows = Array.from({ length: 60 }, (_, i) => [((i * 37) % 60) / 30 - 1, ((i * 11) % 60) / 30 - 1]);
    const train = file('xy.csv', ['x1,x2,y', ...rows.map(([a, b]) => `${a},${b},${3 * a - 2 * b + 0.5}`)].join('\n'));
    const model = join(dir, 'xy.json');
    expect(cli('train', train, '--epochs', '20', '--out', model, '-q').status).toBe(0);
    const ordered = cli('predict', model, file('xy-in.csv', 'x1,x2\n0.5,0.1\n-0.3,0.7\n'));
    expect(ordered.status).toBe(0);
    expect(ordered.stdout.split('\n')).toHaveLength(4); // header, 2 rows, end
    expect(cli('predict', model, file('xy-swapped.csv', 'x2,x1\n0.1,0.5\n0.7,-0.3\n')).stdout).toBe(ordered.stdout);
    expect(cli('predict', model, file('xy-label.csv', 'y,x2,x1\n1.8,0.1,0.5\n-1.2,0.7,-0.3\n')).stdout).toBe(ordered.stdout);
    const evaluate = (text: string) => cli('evaluate', model, file('xy-eval.csv', text)).stdout.split('\n')[0].replace(/^\S+/, '');
    expect(evaluate('y,x2,x1\n1.8,0.1,0.5\n-1.2,0.7,-0.3\n')).toBe(evaluate('x1,x2,y\n0.5,0.1,1.8\n-0.3,0.7,-1.2\n'));
    const wrong = cli('predict', model, file('xy-wrong.csv', 'foo,bar\n0.5,0.1\n'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim()).toBe(
      `wasm-backprop: ${join(dir, 'xy-wrong.csv')}: none of the model's inputs (x1, x2) is a column of this file (its columns: foo, bar)`,
    );
    const half = cli('predict', model, file('xy-half.csv', 'x1,bar\n0.5,0.1\n'));
    expect(half.stderr.trim()).toBe(`wasm-backprop: ${join(dir, 'xy-half.csv')}: no column 'x2' (the model's inputs are x1, x2)`);
    const more = cli('predict', model, file('xy-more.csv', 'id,x2,x1,y\n1,0.1,0.5,1.8\n'));
    expect(more.status).toBe(1);
    expect(more.stderr).toContain("the columns 'id', 'y' are not the model's inputs (x1, x2)");
  });

  it("evaluate reads a file without a header (the label last, or where the model's was), to the figures of the same rows with one", () => {
    const headless = file('iris-headless.csv', readFileSync(iris, 'utf8').trim().split('\n').slice(1).join('\n'));
    const named = join(dir, 'iris.json');
    const first = (m: string, f: string) => cli('evaluate', m, f).stdout.split('\n')[0].replace(/^\S+/, '');
    expect(first(named, headless)).toMatch(/150 rows, loss [\d.]+, accuracy/);
    expect(first(named, headless)).toBe(first(named, iris));
    const unnamed = join(dir, 'iris-headless.json');
    expect(cli('train', headless, '--epochs', '2', '--out', unnamed, '-q').status).toBe(0);
    expect(first(unnamed, iris)).toMatch(/150 rows, loss [\d.]+, accuracy/);
    expect(first(unnamed, iris)).toBe(first(unnamed, headless));
  });

  it("--resume on a file with the columns in another order puts them in the model's: 3 + 2 epochs = 5, bit for bit", () => {
    const lines = readFileSync(iris, 'utf8').trim().split('\n');
    const swapped = file(
      'iris-swapped.csv',
      lines
        .map((l) => l.split(','))
        .map((c) => [c[1], c[0], c[3], c[2], c[4]].join(','))
        .join('\n'),
    );
    const [whole, half] = [join(dir, 'swap-whole.json'), join(dir, 'swap-half.json')];
    expect(cli('train', iris, '--epochs', '5', '--seed', '3', '--out', whole, '-q').status).toBe(0);
    expect(cli('train', iris, '--epochs', '3', '--seed', '3', '--out', half, '-q').status).toBe(0);
    expect(cli('train', swapped, '--epochs', '2', '--resume', half, '--out', half, '-q').status).toBe(0);
    const [a, b] = [whole, half].map((p) => JSON.parse(readFileSync(p, 'utf8')));
    expect(b.parameters).toEqual(a.parameters);
    expect(b.data.features).toEqual(a.data.features);
  });

  it("the model's label column is found where it is, not taken to be the last: by name in a header, by place in a file without one (train --label 0)", () => {
    const rows = readFileSync(iris, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const moved = (r: string[]) => [r[4], r[2], r[0], r[3], r[1]].join(',');
    // Named: the label first, the inputs in another order; resumed without --label.
    const front = file('iris-label-first.csv', rows.map(moved).join('\n'));
    const [whole, half] = [join(dir, 'front-whole.json'), join(dir, 'front-half.json')];
    expect(cli('train', iris, '--epochs', '5', '--seed', '3', '--out', whole, '-q').status).toBe(0);
    expect(cli('train', iris, '--epochs', '3', '--seed', '3', '--out', half, '-q').status).toBe(0);
    const r = cli('train', front, '--epochs', '2', '--resume', half, '--out', half, '-q');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(half, 'utf8')).parameters).toEqual(JSON.parse(readFileSync(whole, 'utf8')).parameters);
    // Without a header: trained with --label 0, the model's label is 'column 1', and predict,
    // evaluate and train --resume leave that column out, not the last.
    const headless = file('iris-headless-label-first.csv', rows.slice(1).map(moved).join('\n'));
    const inputs = file(
      'iris-headless-inputs.csv',
      rows
        .slice(1)
        .map((l) => moved(l).split(',').slice(1).join(','))
        .join('\n'),
    );
    const [first, resumed] = [join(dir, 'label0.json'), join(dir, 'label0-resumed.json')];
    expect(cli('train', headless, '--label', '0', '--epochs', '40', '--seed', '3', '--out', first, '-q').status).toBe(0);
    expect(JSON.parse(readFileSync(first, 'utf8')).data.label).toBe('column 1');
    const p = cli('predict', first, headless);
    expect(p.status).toBe(0);
    expect(p.stdout).toBe(cli('predict', first, inputs).stdout);
    expect(cli('evaluate', first, headless).stdout).toMatch(/: 150 rows, loss [\d.]+, accuracy [\d.]+ %/);
    expect(cli('train', headless, '--epochs', '1', '--resume', first, '--out', resumed, '-q').status).toBe(0);
    // A model trained on the named file (label first), used on a copy without the header: the
    // label's place in the file it was trained on is kept (data.labelColumn).
    const named = join(dir, 'label-first-named.json');
    expect(cli('train', front, '--label', 'label', '--epochs', '40', '--seed', '3', '--out', named, '-q').status).toBe(0);
    expect(JSON.parse(readFileSync(named, 'utf8')).data.labelColumn).toBe(0);
    const q = cli('predict', named, headless);
    expect(q.status).toBe(0);
    expect(q.stdout).toBe(cli('predict', named, inputs).stdout);
    expect(cli('evaluate', named, headless).stdout).toMatch(/: 150 rows, loss [\d.]+, accuracy [\d.]+ %/);
  });

  it("evaluate takes a file of one of the model's classes, and names a label it does not know with its line", () => {
    const model = join(dir, 'iris-one-class.json');
    expect(cli('train', iris, '--epochs', '30', '--seed', '3', '--out', model, '-q').status).toBe(0);
    const [header, ...rows] = readFileSync(iris, 'utf8').trim().split('\n');
    const classes = JSON.parse(readFileSync(model, 'utf8')).data.classes as string[];
    const of = (c: string) => rows.filter((r) => r.endsWith(`,${c}`));
    const one = file('iris-one.csv', [header, ...of(classes[2])].join('\n'));
    const r = cli('evaluate', model, one);
    expect(r.status).toBe(0);
    // The confusion matrix keeps every class of the model, in its order; the rows are all of the last.
    expect(r.stdout).toMatch(new RegExp(`: 50 rows, loss [\\d.]+, accuracy [\\d.]+ %\\nactual \\\\ predicted\\s+${classes.join('\\s+')}\\n`));
    const inputsOnly = file('iris-inputs.csv', [header, ...rows].map((l) => l.split(',').slice(0, 4).join(',')).join('\n'));
    const none = cli('evaluate', model, inputsOnly);
    expect([none.status, none.stderr.trim()]).toEqual([
      1,
      `wasm-backprop: ${inputsOnly}: 4 columns, as many as the model's inputs: no label column to evaluate against (predict takes such a file)`,
    ]);
    const odd = file('iris-odd.csv', [header, ...of(classes[0]).slice(0, 2), '5.1,3.5,1.4,0.2,tulip'].join('\n'));
    const e = cli('evaluate', model, odd);
    expect([e.status, e.stderr.trim()]).toEqual([
      1,
      `wasm-backprop: ${odd}: label "tulip" at line 4, column 5 ("label") is not one of the classes ${classes.map((c) => `"${c}"`).join(', ')}`,
    ]);
  });

  it('outputs that are not finite (weights that overflow on the inputs) are refused by predict and evaluate, not printed as a class and NaN', () => {
    const model = join(dir, 'iris-overflow.json');
    expect(cli('train', iris, '--epochs', '1', '--out', model, '-q').status).toBe(0);
    const m = JSON.parse(readFileSync(model, 'utf8'));
    const huge = new Float32Array(m.parameters.length).fill(3e38);
    m.parameters.base64 = Buffer.from(huge.buffer).toString('base64');
    writeFileSync(model, JSON.stringify(m));
    const resumed = cli('train', iris, '--resume', model, '--epochs', '1');
    expect([resumed.status, resumed.stderr.trim()]).toEqual([
      1,
      `wasm-backprop: ${model}: the loss on the training rows is NaN before any training: the model's parameters overflow on these inputs`,
    ]);
    for (const command of ['predict', 'evaluate']) {
      const r = cli(command, model, iris);
      expect([r.status, r.stdout, r.stderr.trim()]).toEqual([
        1,
        '',
        `wasm-backprop: ${iris}: the model's output for row 1 is NaN: its parameters overflow on these inputs, so nothing it predicts there can be trusted`,
      ]);
    }
  });

  it("compare fails a candidate that stopped early (every step's parameters are required) unless --partial; --complete requires every tensor", () => {
    const [ref, cand] = [join(dir, 'trace-ref'), join(dir, 'trace-cut')];
    expect(cli('trace', 'iris', '--steps', '5', '--out', ref).status).toBe(0);
    cpSync(ref, cand, { recursive: true });
    expect(cli('compare', ref, cand).status).toBe(0);
    rmSync(join(cand, 'step-0002', 'z1.npy'));
    expect(cli('compare', ref, cand).status).toBe(0);
    const all = cli('compare', ref, cand, '--complete', '--misses');
    expect([all.status, all.stdout.trim().split('\n').at(-1)]).toEqual([
      1,
      'first miss: step-0002/z1 (step 2): missing from the candidate (every tensor is required)',
    ]);
    for (const s of ['step-0004', 'step-0005']) rmSync(join(cand, s), { recursive: true });
    const cut = cli('compare', ref, cand, '--misses');
    expect([cut.status, cut.stdout.trim().split('\n').at(-1)]).toEqual([
      1,
      'first miss: step-0004/W0 (step 4): missing from the candidate (the parameters of every step are required)',
    ]);
    expect(cli('compare', ref, cand, '--partial').status).toBe(0);
  });

  it('--header takes line 1 as names where they are numbers (it was trained on as a row, its label a class); --no-header takes it as data', () => {
    const rows = readFileSync(iris, 'utf8').trim().split('\n').slice(1);
    const numbered = file('iris-numbered.csv', ['1,2,3,4,kind', ...rows].join('\n'));
    const model = join(dir, 'iris-numbered.json');
    const guessed = cli('train', numbered, '--epochs', '1', '--test-fraction', '0', '--out', model, '-q');
    expect(guessed.status).toBe(0);
    expect(JSON.parse(readFileSync(model, 'utf8')).data.classes).toContain('kind'); // what --header is for
    expect(guessed.stderr.trim()).toBe(
      `wasm-backprop: warning: line 1 of ${numbered} was read as data, and its label "kind" is the class of that row alone: if line 1 names the columns, give --header (--no-header keeps it as data)`,
    );
    expect(cli('train', numbered, '--header', '--epochs', '1', '--test-fraction', '0', '--out', model, '-q').status).toBe(0);
    const m = JSON.parse(readFileSync(model, 'utf8'));
    expect([m.data.features, m.data.label, m.data.classes]).toEqual([['1', '2', '3', '4'], 'kind', ['0', '1', '2'].map(Number)]);
    const p = cli('predict', model, numbered, '--header');
    expect([p.status, p.stdout.split('\n').length]).toEqual([0, 150 + 2]);
    // Without the flag, a line 1 that names every one of the model's inputs is its header.
    expect(cli('predict', model, numbered).stdout).toBe(p.stdout);
    expect(cli('evaluate', model, numbered, '--header').stdout).toMatch(/: 150 rows, loss/);
    const asData = cli('train', iris, '--no-header', '--epochs', '1');
    expect([asData.status, asData.stderr.trim()]).toEqual([1, `wasm-backprop: ${iris}: "sepal_length" at line 1, column 1 ("column 1") is not a number`]);
  });

  it('curves of a single epoch are drawn without a warning from the plotting library', () => {
    const svg = join(dir, 'one-epoch.svg');
    const r = cli('train', iris, '--epochs', '1', '--plot', svg, '-q');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(readFileSync(svg, 'utf8')).toContain('held-out loss and accuracy');
  });

  it('--test-fraction 0 trains on every row and summarises them; --early-stop, which needs held-out rows, is refused with it', () => {
    const model = join(dir, 'all-rows.json');
    const r = cli('train', iris, '--test-fraction', '0', '--epochs', '3', '--out', model, '-q');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^training rows \(none held out\): 150 rows, loss [\d.]+, accuracy [\d.]+ %/m);
    const m = JSON.parse(readFileSync(model, 'utf8'));
    expect(m.history).toHaveLength(3);
    expect(m.history[0].validationLoss).toBeUndefined();
    // Its loss on the file is the summary's: the same 150 rows.
    expect(/loss ([\d.]+)/.exec(cli('evaluate', model, iris).stdout)?.[1]).toBe(/loss ([\d.]+)/.exec(r.stdout)?.[1]);
    const e = cli('train', iris, '--test-fraction', '0', '--early-stop', '2');
    expect(e.status).toBe(1);
    expect(e.stderr.trim()).toBe('wasm-backprop: --early-stop watches the held-out rows: give a --test-fraction above 0');
  });

  it('a regression column is guessed, and summarised with RMSE and R²', () => {
    const rows = Array.from({ length: 80 }, (_, i) => {
      const [a, b] = [(i % 9) / 9, (i % 7) / 7];
      return `${a},${b},${(0.3 + 0.5 * a - 0.2 * b + 0.013 * i).toFixed(4)}`;
    });
    const p = file('reg.csv', ['a,b,target', ...rows].join('\n'));
    const r = cli('train', p, '--epochs', '30', '--hidden', '6', '-q');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/RMSE [\d.e-]+, R² -?[\d.]+/);
    expect(r.stdout).not.toMatch(/accuracy/);
  });

  it('regression with the default SGD learns (η 0.1, not SGD’s 1, which left the loss at the targets’ variance)', () => {
    const r = cli('train', iris, '--task', 'regression');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/sgd η=0\.1,/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('the model is not kept: give --out model.json to keep it');
    expect(Number(/R² (-?[\d.]+)/.exec(r.stdout)![1])).toBeGreaterThan(0.5);
  });

  it("a regression's targets are standardized for training and its predictions given back in the target's units (prices in the hundred thousands: R² was negative)", () => {
    const rows = Array.from({ length: 200 }, (_, i) => {
      const [size, rooms] = [40 + ((i * 37) % 160), 1 + ((i * 7) % 6)];
      return [size, rooms, 1000 * size + 5000 * rooms];
    });
    const data = file('price.csv', ['size,rooms,price', ...rows.map((r) => r.join(','))].join('\n'));
    const model = join(dir, 'price.json');
    const r = cli('train', data, '--epochs', '300', '--out', model, '-q');
    expect(r.status).toBe(0);
    expect(Number(/R² (-?[\d.]+)/.exec(r.stdout)![1])).toBeGreaterThan(0.99);
    const m = JSON.parse(readFileSync(model, 'utf8'));
    // The scaling the targets were trained with: standard, fitted on the 160 training rows.
    expect(m.data.targetScaling.kind).toBe('standard');
    expect(m.data.targetScaling.offset[0]).toBeGreaterThan(100_000);
    expect(m.data.targetScaling.scale[0]).toBeGreaterThan(10_000);
    const p = cli('predict', model, data);
    const predicted = p.stdout.trim().split('\n').slice(1).map(Number);
    expect(p.stdout.split('\n')[0]).toBe('predicted price');
    const worst = Math.max(...predicted.map((v, i) => Math.abs(v - rows[i][2]) / rows[i][2]));
    expect(worst).toBeLessThan(0.1); // in the target's units, within 10 %
    const e = cli('evaluate', model, data);
    expect(Number(/RMSE ([\d.e+]+)/.exec(e.stdout)![1])).toBeLessThan(5000);
    const [scale, offset] = [m.data.targetScaling.scale[0], m.data.targetScaling.offset[0]].map((v: number) => v.toPrecision(6));
    expect(cli('info', model).stdout).toContain(`scaling       minmax; target standard (y = output · ${scale} + ${offset})`);
    // Resumed: the model's target scaling goes on; another is refused.
    expect(cli('train', data, '--epochs', '5', '--resume', model, '--out', model, '-q').status).toBe(0);
    expect(JSON.parse(readFileSync(model, 'utf8')).data.targetScaling).toEqual(m.data.targetScaling);
    const classes = cli('train', iris, '--epochs', '1', '--target-scale', 'minmax');
    expect([classes.status, classes.stderr.trim()]).toEqual([
      1,
      `wasm-backprop: --target-scale minmax applies to a regression; ${iris} is a classification of 'label' (the label column "label" holds 3 distinct integers (at most 50 make classes))`,
    ]);
    const other = cli('train', data, '--epochs', '5', '--resume', model, '--target-scale', 'none');
    expect([other.status, other.stderr.trim()]).toEqual([
      1,
      `wasm-backprop: --target-scale none: ${model} resumes with its own (standard); leave --target-scale out, or train a new model`,
    ]);
  });

  it('--resume goes on with the batch size the model was trained with: -b 7, 2 + 2 epochs = 4, bit for bit; another -b is taken', () => {
    const [whole, half, other] = [join(dir, 'b7-whole.json'), join(dir, 'b7-half.json'), join(dir, 'b7-other.json')];
    const common = ['--hidden', '5', '-b', '7', '-q'];
    expect(cli('train', iris, ...common, '--epochs', '4', '--out', whole).status).toBe(0);
    expect(cli('train', iris, ...common, '--epochs', '2', '--out', half).status).toBe(0);
    expect(JSON.parse(readFileSync(half, 'utf8')).data.batchSize).toBe(7);
    expect(cli('train', iris, '--epochs', '2', '--resume', half, '--out', other, '-b', '30', '-q').status).toBe(0);
    expect(JSON.parse(readFileSync(other, 'utf8')).data.batchSize).toBe(30);
    const summary = cli('train', iris, '--epochs', '2', '--resume', half, '--out', half);
    expect(summary.status).toBe(0);
    expect(summary.stdout + summary.stderr).toMatch(/batch 7\b/);
    const [a, b, c] = [whole, half, other].map((p) => JSON.parse(readFileSync(p, 'utf8')));
    expect(b.parameters).toEqual(a.parameters);
    expect(b.history).toEqual(a.history);
    expect(c.parameters).not.toEqual(a.parameters);
  });

  it('--resume holds out the rows the model held out: its --test-fraction is kept, another refused', () => {
    const model = join(dir, 'iris-fraction.json');
    expect(cli('train', iris, '--epochs', '2', '--test-fraction', '0.3', '--out', model, '-q').status).toBe(0);
    expect(JSON.parse(readFileSync(model, 'utf8')).data.testFraction).toBe(0.3);
    const r = cli('train', iris, '--epochs', '1', '--resume', model, '--out', model, '-q');
    expect([r.status, /^held-out: (\d+) rows/m.exec(r.stdout)?.[1]]).toEqual([0, '45']);
    const other = cli('train', iris, '--epochs', '1', '--resume', model, '--test-fraction', '0.1');
    expect([other.status, other.stderr.trim()]).toEqual([
      1,
      `wasm-backprop: --test-fraction 0.1: ${model} resumes with its own (0.3); leave --test-fraction out, or train a new model`,
    ]);
  });

  it('output paths: missing folders are made, a folder is refused before training (or takes model.onnx)', () => {
    const out = join(dir, 'new', 'deeper', 'p.csv');
    expect(cli('predict', model, iris, '--out', out).status).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('predicted,p(0),p(1),p(2)');
    for (const [args, option] of [
      [['train', iris, '--epochs', '1', '--out', join(dir, 'folder') + '/'], '--out'],
      [['train', iris, '--epochs', '1', '--plot', dir], '--plot'],
      [['predict', model, iris, '--out', dir], '--out'],
    ] as const) {
      const r = cli(...args);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`${option} .* is a folder: give a file name`));
      expect(r.stdout).toBe(''); // nothing trained
    }
    const onnx = join(dir, 'onnx-out') + '/';
    expect(cli('export', model, '--format', 'onnx', '--out', onnx).status).toBe(0);
    expect(existsSync(join(onnx, 'model.onnx'))).toBe(true);
  });

  it('an output that is a file the command reads is refused before any work, the file left as it was; train --resume may replace its model', () => {
    const copy = file('own.json', readFileSync(model, 'utf8'));
    const data = file('own.csv', readFileSync(iris, 'utf8'));
    const link = join(dir, 'own-link.csv');
    symlinkSync(data, link);
    const tfjs = join(dir, 'own-tfjs');
    mkdirSync(join(dir, 'own-folder'));
    const named = file(join('own-folder', 'model.json'), readFileSync(model, 'utf8'));
    expect(cli('export', copy, '--format', 'tfjs', '--out', tfjs).status).toBe(0);
    const before = [copy, data, join(tfjs, 'model.json'), join(tfjs, 'weights.bin'), named].map((f) => readFileSync(f));
    for (const [args, message] of [
      [['train', data, '--epochs', '1', '--out', data], `--out ${data} is the data file being read`],
      [['train', link, '--epochs', '1', '--out', data], `--out ${data} is the data file being read`], // through a link
      [['train', data, '--epochs', '1', '--out', join(dir, 'p.json'), '--plot', join(dir, 'p.json')], `--plot ${join(dir, 'p.json')} is the --out model`],
      [['train', data, '--epochs', '1', '--resume', copy, '--plot', copy], `--plot ${copy} is the --resume model being read`],
      [['predict', copy, data, '--out', data], `--out ${data} is the data file being read`],
      [['predict', copy, data, '--out', copy], `--out ${copy} is the model being read`],
      [['export', copy, '--format', 'onnx', '--out', copy], `--out ${copy} is the model being read`],
      [['export', named, '--format', 'tfjs', '--out', dirname(named)], `--out ${named} is the model being read`], // a model named model.json, into its folder
      [['import', tfjs, '--out', join(tfjs, 'model.json')], `--out ${join(tfjs, 'model.json')} is the TF.js model being imported`],
      [['import', tfjs, '--out', join(tfjs, 'weights.bin')], `--out ${join(tfjs, 'weights.bin')} is a weight file of the TF.js model being imported`],
    ] as const) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toBe(`wasm-backprop: ${message}: give another file\n`);
      expect(r.stdout).toBe(''); // nothing trained
    }
    expect([copy, data, join(tfjs, 'model.json'), join(tfjs, 'weights.bin'), named].map((f) => readFileSync(f))).toEqual(before);
    expect(existsSync(join(dir, 'p.json'))).toBe(false);
    // Continuing a model into its own file is what --resume is for.
    const r = cli('train', data, '--epochs', '1', '--resume', copy, '--out', copy, '--quiet');
    expect(r.status).toBe(0);
    expect(readFileSync(copy)).not.toEqual(before[0]);
  });

  it("an output folder that cannot be made is refused before training, in one line: under a file, under /proc (where Node's own recursive mkdir loops forever)", () => {
    const plain = file('plain.txt', 'not a folder\n');
    const cases: [string, RegExp][] = [[join(plain, 'sub', 'm.json'), /ENOTDIR/]];
    if (existsSync('/proc/self')) cases.push(['/proc/no-such-folder/m.json', /ENOENT/]);
    for (const [out, code] of cases) {
      const r = cli('train', iris, '--epochs', '1', '--out', out);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toMatch(new RegExp(`^wasm-backprop: --out ${out.replace(/[.]/g, '\\.')}: cannot make its folder .*${code.source}`));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe(''); // nothing trained
    }
  });
});

describe('labels, early stopping and pipes', () => {
  it('text labels become classes whose names predict prints', () => {
    const names = ['setosa', 'versicolor', 'virginica'];
    const lines = readFileSync(iris, 'utf8').trim().split('\n');
    const text = [lines[0].replace(/,label$/, ',species'), ...lines.slice(1).map((l) => l.replace(/,(\d)$/, (_, k: string) => `,${names[Number(k)]}`))];
    const p = file('species.csv', text.join('\n'));
    const model = join(dir, 'species.json');
    expect(cli('train', p, '--epochs', '40', '--optimizer', 'adam', '--learning-rate', '0.05', '-q', '--out', model).status).toBe(0);
    const out = cli('predict', model, p).stdout.trim().split('\n');
    expect(out[0]).toBe('predicted,p(setosa),p(versicolor),p(virginica)');
    expect(new Set(out.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(names));
    expect(cli('info', model).stdout).toMatch(/classes setosa, versicolor, virginica/);
  });

  it('--early-stop keeps the parameters of the best held-out loss', () => {
    const model = join(dir, 'early.json');
    const r = cli('train', iris, '--epochs', '400', '--early-stop', '1', '--optimizer', 'adam', '--learning-rate', '0.05', '--out', model);
    expect(r.status).toBe(0);
    const best = Number(/last improved in epoch (\d+)/.exec(r.stdout)?.[1]);
    expect(best).toBeGreaterThan(0);
    const m = JSON.parse(readFileSync(model, 'utf8'));
    expect(m.history).toHaveLength(best);
    expect(m.training.epochs).toBe(best);
    const losses = m.history.map((h: { validationLoss: number }) => h.validationLoss);
    expect(Math.min(...losses)).toBe(losses[best - 1]);
  });

  it('output piped into head ends quietly', () => {
    const model = join(dir, 'iris.json');
    // Far more output than a pipe holds, so that the writes after head exits fail.
    const [header, ...rows] = readFileSync(iris, 'utf8').trim().split('\n');
    const many = file('many.csv', [header, ...Array.from({ length: 400 }, () => rows).flat()].join('\n'));
    const r = spawnSync('sh', ['-c', `${cliShell} predict "${model}" "${many}" | head -n 1`], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe('predicted,p(0),p(1),p(2)');
    expect(r.stderr).toBe('');
  });

  it.runIf(existsSync('/dev/full'))('stdout that cannot be written (a full disk: /dev/full) gets one line on stderr and exit 1, no stack trace', () => {
    const r = spawnSync('sh', ['-c', `${cliShell} predict "${join(dir, 'iris.json')}" "${iris}" > /dev/full`], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('wasm-backprop: cannot write to stdout: the disk is full (ENOSPC)\n');
  });

  it('train piped into head still writes its model whole, and exits 0', () => {
    for (let run = 0; run < 3; run++) {
      const model = join(dir, `piped-${run}.json`);
      const r = spawnSync('bash', ['-c', `${cliShell} train "${iris}" --epochs 60 --out "${model}" | head -n 1; exit \${PIPESTATUS[0]}`], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
      expect(JSON.parse(readFileSync(model, 'utf8')).training.epochs).toBe(60);
    }
  });
});

describe('Ctrl-C during train', () => {
  /** Starts `train` with `args`; sends SIGINT once its output matches `when`, and again as `again` matches stderr; resolves at its exit. */
  function interrupted(args: string[], when: RegExp, again?: RegExp): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...cliArgs, 'train', ...args], { cwd: dir });
      let [stdout, stderr, sent] = ['', '', 0];
      const check = () => {
        if (sent === 0 && when.test(stdout)) sent = (child.kill('SIGINT'), 1);
        else if (sent === 1 && again?.test(stderr)) sent = (child.kill('SIGINT'), 2);
      };
      child.stdout.on('data', (b: Buffer) => ((stdout += b), check()));
      child.stderr.on('data', (b: Buffer) => ((stderr += b), check()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  it('stops at the end of the epoch under way and writes the model of the epochs trained; a second quits at once, writing nothing', async () => {
    const out = join(dir, 'interrupted.json');
    const r = await interrupted(['digits', '--epochs', '100000', '--out', out], /^epoch +5 /m);
    expect(r.stderr).toMatch(/^wasm-backprop: interrupted: stopping at the end of epoch \d+ \(Ctrl-C again to quit at once, without writing the model\)$/m);
    const n = Number(/^interrupted after epoch (\d+) of 100000$/m.exec(r.stdout)?.[1]);
    expect(n).toBeGreaterThanOrEqual(5);
    expect(r.stdout).toContain(`model written to ${out}`);
    expect(r.status).toBe(130);
    const model = JSON.parse(readFileSync(out, 'utf8'));
    expect([model.training.epochs, model.history.length]).toEqual([n, n]);
    // Twice: nothing written (the educational engine's epochs are long enough for the second to
    // arrive inside the one under way).
    const quit = join(dir, 'quit.json');
    const q = await interrupted(
      ['iris', '--engine', 'educational', '--hidden', '256,256', '--epochs', '1000', '--out', quit],
      /^epoch +1 /m,
      /interrupted: stopping/,
    );
    expect(q.stderr).toMatch(/^wasm-backprop: interrupted again: quitting, nothing written to .*quit\.json$/m);
    expect(q.status).toBe(130);
    expect(existsSync(quit)).toBe(false);
  });
});

describe('mistakes get one line on stderr and a non-zero exit', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['an unknown command', () => ['trian'], /unknown command 'trian'/],
    ['an unknown option', () => ['train', '--epoch', '3'], /unknown option '--epoch'/],
    ['a bad option value', () => ['train', '--epochs', 'many'], /epochs must be an integer/],
    ['a missing file', () => ['train', join(dir, 'nothing.csv')], /nothing\.csv: no such file/],
    [
      'a data set that is not built in, to evaluate',
      () => ['evaluate', join(dir, 'iris.json'), 'irises'],
      /^wasm-backprop: irises: no such file \(the data is 'digits' or 'iris'/m,
    ],
    [
      'a data set that is not built in',
      () => ['train', 'mnist'],
      /^wasm-backprop: mnist: no such file \(the data is 'digits' or 'iris', the data sets built in, or a CSV file\)$/m,
    ],
    ['an empty file', () => ['train', file('empty.csv', '')], /empty\.csv: the file is empty/],
    ['a header only', () => ['train', file('header.csv', 'a,b,label\n')], /header\.csv/],
    ['ragged rows', () => ['train', file('ragged.csv', 'a,b,label\n1,2,0\n3,1\n')], /ragged\.csv: line 3 has 2 fields/],
    ['text in a numeric column', () => ['train', file('text.csv', 'a,b,label\n1,2,0\n3,x,1\n')], /text\.csv.*line 3.*column 2/],
    ['a missing label column', () => ['train', iris, '--label', 'species'], /species/],
    ['NaN in the data', () => ['train', file('nan.csv', 'a,b,label\n1,NaN,0\n3,1,1\n')], /nan\.csv.*line 2/],
    ['a truncated model', () => ['info', file('cut.json', '{"format": "wasm-backprop-model", "vers')], /cut\.json/],
    ['a model of another version', () => ['info', file('v99.json', JSON.stringify({ format: 'wasm-backprop-model', version: 99 }))], /version/],
    ['--checkpoint without --out', () => ['train', iris, '--checkpoint', '1'], /--checkpoint saves to the --out file/],
    ['too many epochs, named as the option', () => ['train', iris, '--epochs', '99999999999'], /--epochs must be between/],
    ['too wide a hidden layer, named as the option', () => ['train', iris, '--hidden', '100000'], /a --hidden size must be between 1 and 65536/],
    ['a max loss of 0', () => ['train', iris, '--max-loss', '0'], /max loss must be a finite number > 0/],
    ['a file that is not JSON, quoted whole on one line', () => ['info', file('text.json', 'not json at all\n')], /is not valid JSON\)$/m],
  ];
  it.each(cases)('%s', (_, args, message) => {
    const r = cli(...args());
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a diverging run', () => {
  // Where a weight or bias overflows first (linear hidden layers, the loss limit set out of reach),
  // and where the loss rises a thousandfold first (the default sigmoid layers saturate at a rate
  // of 1e6 and never overflow: the loss grows enormous but stays finite).
  const where = String.raw`^wasm-backprop: training diverged in epoch (?<epoch>\d+), batch \d+ \(data rows [\d, ]+(?:and \d+ more)? of .*, counted from 1\): `;
  const back = String.raw`; the network is back at (?:the end of epoch (?<back>\d+)|the start of epoch 1): lower the learning rate \(now (?<rate>\S+), biases \S+\)\n$`;
  const overflowed = String.raw`the (?:weights into|bias of) neuron \d+ of layer \d+ \((?:weights|biases)\[\d+\]\[\d+\]\) became (?:NaN|-?Infinity)`;
  const rose = String.raw`the loss rose to (?<loss>\S+), above maxLoss (?<limit>\S+) \(the largest parameter then: the (?:weights into|bias of) neuron \d+ of layer (?<layer>\d+) \((?:weights|biases)\[\d+\]\[\d+\]\), \S+\)`;
  const diverged = new RegExp(`${where}(?:${overflowed}|${rose})${back}`);

  /** The model file's epochs and whether every parameter is finite. */
  async function saved(path: string): Promise<{ epochs: number; finite: boolean }> {
    const net = await loadNetworkFile(path);
    try {
      return { epochs: JSON.parse(readFileSync(path, 'utf8')).history.length, finite: net.getFlatParameters().every(Number.isFinite) };
    } finally {
      net.dispose();
    }
  }

  it("a divergence names the rows of the file that caused it, counted from 1, through the split's shuffle", () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i / 40},${i / 40}`);
    rows[16] = '1e30,0.5'; // data row 17
    const spike = file('spike.csv', ['x,y', ...rows].join('\n'));
    const run = (...more: string[]) =>
      cli('train', spike, '--task', 'regression', '--activation', 'linear', '--scale', 'none', '--epochs', '2', '-q', ...more).stderr.match(
        /\((data rows? [^)]*)\)/,
      )?.[1];
    expect(run('--batch-size', '1', '--test-fraction', '0')).toBe(`data row 17 of ${spike}, counted from 1`);
    expect(run('--batch-size', '1')).toBe(`data row 17 of ${spike}, counted from 1`);
    expect(run('--batch-size', '4')).toMatch(new RegExp(`^data rows (\\d+, )*17(, \\d+)* of .*spike\\.csv, counted from 1$`));
  });

  it('--learning-rate 1e6 with the defaults stops where the loss rose a thousandfold, naming the epoch and batch, and exits non-zero', () => {
    const r = cli('train', iris, '--learning-rate', '1e6', '--epochs', '20', '-q');
    expect(r.status).not.toBe(0);
    const m = r.stderr.match(new RegExp(`${where}${rose}${back}`));
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m!.groups!.loss)).toBeGreaterThan(Number(m!.groups!.limit));
    expect(Number(m!.groups!.limit)).toBeGreaterThanOrEqual(1000);
    // Told a higher limit, the same run trains on: the loss stays finite.
    expect(cli('train', iris, '--learning-rate', '1e6', '--epochs', '3', '--max-loss', '1e300', '-q').status).toBe(0);
  });

  it('--learning-rate 1e6 on linear layers stops naming the epoch, batch, layer and neuron, exits non-zero, and leaves no model with non-finite numbers', async () => {
    const out = join(dir, 'diverged.json');
    const r = cli('train', iris, '-a', 'linear', '--learning-rate', '1e6', '--max-loss', '1e300', '--epochs', '20', '--checkpoint', '1', '--out', out, '-q');
    expect(r.status).not.toBe(0);
    const m = r.stderr.match(new RegExp(`${where}${overflowed}${back}`));
    expect(m, r.stderr).not.toBeNull();
    expect(m!.groups!.rate).toBe('1000000');
    // A checkpoint is written after every finite epoch, and holds finite numbers.
    const epoch = Number(m!.groups!.epoch);
    expect(existsSync(out)).toBe(epoch > 1);
    if (epoch > 1) expect(await saved(out)).toEqual({ epochs: epoch - 1, finite: true });
  });

  it('after checkpoints: the epochs numbered as the run numbers them, the last checkpoint finite and before the failing epoch', async () => {
    const out = join(dir, 'diverged-late.json');
    const r = cli('train', iris, '-a', 'linear', '--learning-rate', '3', '--max-loss', '1e300', '--epochs', '30', '--checkpoint', '2', '--out', out, '-q');
    expect(r.status).not.toBe(0);
    const m = r.stderr.match(diverged);
    expect(m, r.stderr).not.toBeNull();
    const [epoch, back] = [Number(m!.groups!.epoch), Number(m!.groups!.back)];
    expect(back).toBe(epoch - 1);
    const model = await saved(out);
    expect(model.finite).toBe(true);
    // Checkpoints every 2 epochs: the last one within the 2 epochs before the failing one.
    expect(model.epochs).toBeGreaterThanOrEqual(2);
    expect(epoch - model.epochs).toBeGreaterThanOrEqual(1);
    expect(epoch - model.epochs).toBeLessThanOrEqual(2);
    expect(cli('evaluate', out, iris).status).toBe(0);
  });
});
