"""Check that every core was free while each case ran, by numpy's thread speed-up.

In every round, after skmlp and scikit-learn, the case's matrix products (those
of bench_epoch.py's "numpy matmul" column) run on one thread and then on
``--threads``, back to back. With every core free the speed-up is close to the
number of threads; something else holding a core (another process, or a
hypervisor lending the core elsewhere, which neither the load average nor
/proc/stat shows) lowers it. The line under the table gives each case's lowest
speed-up over the rounds, and the notes name the cases that ran through such a
moment, whose ratios are not to be trusted. It takes bench_epoch.py's options;
``--threads`` must be above 1.
"""

import sys
from functools import partial
from pathlib import Path

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/
import bench_epoch
import rounds
from machine import matmul_seconds

FIT_CASES = tuple(case for case in bench_epoch.CASES if case.kind in ("epoch", "lbfgs"))


def thread_speedup(products, threads):
    """Return [how many times faster the products of a pass run on ``threads``]."""
    with threadpool_limits(limits=1):
        one_thread = matmul_seconds(products)[0]
    with threadpool_limits(limits=threads):
        all_threads = matmul_seconds(products)[0]
    return [one_thread / all_threads]


def speedup_measures(case, X, y, products, settings):
    """Return the thread speed-up of the case's products as a measure."""
    return {"thread speed-up": partial(thread_speedup, products, settings.threads)}


def lowest_speedups(results):
    """Return {case name: lowest thread speed-up of its rounds}."""
    return {
        result.case.name: min(result.by_repeat["thread speed-up"])
        for result in results
        if "thread speed-up" in result.by_repeat
    }


def speedup_line(results, threads):
    """Return a line giving each case's lowest thread speed-up, or "" if none."""
    cells = [f"{name} {value:.2f}" for name, value in lowest_speedups(results).items()]
    if not cells:
        return ""
    return (
        f"numpy's products on {threads} threads against one, lowest repeat "
        f"(about {threads} when every core is free): " + ", ".join(cells)
    )


def shared_core_notes(results, threads, speedup_limit=0.8):
    """Return [a note naming the cases short of a core], or [] if there are none."""
    # Compared as printed, so that a speed-up shown as the limit is not named.
    shared = [
        f"{name} ({value:.2f})"
        for name, value in lowest_speedups(results).items()
        if round(value, 2) < speedup_limit * threads
    ]
    if not shared:
        return []
    return [
        f"Not every core was free: numpy's products gained less than "
        f"{speedup_limit * threads:.1f}x from {threads} threads during "
        + ", ".join(shared)
    ]


def unsteady_notes(results, threads):
    """Return bench_epoch's notes on the results, led by the shared-core note."""
    return rounds.unsteady_notes(results, shared_core_notes(results, threads))


def main(argv=None):
    """Run the fit cases with the speed-up measure; print and return its line."""
    args = rounds.parse_args(argv, FIT_CASES, __doc__)
    if args.threads < 2:
        sys.exit("threads.py compares threads with one: give --threads 2 or more")
    results = bench_epoch.run(args, __file__, speedup_measures)
    line = speedup_line(results, args.threads)
    bench_epoch.report(results, [line], shared_core_notes(results, args.threads))
    return line


if __name__ == "__main__":
    main()
