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
evaluation, the common case once the line search accepts the unit step.

Only public API is used here; ``analysis/`` builds on these pieces to bound an
epoch from below and to watch the cores. Run with ``--help`` for the options.
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

LIBRARIES = {"skmlp": skmlp, "sklearn": neural_network}
N_FEATURES, N_CLASSES = 784, 10
PREDICT_TRAINING_ROWS = 2000
COLUMNS = ("case", "unit", "skmlp", "sklearn", "ratio", "target", "result")
COLUMNS += ("skmlp GFLOP/s", "sklearn GFLOP/s", "numpy matmul GFLOP/s")
COLUMNS += ("skmlp / matmul", "sklearn / matmul")
UNITS = {"epoch": "s/epoch", "lbfgs": "s/iteration", "predict": "ms/call"}
UNITS["memory"] = "MB"
# Result attribute, the limit above which a case is named, its format, the note.
UNSTEADY = (
    ("other_cores", 0.1, "{:.2f}", "Cores used by other processes meanwhile: "),
    ("spread", 1.3, "{:.1f}x", "Timings varied between repeats (max/min): "),
)


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
    """Callables returning samples, keyed by measure, and the FLOPs per sample."""

    measures: dict[str, Callable[[], list[float]]]
    flops: float | None


@dataclass(frozen=True)
class Result:
    """Medians of every measure's samples for one case, and how steady they were.

    ``by_repeat`` holds each measure's median in each repeat, for ratios taken
    repeat by repeat (see ``paired_ratio``). ``spread`` is the largest max/min
    of one library's timings (None where a repeat is not one timing);
    ``other_cores`` the average number of cores other processes kept busy
    meanwhile (None where /proc/stat is missing).
    """

    case: Case
    medians: dict[str, float]
    by_repeat: dict[str, list[float]]
    flops: float | None
    spread: float | None
    other_cores: float | None

    @property
    def ratio(self):
        """Return skmlp / scikit-learn, paired by repeat."""
        return paired_ratio(self.by_repeat["skmlp"], self.by_repeat["sklearn"])


def paired_ratio(numerators, denominators):
    """Return the median over repeats of numerator / denominator in one repeat.

    Measured back to back, the two sides of a repeat share the state of the
    machine, which the medians of the two alone would not.
    """
    pairs = zip(numerators, denominators, strict=True)
    return statistics.median(mine / theirs for mine, theirs in pairs)


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


def measure_order(names, repeat):
    """Return the measures of one repeat: the libraries first, in turns first."""
    libraries = list(LIBRARIES) if repeat % 2 == 0 else list(reversed(LIBRARIES))
    return libraries + [name for name in names if name not in LIBRARIES]


def run_case(case, data, settings, extra=None):
    """Return the medians and paired ratios of a case, measured interleaved."""
    planners = {"predict": predict_plan, "memory": memory_plan}
    plan = planners.get(case.kind, fit_plan)(case, data, settings, extra)
    by_repeat = {name: [] for name in plan.measures}
    before, start = others_busy_seconds(), time.perf_counter()
    for repeat in range(settings.repeats):
        for name in measure_order(plan.measures, repeat):
            by_repeat[name].append(plan.measures[name]())
    after, wall = others_busy_seconds(), time.perf_counter() - start
    others = None if before is None else max(after - before, 0.0) / wall
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
    return Result(case, medians, repeat_medians, plan.flops, spread, others)


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


def markdown(columns, rows):
    """Return a markdown table with a header of ``columns`` and lists of cells."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def unsteady_notes(results, flagged=()):
    """Return warnings naming the cases whose timings are not to be trusted.

    ``flagged`` are notes of the same kind from elsewhere, put first.
    """
    notes = list(flagged)
    for attribute, limit, text, lead in UNSTEADY:
        cases = [
            f"{result.case.name} ({text.format(value)})"
            for result in results
            if (value := getattr(result, attribute)) is not None and value > limit
        ]
        if cases:
            notes.append(lead + ", ".join(cases))
    if notes:
        notes.append("Those timings are unreliable; rerun them on a quiet machine.")
    return notes


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


def header(command, settings):
    """Return the lines describing the run: command, machine, versions, BLAS."""
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
        f"command: {command}",
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores, {usable} usable",
        f"- Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"skmlp {skmlp.__version__}",
        *blas,
        f"- BLAS environment variables: {blas_env or 'none set'}",
        f"- load average (1 min) at start: {load}",
        f"- samples: {settings.n_samples}, epochs per fit: {settings.epochs}, "
        f"L-BFGS iterations per fit: {settings.lbfgs_iter}, "
        f"batch size: {settings.batch_size}, repeats: {settings.repeats}",
    ]


def parse_args(argv=None, cases=CASES, description=__doc__):
    """Return the parsed command line (default sys.argv), ``--cases`` among ``cases``.

    ``chosen`` holds the chosen cases, ``argv`` the arguments as given.
    """
    argv = sys.argv[1:] if argv is None else argv
    names = [case.name for case in cases]
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    add = parser.add_argument
    add("--cases", default=",".join(names), help=f"comma-separated, from: {names}")
    add("--quick", action="store_true", help="small smoke run")
    add("--threads", type=int, default=2, help="BLAS threads")
    add("--repeats", type=int, default=3)
    add("--epochs", type=int, help="default 3, or 2 with --quick")
    add("--lbfgs-iter", type=int, help="default 10, or 3 with --quick")
    add("--n-samples", type=int, help="default 60000, 2000 with --quick")
    add("--batch-size", type=int, default=200)
    add("--pause", type=float, default=0.0, help="seconds of rest before each case")
    args = parser.parse_args(argv)
    unknown = set(args.cases.split(",")) - set(names)
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}; choose from {names}")
    args.chosen = [case for case in cases if case.name in args.cases.split(",")]
    args.argv = argv
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


def run(args, script, extra=None):
    """Print the header, run the chosen cases with ``extra`` measures; return results.

    ``script`` is the path of the script run, for the header. Both libraries are
    fitted once on a few rows first, so that first-call costs are not timed.
    """
    repository = os.path.join(os.path.dirname(__file__), os.pardir)
    command = ["python", os.path.relpath(script, repository), *args.argv]
    settings, start = settings_from(args), time.perf_counter()
    with threadpool_limits(limits=args.threads):
        print("\n".join(header(" ".join(command), settings)) + "\n", flush=True)
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
    return report(run(parse_args(argv), __file__))


if __name__ == "__main__":
    main()
