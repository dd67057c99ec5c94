"""Smoke tests of benchmarks/: every script runs and prints the promised table."""

import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
TINY_RUN = ["--quick", "--n-samples", "500", "--repeats", "1", "--epochs", "1"]
ON_CUDA = ["--namespace", "torch", "--device", "cuda"]


def _load(name):
    # The scripts import each other as siblings, as when run from their folders.
    for folder in (BENCHMARKS, BENCHMARKS / "analysis"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    return importlib.import_module(name)


def _cells(line):
    return [cell.strip() for cell in line.strip("|").split("|")]


def _run_bench_epoch(argv, environment):
    # A process of its own: a torch run needs SCIPY_ARRAY_API before scipy loads.
    command = [sys.executable, str(BENCHMARKS / "bench_epoch.py"), *argv]
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=900
    )


@pytest.mark.slow
def test_benchmark_prints_one_row_per_case():
    """Check that a tiny run prints a table with every column and a row per case."""
    bench = _load("bench_epoch")
    names = [case.name for case in bench.CASES]
    argv = [*TINY_RUN, "--lbfgs-iter", "1", "--pause", "0.01"]

    table = bench.main([*argv, "--cases", ",".join(names)])

    header, rule, *rows = table.splitlines()
    assert _cells(header) == [
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


@pytest.mark.slow
def test_floor_prints_the_lower_bound_of_each_epoch_case(capsys):
    """Check that epoch cases get a lower-bound row whose floor sums its parts."""
    floor = _load("floor")
    epoch_cases = [case.name for case in floor.EPOCH_CASES]
    assert epoch_cases == [
        case.name for case in floor.bench_epoch.CASES if case.kind == "epoch"
    ]

    floor.main([*TINY_RUN, "--cases", ",".join(epoch_cases)])

    output = capsys.readouterr().out
    floor_section = output.split("Lower bound of an epoch")[1].strip().splitlines()
    header, rule, *rows = [line for line in floor_section[1:] if line.startswith("|")]
    assert _cells(header) == [
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
    ]
    assert set(rule) == {"|", "-"}
    cells = [_cells(row) for row in rows]
    assert [row[0] for row in cells] == epoch_cases
    for row in cells:
        parts = [float(cell.removesuffix(" s")) for cell in row[1:5]]
        floor_time, sklearn_time = (float(cell.removesuffix(" s")) for cell in row[5:7])
        assert all(part > 0 for part in parts)
        # Each cell is rounded to 4 significant digits.
        assert abs(floor_time - sum(parts)) <= 2e-3 * floor_time
        assert abs(float(row[7]) - floor_time / sklearn_time) <= 0.01
        lean = float(row[10].removesuffix(" s"))
        assert lean > 0
        assert abs(float(row[11]) - lean / sklearn_time) <= 0.01


@pytest.mark.slow
def test_lean_loop_prints_its_time_beside_both_libraries():
    """Check that the lean loop's run prints its time and ratios for each case."""
    lean_loop = _load("lean_loop")
    names = [case.name for case in lean_loop.EPOCH_CASES[:2]]

    table = lean_loop.main([*TINY_RUN, "--cases", ",".join(names)])

    header, rule, *rows = table.splitlines()
    assert _cells(header) == ["case", "lean loop", "lean / sklearn", "skmlp / lean"]
    assert set(rule) == {"|", "-"}
    cells = [_cells(row) for row in rows]
    assert [row[0] for row in cells] == names
    for row in cells:
        assert float(row[1].removesuffix(" s")) > 0
        assert float(row[2]) > 0
        assert float(row[3]) > 0


@pytest.mark.slow
def test_threads_prints_the_lowest_speedup_of_each_case():
    """Check that the thread study names each fit case with a positive speed-up."""
    threads = _load("threads")
    names = ["adam-100-f32", "lbfgs-100-f64"]

    line = threads.main([*TINY_RUN, "--lbfgs-iter", "1", "--cases", ",".join(names)])

    assert line.startswith("numpy's products on 2 threads against one")
    speedups = dict(cell.split() for cell in line.split(": ")[1].split(", "))
    assert list(speedups) == names
    assert all(float(value) > 0 for value in speedups.values())


def test_ratio_is_the_median_of_back_to_back_pairs(monkeypatch):
    """Check that each repeat pairs the libraries, in turns first, for the ratio."""
    bench, floor, rounds = _load("bench_epoch"), _load("floor"), _load("rounds")
    calls = []
    skmlp_times, sklearn_times = iter([1.0, 2.0, 6.0]), iter([2.0, 8.0, 3.0])

    def measure(name, times):
        def run():
            calls.append(name)
            return [next(times)]

        return run

    def fake_plan(case, data, settings, extra=None):
        measures = {
            "skmlp": measure("skmlp", skmlp_times),
            "sklearn": measure("sklearn", sklearn_times),
            "numpy": measure("numpy", iter([1.0] * 3)),
            "products": measure("products", iter([1.0, 1.0, 3.0])),
            "lean loop": measure("lean loop", iter([4.0, 1.0, 1.0])),
            **{part: measure(part, iter([0.0] * 3)) for part in floor.FLOOR_PARTS[1:]},
        }
        return rounds.Plan(measures, flops=1.0)

    monkeypatch.setattr(bench, "fit_plan", fake_plan)
    settings = rounds.Settings(
        n_samples=10, epochs=1, lbfgs_iter=1, repeats=3, batch_size=5, call_fraction=1
    )

    result = bench.run_case(bench.CASES[0], None, settings)

    first, second, third = (calls[start : start + 8] for start in (0, 8, 16))
    assert first[:3] == third[:3] == ["skmlp", "sklearn", "numpy"]
    assert second[:3] == ["sklearn", "skmlp", "numpy"]
    assert len(calls) == 24
    # Pairs 1/2, 2/8 and 6/3: the median ratio is 0.5, the ratio of medians 2/3.
    assert result.ratio == 0.5
    assert result.medians["skmlp"] == 2.0
    assert result.medians["sklearn"] == 3.0
    assert bench.table_row(result)[4] == "0.50"
    # Floors 1, 1, 3 against 2, 8, 3: paired 0.5, not the medians' 1/3; and
    # skmlp / floor is paired too: 1/1, 2/1, 6/3.
    row = floor.floor_row(result)
    assert row[5] == "1 s"
    assert row[7] == "0.50"
    assert row[9] == "2.00"
    # Lean loops 4, 1, 1: lean / sklearn 2, 0.125, 1/3 and skmlp / lean 1/4, 2, 6.
    assert row[10] == "1 s"
    assert row[11] == "0.33"
    assert row[12] == "2.00"


def test_notes_name_the_cases_run_while_a_core_was_busy():
    """Check that a low thread speed-up is reported, and a full one is not."""
    bench, threads, rounds = (
        _load(name) for name in ("bench_epoch", "threads", "rounds")
    )
    free, shared = (
        rounds.Result(case, {}, {"thread speed-up": [speedup]}, None, None, None)
        for case, speedup in zip(bench.CASES[:2], (1.9, 1.3), strict=True)
    )

    line = threads.speedup_line([free, shared], threads=2)
    notes = threads.unsteady_notes([free, shared], threads=2)

    assert f"{free.case.name} 1.90, {shared.case.name} 1.30" in line
    assert len(notes) == 2
    assert f"during {shared.case.name} (1.30)" in notes[0]
    assert free.case.name not in notes[0]
    assert threads.unsteady_notes([free], threads=2) == []
    assert threads.speedup_line([], threads=2) == ""


@pytest.mark.slow
def test_lean_loop_ends_at_the_weights_fit_learns():
    """Check that the benchmark's lean loop trains exactly what skmlp's fit trains."""
    bench, lean_loop, rounds = (
        _load(name) for name in ("bench_epoch", "lean_loop", "rounds")
    )
    settings = rounds.Settings(
        n_samples=450,
        epochs=2,
        lbfgs_iter=1,
        repeats=1,
        batch_size=100,
        call_fraction=1.0,
    )
    data = bench.make_data(settings.n_samples, settings.random_state)
    epoch_cases = lean_loop.EPOCH_CASES
    assert {case.solver for case in epoch_cases} == {"adam", "sgd"}
    assert {case.estimator for case in epoch_cases} == {"MLPClassifier", "MLPRegressor"}
    for case in epoch_cases:
        X, y = bench.training_data(case, data)
        model = bench.estimator_for(case, "skmlp", settings, settings.epochs)
        bench.quiet_fit(model, X, y)
        fitted = np.concatenate(
            [array.ravel() for array in (*model.coefs_, *model.intercepts_)]
        )

        params, seconds = lean_loop.lean_fit(case, X, y, settings)

        assert model.n_iter_ == settings.epochs
        assert params.dtype == fitted.dtype
        # The same operations in the same order: equal up to a few roundings.
        rtol = 1e-6 if params.dtype == np.float32 else 1e-13
        np.testing.assert_allclose(params, fitted, rtol=rtol, atol=0)
        assert seconds > 0


@pytest.mark.slow
def test_streaming_prints_both_epochs_and_their_ratio():
    """Check that the streaming run prints each case's epochs over the same rows."""
    streaming = _load("streaming")
    names = [case.name for case in streaming.EPOCH_CASES[:2]]

    table = streaming.main([*TINY_RUN, "--cases", ",".join(names)])

    header, rule, *rows = table.splitlines()
    assert _cells(header) == [
        "case",
        "rows",
        "block rows",
        "blocks",
        "in memory",
        "memmap blocks",
        "ratio",
    ]
    assert set(rule) == {"|", "-"}
    cells = [_cells(row) for row in rows]
    assert [row[0] for row in cells] == names
    for row in cells:
        n_rows, size, n_blocks = (int(cell) for cell in row[1:4])
        # 500 rows: two blocks of half the data, since 10,000 would be one block.
        assert (n_rows, size, n_blocks) == (500, 250, 2)
        assert float(row[4].removesuffix(" s")) > 0
        assert float(row[5].removesuffix(" s")) > 0
        assert float(row[6]) > 0


@pytest.mark.parametrize(
    ("hidden", "reason"),
    [
        ("torch", "torch is not installed"),
        pytest.param(
            "cuda", "torch.cuda.is_available() is False", marks=pytest.mark.slow
        ),
    ],
)
def test_device_run_is_skipped_where_torch_or_cuda_is_missing(hidden, reason, tmp_path):
    """Check that a cuda run without torch or a GPU says it is skipped and exits 0."""
    if hidden == "torch":
        # A torch module that fails to import stands for torch not being installed.
        (tmp_path / "torch.py").write_text('raise ImportError("torch hidden")\n')
        paths = [str(tmp_path), os.environ.get("PYTHONPATH")]
        changes = {"PYTHONPATH": os.pathsep.join(filter(None, paths))}
    else:
        if importlib.util.find_spec("torch") is None:
            pytest.skip("torch is not installed")
        # With no device visible, torch finds no CUDA even on a machine with a GPU.
        changes = {"CUDA_VISIBLE_DEVICES": ""}

    run = _run_bench_epoch(ON_CUDA, {**os.environ, **changes})

    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        f"torch on cuda is unavailable ({reason}): "
        "the torch cuda figures are skipped.\n"
    )


