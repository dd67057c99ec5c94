"""Bound an epoch from below: its parts timed alone, beside the lean numpy loop.

For the epoch cases this adds up a lower bound on an epoch from parts measured
alone in the same rounds as skmlp and scikit-learn, each done once per batch by
both libraries alike: the products at numpy's speed on a batch in cache,
copying each shuffled batch out of X (``np.take`` into a reused buffer),
skmlp's optimiser update of every parameter, and the elementwise layer work
written as one numpy call per formula (bias, relu and its derivative, softmax
or identity output, output delta, loss, intercept gradients, L2 term).
Comparing that bound with scikit-learn's epoch shows which targets no numpy
implementation of the same training can reach. Beside the bound, the table
gives the lean loop of ``lean_loop.py``, which runs the parts together. Every
ratio is taken round by round. It takes bench_epoch.py's options.
"""

import sys
import time
from functools import partial
from itertools import pairwise
from pathlib import Path

import numpy as np

from skmlp._threads import scipy_blas_on_one_thread
from skmlp._vectors import add_scaled

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/
import bench_epoch
from lean_loop import (
    EPOCH_CASES,
    LEAN_COLUMNS,
    lean_cells,
    lean_measures,
    output_loss_sum,
    update_rule_for,
)
from machine import run_batch
from rounds import markdown, paired_ratio, parse_args

FLOOR_PARTS = ("products", "gather", "update", "layer work")
FLOOR_COLUMNS = ("case", "products at numpy speed", "+ gather", "+ update")
FLOOR_COLUMNS += ("+ layer work", "floor", "sklearn", "floor / sklearn", "target")
FLOOR_COLUMNS += ("skmlp / floor", *LEAN_COLUMNS)


def cached_matmul_seconds(products, n_batches):
    """Return [the seconds of an epoch's products, every batch being one in cache].

    During training the products read the batch just gathered, so the floor
    counts reading X from memory once, in the gather, and not again here.
    """
    X_batch = np.ascontiguousarray(products.X[: products.batch_size])
    start = time.perf_counter()
    for _ in range(n_batches):
        run_batch(products, X_batch)
    return [time.perf_counter() - start]


def gather_seconds(X, y, batch_size, random_state):
    """Return [the seconds taken to copy every batch of a shuffled epoch out of X]."""
    order = np.random.default_rng(random_state).permutation(X.shape[0])
    X_batch = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
    y_batch = np.empty(batch_size, dtype=y.dtype)
    start = time.perf_counter()
    for first in range(0, len(order), batch_size):
        rows = order[first : first + batch_size]
        np.take(X, rows, axis=0, out=X_batch[: len(rows)], mode="clip")
        np.take(y, rows, out=y_batch[: len(rows)], mode="clip")
    return [time.perf_counter() - start]


def update_seconds(case, X, settings):
    """Return [the seconds of one epoch of skmlp's update steps, run alone]."""
    n_params = sum(k * n + n for k, n in pairwise(bench_epoch.layer_units(case)))
    n_batches = -(-X.shape[0] // settings.batch_size)
    model = bench_epoch.estimator_for(case, "skmlp", settings, settings.epochs)
    update = update_rule_for(model, n_params, X.dtype)
    rng = np.random.default_rng(settings.random_state)
    params = rng.standard_normal(n_params).astype(X.dtype)
    grads = (1e-3 * rng.standard_normal(n_params)).astype(X.dtype)
    with scipy_blas_on_one_thread():  # as during fit
        start = time.perf_counter()
        for _ in range(n_batches):
            update.step(params, grads)
        return [time.perf_counter() - start]


def layer_work_seconds(case, products, n_batches, alpha=1e-4):
    """Return [the seconds of an epoch's elementwise layer work, run alone].

    One numpy call per formula, on the batch buffers of ``products`` (which stay
    in cache, as during training): everything a step computes besides the
    matrix products and the optimiser update.
    """
    activations, deltas = products.activations, products.deltas
    n_rows = products.batch_size
    intercepts = [np.zeros(a.shape[1], dtype=a.dtype) for a in activations]
    intercept_grads = [np.empty_like(b) for b in intercepts]
    # Column sums as a product with ones: one BLAS pass, as skmlp sums them.
    ones = np.ones(n_rows, activations[0].dtype)
    coefs = np.concatenate([W.ravel() for W in products.coefs])
    coef_grads = np.zeros_like(coefs)
    classifier = case.estimator == "MLPClassifier"
    Y = np.zeros(activations[-1].shape, dtype=bool if classifier else coefs.dtype)
    Y[:, 0] = 1
    with scipy_blas_on_one_thread():
        start = time.perf_counter()
        for _ in range(n_batches):
            for a, b in zip(activations, intercepts, strict=True):
                a += b  # z = a @ W + b (the product is timed apart)
            for a in activations[:-1]:
                np.maximum(a, 0, out=a)
            output_loss_sum(activations[-1], Y)
            np.subtract(activations[-1], Y, out=deltas[-1])
            deltas[-1] /= n_rows
            for layer in reversed(range(len(deltas))):
                np.matmul(ones, deltas[layer], out=intercept_grads[layer])
                if layer > 0:
                    deltas[layer - 1] *= activations[layer - 1] > 0
            add_scaled(coef_grads, alpha / n_rows, coefs)
            float(coefs @ coefs)
        return [time.perf_counter() - start]


def floor_measures(case, X, y, products, settings):
    """Return the lean loop (first, to pair closely) and the parts of the floor."""
    n_batches = -(-X.shape[0] // settings.batch_size)
    seed = settings.random_state
    return {
        **lean_measures(case, X, y, products, settings),
        "gather": partial(gather_seconds, X, y, settings.batch_size, seed),
        "update": partial(update_seconds, case, X, settings),
        "products": partial(cached_matmul_seconds, products, n_batches),
        "layer work": partial(layer_work_seconds, case, products, n_batches),
    }


def floor_row(result):
    """Return the cells of an epoch case's row in the lower-bound table."""
    medians, by_repeat, target = result.medians, result.by_repeat, result.case.target
    parts = [medians[name] for name in FLOOR_PARTS]
    floors = [
        sum(values) for values in zip(*map(by_repeat.get, FLOOR_PARTS), strict=True)
    ]
    return [
        result.case.name,
        *(f"{seconds:.4g} s" for seconds in [*parts, sum(parts), medians["sklearn"]]),
        f"{paired_ratio(floors, by_repeat['sklearn']):.2f}",
        "-" if target is None else f"<= {target}",
        f"{paired_ratio(by_repeat['skmlp'], floors):.2f}",
        *lean_cells(result),
    ]


def main(argv=None):
    """Run the epoch cases with the parts of the floor; return the floor table."""
    args = parse_args(argv, EPOCH_CASES, __doc__)
    results = bench_epoch.run(args, __file__, floor_measures)
    table = markdown(FLOOR_COLUMNS, [floor_row(r) for r in results])
    title = "Lower bound of an epoch, from its parts measured alone, "
    bench_epoch.report(results, [title + "and the lean numpy loop:", table])
    return table


if __name__ == "__main__":
    main()
