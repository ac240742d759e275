#!/usr/bin/env python3
"""The reference implementation of wasm-backprop: the matrix formulation (paper section 3, with the
derivations of section 4) in NumPy float64, the paper's own language and library. It writes the
cross-language fixtures under test/fixtures/*.json that the Rust tests (crates/kernels/tests) and
the TypeScript suite (test/fixtures.test.ts) replay on every engine and precision.

Run from anywhere: `python3 tools/reference.py` (or `npm run fixtures`). Deterministic: the same
NumPy version writes the same files (every random number comes from a seeded numpy Generator).

The mathematics (docs/ARCHITECTURE.md, "3 The mathematics"):

    sizes n_0 … n_L; W_l is n_{l+1} × n_l (row = destination neuron), b_l has n_{l+1} entries
    a_0 = x                         (input layer 'activated': z_0 = x + b_in, a_0 = f_0(z_0))
    z_{l+1} = W_l a_l + b_l,  a_{l+1} = f_{l+1}(z_{l+1})                        (Eq. 1, 24)
    loss per sample  ½ Σ_k (a_k − y_k)²                                         (Eq. 46)
                  or −Σ_k y_k ln softmax(z)_k,  ln softmax(z) = z − logsumexp(z)
    δ_L = f'(z_L) ⊙ (a_L − y)            (softmax with cross-entropy: δ_L = a_L − y)   (Eq. 26)
    δ_l = f'(z_l) ⊙ (W_lᵀ δ_{l+1})       (down to l = 1, or to l = 0 with an activated input) (Eq. 29)
    ∂L/∂W_l = δ_{l+1} a_lᵀ,  ∂L/∂b_l = δ_{l+1},  ∂L/∂b_in = δ_0                 (Eq. 43, 57, 91)
    every gradient is averaged over the samples of the minibatch               (Eq. 5)
    then the optimizer: SGD p −= η g (η for weights, η_b for biases); momentum v = μv − ηg, p += v;
    Adam m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p −= η m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)

Parameters are exchanged flat, in the layout every engine shares:

    [ W_0 | b_0 | W_1 | b_1 | … | W_{L−1} | b_{L−1} | b_in ]    (W_l row-major; b_in only if activated)
"""

import json
import os
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures')
DIGITS = os.path.join(ROOT, 'data', 'digits.csv')

FORMAT_VERSION = 1
LEAKY_SLOPE = 0.01
STEPS = 100
BATCH_RULE = (
    'step s = 0, 1, 2, … (0-based) trains on the rows (s*batch + i) mod rows, i = 0 … batch-1, '
    'in that order: consecutive rows, wrapping around the data; no shuffling'
)


# --- activations -----------------------------------------------------------------------------

def sigmoid(z):
    # 1/(1+e^{-z}) for z ≥ 0 and e^{z}/(1+e^{z}) below: exp never overflows.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z):
    # per row (one sample per row), shifted by the row maximum
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def activate(name, z):
    if name == 'sigmoid':
        return sigmoid(z)
    if name == 'tanh':
        return np.tanh(z)
    if name == 'relu':
        return np.where(z > 0, z, 0.0)
    if name == 'leaky-relu':
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if name == 'linear':
        return z.copy()
    if name == 'softmax':
        return softmax(z)
    raise ValueError(name)


def derivative(name, z, a):
    """f'(z) elementwise; sigmoid and tanh from a = f(z). relu'(0) = 0, leaky-relu'(0) = slope."""
    if name == 'sigmoid':
        return a * (1.0 - a)
    if name == 'tanh':
        return 1.0 - a * a
    if name == 'relu':
        return np.where(z > 0, 1.0, 0.0)
    if name == 'leaky-relu':
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    if name == 'linear':
        return np.ones_like(z)
    raise ValueError(f'{name} has no elementwise derivative here (softmax pairs with cross-entropy)')


# --- the network -----------------------------------------------------------------------------

