"""Time skmlp against scikit-learn's MLP, per epoch, on MNIST-shaped data.

Every case runs both libraries on the same data, with the same hyperparameters,
the same ``random_state`` and the same BLAS thread count, interleaved for
``--repeats`` rounds, and reports medians as a markdown table. In every round
skmlp and scikit-learn run back to back, taking turns at going first, so each
round gives one ratio measured in one state of the machine; the table's ratio
is the median of those.

Beside each time the table gives the achieved GFLOP/s and the fraction of
numpy's own matmul speed, both counting only the matrix products a step needs
(see ``machine.py``). "numpy matmul" runs exactly these products in the same
run, so "skmlp / matmul" is the share of a perfect implementation's speed that
skmlp reaches. An L-BFGS iteration is counted as one full-batch evaluation, the
common case once the line search accepts the unit step.

Only public API is used here; ``analysis/`` builds on these pieces to bound an
epoch from below and to watch the cores. Run with ``--help`` for the options.
"""

import os
import sys
import time
import tracemalloc
import warnings
from dataclasses import dataclass
from functools import partial

import numpy as np
from sklearn import neural_network
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import skmlp

from machine import (
    environment_lines,
    make_products,
    matmul_seconds,
    product_flops,
    run_batch,
)
from rounds import Plan, markdown, parse_args, run_rounds, settings_from, unsteady_notes

LIBRARIES = {"skmlp": skmlp, "sklearn": neural_network}
N_FEATURES, N_CLASSES = 784, 10
PREDICT_TRAINING_ROWS = 2000
COLUMNS = ("case", "unit", "skmlp", "sklearn", "ratio", "target", "result")
COLUMNS += ("skmlp GFLOP/s", "sklearn GFLOP/s", "numpy matmul GFLOP/s")
COLUMNS += ("skmlp / matmul", "sklearn / matmul")
UNITS = {"epoch": "s/epoch", "lbfgs": "s/iteration", "predict": "ms/call"}
UNITS["memory"] = "MB"


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


def make_data(n_samples, random_state):
    """Return MNIST-shaped (X, y) keyed by (dtype, estimator): 784 features, 10 classes.

    The regressor's target is a noisy linear function of the classifier's X.
    """
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
    targets = {"MLPClassifier": y, "MLPRegressor": X @ coef}
    targets["MLPRegressor"] += 0.1 * rng.standard_normal(n_samples)
    return {
        (dtype, estimator): (X.astype(dtype), target)
        for dtype in ("float32", "float64")
        for estimator, target in targets.items()
    }


def layer_units(case):
    """Return (n_features, *hidden, n_outputs) of the case's network."""
    n_outputs = 1 if case.estimator == "MLPRegressor" else N_CLASSES
    return (N_FEATURES, *case.hidden, n_outputs)


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
    return data[case.dtype, case.estimator]


