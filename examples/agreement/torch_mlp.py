#!/usr/bin/env python3
"""An independent implementation of the training a trace describes, in PyTorch: torch.nn.Linear
layers, gradients by autograd (loss.backward()), updates by torch.optim. It reads a trace folder's
configuration (trace.json), data (x.npy, y.npy) and initial parameters (initial/), trains the same
minibatches, and writes its own trace folder (docs/trace-format.md) for `wasm-backprop compare`.

    python3 examples/agreement/torch_mlp.py <trace folder to read> <trace folder to write> [--precision f32|f64]

It computes in the trace's precision (float32 for an f32 trace, float64 for f64) unless --precision
says otherwise. Needs numpy and torch (CPU).

How the trace's conventions (docs/trace-format.md) map onto PyTorch's:

- torch.nn.Linear holds its weight as out_features × in_features and computes x·Wᵀ + b: the trace's
  W_l (row = destination neuron) as it is.
- The loss is the mean over the minibatch's rows of each row's loss: ½ Σ_k (a_k − y_k)² for mse,
  written out because torch's MSELoss has no ½ and divides by rows × outputs; for cross-entropy,
  F.cross_entropy(z_L, Y) with the one-hot rows of Y as class probabilities (its softmax is the
  output activation, so a_L = softmax(z_L)).
- δ_l is ∂L/∂z_l of each row's own loss. Autograd differentiates the mean over r rows, so
  z_l.grad (kept with retain_grad) is δ_l / r: the trace's δ_l is r · z_l.grad. The gradients
  W_l.grad and b_l.grad are the means the trace records.
- leaky-relu: torch's default negative slope is 0.01, ours; relu′(0) = 0 in both.
- Updates: torch.optim with two parameter groups, η for the weights and η_b for every bias.
  SGD is p −= η·g in both. Momentum: torch keeps v = μ·v + g and steps p −= η·v, where the trace's
  convention keeps v = μ·v − η·g and steps p += v; with a constant η the two are the same sequence of
  parameters (torch's v is ours divided by −η), rounded in another order. Adam: torch's update is
  p −= (η / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε), ours written with m̂ and v̂: the same formula,
  ε added after the square root in both. So torch.optim is used as it is, for all three.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

from trace_files import read_config, reader, write_trace

ACTIVATIONS = {
    'sigmoid': torch.sigmoid,
    'tanh': torch.tanh,
    'relu': torch.relu,
    'leaky-relu': lambda z: F.leaky_relu(z, 0.01),
    'linear': lambda z: z,
    'softmax': lambda z: torch.softmax(z, dim=1),
}


def train(folder_in, folder_out, precision=None):
    torch.set_num_threads(1)
    cfg, n, L, f, activated = read_config(folder_in)  # f: f_0 … f_L
    net = cfg['network']
    precision = precision or cfg['precision']
    dtype = torch.float32 if precision == 'f32' else torch.float64
    read = reader(folder_in, cfg, 'torch_mlp.py')
    load = lambda name: torch.from_numpy(read(name)).to(dtype)
    x, y = load('x'), load('y')

    layers = torch.nn.ModuleList(torch.nn.Linear(n[l], n[l + 1], dtype=dtype) for l in range(L))
    with torch.no_grad():
        for l, layer in enumerate(layers):
            layer.weight.copy_(load(f'initial/W{l}'))
            layer.bias.copy_(load(f'initial/b{l}'))
    b_in = torch.nn.Parameter(load('initial/b_in')) if activated else None
    weights = [layer.weight for layer in layers]
    biases = [layer.bias for layer in layers] + ([b_in] if activated else [])
    groups = [{'params': weights, 'lr': cfg['learningRate']}, {'params': biases, 'lr': cfg['biasLearningRate']}]
    opt = cfg['optimizer']
    if opt['type'] == 'sgd':
        optimizer = torch.optim.SGD(groups)
    elif opt['type'] == 'momentum':
        optimizer = torch.optim.SGD(groups, momentum=opt['momentum'])
    else:
        optimizer = torch.optim.Adam(groups, betas=(opt['beta1'], opt['beta2']), eps=opt['epsilon'])

    # numpy arrays by name; the data as given (float64), the rest in the precision computed.
    tensors = {'x': read('x'), 'y': read('y')}

    def parameters(prefix, grad):
        for l, layer in enumerate(layers):
            tensors[f'{prefix}{"d" if grad else ""}W{l}'] = (layer.weight.grad if grad else layer.weight).detach().numpy().copy()
            tensors[f'{prefix}{"d" if grad else ""}b{l}'] = (layer.bias.grad if grad else layer.bias).detach().numpy().copy()
        if activated:
            tensors[f'{prefix}{"d" if grad else ""}b_in'] = (b_in.grad if grad else b_in).detach().numpy().copy()

    parameters('initial/', False)
    for t, rows in enumerate(cfg['batches'], start=1):
        step = f'step-{t:04d}/'
        X, Y = x[rows], y[rows]
        r = len(rows)
        optimizer.zero_grad()
        # Forward: z_0 = X + b_in, a_0 = f_0(z_0) (activated input) or a_0 = X; z_{l+1} = a_l·W_lᵀ + b_l.
        z, a = [None] * (L + 1), [None] * (L + 1)
        if activated:
            z[0] = X + b_in
            a[0] = ACTIVATIONS[f[0]](z[0])
        else:
            a[0] = X
        for l in range(L):
            z[l + 1] = layers[l](a[l])
            a[l + 1] = ACTIVATIONS[f[l + 1]](z[l + 1])
        for zl in z:
            if zl is not None:
                zl.retain_grad()
        if net['loss'] == 'cross-entropy':
            loss = F.cross_entropy(z[L], Y)  # mean over rows of −Σ_k y_k ln softmax(z)_k
        else:
            loss = 0.5 * ((a[L] - Y) ** 2).sum() / r
        loss.backward()
        for l in range(L + 1):
            if z[l] is not None:
                tensors[f'{step}z{l}'] = z[l].detach().numpy()
                tensors[f'{step}delta{l}'] = (z[l].grad * r).numpy()
            tensors[f'{step}a{l}'] = a[l].detach().numpy()
        tensors[f'{step}loss'] = np.array(loss.item(), dtype=np.float64)
        parameters(step, True)
        optimizer.step()
        parameters(step, False)

    write_trace(folder_out, cfg, tensors, f'torch {torch.__version__} (examples/agreement/torch_mlp.py)', precision)

if __name__ == '__main__':
    args = sys.argv[1:]
    precision = None
    if '--precision' in args:
        i = args.index('--precision')
        precision = args[i + 1] if i + 1 < len(args) else None
        if precision not in ('f32', 'f64'):
            sys.exit("torch_mlp.py: --precision must be 'f32' or 'f64'")
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit('usage: torch_mlp.py <trace folder to read> <trace folder to write> [--precision f32|f64]')
    train(args[0], args[1], precision)
