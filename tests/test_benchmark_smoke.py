"""Smoke test of benchmarks/bench_epoch.py: it runs and prints the promised table."""

import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_epoch.py"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("bench_epoch", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_prints_one_row_per_case():
    """Check that a tiny run prints a table with every column and a row per case."""
    bench = _load_benchmark()
    names = [case.name for case in bench.CASES]
    argv = ["--quick", "--n-samples", "500", "--repeats", "1", "--epochs", "1"]
    argv += ["--lbfgs-iter", "1", "--cases", ",".join(names)]

    table = bench.main(argv)

    header, rule, *rows = table.splitlines()
    assert [cell.strip() for cell in header.strip("|").split("|")] == [
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
    ]
    assert set(rule) == {"|", "-"}
    assert [row.split("|")[1].strip() for row in rows] == names
    for row in rows:
        ratio = float(row.split("|")[5])
        assert ratio > 0
