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

With ``--namespace torch --device cuda`` (or ``cpu``) the script times other
cases instead: skmlp on the torch device against skmlp on numpy, the same fits
taking turns at going first in every round, reported as torch / numpy (see
``compare_devices``). It skips them, with a line saying so and exit status 0,
where torch or the device is unavailable.

Only public API is used here; ``analysis/`` builds on these pieces to bound an
epoch from below and to watch the cores. Run with ``--help`` for the options.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
from sklearn import config_context, neural_network
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import skmlp

from machine import (
    environment_lines,
    make_products,
    matmul_seconds,
    others_busy_seconds,
    product_flops,
    run_batch,
)
from rounds import (
    Plan,
    markdown,
    paired_ratio,
    parse_args,
    run_rounds,
    settings_from,
    unsteady_notes,
)

LIBRARIES = {"skmlp": skmlp, "sklearn": neural_network}
N_FEATURES, N_CLASSES = 784, 10
PREDICT_TRAINING_ROWS = 2000
COLUMNS = ("case", "unit", "skmlp", "sklearn", "ratio", "target", "result")
COLUMNS += ("skmlp GFLOP/s", "sklearn GFLOP/s", "numpy matmul GFLOP/s")
COLUMNS += ("skmlp / matmul", "sklearn / matmul")
UNITS = {"epoch": "s/epoch", "lbfgs": "s/iteration", "predict": "ms/call"}
UNITS["memory"], UNITS["small"] = "MB", "s/fit"
NAMESPACES, DEVICES = ("numpy", "torch"), ("cpu", "cuda")
SIDES = ("numpy", "torch")