class Net:
    """Weights and biases as NumPy arrays, one per connection; samples are the rows of a batch."""

    def __init__(self, cfg):
        self.sizes = cfg['sizes']
        self.acts = cfg['activations']  # f_0 … f_L
        self.activated = cfg['input_activated']
        self.loss = cfg['loss']
        self.L = len(self.sizes) - 1
        self.W = [np.zeros((self.sizes[l + 1], self.sizes[l])) for l in range(self.L)]
        self.b = [np.zeros(self.sizes[l + 1]) for l in range(self.L)]
        self.b_in = np.zeros(self.sizes[0]) if self.activated else None

    # flat layout [W_0 | b_0 | … | b_in]
    def blocks(self):
        out = []
        for l in range(self.L):
            out += [self.W[l], self.b[l]]
        if self.activated:
            out.append(self.b_in)
        return out

    def flat(self, blocks=None):
        return np.concatenate([blk.ravel() for blk in (blocks if blocks is not None else self.blocks())])

    def set_flat(self, flat):
        flat = np.asarray(flat, dtype=np.float64)
        at = 0
        for blk in self.blocks():
            blk[...] = flat[at:at + blk.size].reshape(blk.shape)
            at += blk.size
        assert at == flat.size, 'flat parameter vector has the wrong length'

    def is_bias(self):
        """A boolean mask over the flat layout: True where the parameter is a bias (η_b applies)."""
        return self.flat([np.zeros_like(self.W[l]) if i == 0 else np.ones_like(self.b[l])
                          for l in range(self.L) for i in (0, 1)]
                         + ([np.ones_like(self.b_in)] if self.activated else [])).astype(bool)

    def forward(self, X):
        """z and a of every layer; row r of each belongs to sample r."""
        if self.activated:
            z0 = X + self.b_in
            zs, As = [z0], [activate(self.acts[0], z0)]
        else:
            zs, As = [X.copy()], [X.copy()]
        for l in range(self.L):
            z = As[l] @ self.W[l].T + self.b[l]  # each row: W_l a_l + b_l
            zs.append(z)
            As.append(activate(self.acts[l + 1], z))
        return zs, As

    def sample_losses(self, z_out, a_out, Y):
        if self.loss == 'mse':
            return 0.5 * ((a_out - Y) ** 2).sum(axis=1)
        m = z_out.max(axis=1, keepdims=True)
        lse = m + np.log(np.exp(z_out - m).sum(axis=1, keepdims=True))
        return -(Y * (z_out - lse)).sum(axis=1)

    def gradients(self, X, Y):
        """Mean loss and the flat mean gradient over the rows of X, Y (no update)."""
        zs, As = self.forward(X)
        L, r = self.L, X.shape[0]
        losses = self.sample_losses(zs[L], As[L], Y)
        deltas = [None] * (L + 1)
        if self.loss == 'cross-entropy':
            deltas[L] = As[L] - Y
        else:
            deltas[L] = derivative(self.acts[L], zs[L], As[L]) * (As[L] - Y)
        # All deltas from the weights of the forward pass, before any update.
        last = 0 if self.activated else 1
        for l in range(L - 1, last - 1, -1):
            back = deltas[l + 1] @ self.W[l]  # each row: W_lᵀ δ_{l+1}
            deltas[l] = derivative(self.acts[l], zs[l], As[l]) * back
        gW, gb = [], []
        for l in range(L):
            # Eq. 43 per sample: the outer product δ_{l+1} a_lᵀ; then the mean over the samples.
            outer = deltas[l + 1][:, :, None] * As[l][:, None, :]
            gW.append(outer.sum(axis=0) / r)
            gb.append(deltas[l + 1].sum(axis=0) / r)
        blocks = []
        for l in range(L):
            blocks += [gW[l], gb[l]]
        if self.activated:
            blocks.append(deltas[0].sum(axis=0) / r)
        return float(losses.sum() / r), self.flat(blocks)


