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
    argv += ["--lbfgs-iter", "1", "--pause", "0.01", "--cases", ",".join(names)]

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


def test_benchmark_prints_the_lower_bound_of_each_epoch_case(capsys):
    """Check that epoch cases get a lower-bound row whose floor sums its parts."""
    bench = _load_benchmark()
    epoch_cases = [case.name for case in bench.CASES if case.kind == "epoch"]
    argv = ["--quick", "--n-samples", "500", "--repeats", "1", "--epochs", "1"]
    argv += ["--cases", ",".join([*epoch_cases, "predict-1row"])]

    bench.main(argv)

    output = capsys.readouterr().out
    floor_section = output.split("Lower bound of an epoch")[1].strip().splitlines()
    header, rule, *rows = [line for line in floor_section[1:] if line.startswith("|")]
    assert [cell.strip() for cell in header.strip("|").split("|")] == [
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
    ]
    assert set(rule) == {"|", "-"}
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    assert [row[0] for row in cells] == epoch_cases
    for row in cells:
        parts = [float(cell.removesuffix(" s")) for cell in row[1:5]]
        floor, sklearn_time = (float(cell.removesuffix(" s")) for cell in row[5:7])
        assert all(part > 0 for part in parts)
        # Each cell is rounded to 4 significant digits.
        assert abs(floor - sum(parts)) <= 2e-3 * floor
        assert abs(float(row[7]) - floor / sklearn_time) <= 0.01
