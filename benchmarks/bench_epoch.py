"""Time skmlp against scikit-learn's MLP, per epoch, on MNIST-shaped data.

Every case runs both libraries on the same data, with the same hyperparameters,
the same ``random_state`` and the same BLAS thread count, interleaved for
``--repeats`` rounds, and reports medians as a markdown table. In every round
skmlp and scikit-learn run back to back, taking turns at going first, so each
round gives one ratio measured in one state of the machine; the table's ratio
is the median of those.

Beside each time the table gives the achieved GFLOP/s and the fraction of
numpy's own matmul speed. Both count only the matrix products a step needs,
2 m k n floating point operations each; per batch of n rows and layers
l = 1..L with W_l of shape (k_l, n_l) these are::

    forward   a_{l-1} @ W_l          for every layer      (n, k_l) @ (k_l, n_l)
    backward  a_{l-1}.T @ delta_l    for every layer      (k_l, n) @ (n, n_l)
              delta_l @ W_l.T        for l > 1 (no delta for the input X)

"numpy matmul" runs exactly these products with ``np.matmul(..., out=...)`` in
the same run, so "skmlp / matmul" is the share of a perfect implementation's
speed that skmlp reaches. An L-BFGS iteration is counted as one full-batch
evaluation, the common case once the line search accepts the unit step, so
extra line-search evaluations lower the GFLOP/s of both libraries alike.

For the epoch cases a second table adds up a lower bound on an epoch, from
parts measured alone in the same run, each done once per batch by scikit-learn
and skmlp alike: the products at numpy's speed on a batch in cache, copying
each shuffled batch out of X (``np.take`` into a reused buffer), skmlp's
optimiser update of every parameter, and the elementwise layer work written as
one numpy call per formula (bias, relu and its derivative, softmax or identity
output, output delta, loss, intercept gradients, L2 term). Comparing that bound
with scikit-learn's epoch shows which targets no numpy implementation of the
same training can reach. Beside the bound, the same table times the lean loop
of ``lean_loop.py``: the same training written as straight-line numpy calls,
which shows what numpy reaches with the parts run together, and how much of
skmlp's time its own code adds. Its ratios too are taken repeat by repeat.

Run ``python benchmarks/bench_epoch.py --help`` for the options.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import chain, pairwise

import numpy as np
import scipy
import sklearn
from sklearn import neural_network
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

import skmlp
from skmlp._network import ParameterLayout, initial_params
from skmlp._optimizers import OPTIMIZERS
from skmlp._threads import scipy_blas_on_one_thread
from skmlp._vectors import add_scaled

from lean_loop import lean_epoch, output_loss_sum

LIBRARIES = {"skmlp": skmlp, "sklearn": neural_network}
N_FEATURES, N_CLASSES = 784, 10
PREDICT_TRAINING_ROWS = 2000
COLUMNS = (
    "case",
    "unit",
    "skmlp",
    "sklearn",
    "ratio",
    "target",
    "result",
    "skmlp GFLOP/s",
    "sklearn GFLOP/s",
    "numpy matmul GFLOP/s",
    "skmlp / matmul",
    "sklearn / matmul",
)
FLOOR_COLUMNS = (
    "case",
    "products at numpy speed",
    "+ gather",
    "+ update",
    "+ layer work",
    "floor",
    "sklearn",
    "floor / sklearn",
    "target",
    "skmlp / floor",
    "lean loop",
    "lean / sklearn",
    "skmlp / lean",
)
FLOOR_PARTS = ("products", "gather", "update", "layer work")


@dataclass(frozen=True)
class Case:
    """One row of the table: what runs, on which data, and the ratio to reach.

    ``kind`` is "epoch" (stochastic solver, seconds per epoch), "lbfgs" (seconds
    per L-BFGS iteration), "predict" (milliseconds per call on ``n_rows`` rows)
    or "memory" (tracemalloc peak of one fit, in MB).
    """

    name: str
    kind: str
    solver: str = "adam"
    hidden: tuple[int, ...] = (100,)
    dtype: str = "float32"
    estimator: str = "MLPClassifier"
    n_rows: int = 0
    n_calls: int = 0
    target: float | None = None


CASES = (
    Case("adam-100-f32", "epoch", target=0.5),
    Case("adam-100-f64", "epoch", dtype="float64", target=0.6),
    Case("sgd-100-f32", "epoch", solver="sgd", target=0.5),
    Case("sgd-100-f64", "epoch", solver="sgd", dtype="float64", target=0.6),
    Case("adam-256x128-f32", "epoch", hidden=(256, 128), target=0.6),
    Case("adam-256x128-f64", "epoch", hidden=(256, 128), dtype="float64"),
    Case("regressor-adam-100-f64", "epoch", dtype="float64", estimator="MLPRegressor"),
    Case("lbfgs-100-f64", "lbfgs", solver="lbfgs", dtype="float64", target=0.9),
    Case(
        "predict-1row", "predict", dtype="float64", n_rows=1, n_calls=2000, target=0.5
    ),
    Case("predict-10k", "predict", dtype="float64", n_rows=10_000, n_calls=20),
    Case("memory-adam-100-f32", "memory", target=1.0),
    Case("memory-lbfgs-100-f64", "memory", solver="lbfgs", dtype="float64", target=1.0),
)
UNITS = {
    "epoch": "s/epoch",
    "lbfgs": "s/iteration",
    "predict": "ms/call",
    "memory": "MB",
}


@dataclass(frozen=True)
class Settings:
    """How much work each case does; the same for both libraries."""

    n_samples: int
    epochs: int
    lbfgs_iter: int
    repeats: int
    batch_size: int
    call_fraction: float
    threads: int = 1
    random_state: int = 0


@dataclass(frozen=True)
class Data:
    """MNIST-shaped inputs in both dtypes, class labels and a regression target."""

    X: dict
    y: np.ndarray
    y_regression: np.ndarray


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


@dataclass(frozen=True)
class Plan:
    """Callables returning samples, keyed by library, and the FLOPs per sample."""

    measures: dict[str, Callable[[], list[float]]]
    flops: float | None


@dataclass(frozen=True)
class Result:
    """Medians of every library's samples for one case, and how steady they were.

    ``by_repeat`` holds the median of each measure in each repeat, from which
    ratios are taken repeat by repeat (see ``paired_ratio``). ``spread`` is the
    largest max/min over one library's per-repeat timings (None for cases that
    do not time one sample per repeat); ``other_cores`` is the average number of
    cores that other processes kept busy meanwhile (None where /proc/stat is
    missing); ``thread_speedup`` is the lowest over repeats of how many times
    faster numpy's products ran on all threads than on one (None with one
    thread).
    """

    case: Case
    medians: dict[str, float]
    by_repeat: dict[str, list[float]]
    flops: float | None
    spread: float | None
    other_cores: float | None
    thread_speedup: float | None = None

    def per_repeat(self, name):
        """Return a measure's value in each repeat; "floor" sums FLOOR_PARTS."""
        if name == "floor":
            parts = zip(*(self.by_repeat[part] for part in FLOOR_PARTS), strict=True)
            return [sum(values) for values in parts]
        return self.by_repeat[name]

    def paired_ratio(self, numerator, denominator):
        """Return the median over repeats of numerator / denominator in one repeat.

        Measured back to back, the two sides of each repeat share the state of
        the machine, which the medians of the two alone would not.
        """
        pairs = zip(
            self.per_repeat(numerator), self.per_repeat(denominator), strict=True
        )
        return statistics.median(mine / theirs for mine, theirs in pairs)

    @property
    def ratio(self):
        """Return skmlp / scikit-learn, paired by repeat."""
        return self.paired_ratio("skmlp", "sklearn")


