#!/usr/bin/env python3
"""An independent implementation of the training a trace describes, in NumPy float64: it reads a
trace folder's configuration (trace.json), data (x.npy, y.npy) and initial parameters (initial/),
trains the same minibatches, and writes its own trace folder in the same format
(docs/trace-format.md), for `wasm-backprop compare`.

    python3 examples/agreement/numpy_mlp.py <trace folder to read> <trace folder to write>

Conventions (stated once in docs/trace-format.md): W_l is n_{l+1} × n_l (row = destination neuron);
a minibatch is rows of samples; the loss of a sample is ½ Σ (a − y)² (mse) or −Σ y ln softmax(z)
(cross-entropy), and the loss and every gradient are means over the rows of the minibatch.
"""
import sys

import numpy as np

from trace_files import read_config, reader, write_trace

LEAKY_SLOPE = 0.01


def activate(f, z):
    if f == 'sigmoid':
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    if f == 'tanh':
        return np.tanh(z)
    if f == 'relu':
        return np.where(z > 0, z, 0.0)
    if f == 'leaky-relu':
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if f == 'linear':
        return z.copy()
    if f == 'softmax':
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(f'unknown activation {f}')


def derivative(f, z, a):
    if f == 'sigmoid':
        return a * (1 - a)
    if f == 'tanh':
        return 1 - a * a
    if f == 'relu':
        return (z > 0).astype(z.dtype)
    if f == 'leaky-relu':
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    if f == 'linear':
        return np.ones_like(z)
    raise ValueError(f'no derivative for {f}')


def train(folder_in, folder_out):
    cfg, n, L, f, activated = read_config(folder_in)  # f: f_0 … f_L
    net = cfg['network']
    read = reader(folder_in, cfg, 'numpy_mlp.py')
    load = lambda name: read(name).astype(np.float64)
    x, y = load('x'), load('y')
    W = [load(f'initial/W{l}') for l in range(L)]
    b = [load(f'initial/b{l}') for l in range(L)]
    b_in = load('initial/b_in') if activated else None
    opt = cfg['optimizer']
    eta, eta_b = cfg['learningRate'], cfg['biasLearningRate']
    # The optimizer's state, one array per parameter tensor (in the order of params()).
    params = lambda: W + b + ([b_in] if activated else [])
    m = [np.zeros_like(p) for p in params()]
    v = [np.zeros_like(p) for p in params()]
    tensors = {'x': x, 'y': y}
    for l in range(L):
        tensors[f'initial/W{l}'], tensors[f'initial/b{l}'] = W[l], b[l]
    if activated:
        tensors['initial/b_in'] = b_in

    for t, rows in enumerate(cfg['batches'], start=1):
        step = f'step-{t:04d}/'
        X, Y = x[rows], y[rows]
        r = len(rows)
        # Forward pass: Z_{l+1} = A_l W_lᵀ + b_l, A_{l+1} = f(Z_{l+1}).
        z, a = [None] * (L + 1), [None] * (L + 1)
        if activated:
            z[0] = X + b_in
            a[0] = activate(f[0], z[0])
        else:
            a[0] = X
        for l in range(L):
            z[l + 1] = a[l] @ W[l].T + b[l]
            a[l + 1] = activate(f[l + 1], z[l + 1])
        # Loss and the output delta.
        if net['loss'] == 'cross-entropy':
            zs = z[L] - z[L].max(axis=1, keepdims=True)
            log_softmax = zs - np.log(np.exp(zs).sum(axis=1, keepdims=True))
            loss = -(Y * log_softmax).sum() / r
            d = [None] * (L + 1)
            d[L] = a[L] - Y
        else:
            loss = 0.5 * ((a[L] - Y) ** 2).sum() / r
            d = [None] * (L + 1)
            d[L] = (a[L] - Y) * derivative(f[L], z[L], a[L])
        # Hidden deltas, from the weights of the forward pass.
        for l in range(L - 1, -1 if activated else 0, -1):
            d[l] = (d[l + 1] @ W[l]) * derivative(f[l], z[l], a[l])
        # Mean gradients over the rows.
        dW = [d[l + 1].T @ a[l] / r for l in range(L)]
        db = [d[l + 1].mean(axis=0) for l in range(L)]
        db_in = d[0].mean(axis=0) if activated else None
        for l in range(L + 1):
            if z[l] is not None:
                tensors[f'{step}z{l}'] = z[l]
            tensors[f'{step}a{l}'] = a[l]
            if d[l] is not None:
                tensors[f'{step}delta{l}'] = d[l]
        tensors[f'{step}loss'] = np.array(loss)
        for l in range(L):
            tensors[f'{step}dW{l}'], tensors[f'{step}db{l}'] = dW[l], db[l]
        if activated:
            tensors[f'{step}db_in'] = db_in
        # The update: η for the weights, η_b for the biases.
        grads = dW + db + ([db_in] if activated else [])
        rates = [eta] * L + [eta_b] * L + ([eta_b] if activated else [])
        new = []
        for i, (p, g, lr) in enumerate(zip(params(), grads, rates)):
            if opt['type'] == 'sgd':
                new.append(p - lr * g)
            elif opt['type'] == 'momentum':
                m[i] = opt['momentum'] * m[i] - lr * g
                new.append(p + m[i])
            else:
                b1, b2, eps = opt['beta1'], opt['beta2'], opt['epsilon']
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                new.append(p - lr * (m[i] / (1 - b1 ** t)) / (np.sqrt(v[i] / (1 - b2 ** t)) + eps))
        W, b = new[:L], new[L:2 * L]
        if activated:
            b_in = new[2 * L]
        for l in range(L):
            tensors[f'{step}W{l}'], tensors[f'{step}b{l}'] = W[l], b[l]
        if activated:
            tensors[f'{step}b_in'] = b_in

    tensors = {name: np.asarray(value, dtype=np.float64) for name, value in tensors.items()}
    write_trace(folder_out, cfg, tensors, f'numpy {np.__version__} (examples/agreement/numpy_mlp.py)', 'f64')

if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: numpy_mlp.py <trace folder to read> <trace folder to write>')
    train(sys.argv[1], sys.argv[2])
