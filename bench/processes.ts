/**
 * The orchestrator's side of the runners: a child process per system, requests with time limits,
 * replies matched by id. Node runners are `bench/runner.ts` under tsx with an IPC channel; the
 * NumPy runner is `bench/numpy_bench.py` speaking the same JSON over stdin/stdout.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Reply, Request } from './protocol.js';
import type { SystemInfo } from './systems.js';

/** Thread settings for the NumPy runner: one BLAS thread, whatever the BLAS. */
export const SINGLE_THREAD_ENV = {
  OMP_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  BLIS_NUM_THREADS: '1',
  VECLIB_MAXIMUM_THREADS: '1',
  NUMEXPR_NUM_THREADS: '1',
};

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Whether `python3` with NumPy is available; the reason when it is not. */
export function pythonWithNumpy(): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8', env: { ...process.env, ...SINGLE_THREAD_ENV } });
  if (r.error) return { ok: false, reason: `python3 not found (${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: 'python3 has no numpy module' };
  return { ok: true };
}

/** A runner process and its request channel. */
export class RunnerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private exited: string | null = null;
  /** The child's last lines of output, shown when it fails. */
  private readonly tail: string[] = [];

  private constructor(
    readonly system: SystemInfo,
    private readonly child: ChildProcess,
    private readonly send: (msg: Request & { id: number }) => void,
  ) {
    const keep = (chunk: Buffer) => {
      this.tail.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l.trim() !== ''),
      );
      this.tail.splice(0, Math.max(0, this.tail.length - 20));
    };
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => {
      this.exited = `exited (${signal ?? `code ${code}`})`;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${system.id} runner ${this.exited}${this.tail.length ? `:\n  ${this.tail.slice(-8).join('\n  ')}` : ''}`));
      }
      this.pending.clear();
    });
  }

  /** Starts the runner of `system`. */
  static start(system: SystemInfo): RunnerProcess {
    if (system.runner === 'python') {
      const child = spawn('python3', [here('./numpy_bench.py')], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...SINGLE_THREAD_ENV } });
      const rp: RunnerProcess = new RunnerProcess(system, child, (msg) => child.stdin!.write(`${JSON.stringify(msg)}\n`));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.trim().startsWith('{')) rp.receive(JSON.parse(line) as Reply);
      });
      return rp;
    }
    // tsx's loader, resolved from here so the runner works whatever the working directory.
    const child = fork(here('./runner.ts'), [system.id], {
      execArgv: [...(system.nodeFlags ?? []), '--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const rp: RunnerProcess = new RunnerProcess(system, child, (msg) => child.send(msg));
    child.on('message', (m) => rp.receive(m as Reply));
    return rp;
  }

  private receive(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new Error(`${this.system.id}: ${reply.error}`));
  }

  /** Sends a request; rejects on an error reply, on exit, or after `timeoutMs` (then kills the runner). */
  request<T>(req: Request, timeoutMs: number): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.system.id} runner ${this.exited}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.kill();
        reject(new Error(`${this.system.id}: '${req.op}' took longer than ${(timeoutMs / 1000).toFixed(0)} s; runner stopped`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.send({ ...req, id });
    });
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Stops the runner (its own process only). */
  kill(): void {
    if (this.exited === null) this.child.kill('SIGKILL');
  }

  /** Asks the runner to exit, and kills it if it does not within a second. */
  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await this.request({ op: 'exit' }, 1000).catch(() => this.kill());
    await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
    this.kill();
  }
}