class Optimizer:
    def __init__(self, spec, eta, eta_b, bias_mask):
        self.spec = spec
        self.rate = np.where(bias_mask, eta_b, eta)  # η per flat parameter
        self.m = np.zeros(bias_mask.size)
        self.v = np.zeros(bias_mask.size)
        self.t = 0

    def step(self, p, g):
        self.t += 1
        kind = self.spec['type']
        if kind == 'sgd':
            return p - self.rate * g
        if kind == 'momentum':
            self.m = self.spec['momentum'] * self.m - self.rate * g
            return p + self.m
        if kind == 'adam':
            b1, b2, eps = self.spec['beta1'], self.spec['beta2'], self.spec['epsilon']
            self.m = b1 * self.m + (1 - b1) * g
            self.v = b2 * self.v + (1 - b2) * g * g
            mhat = self.m / (1 - b1 ** self.t)
            vhat = self.v / (1 - b2 ** self.t)
            return p - self.rate * mhat / (np.sqrt(vhat) + eps)
        raise ValueError(kind)


def finite_difference_error(cfg, X, Y, p, g, h=1e-6):
    """max |g − central difference| / max(1, max |g|): a self-check of the backprop gradient g."""
    net = Net(cfg)
    fd = np.empty_like(p)
    for i in range(p.size):
        q = p.copy()
        q[i] = p[i] + h
        net.set_flat(q)
        up = net.gradients(X, Y)[0]
        q[i] = p[i] - h
        net.set_flat(q)
        down = net.gradients(X, Y)[0]
        fd[i] = (up - down) / (2 * h)
    return float(np.abs(fd - g).max() / max(1.0, np.abs(g).max()))


def batch_rows(step, batch, rows):
    return [(step * batch + i) % rows for i in range(batch)]


def run(cfg, X, Y, p0):
    net = Net(cfg)
    net.set_flat(p0)
    opt = Optimizer(cfg['optimizer'], cfg['learning_rate'], cfg['bias_learning_rate'], net.is_bias())
    losses, grad1, after1 = [], None, None
    for s in range(cfg['steps']):
        idx = batch_rows(s, cfg['batch'], X.shape[0])
        loss, g = net.gradients(X[idx], Y[idx])
        losses.append(loss)
        net.set_flat(opt.step(net.flat(), g))
        if s == 0:
            grad1, after1 = g, net.flat()
    return losses, grad1, after1, net.flat()


# --- data and initial parameters ---------------------------------------------------------------

def initial_parameters(cfg, rng):
    """Small uniform numbers: weights U(−1/√n_l, 1/√n_l), biases U(−0.1, 0.1)."""
    net = Net(cfg)
    for l in range(net.L):
        a = 1.0 / np.sqrt(net.sizes[l])
        net.W[l][...] = rng.uniform(-a, a, net.W[l].shape)
        net.b[l][...] = rng.uniform(-0.1, 0.1, net.b[l].shape)
    if net.activated:
        net.b_in[...] = rng.uniform(-0.1, 0.1, net.b_in.shape)
    return net.flat()


def synthetic(cfg, rows, rng, targets):
    n0, nL = cfg['sizes'][0], cfg['sizes'][-1]
    X = rng.uniform(-1.0, 1.0, (rows, n0))
    if targets == 'unit':  # in [0, 1] (sigmoid outputs)
        Y = rng.uniform(0.0, 1.0, (rows, nL))
    elif targets == 'signed':  # in (−1, 1) (tanh or linear outputs)
        Y = rng.uniform(-0.9, 0.9, (rows, nL))
    elif targets == 'one-hot':
        Y = np.eye(nL)[rng.integers(0, nL, rows)]
    elif targets == 'soft':  # probability rows
        Y = rng.dirichlet(np.ones(nL), rows)
    else:
        raise ValueError(targets)
    return X, Y


def digits(rows):
    raw = np.loadtxt(DIGITS, delimiter=',', skiprows=1, max_rows=rows)
    X = raw[:, :64] / 16.0
    Y = np.eye(10)[raw[:, 64].astype(int)]
    return X, Y


# --- the fixtures --------------------------------------------------------------------------------

SGD = {'type': 'sgd'}

