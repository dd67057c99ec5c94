"""Time an epoch of partial_fit over blocks of a memory map against one in memory.

The out-of-core loop of docs/scaling.rst: the training data saved with
``np.save`` and mapped with ``np.load(..., mmap_mode="r")``, and one epoch a
``partial_fit`` call per block of 10,000 rows (fewer when the data has fewer
than two such blocks), the blocks in a shuffled order. It is timed against one
``partial_fit`` call on the whole array in memory, the same epoch without
blocks, from the same starting weights. Both sides are skmlp; in every round
they run back to back, taking turns at going first, and the ratio is the median
over the rounds of streamed / in memory.

The file is read right after it is written, so it comes from the page cache:
the ratio is the cost of the blocks (a call, its input checks and its set-up
per block, and the copy out of the map), not that of the disk. It takes
bench_epoch.py's options; ``--epochs`` and ``--lbfgs-iter`` are unused, since
a row is always one epoch.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.base import is_classifier
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/
import bench_epoch
from machine import environment_lines
from rounds import markdown, paired_ratio, parse_args, settings_from

BLOCK_ROWS = 10_000
EPOCH_CASES = tuple(case for case in bench_epoch.CASES if case.kind == "epoch")
SIDES = ("in memory", "memmap blocks")
COLUMNS = ("case", "rows", "block rows", "blocks", *SIDES, "ratio")


def block_rows(n_samples):
    """Return the rows of a block: BLOCK_ROWS, or half the data if that is less."""
    return max(min(BLOCK_ROWS, n_samples // 2), 1)


def epoch_seconds(case, settings, X, y, size):
    """Return the seconds of an epoch of partial_fit, a call per block of size rows."""
    model = bench_epoch.estimator_for(case, "skmlp", settings, max_iter=1)
    classes = {"classes": np.unique(y)} if is_classifier(model) else {}
    rng = np.random.default_rng(settings.random_state)
    order = rng.permutation(np.arange(0, len(X), size))
    start_time = time.perf_counter()
    for start in order:
        model.partial_fit(X[start : start + size], y[start : start + size], **classes)
    return time.perf_counter() - start_time


def run_case(case, data, settings, folder):
    """Return the table row of one case: both epochs' medians and paired ratio."""
    X, y = bench_epoch.training_data(case, data)
    np.save(folder / "X.npy", X)
    np.save(folder / "y.npy", y)
    X_map = np.load(folder / "X.npy", mmap_mode="r")
    y_map = np.load(folder / "y.npy", mmap_mode="r")
    size = block_rows(len(X))
    measures = {
        "in memory": lambda: epoch_seconds(case, settings, X, y, len(X)),
        "memmap blocks": lambda: epoch_seconds(case, settings, X_map, y_map, size),
    }
    times = {side: [] for side in SIDES}
    for repeat in range(settings.repeats):
        for side in SIDES if repeat % 2 == 0 else reversed(SIDES):
            times[side].append(measures[side]())
    ratio = paired_ratio(times["memmap blocks"], times["in memory"])
    medians = [f"{statistics.median(times[side]):.4g} s" for side in SIDES]
    cells = [case.name, str(len(X)), str(size), str(-(-len(X) // size))]
    return [*cells, *medians, f"{ratio:.2f}"]


def main(argv=None):
    """Run the chosen epoch cases streamed and in memory; print and return the table."""
    args = parse_args(argv, EPOCH_CASES, __doc__)
    settings = settings_from(args)
    print("\n".join(environment_lines()) + "\n", flush=True)
    data = bench_epoch.make_data(settings.n_samples, settings.random_state)
    with (
        threadpool_limits(limits=args.threads),
        tempfile.TemporaryDirectory() as folder,
    ):
        # One untimed call first, so that first-call costs are not timed.
        X, y = bench_epoch.training_data(EPOCH_CASES[0], data)
        first = settings.batch_size
        epoch_seconds(EPOCH_CASES[0], settings, X[:first], y[:first], first)
        rows = [run_case(case, data, settings, Path(folder)) for case in args.chosen]
    table = markdown(COLUMNS, rows)
    print(table)
    return table


if __name__ == "__main__":
    main()