@pytest.mark.slow
def test_torch_cpu_run_prints_both_epochs_and_their_ratio():
    """Check that a torch cpu run prints each device case beside numpy, with a ratio."""
    pytest.importorskip("torch")
    names = [case.name for case in _load("bench_epoch").DEVICE_CASES]
    argv = ["--namespace", "torch", "--device", "cpu", "--quick", "--repeats", "1"]
    # Left unset, so that the script's own rerun with SCIPY_ARRAY_API=1 is tested.
    environment = {k: v for k, v in os.environ.items() if k != "SCIPY_ARRAY_API"}

    run = _run_bench_epoch([*argv, "--epochs", "1"], environment)

    assert run.returncode == 0, run.stderr
    assert "solver adam, float32; ratio: torch cpu / numpy cpu" in run.stdout
    header, rule, *rows = (
        line for line in run.stdout.splitlines() if line.startswith("|")
    )
    assert _cells(header) == ["case", "unit", "numpy cpu", "torch cpu", "ratio"]
    assert set(rule) == {"|", "-"}
    cells = [_cells(row) for row in rows]
    assert [row[0] for row in cells] == names
    for row in cells:
        assert row[1] == "s/epoch"
        numpy_seconds, torch_seconds, ratio = (float(cell) for cell in row[2:])
        assert numpy_seconds > 0
        assert torch_seconds > 0
        # One round: the ratio is that of the two times (printed to 4 digits).
        assert abs(ratio - torch_seconds / numpy_seconds) <= 0.005 + 2e-3 * ratio