def quiet_fit(model, X, y):
    """Fit ``model``, hiding the ConvergenceWarning that max_iter epochs raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def fit_seconds_per_iteration(case, library, X, y, settings):
    """Return [fit seconds divided by the epochs (or iterations) the fit ran]."""
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
    """Return [the tracemalloc peak, in MB, of a fit of one epoch or iteration]."""
    model = estimator_for(case, library, settings, max_iter=1)
    tracemalloc.start()
    try:
        quiet_fit(model, X, y)
        return [tracemalloc.get_traced_memory()[1] / 2**20]
    finally:
        tracemalloc.stop()


def fit_plan(case, data, settings, extra=None):
    """Return the plan of an "epoch" or "lbfgs" case.

    ``extra(case, X, y, products, settings)``, if given, returns more measures,
    run right after the libraries in every repeat.
    """
    X, y = training_data(case, data)
    batch_size = settings.batch_size if case.kind == "epoch" else X.shape[0]
    products = make_products(X, layer_units(case), batch_size, backward=True)
    measures = {
        library: partial(fit_seconds_per_iteration, case, library, X, y, settings)
        for library in LIBRARIES
    }
    measures |= extra(case, X, y, products, settings) if extra else {}
    measures["numpy"] = partial(matmul_seconds, products)
    return Plan(measures, product_flops(layer_units(case), X.shape[0], backward=True))


def predict_plan(case, data, settings, extra=None):
    """Return the plan of a "predict" case; both models are fitted here, untimed."""
    X, y = training_data(case, data)
    X_predict = np.ascontiguousarray(X[np.arange(case.n_rows) % X.shape[0]])
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


def memory_plan(case, data, settings, extra=None):
    """Return the plan of a "memory" case."""
    X, y = training_data(case, data)
    measures = {
        library: partial(peak_fit_megabytes, case, library, X, y, settings)
        for library in LIBRARIES
    }
    return Plan(measures, None)


def run_case(case, data, settings, extra=None):
    """Return the medians and paired ratios of a case, measured interleaved."""
    planners = {"predict": predict_plan, "memory": memory_plan}
    plan = planners.get(case.kind, fit_plan)(case, data, settings, extra)
    timed = ("skmlp", "sklearn", "numpy") if case.kind in ("epoch", "lbfgs") else ()
    return run_rounds(case, plan, settings.repeats, timed)


def speed_cells(result):
    """Return the GFLOP/s and fraction-of-matmul cells of a result."""
    if result.flops is None:
        return ["-"] * 5
    seconds = [result.medians[name] for name in ("skmlp", "sklearn", "numpy")]
    gflops = [f"{result.flops / value / 1e9:.1f}" for value in seconds]
    return gflops + [f"{seconds[2] / value:.0%}" for value in seconds[:2]]


def table_row(result):
    """Return the cells of one row of the table."""
    case, medians = result.case, result.medians
    scale = 1e3 if case.kind == "predict" else 1.0
    times = [f"{medians[library] * scale:.4g}" for library in LIBRARIES]
    ratio = f"{result.ratio:.2f}"  # judged as printed: "1.00" never FAILs 1.0
    verdict = ["-", "-"]
    if case.target is not None:
        passed = float(ratio) <= case.target
        verdict = [f"<= {case.target}", "PASS" if passed else "FAIL"]
    return [case.name, UNITS[case.kind], *times, ratio, *verdict, *speed_cells(result)]


def run(args, script, extra=None):
    """Print the header, run the chosen cases with ``extra`` measures; return results.

    ``script`` is the path of the script run, for the header. Both libraries are
    fitted once on a few rows first, so that first-call costs are not timed.
    """
    repository = os.path.join(os.path.dirname(__file__), os.pardir)
    command = ["python", os.path.relpath(script, repository), *args.argv]
    settings, start = settings_from(args), time.perf_counter()
    with threadpool_limits(limits=args.threads):
        header = [f"command: {' '.join(command)}", *environment_lines()]
        print("\n".join([*header, settings.describe()]) + "\n", flush=True)
        data = make_data(settings.n_samples, settings.random_state)
        X, y = training_data(CASES[0], data)
        for library in LIBRARIES:
            quiet_fit(estimator_for(CASES[0], library, settings, 1), X[:500], y[:500])
        results = []
        for case in args.chosen:
            time.sleep(args.pause)
            case_start = time.perf_counter()
            results.append(run_case(case, data, settings, extra))
            elapsed = time.perf_counter() - case_start
            print(f"{case.name}: {elapsed:.1f} s", file=sys.stderr, flush=True)
    print(f"total time: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return results


def report(results, sections=(), flagged=()):
    """Print the main table, then ``sections``, then the notes; return the table."""
    table = markdown(COLUMNS, [table_row(result) for result in results])
    print("\n\n".join([table, *sections]))
    for note in unsteady_notes(results, flagged):
        print(note)
    return table


def main(argv=None):
    """Run the selected cases, print the header and the table; return the table."""
    return report(run(parse_args(argv, CASES, __doc__), __file__))


if __name__ == "__main__":
    main()