FIXTURES = [
    # name, description, config, data
    ('digits-64-32-10-sigmoid-mse-b16',
     'workload W2: digits 64-32-10, sigmoid, mse on one-hot labels, batch 16, eta 0.5; '
     'the first 320 rows of data/digits.csv, pixels / 16',
     dict(sizes=[64, 32, 10], activations=['sigmoid', 'sigmoid', 'sigmoid'], input_activated=False,
          loss='mse', batch=16, learning_rate=0.5, bias_learning_rate=0.5, optimizer=SGD),
     ('digits', 320)),
    ('xor-2-4-1-sigmoid-mse-b1',
     'workload W1: the 4 XOR samples, 2-4-1 sigmoid, mse, per-sample training (batch 1), eta 0.5',
     dict(sizes=[2, 4, 1], activations=['sigmoid', 'sigmoid', 'sigmoid'], input_activated=False,
          loss='mse', batch=1, learning_rate=0.5, bias_learning_rate=0.5, optimizer=SGD),
     ('xor', 4)),
    ('relu-5-7-3-linear-mse-b16',
     'relu hidden layer, linear output, mse, batch 16 over 40 rows (minibatches wrap around), eta_b != eta',
     dict(sizes=[5, 7, 3], activations=['linear', 'relu', 'linear'], input_activated=False,
          loss='mse', batch=16, learning_rate=0.05, bias_learning_rate=0.02, optimizer=SGD),
     ('signed', 40)),
    ('tanh-3-9-4-2-sigmoid-mse-b1-activated',
     'tanh hidden layers, sigmoid output, mse, batch 1, input layer activated with tanh (a_0 = tanh(x + b_in))',
     dict(sizes=[3, 9, 4, 2], activations=['tanh', 'tanh', 'tanh', 'sigmoid'], input_activated=True,
          loss='mse', batch=1, learning_rate=0.3, bias_learning_rate=0.1, optimizer=SGD),
     ('unit', 25)),
    ('linear-4-6-3-softmax-ce-b16',
     'linear hidden layer, softmax output with cross-entropy on one-hot targets, batch 16',
     dict(sizes=[4, 6, 3], activations=['linear', 'linear', 'softmax'], input_activated=False,
          loss='cross-entropy', batch=16, learning_rate=0.1, bias_learning_rate=0.1, optimizer=SGD),
     ('one-hot', 48)),
    ('leaky-relu-5-7-3-softmax-ce-b1-activated',
     'leaky-relu hidden layer, softmax output with cross-entropy on soft (probability) targets, batch 1, '
     'input layer activated with leaky-relu',
     dict(sizes=[5, 7, 3], activations=['leaky-relu', 'leaky-relu', 'softmax'], input_activated=True,
          loss='cross-entropy', batch=1, learning_rate=0.05, bias_learning_rate=0.08, optimizer=SGD),
     ('soft', 30)),
    ('mixed-6-5-4-3-2-linear-mse-b7-activated',
     'relu, leaky-relu and tanh hidden layers, linear output, mse, batch 7 over 31 rows, '
     'input layer activated with sigmoid',
     dict(sizes=[6, 5, 4, 3, 2], activations=['sigmoid', 'relu', 'leaky-relu', 'tanh', 'linear'],
          input_activated=True, loss='mse', batch=7, learning_rate=0.05, bias_learning_rate=0.05,
          optimizer=SGD),
     ('signed', 31)),
    ('momentum-3-9-4-2-tanh-mse-b16-activated',
     'momentum 0.9: sigmoid hidden layers, tanh output, mse, batch 16, input layer activated with sigmoid',
     dict(sizes=[3, 9, 4, 2], activations=['sigmoid', 'sigmoid', 'sigmoid', 'tanh'], input_activated=True,
          loss='mse', batch=16, learning_rate=0.05, bias_learning_rate=0.03,
          optimizer={'type': 'momentum', 'momentum': 0.9}),
     ('signed', 48)),
    ('adam-5-7-3-tanh-softmax-ce-b16',
     'Adam (beta1 0.9, beta2 0.999, epsilon 1e-8) with bias correction: tanh hidden layer, softmax output '
     'with cross-entropy on one-hot targets, batch 16',
     dict(sizes=[5, 7, 3], activations=['tanh', 'tanh', 'softmax'], input_activated=False,
          loss='cross-entropy', batch=16, learning_rate=0.01, bias_learning_rate=0.005,
          optimizer={'type': 'adam', 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-8}),
     ('one-hot', 64)),
]


