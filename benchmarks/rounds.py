"""The options every benchmark script takes, its rounds of measures, and their report.

In every round skmlp and scikit-learn run back to back, taking turns at going
first, then the other measures of the case; each round so gives one ratio
measured in one state of the machine, and the reported ratio is the median of
those.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain

from machine import others_busy_seconds

# The two measures every round compares, each the time of one library.
COMPARED = ("skmlp", "sklearn")
# Result attribute, the limit above which a case is named, its format, the note.
UNSTEADY = (
    ("other_cores", 0.1, "{:.2f}", "Cores used by other processes meanwhile: "),
    ("spread", 1.3, "{:.1f}x", "Timings varied between repeats (max/min): "),
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

    def describe(self):
        """Return the header line giving the amount of work."""
        return (
            f"- samples: {self.n_samples}, epochs per fit: {self.epochs}, "
            f"L-BFGS iterations per fit: {self.lbfgs_iter}, "
            f"batch size: {self.batch_size}, repeats: {self.repeats}"
        )


@dataclass(frozen=True)
class Plan:
    """Callables returning samples, keyed by measure, and the FLOPs per sample."""

    measures: dict[str, Callable[[], list[float]]]
    flops: float | None


@dataclass(frozen=True)
class Result:
    """Medians of every measure's samples for one case, and how steady they were.

    ``case`` is the benchmark's record of the case measured. ``by_repeat``
    holds each measure's median in each repeat, for ratios taken repeat by
    repeat (see ``paired_ratio``). ``spread`` is the largest max/min of one
    library's timings (None where a repeat is not one timing); ``other_cores``
    the average number of cores other processes kept busy meanwhile (None where
    /proc/stat is missing).
    """

    case: object
    medians: dict[str, float]
    by_repeat: dict[str, list[float]]
    flops: float | None
    spread: float | None
    other_cores: float | None

    @property
    def ratio(self):
        """Return skmlp / scikit-learn, paired by repeat."""
        return paired_ratio(*(self.by_repeat[name] for name in COMPARED))


def paired_ratio(numerators, denominators):
    """Return the median over repeats of numerator / denominator in one repeat.

    Measured back to back, the two sides of a repeat share the state of the
    machine, which the medians of the two alone would not.
    """
    pairs = zip(numerators, denominators, strict=True)
    return statistics.median(mine / theirs for mine, theirs in pairs)


def measure_order(names, repeat):
    """Return the measures of one repeat: the libraries first, in turns first."""
    libraries = list(COMPARED) if repeat % 2 == 0 else list(reversed(COMPARED))
    return libraries + [name for name in names if name not in COMPARED]


def run_rounds(case, plan, repeats, timed=()):
    """Return the medians and paired ratios of ``plan``'s measures, interleaved.

    ``timed`` names the measures whose every sample is one timing of the same
    work, the ones whose spread is judged.
    """
    by_repeat = {name: [] for name in plan.measures}
    before, start = others_busy_seconds(), time.perf_counter()
    for repeat in range(repeats):
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
    spreads = [max(samples[name]) / min(samples[name]) for name in timed]
    spread = max(spreads) if spreads else None
    return Result(case, medians, repeat_medians, plan.flops, spread, others)


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


def parse_args(argv, cases, description):
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