def make_data(n_samples, random_state):
    """Return synthetic MNIST-shaped data: 784 features, 10 classes."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=N_FEATURES,
        n_informative=64,
        n_redundant=0,
        n_classes=N_CLASSES,
        n_clusters_per_class=1,
        random_state=random_state,
    )
    rng = np.random.default_rng(random_state)
    coef = rng.standard_normal(N_FEATURES) / np.sqrt(N_FEATURES)
    y_regression = X @ coef + 0.1 * rng.standard_normal(n_samples)
    X_by_dtype = {"float64": X, "float32": X.astype(np.float32)}
    return Data(X_by_dtype, y, y_regression)


def layer_units(case):
    """Return (n_features, *hidden, n_outputs) of the case's network."""
    n_outputs = 1 if case.estimator == "MLPRegressor" else N_CLASSES
    return (N_FEATURES, *case.hidden, n_outputs)


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
    coefs = [
        (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(X.dtype)
        for shape in shapes
    ]
    buffers = [rng.random((batch_size, n), dtype=np.float64) for n in units[1:]]
    return Products(
        X=X,
        batch_size=batch_size,
        coefs=coefs,
        coef_grads=[np.empty_like(W) for W in coefs],
        activations=[buffer.astype(X.dtype) for buffer in buffers],
        deltas=[buffer.astype(X.dtype) for buffer in buffers],
        backward=backward,
    )


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
    """Return the seconds numpy takes for the products of one pass over X."""
    n_samples, batch_size = products.X.shape[0], products.batch_size
    start = time.perf_counter()
    for first in range(0, n_samples, batch_size):
        run_batch(products, products.X[first : first + batch_size])
    return [time.perf_counter() - start]


def thread_speedup(products, threads):
    """Return [how many times faster the products of a pass run on ``threads``].

    Measured against one thread, back to back: with every core free this is
    close to ``threads``, and lower while something else holds a core.
    """
    with threadpool_limits(limits=1):
        one_thread = matmul_seconds(products)[0]
    with threadpool_limits(limits=threads):
        all_threads = matmul_seconds(products)[0]
    return [one_thread / all_threads]


def cached_matmul_seconds(products, n_batches):
    """Return the seconds of an epoch's products, every batch being one in cache.

    During training the products read the batch just gathered, so the floor
    counts reading X from memory once, in the gather, and not again here.
    """
    X_batch = np.ascontiguousarray(products.X[: products.batch_size])
    start = time.perf_counter()
    for _ in range(n_batches):
        run_batch(products, X_batch)
    return [time.perf_counter() - start]


def gather_seconds(X, y, batch_size, random_state):
    """Return the seconds taken to copy every batch of a shuffled epoch out of X."""
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
    """Return the seconds of one epoch of skmlp's optimiser steps, run alone."""
    units = layer_units(case)
    n_params = sum(k * n + n for k, n in pairwise(units))
    n_batches = -(-X.shape[0] // settings.batch_size)
    # The estimator carries the hyperparameters the optimiser reads.
    hyperparameters = estimator_for(case, "skmlp", settings, max_iter=1)
    optimizer = OPTIMIZERS[case.solver](n_params, X.dtype, hyperparameters)
    rng = np.random.default_rng(settings.random_state)
    params = rng.standard_normal(n_params).astype(X.dtype)
    grads = (1e-3 * rng.standard_normal(n_params)).astype(X.dtype)
    with scipy_blas_on_one_thread():  # as during fit
        start = time.perf_counter()
        for _ in range(n_batches):
            optimizer.step(params, grads)
        return [time.perf_counter() - start]


def layer_work_seconds(case, products, n_batches, alpha=1e-4):
    """Return the seconds of an epoch's elementwise layer work, run alone.

    One numpy call per formula, on the batch buffers of ``products`` (which stay
    in cache, as during training): everything a step computes besides the
    matrix products and the optimiser update.
    """
    activations, deltas, n_rows = (
        products.activations,
        products.deltas,
        products.batch_size,
    )
    intercepts = [np.zeros(a.shape[1], dtype=a.dtype) for a in activations]
    intercept_grads = [np.empty_like(b) for b in intercepts]
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
            A = activations[-1]
            output_loss_sum(A, Y)
            np.subtract(A, Y, out=deltas[-1])
            deltas[-1] /= n_rows
            for layer in reversed(range(len(deltas))):
                np.sum(deltas[layer], axis=0, out=intercept_grads[layer])
                if layer > 0:
                    deltas[layer - 1] *= activations[layer - 1] > 0
            add_scaled(coef_grads, alpha / n_rows, coefs)
            float(coefs @ coefs)
        return [time.perf_counter() - start]


def lean_fit(case, X, y, settings):
    """Train with ``lean_epoch`` what skmlp's fit of the case trains.

    Same initial weights, same shuffled orders, same optimiser and penalty, so
    the loop ends at fit's weights. Returns (parameters, seconds per epoch).
    """
    units = layer_units(case)
    random_state = np.random.RandomState(settings.random_state)
    params = initial_params(ParameterLayout(units), "relu", random_state, X.dtype)
    hyperparameters = estimator_for(case, "skmlp", settings, max_iter=1)
    optimizer = OPTIMIZERS[case.solver](params.size, X.dtype, hyperparameters)
    if case.estimator == "MLPClassifier":
        Y = y[:, np.newaxis] == np.unique(y)
    else:
        Y = y.astype(X.dtype)[:, np.newaxis]
    order = np.arange(X.shape[0])
    alpha, batch_size = hyperparameters.alpha, settings.batch_size
    with scipy_blas_on_one_thread():  # as during fit
        start = time.perf_counter()
        for _ in range(settings.epochs):
            # Every epoch permutes the previous order, as fit does.
            order = order[random_state.permutation(len(order))]
            lean_epoch(X, Y, order, params, optimizer, units, batch_size, alpha)
        seconds = time.perf_counter() - start
    return params, seconds / settings.epochs


def lean_loop_seconds(case, X, y, settings):
    """Return [seconds per epoch of the lean loop], training what fit trains."""
    return [lean_fit(case, X, y, settings)[1]]


def estimator_for(case, library, settings, max_iter):
    """Return an unfitted ``library`` estimator configured for ``case``."""
    params = {
        "hidden_layer_sizes": case.hidden,
        "solver": case.solver,
        "batch_size": settings.batch_size,
        "max_iter": max_iter,
        "tol": 0.0,
        "n_iter_no_change": 10**9,
        "random_state": settings.random_state,
    }
    if case.solver == "sgd":
        params.update(momentum=0.9, nesterovs_momentum=True)
    return getattr(LIBRARIES[library], case.estimator)(**params)


def training_data(case, data):
    """Return the (X, y) the case trains on."""
    y = data.y_regression if case.estimator == "MLPRegressor" else data.y
    return data.X[case.dtype], y


def quiet_fit(model, X, y):
    """Fit ``model``, hiding the ConvergenceWarning that max_iter epochs raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def fit_seconds_per_iteration(case, library, X, y, settings):
    """Return fit seconds divided by the epochs (or iterations) the fit ran."""
    max_iter = settings.epochs if case.kind == "epoch" else settings.lbfgs_iter
    model = estimator_for(case, library, settings, max_iter)
    start = time.perf_counter()
    quiet_fit(model, X, y)
    return [(time.perf_counter() - start) / model.n_iter_]


def call_seconds(function, n_calls):
    """Return the duration in seconds of each of ``n_calls`` calls of ``function``."""
    durations = []
    for _ in range(n_calls):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return durations


def peak_fit_megabytes(case, library, X, y, settings):
    """Return the tracemalloc peak, in MB, of one fit of one epoch or iteration."""
    model = estimator_for(case, library, settings, max_iter=1)
    tracemalloc.start()
    try:
        quiet_fit(model, X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return [peak / 2**20]


def fit_plan(case, data, settings):
    """Return the plan of an "epoch" or "lbfgs" case."""
    X, y = training_data(case, data)
    batch_size = settings.batch_size if case.kind == "epoch" else X.shape[0]
    products = make_products(X, layer_units(case), batch_size, backward=True)
    measures = {
        library: partial(fit_seconds_per_iteration, case, library, X, y, settings)
        for library in LIBRARIES
    }
    if case.kind == "epoch":
        # Right after the libraries, so that their ratios to it pair closely.
        measures["lean loop"] = partial(lean_loop_seconds, case, X, y, settings)
    measures["numpy"] = partial(matmul_seconds, products)
    if case.kind == "epoch":
        batch_size, seed = settings.batch_size, settings.random_state
        measures["gather"] = partial(gather_seconds, X, y, batch_size, seed)
        measures["update"] = partial(update_seconds, case, X, settings)
        n_batches = -(-X.shape[0] // batch_size)
        measures["products"] = partial(cached_matmul_seconds, products, n_batches)
        measures["layer work"] = partial(layer_work_seconds, case, products, n_batches)
    if settings.threads > 1:
        measures["thread speed-up"] = partial(
            thread_speedup, products, settings.threads
        )
    return Plan(measures, product_flops(layer_units(case), X.shape[0], backward=True))


def predict_plan(case, data, settings):
    """Return the plan of a "predict" case; both models are fitted here, untimed."""
    X, y = training_data(case, data)
    rows = np.arange(case.n_rows) % X.shape[0]
    X_predict = np.ascontiguousarray(X[rows])
    n_calls = max(3, round(case.n_calls * settings.call_fraction))
    measures = {}
    for library in LIBRARIES:
        model = estimator_for(case, library, settings, max_iter=1)
        quiet_fit(model, X[:PREDICT_TRAINING_ROWS], y[:PREDICT_TRAINING_ROWS])
        measures[library] = partial(
            call_seconds, partial(model.predict, X_predict), n_calls
        )
    products = make_products(X_predict, layer_units(case), case.n_rows, backward=False)
    measures["numpy"] = partial(
        call_seconds, partial(run_batch, products, X_predict), n_calls
    )
    return Plan(measures, product_flops(layer_units(case), case.n_rows, backward=False))


def memory_plan(case, data, settings):
    """Return the plan of a "memory" case."""
    X, y = training_data(case, data)
    measures = {
        library: partial(peak_fit_megabytes, case, library, X, y, settings)
        for library in LIBRARIES
    }
    return Plan(measures, None)


def cpu_seconds():
    """Return (busy CPU seconds of the machine, of this process), or None.

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
    return busy, sum(os.times()[:2])


def other_cores(before, after, wall_seconds):
    """Return the average number of cores other processes used between two reads."""
    if before is None or after is None:
        return None
    others = (after[0] - before[0]) - (after[1] - before[1])
    return max(others, 0.0) / wall_seconds


def measure_order(names, repeat):
    """Return the measures of one repeat: the libraries first, in turns first."""
    libraries = list(LIBRARIES) if repeat % 2 == 0 else list(reversed(LIBRARIES))
    return libraries + [name for name in names if name not in LIBRARIES]


def run_case(case, data, settings):
    """Return the medians and the paired ratio of a case, measured interleaved."""
    planners = {"predict": predict_plan, "memory": memory_plan}
    plan = planners.get(case.kind, fit_plan)(case, data, settings)
    by_repeat = {name: [] for name in plan.measures}
    before, start = cpu_seconds(), time.perf_counter()
    for repeat in range(settings.repeats):
        for name in measure_order(plan.measures, repeat):
            by_repeat[name].append(plan.measures[name]())
    others = other_cores(before, cpu_seconds(), time.perf_counter() - start)
    samples = {name: list(chain(*lists)) for name, lists in by_repeat.items()}
    medians = {name: statistics.median(values) for name, values in samples.items()}
    repeat_medians = {
        name: [statistics.median(values) for values in lists]
        for name, lists in by_repeat.items()
    }
    spread = None
    if case.kind in ("epoch", "lbfgs"):
        timed = [samples[name] for name in ("skmlp", "sklearn", "numpy")]
        spread = max(max(values) / min(values) for values in timed)
    speedups = samples.get("thread speed-up")
    speedup = min(speedups) if speedups else None
    return Result(case, medians, repeat_medians, plan.flops, spread, others, speedup)


def warm_up(data, settings):
    """Fit both libraries once on a few rows so first-call costs are not timed."""
    X, y = training_data(CASES[0], data)
    for library in LIBRARIES:
        model = estimator_for(CASES[0], library, settings, max_iter=1)
        quiet_fit(model, X[:500], y[:500])


def format_value(case, seconds_or_mb):
    """Return a median in the case's unit, with four significant digits."""
    scale = 1e3 if case.kind == "predict" else 1.0
    return f"{seconds_or_mb * scale:.4g}"


def speed_cells(result):
    """Return the GFLOP/s and fraction-of-matmul cells of a result."""
    if result.flops is None:
        return ["-"] * 5
    seconds = [result.medians[name] for name in ("skmlp", "sklearn", "numpy")]
    gflops = [f"{result.flops / value / 1e9:.1f}" for value in seconds]
    fractions = [f"{seconds[2] / value:.0%}" for value in seconds[:2]]
    return gflops + fractions


def table_row(result):
    """Return the cells of one row of the table."""
    case, medians = result.case, result.medians
    # The verdict reads the ratio as printed, so "1.00" never shows as FAIL.
    ratio = f"{result.ratio:.2f}"
    if case.target is None:
        target, verdict = "-", "-"
    else:
        target = f"<= {case.target}"
        verdict = "PASS" if float(ratio) <= case.target else "FAIL"
    return [
        case.name,
        UNITS[case.kind],
        format_value(case, medians["skmlp"]),
        format_value(case, medians["sklearn"]),
        ratio,
        target,
        verdict,
        *speed_cells(result),
    ]


def markdown(columns, rows):
    """Return a markdown table with a header of ``columns`` and lists of cells."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def markdown_table(results):
    """Return the results as a markdown table, one row per case."""
    return markdown(COLUMNS, [table_row(result) for result in results])


def floor_row(result):
    """Return the cells of an epoch case's row in the lower-bound table."""
    medians, target = result.medians, result.case.target
    parts = [medians[name] for name in FLOOR_PARTS]
    return [
        result.case.name,
        *(f"{seconds:.4g} s" for seconds in parts),
        f"{sum(parts):.4g} s",
        f"{medians['sklearn']:.4g} s",
        f"{result.paired_ratio('floor', 'sklearn'):.2f}",
        "-" if target is None else f"<= {target}",
        f"{result.paired_ratio('skmlp', 'floor'):.2f}",
        f"{medians['lean loop']:.4g} s",
        f"{result.paired_ratio('lean loop', 'sklearn'):.2f}",
        f"{result.paired_ratio('skmlp', 'lean loop'):.2f}",
    ]


def floor_table(results):
    """Return the lower-bound table of the epoch cases, or "" if there are none."""
    rows = [floor_row(result) for result in results if result.case.kind == "epoch"]
    return markdown(FLOOR_COLUMNS, rows) if rows else ""


def speedup_line(results, threads):
    """Return a line giving each case's lowest thread speed-up, or "" if none."""
    cells = [
        f"{result.case.name} {result.thread_speedup:.2f}"
        for result in results
        if result.thread_speedup is not None
    ]
    if not cells:
        return ""
    return (
        f"numpy's products on {threads} threads against one, lowest repeat "
        f"(about {threads} when every core is free): " + ", ".join(cells)
    )


def flagged_cases(results, attribute, is_flagged, text):
    """Return "case (text of value)" for each result whose ``attribute`` is flagged."""
    return [
        f"{result.case.name} ({text(value)})"
        for result in results
        if (value := getattr(result, attribute)) is not None and is_flagged(value)
    ]


def unsteady_notes(
    results, threads, spread_limit=1.3, cores_limit=0.1, speedup_limit=0.8
):
    """Return warnings naming the cases whose timings are not to be trusted."""
    notes = []
    # Compared as printed, so that a speed-up shown as the limit is not named.
    shared = flagged_cases(
        results,
        "thread_speedup",
        lambda speedup: round(speedup, 2) < speedup_limit * threads,
        "{:.2f}".format,
    )
    if shared:
        notes.append(
            f"Not every core was free: numpy's products gained less than "
            f"{speedup_limit * threads:.1f}x from {threads} threads during "
            + ", ".join(shared)
        )
    busy = flagged_cases(
        results, "other_cores", lambda cores: cores > cores_limit, "{:.2f}".format
    )
    if busy:
        notes.append("Cores used by other processes meanwhile: " + ", ".join(busy))
    spread = flagged_cases(
        results, "spread", lambda spread: spread > spread_limit, "{:.1f}x".format
    )
    if spread:
        notes.append("Timings varied between repeats (max/min): " + ", ".join(spread))
    if notes:
        notes.append("Those timings are unreliable; rerun them on a quiet machine.")
    return notes


def load_average():
    """Return the 1-minute load average as text, or "?" where there is none."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"


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


def blas_lines():
    """Return one line per BLAS library loaded, as threadpoolctl sees it."""
    keys = ("internal_api", "version", "architecture", "num_threads")
    return [
        "- BLAS: "
        + ", ".join(f"{key}={info.get(key)}" for key in keys)
        + f" ({os.path.basename(info['filepath'])})"
        for info in threadpool_info()
        if info["user_api"] == "blas"
    ]


def header(argv, settings):
    """Return the lines describing the run: command, machine, versions, BLAS."""
    blas_env = {
        key: value
        for key, value in os.environ.items()
        if key.startswith(("OPENBLAS_", "OMP_", "MKL_"))
    }
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        f"command: python benchmarks/bench_epoch.py {' '.join(argv)}".rstrip(),
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores, {usable} usable",
        f"- Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"skmlp {skmlp.__version__}",
        *blas_lines(),
        f"- BLAS environment variables: {blas_env or 'none set'}",
        f"- load average (1 min) at start: {load_average()}",
        f"- samples: {settings.n_samples}, epochs per fit: {settings.epochs}, "
        f"L-BFGS iterations per fit: {settings.lbfgs_iter}, "
        f"batch size: {settings.batch_size}, repeats: {settings.repeats}",
    ]


def parse_args(argv):
    """Return the parsed command line."""
    names = [case.name for case in CASES]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases", default=",".join(names), help=f"comma-separated, from: {names}"
    )
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, help="default 3, or 2 with --quick")
    parser.add_argument("--lbfgs-iter", type=int, help="default 10, or 3 with --quick")
    parser.add_argument(
        "--n-samples", type=int, help="default 60000, 2000 with --quick"
    )
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="seconds to rest before each case (a machine that slows down under "
        "sustained load then measures every case rested)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.cases.split(",")) - set(names)
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}; choose from {names}")
    return args


def settings_from(args):
    """Return the Settings the command line asks for."""
    quick = args.quick
    return Settings(
        n_samples=args.n_samples or (2000 if quick else 60_000),
        epochs=args.epochs or (2 if quick else 3),
        lbfgs_iter=args.lbfgs_iter or (3 if quick else 10),
        repeats=args.repeats,
        batch_size=args.batch_size,
        call_fraction=0.1 if quick else 1.0,
        threads=args.threads,
    )


def main(argv=None):
    """Run the selected cases, print the header and the table; return the table."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    settings = settings_from(args)
    chosen = args.cases.split(",")
    cases = [case for case in CASES if case.name in chosen]
    start = time.perf_counter()
    with threadpool_limits(limits=args.threads):
        print("\n".join(header(argv, settings)) + "\n", flush=True)
        data = make_data(settings.n_samples, settings.random_state)
        warm_up(data, settings)
        results = []
        for case in cases:
            time.sleep(args.pause)
            case_start = time.perf_counter()
            results.append(run_case(case, data, settings))
            elapsed = time.perf_counter() - case_start
            print(f"{case.name}: {elapsed:.1f} s", file=sys.stderr, flush=True)
    table = markdown_table(results)
    print(table)
    floors = floor_table(results)
    if floors:
        print(
            "\nLower bound of an epoch, from its parts measured alone, "
            "and the lean numpy loop:\n"
        )
        print(floors)
    print(f"\ntotal time: {time.perf_counter() - start:.0f} s")
    speedups = speedup_line(results, settings.threads)
    if speedups:
        print(speedups)
    for note in unsteady_notes(results, settings.threads):
        print(note)
    return table


if __name__ == "__main__":
    main()
