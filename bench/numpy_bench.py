#!/usr/bin/env python3
"""NumPy runner of the benchmark (bench/run.ts starts it; see bench/protocol.ts).

The same requests as the Node runners, one JSON object per line on stdin, one reply per line on
stdout: setup, guard, calibrate, run, teardown, exit. The network is the workload's, in float32,
trained per minibatch as a NumPy user writes it (matrix products through NumPy's BLAS, elementwise
work in place where it is free to):

    Z_{l+1} = A_l W_l^T + b_l,  A_{l+1} = f(Z_{l+1})
    D_L = (A_L - Y) * f'(Z_L),  D_l = (D_{l+1} W_l) * f'(Z_l)
    W_l -= eta * D_{l+1}^T A_l / rows,  b_l -= eta * mean over rows of D_{l+1}

Single thread: the BLAS thread variables are set before NumPy is imported (the orchestrator sets
them too). Chunks are timed here with perf_counter around the training loop only.
"""
import json
import os
import sys
import time

for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'BLIS_NUM_THREADS',
             'VECLIB_MAXIMUM_THREADS', 'NUMEXPR_NUM_THREADS'):
    os.environ[_var] = '1'

import numpy as np  # noqa: E402  (after the thread settings, on purpose)

F = np.float32


def blas_name():
    """The BLAS NumPy was built with, as 'name version'."""
    try:
        cfg = np.show_config(mode='dicts')
        blas = cfg['Build Dependencies']['blas']
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode
        return 'unknown'


def sigmoid(z, out):
    """Numerically stable logistic: ½(1 + tanh(z/2)), no overflow for large |z|."""
    np.multiply(z, F(0.5), out=out)
    np.tanh(out, out=out)
    out += F(1)
    out *= F(0.5)
    return out


class Net:
    """The workload's network in float32, from the shared initial parameters."""

    def __init__(self, spec, p0):
        sizes = spec['layers']
        self.acts = [spec['hidden']] * (len(sizes) - 2) + [spec['output']]
        self.W, self.b = [], []
        off = 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.W.append(p0[off:off + n_out * n_in].reshape(n_out, n_in).astype(F))
            off += n_out * n_in
            self.b.append(p0[off:off + n_out].astype(F))
            off += n_out
        self.lr = F(spec['learningRate'])

    def forward(self, x):
        a = [x]
        for W, b, act in zip(self.W, self.b, self.acts):
            z = a[-1] @ W.T
            z += b
            if act == 'sigmoid':
                sigmoid(z, out=z)
            else:
                np.maximum(z, F(0), out=z)
            a.append(z)
        return a

    def step(self, x, y):
        """One update from the mean gradient over the rows of x, y."""
        a = self.forward(x)
        rows = x.shape[0]
        out = a[-1]
        delta = out - y
        delta *= out * (F(1) - out)  # sigmoid output: f'(z) = a(1 - a)
        for l in range(len(self.W) - 1, -1, -1):
            W = self.W[l]
            gW = delta.T @ a[l]
            gb = delta.sum(axis=0)
            if l > 0:  # the delta of the layer below needs the weights before their update
                prev = a[l]
                nd = delta @ W
                if self.acts[l - 1] == 'sigmoid':
                    nd *= prev * (F(1) - prev)
                else:
                    nd *= prev > 0
                delta = nd
            W -= (self.lr / rows) * gW
            self.b[l] -= (self.lr / rows) * gb

    def loss(self, x, y):
        d = self.forward(x)[-1] - y
        return float(np.sum(d.astype(np.float64) ** 2) / (2 * x.shape[0]))


class Case:
    def __init__(self, spec):
        self.spec = spec
        n_in, n_out = spec['layers'][0], spec['layers'][-1]
        rows = spec['rows']
        self.x = np.fromfile(spec['files']['x'], dtype='<f4').reshape(rows, n_in)
        self.y = np.fromfile(spec['files']['y'], dtype='<f4').reshape(rows, n_out)
        self.net = Net(spec, np.fromfile(spec['files']['p0'], dtype='<f4'))
        self.batch = spec['batch']
        self.per = rows // self.batch
        self.cursor = 0
        self.units = 1

    def eval_loss(self):
        e = self.spec['evalRows']
        return self.net.loss(self.x[:e], self.y[:e])

    def train_guard(self, steps):
        idx = np.arange(steps * self.batch) % self.spec['rows']
        gx, gy = self.x[idx], self.y[idx]
        for s in range(steps):
            sl = slice(s * self.batch, (s + 1) * self.batch)
            self.net.step(gx[sl], gy[sl])

    def run(self, units):
        """Trains `units` minibatches of consecutive rows; returns (ms, rows)."""
        b, x, y, step = self.batch, self.x, self.y, self.net.step
        t = time.perf_counter()
        for _ in range(units):
            s = self.cursor * b
            step(x[s:s + b], y[s:s + b])
            self.cursor = (self.cursor + 1) % self.per
        return (time.perf_counter() - t) * 1000, units * b


def calibrate(case, chunk_ms, warmup_ms, max_warmup_ms):
    """As bench/runner.ts: ramp up to a quarter chunk, scale to a chunk, warm up until the rate settles."""
    started = time.perf_counter()
    units = 1
    ms, samples = case.run(units)
    while ms < chunk_ms / 4:
        units = int(np.ceil(units * min(8, max(2, chunk_ms / 4 / max(ms, 1e-3)))))
        ms, samples = case.run(units)
    units = max(1, round(units * chunk_ms / ms))
    previous = 0.0
    while True:
        ms, samples = case.run(units)
        rate = samples / ms
        elapsed = (time.perf_counter() - started) * 1000
        if (elapsed >= warmup_ms and previous > 0 and abs(rate / previous - 1) < 0.05) or elapsed >= max_warmup_ms:
            break
        previous = rate
    case.units = units
    return {'units': units, 'samples': samples}


def main():
    case = None
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            op = req['op']
            if op == 'setup':
                case = Case(req['spec'])
                value = {'ready': True, 'batch': case.batch, 'reference': 'batch',
                         'info': {'numpy': np.__version__, 'blas': blas_name(),
                                  'python': sys.version.split()[0], 'threads': os.environ['OPENBLAS_NUM_THREADS']}}
            elif op == 'guard':
                initial = case.eval_loss()
                case.train_guard(case.spec['guardSteps'])
                value = {'initialLoss': initial, 'loss': case.eval_loss(), 'steps': case.spec['guardSteps'], 'batch': case.batch}
            elif op == 'calibrate':
                value = calibrate(case, req['chunkMs'], req['warmupMs'], req['maxWarmupMs'])
            elif op == 'run':
                ms, samples = case.run(case.units)
                value = {'ms': ms, 'samples': samples}
            elif op == 'teardown':
                case = None
                value = {}
            elif op == 'exit':
                print(json.dumps({'id': req['id'], 'ok': True, 'value': {}}), flush=True)
                return
            else:
                raise ValueError(f'unknown op {op!r}')
            reply = {'id': req['id'], 'ok': True, 'value': value}
        except Exception as e:  # reported to the orchestrator, which marks the system failed
            reply = {'id': req.get('id', -1), 'ok': False, 'error': f'{type(e).__name__}: {e}'}
        print(json.dumps(reply), flush=True)


if __name__ == '__main__':
    main()