def make(index, name, description, cfg, data):
    cfg = dict(cfg, steps=STEPS)
    rng = np.random.default_rng(20240 + index)
    kind, rows = data
    if kind == 'digits':
        X, Y = digits(rows)
    elif kind == 'xor':
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    else:
        X, Y = synthetic(cfg, rows, rng, kind)
    p0 = initial_parameters(cfg, rng)
    losses, grad1, after1, after_all = run(cfg, X, Y, p0)
    if not np.all(np.isfinite(after_all)):
        raise RuntimeError(f'{name}: training diverged')
    first = batch_rows(0, cfg['batch'], X.shape[0])
    fd_error = finite_difference_error(cfg, X[first], Y[first], p0, grad1)
    if fd_error > 1e-6:
        raise RuntimeError(f'{name}: the gradient disagrees with central differences ({fd_error:.2e})')
    return {
        'format': FORMAT_VERSION,
        'name': name,
        'description': description,
        'generator': f'tools/reference.py (NumPy {np.__version__}, float64)',
        'sizes': cfg['sizes'],
        'activations': cfg['activations'],
        'activations_note': 'f_0 … f_L; f_0 acts on the input layer only when input_activated',
        'input_activated': cfg['input_activated'],
        'loss': cfg['loss'],
        'batch': cfg['batch'],
        'learning_rate': cfg['learning_rate'],
        'bias_learning_rate': cfg['bias_learning_rate'],
        'optimizer': cfg['optimizer'],
        'steps': cfg['steps'],
        'batch_rule': BATCH_RULE,
        'parameter_layout': '[W_0 | b_0 | W_1 | b_1 | … | W_{L-1} | b_{L-1} | b_in], '
                            'W_l row-major n_{l+1} x n_l (row = destination neuron), b_in only if input_activated',
        'rows': int(X.shape[0]),
        'x': X.tolist(),
        'y': Y.tolist(),
        'initial_parameters': p0.tolist(),
        'losses': losses,
        'losses_note': 'mean per-sample loss of each step’s minibatch, before its update',
        'gradient_step1': grad1.tolist(),
        'gradient_note': 'the mean gradient (flat layout) of step 1’s minibatch at the initial parameters',
        'gradient_check': {'method': 'central differences of the mean loss, h = 1e-6',
                           'relative_error': fd_error},
        'parameters_step1': after1.tolist(),
        f'parameters_step{STEPS}': after_all.tolist(),
    }


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    for i, (name, description, cfg, data) in enumerate(FIXTURES):
        fixture = make(i, name, description, cfg, data)
        path = os.path.join(OUT_DIR, name + '.json')
        text = json.dumps(fixture, ensure_ascii=False, allow_nan=False) + '\n'
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        total += len(text.encode('utf-8'))
        losses = fixture['losses']
        print(f'{os.path.relpath(path, ROOT)}: {len(text) / 1024:.0f} KiB, loss {losses[0]:.6g} -> {losses[-1]:.6g}, '
              f'gradient vs central differences {fixture["gradient_check"]["relative_error"]:.1e}')
    print(f'{len(FIXTURES)} fixtures, {total / 1024:.0f} KiB')


def replay():
    """`--replay`: trains one configuration read as JSON from stdin (the fields of a fixture's
    configuration plus `x`, `y` as lists of rows and the flat `parameters`) and writes the losses and
    the flat parameters after step 1 and after the last step as JSON to stdout. The `verify` command
    of the library uses it to put NumPy beside its engines."""
    cfg = json.load(sys.stdin)
    X = np.asarray(cfg['x'], dtype=np.float64)
    Y = np.asarray(cfg['y'], dtype=np.float64)
    losses, _, after1, final = run(cfg, X, Y, np.asarray(cfg['parameters'], dtype=np.float64))
    json.dump({'numpy': np.__version__, 'losses': losses, 'parameters_step1': after1.tolist(),
               'parameters_final': final.tolist()}, sys.stdout, allow_nan=True)
    return 0


if __name__ == '__main__':
    sys.exit(replay() if '--replay' in sys.argv[1:] else main())
