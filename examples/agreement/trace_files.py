"""Reading and writing trace folders (docs/trace-format.md) for the Python examples beside this file:
the input trace's tensors, each checked against the shape its trace.json makes it, and a trace
folder written out (trace.json and one .npy file per tensor)."""
import json
import os
import sys

import numpy as np


def read_config(folder):
    """The trace.json of the trace in `folder`, and what an implementation takes from its network:
    the sizes n_0 … n_L, L, the activations f_0 … f_L (f_0 is None with an identity input layer),
    and whether the input layer is activated (z_0 = x + b_in, a_0 = f_0(z_0))."""
    with open(os.path.join(folder, 'trace.json')) as fh:
        cfg = json.load(fh)
    net = cfg['network']
    n = net['layers']
    return cfg, n, len(n) - 1, [net['inputActivation']] + net['activations'], net['inputLayer'] == 'activated'


def reader(folder, cfg, program):
    """load(name) → the tensor `name` ('x', 'initial/W0', …) of the trace in `folder` as numpy
    stores it; exits with one line naming the file (`program`: whose message it is) if it is not a
    float array of the shape trace.json makes it."""
    n = cfg['network']['layers']
    rows, L = cfg['data']['rows'], len(n) - 1
    shape_of = {'x': (rows, n[0]), 'y': (rows, n[L]), 'initial/b_in': (n[0],)}
    for l in range(L):
        shape_of[f'initial/W{l}'], shape_of[f'initial/b{l}'] = (n[l + 1], n[l]), (n[l + 1],)

    def load(name):
        path = os.path.join(folder, name + '.npy')
        array = np.load(path)
        if array.dtype.kind != 'f' or array.shape != shape_of[name]:
            sys.exit(f'{program}: {path}: {array.dtype} of shape {array.shape}; trace.json makes it float of shape {shape_of[name]}')
        return array

    return load


def write_trace(folder, cfg, tensors, producer, precision):
    """Writes a trace folder: trace.json (`cfg` with this producer and precision) and every tensor of
    `tensors` ({name: numpy array}, each saved in its own dtype, C order)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'trace.json'), 'w') as fh:
        json.dump(dict(cfg, producer=producer, precision=precision), fh, indent=1)
    for name, value in tensors.items():
        path = os.path.join(folder, name + '.npy')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        np.save(path, np.ascontiguousarray(value))
