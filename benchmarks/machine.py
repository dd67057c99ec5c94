"""The machine the benchmarks run on: what it is, who else uses it, numpy's speed.

The speed is that of the matrix products a training step needs, counted as
2 m k n floating point operations each; per batch of n rows and layers
l = 1..L with W_l of shape (k_l, n_l) these are::

    forward   a_{l-1} @ W_l          for every layer      (n, k_l) @ (k_l, n_l)
    backward  a_{l-1}.T @ delta_l    for every layer      (k_l, n) @ (n, n_l)
              delta_l @ W_l.T        for l > 1 (no delta for the input X)

``run_batch`` runs exactly these products with ``np.matmul(..., out=...)``, the
speed a perfect numpy implementation of the training would reach.
"""

import datetime
import os
import platform
import time
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import scipy
import sklearn
from threadpoolctl import threadpool_info

import skmlp


@dataclass
class Products:
    """Operands and outputs of the matrix products of one pass over ``X``."""

    X: np.ndarray
    batch_size: int
    coefs: list
    coef_grads: list
    activations: list
    deltas: list
    backward: bool


def product_flops(units, n_rows, backward):
    """Return 2 m k n summed over the products of a pass over ``n_rows`` rows."""
    forward = sum(2 * n_rows * fan_in * fan_out for fan_in, fan_out in pairwise(units))
    if not backward:
        return forward
    # a.T @ delta costs what the forward product costs; delta @ W.T skips layer 1.
    input_deltas = sum(2 * n_rows * k * n for k, n in pairwise(units[1:]))
    return 2 * forward + input_deltas


def make_products(X, units, batch_size, backward):
    """Return random weights and preallocated buffers for the products on ``X``."""
    rng = np.random.default_rng(0)
    shapes = list(pairwise(units))
    coefs = [(rng.standard_normal(s) / np.sqrt(s[0])).astype(X.dtype) for s in shapes]
    buffers = [rng.random((batch_size, n)).astype(X.dtype) for n in units[1:]]
    coef_grads = [np.empty_like(W) for W in coefs]
    deltas = [buffer.copy() for buffer in buffers]
    return Products(X, batch_size, coefs, coef_grads, buffers, deltas, backward)


def run_batch(products, X):
    """Compute the forward (and backward) products of one batch ``X``."""
    n_rows = X.shape[0]
    activations = [X, *(buffer[:n_rows] for buffer in products.activations)]
    deltas = [buffer[:n_rows] for buffer in products.deltas]
    for layer, W in enumerate(products.coefs):
        np.matmul(activations[layer], W, out=activations[layer + 1])
    if not products.backward:
        return
    for layer in reversed(range(len(products.coefs))):
        np.matmul(activations[layer].T, deltas[layer], out=products.coef_grads[layer])
        if layer > 0:
            np.matmul(deltas[layer], products.coefs[layer].T, out=deltas[layer - 1])


def matmul_seconds(products):
    """Return [the seconds numpy takes for the products of one pass over X]."""
    n_samples, batch_size = products.X.shape[0], products.batch_size
    start = time.perf_counter()
    for first in range(0, n_samples, batch_size):
        run_batch(products, products.X[first : first + batch_size])
    return [time.perf_counter() - start]


def others_busy_seconds():
    """Return the busy CPU seconds of the machine less this process's, or None.

    Time the hypervisor stole from this machine counts as busy: it is just as
    unavailable to the benchmark.
    """
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _, _, irq, softirq, steal = fields
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    return busy - sum(os.times()[:2])


def cpu_model():
    """Return the CPU model name from /proc/cpuinfo, or the platform's guess."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment_lines():
    """Return the lines describing the machine now: date, CPU, versions, BLAS, load."""
    keys = ("internal_api", "version", "architecture", "num_threads")
    blas = [
        "- BLAS: "
        + ", ".join(f"{key}={info.get(key)}" for key in keys)
        + f" ({os.path.basename(info['filepath'])})"
        for info in threadpool_info()
        if info["user_api"] == "blas"
    ]
    prefixes = ("OPENBLAS_", "OMP_", "MKL_")
    blas_env = {k: v for k, v in os.environ.items() if k.startswith(prefixes)}
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores, {usable} usable",
        f"- Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"skmlp {skmlp.__version__}",
        *blas,
        f"- BLAS environment variables: {blas_env or 'none set'}",
        f"- load average (1 min) at start: {load}",
    ]