@dataclass(frozen=True)
class Case:
    """One row of the table: what runs, on which data, and the ratio to reach.

    ``kind`` is "epoch" (stochastic solver, seconds per epoch), "lbfgs" (seconds
    per L-BFGS iteration), "predict" (milliseconds per call on ``n_rows`` rows)
    or "memory" (tracemalloc peak of one fit, in MB), or "small" (seconds of a
    whole fit of ``n_calls`` epochs on iris, defaults otherwise). ``batch_size``, where
    set, replaces the ``--batch-size`` option (the device cases compare two).
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
    batch_size: int | None = None


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
    Case("small-iris-adam-200", "small", dtype="float64", n_calls=200, target=0.4),
    Case("memory-lbfgs-100-f64", "memory", solver="lbfgs", dtype="float64", target=1.0),
)
# Adam in float32, the first epoch case: the solver and the precision a GPU is
# usually given. Wide layers and large batches are where a GPU is expected to pay.
DEVICE_CASES = (
    Case("adam-100-f32-b200", "epoch", batch_size=200),
    Case("adam-100-f32-b2000", "epoch", batch_size=2000),
    Case("adam-1024x1024-f32-b200", "epoch", hidden=(1024, 1024), batch_size=200),
    Case("adam-1024x1024-f32-b2000", "epoch", hidden=(1024, 1024), batch_size=2000),
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


def small_fit_seconds(case, library):
    """Return [the seconds of a whole fit on iris with the library's defaults]."""
    X, y = load_iris(return_X_y=True)
    model = getattr(LIBRARIES[library], case.estimator)(
        max_iter=case.n_calls, solver=case.solver, random_state=0
    )
    start = time.perf_counter()
    quiet_fit(model, X, y)
    return [time.perf_counter() - start]


def small_plan(case, data, settings, extra=None):
    """Return the plan of a "small" case: whole fits, where fixed costs show."""
    measures = {
        library: partial(small_fit_seconds, case, library) for library in LIBRARIES
    }
    return Plan(measures, None)


def run_case(case, data, settings, extra=None):
    """Return the medians and paired ratios of a case, measured interleaved."""
    planners = {"predict": predict_plan, "memory": memory_plan, "small": small_plan}
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


def command_line(script, argv):
    """Return the header line giving the command run, the script's path relative."""
    repository = os.path.join(os.path.dirname(__file__), os.pardir)
    command = ["python", os.path.relpath(script, repository), *argv]
    return f"command: {' '.join(command)}"


def run(args, script, extra=None):
    """Print the header, run the chosen cases with ``extra`` measures; return results.

    ``script`` is the path of the script run, for the header. Both libraries are
    fitted once on a few rows first, so that first-call costs are not timed.
    """
    settings, start = settings_from(args), time.perf_counter()
    with threadpool_limits(limits=args.threads):
        header = [command_line(script, args.argv), *environment_lines()]
        print("\n".join([*header, settings.describe()]) + "\n", flush=True)
        data = make_data(settings.n_samples, settings.random_state)
        X, y = training_data(CASES[0], data)
        for library in LIBRARIES:
            quiet_fit(estimator_for(CASES[0], library, settings, 1), X[:500], y[:500])
        results = run_each(
            args.chosen, args.pause, lambda case: run_case(case, data, settings, extra)
        )
    print(f"total time: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return results


def run_each(cases, pause, run_one):
    """Return ``run_one(case)`` of every case, resting ``pause`` s before each.

    The time each case took goes to stderr.
    """
    results = []
    for case in cases:
        time.sleep(pause)
        case_start = time.perf_counter()
        results.append(run_one(case))
        elapsed = time.perf_counter() - case_start
        print(f"{case.name}: {elapsed:.1f} s", file=sys.stderr, flush=True)
    return results


def report(results, sections=(), flagged=()):
    """Print the main table, then ``sections``, then the notes; return the table."""
    table = markdown(COLUMNS, [table_row(result) for result in results])
    print("\n\n".join([table, *sections]))
    for note in unsteady_notes(results, flagged):
        print(note)
    return table


@dataclass(frozen=True)
class DeviceResult:
    """Seconds per epoch of a device case, by side ("numpy", "torch") and round.

    ``spread`` and ``other_cores`` are those of ``rounds.Result``, for the notes.
    """

    case: Case
    by_repeat: dict[str, list[float]]
    spread: float
    other_cores: float | None

    @property
    def ratio(self):
        """Return torch / numpy, paired by round."""
        return paired_ratio(self.by_repeat["torch"], self.by_repeat["numpy"])


def torch_unavailable_reason(device):
    """Return why skmlp cannot run on torch's ``device`` here, or None if it can."""
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if device == "cuda" and not torch.cuda.is_available():
        return "torch.cuda.is_available() is False"
    return None


def rerun_with_array_api(argv):
    """Run this script again with ``argv`` and SCIPY_ARRAY_API=1; return its status."""
    # scipy reads SCIPY_ARRAY_API once, when it is first imported, and this
    # module imports scikit-learn (so scipy) at its top, before any option is
    # read. A child process started with the variable set is simpler and more
    # certain than deferring every import until the options are parsed.
    environment = {**os.environ, "SCIPY_ARRAY_API": "1"}
    command = [sys.executable, os.path.abspath(__file__), *argv]
    return subprocess.run(command, env=environment, check=False).returncode


def synchronize(device):
    """Wait until ``device`` has finished the work queued on it."""
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def torch_fit_seconds(case, X, y, settings):
    """Return [seconds per epoch of skmlp's fit on X's torch device]."""
    # A GPU runs its kernels after the calls return: the device is idle at both
    # readings of the clock, so the time is that of all the work of the fit.
    model = estimator_for(case, "skmlp", settings, settings.epochs)
    with config_context(array_api_dispatch=True):
        synchronize(X.device)
        start = time.perf_counter()
        quiet_fit(model, X, y)
        synchronize(X.device)
    return [(time.perf_counter() - start) / model.n_iter_]


def device_measures(case, X, y, settings, device):
    """Return the timed fits of skmlp on numpy and on the torch device, by side."""
    import torch

    # Moved once, untimed: data that trains on a GPU is kept there.
    X_device, y_device = (torch.asarray(array, device=device) for array in (X, y))
    return {
        "numpy": partial(fit_seconds_per_iteration, case, "skmlp", X, y, settings),
        "torch": partial(torch_fit_seconds, case, X_device, y_device, settings),
    }


def device_rounds(case, measures, repeats):
    """Return the DeviceResult of ``repeats`` rounds, the sides in turns first."""
    by_repeat = {side: [] for side in measures}
    before, start = others_busy_seconds(), time.perf_counter()
    for repeat in range(repeats):
        sides = list(measures) if repeat % 2 == 0 else list(reversed(measures))
        for side in sides:
            by_repeat[side] += measures[side]()
    after, wall = others_busy_seconds(), time.perf_counter() - start
    other_cores = None if before is None else max(after - before, 0.0) / wall
    spread = max(max(seconds) / min(seconds) for seconds in by_repeat.values())
    return DeviceResult(case, by_repeat, spread, other_cores)


def device_case_result(case, data, settings, device):
    """Return the DeviceResult of one device case, after an untimed warm-up fit."""
    settings = replace(settings, batch_size=case.batch_size)
    X, y = training_data(case, data)
    # One epoch on two batches per side first: CUDA's context, its kernels for
    # these shapes and numpy's first calls are then not timed.
    rows = 2 * settings.batch_size
    warm_up = device_measures(
        case, X[:rows], y[:rows], replace(settings, epochs=1), device
    )
    for measure in warm_up.values():
        measure()
    measures = device_measures(case, X, y, settings, device)
    return device_rounds(case, measures, settings.repeats)


def device_lines(settings, device):
    """Return the header lines of a device run: torch, the device, the work."""
    import torch

    gpu = f" ({torch.cuda.get_device_name(device)})" if device == "cuda" else ""
    return [
        f"- torch {torch.__version__} on {device}{gpu}, "
        f"{torch.get_num_threads()} CPU threads",
        f"- samples: {settings.n_samples}, epochs per fit: {settings.epochs}, "
        f"repeats: {settings.repeats}, batch size: the case's (after b in its name)",
    ]


def run_on_device(args, argv, device):
    """Print the header, run the chosen device cases; return their results."""
    import torch

    settings, start = settings_from(args), time.perf_counter()
    torch.set_num_threads(args.threads)
    with threadpool_limits(limits=args.threads):
        header = [command_line(__file__, argv), *environment_lines()]
        print("\n".join([*header, *device_lines(settings, device)]) + "\n", flush=True)
        data = make_data(settings.n_samples, settings.random_state)
        results = run_each(
            args.chosen,
            args.pause,
            lambda case: device_case_result(case, data, settings, device),
        )
    print(f"total time: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return results


def report_devices(results, device):
    """Print the device table, led by what it compares, and the notes; return it."""
    columns = ("case", "unit", "numpy cpu", f"torch {device}", "ratio")
    rows = [
        [result.case.name, "s/epoch"]
        + [f"{statistics.median(result.by_repeat[side]):.4g}" for side in SIDES]
        + [f"{result.ratio:.2f}"]
        for result in results
    ]
    table = markdown(columns, rows)
    lead = (
        f"skmlp on torch {device} against skmlp on numpy (CPU), MLPClassifier, "
        f"solver adam, float32; ratio: torch {device} / numpy cpu, paired by round"
    )
    print(f"{lead}\n\n{table}")
    for note in unsteady_notes(results):
        print(note)
    return table


def compare_devices(where, argv, rest):
    """Run the device cases on ``where.device``; return the table, or None if skipped.

    ``argv`` is the whole command line, ``rest`` it without ``--namespace`` and
    ``--device``. Where torch or the device is missing, print why and return.
    """
    args = parse_args(rest, DEVICE_CASES, __doc__)
    reason = torch_unavailable_reason(where.device)
    if reason is not None:
        print(
            f"{where.namespace} on {where.device} is unavailable ({reason}): "
            f"the {where.namespace} {where.device} figures are skipped."
        )
        return None
    if os.environ.get("SCIPY_ARRAY_API") != "1":
        raise SystemExit(rerun_with_array_api(argv))
    return report_devices(run_on_device(args, argv, where.device), where.device)


def namespace_options(argv):
    """Return the parsed ``--namespace`` and ``--device``, and the other arguments."""
    parser = argparse.ArgumentParser(add_help=False, usage=argparse.SUPPRESS)
    group = parser.add_argument_group("array namespace (bench_epoch.py only)")
    group.add_argument(
        "--namespace",
        choices=NAMESPACES,
        default="numpy",
        help="torch: time skmlp on --device against skmlp on numpy, the device cases",
    )
    group.add_argument("--device", choices=DEVICES, default="cpu", help="torch's")
    if {"-h", "--help"} & set(argv):
        print(parser.format_help())
    where, rest = parser.parse_known_args(argv)
    if where.namespace == "numpy" and where.device != "cpu":
        parser.error("numpy runs on the cpu only; add --namespace torch")
    return where, rest


def main(argv=None):
    """Run the selected cases, print the header and the table; return the table.

    With ``--namespace torch``, the device cases instead (see ``compare_devices``).
    """
    argv = sys.argv[1:] if argv is None else argv
    where, rest = namespace_options(argv)
    if where.namespace != "numpy":
        return compare_devices(where, argv, rest)
    return report(run(parse_args(rest, CASES, __doc__), __file__))


if __name__ == "__main__":
    main()
