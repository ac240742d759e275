/**
 * What the Node helpers and the CLI write (ts/node/files.ts): folders made one at a time, and
 * files replaced atomically. A write that fails midway (here the file-size limit of `ulimit -f`,
 * which makes writes fail with EFBIG as a full disk makes them fail with ENOSPC) leaves the model,
 * the ONNX file and the TF.js pair it was replacing exactly as they were, no temporary file beside
 * them, and an error of one line that names the file and the cause.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeFolder, writeAtomically, writeError } from '../ts/node/files.js';
import { cliArgs, cliShell, modulePath, nodeArgs } from './entry.js';

const dir = mkdtempSync(join(tmpdir(), 'wbp-files-'));

describe('makeFolder', () => {
  it('makes every missing folder, and says which cannot be made: under a file (ENOTDIR), under /proc (ENOENT, where Node’s recursive mkdir loops forever)', async () => {
    await makeFolder(join(dir, 'a', 'b', 'c'));
    expect(existsSync(join(dir, 'a', 'b', 'c'))).toBe(true);
    await makeFolder(join(dir, 'a', 'b')); // already there
    writeFileSync(join(dir, 'plain'), 'x');
    await expect(makeFolder(join(dir, 'plain', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    if (existsSync('/proc/self')) await expect(makeFolder('/proc/no-such-folder/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writeAtomically', () => {
  it('replaces each file whole, and reports a missing folder in words', async () => {
    const a = join(dir, 'pair-a.txt');
    const b = join(dir, 'pair-b.txt');
    await writeAtomically([
      [a, 'first'],
      [b, async (write) => ['se', 'co', 'nd'].reduce((p, t) => p.then(() => write(t)), Promise.resolve())],
    ]);
    expect([readFileSync(a, 'utf8'), readFileSync(b, 'utf8')]).toEqual(['first', 'second']);
    const missing = join(dir, 'nowhere', 'x.json');
    const e = await writeAtomically([[missing, 'x']]).catch((error: unknown) => writeError(missing, error));
    expect(e?.message).toBe(`${missing}: its folder ${join(dir, 'nowhere')} does not exist (ENOENT)`);
    if (existsSync('/proc/self')) {
      const proc = '/proc/self/m.json';
      const p = await writeAtomically([[proc, 'x']]).catch((error: unknown) => writeError(proc, error));
      expect(p?.message).toBe(`${proc}: its folder /proc/self cannot hold a new file (ENOENT)`);
    }
  });

  it('follows a symbolic link (the file it points to is replaced, the link kept), writes a pipe in place, keeps the mode of the file it replaces', async () => {
    const real = join(dir, 'real.csv');
    const link = join(dir, 'link.csv');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    await writeAtomically([[link, 'new']]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
    const secret = join(dir, 'secret.json');
    writeFileSync(secret, 'old', { mode: 0o600 });
    chmodSync(secret, 0o600);
    await writeAtomically([[secret, 'new']]);
    expect([readFileSync(secret, 'utf8'), statSync(secret).mode & 0o777]).toEqual(['new', 0o600]);
    const fifo = join(dir, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo here
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let read = '';
    reader.stdout.on('data', (d: Buffer) => (read += d.toString()));
    const closed = new Promise((r) => reader.on('close', r));
    await writeAtomically([[fifo, 'through the pipe']]);
    await closed;
    expect(read).toBe('through the pipe');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('writes an open descriptor (/dev/stdout, /dev/fd/N, /proc/self/fd/N) through itself: appended where it was opened to append, the file behind it not replaced', async () => {
    if (!existsSync('/proc/self/fd')) return; // no /proc here
    const log = join(dir, 'log.txt');
    writeFileSync(log, 'kept 1\n');
    const fd = openSync(log, 'a');
    try {
      // Descriptors other than 1 and 2 may be the runtime's own (writing to Node's crashed it): refused.
      for (const path of [`/proc/self/fd/${fd}`, `/dev/fd/${fd}`])
        await expect(writeAtomically([[path, 'x']])).rejects.toThrow(
          `descriptor ${fd} is not written to: only standard output and standard error (1 and 2) are; give a file`,
        );
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(log, 'utf8')).toBe('kept 1\n');
    // The CLI's --out /dev/stdout with its stdout appended to a file: the file's lines are kept.
    writeFileSync(join(dir, 'xor.csv'), 'a,b,label\n0,0,n\n0,1,y\n1,0,y\n1,1,n\n');
    const cli = (args: string[], stdout: number | 'pipe' = 'pipe') =>
      spawnSync(process.execPath, [...cliArgs, ...args], { cwd: dir, stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8' });
    expect(cli(['train', 'xor.csv', '--epochs', '2', '--test-fraction', '0', '-q', '--out', 'xor.json']).status).toBe(0);
    const out = openSync(log, 'a');
    try {
      const r = cli(['predict', 'xor.json', 'xor.csv', '--out', '/dev/stdout'], out);
      expect([r.status, r.stderr]).toEqual([0, '']);
    } finally {
      closeSync(out);
    }
    const lines = readFileSync(log, 'utf8').split('\n');
    expect(lines.slice(0, 2)).toEqual(['kept 1', 'predicted,p(n),p(y)']);
    expect(lines).toHaveLength(2 + 4 + 1);
    // A reader that stops early (`| head -1`) ends the output quietly, as it does for printing.
    writeFileSync(join(dir, 'many.csv'), ['a,b', ...Array.from({ length: 20_000 }, (_, i) => `${i % 2},${(i >> 1) % 2}`)].join('\n'));
    const head = spawnSync('sh', ['-c', `${cliShell} predict xor.json many.csv --out /dev/stdout | head -1`], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect([head.stdout, head.stderr]).toEqual(['predicted,p(n),p(y)\n', '']);
    // A reader that is slow to start: the pipe fills, and writes wait for it (EAGAIN failed them).
    const slow = spawnSync('sh', ['-c', `${cliShell} predict xor.json many.csv --out /dev/stdout | (sleep 1; wc -l)`], { cwd: dir, encoding: 'utf8' });
    expect([slow.stdout.trim(), slow.stderr]).toEqual(['20001', '']);
    // train prints its summary on standard output: a model there would be mixed with it.
    const t = cli(['train', 'xor.csv', '--epochs', '1', '--out', '/dev/stdout']);
    expect([t.status, t.stderr.trim()]).toEqual([
      1,
      'wasm-backprop: --out /dev/stdout: train prints its summary on standard output; give a file (or /dev/stderr)',
    ]);
  });

  it('a write that fails midway (EFBIG under ulimit -f) leaves the model, the ONNX file and the TF.js pair as they were, and no temporary file', () => {
    const folder = join(dir, 'limited');
    mkdirSync(folder);
    const script = join(dir, 'save.mjs');
    const node = (file: string) => pathToFileURL(modulePath(file)).href;
    writeFileSync(
      script,
      `import { Network } from '${node('index.ts')}';
import { saveModel, saveOnnx, saveTfjs } from '${node('node/index.ts')}';
const [folder, size] = [process.argv[2], Number(process.argv[3])];
const net = await Network.create({ layers: [4, size, 3], seed: 2 });
const tries = [
  ['model', () => saveModel(folder + '/m.json', net)],
  ['onnx', () => saveOnnx(folder + '/m.onnx', net)],
  ['tfjs', () => saveTfjs(folder + '/tf', net)],
];
for (const [what, save] of tries) {
  try { await save(); console.log(what + ' saved'); } catch (e) { console.log(what + ' failed: ' + e.message); }
}
net.dispose();
`,
    );
    const run = (limit: string, size: number) =>
      spawnSync('bash', ['-c', `ulimit -f ${limit}; "${process.execPath}" ${nodeArgs(script).join(' ')} "${folder}" ${size}`], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    // A small network, no limit: the files to keep.
    const first = run('unlimited', 3);
    expect(first.stdout.trim().split('\n')).toEqual(['model saved', 'onnx saved', 'tfjs saved']);
    const files = ['m.json', 'm.onnx', join('tf', 'model.json'), join('tf', 'weights.bin')];
    const before = files.map((f) => readFileSync(join(folder, f)));
    // A network of 2000 hidden neurons (64 KB of f32) under a limit of 16 KiB: each write fails partway.
    const second = run('16', 2000);
    const lines = second.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`model failed: ${join(folder, 'm.json')}: the file would be larger than allowed (EFBIG)`);
    expect(lines[1]).toBe(`onnx failed: ${join(folder, 'm.onnx')}: the file would be larger than allowed (EFBIG)`);
    expect(lines[2]).toMatch(
      new RegExp(`^tfjs failed: ${join(folder, 'tf')}/(weights\\.bin|model\\.json): the file would be larger than allowed \\(EFBIG\\)$`),
    );
    expect(files.map((f) => readFileSync(join(folder, f)))).toEqual(before);
    expect([...readdirSync(folder), ...readdirSync(join(folder, 'tf'))].filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
